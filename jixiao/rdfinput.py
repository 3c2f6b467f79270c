"""Reading the RDF files a user names (``validate --data``, ``query --data``, ``push --data``) safely:
the data can make jixiao neither reach the network or another file, nor expand without bound.

- Every format is parsed by Oxigraph, which has no way to fetch anything: its JSON-LD parser has no
  document loader, so a remote ``@context`` (or a ``file:`` one, or an ``@import``) is refused as a
  syntax error instead of being downloaded (rdflib's JSON-LD parser fetched them with urllib, while
  parsing); its RDF/XML parser refuses external entities and ignores external DTDs.
- RDF/XML is checked before parsing (``check_xml``): Oxigraph expands internal entities without limit
  (a 1 KB "billion laughs" file became an 880 MB literal), and rdflib's expat parser ran for minutes
  before its amplification limit stopped it. Allowed: a DOCTYPE whose internal subset declares only
  plain internal entities (a quoted value with no ``&`` or ``%`` in it: no entity built from entities)
  whose references add at most ``entity_budget(size)`` characters in all — the ``&owl;``-style
  abbreviations of ontology editors pass. Anything else in a DTD (parameter entities, external
  identifiers, element or attribute declarations) is refused.

Every problem is an ``InputError`` naming the file (and the line, when the parser gives one).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from jixiao.errors import InputError, from_os_error

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".n3": ox.RdfFormat.N3,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
DEFAULT_FORMAT = ox.RdfFormat.TURTLE  # any other extension (as jixiao query always did)

# entity expansion: what references to internal entities may add, in characters
ENTITY_BUDGET_FACTOR = 10  # times the file's own size …
ENTITY_BUDGET_FLOOR = 1 << 20  # … but at least 1 MiB (small files) …
ENTITY_BUDGET_CAP = 64 << 20  # … and never more than 64 MiB

_CHUNK = 8 << 20
_DOCTYPE = b"<!DOCTYPE"
_NAME = r"[^\s\"'<>&%;\[\]]+"
_SUBSET_TOKEN = re.compile(
    rf"""\s+
    | <!--.*?-->
    | <!ENTITY\s+(?P<name>{_NAME})\s+"(?P<value>[^"]*)"\s*>
    """,
    re.S | re.X,
)
_DOCTYPE_HEAD = re.compile(rf"<!DOCTYPE\s+{_NAME}\s*")
_REFERENCE = re.compile(rb"&([^\s&;<>\"'#]{1,256});")


def rdf_format(path: Path) -> ox.RdfFormat:
    return FORMATS.get(Path(path).suffix.lower(), DEFAULT_FORMAT)


def is_dataset_format(fmt: ox.RdfFormat) -> bool:
    """N-Quads and TriG name graphs; every other format is one graph's triples."""
    return fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)


def entity_budget(size: int) -> int:
    return min(ENTITY_BUDGET_CAP, max(ENTITY_BUDGET_FLOOR, ENTITY_BUDGET_FACTOR * size))


