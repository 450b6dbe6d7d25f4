"""A new reading merged into what the item already holds: a person's values are kept."""

from __future__ import annotations

from typing import Any


def _by_person(existing: dict[str, Any], name: str) -> bool:
    """A value an operator set: provenance says so, or it has none (typed in by hand)."""
    provenance = existing.get("provenance")
    entry = provenance.get(name) if isinstance(provenance, dict) else None
    if entry is None:
        return True
    return isinstance(entry, dict) and entry.get("method") == "operator"


def merge_content(existing: dict[str, Any], extracted: dict[str, Any]) -> dict[str, Any]:
    """``extracted`` (fields and their provenance) over ``existing``.

    Never overwritten: a field whose provenance method is "operator" or that has no
    provenance at all. Machine-filled fields of an earlier reading are replaced, and
    dropped when the new file does not say them (they described the old file)."""
    old_provenance = existing.get("provenance")
    old_provenance = old_provenance if isinstance(old_provenance, dict) else {}
    merged = {
        name: value
        for name, value in existing.items()
        if name != "provenance" and _by_person(existing, name)
    }
    provenance = {
        name: entry
        for name, entry in old_provenance.items()
        if isinstance(entry, dict) and entry.get("method") == "operator"
    }
    new_provenance = extracted.get("provenance") or {}
    for name, value in extracted.items():
        if name == "provenance" or (name in existing and _by_person(existing, name)):
            continue
        merged[name] = value
        if name in new_provenance:
            provenance[name] = new_provenance[name]
    merged["provenance"] = provenance
    return merged


def mean_confidence(content: dict[str, Any]) -> float | None:
    """The item's confidence: the mean of its fields' confidences."""
    provenance = content.get("provenance") or {}
    values = [
        float(entry["confidence"])
        for name, entry in provenance.items()
        if name in content and isinstance(entry, dict) and "confidence" in entry
    ]
    return round(sum(values) / len(values), 3) if values else None
