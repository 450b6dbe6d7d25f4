"""`import_file(source="tfda")` on TFDA's official open-data formats, on PostgreSQL: the
five lists in one file with a change report and the parse report stored beside it, a
second import changing nothing, a moved limit reported, and the engine deciding by the
imported entry."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.services import regulatory as service
from pifai.services.reference import ReferenceData
from tests.factories.tfda import ALL, PRESERVATIVES, labelpass_json

LABELPASS = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "tfda"
    / "labelpass-2026-06-25"
    / "tw-cosmetics-rules.json"
)


def _content() -> tuple[bytes, int]:
    """The official export if beside the checkout (1,081 records), else the copied rows."""
    if LABELPASS.exists():
        return LABELPASS.read_bytes(), 1081
    return labelpass_json().encode(), sum(len(rows) for rows in ALL.values())


async def test_the_labelpass_export_imports_all_five_lists(session: AsyncSession) -> None:
    content, rows = _content()
    run, report = await service.import_file(
        session, source="tfda", content=content, file_name="tw-cosmetics-rules.json"
    )
    assert run.scope == "tfda:colorant,preservative,prohibited,restricted,uv_filter"
    assert len(report.added) + len(report.changed) + report.unchanged == rows
    parse = run.report["parse"]
    assert parse["export_date"] == "2026-06-25"
    assert sum(lst["entries"] for lst in parse["lists"].values()) == rows
    assert all(lst["unreadable"] == [] for lst in parse["lists"].values())

    _, again = await service.import_file(
        session, source="tfda", content=content, file_name="tw-cosmetics-rules.json"
    )
    assert not again.has_changes and again.unchanged == rows

    snapshot = await ReferenceData().snapshot(session)
    result = snapshot.check([("Salicylic acid", "69-72-7", 0.6, "preservative")], "leave_on_face")
    [over] = [f for f in result.findings if f.rule == "over_limit" and f.authority == "TFDA"]
    assert over.limit_pct == 0.5 and "No. 41" in over.citation


async def test_a_lowered_limit_is_in_the_change_report(session: AsyncSession) -> None:
    lists = {"preservative": list(PRESERVATIVES.values())}
    await service.import_file(
        session, source="tfda", content=labelpass_json(lists).encode(), file_name="a.json"
    )
    lowered = [
        {**raw, "限量標準": "0.4 % (以acid計)"} if raw["編號"] == "41" else raw
        for raw in PRESERVATIVES.values()
    ]
    text = json.dumps(lowered, ensure_ascii=False)  # the data.fda.gov.tw JSON records
    run, report = await service.import_file(
        session,
        source="tfda",
        content=text.encode(),
        file_name="export.json",
        list_type="preservative",
        export_date="2026-07-01",
    )
    assert [c["key"] for c in report.limit_changed] == ["TFDA:preservative:No. 41"]
    change = report.limit_changed[0]["changes"]["limits"]
    assert change["before"][0]["max_pct"] == 0.5 and change["after"][0]["max_pct"] == 0.4
    assert run.report["parse"]["lists"]["preservative"]["rows_read"] == len(PRESERVATIVES)
