"""Diagnostics: what the reader could not understand in a report, or had to be told, kept in the
report's graph (jx:Diagnostic) and summarised by ``jixiao ingest``.

Any reader raises one with ``diagnose(out, code, span, **args)``: ``code`` names a table of
ingest/data/diagnostics.toml (severity and the Chinese and English message, whose ``{name}``
fields ``args`` fill), ``span`` is where in the original text (None: the whole report). Severities
are the notations of jxv:SeverityScheme; an "error" fails the file under ``jixiao ingest --strict``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jixiao.ingest import records as r
from jixiao.ingest.datafiles import toml

SEVERITIES = ("error", "warning", "info")  # most severe first


@cache
def messages() -> dict[str, dict[str, Any]]:
    """The codes of ingest/data/diagnostics.toml (the field-label table excepted)."""
    conf = toml("diagnostics.toml")
    return {k: v for k, v in conf.items() if k != "field_labels"}


def field_label(name: str) -> str:
    """The Chinese name of an identity field (for messages)."""
    return toml("diagnostics.toml")["field_labels"].get(name, name)


def diagnose(out: r.Extraction, code: str, span: r.Span | None = None, **args: object) -> r.Diagnostic:
    """Record the diagnostic ``code`` at ``span`` with the message's fields ``args`` in ``out``
    (a `KeyError` for an unknown code or a missing field: a programming error)."""
    entry = messages()[code]
    if entry["severity"] not in SEVERITIES:
        raise ValueError(f"diagnostics.toml [{code}]: unknown severity {entry['severity']!r}")
    d = r.Diagnostic(
        code=code,
        severity=entry["severity"],
        message_zh=entry["zh"].format(**args),
        message_en=entry["en"].format(**args),
        span=span,
    )
    out.diagnostics.append(d)
    return d


def worst(diagnostics: list[r.Diagnostic]) -> str | None:
    """The most severe severity among ``diagnostics`` (None when there are none)."""
    present = {d.severity for d in diagnostics}
    return next((s for s in SEVERITIES if s in present), None)
