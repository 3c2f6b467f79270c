"""Reading SPARQL text without parsing it: where comments, string literals and IRIs are, so that a
scanner looking for braces, keywords or variables does not find them inside those."""

from __future__ import annotations

import re

IRI_REF = re.compile(r"<[^\s<>\"{}|^`\\]*>")


def skip_opaque(text: str, i: int) -> int | None:
    """If a comment, a string literal ('…', "…", '''…''', \"\"\"…\"\"\") or an IRI starts at
    ``text[i]``, the index just after it; otherwise None."""
    c = text[i]
    if c == "#":
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if c in "\"'":
        quote = c * 3 if text.startswith(c * 3, i) else c
        j, n = i + len(quote), len(text)
        while j < n and not text.startswith(quote, j):
            j += 2 if text[j] == "\\" else 1
        return j + len(quote)
    if c == "<":
        m = IRI_REF.match(text, i)
        if m:
            return m.end()
    return None
