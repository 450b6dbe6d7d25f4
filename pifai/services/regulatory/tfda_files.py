"""TFDA list files in the documented format (``pifai/data/regulatory/README.md``): a
JSON list of records (the shipped format) or a CSV with the columns of
``TFDA_CSV_COLUMNS`` (limits as free text, parsed like CosIng's)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pifai.ai.ingredient_validator import find_cas_numbers
from pifai.ai.regulatory import SCOPE_TAGS
from pifai.domain import LIST_TYPES
from pifai.services.regulatory.errors import RegulatoryImportError
from pifai.services.regulatory.limits import parse_conditions

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
    if stripped.startswith("["):
        records = _json_records(stripped, file_name)
    else:
        records = _csv_records(stripped, file_name, file_sha256)
    return check_tfda_records(records)


def check_tfda_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every record names one of the five lists and only scopes the engine knows."""
    for record in records:
        _check_record(record)
    return records


def _json_records(text: str, file_name: str | None) -> list[dict[str, Any]]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegulatoryImportError(f"invalid JSON: {exc}") from exc
    records: list[dict[str, Any]] = []
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
    return records


def _csv_records(text: str, file_name: str | None, file_sha256: str | None) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"list_type", "entry_ref", "name"} - set(reader.fieldnames or ())
    if missing:
        raise RegulatoryImportError(f"TFDA CSV without column(s): {', '.join(sorted(missing))}")
    return [_csv_record(row, file_name, file_sha256) for row in reader]


def _csv_record(
    row: dict[str, str], file_name: str | None, file_sha256: str | None
) -> dict[str, Any]:
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
    return {
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


def _check_record(record: dict[str, Any]) -> None:
    """A TFDA record names one of the five lists and only scopes the engine knows."""
    if record["list_type"] not in LIST_TYPES:
        raise RegulatoryImportError(
            f"{record['entry_ref']!r}: list_type must be one of {', '.join(LIST_TYPES)}"
        )
    for item in (record.get("rule") or {}).get("limits") or []:
        for tag in item.get("applies_to") or []:
            if tag not in SCOPE_TAGS:
                raise RegulatoryImportError(f"{record['entry_ref']!r}: unknown scope {tag!r}")