def check_readable(path: Path) -> None:
    """An existing regular file this process can open for reading, else an InputError."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", file=path)
    if not path.is_file():
        raise InputError("not a regular file", file=path)
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise from_os_error(exc, path, "cannot read") from exc


def check_xml(path: Path) -> None:
    """Refuse an RDF/XML file whose DTD could make parsing reach outside the file or expand without
    bound (see the module docstring). Reads the file once, in chunks."""
    path = Path(path)
    size = path.stat().st_size
    entities: dict[str, int] = {}  # name → length of its value
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (b"\x00<\x00?", b"<\x00?\x00"):
            raise InputError("RDF/XML in UTF-16 is not supported: save it as UTF-8", file=path)
        fh.seek(0)
        offset, tail = 0, b""
        while chunk := fh.read(_CHUNK):
            data = tail + chunk
            start = 0
            while (i := data.find(_DOCTYPE, start)) >= 0:
                entities.update(_doctype_entities(path, fh, offset - len(tail) + i))
                start = i + len(_DOCTYPE)
            tail = data[-(len(_DOCTYPE) - 1) :]
            offset += len(chunk)
    if entities:
        _check_expansion(path, entities, size)


def _doctype_entities(path: Path, fh, at: int) -> dict[str, int]:
    """The entities a DOCTYPE starting at byte ``at`` declares; InputError for anything not allowed."""
    here = fh.tell()
    fh.seek(at)
    text = fh.read(_CHUNK).decode("utf-8", errors="replace")
    fh.seek(here)
    where = f"byte {at}"
    m = _DOCTYPE_HEAD.match(text)
    if not m:
        raise InputError("a DOCTYPE declaration that cannot be read", file=path, where=where)
    i = m.end()
    if text.startswith(("SYSTEM", "PUBLIC"), i):
        raise InputError(
            "an external DTD (SYSTEM/PUBLIC) is refused: data must not point outside the file", file=path, where=where
        )
    if text.startswith(">", i):
        return {}
    if not text.startswith("[", i):
        raise InputError("a DOCTYPE declaration that cannot be read", file=path, where=where)
    i += 1
    found: dict[str, int] = {}
    while True:
        if text.startswith("]", i):
            return found
        t = _SUBSET_TOKEN.match(text, i)
        if t is None or t.end() == i:
            what = text[i : i + 40].split(">")[0]
            raise InputError(
                f'refused in the DTD: {what!r}… (only plain internal entities, <!ENTITY name "value">, are '
                "read: parameter entities, external entities and other declarations are not)",
                file=path,
                where=where,
            )
        if t.group("name"):
            value = t.group("value")
            if "&" in value or "%" in value:
                raise InputError(
                    f"entity {t.group('name')} refers to other entities: entities built from entities are "
                    "refused (they can expand without bound, the 'billion laughs')",
                    file=path,
                    where=where,
                )
            found.setdefault(t.group("name"), len(value))
        i = t.end()


def _check_expansion(path: Path, entities: dict[str, int], size: int) -> None:
    budget = entity_budget(size)
    added = 0
    with path.open("rb") as fh:
        data = b""
        while True:
            chunk = fh.read(_CHUNK)
            data += chunk
            limit = max(0, len(data) - 258) if chunk else len(data)  # a reference is at most 258 bytes
            done = 0
            for m in _REFERENCE.finditer(data, 0, limit):
                added += entities.get(m.group(1).decode("utf-8", errors="replace"), 0)
                done = m.end()
            if not chunk:
                break
            data = data[max(done, limit - 258) :]  # what may still hold a reference cut by the chunk end
    if added > budget:
        raise InputError(
            f"its entities would add {added:,} characters (at most {budget:,} are read: "
            f"{ENTITY_BUDGET_FACTOR}x the file, at least {ENTITY_BUDGET_FLOOR >> 20} MiB, "
            f"at most {ENTITY_BUDGET_CAP >> 20} MiB)",
            file=path,
        )


def check(path: Path, fmt: ox.RdfFormat | None = None) -> ox.RdfFormat:
    """Everything checked before a parser sees ``path``; returns its format."""
    fmt = fmt or rdf_format(path)
    check_readable(path)
    if fmt == ox.RdfFormat.RDF_XML:
        check_xml(path)
    return fmt


def base_iri(path: Path) -> str:
    return Path(path).resolve().as_uri()


def parse_error(exc: Exception, path: Path, fmt: ox.RdfFormat) -> InputError:
    if isinstance(exc, OSError):
        return from_os_error(exc, path, "cannot read")
    if "LoadDocumentCallback" in str(exc):  # Oxigraph's JSON-LD parser has no loader: nothing is fetched
        return InputError(
            "a JSON-LD @context (or @import) that is not inline is refused: jixiao never fetches what data "
            "names (put the context in the file)",
            file=path,
        )
    return InputError(f"cannot parse as {fmt.name}: {exc}", file=path)


def quads(path: Path, fmt: ox.RdfFormat | None = None) -> Iterator[ox.Quad]:
    """The quads of ``path`` (triples in the default graph), parsed by Oxigraph after ``check``."""
    fmt = check(path, fmt)
    try:
        yield from ox.parse(path=str(path), format=fmt, base_iri=base_iri(path))
    except (SyntaxError, ValueError, OSError) as exc:
        raise parse_error(exc, path, fmt) from exc


def load(store: ox.Store, path: Path, to_graph: ox.NamedNode | None = None, fmt: ox.RdfFormat | None = None) -> None:
    """Load ``path`` into ``store`` with Oxigraph's bulk loader, after ``check``: N-Quads and TriG keep
    their graphs; a triples format goes into ``to_graph`` (default: the default graph). Not atomic:
    for stores that are thrown away on error (in memory, temporary)."""
    fmt = check(path, fmt)
    kwargs = {} if is_dataset_format(fmt) or to_graph is None else {"to_graph": to_graph}
    try:
        store.bulk_load(path=str(path), format=fmt, base_iri=base_iri(path), **kwargs)
    except (SyntaxError, ValueError, OSError) as exc:
        raise parse_error(exc, path, fmt) from exc
