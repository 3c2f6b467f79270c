"""docs/remote-stores.md is a tested how-to: its virtuoso.ini and the commands of "Virtuoso, step by
step" run here exactly as written (only the ports changed to free ones), with a fresh Virtuoso, the
real report and the samples, in a temporary directory."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.serve import free_port
from tests.conftest import REAL_REPORT, ROOT, SAMPLE, SAMPLE_GB

pytestmark = [pytest.mark.server, pytest.mark.slow]
DOC = ROOT / "docs" / "remote-stores.md"


def how_to() -> tuple[str, list[str]]:
    """The ini file and the shell blocks of the step-by-step section, as written in the doc."""
    text = DOC.read_text(encoding="utf-8")
    ini = re.search(r"<!-- how-to:ini -->\s*```ini\n(.*?)```", text, re.S)
    steps = re.search(r"<!-- how-to:start -->(.*?)<!-- how-to:end -->", text, re.S)
    assert ini and steps, "docs/remote-stores.md lost its how-to markers"
    return ini.group(1), re.findall(r"```sh\n(.*?)```", steps.group(1), re.S)


def test_the_doc_has_the_steps():
    ini, blocks = how_to()
    script = "\n".join(blocks)
    for needed in ("virtuoso-t -c virtuoso.ini", "jixiao ingest", "--isql", "jixiao query", "--upstream", "-K"):
        assert needed in script, needed
    assert "DirsAllowed" in ini and "ResultSetMaxRows =" not in ini


def _stop_virtuoso(directory: Path) -> None:
    """If the how-to failed before its last step, stop the Virtuoso it started (by the pid in its lock file)."""
    lock = directory / "virtuoso.lck"
    if lock.exists():
        m = re.search(r"VIRT_PID=(\d+)", lock.read_text(errors="replace"))
        if m:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(m.group(1)), signal.SIGTERM)


def test_virtuoso_how_to_runs_as_written(tmp_path):
    if not (shutil.which("virtuoso-t") and shutil.which("isql-vt") and shutil.which("curl")):
        if os.environ.get("CI") == "true":
            pytest.fail("virtuoso-t / isql-vt / curl missing (apt-get install virtuoso-opensource curl)")
        pytest.skip("virtuoso-t / isql-vt / curl missing")
    ini, blocks = how_to()
    sql, http, guard = free_port(), free_port(), free_port()

    def ports(text: str) -> str:
        return (
            text.replace("127.0.0.1:1111", f"127.0.0.1:{sql}")
            .replace("127.0.0.1:8890", f"127.0.0.1:{http}")
            .replace("127.0.0.1:7878", f"127.0.0.1:{guard}")
            .replace("--port 7878", f"--port {guard}")
        )

    (tmp_path / "virtuoso.ini").write_text(ports(ini), encoding="utf-8")
    (tmp_path / "reports").mkdir()
    for f in (REAL_REPORT, SAMPLE, SAMPLE_GB):
        shutil.copy(f, tmp_path / "reports" / f.name)
    script = "set -euo pipefail\n" + "\n".join(ports(b) for b in blocks)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("JIXIAO_PUSH_PASSWORD", None)
    try:
        proc = subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1200
        )
    finally:
        _stop_virtuoso(tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # step 5 and step 6 both list the three reports (from Virtuoso, then through the guard), each
    # with the checksum of its source file
    for f in (REAL_REPORT, SAMPLE, SAMPLE_GB):
        assert proc.stdout.count(hashlib.sha256(f.read_bytes()).hexdigest()) == 2, (f.name, proc.stdout[-2000:])
    csv = (tmp_path / "budget-execution.csv").read_text(encoding="utf-8").splitlines()
    assert csv[0].startswith("report,line_name") and len(csv) > 20
    assert "bulk-loaded 4 graph(s)" in proc.stderr  # three reports and the ontology
    assert "pushed" in proc.stderr  # the HTTP replacement of one report
    assert list((tmp_path / "load").iterdir()) == []
