"""The regulated-substance store: shipped data, importers, change reports, snapshots.

- Shipped data (``pifai/data/regulatory/*.json``) is loaded idempotently: only what
  changed is written, rows changed by a later official import are left alone.
- Importers read the EU CosIng annex exports (the Commission's CSV layout) and a
  documented CSV/JSON format for TFDA lists (see ``pifai/data/regulatory/README.md``).
  Limits are parsed out of free text: labelling-disclosure clauses are stripped first,
  lettered parts ("(a) rinse-off ... (b) other ...") become one limit per product type,
  "%", "ppm" and "mg/kg" are read.
- Every import that changes the store records what changed (added, removed, limit
  changed) in ``regulatory_imports``; entries that disappear are marked ``removed_at``.
- :func:`get_snapshot` gives the rule engine an in-memory snapshot, rebuilt only when
  the store changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import DictionaryEntry, IngredientDictionary, find_cas_numbers
from pifai.ai.regulatory import (
    SCOPE_TAGS,
    CheckResult,
    FormulaItem,
    RegEntry,
    RegulatorySnapshot,
    entry_key,
    expand_scope,
)
from pifai.core.errors import NotFound, ValidationFailed
from pifai.domain import PRODUCT_TYPES
from pifai.models.regulatory import RegulatoryEntry, RegulatoryImport

log = structlog.get_logger(__name__)

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
REGULATORY_DIR = DATA_DIR / "regulatory"
ANNEX_LIST_TYPES = {
    "II": "prohibited",
    "III": "restricted",
    "IV": "colorant",
    "V": "preservative",
    "VI": "uv_filter",
}
TFDA_LIST_TYPES = ("prohibited", "restricted", "preservative", "colorant", "uv_filter")


class RegulatoryImportError(ValidationFailed):
    code = "regulatory_import_invalid"


class RegulatoryImportNotFound(NotFound):
    code = "regulatory_import_not_found"


# --- shipped data --------------------------------------------------------------------


def shipped_files() -> list[Path]:
    return sorted(REGULATORY_DIR.glob("*.json"))


def load_shipped_records(authority: str | None = None) -> list[dict[str, Any]]:
    """Every record of the shipped data files (optionally of one authority)."""
    records: list[dict[str, Any]] = []
    for path in shipped_files():
        for record in json.loads(path.read_text(encoding="utf-8")):
            if authority is None or record["authority"] == authority:
                record.setdefault("source", {})["origin"] = "shipped"
                record["source"].setdefault("file", f"pifai/data/regulatory/{path.name}")
                records.append(record)
    return records


@lru_cache(maxsize=1)
def curated_dictionary_rows() -> tuple[DictionaryEntry, ...]:
    """The curated ingredient dictionary (pifai/data/ingredients.csv): names, Chinese
    names and CAS numbers, so that synonyms resolve to regulated entries."""
    path = DATA_DIR / "ingredients.csv"
    if not path.exists():
        return ()
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(IngredientDictionary.from_rows(csv.DictReader(handle)).entries)


def build_snapshot(
    records: Iterable[Mapping[str, Any]], *, version: str = ""
) -> RegulatorySnapshot:
    return RegulatorySnapshot(
        (RegEntry.from_record(r) for r in records), curated_dictionary_rows(), version=version
    )


@lru_cache(maxsize=1)
def shipped_snapshot() -> RegulatorySnapshot:
    """A snapshot of the shipped data alone: no database needed (MCP servers, tests)."""
    return build_snapshot(load_shipped_records(), version="shipped")


# --- records and rows ----------------------------------------------------------------


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


def _limits_summary(record: Mapping[str, Any]) -> list[dict[str, Any]]:
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


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if _limits_summary(old) != _limits_summary(new):
        changes["limits"] = {"before": _limits_summary(old), "after": _limits_summary(new)}
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


# --- syncing records into the store ---------------------------------------------------


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


def _now() -> datetime:
    return datetime.now(UTC)


def _effective(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


async def sync_records(
    session: AsyncSession,
    records: Sequence[Mapping[str, Any]],
    *,
    source: str,
    scopes: Iterable[tuple[str, str]],
    scope_label: str,
    file_name: str | None = None,
    file_sha256: str | None = None,
    requested_by: uuid.UUID | None = None,
    shipped: bool = False,
    always_record: bool = True,
) -> tuple[RegulatoryImport | None, ChangeReport]:
    """Bring the store to `records` within `scopes` ((authority, list_type) pairs).

    An official import defines its whole list: entries of the scope missing from it are
    marked removed. A shipped-data load touches only rows it loaded itself (origin
    "shipped"), so it never undoes an official import. Idempotent: a second run with the
    same records changes nothing. The import row (the change report) is written when
    `always_record` or something changed."""
    scope_set = set(scopes)
    started = _now()
    by_key: dict[str, Mapping[str, Any]] = {}
    for record in records:
        pair = (str(record["authority"]), str(record["list_type"]))
        if pair not in scope_set:
            raise RegulatoryImportError(
                f"record {record_key(record)!r} is outside the import scope {sorted(scope_set)}"
            )
        by_key[record_key(record)] = record
    existing_rows = (
        await session.scalars(
            select(RegulatoryEntry).where(
                func.concat(RegulatoryEntry.authority, ":", RegulatoryEntry.list_type).in_(
                    [f"{a}:{lt}" for a, lt in scope_set]
                )
            )
        )
    ).all()
    existing = {row.key: row for row in existing_rows}
    report = ChangeReport()
    for key, record in by_key.items():
        digest = content_hash(record)
        row = existing.get(key)
        if row is not None and shipped and row.source.get("origin") != "shipped":
            report.skipped.append({"key": key, "reason": "changed by an official import"})
            continue
        if row is None:
            row = RegulatoryEntry(
                id=uuid.uuid4(),
                key=key,
                authority=str(record["authority"]),
                list_type=str(record["list_type"]),
                entry_ref=str(record["entry_ref"]),
                name=str(record["name"]),
                names=list(record.get("names") or [record["name"]]),
                cas_numbers=list(record.get("cas") or []),
                rule=dict(record.get("rule") or {}),
                source=dict(record.get("source") or {}),
                verified=bool(record.get("verified")),
                verification_note=record.get("verification_note"),
                effective_date=_effective(record.get("effective_date")),
                content_hash=digest,
                last_synced_at=started,
            )
            session.add(row)
            report.added.append({"key": key, "name": row.name, "limits": _limits_summary(record)})
            continue
        if row.content_hash == digest and row.removed_at is None:
            report.unchanged += 1
            row.last_synced_at = started
            if row.source != dict(record.get("source") or {}):
                row.source = dict(record.get("source") or {})
            continue
        changes = _diff(row_to_record(row), record)
        if row.removed_at is not None:
            changes["restored"] = True
        row.name = str(record["name"])
        row.names = list(record.get("names") or [record["name"]])
        row.cas_numbers = list(record.get("cas") or [])
        row.rule = dict(record.get("rule") or {})
        row.source = dict(record.get("source") or {})
        row.verified = bool(record.get("verified"))
        row.verification_note = record.get("verification_note")
        row.effective_date = _effective(record.get("effective_date"))
        row.content_hash = digest
        row.last_synced_at = started
        row.removed_at = None
        report.changed.append({"key": key, "name": row.name, "changes": changes})
    for key, row in existing.items():
        if key in by_key or row.removed_at is not None:
            continue
        if shipped and row.source.get("origin") != "shipped":
            continue
        row.removed_at = started
        report.removed.append({"key": key, "name": row.name})
    await session.flush()
    run: RegulatoryImport | None = None
    if always_record or report.has_changes:
        authorities = sorted({a for a, _ in scope_set})
        list_types = sorted({lt for _, lt in scope_set})
        run = RegulatoryImport(
            id=uuid.uuid4(),
            source=source,
            authority=authorities[0] if len(authorities) == 1 else "EU",
            list_type=list_types[0] if len(list_types) == 1 else None,
            scope=scope_label[:100],
            file_name=file_name,
            file_sha256=file_sha256,
            status="done",
            added=len(report.added),
            removed=len(report.removed),
            changed=len(report.changed),
            unchanged=report.unchanged,
            report=report.as_dict(),
            requested_by=requested_by,
            started_at=started,
            finished_at=_now(),
        )
        session.add(run)
        await session.flush()
    log.info(
        "regulatory sync",
        source=source,
        scope=scope_label,
        added=len(report.added),
        removed=len(report.removed),
        changed=len(report.changed),
        unchanged=report.unchanged,
    )
    return run, report


async def load_shipped(
    session: AsyncSession,
    *,
    authority: str | None = None,
    requested_by: uuid.UUID | None = None,
    always_record: bool = False,
) -> tuple[RegulatoryImport | None, ChangeReport]:
    """Load the shipped data into the store (idempotent)."""
    records = load_shipped_records(authority)
    scopes = {(str(r["authority"]), str(r["list_type"])) for r in records}
    return await sync_records(
        session,
        records,
        source="shipped",
        scopes=scopes,
        scope_label=f"shipped:{authority or 'all'}",
        requested_by=requested_by,
        shipped=True,
        always_record=always_record,
    )


# --- parsing limits out of free text ---------------------------------------------------

_DISCLOSURE_RE = re.compile(
    r"(?:\(\w\)\s*)*the presence of the substance must be indicated.*?exceeds\s*:?\s*"
    r"[-—–]?\s*(\d+(?:[.,]\d+)?)\s*%\s*in\s*leave\s*-?\s*on\s*products\s*"
    r"[-—–]?\s*(\d+(?:[.,]\d+)?)\s*%\s*in\s*rinse\s*-?\s*off\s*products\.?",
    re.IGNORECASE | re.DOTALL,
)
_LETTER_RE = re.compile(r"(?:^|(?<=[\s.;,]))\(?([a-h])\)(?=\s|$)")
_VALUE_RE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(%|mg\s*/\s*kg|ppm)(?:\s*\(\s*(?:as\s+|of\s+|calculated\s+as\s+)?"
    r"([^)]{1,40})\))?",
    re.IGNORECASE,
)
_NOT_IN_RE = re.compile(
    r"not to be used (?:in|on)\s+([^.;]*?)(?=\s+\(?[a-h]\)\s|[.;]|$)", re.IGNORECASE
)
_CHILDREN_RE = re.compile(r"children\s+under\s+(?:3|three)", re.IGNORECASE)
_NON_PRESERVATIVE_RE = re.compile(
    r"for purposes other than inhibiting the development of micro", re.IGNORECASE
)


@dataclass(slots=True)
class ParsedConditions:
    limits: list[dict[str, Any]] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    children_under_3: dict[str, Any] | None = None
    disclosure: dict[str, float] | None = None
    function: str | None = None
    notes: list[str] = field(default_factory=list)

    def rule(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "limits": self.limits,
            "scope": self.scope,
            "excluded": self.excluded,
        }
        if self.children_under_3:
            out["children_under_3"] = self.children_under_3
        if self.disclosure:
            out["disclosure"] = self.disclosure
        if self.function:
            out["function"] = self.function
        if self.notes:
            out["parse_notes"] = self.notes
        return out


def _num(text: str) -> float:
    return float(text.replace(",", "."))


def strip_disclosure(text: str) -> tuple[str, dict[str, float] | None]:
    """Remove the labelling-disclosure clause; return the rest and its thresholds."""
    match = _DISCLOSURE_RE.search(text or "")
    if match is None:
        return text or "", None
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    return rest, {"leave_on_pct": _num(match.group(1)), "rinse_off_pct": _num(match.group(2))}


def parse_value(text: str) -> tuple[float, str | None] | None:
    """The limit in a piece of text, in % w/w ("0.5% (acid)", "50 mg/kg", "10 ppm").

    Where the text gives a range ("> 0,1 % <= 6 %") the bound after "<=" is the limit;
    several values (general and professional use) give the lowest."""
    text = (text or "").replace("≤", "<=")
    if "<=" in text:
        text = text[text.rindex("<=") + 2 :]
    values: list[tuple[float, str | None]] = []
    for match in _VALUE_RE.finditer(text):
        value = _num(match.group(1))
        unit = match.group(2).lower().replace(" ", "")
        if unit in ("mg/kg", "ppm"):
            value *= 1e-4
        expressed = match.group(3).strip() if match.group(3) else None
        if expressed and re.search(r"\d", expressed):
            expressed = None
        values.append((value, expressed))
    if not values:
        return None
    return min(values, key=lambda v: v[0])


def _lettered(text: str) -> dict[str, str]:
    """{"a": "...", "b": "..."} for "(a) ... (b) ..." text; {} when it has no letters."""
    parts: dict[str, str] = {}
    matches = list(_LETTER_RE.finditer(text or ""))
    if not matches:
        return {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        letter = match.group(1).lower()
        parts[letter] = (parts.get(letter, "") + " " + text[match.end() : end]).strip()
    return parts


def product_tags(text: str) -> list[str] | None:
    """Product-type tags named by a piece of text; [] for "other products"; None when the
    text names no product type this engine knows."""
    low = (text or "").lower().replace(" -", "-").replace("- ", "-")
    low = re.split(r"\bexcept\b", low)[0]
    if re.search(r"\bother (products|uses)\b", low) and not re.search(r"rinse|leave|oral", low):
        return []
    tags: list[str] = []
    hair = "hair" in low or "shampoo" in low
    if "rinse-off" in low or "rinse off" in low or "shampoo" in low or "produit à ricer" in low:
        tags.append("rinse_off_hair" if hair else "rinse_off")
    if "leave-on" in low or "leave on" in low:
        tags.append("leave_on_hair" if hair else "leave_on")
    if "oral" in low or "toothpaste" in low or "mouthwash" in low:
        tags.append("oral")
    if "eye" in low or "eyelash" in low or "eyebrow" in low:
        tags.append("eye_area")
    if re.search(r"\blip", low):
        tags.append("lip")
    if "nail" in low:
        tags.append("nail")
    if "mucous" in low:
        tags.append("mucous")
    if hair and not any(t.endswith("_hair") for t in tags):
        tags.append("hair")
    if "face" in low and not tags:
        tags.append("leave_on_face")
    return list(dict.fromkeys(tags)) or None


def parse_conditions(
    product_type_text: str = "",
    max_text: str = "",
    other_text: str = "",
    warnings_text: str = "",
) -> ParsedConditions:
    """Read limits, scope and conditions from the free-text columns of an annex row."""
    parsed = ParsedConditions()
    texts = []
    for text in (max_text, other_text):
        stripped, disclosure = strip_disclosure(text)
        if disclosure:
            parsed.disclosure = disclosure
        texts.append(stripped)
    max_text, other_text = texts
    all_text = " ".join((product_type_text or "", other_text, warnings_text or ""))

    types = _lettered(product_type_text)
    values = _lettered(max_text)
    if values:
        for letter, value_text in values.items():
            value = parse_value(value_text)
            if value is None:
                continue
            tags = product_tags(types.get(letter, "")) if types else None
            if tags is None:
                tags = product_tags(value_text) or []
                if types.get(letter):
                    parsed.notes.append(
                        f"({letter}) {types[letter]!r}: product type not mapped; limit applied to "
                        "every product type"
                    )
            if not tags and types:
                named = [product_tags(t) or [] for other, t in types.items() if other != letter]
                covered = set(expand_scope(tag for tags_ in named for tag in tags_))
                if covered:
                    tags = [pt for pt in PRODUCT_TYPES if pt not in covered]
            parsed.limits.append(_limit(value, tags))
    else:
        value = parse_value(max_text)
        if value is not None:
            parsed.limits.append(_limit(value, []))
    if product_type_text and not types:
        low = product_type_text.lower()
        tags = product_tags(product_type_text)
        if low.strip().startswith("not to be used") or "not to be used in" in low:
            parsed.excluded.extend(tags or [])
        elif tags:
            parsed.scope.extend(tags)
    elif types and not values:
        scope: list[str] = []
        for letter_text in types.values():
            scope.extend(product_tags(letter_text) or [])
        if scope and "other" not in " ".join(types.values()).lower():
            parsed.scope.extend(dict.fromkeys(scope))
    for match in _NOT_IN_RE.finditer(other_text or ""):
        phrase = match.group(1)
        if _CHILDREN_RE.search(phrase):
            continue
        for tag in product_tags(phrase) or []:
            if tag not in parsed.excluded:
                parsed.excluded.append(tag)
    if _CHILDREN_RE.search(all_text) and re.search(r"not to be used", all_text, re.IGNORECASE):
        except_tags: list[str] = []
        found = re.search(r"except(?: for| in)?\s+([^.;()]*)", all_text, re.IGNORECASE)
        if found:
            except_tags = product_tags(found.group(1)) or []
        parsed.children_under_3 = {"prohibited": True, "except": except_tags}
    if _NON_PRESERVATIVE_RE.search(all_text):
        parsed.function = "non_preservative"
    return parsed


def _limit(value: tuple[float, str | None], tags: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"max_pct": round(value[0], 10), "applies_to": tags}
    if value[1]:
        out["expressed_as"] = value[1]
    return out


# --- the CosIng annex importer ---------------------------------------------------------

_COSING_COLUMNS: dict[str, tuple[str, ...]] = {
    "ref": ("reference number",),
    "chem": ("chemical name / inn / xan", "chemical name / inn", "chemical name"),
    "inci": (
        "name of common ingredients glossary",
        "colour index number / name of common ingredients glossary",
    ),
    "cas": ("cas number",),
    "ec": ("ec number",),
    "product_type": ("product type, body parts",),
    "max": ("maximum concentration in ready for use preparation",),
    "other": ("other",),
    "warnings": ("wording of conditions of use and warnings",),
    "regulation": ("regulation",),
    "identified": ("identified ingredients or substances e.g.",),
    "cmr": ("cmr",),
    "update": ("update date",),
}


def _norm_header(text: str) -> str:
    return " ".join((text or "").strip().lower().split())


def _cosing_rows(text: str) -> tuple[dict[str, str], list[dict[str, str]], dict[str, str]]:
    """(column map, rows, preamble facts) of a CosIng annex CSV export."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header_index = next(
        (i for i, row in enumerate(rows) if row and _norm_header(row[0]) == "reference number"),
        None,
    )
    if header_index is None:
        raise RegulatoryImportError(
            "not a CosIng annex export: no header row starting with 'Reference number'"
        )
    header = [_norm_header(h) for h in rows[header_index]]
    columns: dict[str, str] = {}
    for field_name, candidates in _COSING_COLUMNS.items():
        for candidate in candidates:
            if candidate in header:
                columns[field_name] = candidate
                break
    if "ref" not in columns or ("chem" not in columns and "inci" not in columns):
        raise RegulatoryImportError("CosIng export without reference number or name columns")
    facts: dict[str, str] = {}
    for row in rows[:header_index]:
        line = ",".join(row)
        if m := re.search(r"file creation date:\s*([\d/]+)", line, re.IGNORECASE):
            facts["file_date"] = m.group(1)
        if m := re.search(r"last update:\s*([\d/]+)", line, re.IGNORECASE):
            facts["last_update"] = m.group(1)
        if m := re.match(r"annex\s+([ivx]+)\b", line.strip(), re.IGNORECASE):
            facts["annex"] = m.group(1).upper()
    out: list[dict[str, str]] = []
    for row in rows[header_index + 1 :]:
        if not row or not any(cell.strip() for cell in row):
            continue
        values = {header[i]: (row[i] if i < len(row) else "") for i in range(len(header))}
        out.append({f: values.get(col, "").strip() for f, col in columns.items()})
    return columns, out, facts


