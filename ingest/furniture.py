"""Page furniture: the lines of a saved web page that are not the report (breadcrumbs, page
chrome, a mirror site's spam title, HTML markup left in the text). Such a line is never a title or
a name (`jixiao.ingest.identity`) and gives no figure in the text before the first heading
(`jixiao.ingest.extract`). The words are in ingest/data/furniture.toml.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jixiao.ingest.datafiles import toml


@cache
def _conf() -> dict[str, Any]:
    conf = toml("furniture.toml")
    words = sorted(conf["breadcrumbs"] + conf["chrome"], key=len, reverse=True)
    return {
        **conf,
        "markup_re": re.compile(conf["markup"]),
        "words_re": re.compile("|".join(map(re.escape, words))),
        "spam_re": re.compile("|".join(map(re.escape, conf["spam"]))),
    }


def is_furniture(text: str) -> bool:
    """Whether a line is a breadcrumb, page chrome, spam or markup; a block of several lines is
    furniture when every line of it is."""
    lines = [line for line in text.split("\n") if line.strip()]
    return bool(lines) and all(_line_is_furniture(line) for line in lines)


def _line_is_furniture(line: str) -> bool:
    conf = _conf()
    if conf["words_re"].search(line):
        return True
    spam = {m.group(0) for m in conf["spam_re"].finditer(line)}
    return len(spam) >= conf["spam_min"] or bool(conf["markup_re"].match(line))
