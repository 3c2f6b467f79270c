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
    return {**conf, "markup_re": re.compile(conf["markup"])}


def is_furniture(text: str) -> bool:
    """Whether a line is a breadcrumb, page chrome, spam or markup; a block of several lines is
    furniture when every line of it is."""
    lines = [line for line in text.split("\n") if line.strip()]
    return bool(lines) and all(_line_is_furniture(line) for line in lines)


def _line_is_furniture(line: str) -> bool:
    conf = _conf()
    if any(w in line for w in conf["breadcrumbs"]) or any(w in line for w in conf["chrome"]):
        return True
    return sum(w in line for w in conf["spam"]) >= conf["spam_min"] or bool(conf["markup_re"].match(line))