def _iso(text: str) -> str | None:
    m = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", text or "")
    return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if m else None


def _split_names(*texts: str) -> list[str]:
    names: list[str] = []
    for text in texts:
        for part in re.split(r"\s*[/;]\s*", text or ""):
            part = re.sub(r"^\(\*+\)\s*", "", part).strip()
            part = re.sub(r"\s*\(\d+\)$", "", part).strip()
            if part and len(part) <= 80 and part not in names:
                names.append(part)
    return names


def parse_cosing_annex(
    text: str, annex: str, *, file_name: str | None = None, file_sha256: str | None = None
) -> list[dict[str, Any]]:
    """Records of a CosIng annex CSV export (the Commission's column layout)."""
    annex = annex.upper()
    if annex not in ANNEX_LIST_TYPES:
        raise RegulatoryImportError(f"unknown annex {annex!r}; expected II, III, IV, V or VI")
    _, rows, facts = _cosing_rows(text)
    if facts.get("annex") and facts["annex"] != annex:
        raise RegulatoryImportError(
            f"the file is an export of Annex {facts['annex']}, not Annex {annex}"
        )
    list_type = ANNEX_LIST_TYPES[annex]
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in rows:
        ref = row.get("ref", "").strip()
        chem = row.get("chem", "").strip()
        if not ref or chem.lower().startswith("moved or deleted"):
            continue
        entry_ref = f"Annex {annex}/{ref}"
        if entry_ref in seen:
            entry_ref = f"{entry_ref} ({len([s for s in seen if s.startswith(entry_ref)]) + 1})"
        seen.add(entry_ref)
        inci = row.get("inci", "")
        names = (
            _split_names(inci, row.get("identified", ""))
            if annex != "II"
            else _split_names(row.get("identified", ""))
        )
        name = chem or (names[0] if names else ref)
        parsed = parse_conditions(
            row.get("product_type", ""),
            row.get("max", ""),
            row.get("other", ""),
            row.get("warnings", ""),
        )
        rule = (
            parsed.rule()
            if list_type != "prohibited"
            else {"limits": [], "scope": [], "excluded": []}
        )
        for key_name, column in (("conditions", "other"), ("warnings", "warnings"), ("cmr", "cmr")):
            if row.get(column):
                rule[key_name] = row[column]
        source_text = " | ".join(
            f"{label}: {row[c]}"
            for label, c in (("Product type", "product_type"), ("Maximum", "max"))
            if row.get(c)
        )
        if source_text:
            rule["source_text"] = source_text
        records.append(
            {
                "authority": "EU",
                "list_type": list_type,
                "entry_ref": entry_ref[:100],
                "name": name,
                "names": list(dict.fromkeys([name, *names])),
                "cas": [c for c in find_cas_numbers(row.get("cas", ""))],
                "rule": rule,
                "source": {
                    "document": (
                        f"Regulation (EC) No 1223/2009, Annex {annex}, EU CosIng export"
                        + (
                            f" (file created {facts['file_date']})"
                            if facts.get("file_date")
                            else ""
                        )
                        + (
                            f", annex last update {facts['last_update']}"
                            if facts.get("last_update")
                            else ""
                        )
                    ),
                    "entry": entry_ref,
                    "date": _iso(row.get("update", "")),
                    "regulation": row.get("regulation") or None,
                    "file": file_name,
                    "file_sha256": file_sha256,
                    "origin": "cosing",
                },
                "verified": True,
                "verification_note": (
                    "Imported from the CosIng export named in the source; limits parsed from the "
                    "export's free text" + ("; " + "; ".join(parsed.notes) if parsed.notes else "")
                ),
                "effective_date": None,
            }
        )
    return records


