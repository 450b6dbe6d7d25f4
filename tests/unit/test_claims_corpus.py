"""The shipped phrase corpus: built from the stored appendix texts, each phrase with its
appendix, kind and notes, and the version (source, date, hashes)."""

from __future__ import annotations

import hashlib
import json

from pifai.ai.claims import load_corpus
from pifai.ai.claims.corpus import CORPUS_FILE
from pifai.ai.claims.corpus_source import SOURCES, render


def test_the_shipped_corpus_is_a_fresh_build_of_the_stored_sources() -> None:
    assert CORPUS_FILE.read_text(encoding="utf-8") == render()


def test_every_source_is_hashed_and_the_corpus_is_marked_unverified() -> None:
    data = json.loads(CORPUS_FILE.read_text(encoding="utf-8"))
    for appendix in data["appendices"]:
        text = SOURCES[appendix["number"]].read_text(encoding="utf-8")
        assert appendix["sha256"] == hashlib.sha256(text.encode()).hexdigest()
        assert appendix["verified"] is False and appendix["read_via"]
    version = data["version"]
    assert (version["pcode"], version["in_force"]) == ("L0030099", "2019-07-01")
    assert version["verified"] is False and len(version["sha256"]) == 64


def test_phrases_per_appendix_and_their_fields() -> None:
    corpus = load_corpus()
    counts = corpus.counts()
    assert counts[1] == 68 and counts[2] == 363 and counts[3] == 21 and counts[4] == 53
    by_id = {p.id: p for p in corpus.phrases}
    assert by_id["A1-00-01-1"].text == "活化毛囊"
    assert by_id["A4-00-20-1"].text == "藥用"
    anti_dandruff = by_id["A2-01-22-3"]
    assert (anti_dandruff.text, anti_dandruff.kind, anti_dandruff.note_refs) == ("抗屑", 1, ("*1",))
    assert anti_dandruff.notes[0].startswith("註記「*1」者")
    fluoride = by_id["A3-01-01-1"]
    assert fluoride.ingredients[0].name_zh == "氟化物"
    assert "配合正確刷牙習慣" in fluoride.conditions[0]
    nitrate = by_id["A3-03-04-1"]
    assert [(i.inci, i.max_pct) for i in nitrate.ingredients[:2]] == [
        ("Potassium Citrate", 5.53), ("Potassium Nitrate", 5.0)
    ]  # fmt: skip
    # Notes in brackets are not words of the phrase.
    rose = by_id["A2-06-19-1"]
    assert "如玫瑰" not in rose.text and rose.qualifiers == ("如玫瑰",)
    # This item runs over a page break in the appendix ("可舒緩您" / "的壓力"): read whole.
    assert rose.text == "使用時散發淡淡○○○香氣，可舒緩您的壓力"
