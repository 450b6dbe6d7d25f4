"""Claims against the determination rule's phrases: every verdict colour from a claim
written here, and the traps of Chinese label text (phrases joined by 、, ○○ placeholders,
compatibility ideographs, a phrase broken across lines, an image-only mark, pending_data
for an ingredient-linked phrase)."""

from __future__ import annotations

from pifai.ai.claims import (
    ClaimContext,
    FormulaRow,
    LabelMark,
    check_label,
    match_claim,
    read_label,
)
from pifai.ai.claims.text import fold

LOTION = ClaimContext(kind=6)  # 化妝水／油／面霜乳液類
TOOTHPASTE = ClaimContext(kind=14)  # 非藥用牙膏、漱口水類


def _ids(result: object) -> list[str]:
    return [m.phrase.id for m in result.matches]  # type: ignore[attr-defined]


def test_red_for_a_medical_efficacy_phrase_of_appendix_4() -> None:
    result = match_claim("本品可有效消炎", LOTION)
    assert result.verdict == "red"
    assert _ids(result) == ["A4-00-10-1"]
    assert result.matches[0].phrase.cite() == "附件四第10點"


def test_red_for_a_physiological_phrase_of_appendix_1() -> None:
    result = match_claim("促進膠原蛋白增生，重返年輕", LOTION)
    assert result.verdict == "red"
    assert "A1-00-17-2" in _ids(result)


def test_red_for_a_term_of_the_rules_article_5() -> None:
    assert match_claim("可治療濕疹", LOTION).verdict == "red"


def test_amber_for_a_permitted_phrase_with_a_substantiation_note() -> None:
    result = match_claim("淡化黑眼圈", LOTION)
    assert result.verdict == "amber"
    assert result.matches[0].phrase.note_refs == ("*1",)
    assert "客觀且公正試驗數據" in result.matches[0].reason


def test_amber_for_a_phrase_listed_for_another_kind_only() -> None:
    # 展現肌膚自然光澤 is listed for cleansers, bath products and soap, not for lotions.
    result = match_claim("展現肌膚自然光澤", LOTION)
    assert result.verdict == "amber"
    assert "註六" in result.matches[0].reason


def test_green_for_a_permitted_phrase_of_the_products_kind() -> None:
    result = match_claim("改善暗沉", LOTION)
    assert result.verdict == "green"
    assert _ids(result) == ["A2-06-08-6"]


def test_gray_when_nothing_matches_and_never_called_lawful() -> None:
    result = match_claim("天天好心情", LOTION)
    assert result.verdict == "gray" and result.matches == ()
    assert result.parts[0].verdict == "gray"


def test_phrases_joined_by_the_enumeration_comma_are_each_judged() -> None:
    result = match_claim("保濕、抗過敏、改善暗沉", LOTION)
    assert [(p.text, p.verdict) for p in result.parts] == [
        ("保濕", "green"), ("抗過敏", "red"), ("改善暗沉", "green"),
    ]  # fmt: skip
    assert result.verdict == "red"


def test_a_phrase_of_the_corpus_written_with_the_enumeration_comma_matches() -> None:
    # Appendix 3 item 1: 幫助緩解(舒緩)牙齒因冷、熱、碰觸所引起的酸、疼與不適感.
    result = match_claim("幫助舒緩牙齒因冷、熱、碰觸所引起的酸、疼與不適感", TOOTHPASTE)
    assert "A3-03-01-1" in _ids(result)


def test_placeholder_circles_stand_for_any_word() -> None:
    for scent in ("薰衣草", "玫瑰天竺葵"):
        result = match_claim(f"使用時散發淡淡{scent}香氣，可舒緩您的壓力", LOTION)
        assert result.verdict == "green", scent
        assert _ids(result) == ["A2-06-19-1"]
    assert match_claim("有機金盞花成分", LOTION).verdict == "amber"  # 有機○○成分*3


def test_compatibility_ideographs_fold_to_their_unified_forms() -> None:
    # U+FA41 is the compatibility form of 敏, U+F966 of 復.
    assert fold("抗過\ufa41") == "抗過敏"
    assert match_claim("抗過\ufa41", LOTION).verdict == "red"
    assert match_claim("修\uf966受損肌膚", LOTION).verdict == "red"
    # Only those code points are folded: full-width punctuation stays as written.
    assert fold("保濕，滋潤。") == "保濕，滋潤。"


def test_a_phrase_broken_across_lines_still_matches() -> None:
    result = match_claim("深層滋潤，有效抑制落\n髮", LOTION)
    assert result.verdict == "red"
    assert result.matches[0].found == "有效抑制落\n髮"  # shown as the label wrote it


def test_a_limit_split_across_lines_of_a_label_is_read_whole() -> None:
    text = "品名：護髮精華\n產品特色：使用後使頭髮呈現豐厚感，刺激毛髮\n生長\n"
    reading = read_label(text)
    assert reading.claims == ["使用後使頭髮呈現豐厚感，刺激毛髮生長"]
    result = check_label(reading, ClaimContext(kind=5)).result
    claim = next(c for c in result["claims"] if c["source"] == "claims")
    assert claim["verdict"] == "red"
    assert "A4-00-18-4" in [m["phrase_id"] for m in claim["matches"]]


def test_an_image_only_certification_mark_is_kept_and_needs_its_certificate() -> None:
    reading = read_label("品名：有機玫瑰乳液\n用途：保濕\n",
                         marks=[LabelMark("COSMOS ORGANIC 標章", image_only=True)])  # fmt: skip
    result = check_label(reading, LOTION).result
    assert result["reading"]["marks"] == [{"name": "COSMOS ORGANIC 標章", "image_only": True}]
    mark = next(c for c in result["claims"] if c["source"] == "mark")
    assert mark["verdict"] == "amber"
    assert mark["matches"][0]["phrase_id"] == "A2-15-08-1"
    assert "image only" in mark["matches"][0]["reason"]


def test_pending_data_for_an_ingredient_linked_phrase_without_ingredient_or_evidence() -> None:
    result = match_claim("幫助預防蛀牙（配合正確刷牙習慣）", TOOTHPASTE)
    assert result.verdict == "pending_data"
    match = result.matches[0]
    assert match.phrase.id == "A3-01-01-1"
    assert "配方中無附件三所列成分" in match.reason and "第 14 項" in match.reason


def test_ingredient_linked_phrase_is_amber_with_the_ingredient_and_evidence() -> None:
    ctx = ClaimContext(
        kind=14,
        formula=(FormulaRow("SODIUM FLUORIDE", 0.32),),
        evidence=("幫助預防蛀牙",),
        label_text="幫助預防蛀牙。配合正確刷牙習慣。",
    )
    result = match_claim("幫助預防蛀牙", ctx)
    assert result.verdict == "amber"
    assert result.matches[0].conditions[0]["met"] is True
    assert "總含氟量 1500ppm 以下" in result.matches[0].reason  # not computed: said so
    # The same claim for potassium nitrate over its 5 % limit stays pending.
    over = ClaimContext(kind=14, formula=(FormulaRow("POTASSIUM NITRATE", 6.0),),
                        evidence=("抗敏感",))  # fmt: skip
    assert match_claim("抗敏感", over).verdict == "pending_data"


def test_words_inside_a_red_phrase_are_not_a_permitted_claim() -> None:
    # 修復受損肌膚 (appendix 4) contains no green claim of its own.
    result = match_claim("修復受損肌膚", LOTION)
    assert [m.verdict for m in result.matches] == ["red"]
