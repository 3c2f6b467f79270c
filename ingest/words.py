"""Finding the genre's words in a text: the first one said, or the one that ends last."""

from __future__ import annotations


def first_word(text: str, words: list[str]) -> str | None:
    """The word of ``words`` that occurs earliest in ``text`` (longest on ties), or None."""
    best: tuple[int, int, str] | None = None
    for w in words:
        i = text.find(w)
        if i >= 0 and (best is None or (i, -len(w)) < (best[0], best[1])):
            best = (i, -len(w), w)
    return best[2] if best else None


def last_word(text: str, words: list[str]) -> tuple[str, int] | None:
    """The word of ``words`` whose occurrence ends last in ``text`` (longest on ties), with its end."""
    best: tuple[int, int, str] | None = None
    for w in words:
        i = text.rfind(w)
        if i >= 0:
            key = (i + len(w), len(w), w)
            if best is None or key > best:
                best = key
    return (best[2], best[0]) if best else None
