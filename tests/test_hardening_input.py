"""No network or file access from data, and no unbounded entity expansion (issue 17): the RDF files
named by ``validate --data``, ``query --data`` and ``push --data`` go through ``jixiao.rdfinput``.

A loopback listener records every connection: a JSON-LD ``@context`` (remote, ``file:``, ``@import``,
a scoped context) or an external DTD pointing at it must never reach it, and every command refuses
the file with one ``jixiao CMD: error: FILE: …`` line and exit 2. RDF/XML "billion laughs" files
are refused before parsing; the entity abbreviations of ontology editors still read.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from jixiao import rdfinput
from jixiao.errors import InputError
from jixiao.serve import free_port
from tests.conftest import ROOT

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EXAMPLE = ROOT / "ontology" / "examples" / "report-example.ttl"


class Listener:
    """A loopback TCP listener that records every connection (and answers HTTP with a valid
    JSON-LD context, so a parser that fetched would succeed and the test would see it)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        body = json.dumps({"@context": {"p": "http://example.org/p"}}).encode()
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.hits.append(conn.recv(2000))
                    conn.sendall(
                        b"HTTP/1.0 200 OK\r\nContent-Type: application/ld+json\r\nContent-Length: %d\r\n\r\n"
                        % len(body)
                        + body
                    )
                except OSError:
                    pass

    def url(self, path: str = "/context.jsonld") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.stop = True
        self.thread.join(2)
        self.sock.close()


@pytest.fixture()
def listener():
    lst = Listener()
    yield lst
    lst.close()


def _jsonld_cases(lst: Listener, tmp: Path) -> dict[str, dict]:
    local = tmp / "local-context.jsonld"
    local.write_text(json.dumps({"@context": {"p": "http://example.org/p"}}), encoding="utf-8")
    node = {"@id": "http://example.org/s", "p": "v"}
    return {
        "remote": {"@context": lst.url(), **node},
        "remote-in-list": {"@context": [lst.url(), {"q": "http://example.org/q"}], **node},
        "file": {"@context": local.as_uri(), **node},
        "import": {"@context": {"@version": 1.1, "@import": lst.url("/import.jsonld")}, **node},
        "scoped": {
            "@context": {"@version": 1.1, "t": {"@id": "http://example.org/t", "@context": lst.url("/scoped")}},
            "@id": "http://example.org/s",
            "t": {"@id": "http://example.org/o", "p": "v"},
        },
        "nested-node": {"@id": "http://example.org/s", "http://example.org/r": {"@context": lst.url(), "p": "v"}},
    }


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jixiao", *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=os.environ
    )


def _one_error_line(proc: subprocess.CompletedProcess, command: str, file: Path) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr  # no traceback
    assert lines[0].startswith(f"jixiao {command}: error: "), lines[0]
    assert file.name in lines[0], lines[0]
    return lines[0]


def _commands(data: Path, dead_endpoint: str) -> dict[str, list[str]]:
    return {
        "validate": ["validate", "--data", str(data)],
        "query": ["query", "reports", "--data", str(data)],
        "push": ["push", "--endpoint", dead_endpoint, "--data", str(data), "--graph", "http://example.org/g"],
    }


def test_jsonld_contexts_are_never_fetched_by_rdfinput(listener, tmp_path):
    for name, doc in _jsonld_cases(listener, tmp_path).items():
        f = tmp_path / f"{name}.jsonld"
        f.write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(InputError, match="not inline is refused"):
            list(rdfinput.quads(f))
    time.sleep(0.3)
    assert listener.hits == []


def test_rdflib_would_have_fetched(listener, tmp_path):
    """The listener works: rdflib's own JSON-LD parser (what the commands used before) connects to it.
    Without this, the no-connection assertions above and below could not fail."""
    f = tmp_path / "remote.jsonld"
    f.write_text(json.dumps(_jsonld_cases(listener, tmp_path)["remote"]), encoding="utf-8")
    g = Graph().parse(f, format="json-ld")
    assert len(g) == 1
    time.sleep(0.3)
    assert listener.hits and listener.hits[0].startswith(b"GET /context.jsonld")