# --- the TFDA list format ------------------------------------------------------------

TFDA_CSV_COLUMNS = (
    "list_type",
    "entry_ref",
    "name",
    "names",
    "cas",
    "product_type",
    "max_concentration",
    "conditions",
    "warnings",
    "document",
    "announcement_date",
    "effective_date",
    "verified",
)


def parse_tfda_file(
    text: str, *, file_name: str | None = None, file_sha256: str | None = None
) -> list[dict[str, Any]]:
    """Records of a TFDA list file: a JSON list of records (the shipped format) or a CSV
    with the columns of TFDA_CSV_COLUMNS (limits as free text, parsed like CosIng's)."""
    stripped = text.lstrip("\ufeff").lstrip()
    records: list[dict[str, Any]] = []
    if stripped.startswith("["):
        try:
            raw = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise RegulatoryImportError(f"invalid JSON: {exc}") from exc
        for index, item in enumerate(raw):
            if not isinstance(item, dict) or not {"list_type", "entry_ref", "name"} <= set(item):
                raise RegulatoryImportError(
                    f"record {index}: needs at least list_type, entry_ref and name"
                )
            record = dict(item)
            record["authority"] = "TFDA"
            record.setdefault("rule", {"limits": [], "scope": [], "excluded": []})
            record.setdefault("names", [record["name"]])
            record.setdefault("cas", [])
            record["source"] = {**(record.get("source") or {}), "origin": "tfda-file"}
            record["source"].setdefault("file", file_name)
            records.append(record)
    else:
        reader = csv.DictReader(io.StringIO(stripped))
        missing = {"list_type", "entry_ref", "name"} - set(reader.fieldnames or ())
        if missing:
            raise RegulatoryImportError(f"TFDA CSV without column(s): {', '.join(sorted(missing))}")
        for row in reader:
            parsed = parse_conditions(
                row.get("product_type", ""),
                row.get("max_concentration", ""),
                row.get("conditions", ""),
                row.get("warnings", ""),
            )
            rule = parsed.rule()
            for key_name in ("conditions", "warnings"):
                if row.get(key_name):
                    rule[key_name] = row[key_name]
            names = [n.strip() for n in (row.get("names") or "").split("|") if n.strip()]
            records.append(
                {
                    "authority": "TFDA",
                    "list_type": row["list_type"].strip(),
                    "entry_ref": row["entry_ref"].strip()[:100],
                    "name": row["name"].strip(),
                    "names": list(dict.fromkeys([row["name"].strip(), *names])),
                    "cas": find_cas_numbers(row.get("cas", "")),
                    "rule": rule,
                    "source": {
                        "document": row.get("document") or "TFDA list (document not given)",
                        "entry": row["entry_ref"].strip(),
                        "date": row.get("announcement_date") or None,
                        "file": file_name,
                        "file_sha256": file_sha256,
                        "origin": "tfda-file",
                    },
                    "verified": (row.get("verified") or "").strip().lower() in ("1", "true", "yes"),
                    "verification_note": None,
                    "effective_date": row.get("effective_date") or None,
                }
            )
    for record in records:
        if record["list_type"] not in TFDA_LIST_TYPES:
            raise RegulatoryImportError(
                f"{record['entry_ref']!r}: list_type must be one of {', '.join(TFDA_LIST_TYPES)}"
            )
        for item in (record.get("rule") or {}).get("limits") or []:
            for tag in item.get("applies_to") or []:
                if tag not in SCOPE_TAGS:
                    raise RegulatoryImportError(f"{record['entry_ref']!r}: unknown scope {tag!r}")
    return records


