"""What an import changes: the content of an entry as the store compares it, and the
change report (added, removed, limits changed, old and new text) of each import."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pifai.ai.regulatory import entry_key, expand_scope
from pifai.models.regulatory import RegulatoryEntry


def record_key(record: Mapping[str, Any]) -> str:
    return str(
        record.get("key")
        or entry_key(str(record["authority"]), str(record["list_type"]), str(record["entry_ref"]))
    )


# Which file a row was last read from is recorded, but is not a change of the rule.
_VOLATILE_SOURCE_KEYS = frozenset({"checked", "file", "file_sha256"})


def content_hash(record: Mapping[str, Any]) -> str:
    """Hash of what the rule says (names, CAS, rule, citation), not of when it was read."""
    payload = {
        "name": record.get("name"),
        "names": record.get("names"),
        "cas": record.get("cas") or record.get("cas_numbers"),
        "rule": record.get("rule"),
        "source": {
            k: v for k, v in (record.get("source") or {}).items() if k not in _VOLATILE_SOURCE_KEYS
        },
        "verified": record.get("verified"),
        "effective_date": str(record.get("effective_date") or ""),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def row_to_record(row: RegulatoryEntry) -> dict[str, Any]:
    return {
        "key": row.key,
        "authority": row.authority,
        "list_type": row.list_type,
        "entry_ref": row.entry_ref,
        "name": row.name,
        "names": list(row.names),
        "cas": list(row.cas_numbers),
        "rule": dict(row.rule),
        "source": dict(row.source),
        "verified": row.verified,
        "verification_note": row.verification_note,
        "effective_date": row.effective_date.isoformat() if row.effective_date else None,
    }


def limits_summary(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    rule = record.get("rule") or {}
    out: list[dict[str, Any]] = []
    for lim in rule.get("limits") or []:
        tags = lim.get("applies_to") or []
        try:
            # Compare product types, not spellings ("rinse_off" == both rinse-off types).
            types = sorted(expand_scope(tags))
        except ValueError:
            types = sorted(tags)
        out.append({"max_pct": lim.get("max_pct"), "applies_to": types})
    return sorted(out, key=lambda item: (str(item["max_pct"]), item["applies_to"]))


def limit_text(record: Mapping[str, Any]) -> str | None:
    """What the entry says of its limits, as the list words it: the official text read
    (``source_text``), else each limit's own text, else the parsed maxima."""
    rule = record.get("rule") or {}
    if rule.get("source_text"):
        return str(rule["source_text"])
    limits = rule.get("limits") or []
    texts = [str(lim["text"]) for lim in limits if lim.get("text")]
    if texts:
        return "; ".join(texts)
    parsed = [
        f"max {lim['max_pct']}%"
        + (f" ({', '.join(lim['applies_to'])})" if lim["applies_to"] else "")
        for lim in limits_summary(record)
        if lim["max_pct"] is not None
    ]
    return "; ".join(parsed) or None


def substances(*records: Mapping[str, Any]) -> dict[str, Any]:
    """The CAS numbers and names of an entry's old and new content (what a re-check of
    the products that contain it looks for)."""
    cas: list[str] = []
    names: list[str] = []
    for record in records:
        cas += [str(c) for c in record.get("cas") or record.get("cas_numbers") or []]
        names += [str(n) for n in record.get("names") or [record.get("name")] if n]
    return {"cas": list(dict.fromkeys(cas)), "names": list(dict.fromkeys(names))}


def diff_records(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if limits_summary(old) != limits_summary(new):
        changes["limits"] = {"before": limits_summary(old), "after": limits_summary(new)}
    old_rule, new_rule = old.get("rule") or {}, new.get("rule") or {}
    for key in sorted(set(old_rule) | set(new_rule)):
        if key != "limits" and old_rule.get(key) != new_rule.get(key):
            changes[key] = {"before": old_rule.get(key), "after": new_rule.get(key)}
    for key in ("name", "names", "cas", "verified"):
        before = old.get(key) if key != "cas" else (old.get("cas") or old.get("cas_numbers"))
        after = new.get(key) if key != "cas" else (new.get("cas") or new.get("cas_numbers"))
        if before != after:
            changes[key] = {"before": before, "after": after}
    return changes


@dataclass(slots=True)
class ChangeReport:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)

    @property
    def limit_changed(self) -> list[dict[str, Any]]:
        return [c for c in self.changed if "limits" in c["changes"]]

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "limit_changed": [c["key"] for c in self.limit_changed],
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }
