"""The shipped regulatory data and the rule engine against cases written from the law's own
texts (tests/factories/law_cases*.py): the whitepaper's red-team rounds, Annex II and III
entries added since 2019, preservatives and UV filters at, under and over their limits,
wrong product types, and substances named only in Chinese, by CAS or by a synonym.

Each expectation is what the cited text says, never what the engine happens to return.
The data checked is ``shipped_snapshot()``: every live entry of EU Annexes II-VI (CosIng
exports of 18/06/2026 and 09/09/2026) and of TFDA's five lists (open data of 2026-06-25).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from pifai.ai.regulatory import CheckResult, RegulatorySnapshot
from pifai.services.regulatory import parse_cosing_annex, shipped_snapshot
from tests.factories.law_cases import RED_TEAM, LawCase
from tests.factories.law_cases_annexes import ANNEX_II_SINCE_2019, ANNEX_III_SINCE_2019
from tests.factories.law_cases_limits import RESTRICTED_AND_COLORANTS, UV_FILTERS
from tests.factories.law_cases_preservatives import PRESERVATIVES
from tests.factories.regulatory import by_ref, cosing_csv, row

CASES: tuple[LawCase, ...] = (
    *RED_TEAM,
    *ANNEX_II_SINCE_2019,
    *ANNEX_III_SINCE_2019,
    *PRESERVATIVES,
    *UV_FILTERS,
    *RESTRICTED_AND_COLORANTS,
)
EXPORTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "cosing-annexes-2026"
ANNEX_III = EXPORTS / "2026-06-18" / "COSING_Annex_III_v2.txt"


@pytest.fixture(scope="module")
def law() -> RegulatorySnapshot:
    return shipped_snapshot()


def _describe(result: CheckResult) -> str:
    lines = [
        f"  {f.severity} {f.rule} {f.entry_key} limit={f.limit_pct}: {f.message}"
        for f in result.findings
    ]
    for res in result.resolved:
        lines.append(f"  resolved {res.input!r} -> {res.match} {[e.key for e in res.entries]}")
    return "\n".join(lines) or "  (no findings)"


def _entry_ref(key: str | None) -> str | None:
    return key.split(":", 2)[2] if key else None


def test_the_cases_are_many_and_distinct() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) - len(RED_TEAM) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_law_case(law: RegulatorySnapshot, case: LawCase) -> None:
    result = law.check(case.items, case.product_type, children_under_3=case.children_under_3)
    found = [(f, _entry_ref(f.entry_key)) for f in result.findings]
    detail = f"{case.source}\nengine:\n{_describe(result)}"
    for want in case.want:
        assert any(want.matches(f, ref) for f, ref in found), f"missing {want}\n{detail}"
    for never in case.never:
        hits = [f for f, ref in found if never.matches(f, ref)]
        assert not hits, f"ruled out by the text: {never}\n{detail}"
    # Every substance of a case is named by the lists: "could not be identified" is wrong.
    assert not [f for f, _ in found if f.rule == "unresolved"], detail
    entries = [e for res in result.resolved for e in res.entries]
    for on in case.on:
        authority, what = on.split(":", 1)
        assert any(
            e.authority == authority and what in (e.entry_ref, e.list_type) for e in entries
        ), f"not matched to {on}\n{detail}"


# --- the parsed texts behind two red-team cases ----------------------------------------


def _annex_iii_record(ref: str, text_row: list[str], columns: tuple[int, ...]) -> dict[str, Any]:
    """Annex III entry ``ref`` parsed from the official export when it is beside the project
    (whose ``columns`` must hold the cells written here), else from the cells written here."""
    if not ANNEX_III.exists():
        text = cosing_csv(
            "III", "LIST OF SUBSTANCES ... EXCEPT SUBJECT TO THE RESTRICTIONS", [text_row]
        )
        return by_ref(parse_cosing_annex(text, "III"))[f"Annex III/{ref}"]
    text = ANNEX_III.read_text(encoding="utf-8")
    official = {r[0]: r for r in csv.reader(io.StringIO(text)) if r}[ref]
    for i in columns:
        assert " ".join(official[i].split()) == " ".join(text_row[i].split())
    return by_ref(parse_cosing_annex(text, "III"))[f"Annex III/{ref}"]


def test_a_comma_decimal_limit_is_read_as_a_decimal(law: RegulatorySnapshot) -> None:
    """Annex III/312 FURFURAL ((EU) 2019/831) prints its maximum as "0,001 %"."""
    record = _annex_iii_record(
        "312",
        row("312", "2-Furaldehyde", "FURFURAL", "98-01-1", "", "0,001 %", update="26/11/2020"),
        (6,),
    )
    assert [lim["max_pct"] for lim in record["rule"]["limits"]] == [0.001]
    shipped = {e.entry_ref: e for e in law.entries_of("restricted", "EU")}["Annex III/312"]
    limit = shipped.applicable_limit("leave_on_face")
    assert limit is not None and limit.max_pct == 0.001


MENTHOL_OTHER = (
    "The presence of the substance shall be indicated in the list of ingredients referred to in "
    "Article 19(1), point (g), when its concentration exceeds: — 0,001 % in leave-on products — "
    "0,01 % in rinse-off products."
)


def test_a_shall_be_indicated_clause_is_a_disclosure_duty_not_a_limit(
    law: RegulatorySnapshot,
) -> None:
    """Annex III/338 Menthol ((EU) 2023/1545) has no maximum; its Other column only says
    when its presence must be labelled (the 2023 wording is "shall be indicated")."""
    record = _annex_iii_record(
        "338",
        row(
            "338",
            "Menthol; dl-menthol; l-menthol; d-menthol",
            "Menthol",
            "89-78-1 / 1490-04-6 / 2216-51-5 / 15356-60-2",
            "",
            "",
            MENTHOL_OTHER,
            update="14/09/2023",
        ),
        (7,),
    )
    rule = record["rule"]
    assert rule["limits"] == []
    assert rule["disclosure"] == {"leave_on_pct": 0.001, "rinse_off_pct": 0.01}
    shipped = {e.entry_ref: e for e in law.entries_of("restricted", "EU")}["Annex III/338"]
    assert shipped.limits == ()
    assert shipped.disclosure is not None and shipped.disclosure.threshold("leave_on_face") == 0.001
