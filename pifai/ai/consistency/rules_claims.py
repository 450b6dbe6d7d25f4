"""Rules on the claims check acknowledged for the record (POST .../claims/acknowledge):
the newest acknowledgement's verdicts, as they were shown. A red claim (medical
efficacy, or an appendix 1 phrase) is an error: signing needs a remediation plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pifai.ai.consistency.model import Alert, PifSnapshot
from pifai.ai.consistency.reference import legal


def _claims(pif: PifSnapshot, verdict: str) -> list[Mapping[str, Any]]:
    record = pif.claims_acknowledged or {}
    result = record.get("result") or {}
    return [c for c in result.get("claims") or [] if c.get("verdict") == verdict]


def _details(pif: PifSnapshot, claim: Mapping[str, Any]) -> dict[str, Any]:
    record = pif.claims_acknowledged or {}
    return {
        "claim": claim.get("claim"),
        "source": claim.get("source"),
        "phrases": [
            {k: m.get(k) for k in ("phrase_id", "phrase", "citation", "found", "verdict")}
            for m in claim.get("matches") or []
        ],
        "acknowledgement_id": record.get("id"),
        "acknowledged_at": record.get("acknowledged_at"),
        "corpus_sha256": (record.get("result") or {}).get("corpus", {}).get("sha256"),
    }


def red_claims(pif: PifSnapshot) -> list[Alert]:
    out = []
    for claim in _claims(pif, "red"):
        cites = "、".join(
            str(m.get("citation")) for m in claim.get("matches") or [] if m.get("verdict") == "red"
        )
        out.append(
            Alert(
                "claims.red_claim",
                "error",
                (4,),
                f"第 4 項標籤宣稱「{claim.get('claim')}」涉及醫療效能或虛偽誇大（{cites}）",
                f'Item 4: the label claim "{claim.get("claim")}" is a medical-efficacy or '
                f"exaggerated phrase of the determination rule ({cites})",
                legal("advertising"),
                _details(pif, claim),
            )
        )
    return out


def pending_claims(pif: PifSnapshot) -> list[Alert]:
    return [
        Alert(
            "claims.pending_data",
            "warning",
            (3, 4, 14),
            f"第 4 項宣稱「{claim.get('claim')}」須附件三所列成分及第 14 項佐證",
            f'Item 4: the claim "{claim.get("claim")}" needs the appendix 3 ingredient in '
            "the formula and its evidence in item 14",
            legal("advertising"),
            _details(pif, claim),
        )
        for claim in _claims(pif, "pending_data")
    ]