async def import_file(
    session: AsyncSession,
    *,
    source: str,
    content: bytes,
    file_name: str | None = None,
    annex: str | None = None,
    requested_by: uuid.UUID | None = None,
) -> tuple[RegulatoryImport, ChangeReport]:
    """Import one official file: `source` "cosing" (with `annex`) or "tfda"."""
    sha = hashlib.sha256(content).hexdigest()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    if source == "cosing":
        if not annex:
            raise RegulatoryImportError("a CosIng import needs the annex (II, III, IV, V or VI)")
        records = parse_cosing_annex(text, annex, file_name=file_name, file_sha256=sha)
        scopes = {("EU", ANNEX_LIST_TYPES[annex.upper()])}
        label = f"cosing:Annex {annex.upper()}"
    elif source == "tfda":
        records = parse_tfda_file(text, file_name=file_name, file_sha256=sha)
        scopes = {("TFDA", str(r["list_type"])) for r in records}
        label = "tfda:" + ",".join(sorted(lt for _, lt in scopes))
    else:
        raise RegulatoryImportError(f"unknown source {source!r}; expected cosing or tfda")
    if not records:
        raise RegulatoryImportError("the file holds no entries")
    run, report = await sync_records(
        session,
        records,
        source=source,
        scopes=scopes,
        scope_label=label,
        file_name=file_name,
        file_sha256=sha,
        requested_by=requested_by,
    )
    assert run is not None
    return run, report


