"""One official TFDA open-data record (Chinese column names) as a store record in the
shipped format (``pifai/data/regulatory/README.md``, "Format"): its names, CAS numbers,
the rule ``limits_zh`` reads from its limit text, and a citation that keeps the record's
own words (``source.raw``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pifai.services.regulatory.limits_zh import (
    ZhParse,
    parse_colorant_rules,
    parse_limits_zh,
    parse_prohibited_note,
)
from pifai.services.regulatory.tfda_lists import (
    COLORANT_CODE_SOURCE,
    COLORANT_CODES,
    TfdaList,
    column_key,
)
from pifai.services.regulatory.tfda_names import (
    Names,
    display_name,
    fold,
    read_cas,
    split_names,
)

_HAIR_DYE_SUFFIX = re.compile(r"\s*不得使用於染髮用途化粧品\s*$")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True, slots=True)
class Origin:
    """What every record of one file shares."""

    file_name: str | None
    file_sha256: str | None
    export_date: str | None
    format: str


@dataclass(slots=True)
class Built:
    record: dict[str, Any]
    status: str  # structured | partial | text_only | no_limit_text
    cas_rejected: list[str]


class Unreadable(ValueError):
    """A row that cannot be read as an entry (the report names it and why)."""


def cell(raw: Mapping[str, Any], lst: TfdaList, field_name: str) -> str:
    """A column of the record, whatever the spelling of its name ("CAS_NO."/"CAS_No.")."""
    wanted = column_key(lst.columns[field_name])
    for key, value in raw.items():
        if column_key(str(key)) == wanted:
            return "" if value is None else str(value)
    return ""


def build_record(lst: TfdaList, raw: Mapping[str, Any], origin: Origin) -> Built:
    number = fold(cell(raw, lst, "no"))
    if not number:
        raise Unreadable("no 編號")
    if not fold(cell(raw, lst, "name")):
        raise Unreadable("no name")
    names = Names()
    if lst.list_type == "prohibited":
        name, parsed = _prohibited(lst, raw, names)
    elif lst.list_type == "colorant":
        name, parsed = _colorant(lst, raw, names)
    else:
        name, parsed = _table(lst, raw, names, number)
    cas, rejected = read_cas(cell(raw, lst, "cas")) if "cas" in lst.columns else ([], [])
    rule = parsed.rule()
    if "warnings" in lst.columns and (warnings := fold(cell(raw, lst, "warnings"))):
        rule["warnings"] = warnings
    if text := _source_text(lst, raw):
        rule["source_text"] = text
    source = _source(lst, raw, origin, number, names, rejected)
    record = {
        "authority": "TFDA",
        "list_type": lst.list_type,
        "entry_ref": f"No. {number}"[:100],
        "name": name,
        "names": list(dict.fromkeys([name, *names.names])),
        "cas": cas,
        "rule": rule,
        "source": source,
        "verified": True,
        "verification_note": _verification_note(lst, origin, number, parsed, names, rejected),
        "effective_date": None,
    }
    return Built(record, parsed.status(), rejected)


def _prohibited(lst: TfdaList, raw: Mapping[str, Any], names: Names) -> tuple[str, ZhParse]:
    """The name; a "不得使用於染髮用途化粧品" after it (prohibited in hair dyes only) and the
    lines after the first of a long name (the BSE entry) are read with the 備註."""
    raw_name = cell(raw, lst, "name").strip()
    extra = ""
    if len(fold(raw_name)) > 160 and "\n" in raw_name and _CJK.search(raw_name):
        raw_name, extra = raw_name.split("\n", 1)
    folded = fold(raw_name)
    name_scope = ""
    if match := _HAIR_DYE_SUFFIX.search(folded):
        name_scope, folded = match.group(0).strip(), folded[: match.start()]
    split_names(folded, names)
    note = "\n".join(t for t in (extra, cell(raw, lst, "note")) if t.strip())
    return display_name(folded), parse_prohibited_note(note, name_scope=name_scope)


def _table(lst: TfdaList, raw: Mapping[str, Any], names: Names, number: str) -> tuple[str, ZhParse]:
    """Restricted, preservative and UV-filter rows (the same eight columns)."""
    chemical = cell(raw, lst, "name")
    split_names(chemical, names)
    for line in re.split(r"[\r\n]+", cell(raw, lst, "inci")):
        split_names(line, names)
    parsed = parse_limits_zh(
        cell(raw, lst, "types"),
        cell(raw, lst, "max"),
        cell(raw, lst, "rules"),
        group_prefix=f"TFDA:{lst.list_type}",
        entry_no=number,
    )
    if lst.list_type == "preservative":
        parsed.function = "preservative"
    elif lst.list_type == "restricted" and any(f.startswith("註") for f in names.footnotes):
        # The list marks with 註 its entries for the substances that are also on the
        # preservative list (checked against that list in tfda_opendata).
        parsed.function = "non_preservative"
    return display_name(chemical), parsed


def _colorant(lst: TfdaList, raw: Mapping[str, Any], names: Names) -> tuple[str, ZhParse]:
    """A colorant: its CI number or name, the 別名 lines, and the 使用範圍 code."""
    chemical = cell(raw, lst, "name")
    split_names(chemical, names)
    for line in re.split(r"[\r\n]+", cell(raw, lst, "aliases")):
        split_names(line, names)
    parsed = parse_colorant_rules(cell(raw, lst, "rules"), cell(raw, lst, "note"))
    code = fold(cell(raw, lst, "code"))
    parsed.has_limit_text = True
    if code in COLORANT_CODES:
        scope, excluded, _ = COLORANT_CODES[code]
        parsed.read_code = True
        parsed.scope = list(scope)
        parsed.excluded = list(dict.fromkeys([*excluded, *parsed.excluded]))
    else:
        parsed.keep(f"使用範圍: {code or '(empty)'}", "使用範圍 is not one of the codes 1 to 4")
    return display_name(chemical), parsed


def _source_text(lst: TfdaList, raw: Mapping[str, Any]) -> str:
    fields = [f for f in ("types", "max", "rules", "code", "note") if f in lst.columns]
    return " | ".join(
        f"{lst.columns[f]}: {text}" for f in fields if (text := fold(cell(raw, lst, f)))
    )


def _source(
    lst: TfdaList,
    raw: Mapping[str, Any],
    origin: Origin,
    number: str,
    names: Names,
    rejected: list[str],
) -> dict[str, Any]:
    source: dict[str, Any] = {
        "document": lst.document,
        "dataset": lst.dataset_text,
        "entry": f"編號 {number}",
        "date": origin.export_date,
        "url": lst.url,
        "export_url": lst.export_url,
        "file": origin.file_name,
        "file_sha256": origin.file_sha256,
        "format": origin.format,
        "origin": "tfda-opendata",
        "announcement": lst.announcement,
        "raw": {str(k): v for k, v in raw.items() if v is None or isinstance(v, str)},
    }
    if lst.list_type == "colorant":
        code = fold(cell(raw, lst, "code"))
        meaning = COLORANT_CODES.get(code)
        source["scope_code"] = code
        if meaning:
            source["scope_code_meaning"] = meaning[2]
            source["scope_code_source"] = COLORANT_CODE_SOURCE
    if names.footnotes:
        source["footnotes"] = names.footnotes
    if rejected:
        source["cas_rejected"] = rejected
    return source


def _verification_note(
    lst: TfdaList,
    origin: Origin,
    number: str,
    parsed: ZhParse,
    names: Names,
    rejected: list[str],
) -> str:
    dated = f"dated {origin.export_date}" if origin.export_date else "of unknown date"
    parts = [
        f"Read from the official TFDA open-data record 編號 {number} of 「{lst.dataset}」 in a "
        f"third-party copy of TFDA's open data {dated} ({origin.file_name or 'file not named'}, "
        f"{origin.format}); not compared with the announced table."
    ]
    if parsed.kept:
        parts.append(
            "Clauses the engine cannot express are kept in rule.conditions (not enforced)."
        )
    if lst.list_type == "colorant" and parsed.scope + parsed.excluded:
        parts.append(
            "使用範圍 code read as the data set's own page defines it (source.scope_code_source)."
        )
    if parsed.function == "non_preservative":
        parts.append(
            "Marked 註 in the data set (the note's text is not in the open data); read as the "
            "entry for the uses other than as a preservative of a substance that is also on "
            "the preservative list (source.also_on_list)."
        )
    markers = [f for f in names.footnotes if not f.startswith("註")]
    if markers and lst.list_type != "colorant":
        parts.append(
            f"Footnote marker(s) {'; '.join(markers)}: their text is not in the open data."
        )
    if rejected:
        parts.append(f"CAS {', '.join(rejected)} fail(s) the check digit and is left out.")
    return " ".join(parts)
