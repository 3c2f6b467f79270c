"""The ``jixiao`` console command: a thin layer over the library.

Each subcommand lives in ``jixiao/commands/<name>.py`` and defines ``NAME``, ``HELP``,
``configure(parser)`` and ``run(args) -> int``. Modules are discovered, so adding a command
does not touch this file.

Exit codes: 0 ok; 1 the data does not conform / the query found problems; 2 usage or input error.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from jixiao import __version__
from jixiao.errors import JixiaoError, from_os_error

EPILOG = "exit codes: 0 ok; 1 data does not conform / query found problems; 2 usage or input error"


def _command_modules():
    from jixiao import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"jixiao.commands.{info.name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jixiao",
        description="Knowledge graph and SPARQL answers for Chinese budget-performance reports.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP, epilog=EPILOG)
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except JixiaoError as exc:
        print(f"jixiao {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the environment, not a bug: permissions, a full disk, a missing folder
        print(f"jixiao {args.command}: error: {from_os_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