# --- reading the store -----------------------------------------------------------------


async def store_version(session: AsyncSession) -> tuple[int, datetime | None]:
    row = (
        await session.execute(
            select(func.count(RegulatoryEntry.id), func.max(RegulatoryEntry.updated_at)).where(
                RegulatoryEntry.removed_at.is_(None)
            )
        )
    ).one()
    return int(row[0]), row[1]


async def active_records(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(RegulatoryEntry).where(RegulatoryEntry.removed_at.is_(None))
    )
    return [row_to_record(row) for row in rows]


_SNAPSHOT: dict[str, Any] = {"version": None, "snapshot": None}


async def get_snapshot(session: AsyncSession) -> RegulatorySnapshot:
    """The engine's snapshot of the store, rebuilt only when the store changed. An empty
    store (shipped data not loaded yet) answers from the shipped data."""
    count, updated = await store_version(session)
    if count == 0:
        return shipped_snapshot()
    version = f"{count}@{updated.isoformat() if updated else ''}"
    if _SNAPSHOT["version"] != version or _SNAPSHOT["snapshot"] is None:
        _SNAPSHOT["snapshot"] = build_snapshot(await active_records(session), version=version)
        _SNAPSHOT["version"] = version
    snapshot: RegulatorySnapshot = _SNAPSHOT["snapshot"]
    return snapshot


