"""Build tests/queries/data/linking.nq: the five fictional reports of tests/data/linking/ as read by
the reader (one graph each) plus the links graph ``jixiao.link`` makes from them.

The reports (all invented, in real divisions so that they get real codes): 韶关市总工会 2023 and its
2024 report titled 韶关总工会 (the same department in two years, under two spellings), 韶关市妇女联合会
2024 (a second department of the city, with an ambiguous partner 朝阳区妇联), and 佛冈县总工会 2023 and
2024 (a county of another city, 清远市, whose 市财政局 is 清远's, not 韶关's).

Run ``python tests/queries/build_linking_fixture.py`` after changing a text or the linking rules;
tests/test_link.py checks the committed file is current.
"""

from __future__ import annotations

from pathlib import Path

from jixiao import link
from jixiao.ingest.pipeline import ingest_file
from jixiao.store import GraphStore

HERE = Path(__file__).resolve().parent
TEXTS = HERE.parent / "data" / "linking"
OUT = HERE / "data" / "linking.nq"


def build_store() -> GraphStore:
    store = GraphStore(None)
    for path in sorted(TEXTS.glob("*.txt")):
        result = ingest_file(path)
        store.replace_graph(result.graph_iri, result.triples)
    link.write_links(store, link.build(store))
    return store


def nquads(store: GraphStore) -> bytes:
    lines = sorted(str(q) + " .\n" for q in store.store.quads_for_pattern(None, None, None, None))
    return "".join(lines).encode("utf-8")


def main() -> None:
    OUT.write_bytes(nquads(build_store()))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
