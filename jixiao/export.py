"""Tables for pandas and DuckDB users: ``jixiao export`` writes the main tables of the store as CSV and
Parquet files, one per table, with the columns of the library query behind each.

| table | library query | one row per |
| --- | --- | --- |
| ``reports`` | ``report-summary`` | report: department, fiscal year, counts, spending, self score |
| ``budget_lines`` | ``budget-execution`` | budget line: appropriation, additions, cuts, adjusted, spending, rates |
| ``indicators`` | ``indicators`` | indicator: category, comparator, target, actual, unit, attainment |
| ``findings`` | ``rectification-issues`` | prior-audit finding: pattern, problem, measure, effect |

Reports join the other tables on the ``report`` column (the report's title). Numbers keep their
exact decimal values (CSV: as written; Parquet: decimal128 columns), years are integers, IRIs full.
Parquet needs the ``export`` extra (pyarrow).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from rdflib import XSD, Literal

from jixiao import queries as Q
from jixiao.errors import UsageError

TABLES = {
    "reports": "report-summary",
    "budget_lines": "budget-execution",
    "indicators": "indicators",
    "findings": "rectification-issues",
}
FORMATS = ("csv", "parquet")


def table(name: str, dataset) -> tuple[list[str], list[list]]:
    """Columns and rows (Python values: str, int, Decimal, bool, None) of one table."""
    result = Q.execute(Q.load(TABLES[name]), {}, dataset=dataset)
    return result.vars, [[_value(t) for t in row] for row in result.rows]


def _value(term):
    """A cell: integers int, decimals exact Decimal, doubles float, booleans bool, gYear the year as
    int, everything else (IRIs, strings) str."""
    if term is None:
        return None
    if not isinstance(term, Literal):
        return str(term)
    dt, text = term.datatype, str(term)
    if dt in (XSD.integer, XSD.int, XSD.long, XSD.nonNegativeInteger):
        return int(text)
    if dt == XSD.decimal:
        return Decimal(text)
    if dt in (XSD.double, XSD.float):
        return float(text)
    if dt == XSD.boolean:
        return text in ("true", "1")
    if dt == XSD.gYear:
        return int(text[:4])
    return text


def write(dataset, out: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write every table in each format into the folder ``out``; returns the files written."""
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise UsageError(f"unknown export format {bad[0]!r} ({', '.join(FORMATS)})")
    if "parquet" in formats:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UsageError("Parquet needs pyarrow: pip install 'jixiao[export]'") from None
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        cols, rows = table(name, dataset)
        if "csv" in formats:
            path = out / f"{name}.csv"
            with path.open("w", encoding="utf-8", newline="") as f:
                w = csv.writer(f)
                w.writerow(cols)
                w.writerows([["" if v is None else _csv(v) for v in row] for row in rows])
            written.append(path)
        if "parquet" in formats:
            path = out / f"{name}.parquet"
            _parquet(cols, rows, path)
            written.append(path)
    return written


def _csv(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral() else format(v, "f")
    return str(v)


def _parquet(cols: list[str], rows: list[list], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = []
    for i, _ in enumerate(cols):
        values = [row[i] for row in rows]
        kinds = {type(v) for v in values if v is not None}
        if kinds == {int}:
            arrays.append(pa.array(values, type=pa.int64()))
        elif Decimal in kinds and kinds <= {Decimal, int}:
            values = [None if v is None else Decimal(v) for v in values]
            scale = max((-v.as_tuple().exponent for v in values if v is not None), default=0)
            scale = max(0, min(scale, 18))
            typ = pa.decimal128(38, scale)
            values = [None if v is None else v.quantize(Decimal(1).scaleb(-scale)) for v in values]
            arrays.append(pa.array(values, type=typ))
        elif kinds == {bool}:
            arrays.append(pa.array(values, type=pa.bool_()))
        elif kinds == {float}:
            arrays.append(pa.array(values, type=pa.float64()))
        else:
            arrays.append(pa.array([None if v is None else str(v) for v in values], type=pa.string()))
    pq.write_table(pa.table(dict(zip(cols, arrays, strict=True))), path)