def invalidate_snapshot() -> None:
    _SNAPSHOT["version"] = None
    _SNAPSHOT["snapshot"] = None


async def sync_status(session: AsyncSession, *, recent: int = 20) -> dict[str, Any]:
    """Counts per list, last sync, and the most recent change reports."""
    rows = (
        await session.execute(
            select(
                RegulatoryEntry.authority,
                RegulatoryEntry.list_type,
                func.count(RegulatoryEntry.id),
                func.count(RegulatoryEntry.id).filter(RegulatoryEntry.verified.is_(True)),
                func.max(RegulatoryEntry.last_synced_at),
            )
            .where(RegulatoryEntry.removed_at.is_(None))
            .group_by(RegulatoryEntry.authority, RegulatoryEntry.list_type)
            .order_by(RegulatoryEntry.authority, RegulatoryEntry.list_type)
        )
    ).all()
    imports = (
        await session.scalars(
            select(RegulatoryImport).order_by(RegulatoryImport.started_at.desc()).limit(recent)
        )
    ).all()
    return {
        "lists": [
            {
                "authority": a,
                "list_type": lt,
                "entries": n,
                "verified": v,
                "unverified": n - v,
                "last_synced_at": last,
            }
            for a, lt, n, v, last in rows
        ],
        "imports": list(imports),
        "shipped_entries": len(load_shipped_records()),
    }