@pytest.mark.parametrize("command", ["validate", "query", "push"])
def test_commands_refuse_remote_contexts_without_connecting(listener, tmp_path, command):
    dead = f"http://127.0.0.1:{free_port()}/query"  # nothing listens: push must fail on the data first
    for name in ("remote", "file", "import"):
        f = tmp_path / f"{name}.jsonld"
        f.write_text(json.dumps(_jsonld_cases(listener, tmp_path)[name]), encoding="utf-8")
        line = _one_error_line(_run(*_commands(f, dead)[command]), command, f)
        assert "@context" in line
    time.sleep(0.3)
    assert listener.hits == []


def _billion_laughs(levels: int = 9) -> str:
    ents = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n ' + "\n ".join(ents) + "\n]>\n"
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://example.org/">\n'
        f' <rdf:Description rdf:about="http://example.org/s"><ex:p>&l{levels - 1};</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    )


def _rdfxml(doctype: str, body_value: str, about: str = "http://example.org/s") -> str:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://example.org/">\n'
        f' <rdf:Description rdf:about="{about}"><ex:p>{body_value}</ex:p></rdf:Description>\n</rdf:RDF>\n'
    )


def test_oxigraph_alone_would_expand_the_laughs(tmp_path):
    """Why check_xml exists: without it the parser expands entities without limit (5 levels here,
    10^4 copies; 9 levels made an 880 MB literal)."""
    f = tmp_path / "laughs5.rdf"
    f.write_text(_billion_laughs(5), encoding="utf-8")
    (q,) = list(ox.parse(path=str(f), format=ox.RdfFormat.RDF_XML))
    assert len(q.object.value) == 3 * 10**4


@pytest.mark.parametrize("command", ["validate", "query", "push"])
def test_commands_refuse_billion_laughs_at_once(tmp_path, command):
    f = tmp_path / "laughs.rdf"
    f.write_text(_billion_laughs(), encoding="utf-8")
    dead = f"http://127.0.0.1:{free_port()}/query"
    line = _one_error_line(_run(*_commands(f, dead)[command]), command, f)
    assert "entities built from entities are refused" in line


