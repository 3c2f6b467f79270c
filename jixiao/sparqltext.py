"""Reading SPARQL text without parsing it: where comments, string literals and IRIs are, so that a
scanner looking for braces, keywords or variables does not find them inside those; and the check a
query passes before any parser sees it (``check_query_text``: size, nesting, what kind of request).

Why a check before parsing: Oxigraph's SPARQL parser recurses once per nesting level and the
process dies of a stack overflow (SIGSEGV) at a few thousand nested ``{`` or ``(`` (measured with
pyoxigraph 0.5.13: 1,000 nested braces parse in 35 ms, 3,000 kill the process; the Oxigraph server
dies the same way, every client with it), and nested blank-node brackets ``[ … [ … ] ]`` cost a time
that grows with about the fourth power of the depth (60 levels: 0.75 s). No sensible query nests
more than a few dozen levels, so a limit far below the crash is no loss."""

from __future__ import annotations

import re
from dataclasses import dataclass

IRI_REF = re.compile(r"<(?:[^\x00-\x20<>\"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>")

MAX_QUERY_CHARS = 1_000_000
MAX_NESTING = 64  # braces, parentheses and brackets together; the library's deepest query: 8

QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
UPDATE_VERBS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})


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


class QueryTextError(ValueError):
    """A query refused before parsing. ``problem`` says why, ``where`` is ``line L, column C`` of
    the place (or None); ``str()`` joins them."""

    def __init__(self, problem: str, where: str | None = None):
        self.problem, self.where = problem, where
        super().__init__(f"{problem} (at {where})" if where else problem)


@dataclass(frozen=True)
class QueryText:
    """What ``check_query_text`` found: ``keyword`` is the first keyword after the prologue
    (``SELECT`` … or an update verb such as ``INSERT``; "" when there is none), ``operation`` is
    "query", "update" or "" accordingly; ``has_dataset``: a ``FROM`` / ``FROM NAMED`` clause;
    ``uses_service``: a ``SERVICE`` keyword outside strings, IRIs and comments (counted
    conservatively: a name that could be read as one counts); ``depth``: the deepest nesting."""

    keyword: str
    operation: str
    has_dataset: bool
    uses_service: bool
    depth: int


# One token at a time, left to right, the way a SPARQL lexer cuts the text: comments, strings
# (long ones may span lines; short ones may not), IRIs (with \u escapes, as Oxigraph reads them),
# brackets, variables and language tags; names first (prefixed names with their escapes, bare words:
# the commonest token). Possessive loops keep every attempt linear; anything else (operators,
# punctuation) is skipped. About 1-2 µs a token: a 1 MB text of one-letter words takes ~1 s.
_NAME_CHARS = r"[\w\-\u00b7\u0300-\u036f\u203f\u2040]"
_LOCAL = rf"(?:{_NAME_CHARS}|[.:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])*+"
_TOKEN = re.compile(
    rf"""
    (?P<name>(?:{_NAME_CHARS}|\.)*+:{_LOCAL}|(?:{_NAME_CHARS}|\.)++)
    | (?P<comment>\#[^\r\n]*+)
    | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*+\"\"\" | '''(?:[^'\\]|\\.|'(?!''))*+''')
    | (?P<badlong>\"\"\"|''')
    | (?P<short>"(?:[^"\\\r\n]|\\[^\r\n])*+" | '(?:[^'\\\r\n]|\\[^\r\n])*+')
    | (?P<bad>["'])
    | (?P<iri>{IRI_REF.pattern})
    | (?P<open>[{{(\[])
    | (?P<close>[}})\]])
    | (?P<var>[?$]{_NAME_CHARS}*+)
    | (?P<lang>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(text: str):
    """``(kind, match)`` of each token of a SPARQL text, as ``check_query_text`` cuts it (kinds: name,
    comment, long, short, iri, open, close, var, lang; bad/badlong for an unterminated string)."""
    for m in _TOKEN.finditer(text):
        yield m.lastgroup, m


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    return f"line {line}, column {pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


def check_query_text(text: str, *, max_chars: int = MAX_QUERY_CHARS, max_depth: int = MAX_NESTING) -> QueryText:
    """Check a SPARQL query (or update) before any parser sees it, in time linear in its length:
    at most ``max_chars`` characters, at most ``max_depth`` levels of ``{ ( [`` nesting, no
    unterminated string literal. Raises QueryTextError naming the problem and where it is;
    otherwise says what kind of request the text is (``QueryText``). It does not say the text is
    valid SPARQL: the parser decides that once the text has passed."""
    if len(text) > max_chars:
        raise QueryTextError(f"the query has {len(text):,} characters; the limit is {max_chars:,}")
    depth = deepest = 0
    keyword = ""
    has_dataset = uses_service = False
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
            if depth > max_depth:
                raise QueryTextError(
                    f"the query nests deeper than {max_depth} levels of {{ ( [", _where(text, m.start())
                )
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind in ("bad", "badlong"):
            raise QueryTextError("unterminated string literal", _where(text, m.start()))
        elif kind == "name":
            token = m.group()
            if ":" in token:  # a prefixed name; only what follows a dot could be a separate word
                parts, whole = token.split(":", 1)[1].split(".")[1:], False
            else:
                parts, whole = token.split("."), True
            for part in parts:
                word = part.upper()
                if "SERVICE" in word:
                    uses_service = True
                if whole:
                    if word == "FROM":
                        has_dataset = True
                    if not keyword and word and word not in ("BASE", "PREFIX"):
                        keyword = word
    operation = "query" if keyword in QUERY_FORMS else "update" if keyword in UPDATE_VERBS else ""
    return QueryText(keyword if operation else "", operation, has_dataset, uses_service, deepest)
