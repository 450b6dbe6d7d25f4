"""The super admin's records checked before they reach the store: what the request's shape
cannot say (the authority's lists, the engine's scope names, one record per entry), each
problem named by record and field."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pifai.ai.regulatory import SCOPE_TAGS, RegEntry
from pifai.domain import LIST_TYPES
from pifai.services.regulatory.errors import RegulatoryImportError

# The lists each authority's endpoint may write.
AUTHORITY_LISTS: dict[str, tuple[str, ...]] = {"TFDA": LIST_TYPES, "ECHA": ("classification",)}


def check_records(authority: str, records: Sequence[Mapping[str, Any]]) -> None:
    """Raise RegulatoryImportError (422) listing every problem: a record of another
    authority or list, a scope the rule engine does not know, an entry given twice.
    A record the engine still cannot read is refused too: once stored, it would break
    every formula check."""
    problems: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        for field, message in _record_problems(authority, record):
            problems.append(_problem(index, record, field, message))
        key = f"{record.get('list_type')}:{record.get('entry_ref')}"
        if key in seen:
            message = f"the same entry as record {seen[key]} ({key})"
            problems.append(_problem(index, record, "entry_ref", message))
        seen.setdefault(key, index)
    if not problems:
        for index, record in enumerate(records):
            try:
                RegEntry.from_record({**record, "authority": authority})
            except (KeyError, TypeError, ValueError) as exc:
                problems.append(_problem(index, record, "rule", f"not readable: {exc}"))
    if problems:
        listed = "; ".join(
            f"record {p['record']} {p['field']}: {p['message']}" for p in problems[:10]
        )
        raise RegulatoryImportError(
            f"{len(problems)} problem(s) in the records: {listed}", details=problems
        )


def _problem(index: int, record: Mapping[str, Any], field: str, message: str) -> dict[str, Any]:
    return {
        "record": index,
        "entry_ref": record.get("entry_ref"),
        "field": field,
        "message": message,
    }


def _record_problems(authority: str, record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    given = record.get("authority")
    if given is not None and given != authority:
        yield "authority", f"{given!r} sent to the {authority} endpoint"
    lists = AUTHORITY_LISTS[authority]
    if record.get("list_type") not in lists:
        yield "list_type", f"{record.get('list_type')!r} is not one of {', '.join(lists)}"
    for field, tags in _scopes(record.get("rule") or {}):
        for tag in tags:
            if tag not in SCOPE_TAGS:
                yield field, f"unknown product-type scope {tag!r}"


def _scopes(rule: Mapping[str, Any]) -> Iterator[tuple[str, Sequence[str]]]:
    """Every list of scope names in a rule, with where it is."""
    for name in ("scope", "excluded", "exempt"):
        yield f"rule.{name}", rule.get(name) or ()
    yield "rule.children_under_3.except", (rule.get("children_under_3") or {}).get("except") or ()
    for index, limit in enumerate(rule.get("limits") or ()):
        yield f"rule.limits[{index}].applies_to", limit.get("applies_to") or ()
