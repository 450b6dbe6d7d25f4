"""The canonical JSON and fingerprints a signature rests on."""

from __future__ import annotations

import hashlib
from typing import Any

from pifai.ai.pif_versions import canonical_json, changed_parts, fingerprints, sha256_hex


def _snapshot() -> dict[str, Any]:
    return {
        "product": {"name": "乳液"},
        "items": {
            "6": {"content": {"steps": ["mix"]}, "file_sha256": ["a"]},
            "15": {"content": {}, "file_sha256": []},
        },
        "formula": [
            {"inci": "GLYCERIN", "cas": "56-81-5", "concentration": 5.0},
            {"inci": "AQUA", "cas": None, "concentration": 90.0},
        ],
    }


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": "乳"}) == '{"a":"乳","b":1}'.encode()
    assert sha256_hex({"a": 1}) == hashlib.sha256(b'{"a":1}').hexdigest()


def test_fingerprints_name_the_part_that_changed() -> None:
    base = fingerprints(_snapshot())
    reordered = _snapshot()
    reordered["formula"].reverse()
    assert changed_parts(base, fingerprints(reordered)) == []

    process = _snapshot()
    process["items"]["6"]["file_sha256"] = ["b"]
    assert changed_parts(base, fingerprints(process)) == ["process"]

    formula = _snapshot()
    formula["formula"][0]["concentration"] = 5.5
    assert changed_parts(base, fingerprints(formula)) == ["formula"]
