"""Where the project's data lives (ontology, shapes, queries, samples) and the default store.

Code never spells these paths itself: it asks this module. ``JIXIAO_HOME`` overrides the
project root (for an installed copy whose data folders live elsewhere); ``JIXIAO_STORE``
overrides the default store directory.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("JIXIAO_HOME", Path(__file__).resolve().parent.parent))
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DIR = ROOT / "shapes"
QUERIES_DIR = ROOT / "queries"
SAMPLES_DIR = ROOT / "samples"
INGEST_DATA_DIR = ROOT / "ingest" / "data"
LEXICON_DIR = ROOT / "ingest" / "lexicon"
DEFAULT_STORE = Path(os.environ.get("JIXIAO_STORE", ROOT / ".jixiao" / "store"))
CACHE_DIR = Path(os.environ.get("JIXIAO_CACHE", ROOT / ".jixiao" / "cache"))
