"""Numbers written in Chinese numerals or Arabic digits → Decimal.

A number as the figure extractor reads it is ``split_multiplier`` then ``number_value``: Arabic
("2048", "1234.5", "1,234", full-width digits) or Chinese ("三十六", "两万", "一百二十", "二〇二四")
digits, a trailing 万/亿/千… multiplying ("1.2万" → ("1.2", 10000)). ``ordinal_number`` reads the
number of a heading or list item ("12", "十二") with the same parser, ``chinese_to_int``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
MULTIPLIERS = {"千": 1000, "万": 10_000, "十万": 100_000, "百万": 1_000_000, "千万": 10_000_000, "亿": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)
# A Chinese numeral needs at least one digit or 十 ("百"/"千"/"万" alone are words: 千方百计, 万众).
CHINESE_NUMERAL_RE = re.compile(f"[{CHINESE_NUMERAL_CHARS}]*[{''.join(DIGITS)}十][{CHINESE_NUMERAL_CHARS}]*")
ARABIC_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?")
FULLWIDTH = str.maketrans("０１２３４５６７８９％．，＋－～＞＜＝／", "0123456789%.,+-~><=/")
_FULLWIDTH_PAIRS = tuple((chr(wide), chr(narrow)) for wide, narrow in FULLWIDTH.items())


def fold_fullwidth(text: str) -> str:
    """``text.translate(FULLWIDTH)``, faster on report text, which holds few of these characters
    (each maps to its own ASCII character, so replacing one at a time is the same)."""
    for wide, narrow in _FULLWIDTH_PAIRS:
        if wide in text:
            text = text.replace(wide, narrow)
    return text


_MULTIPLIERS_LONGEST_FIRST = sorted(MULTIPLIERS, key=len, reverse=True)
_MULTIPLIER_SUFFIXES = tuple(MULTIPLIERS)


def chinese_to_int(s: str) -> int | None:
    """A pure Chinese numeral → int ("一百零五" → 105, "二〇二四" → 2024); None if not one."""
    if not s or any(c not in CHINESE_NUMERAL_CHARS for c in s):
        return None
    if all(c in DIGITS for c in s):  # positional: 二〇二四
        return int("".join(str(DIGITS[c]) for c in s))
    total = section = num = 0
    for c in s:
        if c in DIGITS:
            num = DIGITS[c]
        elif c in SMALL_UNITS:
            section += (num or 1) * SMALL_UNITS[c]
            num = 0
        else:
            section += num
            if c == "亿":
                total = (total + section) * BIG_UNITS[c]
            else:
                total += section * BIG_UNITS[c]
            section = num = 0
    return total + section + num


# a Chinese numeral below 100 as a list or heading number: 一, 十, 十二, 二十, 九十九 (not 一二)
_SMALL_NUMERAL = re.compile(
    f"[{''.join(d for d, v in DIGITS.items() if v)}]?十[{''.join(DIGITS)}]?|[{''.join(DIGITS)}]"
)


def ordinal_number(numeral: str) -> int | None:
    """The value of a heading or list-item number as printed: Arabic digits ("12"), or a Chinese
    numeral below 100 ("一", "十二", "二十", "九十九", "两") read by ``chinese_to_int``; None for
    anything else (a positional "一二" is no item number)."""
    if numeral.isdecimal():
        return int(numeral)
    return chinese_to_int(numeral) if _SMALL_NUMERAL.fullmatch(numeral) else None


def split_multiplier(s: str) -> tuple[str, int]:
    """ "1.2万" → ("1.2", 10000); "两万" → ("两", 10000); "三十六" → ("三十六", 1)."""
    if not s.endswith(_MULTIPLIER_SUFFIXES):
        return s, 1
    for suffix in _MULTIPLIERS_LONGEST_FIRST:
        head = s[: -len(suffix)]
        if not (s.endswith(suffix) and head):
            continue
        if ARABIC_RE.fullmatch(head.translate(FULLWIDTH)) or (
            suffix in BIG_UNITS and _pure_chinese(head) and not any(c in BIG_UNITS for c in head)
        ):
            return head, MULTIPLIERS[suffix]
    return s, 1


def _pure_chinese(s: str) -> bool:
    return CHINESE_NUMERAL_RE.fullmatch(s) is not None and chinese_to_int(s) is not None


def number_value(s: str) -> Decimal | None:
    """Arabic ("1,234.5", full-width allowed) or Chinese numeral → Decimal, exactly as written."""
    s = s.translate(FULLWIDTH).strip()
    if ARABIC_RE.fullmatch(s):
        try:
            return Decimal(s.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
            return None
    n = chinese_to_int(s)
    return Decimal(n) if n is not None else None
