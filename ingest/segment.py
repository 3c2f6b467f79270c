"""A private Chinese tokenizer loaded with the genre lexicon (never jieba's global one).

Lexicon files (``ingest/lexicon/<category>.txt``, UTF-8, one entry a line, ``#`` comments)::

    word [freq] [tag][<TAB>canonical]

e.g. ``劳动模范 3000 nz<TAB>劳模``: the word joins the tokenizer's dictionary with that frequency and
POS tag; ``canonical`` (optional) names the entry it is an alias of. Only the categories in
``DICTIONARY_FILES`` are dictionaries; other ``.txt`` files there are plain word lists
(``function_words.txt``, ``light_verbs.txt``). Both kinds are read by `jixiao.ingest.datafiles`.

Engine: rjieba (jieba-rs, much faster: BENCHMARKS.md) when importable, else jieba;
``JIXIAO_SEGMENTER=jieba`` forces jieba. Both get the same words with explicit frequencies, and tests
check that they cut the real report identically. ``pos_columns`` gives the tokens of the cut (HMM on)
and their dictionary tags (as jieba-rs ``tag`` does), so tags and tokens always agree; unknown
tokens are tagged ``m`` (digits), ``eng`` (other ASCII letters/digits) or ``x``.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from itertools import accumulate
from pathlib import Path

import jieba

from jixiao import data as _data
from jixiao import paths
from jixiao.errors import InputError
from jixiao.ingest.datafiles import read_lexicon

DICTIONARY_FILES = ("organisations", "beneficiary_groups", "budget_terms", "indicator_terms", "units", "programmes")


class Segmenter:
    """Cuts text into (token, start, end) with the lexicon loaded; offsets index the input string."""

    def __init__(self, lexicon_dir: Path | None = None, cache_dir: Path | None = None, engine: str | None = None):
        self.lexicon_dir = Path(lexicon_dir or _data.lexicon_dir())
        self.cache_dir = Path(cache_dir or paths.cache_dir())
        self.entries: list[tuple[str, int, str, str | None]] = []
        self.category: dict[str, str] = {}
        self.canonical: dict[str, str] = {}
        self.lexicon_tag: dict[str, str] = {}
        for name in DICTIONARY_FILES:
            path = self.lexicon_dir / f"{name}.txt"
            if not path.exists():
                continue
            for word, freq, tag, canonical in read_lexicon(path):
                self.entries.append((word, freq, tag, canonical))
                self.category[word] = name
                self.canonical[word] = canonical or word
                self.lexicon_tag[word] = tag
        engine = engine or os.environ.get("JIXIAO_SEGMENTER", "auto")
        if engine == "auto":
            try:
                import rjieba  # noqa: F401

                engine = "rjieba"
            except ImportError:  # pragma: no cover - rjieba is a dependency
                engine = "jieba"
        if engine not in ("rjieba", "jieba"):
            raise InputError(f"unknown segmenter engine {engine!r} (rjieba or jieba)")
        self.engine = engine
        self._rjieba = self._load_rjieba() if engine == "rjieba" else None
        self._jieba = self._load_jieba() if engine == "jieba" else None
        self._tags: dict[str, str] | None = None
        self._known: dict[str, str] = {}  # rjieba: word → tag, filled as words are seen

    def _load_rjieba(self):
        import rjieba

        tokenizer = rjieba.Jieba()
        for word, freq, tag, _ in self.entries:
            tokenizer.add_word(word, freq, tag)
        return tokenizer

    def _load_jieba(self) -> jieba.Tokenizer:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir = str(self.cache_dir)
        tokenizer.cache_file = "jieba.cache"
        level = jieba.default_logger.level
        jieba.default_logger.setLevel(logging.WARNING)
        try:
            tokenizer.initialize()
        finally:
            jieba.default_logger.setLevel(level)
        for word, freq, tag, _ in self.entries:
            tokenizer.add_word(word, freq, tag)
        return tokenizer

    def pos_columns(self, text: str) -> tuple[list[str], list[str], list[int], list[int]]:
        """The tokens of ``text`` (HMM on, as ``jieba.lcut`` cuts) with their dictionary POS tags, as
        four lists: tokens, tags, start and end offsets into ``text`` (no tuple a token)."""
        if self._rjieba is not None:
            words = self._rjieba.cut(text)
            try:
                tags = list(map(self._known.__getitem__, words))
            except KeyError:
                tags = self._learn(text, words)
        else:
            words = self._jieba.lcut(text)
            tags = [self.tag_of(w) for w in words]
        ends = list(accumulate(map(len, words)))
        return words, tags, [0, *ends[:-1]] if ends else [], ends

    def _learn(self, text: str, words: list[str]) -> list[str]:
        """rjieba: the tags of ``words`` (the cut of ``text``) when some are new. A new token's tag is
        its lexicon tag, else rjieba's dictionary tag, else one by its characters; rjieba's ``tag``
        cuts as ``rjieba.cut`` does and looks each token up in its dictionary (whatever surrounds it), so it
        is asked only when a new token is in that dictionary."""
        known = self._known
        in_dictionary = False
        for w in [w for w in dict.fromkeys(words) if w not in known]:
            tag = self.lexicon_tag.get(w)
            if tag or not self._rjieba.has_word(w):
                known[w] = tag or _unknown_tag(w)
            else:
                in_dictionary = True
        if in_dictionary:
            for w, t in self._rjieba.tag(text):
                if w not in known:
                    known[w] = t
        # a token ``tag`` did not return (were its cut ever to differ from ``rjieba.cut``): tagged on its own
        return [known[w] if w in known else known.setdefault(w, self.tag_of(w)) for w in words]

    def tag_of(self, word: str) -> str:
        """The tag of one word: lexicon, else jieba's dictionary, else by its characters."""
        tag = self.lexicon_tag.get(word)
        if tag:
            return tag
        if self._tags is None:
            self._tags = _jieba_dictionary_tags()
        return self._tags.get(word) or _unknown_tag(word)


def _unknown_tag(word: str) -> str:
    """m for numbers, eng for other ASCII words, x for the rest (punctuation, new words)."""
    ascii_alnum = [c for c in word if c.isascii() and c.isalnum()]
    if not ascii_alnum:
        return "x"
    return "m" if all(c.isdigit() for c in ascii_alnum) else "eng"


@cache
def _jieba_dictionary_tags() -> dict[str, str]:
    tags = {}
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as f:
        for line in f:
            word, _, tag = line.split()
            tags[word] = tag
    return tags


@cache
def get_segmenter() -> Segmenter:
    """The process-wide segmenter with the project's lexicon."""
    return Segmenter()
