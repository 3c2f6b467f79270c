"""The import graph of the `jixiao` package, read from the source files with `ast` (nothing imported).

Modules are those of `jixiao/` and of the reader, `ingest/`, which installs as `jixiao.ingest`.
Every import statement between them is an edge of the graph, wherever it stands: at module level,
inside a function (a lazy import delays a dependency, it does not remove it: the cycle
normalise → sections → tables → sections was hidden behind one), or under ``if TYPE_CHECKING:``
(never executed, but the two modules still depend on each other). An edge goes to the module named,
or to the module a ``from package import name`` finds under that name.

Checked:
- the graph has no cycle;
- the reader's stages import one way, each only its own stage or earlier ones: source → normalise →
  sections/tables → figures → extract → emit → pipeline, with shared helpers below all of them that
  import no stage;
- the reader needs nothing of jixiao but the data locations, errors, paths, IRIs, namespaces and RDF
  helpers (not the store, the queries or the validation);
- no module outside the command line (`jixiao.cli`, `jixiao.__main__`, `jixiao.commands.*`) imports it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLI = ("jixiao.cli", "jixiao.__main__", "jixiao.commands")

# The reader's modules by stage: a module imports modules of its own stage or of an earlier one
# (stage 0: helpers shared by the stages, which import only helpers). A new module gets a stage here.
STAGES = {
    0: {  # helpers
        "jixiao.ingest",
        "jixiao.ingest.datafiles",
        "jixiao.ingest.lines",
        "jixiao.ingest.layout",
        "jixiao.ingest.numerals",
        "jixiao.ingest.segment",
        "jixiao.ingest.sentences",
        "jixiao.ingest.words",
    },
    1: {"jixiao.ingest.source"},
    2: {"jixiao.ingest.normalise"},
    3: {"jixiao.ingest.sections", "jixiao.ingest.tables"},
    4: {"jixiao.ingest.figures"},
    5: {  # extraction: the records, the readers, and the driver
        "jixiao.ingest.records",
        "jixiao.ingest.meta",
        "jixiao.ingest.reading",
        "jixiao.ingest.structure",
        "jixiao.ingest.mentions",
        "jixiao.ingest.money",
        "jixiao.ingest.projects",
        "jixiao.ingest.indicators",
        "jixiao.ingest.evaluations",
        "jixiao.ingest.extract",
    },
    6: {"jixiao.ingest.emit"},
    7: {"jixiao.ingest.pipeline"},
}
STAGE_OF = {module: stage for stage, modules in STAGES.items() for module in modules}
# what the reader may use of the rest of jixiao
READER_NEEDS = {"jixiao", "jixiao.data", "jixiao.errors", "jixiao.paths", "jixiao.iris", "jixiao.ns", "jixiao.rdfutil"}


def module_files() -> dict[str, Path]:
    out = {}
    for path in sorted((ROOT / "jixiao").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    for path in sorted((ROOT / "ingest").glob("*.py")):
        out["jixiao.ingest" if path.stem == "__init__" else f"jixiao.ingest.{path.stem}"] = path
    return out


def imports_of(name: str, path: Path, modules: set[str]) -> Iterator[tuple[str, int]]:
    """(module imported, line) for every import of a module in ``modules``, wherever it stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target:
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:  # from package import module
                    yield f"{base}.{alias.name}", node.lineno
                elif base in modules:
                    yield base, node.lineno


def import_graph() -> dict[str, dict[str, int]]:
    """module → {module it imports: line of the first such import}."""
    files = module_files()
    graph: dict[str, dict[str, int]] = {}
    for name, path in files.items():
        edges = graph.setdefault(name, {})
        for target, line in imports_of(name, path, set(files)):
            if target != name:
                edges.setdefault(target, line)
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, {})):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def is_cli(module: str) -> bool:
    return module in CLI or module.startswith("jixiao.commands.")


@pytest.fixture(scope="module")
def graph() -> dict[str, dict[str, int]]:
    return import_graph()


def test_the_graph_is_read(graph) -> None:
    # the reader's stages and the core are there, with the edges everyone knows of
    assert "jixiao.ingest.pipeline" in graph and "jixiao.store" in graph and "jixiao.commands.ingest" in graph
    assert "jixiao.ingest.lines" in graph["jixiao.ingest.normalise"]
    assert "jixiao.ingest.pipeline" in graph["jixiao.commands.ingest"]  # a function-level import
    assert "jixiao.data" in graph["jixiao.ingest.datafiles"]  # from jixiao import data as _data


def test_no_import_cycle(graph) -> None:
    found = cycles(graph)
    assert not found, "import cycles: " + "; ".join(" ↔ ".join(c) for c in found)


def test_every_reader_module_has_a_stage(graph) -> None:
    reader = {m for m in graph if m == "jixiao.ingest" or m.startswith("jixiao.ingest.")}
    assert reader == set(STAGE_OF), f"give a stage in STAGES to: {sorted(reader - set(STAGE_OF))}"


def test_the_reader_stages_import_one_way(graph) -> None:
    wrong = [
        f"{m} (stage {STAGE_OF[m]}) imports {t} (stage {STAGE_OF[t]}), line {line}"
        for m in sorted(STAGE_OF)
        for t, line in sorted(graph[m].items())
        if t in STAGE_OF and (STAGE_OF[t] > STAGE_OF[m] or (STAGE_OF[m] == 0 and STAGE_OF[t] != 0))
    ]
    assert not wrong, "\n".join(wrong)


def test_the_reader_needs_only_the_base_of_jixiao(graph) -> None:
    wrong = [
        f"{m} imports {t}, line {line}"
        for m in sorted(STAGE_OF)
        for t, line in sorted(graph[m].items())
        if t not in STAGE_OF and t not in READER_NEEDS
    ]
    assert not wrong, "\n".join(wrong)


def test_only_the_command_line_imports_the_command_line(graph) -> None:
    wrong = [
        f"{m} imports {t}, line {line}"
        for m in sorted(graph)
        if not is_cli(m)
        for t, line in sorted(graph[m].items())
        if is_cli(t)
    ]
    assert not wrong, "\n".join(wrong)


# -- the checks themselves can fail ---------------------------------------------------------------
def test_the_checks_find_what_they_should(tmp_path: Path) -> None:
    """A lazy import closing a cycle, an import under TYPE_CHECKING, a relative import and a
    ``from package import module`` are all edges; a cycle among them is found."""
    pkg = tmp_path / "p"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from p import b\n")
    (pkg / "b.py").write_text("def f():\n    from .c import x\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import p.a\n")
    modules = {"p", "p.a", "p.b", "p.c"}
    graph = {m: dict(imports_of(m, pkg / (m.split(".")[-1] + ".py"), modules)) for m in ("p.a", "p.b", "p.c")}
    assert graph == {"p.a": {"p.b": 1}, "p.b": {"p.c": 2}, "p.c": {"p.a": 3}}
    assert cycles(graph) == [["p.a", "p.b", "p.c"]]
    del graph["p.c"]["p.a"]
    assert cycles(graph) == []
