"""jixiao iri: the command another team runs to mint our IRIs (decision 0008)."""

from __future__ import annotations

import json

from jixiao import iris
from jixiao.cli import main


def test_iri_org_prints_the_key_of_the_local_name(capsys):
    assert main(["iri", "org", "江门市总工会", "--region", "440700"]) == 0
    # printf '%s' 总工会 | sha256sum | cut -c1-16  →  5dd3616abd03b281
    assert capsys.readouterr().out == "https://w3id.org/jixiao/id/org/440700/5dd3616abd03b281\n"


def test_iri_org_relative_name_needs_region(capsys):
    assert main(["iri", "org", "市财政局", "--region", "440700"]) == 0
    # printf '%s' 财政局 | sha256sum | cut -c1-16  →  c8d6dfafde00f628
    assert capsys.readouterr().out.strip() == "https://w3id.org/jixiao/id/org/440700/c8d6dfafde00f628"
    assert main(["iri", "org", "市财政局"]) == 2
    assert "needs the report's division" in capsys.readouterr().err


def test_iri_org_explain(capsys):
    assert main(["iri", "org", "市人社局", "--region", "440705", "--explain"]) == 0
    iri, info = capsys.readouterr().out.splitlines()
    info = json.loads(info)
    assert iri == str(iris.org_in_region("440700", "人力资源和社会保障局"))
    assert info["canonical_name"] == "江门市人力资源和社会保障局"
    assert (info["region"]["code"], info["kind"], info["how"]) == ("440700", "human_resources", "relative")


def test_iri_region_and_bad_codes(capsys):
    assert main(["iri", "region", "440705"]) == 0
    assert capsys.readouterr().out.strip() == "https://w3id.org/jixiao/id/region/440705"
    assert main(["iri", "region", "440799"]) == 2
    assert main(["iri", "org", "江门市总工会", "--region", "999999"]) == 2
    assert "no division with that code" in capsys.readouterr().err
