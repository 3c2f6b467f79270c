"""Subcommands of ``jixiao``; each module is discovered by ``jixiao.cli``."""
