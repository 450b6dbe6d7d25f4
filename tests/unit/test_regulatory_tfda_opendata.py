"""The importer of TFDA's official open-data lists on the copies beside the project
(../shared/data/tfda, PROVENANCE.md section 3): every row of the five lists is an entry
or is reported, the counts are the official ones, the CSV downloads give the same
entries as the JSON, and each entry cites its list, record and date. Where the files are
absent, the official records copied into tests/factories/tfda.py are read instead."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from pifai.ai.regulatory import RegEntry
from pifai.cli.regulatory import _print_parse
from pifai.services.regulatory import (
    RegulatoryImportError,
    TfdaParse,
    is_tfda_opendata,
    parse_tfda_opendata,
)
from pifai.services.regulatory.tfda_files import check_tfda_records
from tests.factories.tfda import (
    ALL,
    COLORANTS,
    PRESERVATIVES,
    PROHIBITED,
    RESTRICTED,
    Raw,
    csv_download,
    labelpass_json,
)

TFDA = Path(__file__).resolve().parents[3] / "shared" / "data" / "tfda"
LABELPASS = TFDA / "labelpass-2026-06-25" / "tw-cosmetics-rules.json"
CSV_DIR = TFDA / "nick921003-2026-05-13"
CSV_FILES = {
    "prohibited": "化粧品禁止使用成分資料集.csv",
    "restricted": "化粧品成分使用限制資料集.csv",
    "colorant": "化粧品色素成分使用限制資料集.csv",
    "preservative": "化粧品防腐劑成分名稱及使用限制資料集.csv",
}
# Rows per list, PROVENANCE.md section 3 (data.fda.gov.tw InfoId 203, 199, 200, 201, 202).
OFFICIAL_ROWS = {
    "prohibited": 659,
    "restricted": 186,
    "colorant": 152,
    "preservative": 57,
    "uv_filter": 27,
}


@cache
def _labelpass() -> TfdaParse:
    """The official export when it is beside the checkout, else the records copied here."""
    if LABELPASS.exists():
        content = LABELPASS.read_bytes()
        return parse_tfda_opendata(
            content.decode("utf-8"),
            file_name=LABELPASS.name,
            file_sha256=hashlib.sha256(content).hexdigest(),
        )
    return parse_tfda_opendata(labelpass_json(), file_name="tw-cosmetics-rules.json")


def _by_ref(parse: TfdaParse) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["list_type"], r["entry_ref"]): r for r in parse.records}


def _expected_rows() -> dict[str, int]:
    return OFFICIAL_ROWS if LABELPASS.exists() else {k: len(v) for k, v in ALL.items()}


def test_every_row_of_the_five_lists_is_an_entry_or_reported() -> None:
    parse = _labelpass()
    report = parse.report
    assert report.export_date == "2026-06-25"  # generated_at of the export
    assert set(report.lists) == set(OFFICIAL_ROWS)
    for list_type, rows in _expected_rows().items():
        counts = report.lists[list_type]
        assert counts.rows_read == rows, list_type
        assert counts.entries + len(counts.unreadable) == counts.rows_read
        assert counts.unreadable == [], list_type  # the official lists read whole
    assert report.unassigned == []
    assert len(parse.records) == sum(_expected_rows().values())
    refs = [(r["list_type"], r["entry_ref"]) for r in parse.records]
    assert len(set(refs)) == len(refs)
    for record in parse.records:
        assert record["verified"] is True and record["source"]["date"] == "2026-06-25"
        assert record["source"]["raw"], record["entry_ref"]
        assert record["rule"]["limits"] == [] or record["list_type"] != "prohibited"


def test_every_real_record_builds_a_reg_entry() -> None:
    records = check_tfda_records(_labelpass().records)  # list types and scope tags known
    for record in records:
        entry = RegEntry.from_record(record)
        assert entry.key == f"TFDA:{record['list_type']}:{record['entry_ref']}"
        assert entry.citation().startswith(f"TFDA {record['entry_ref']}: 衛生福利部「")


def _strip_whitespace(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub(r"\s+", "", value)
    if isinstance(value, list):
        return [_strip_whitespace(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip_whitespace(v) for k, v in value.items()}
    return value


def _comparable(record: dict[str, Any]) -> Any:
    """A record without what depends on the file read (its name, hash, format, date, the
    record's exact whitespace), compared with whitespace ignored: PROVENANCE.md says the
    CSV cells equal the JSON's raw records once whitespace is ignored."""
    source = {
        k: v
        for k, v in record["source"].items()
        if k not in ("file", "file_sha256", "format", "date", "raw", "also_on_list")
    }
    out = {**record, "source": source}
    out.pop("verification_note")
    return _strip_whitespace(out)


@pytest.mark.parametrize("list_type", sorted(CSV_FILES))
def test_the_csv_downloads_give_the_same_records_as_the_json(list_type: str) -> None:
    path = CSV_DIR / CSV_FILES[list_type]
    if path.exists():
        text, name = path.read_text(encoding="utf-8"), path.name
    else:
        text, name = csv_download(ALL[list_type].values()), CSV_FILES[list_type]
    from_csv = parse_tfda_opendata(text, file_name=name, export_date="2026-05-13")
    assert set(from_csv.report.lists) == {list_type}  # recognised from the download's name
    assert from_csv.report.lists[list_type].rows_read == _expected_rows()[list_type]
    from_json = _by_ref(_labelpass())
    assert len(from_csv.records) == _expected_rows()[list_type]
    for record in from_csv.records:
        assert record["source"]["date"] == "2026-05-13"
        twin = from_json[(list_type, record["entry_ref"])]
        assert _comparable(record) == _comparable(twin), record["entry_ref"]


def test_a_record_cites_its_list_entry_and_date_and_keeps_the_words() -> None:
    record = _by_ref(_labelpass())[("preservative", "No. 41")]
    assert record["name"] == "Salicylic acid and its salts"
    assert record["names"][:2] == ["Salicylic acid and its salts", "Salicylic acid"]
    assert record["cas"][0] == "69-72-7" and len(record["cas"]) == 7
    source = record["source"]
    assert source["document"].startswith("衛生福利部「化粧品防腐劑成分名稱及使用限制表」")
    assert "data.fda.gov.tw InfoId 201, data.gov.tw dataset 173682" in source["document"]
    assert source["entry"] == "編號 41" and source["url"] == "https://data.gov.tw/dataset/173682"
    assert source["origin"] == "tfda-opendata" and source["file"] == "tw-cosmetics-rules.json"
    assert source["raw"]["限制規定"] == PRESERVATIVES["41"]["限制規定"]
    assert source["footnotes"] == ["(3) on Salicylic acid"]
    assert "not found" in source["announcement"]
    note = record["verification_note"]
    assert "third-party copy of TFDA's open data dated 2026-06-25" in note
    assert "not compared with the announced table" in note
    assert record["rule"]["function"] == "preservative"


def test_announcement_facts_are_kept_where_known() -> None:
    records = _by_ref(_labelpass())
    prohibited = records[("prohibited", "No. 1")]["source"]["announcement"]
    assert "衛授食字第1131601051號 of 2024-03-21, in force 2025-01-01" in prohibited
    colorant = records[("colorant", "No. 1")]["source"]["announcement"]
    assert "衛授食字第1091605373號 of 2020-09-29, in force 2021-07-01" in colorant
    for list_type in ("restricted", "uv_filter"):
        assert "not found" in records[(list_type, "No. 27")]["source"]["announcement"]


def test_a_cas_number_that_fails_its_check_digit_is_reported_not_kept() -> None:
    # 防腐劑 編號 4 lists "1205-50-3" among its CAS numbers (check digit 3 ≠ 4).
    parse = _labelpass()
    record = _by_ref(parse)[("preservative", "No. 4")]
    assert "1205-50-3" not in record["cas"] and len(record["cas"]) == 11
    assert record["source"]["cas_rejected"] == ["1205-50-3"]
    assert parse.report.lists["preservative"].cas_rejected == [
        {"編號": "4", "cas": "1205-50-3", "reason": "check digit fails"}
    ]


def test_prohibited_notes_are_conditions_never_limits() -> None:
    records = _by_ref(_labelpass())
    mercury = records[("prohibited", "No. 1")]["rule"]
    assert mercury["limits"] == [] and [i["max_ppm"] for i in mercury["impurity_limit"]] == [1.0]
    assert "化粧品防腐劑成分名稱及使用限制表中另有規定者除外" in mercury["conditions"]
    bithionol = records[("prohibited", "No. 3")]
    assert bithionol["rule"] == {"limits": [], "scope": [], "excluded": []}
    semen = records[("prohibited", "No. 100")]  # Impatientis Semen（急性子）
    assert semen["names"] == ["Impatientis Semen(急性子)", "Impatientis Semen", "急性子"]
    dye = records[("prohibited", "No. 246")]  # …(CI 20170) 不得使用於染髮用途化粧品
    assert dye["name"] == "Acid Orange 24 (CI 20170)"
    assert "oral" in dye["rule"]["exempt"] and "rinse_off_hair" not in dye["rule"]["exempt"]
    assert records[("prohibited", "No. 15")]["rule"]["exempt"] == ["oral"]


def test_colorant_codes_map_to_where_the_colorant_may_be_used() -> None:
    records = _by_ref(_labelpass())
    code = {no: records[("colorant", f"No. {no}")] for no in ("1", "2", "3", "25")}
    assert [COLORANTS[n]["使用範圍"] for n in ("1", "2", "3", "25")] == ["4", "3", "2", "1"]
    assert code["1"]["rule"]["scope"] == ["rinse_off"]  # 第4類 用後立即洗去
    assert code["2"]["rule"]["excluded"][0] == "mucous"  # 第3類 非接觸黏膜
    assert code["3"]["rule"]["excluded"] == ["eye_area"]  # 第2類 非接觸眼部周圍
    assert code["25"]["rule"]["scope"] == [] and code["25"]["rule"]["excluded"] == []
    assert [lim["max_pct"] for lim in code["25"]["rule"]["limits"]] == [3.0]  # 限量：3%
    source = code["3"]["source"]
    assert source["scope_code"] == "2" and source["scope_code_meaning"].startswith("第2類")
    assert "https://data.gov.tw/dataset/173686" in source["scope_code_source"]
    assert code["2"]["names"] == ["CI 10020", "Acid Green 1", "Ext. D&C Green No. 1",
                                  "Naphthol Green B"]  # fmt: skip


def test_restricted_entries_marked_zhu_are_the_non_preservative_uses() -> None:
    parse = _labelpass()
    marked = {
        r["entry_ref"]
        for r in parse.records
        if r["list_type"] == "restricted" and r["rule"].get("function") == "non_preservative"
    }
    if LABELPASS.exists():  # the list marks exactly these with 註
        expected = {f"No. {n}" for n in (26, 27, 28, 29, 30, 31, 32, 178, 179, 181)}
    else:
        expected = {f"No. {n}" for n, raw in RESTRICTED.items() if "註" in (raw["成分名"] or "")}
    assert marked == expected
    zinc = _by_ref(parse)[("restricted", "No. 29")]  # Pyrithione zinc 註
    assert zinc["source"]["also_on_list"] == "preservative list No. 48"
    assert "Marked 註" in zinc["verification_note"]
    # No. 28 "Inorganic sulfites and bisulfites 註" has no INCI or CAS to match by.
    assert parse.report.lists["restricted"].notes == [
        "No. 28 (marked 註): no preservative-list entry shares its CAS or names"
    ]


def test_a_summed_limit_stated_by_one_entry_is_given_to_the_other() -> None:
    records = _by_ref(_labelpass())
    butyl = {g["key"]: g for g in records[("preservative", "No. 32")]["rule"]["groups"]}
    methyl = {g["key"]: g for g in records[("preservative", "No. 33")]["rule"]["groups"]}
    assert set(butyl) == {"TFDA:preservative:32", "TFDA:preservative:32+33"}
    assert set(methyl) == {"TFDA:preservative:32+33"}
    assert methyl["TFDA:preservative:32+33"]["max_pct"] == 0.8


def test_restricted_41_fluoride_and_uv_filter_2_benzophenone_3() -> None:
    records = _by_ref(_labelpass())
    fluoride = records[("restricted", "No. 41")]["rule"]
    assert fluoride["groups"][0]["key"] == "TFDA:total-F" and fluoride["scope"] == ["oral"]
    bp3 = records[("uv_filter", "No. 2")]
    assert bp3["names"] == ["2-Hydroxy-4-methoxybenzophenone / Oxybenzone",
                            "2-Hydroxy-4-methoxybenzophenone", "Oxybenzone",
                            "Benzophenone-3"]  # fmt: skip
    assert [lim["max_pct"] for lim in bp3["rule"]["limits"]] == [6.0]
    assert bp3["rule"]["other_use_limits"][0]["max_pct"] == 0.5
    assert bp3["rule"]["warnings"].startswith("本產品含二苯酮-3。")


def _rows(list_type: str, *numbers: str) -> list[Raw]:
    return [dict(ALL[list_type][n]) for n in numbers]


def test_an_unreadable_row_is_reported_with_its_number_and_reason() -> None:
    nameless = {**PROHIBITED["3"], "編號": "900", "成分名稱": "  "}
    numberless = {**PROHIBITED["100"], "編號": ""}
    text = labelpass_json(
        {"prohibited": [PROHIBITED["3"], PROHIBITED["3"], nameless, numberless]},
        extra_rules=[{"source_info_id": 999, "raw": {"編號": "1"}}, "not a rule"],
    )
    parse = parse_tfda_opendata(text, file_name="broken.json")
    report = parse.report.lists["prohibited"]
    assert [r["entry_ref"] for r in parse.records] == ["No. 3"]
    assert report.rows_read == 4 and report.entries == 1
    assert report.unreadable == [
        {"row": 2, "編號": "3", "reason": "a second row with 編號 3"},
        {"row": 3, "編號": "900", "reason": "no name"},
        {"row": 4, "編號": "", "reason": "no 編號"},
    ]
    assert [u["row"] for u in parse.report.unassigned] == [5, 6]
    lines = "\n".join(parse.report.lines())
    assert "unreadable row 3 (編號 900): no name" in lines
    assert "row 5 of no list" in lines


def test_only_the_official_record_is_read_not_the_derived_fields() -> None:
    # labelpass_json fills max_limit_percent with 99 and cas_numbers with 50-00-0.
    parse = parse_tfda_opendata(labelpass_json({"uv_filter": _rows("uv_filter", "27")}))
    [record] = parse.records
    assert record["cas"] == ["13463-67-7", "1317-70-0", "1317-80-2"]
    assert [lim["max_pct"] for lim in record["rule"]["limits"]] == [25.0]


def test_which_list_a_file_is() -> None:
    uv_rows = _rows("uv_filter", "26", "27")
    shared_columns = csv_download(uv_rows)  # the UV list's columns are the preservatives'
    with pytest.raises(RegulatoryImportError, match="give the list type"):
        parse_tfda_opendata(shared_columns, file_name="download.csv")
    as_uv = parse_tfda_opendata(shared_columns, file_name="download.csv", list_type="uv_filter")
    assert {r["list_type"] for r in as_uv.records} == {"uv_filter"}
    named = parse_tfda_opendata(shared_columns, file_name="化粧品防曬劑成分使用限制資料集.csv")
    assert {r["list_type"] for r in named.records} == {"uv_filter"}
    # The prohibited and colorant lists have columns of their own; a JSON list of records.
    colorants = parse_tfda_opendata(csv_download(_rows("colorant", "1")), file_name="x.csv")
    assert colorants.records[0]["list_type"] == "colorant"
    records = json.dumps(_rows("prohibited", "3"), ensure_ascii=False)
    assert parse_tfda_opendata(records).records[0]["list_type"] == "prohibited"


def test_export_dates() -> None:
    text = csv_download(_rows("preservative", "3"))
    undated = parse_tfda_opendata(text, file_name="化粧品防腐劑成分名稱及使用限制資料集.csv")
    assert undated.records[0]["source"]["date"] is None
    assert "of unknown date" in undated.records[0]["verification_note"]
    with pytest.raises(RegulatoryImportError, match="YYYY-MM-DD"):
        parse_tfda_opendata(text, file_name="p.csv", list_type="preservative", export_date="2026")
    stated = parse_tfda_opendata(labelpass_json(generated_at="2026-07-01T00:00:00Z"))
    assert stated.report.export_date == "2026-07-01"


def test_one_list_of_the_labelpass_file_and_the_rows_left_unread_are_counted() -> None:
    parse = parse_tfda_opendata(labelpass_json(), list_type="uv_filter")
    assert {r["list_type"] for r in parse.records} == {"uv_filter"}
    assert parse.report.not_asked == {k: len(v) for k, v in ALL.items() if k != "uv_filter"}
    assert "rows of the prohibited list not read" in "\n".join(parse.report.lines())


def test_official_formats_are_told_from_the_documented_one() -> None:
    assert is_tfda_opendata(labelpass_json({"prohibited": [PROHIBITED["3"]]}))
    assert is_tfda_opendata(csv_download(_rows("restricted", "16")))
    assert is_tfda_opendata('[{"編號": "1", "成分名稱": "Bithionol"}]')
    assert not is_tfda_opendata("list_type,entry_ref,name\nrestricted,X,X\n")
    assert not is_tfda_opendata('[{"list_type": "restricted", "entry_ref": "X", "name": "X"}]')


def test_the_cli_prints_the_parse_counts(capsys: pytest.CaptureFixture[str]) -> None:
    _print_parse(_labelpass().report.as_dict())
    out = capsys.readouterr().out
    rows = _expected_rows()
    assert f"TFDA prohibited   {rows['prohibited']:4} rows, {rows['prohibited']:4} entries" in out
    assert "plain prohibitions" in out and "fully structured" in out
