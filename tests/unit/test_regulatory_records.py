"""The super admin's list records: the request shape and the checks before the store."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from pifai.schemas.regulatory import SyncRequest
from pifai.services.regulatory import RegulatoryImportError, content_hash, load_shipped_records
from pifai.services.regulatory.records import check_records


@pytest.mark.parametrize("authority", ["TFDA", "ECHA"])
def test_the_shipped_records_pass_unchanged(authority: str) -> None:
    shipped = load_shipped_records(authority)
    sent = SyncRequest.model_validate({"records": shipped}).record_dicts()
    assert sent is not None
    # Exactly as given: a re-sent record hashes as it did (10 stays 10, not 10.0).
    assert sent == shipped
    assert [content_hash(r) for r in sent] == [content_hash(r) for r in shipped]
    check_records(authority, sent)


def test_fields_left_out_stay_out() -> None:
    body = SyncRequest.model_validate(
        {"records": [{"list_type": "prohibited", "entry_ref": "No. 1", "name": "Mercury"}]}
    )
    assert body.record_dicts() == [
        {"list_type": "prohibited", "entry_ref": "No. 1", "name": "Mercury"}
    ]
    assert SyncRequest().record_dicts() is None


@pytest.mark.parametrize(
    "record",
    [
        {"entry_ref": "No. 1", "name": "Mercury"},
        {"list_type": "prohibited", "entry_ref": "No. 1", "name": "Mercury", "colour": "red"},
        {"list_type": "prohibited", "entry_ref": "", "name": "Mercury"},
        {"list_type": "prohibited", "entry_ref": "x" * 101, "name": "Mercury"},
        {"list_type": "restricted", "entry_ref": "1", "name": "X", "rule": {"limits": [1]}},
        {"list_type": "restricted", "entry_ref": "1", "name": "X", "rule": {"function": "dye"}},
        {
            "list_type": "restricted",
            "entry_ref": "1",
            "name": "X",
            "rule": {"limits": [{"max_pct": 101}]},
        },
        {
            "list_type": "restricted",
            "entry_ref": "1",
            "name": "X",
            "rule": {"disclosure": {"leave_on_pct": 0.001}},
        },
    ],
)
def test_malformed_records_are_refused_by_the_request_shape(record: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        SyncRequest.model_validate({"records": [record]})
    assert all(e["loc"][:2] == ("records", 0) for e in refused.value.errors())


def test_every_problem_is_listed_with_its_record_and_field() -> None:
    records = [
        {"list_type": "prohibited", "entry_ref": "No. 1", "name": "Mercury"},
        {"list_type": "classification", "entry_ref": "No. 2", "name": "Lead"},
        {
            "list_type": "restricted",
            "entry_ref": "No. 3",
            "name": "X",
            "rule": {"children_under_3": {"prohibited": True, "except": ["toddlers"]}},
        },
        {"list_type": "prohibited", "entry_ref": "No. 1", "name": "Mercury again"},
    ]
    with pytest.raises(RegulatoryImportError) as refused:
        check_records("TFDA", records)
    assert [(p["record"], p["field"]) for p in refused.value.details] == [
        (1, "list_type"),
        (2, "rule.children_under_3.except"),
        (3, "entry_ref"),
    ]
    assert refused.value.message.startswith("3 problem(s) in the records: record 1 list_type")
