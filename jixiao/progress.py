"""Progress bars for long work (ingest, validate, push, ``serve --memory`` loading), on stderr.

Shown only when stderr is a terminal and ``--quiet`` was not given: a pipe, a log file or CI gets no
bar and no control characters. ``JIXIAO_PROGRESS=0`` turns them off everywhere, ``=1`` forces them on
(for a terminal that does not say it is one).
"""

from __future__ import annotations

import os
import sys
from typing import Any


def enabled(quiet: bool = False) -> bool:
    if quiet:
        return False
    forced = os.environ.get("JIXIAO_PROGRESS", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    return sys.stderr.isatty()


def bar(desc: str, total: float | None = None, *, quiet: bool = False, unit: str = "report", **kwargs: Any):
    """A tqdm bar on stderr (a disabled one, which costs nothing, when progress is off)."""
    from tqdm import tqdm

    on = enabled(quiet)
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        disable=not on,
        # follow the terminal's width; a terminal that reports none (0 columns) gets 80
        **({"dynamic_ncols": True} if on and _columns() > 0 else {"ncols": 80}),
        mininterval=0.25,
        **kwargs,
    )


def _columns() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        return 0


def write(line: str, *, file=None) -> None:
    """Print a line without tearing an active bar (tqdm clears the bar, prints, redraws it)."""
    from tqdm import tqdm

    tqdm.write(line, file=file or sys.stdout)
