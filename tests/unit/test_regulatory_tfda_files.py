"""TFDA list files: the documented CSV and the shipped JSON format."""

from __future__ import annotations

import json

import pytest

from pifai.services.regulatory import (
    REGULATORY_DIR,
    RegulatoryImportError,
    parse_tfda_file,
)


def test_tfda_csv_format() -> None:
    text = (
        "list_type,entry_ref,name,names,cas,product_type,max_concentration,conditions,warnings,"
        "document,announcement_date,effective_date,verified\n"
        "restricted,Salicylic acid,Salicylic acid,水楊酸,69-72-7,,2%,"
        "除洗髮產品外，不得使用於三歲以下孩童之產品。,不得使用於三歲以下孩童。,"
        "化粧品成分使用限制表,2019-05-01,2019-07-01,no\n"
        "uv_filter,Homosalate,Homosalate,,118-56-9,,10%,,,化粧品防曬劑成分使用限制表,,,yes\n"
    )
    records = parse_tfda_file(text, file_name="tfda.csv")
    assert [r["list_type"] for r in records] == ["restricted", "uv_filter"]
    assert records[0]["names"] == ["Salicylic acid", "水楊酸"]
    assert records[0]["rule"]["limits"][0]["max_pct"] == 2.0
    assert records[0]["verified"] is False and records[1]["verified"] is True
    assert records[0]["source"]["document"] == "化粧品成分使用限制表"
    with pytest.raises(RegulatoryImportError, match="list_type"):
        parse_tfda_file(text.replace("uv_filter,Homosalate", "sunscreen,Homosalate"))


def test_tfda_json_format_is_the_shipped_format() -> None:
    shipped = json.loads((REGULATORY_DIR / "tfda_uv_filters.json").read_text(encoding="utf-8"))
    records = parse_tfda_file(json.dumps(shipped[:3], ensure_ascii=False))
    assert [r["entry_ref"] for r in records] == [r["entry_ref"] for r in shipped[:3]]
    with pytest.raises(RegulatoryImportError):
        parse_tfda_file('[{"name": "no list type"}]')
