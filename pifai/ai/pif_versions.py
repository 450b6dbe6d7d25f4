"""Pure functions of a PIF version: the canonical JSON of a snapshot, its SHA-256 and the
fingerprints of the formula (item 3), the process (item 6) and the packaging (item 15) that
decide whether a signed PIF must be signed again."""

from __future__ import annotations

import hashlib
import json
from typing import Any

FINGERPRINT_PARTS = ("formula", "process", "packaging")
# The item whose content and current files make up each part (the formula is item 3's rows).
PART_ITEMS = {"process": 6, "packaging": 15}

REASON_TEXT = {
    "formula": {
        "zh-TW": "配方（第 3 項：成分或濃度）自上次簽署後已變更。",
        "en": "The formula (item 3: ingredients or concentrations) changed since the last "
        "signature.",
    },
    "process": {
        "zh-TW": "製造流程（第 6 項）自上次簽署後已變更。",
        "en": "The manufacturing process (item 6) changed since the last signature.",
    },
    "packaging": {
        "zh-TW": "包裝材質（第 15 項）自上次簽署後已變更。",
        "en": "The packaging (item 15) changed since the last signature.",
    },
}


def canonical_json(value: Any) -> bytes:
    """The one serialisation every hash is taken of (stable across runs and machines)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def sha256_hex(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def _item(snapshot: dict[str, Any], number: int) -> dict[str, Any]:
    items: dict[str, Any] = snapshot.get("items", {})
    item: dict[str, Any] = items.get(str(number), {})
    return item


def fingerprints(snapshot: dict[str, Any]) -> dict[str, str]:
    """SHA-256 of what each part is made of. The formula: the ingredient identities (INCI,
    else the raw name, and CAS) with their concentrations, sorted so row order does not
    count; process and packaging: the item's content and the hashes of its current files."""
    formula = sorted(
        [
            (row.get("inci") or row.get("raw_name") or "").strip().lower(),
            row.get("cas") or "",
            "" if row.get("concentration") is None else repr(float(row["concentration"])),
        ]
        for row in snapshot.get("formula", [])
    )
    result = {"formula": sha256_hex(formula)}
    for part, number in PART_ITEMS.items():
        item = _item(snapshot, number)
        result[part] = sha256_hex(
            {"content": item.get("content", {}), "files": sorted(item.get("file_sha256", []))}
        )
    return result


def changed_parts(signed: dict[str, str], current: dict[str, str]) -> list[str]:
    return [part for part in FINGERPRINT_PARTS if signed.get(part) != current.get(part)]