async def get_import(session: AsyncSession, import_id: uuid.UUID) -> RegulatoryImport:
    run = await session.get(RegulatoryImport, import_id)
    if run is None:
        raise RegulatoryImportNotFound("No such import.")
    return run


async def check_product(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> tuple[CheckResult, str]:
    """The product's formula (PIF item 3) against the store, for its product type.
    A product of another organisation is "not found" (the products ACL gate)."""
    from pifai.models.ingredient import ProductIngredient
    from pifai.services.products import get_product_for_org

    product = await get_product_for_org(session, product_id, org_id)
    rows = (
        await session.scalars(
            select(ProductIngredient)
            .where(ProductIngredient.product_id == product.id, ProductIngredient.org_id == org_id)
            .order_by(ProductIngredient.sort_order)
        )
    ).all()
    items = [
        FormulaItem(
            name=row.inci or row.raw_name,
            cas=row.cas,
            concentration_pct=row.concentration,
            function=row.function,
        )
        for row in rows
    ]
    snapshot = await get_snapshot(session)
    result = snapshot.check(items, product.product_type, children_under_3=product.children_under_3)
    return result, snapshot.version


async def sync_from_request(
    session: AsyncSession,
    authority: str,
    records: Sequence[dict[str, Any]] | None,
    *,
    admin_id: uuid.UUID,
) -> RegulatoryImport:
    """The super admin's sync: the records given (TFDA's documented JSON format), or the
    shipped data of that authority when none are given. Returns the recorded run."""
    if records:
        rows = [{**record, "authority": authority} for record in records]
        if authority == "TFDA":
            rows = parse_tfda_file(json.dumps(rows), file_name="api")
        run, _ = await sync_records(
            session,
            rows,
            source=authority.lower(),
            scopes={(authority, str(r.get("list_type"))) for r in rows},
            scope_label=f"{authority.lower()}:api",
            file_name="api",
            requested_by=admin_id,
        )
    else:
        run, _ = await load_shipped(
            session, authority=authority, requested_by=admin_id, always_record=True
        )
    invalidate_snapshot()
    assert run is not None  # always_record / explicit records: a run is written
    return run
