"""jixiao.ingest.source: strict decoding and refusal of inputs that are not reports."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from jixiao.errors import InputError
from jixiao.ingest.datafiles import toml
from jixiao.ingest.source import read_source

REPORT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "jiangmen-trade-union-2024.txt"

# A made-up report (fictional county bureau), long enough to pass the genre check.
SAMPLE = (
    "澜江县农业农村局2023年度部门整体支出绩效自评报告\n\n"
    "一、部门基本情况\n\n"
    "（一）部门概况\n\n"
    "本局主要负责全县农业农村工作，年度预算支出 860.5 万元，绩效目标总体完成。\n"
)


def _write(tmp_path: Path, data: bytes, name: str = "report.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_real_report_reads_as_utf8() -> None:
    src = read_source(REPORT)
    raw = REPORT.read_bytes()
    assert src.encoding == "utf-8"
    assert src.text == raw.decode("utf-8")
    assert src.sha256 == hashlib.sha256(raw).hexdigest()
    assert src.path == REPORT


def test_utf8_sample(tmp_path: Path) -> None:
    src = read_source(_write(tmp_path, SAMPLE.encode("utf-8")))
    assert (src.encoding, src.text) == ("utf-8", SAMPLE)


def test_gb18030_reads_to_the_same_text_and_offsets(tmp_path: Path) -> None:
    utf8 = read_source(_write(tmp_path, SAMPLE.encode("utf-8"), "u.txt"))
    gb = read_source(_write(tmp_path, SAMPLE.encode("gb18030"), "g.txt"))
    assert gb.encoding == "gb18030"
    assert gb.text == utf8.text
    assert gb.text.index("860.5") == utf8.text.index("860.5")
    assert gb.sha256 != utf8.sha256  # digest of the bytes, which differ


def test_bom_is_stripped_and_offsets_count_after_it(tmp_path: Path) -> None:
    src = read_source(_write(tmp_path, b"\xef\xbb\xbf" + SAMPLE.encode("utf-8")))
    assert src.encoding == "utf-8-sig"
    assert src.text == SAMPLE
    assert src.text[0] == "澜"
    assert src.sha256 == hashlib.sha256(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8")).hexdigest()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_source(tmp_path / "nope.txt")


@pytest.mark.parametrize("data", [b"", b"   \n\n\t ", "\u3000\u3000\n".encode()])
def test_empty_or_whitespace_only(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InputError, match="empty"):
        read_source(_write(tmp_path, data))


def test_binary_with_nul_reports_the_byte(tmp_path: Path) -> None:
    data = SAMPLE.encode("utf-8")[:30] + b"\x00\x01\x02" + b"x" * 50
    with pytest.raises(InputError, match="binary") as err:
        read_source(_write(tmp_path, data))
    assert err.value.where == "byte 30"


def test_binary_with_many_control_bytes(tmp_path: Path) -> None:
    data = b"ab" + bytes([1, 2, 3, 4, 5, 6, 7, 8] * 10) + SAMPLE.encode("utf-8")
    with pytest.raises(InputError, match="control bytes") as err:
        read_source(_write(tmp_path, data))
    assert err.value.where == "byte 2"


def test_utf16_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="UTF-16"):
        read_source(_write(tmp_path, SAMPLE.encode("utf-16")))


def test_undecodable_reports_first_bad_utf8_byte(tmp_path: Path) -> None:
    good = SAMPLE.encode("utf-8")
    data = good[:40] + b"\xff\xfe\xff" + good[40:]
    assert good[:40].decode("utf-8")  # the cut is on a character boundary
    with pytest.raises(InputError, match="decode") as err:
        read_source(_write(tmp_path, data))
    assert err.value.where == "byte 40"
    assert err.value.file == str(tmp_path / "report.txt")


def test_corrupt_utf8_that_gb18030_turns_into_nonsense(tmp_path: Path) -> None:
    # Two-character words between spaces are 6 UTF-8 bytes each, so GB18030 decodes the whole file
    # (into mojibake without any marker word) when two stray bytes are added; the error must
    # still point at the first bad UTF-8 byte.
    good = " ".join(["绩效", "预算", "指标", "支出", "自评"] * 10).encode("utf-8")
    data = good[:7] + b"\x81\x81" + good[7:]
    assert "绩效" not in data.decode("gb18030")  # GB18030 really succeeds, with nonsense
    with pytest.raises(InputError, match="not valid UTF-8") as err:
        read_source(_write(tmp_path, data))
    assert err.value.where == "byte 7"


def test_bom_but_invalid_utf8(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="BOM") as err:
        read_source(_write(tmp_path, b"\xef\xbb\xbf" + SAMPLE.encode("utf-8")[:9] + b"\xff"))
    assert err.value.where == "byte 12"  # 3 BOM bytes + 3 whole characters


def test_english_text_is_not_a_report(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="too little Chinese"):
        read_source(_write(tmp_path, b"Quarterly budget report. " * 20))


def test_chinese_text_without_genre_words_is_not_a_report(tmp_path: Path) -> None:
    poem = "床前明月光，疑是地上霜。举头望明月，低头思故乡。春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。\n"
    with pytest.raises(InputError, match="marker words"):
        read_source(_write(tmp_path, poem.encode("utf-8")))


def test_marker_words_are_data() -> None:
    markers = toml("sections.toml")["genre"]["markers"]
    assert {"绩效", "预算", "自评", "支出", "指标"} <= set(markers)
