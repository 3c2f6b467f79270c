"""The data jixiao ships inside its package, found with ``importlib.resources``.

Ontology and code lists (``jixiao.data.ontology``), SHACL shapes (``jixiao.data.shapes``), the SPARQL
query library (``jixiao.data.queries``) and the bundled sample reports (``jixiao.data.samples``); the
reader's lexicons and rules are data of ``jixiao.ingest`` (:func:`ingest_data_dir`, :func:`lexicon_dir`).
In a wheel these are folders inside the installed ``jixiao`` package; in a source checkout the
editable install maps them to the top-level folders ``ontology/``, ``shapes/``, ``queries/``,
``samples/`` and ``ingest/`` (pyproject.toml, ``[tool.setuptools.package-dir]``). Code never spells
these locations: it asks this module. (The accessors end in ``_dir`` because the data folders are
sub-packages: ``jixiao.data.ontology`` is the package, ``jixiao.data.ontology_dir()`` its folder.)

setuptools installs wheels unpacked, so each folder is a real directory and is returned as a
:class:`pathlib.Path` (a zipped install is refused with a clear error rather than half working).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

ONTOLOGY_FILES = ("jixiao.ttl", "vocab.ttl", "external.ttl")
"""The ontology proper, its code lists, and the external terms it reuses (declared apart)."""


@cache
def _folder(package: str, *parts: str) -> Path:
    root = files(package)
    if not isinstance(root, Path):  # pragma: no cover - only a zip import gets here
        raise RuntimeError(f"jixiao's data package {package} is not on the file system ({root!r})")
    return root.joinpath(*parts)


def ontology_dir() -> Path:
    """The folder of ``jixiao.ttl``, ``vocab.ttl``, ``external.ttl`` and ``examples/``."""
    return _folder("jixiao.data.ontology")


def shapes_dir() -> Path:
    """The folder of the SHACL shapes files (one per family, plus ``prefixes.ttl``)."""
    return _folder("jixiao.data.shapes")


def queries_dir() -> Path:
    """The folder of the SPARQL query library (``*.rq`` with grlc-style headers)."""
    return _folder("jixiao.data.queries")


def samples_dir() -> Path:
    """The folder of the bundled sample reports and their planted faults."""
    return _folder("jixiao.data.samples")


def ingest_data_dir() -> Path:
    """The reader's rule files (TOML/TSV): sections, tables, units, qualifiers, domain words."""
    return _folder("jixiao.ingest", "data")


def lexicon_dir() -> Path:
    """The reader's lexicons (plain UTF-8 text, one category a file)."""
    return _folder("jixiao.ingest", "lexicon")


def web_dir() -> Path:
    """Static files of the endpoint's page."""
    return _folder("jixiao", "web")
