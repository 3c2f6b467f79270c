"""The reader's data files, all read here: rules under ingest/data/, lexicons under ingest/lexicon/.

- ``toml(name)``: a rule file, ``ingest/data/<name>`` (sections, tables, domain, not_quantities …);
- ``tsv(name)``: the rows of a tab-separated rule file (units, qualifiers): ``#`` lines are comments,
  the first row is the header and is dropped;
- ``lexicon(name)``: the entries ``(word, freq, tag, canonical or None)`` of ``ingest/lexicon/<name>.txt``
  (format in `jixiao.ingest.segment`); ``read_lexicon(path)`` reads any lexicon file;
- ``word_list(name)``: the first field of each line of a plain word list (``function_words`` …);
- ``code_lists()``: the concepts of the code lists (ontology/vocab.ttl) with their Chinese labels,
  the words of the genre the reader matches and writes (执行率, 整体支出, 数量指标 …).

Results are cached for the process: treat them as read-only. Folders come from `jixiao.data`.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import SKOS

from jixiao import data as _data
from jixiao.errors import InputError
from jixiao.ns import JXV

DEFAULT_FREQ = 2000
DEFAULT_TAG = "n"

LexiconEntry = tuple[str, int, str, str | None]


@cache
def toml(name: str) -> dict[str, Any]:
    """Parse the TOML rule file ``ingest/data/<name>``."""
    with (_data.ingest_data_dir() / name).open("rb") as fh:
        return tomllib.load(fh)


@cache
def tsv(name: str) -> tuple[tuple[str, ...], ...]:
    """The data rows of the tab-separated rule file ``ingest/data/<name>`` (header and comments dropped)."""
    with (_data.ingest_data_dir() / name).open(encoding="utf-8", newline="") as fh:
        rows = [tuple(r) for r in csv.reader(fh, delimiter="\t") if r and not r[0].startswith("#")]
    return tuple(rows[1:])


def read_lexicon(path: Path) -> list[LexiconEntry]:
    """Entries of one lexicon file: (word, freq, tag, canonical or None). A field that is neither a
    number nor an ASCII tag is an `InputError` naming the file and line."""
    entries = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line, _, canonical = raw.partition("\t")
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        word, freq, tag = fields[0], DEFAULT_FREQ, DEFAULT_TAG
        for field in fields[1:]:
            if field.isdigit():
                freq = int(field)
            elif field.isascii() and field.isalpha():
                tag = field
            else:
                raise InputError(f"bad lexicon field {field!r}", file=path, where=f"line {lineno}")
        entries.append((word, freq, tag, canonical.strip() or None))
    return entries


@cache
def lexicon(name: str) -> tuple[LexiconEntry, ...]:
    """Entries of the packaged lexicon ``ingest/lexicon/<name>.txt``."""
    return tuple(read_lexicon(_data.lexicon_dir() / f"{name}.txt"))


@cache
def word_list(name: str) -> tuple[str, ...]:
    """The first field of each non-comment line of the word list ``ingest/lexicon/<name>.txt``."""
    lines = (_data.lexicon_dir() / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line.split()[0] for line in lines if line.strip() and not line.lstrip().startswith("#"))


@dataclass(frozen=True)
class Concept:
    """A concept of a code list: its local name in jxv: ("rate_execution"), the local name of its
    scheme ("RateKindScheme"), and its Chinese preferred and alternative labels."""

    name: str
    scheme: str
    label: str
    alt_labels: tuple[str, ...]


@cache
def code_lists() -> dict[str, Concept]:
    """The concepts of ontology/vocab.ttl by local name."""
    jxv, pref, alt = str(JXV), str(SKOS.prefLabel), str(SKOS.altLabel)
    scheme, labels, alts = {}, {}, {}
    for t in ox.parse(path=str(_data.ontology_dir() / "vocab.ttl"), format=ox.RdfFormat.TURTLE):
        s, p, o = t.subject, t.predicate.value, t.object
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(jxv):
            continue
        name = s.value[len(jxv) :]
        if p == str(SKOS.inScheme):
            scheme[name] = o.value[len(jxv) :]
        elif p in (pref, alt) and isinstance(o, ox.Literal) and o.language == "zh":
            (labels.setdefault(name, []) if p == pref else alts.setdefault(name, [])).append(o.value)
    return {
        name: Concept(name, scheme[name], min(labels.get(name, [""])), tuple(sorted(alts.get(name, ()))))
        for name in sorted(scheme)
    }