@pytest.mark.parametrize(
    "doctype,needle",
    [
        ("<!DOCTYPE rdf:RDF SYSTEM 'http://127.0.0.1:9/x.dtd'>", "external DTD"),
        ('<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "refused in the DTD"),
        ('<!DOCTYPE rdf:RDF [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>', "refused in the DTD"),
        ("<!DOCTYPE rdf:RDF [<!ELEMENT rdf:RDF ANY>]>", "refused in the DTD"),
        ('<!DOCTYPE rdf:RDF [<!ENTITY a "x&#38;y">]>', "entities built from entities"),
        ("<!DOCTYPE rdf:RDF [<!ENTITY a 'single quotes'>]>", "refused in the DTD"),
    ],
)
def test_dtd_features_that_reach_out_or_nest_are_refused(tmp_path, doctype, needle):
    f = tmp_path / "x.rdf"
    f.write_text(_rdfxml(doctype, "a"), encoding="utf-8")
    with pytest.raises(InputError, match=needle):
        rdfinput.check(f)


def test_a_doctype_after_the_root_element_is_checked_too(tmp_path):
    """Oxigraph reads a DOCTYPE anywhere (not only in the prolog), so the whole file is scanned."""
    laughs = _billion_laughs()
    start = laughs.index("<!DOCTYPE")
    end = laughs.index("]>") + 2
    moved = laughs[:start] + laughs[end:].replace("<rdf:Description", laughs[start:end] + "<rdf:Description", 1)
    assert moved.index("<!DOCTYPE") > moved.index("<rdf:RDF")
    f = tmp_path / "late.rdf"
    f.write_text(moved, encoding="utf-8")
    with pytest.raises(InputError, match="entities built from entities"):
        rdfinput.check(f)


def test_wide_entities_are_held_to_the_budget(tmp_path):
    """Flat entities, no nesting, but 1,000 characters referenced 5,000 times: 5 MB from a 20 KB file."""
    wide = "x" * 1000
    f = tmp_path / "wide.rdf"
    f.write_text(_rdfxml(f'<!DOCTYPE rdf:RDF [<!ENTITY w "{wide}">]>', "&w;" * 5000), encoding="utf-8")
    assert f.stat().st_size < 25_000
    with pytest.raises(InputError, match="5,000,000 characters"):
        rdfinput.check(f)
    ok = tmp_path / "ok.rdf"
    ok.write_text(_rdfxml(f'<!DOCTYPE rdf:RDF [<!ENTITY w "{wide}">]>', "&w;" * 500), encoding="utf-8")
    (q,) = list(rdfinput.quads(ok))
    assert q.object.value == wide * 500


def test_references_across_read_chunks_are_counted(tmp_path, monkeypatch):
    """The expansion count reads the file in chunks: a reference cut by a chunk boundary still counts."""
    monkeypatch.setattr(rdfinput, "_CHUNK", 1000)
    monkeypatch.setattr(rdfinput, "ENTITY_BUDGET_FLOOR", 0)
    monkeypatch.setattr(rdfinput, "ENTITY_BUDGET_FACTOR", 1000)
    f = tmp_path / "chunks.rdf"
    f.write_text(_rdfxml('<!DOCTYPE rdf:RDF [<!ENTITY w "abcdefghij">]>', "&w; " * 3000), encoding="utf-8")
    size = f.stat().st_size
    monkeypatch.setattr(rdfinput, "ENTITY_BUDGET_FACTOR", 30_000 * 1.0 / size - 1e-9)  # budget just under 30,000
    with pytest.raises(InputError, match="30,000 characters"):
        rdfinput.check(f)
    monkeypatch.setattr(rdfinput, "ENTITY_BUDGET_FACTOR", 30_000 / size + 1e-6)
    rdfinput.check(f)


def test_ontology_editor_abbreviations_still_read(tmp_path):
    """The &owl;-style entities Protégé writes: plain values, referenced in attributes."""
    doctype = (
        "<!DOCTYPE rdf:RDF [\n"
        '  <!ENTITY ex "http://example.org/" >\n'
        "  <!-- a comment inside the DTD -->\n"
        '  <!ENTITY xsd "http://www.w3.org/2001/XMLSchema#" >\n]>'
    )
    f = tmp_path / "onto.owl"
    f.write_text(_rdfxml(doctype, "v", about="&ex;thing"), encoding="utf-8")
    (q,) = list(rdfinput.quads(f))
    assert q.subject == ox.NamedNode("http://example.org/thing")


def test_utf16_xml_is_refused_clearly(tmp_path):
    f = tmp_path / "u16.rdf"
    f.write_bytes(_rdfxml("", "a").encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        rdfinput.check(f)


def test_jsonld_and_rdfxml_read_the_same_graph_as_turtle(tmp_path):
    """The formats rdflib read before read the same triples through Oxigraph (inline context)."""
    from jixiao.rdfutil import same_graph

    g = Graph().parse(EXAMPLE, format="turtle")
    for ext, fmt in ((".jsonld", "json-ld"), (".rdf", "xml"), (".nt", "nt"), (".n3", "n3")):
        f = tmp_path / f"example{ext}"
        g.serialize(f, format=fmt, encoding="utf-8")
        got = Graph()
        for q in rdfinput.quads(f):
            from jixiao.rdfutil import from_ox

            got.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        assert same_graph(got, g), ext


def test_query_and_validate_read_jsonld(tmp_path, capsys):
    from jixiao.cli import main

    g = Graph().parse(EXAMPLE, format="turtle")
    f = tmp_path / "example.jsonld"
    g.serialize(f, format="json-ld", encoding="utf-8")
    assert main(["query", "reports", "--data", str(f), "--format", "csv"]) == 0
    assert "report" in capsys.readouterr().out
    assert main(["validate", "--data", str(f)]) in (0, 1)
    assert main(["validate", "--data", str(EXAMPLE)]) in (0, 1)


def test_unreadable_or_missing_data_is_one_line(tmp_path):
    missing = tmp_path / "missing.ttl"
    folder = tmp_path / "folder.ttl"
    folder.mkdir()
    dead = f"http://127.0.0.1:{free_port()}/query"
    for f in (missing, folder):
        for command, args in _commands(f, dead).items():
            _one_error_line(_run(*args), command, f)


def test_relative_iris_resolve_against_the_file(tmp_path):
    f = tmp_path / "rel.ttl"
    f.write_text('<s> <http://example.org/p> "v" .\n', encoding="utf-8")
    (q,) = list(rdfinput.quads(f))
    assert q.subject == ox.NamedNode(f.resolve().as_uri()[: -len("rel.ttl")] + "s")
    assert URIRef(q.subject.value)
