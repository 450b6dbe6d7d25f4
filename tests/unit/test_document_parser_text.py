"""Text files: encodings, delimited tables and label ingredient lists."""

from __future__ import annotations

import pytest

from bench.fixtures.formula_corpus import (
    write_csv_big5,
    zh_lines,
)
from pifai.ai.document_parser import (
    MAX_ROWS,
    decode_text,
    parse_formula,
)


def test_big5_csv_with_chinese_headers_and_chinese_only_rows() -> None:
    data = write_csv_big5(zh_lines())
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    parsed = parse_formula(data, "serum.csv")
    assert parsed.encoding == "cp950"
    assert [r.name for r in parsed.rows][:3] == ["水", "甘油", "丙二醇"]
    assert parsed.rows[0].concentration == "適量"


def test_label_lists_keep_numbered_names_and_strip_prefix() -> None:
    parsed = parse_formula(b"Ingredients: Water, 1,2-Hexanediol, PEG-40 Hydrogenated Castor Oil.")
    assert [r.name for r in parsed.rows] == [
        "Water",
        "1,2-Hexanediol",
        "PEG-40 Hydrogenated Castor Oil",
    ]
    zh = parse_formula("成分: 水、甘油、丁二醇".encode())
    assert [r.name for r in zh.rows] == ["水", "甘油", "丁二醇"]
    assert all(r.concentration is None for r in zh.rows)


def test_utf16_without_bom_and_utf8_bom_are_decoded() -> None:
    text = "INCI\tConc.\nGlycerin\t5\n"
    assert decode_text(text.encode("utf-16-le"))[0] == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode())[0] == text


def test_ten_thousand_row_csv_is_capped() -> None:
    data = "INCI,%\n" + "Glycerin,0.01\n" * 10_000
    parsed = parse_formula(data.encode())
    assert len(parsed.rows) == MAX_ROWS and parsed.truncated


def test_oversized_csv_field_does_not_crash() -> None:
    data = 'INCI,%\nGlycerin,5\n"' + "x" * 300_000 + '",1\n'
    parsed = parse_formula(data.encode())
    assert parsed.rows[0].name == "Glycerin"


def test_one_column_list_drops_its_header() -> None:
    parsed = parse_formula(b"INCI Name\nWater\nGlycerin\nHydrolyzed Casein\n")
    assert [r.name for r in parsed.rows] == ["Water", "Glycerin", "Hydrolyzed Casein"]
