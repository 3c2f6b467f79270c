"""The installed package, not the checkout: the sdist and wheel are built, the wheel's files are
compared with the repository's data folders, and the wheel is installed into a fresh virtual
environment outside the repository where the README's commands are run from an empty folder.

These build and install for real (pip may fetch dependencies from the package index or its cache);
they are what proves that ``pip install jixiao`` works anywhere, so they never skip."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

# repository folder -> where its files land in the wheel (pyproject.toml [tool.setuptools.package-dir])
FOLDERS = {
    "jixiao": "jixiao",
    "ingest": "jixiao/ingest",
    "ontology": "jixiao/data/ontology",
    "shapes": "jixiao/data/shapes",
    "queries": "jixiao/data/queries",
    "samples": "jixiao/data/samples",
}


def _tracked(folder: str) -> set[str]:
    """Files git tracks under a repository folder (what a clean clone has), relative to it."""
    out = subprocess.run(["git", "ls-files", "-z", "--", folder], cwd=ROOT, capture_output=True, check=True)
    return {name[len(folder) + 1 :] for name in out.stdout.decode().split("\0") if name}


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """sdist and wheel, the wheel built from the unpacked sdist (so the sdist is complete too)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(out.glob("jixiao-*.whl"))
    sdist = next(out.glob("jixiao-*.tar.gz"))
    return {"wheel": wheel, "sdist": sdist}


def test_wheel_holds_the_data_folders_exactly(dists):
    names = set(zipfile.ZipFile(dists["wheel"]).namelist())
    shipped = {n for n in names if ".dist-info/" not in n}
    # the folders are the package: every file a clean clone has there ships, and nothing else
    expected = {f"{target}/{rel}" for folder, target in FOLDERS.items() for rel in _tracked(folder)}
    missing = sorted(expected - shipped)
    stray = sorted(shipped - expected)
    assert not missing, f"tracked files that the wheel lacks: {missing}"
    assert not stray, f"files in the wheel that are not the repository's: {stray}"
    # every data folder is really there, not only its __init__
    for target, probe in [
        ("jixiao/data/ontology", "jixiao.ttl"),
        ("jixiao/data/shapes", "arithmetic.ttl"),
        ("jixiao/data/queries", "budget-execution.rq"),
        ("jixiao/data/samples", "haiyuan-sports-bureau-2024.txt"),
        ("jixiao/ingest/lexicon", "organisations.txt"),
        ("jixiao/ingest/data", "units.tsv"),
        ("jixiao/web", "index.html"),
    ]:
        assert f"{target}/{probe}" in shipped
    assert not any(n.startswith(("ingest/", "ontology/", "tests/", "bench/")) for n in names), (
        "nothing but the jixiao package at the top of the wheel"
    )


def test_no_top_level_ingest_package_declared():
    """pyproject.toml installs one import package: every package it lists is jixiao or under it."""
    import tomllib

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = conf["tool"]["setuptools"]["packages"]
    assert all(p == "jixiao" or p.startswith("jixiao.") for p in packages)


