"""The private segmenter with the genre lexicon (ingest.segment)."""

from __future__ import annotations

from pathlib import Path

import jieba
import pytest

from jixiao import data as _data
from jixiao.errors import InputError
from jixiao.ingest.datafiles import read_lexicon
from jixiao.ingest.segment import DICTIONARY_FILES, Segmenter, get_segmenter

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
REPORT = CORPUS / "jiangmen-trade-union-2024.txt"


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return get_segmenter()


@pytest.fixture(scope="module")
def seg_jieba(tmp_path_factory) -> Segmenter:
    return Segmenter(cache_dir=tmp_path_factory.mktemp("cache"), engine="jieba")


@pytest.mark.parametrize(
    ("phrase", "tokens"),
    [
        ("新业态劳动者会员", ["新业态劳动者", "会员"]),
        ("困难职工帮扶", ["困难职工", "帮扶"]),
        ("执行率", ["执行率"]),
        ("市财政局追加", ["市财政局", "追加"]),
        ("获全总、省总表彰", ["获", "全总", "、", "省总", "表彰"]),
        ("联合市住建局", ["联合", "市", "住建局"]),
        ("联合五邑慈善会开展", ["联合", "五邑", "慈善会", "开展"]),
        ("其中基本支出和项目支出", ["其中", "基本支出", "和", "项目支出"]),
        ("产出指标\t数量指标", ["产出指标", "\t", "数量指标"]),
        ("社会效益指标", ["社会效益指标"]),
        (
            "走访慰问劳动模范、困难职工、一线职工、外来务工人员",
            ["走访", "慰问", "劳动模范", "、", "困难职工", "、", "一线职工", "、", "外来务工人员"],
        ),
        ("为户外劳动者防暑降温", ["为", "户外劳动者", "防暑降温"]),
        ("1.2 万人次", ["1.2", " ", "万人次"]),
        ("不少于 3 个工作日", ["不少", "于", " ", "3", " ", "个工作日"]),
    ],
)
def test_real_phrases(seg, phrase, tokens):
    assert seg.pos_columns(phrase)[0] == tokens


def test_cut_offsets_index_the_text(seg):
    text = "全市新建基层工会 436 家，新发展会员 46784 人。"
    words, _, starts, ends = seg.pos_columns(text)
    cut = list(zip(words, starts, ends, strict=True))
    assert "".join(words) == text
    assert all(text[a:b] == w for w, a, b in cut)
    assert ("基层工会", 4, 8) in cut


def test_tokens_have_their_lexicon_tags(seg):
    text = "向 8021 名新业态劳动者赠送，联合市人社局"
    words, tags, _, _ = seg.pos_columns(text)
    assert words == seg_words(seg, text)
    tags = dict(zip(words, tags, strict=True))
    assert tags["新业态劳动者"] == "nz"
    assert tags["人社局"] == "nt"
    assert tags["8021"] == "m"
    assert tags["，"] == "x"


def test_every_lexicon_entry_is_one_token(seg):
    for name in DICTIONARY_FILES:
        for word, *_ in read_lexicon(_data.lexicon_dir() / f"{name}.txt"):
            assert seg.pos_columns(word)[0] == [word], (name, word)


def test_aliases_map_to_canonical_names(seg):
    assert seg.canonical["劳动模范"] == "劳模"
    assert seg.canonical["全总"] == "全国总工会"
    assert seg.canonical["困难职工"] == "困难职工"
    assert seg.category["新业态劳动者"] == "beneficiary_groups"
    assert seg.category["住建局"] == "organisations"


def test_engines_agree_on_the_real_report(seg, seg_jieba):
    if seg.engine != "rjieba":
        pytest.skip("rjieba is not the active engine")
    text = REPORT.read_text(encoding="utf-8")
    assert seg.pos_columns(text) == seg_jieba.pos_columns(text)


def test_jieba_cache_goes_to_the_cache_dir(tmp_path):
    Segmenter(cache_dir=tmp_path / "c", engine="jieba")
    assert (tmp_path / "c" / "jieba.cache").is_file()


def test_the_global_jieba_tokenizer_is_untouched(seg, seg_jieba):
    assert "新业态劳动者" not in jieba.dt.user_word_tag_tab
    assert jieba.dt.FREQ.get("新业态劳动者") is None


def test_lexicon_format(tmp_path):
    (tmp_path / "beneficiary_groups.txt").write_text(
        "# comment\n\n新业态劳动者 3000 nz\n劳动模范 100 nz\t劳模\n产业工人\n", encoding="utf-8"
    )
    entries = read_lexicon(tmp_path / "beneficiary_groups.txt")
    assert entries == [
        ("新业态劳动者", 3000, "nz", None),
        ("劳动模范", 100, "nz", "劳模"),
        ("产业工人", 2000, "n", None),
    ]
    seg = Segmenter(lexicon_dir=tmp_path, cache_dir=tmp_path)
    assert seg.canonical == {"新业态劳动者": "新业态劳动者", "劳动模范": "劳模", "产业工人": "产业工人"}


def test_bad_lexicon_line_is_an_input_error(tmp_path):
    path = tmp_path / "units.txt"
    path.write_text("万元 3000 q\n人次 多 q\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        read_lexicon(path)


def test_unknown_engine(tmp_path):
    with pytest.raises(InputError, match="engine"):
        Segmenter(cache_dir=tmp_path, engine="hanlp")


def seg_words(seg, text: str) -> list[str]:
    """The tokens as the engine itself cuts them (rjieba's cut, or jieba's lcut)."""
    return seg._rjieba.cut(text) if seg._rjieba is not None else seg._jieba.lcut(text)
