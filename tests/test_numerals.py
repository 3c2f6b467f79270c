"""Chinese and Arabic numerals → Decimal (ingest.numerals)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from jixiao.ingest.numerals import (
    chinese_to_int,
    number_value,
    ordinal_number,
    split_multiplier,
)


def read(text: str) -> Decimal | None:
    """A number as the figure extractor reads it: the multiplier split off, then the value."""
    head, mult = split_multiplier(text)
    value = number_value(head)
    return None if value is None else value * mult


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三十六", 36),
        ("两万", 20000),
        ("一百二十", 120),
        ("十二", 12),
        ("十", 10),
        ("一百零五", 105),
        ("三千", 3000),
        ("一万二千", 12000),
        ("一亿二千万", 120_000_000),
        ("三十六万", 360_000),
        ("二〇二四", 2024),
        ("1.2万", 12000),
        ("22万", 220_000),
        ("9410.5", Decimal("9410.5")),
        ("1,234.5", Decimal("1234.5")),
        ("１２", 12),  # full-width digits
    ],
)
def test_numbers_as_the_figure_extractor_reads_them(text, expected):
    assert read(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "工会", "第四", "二十届"])
def test_words_are_not_numbers(text):
    assert read(text) is None


def test_precision_is_kept():
    assert str(number_value("13.00")) == "13.00"
    assert str(number_value("20.173")) == "20.173"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2万", ("1.2", 10000)),
        ("两万", ("两", 10000)),
        ("3亿", ("3", 100_000_000)),
        ("三十六", ("三十六", 1)),
        ("一万二千", ("一万二千", 1)),
        ("一亿二千万", ("一亿二千万", 1)),
        ("5千", ("5", 1000)),
    ],
)
def test_split_multiplier(text, expected):
    assert split_multiplier(text) == expected


def test_chinese_to_int_rejects_other_characters():
    assert chinese_to_int("三个") is None
    assert chinese_to_int("") is None


def _former_cn_to_int(numeral: str) -> int | None:
    """The small-numeral reader sentences.cn_to_int was, before ordinal_number replaced it."""
    digits = dict(zip("〇零一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
    if not numeral:
        return None
    if numeral.isdigit():
        return int(numeral)
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        t = digits.get(tens, -1) if tens else 1
        o = digits.get(ones, -1) if ones else 0
        return None if t < 0 or o < 0 or "十" in ones else 10 * t + o
    return digits.get(numeral) if len(numeral) == 1 else None


def test_ordinal_number_reads_every_heading_and_list_number_as_before():
    """Every value the numbering and enumeration patterns of sections.toml can capture (1-3 of
    一…九十, or 1-2 Arabic digits), and the digit characters on their own, read as before."""
    chinese = "一二三四五六七八九十"
    values = ["".join(p) for n in (1, 2, 3) for p in itertools.product(chinese, repeat=n)]
    values += [str(n) for n in range(100)] + ["07", "两", "〇", "零", "", "x", "百", "一百"]
    assert [ordinal_number(v) for v in values] == [_former_cn_to_int(v) for v in values]
    assert [ordinal_number(v) for v in ("一", "十", "十二", "二十", "九十九", "两", "二十零")] == [
        1,
        10,
        12,
        20,
        99,
        2,
        20,
    ]
