"""Precision and recall of `jixiao validate` on the synthetic corpus (bench/generate.py).

    python -m bench.accuracy --corpus DIR --findings FINDINGS.json       # score a validate --format json run
    python -m bench.accuracy --n 30 --seed 5 [--jobs 2] [--json OUT]      # generate, ingest, validate, score

A finding MATCHES a planted fault (the ``faults`` of a report's ``.truth.json``) when it is in the same
report file, one of its source spans overlaps an occurrence of one of the fault's quotes in the decoded
text, and its shape is one that fault kind can raise (``EXPECTED``). A finding that matches no fault
but states something true about the text — an unnamed project row (the row has no name in the
truth), a name inferred for a row whose truth name it is — is a TRUE OBSERVATION, counted apart.
Everything else is a FALSE finding and is listed with its quotes.

Recall is per fault kind: planted items found by at least one matching finding. The indicator kinds
plant one item per indicator (a fault's ``quotes`` are several indicators), the others one per fault.
Precision is per shape: (matched + true observations) / findings.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

# The shapes a planted fault kind can legitimately raise (a sum that is off also makes the stated
# totals conflict; a narrative total that is off conflicts with the table's; a 合计 raised above the
# table's budget total is spending beyond the budget).
EXPECTED: dict[str, set[str]] = {
    "table_total_conflict": {"TableRowsSumToTotal", "ConflictingFigures", "TotalEqualsParts", "SpendingWithinBudget"},
    "execution_rate_mismatch": {"ExecutionRateMatches", "ExecutionRateBasis"},
    "missing_indicator_actual": {"IndicatorHasActual"},
    "actual_over_150": {"TargetSetTooLow"},
    "declared_count_mismatch": {"DeclaredCountMatches"},
}
PER_QUOTE = {"missing_indicator_actual", "actual_over_150"}  # one planted item per quoted indicator
SEVERITIES = ("Violation", "Warning", "Info")


@dataclass
class Item:
    """One planted fault (or one indicator of a fault): where its quotes occur in the text."""

    file: str
    kind: str
    quotes: list[str]
    spans: list[tuple[int, int]]
    found_by: list[str] = field(default_factory=list)


@dataclass
class Scored:
    finding: dict
    status: str  # "match", "true_observation", "false"
    note: str = ""


@dataclass
class Accuracy:
    items: list[Item]
    scored: list[Scored]

    def recall(self) -> dict[str, tuple[int, int]]:
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for it in self.items:
            out[it.kind][0] += bool(it.found_by)
            out[it.kind][1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(out.items())}

    def precision(self) -> dict[tuple[str, str], dict[str, int]]:
        out: dict[tuple[str, str], dict[str, int]] = defaultdict(
            lambda: {"match": 0, "true_observation": 0, "false": 0}
        )
        for s in self.scored:
            out[(s.finding["severity"], shape_of(s.finding))][s.status] += 1
        return dict(sorted(out.items(), key=lambda kv: (SEVERITIES.index(kv[0][0]), kv[0][1])))

    def overall(self, severities: tuple[str, ...] = ("Violation", "Warning")) -> tuple[int, int]:
        """(good, total) over findings of these severities."""
        sel = [s for s in self.scored if s.finding["severity"] in severities]
        return sum(s.status != "false" for s in sel), len(sel)

    def kind_recall(self, kinds: set[str]) -> tuple[int, int]:
        sel = [it for it in self.items if it.kind in kinds]
        return sum(bool(it.found_by) for it in sel), len(sel)

    def false(self) -> list[Scored]:
        return [s for s in self.scored if s.status == "false"]


def shape_of(finding: dict) -> str:
    return finding["shape"].rsplit("#", 1)[-1]


def _occurrences(text: str, quote: str) -> list[tuple[int, int]]:
    out, i = [], text.find(quote)
    while quote and i >= 0:
        out.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    return out


def load_truth(corpus: Path) -> tuple[dict[str, dict], dict[str, str]]:
    """Truth and decoded text per report file name."""
    truths, texts = {}, {}
    for tp in sorted(corpus.glob("*.truth.json")):
        t = json.loads(tp.read_text(encoding="utf-8"))
        truths[t["file"]] = t
        texts[t["file"]] = (corpus / t["file"]).read_bytes().decode(t["encoding"])
    return truths, texts


def planted_items(truths: dict[str, dict], texts: dict[str, str]) -> list[Item]:
    items = []
    for name, t in truths.items():
        for fault in t["faults"]:
            groups = [[q] for q in fault["quotes"]] if fault["kind"] in PER_QUOTE else [fault["quotes"]]
            for quotes in groups:
                spans = [sp for q in quotes for sp in _occurrences(texts[name], q)]
                items.append(Item(name, fault["kind"], quotes, spans))
    return items


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _true_observation(finding: dict, truth: dict) -> str | None:
    """Why a finding that matches no planted fault is still true of the text, else None."""
    shape = shape_of(finding)
    named = sorted({r["name"] for r in truth["project_table"]["rows"] if r["name"]}, key=len, reverse=True)
    quote = finding["sources"][0]["quote"] if finding["sources"] else ""
    if shape == "UnnamedTableRow":
        hit = next((n for n in named if n in quote), None)
        return None if hit else "row has no name in the text"
    if shape == "InferredName":
        inferred = next((v for v in finding["values"] if v in named), None)
        row = next((n for n in named if n in quote), None)
        return "inferred the row's own name" if inferred and inferred == row else None
    return None


def score(truths: dict[str, dict], texts: dict[str, str], findings: list[dict]) -> Accuracy:
    items = planted_items(truths, texts)
    by_file: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        by_file[it.file].append(it)
    scored = []
    for f in findings:
        files = {s["file"] for s in f["sources"]}
        spans = [(s["file"], (s["start"], s["end"])) for s in f["sources"]]
        shape = shape_of(f)
        hits, near = [], []
        for file in sorted(files):
            for it in by_file.get(file, []):
                if any(fl == file and _overlaps(sp, q) for fl, sp in spans for q in it.spans):
                    (hits if shape in EXPECTED[it.kind] else near).append(it)
        for it in hits:
            it.found_by.append(shape)
        if hits:
            scored.append(Scored(f, "match", ", ".join(sorted({it.kind for it in hits}))))
            continue
        file = min(files) if files else ""
        why = _true_observation(f, truths[file]) if file in truths else None
        if why:
            scored.append(Scored(f, "true_observation", why))
        else:
            note = f"overlaps planted {', '.join(sorted({it.kind for it in near}))}" if near else ""
            scored.append(Scored(f, "false", note))
    return Accuracy(items, scored)


# -- running the pipeline in process -----------------------------------------------------------------


def run_corpus(n: int, seed: int, out: Path, jobs: int = 1, engine: str = "turbo") -> list[dict]:
    """Generate n reports of ``seed`` into ``out``, ingest and validate them; the findings as JSON dicts."""
    from bench.generate import generate
    from jixiao.ingest.pipeline import ingest_file
    from jixiao.reporting import to_json
    from jixiao.store import ntriples
    from jixiao.validate import validate_ntriples

    paths = generate(n, seed, out)
    items = []
    for p in paths:
        r = ingest_file(p)
        items.append((r.graph_iri, ntriples(r.triples)))
    iris = [str(i) for i, _ in items]
    if len(set(iris)) != len(iris):
        raise RuntimeError("two reports share a graph IRI: their findings would mix")
    return to_json(validate_ntriples(items, engine=engine, jobs=jobs))["findings"]


# -- output ------------------------------------------------------------------------------------------


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    —"


def render(acc: Accuracy, limit: int | None = None) -> str:
    lines = ["Recall per planted fault kind (found / planted):"]
    for kind, (found, total) in acc.recall().items():
        lines.append(f"  {kind:28} {found:4} / {total:<4} {_pct(found, total)}")
    lines += ["", "Precision per shape (matched + true observations / findings):"]
    for (sev, shape), c in acc.precision().items():
        total = sum(c.values())
        good = c["match"] + c["true_observation"]
        lines.append(
            f"  {sev:9} {shape:28} {good:4} / {total:<4} {_pct(good, total)}"
            f"   (matched {c['match']}, true observations {c['true_observation']}, false {c['false']})"
        )
    for sevs in (("Violation",), ("Warning",), ("Violation", "Warning")):
        good, total = acc.overall(sevs)
        lines.append(f"  {'+'.join(sevs):38} {good:4} / {total:<4} {_pct(good, total)}")
    false = acc.false()
    lines += ["", f"False findings ({len(false)}):"]
    for s in false[:limit]:
        f = s.finding
        quotes = " | ".join(f"{r['file']}:{r['start']}-{r['end']} “{r['quote']}”" for r in f["sources"][:3])
        more = f" (+{len(f['sources']) - 3} spans)" if len(f["sources"]) > 3 else ""
        note = f" [{s.note}]" if s.note else ""
        lines.append(f"  {f['severity']:9} {shape_of(f)}{note}: {quotes}{more}")
        lines.append(f"      {f['message'].get('en', '')[:300]}")
    missed = [it for it in acc.items if not it.found_by]
    lines += ["", f"Missed planted faults ({len(missed)}):"]
    for it in missed:
        lines.append(f"  {it.file} {it.kind}: {' | '.join(it.quotes)}" + ("" if it.spans else "  (quote not in text)"))
    return "\n".join(lines)


def to_dict(acc: Accuracy) -> dict:
    return {
        "recall": {k: {"found": a, "planted": b} for k, (a, b) in acc.recall().items()},
        "precision": [{"severity": sev, "shape": shape, **c} for (sev, shape), c in acc.precision().items()],
        "false": [
            {
                "severity": s.finding["severity"],
                "shape": shape_of(s.finding),
                "note": s.note,
                "message": s.finding["message"].get("en", ""),
                "sources": [{k: r[k] for k in ("file", "start", "end", "quote")} for r in s.finding["sources"]],
            }
            for s in acc.false()
        ],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, help="directory with bench-*.txt and their .truth.json")
    ap.add_argument("--findings", type=Path, help="output of jixiao validate --format json")
    ap.add_argument("--n", type=int, default=30, help="without --findings: reports to generate (default 30)")
    ap.add_argument("--seed", type=int, default=5, help="without --findings: corpus seed (default 5)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--json", type=Path, help="also write the figures and false findings as JSON here")
    ap.add_argument("--limit", type=int, default=None, help="list at most this many false findings")
    args = ap.parse_args(argv)
    if args.findings:
        if not args.corpus:
            ap.error("--findings needs --corpus")
        findings = json.loads(args.findings.read_text(encoding="utf-8"))["findings"]
        truths, texts = load_truth(args.corpus)
    else:
        corpus = args.corpus or Path(tempfile.mkdtemp(prefix="jixiao-acc-"))
        findings = run_corpus(args.n, args.seed, corpus, jobs=args.jobs)
        truths, texts = load_truth(corpus)
    acc = score(truths, texts, findings)
    sys.stdout.write(render(acc, args.limit) + "\n")
    if args.json:
        args.json.write_text(json.dumps(to_dict(acc), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
