"""Where jixiao writes by default: the store and the segmenter's cache, outside the install.

The default store is ``<user data dir>/jixiao/store`` (``platformdirs``: ``~/.local/share/jixiao/store``
on Linux), overridden by ``JIXIAO_STORE`` or by ``--store`` on the command line; the cache is the
user cache directory (``~/.cache/jixiao``), overridden by ``JIXIAO_CACHE``. Nothing is ever written
inside the installed package. The data jixiao reads (ontology, shapes, queries, lexicons) is found
by :mod:`jixiao.data`.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def default_store() -> Path:
    """The store used when no ``--store`` is given (read at call time, so tests can set the variable)."""
    env = os.environ.get("JIXIAO_STORE")
    return Path(env) if env else platformdirs.user_data_path("jixiao") / "store"


def cache_dir() -> Path:
    env = os.environ.get("JIXIAO_CACHE")
    return Path(env) if env else platformdirs.user_cache_path("jixiao")


STORE_HELP = "store directory (default: $JIXIAO_STORE, else the user data directory's jixiao/store)"
"""The one wording of ``--store`` in every command's help."""