@pytest.fixture(scope="module")
def installed(dists, tmp_path_factory) -> dict:
    """A fresh venv outside the repository with only the built wheel (and its serve extra) installed."""
    base = tmp_path_factory.mktemp("wheel-venv")
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", f"{dists['wheel']}[serve]"],
        check=True,
        capture_output=True,
    )
    home = base / "home"
    work = base / "work"
    home.mkdir()
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIXIAO_", "PYTHONPATH", "VIRTUAL_ENV"))}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        PATH=f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    )
    site = Path(
        subprocess.run(
            [str(py), "-c", "import jixiao, pathlib; print(pathlib.Path(jixiao.__file__).parent)"],
            cwd=work,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    return {"py": py, "bin": env_dir / "bin", "env": env, "work": work, "home": home, "site": site}


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def _run(installed: dict, *args: str, ok: int = 0) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(installed["bin"] / "jixiao"), *args],
        cwd=installed["work"],
        env=installed["env"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == ok, f"jixiao {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_the_reader_is_jixiao_ingest_only(installed):
    proc = subprocess.run(
        [str(installed["py"]), "-c", "import ingest"],
        cwd=installed["work"],
        env=installed["env"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0 and "No module named 'ingest'" in proc.stderr
    subprocess.run(
        [str(installed["py"]), "-c", "import jixiao.ingest.pipeline"],
        cwd=installed["work"],
        env=installed["env"],
        check=True,
    )
    assert installed["site"].is_relative_to(installed["py"].parent.parent), "jixiao imported from the venv"


def test_the_readme_commands_work_from_an_empty_folder(installed):
    before = _listing(installed["site"])
    work = installed["work"]

    demo = _run(installed, "demo")
    assert "budget-execution" in demo.stdout and "BudgetFigure" in demo.stdout
    assert (work / "out" / "sample.ttl").is_file()

    listed = _run(installed, "queries").stdout
    library = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    assert library and all(name in listed for name in library), "the whole library is listed"

    sample = installed["site"] / "data" / "samples" / "yunxi-agriculture-2023.txt"
    ingested = _run(installed, "ingest", str(sample))
    store = installed["home"] / "data" / "jixiao" / "store"
    assert store.is_dir() and any(store.iterdir()), "the default store is in the user's data directory"
    assert str(store) in ingested.stdout + ingested.stderr or "triples" in ingested.stdout

    nq = work / "graphs.nq"
    _run(installed, "ingest", str(sample), "--out", str(nq), "--quiet")
    assert nq.is_file() and nq.stat().st_size > 0

    _run(installed, "validate", ok=1)  # the sample carries planted faults: exit 1, not an error
    rows = _run(installed, "query", "budget-execution", "--format", "csv").stdout
    assert rows.startswith("report,") and len(rows.splitlines()) > 3

    _run(installed, "report", str(sample))  # the page inlines the vendored scripts: they shipped
    page = (work / "yunxi-agriculture-2023.html").read_text(encoding="utf-8")
    assert "云溪县农业农村局" in page and 't.version="6.1.0"' in page and "<script src=" not in page

    _serve_answers_one_request(installed, store)

    assert _listing(installed["site"]) == before, "nothing is written inside the install"
    assert {p.name for p in work.iterdir()} == {"out", "graphs.nq", "yunxi-agriculture-2023.html"}


COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _serve_answers_one_request(installed: dict, store: Path) -> None:
    port = int(
        subprocess.run(
            [str(installed["py"]), "-c", "from jixiao.serve import free_port; print(free_port())"],
            env=installed["env"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    proc = subprocess.Popen(
        [str(installed["bin"] / "jixiao"), "serve", "--port", str(port)],
        cwd=installed["work"],
        env=installed["env"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "serve stopped"
            try:
                r = httpx.get(
                    f"http://127.0.0.1:{port}/sparql",
                    params={"query": COUNT_QUADS},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=10,
                )
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "jixiao serve did not answer"
                time.sleep(0.2)
        assert r.status_code == 200
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) > 1000
    finally:
        proc.terminate()
        proc.wait(20)


def test_a_document_without_the_documents_extra_is_a_clear_error(installed):
    """The wheel installed without `documents`: a PDF is refused with the install command, a text
    report still reads."""
    pdf = installed["work"] / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n")
    proc = _run(installed, "ingest", str(pdf), "--out", str(installed["work"] / "doc.nq"), ok=2)
    assert "report.pdf" in proc.stderr and "pip install 'jixiao[documents]'" in proc.stderr


def test_core_modules_do_not_need_the_extras():
    """The lean core (read, store, validate with the default engine, query) imports none of the
    extras at module level: pandas, pyshacl, starlette/uvicorn/httpx (serve), dask/distributed, and the
    document readers' libraries (pypdfium2, lxml, openpyxl, xlrd)."""
    extras = {"pandas", "pyshacl", "pyshacl_turbo", "starlette", "uvicorn", "httpx", "dask", "distributed"}
    extras |= {"pypdfium2", "lxml", "openpyxl", "xlrd"}
    core = [
        "jixiao/store.py",
        "jixiao/queries.py",
        "jixiao/validate.py",
        "jixiao/shacl_sparql.py",
        "jixiao/cli.py",
        *map(str, (ROOT / "ingest").glob("*.py")),
        *map(str, (ROOT / "ingest" / "documents").glob("*.py")),
    ]
    for rel in core:
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        for node in tree.body:
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] not in extras, f"{rel} imports {name} at module level"
