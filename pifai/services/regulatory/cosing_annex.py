"""The EU CosIng annex exports (the Commission's CSV layout of Annexes II to VI of
Regulation (EC) No 1223/2009) read into store records."""

from __future__ import annotations

import csv
import re
from typing import Any

from pifai.ai.ingredient_validator import find_cas_numbers, is_valid_cas
from pifai.domain import PRODUCT_TYPES
from pifai.services.cosing_export import read_export
from pifai.services.regulatory.errors import RegulatoryImportError
from pifai.services.regulatory.limits import parse_conditions, parse_value

ANNEX_LIST_TYPES = {
    "II": "prohibited",
    "III": "restricted",
    "IV": "colorant",
    "V": "preservative",
    "VI": "uv_filter",
}


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


def _is_header(line: str) -> bool:
    cells = next(csv.reader([line]), [])
    return bool(cells) and _norm_header(cells[0]) == "reference number"


def _preamble_facts(preamble: list[list[str]]) -> dict[str, str]:
    """File date, annex last update and the annex number, from the lines above the header."""
    facts: dict[str, str] = {}
    for row in preamble:
        line = ",".join(row)
        if m := re.search(r"file creation date:\s*([\d/]+)", line, re.IGNORECASE):
            facts["file_date"] = m.group(1)
        if m := re.search(r"last update:\s*([\d/]+)", line, re.IGNORECASE):
            facts["last_update"] = m.group(1)
        if m := re.match(r"annex\s+([ivx]+)\b", line.strip(), re.IGNORECASE):
            facts["annex"] = m.group(1).upper()
    return facts


def _cosing_rows(text: str) -> tuple[dict[str, str], list[dict[str, str]], dict[str, str]]:
    """(column map, rows, preamble facts) of a CosIng annex CSV export."""
    table = read_export(text, _is_header)
    if table is None:
        raise RegulatoryImportError(
            "not a CosIng annex export: no header row starting with 'Reference number'"
        )
    header = [_norm_header(h) for h in table.header]
    columns: dict[str, str] = {}
    for field_name, candidates in _COSING_COLUMNS.items():
        for candidate in candidates:
            if candidate in header:
                columns[field_name] = candidate
                break
    if "ref" not in columns or ("chem" not in columns and "inci" not in columns):
        raise RegulatoryImportError("CosIng export without reference number or name columns")
    out: list[dict[str, str]] = []
    for row in table.rows:
        if not row or not any(cell.strip() for cell in row):
            continue
        values = {header[i]: (row[i] if i < len(row) else "") for i in range(len(header))}
        out.append({f: values.get(col, "").strip() for f, col in columns.items()})
    return columns, out, _preamble_facts(table.preamble)


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


_EXCEPT_LISTED = re.compile(
    r"(?:with the exception of|except(?: for| those)?)\b[^.]*\b"
    r"(?:annex|annexes)\s+(?:III|IV|V|VI)\b",
    re.I,
)
_HAIR_DYE_ONLY = re.compile(r"when used as (?:a )?substances? in hair dye products", re.I)


def _chemical_names(chem: str) -> list[str]:
    """The names of a chemical-name cell separated by "; " whose brackets balance."""
    out: list[str] = []
    for part in re.split(r";\s+", chem or ""):
        part = _HAIR_DYE_ONLY.sub("", part).strip(" ,;")
        balanced = all(part.count(o) == part.count(c) for o, c in ("()", "[]"))
        if part and balanced and len(part) <= 120 and part not in out:
            out.append(part)
    return out


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
    source = {
        "document": _document(annex, facts),
        "export_date": _iso(facts.get("file_date", "")),
        "file": file_name,
        "file_sha256": file_sha256,
        "origin": "cosing",
    }
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
        records.append(_annex_record(row, annex, entry_ref, source))
    return records


def _document(annex: str, facts: dict[str, str]) -> str:
    document = f"Regulation (EC) No 1223/2009, Annex {annex}, EU CosIng export"
    if facts.get("file_date"):
        document += f" (file created {facts['file_date']})"
    if facts.get("last_update"):
        document += f", annex last update {facts['last_update']}"
    return document


def _annex_record(
    row: dict[str, str], annex: str, entry_ref: str, source: dict[str, Any]
) -> dict[str, Any]:
    """One annex row as a store record; ``source``: what every row of the file shares."""
    list_type = ANNEX_LIST_TYPES[annex]
    inci = row.get("inci", "")
    names = (
        _split_names(inci, row.get("identified", ""))
        if annex != "II"
        else _split_names(row.get("identified", ""))
    )
    chem = row.get("chem", "").strip()
    name = chem or (names[0] if names else row.get("ref", "").strip())
    if annex == "II":
        # "Triadimenol (ISO); (1RS,2RS;...)-1-(4-chlorophenoxy)...": each name on its own.
        names = [*_chemical_names(chem), *names]
    product_type, maximum, other = (
        row.get("product_type", ""),
        row.get("max", ""),
        row.get("other", ""),
    )
    if annex == "IV" and not product_type and parse_value(maximum) is None:
        # The colorant export writes where a colorant may be used in the maximum column
        # ("Rinse-off product", "Not to be used in eye products") and a maximum in "Other".
        product_type, maximum = maximum, other if parse_value(other) else ""
    parsed = parse_conditions(product_type, maximum, other, row.get("warnings", ""))
    rule = (
        parsed.rule() if list_type != "prohibited" else {"limits": [], "scope": [], "excluded": []}
    )
    if list_type == "prohibited" and _EXCEPT_LISTED.search(chem):
        # "Mercury and its compounds, except those special cases included in Annex V":
        # a use that a permitting entry of the other annexes covers is not prohibited.
        rule["except_listed"] = True
    if list_type == "prohibited" and _HAIR_DYE_ONLY.search(chem):
        # Prohibited as a hair dye substance: the engine cannot tell a hair dye from other
        # hair products, so the prohibition holds for every hair product.
        rule["exempt"] = [pt for pt in PRODUCT_TYPES if not pt.endswith("_hair")]
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
    cas_numbers = find_cas_numbers(row.get("cas", ""))
    bad_cas = [c for c in cas_numbers if not is_valid_cas(c)]
    notes = [
        *parsed.notes,
        *(f"CAS {c} as printed fails its check digit; left out" for c in bad_cas),
    ]
    notes_text = "; " + "; ".join(notes) if notes else ""
    return {
        "authority": "EU",
        "list_type": list_type,
        "entry_ref": entry_ref[:100],
        "name": name,
        "names": list(dict.fromkeys([name, *names])),
        "cas": [c for c in cas_numbers if is_valid_cas(c)],
        "rule": rule,
        "source": {
            "document": source["document"],
            "entry": entry_ref,
            "date": _iso(row.get("update", "")),
            "export_date": source["export_date"],
            "regulation": row.get("regulation") or None,
            "file": source["file"],
            "file_sha256": source["file_sha256"],
            "origin": source["origin"],
        },
        "verified": True,
        "verification_note": (
            "Imported from the CosIng export named in the source; limits parsed from the "
            "export's free text" + notes_text
        ),
        "effective_date": None,
    }
