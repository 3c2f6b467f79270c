"""Chinese and Arabic numerals → Decimal (ingest.numerals)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.ingest.numerals import chinese_to_int, number_value, parse_chinese_number, split_multiplier


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
        ("三大", 3),  # 三大职能: a count of 3
        ("七个", 7),
        ("十余个", 10),
        ("1.2万", 12000),
        ("22万多", 220_000),
        ("9410.5", Decimal("9410.5")),
        ("1,234.5", Decimal("1234.5")),
        ("１２", 12),  # full-width digits
        ("百分之八十", 80),
    ],
)
def test_parse_chinese_number(text, expected):
    assert parse_chinese_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["二十届", "第四", "第20", "一号", "", "工会", "二级"])
def test_ordinals_and_words_are_not_numbers(text):
    assert parse_chinese_number(text) is None


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
