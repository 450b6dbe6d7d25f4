"""Building the shipped ingredient dictionary (``pifai data build-dictionary``) from the
official data beside the project (``../shared/data``, see its PROVENANCE.md): the EU
CosIng inventory of 2021 (names, every CAS and EC number, functions, the reference and
update date of each entry), the 2026 CosIng name list for the names the inventory lacks,
and the Traditional Chinese names derived from IECIC 2021. Our own format, not a copy
of the files: every row cites its source (by a key into ``sources.json``) and entry."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pifai.core.errors import ValidationFailed
from pifai.services.ingredient_import.cosing import CosingReport, parse_cosing
from pifai.services.ingredient_import.cosing_names import CosingNamesReport, parse_cosing_names
from pifai.services.ingredient_import.iecic import (
    OPENCC_CONFIG,
    AttachReport,
    IecicReport,
    attach_iecic,
    parse_iecic,
)
from pifai.services.ingredient_import.shipped import (
    FORMAT,
    ROWS_FILE,
    SOURCES_FILE,
    write_rows,
)
from pifai.services.ingredient_import.staging import Stage

# What each source is (from shared/data/PROVENANCE.md); its hash, size and data date are
# read from the file at build time.
SOURCES: dict[str, dict[str, str]] = {
    "cosing-2021": {
        "file": "cosing-inventory/cosing_ingredients.csv.gz",
        "title": "EU CosIng ingredient inventory (Commission export COSING_Ingredients-"
        "Fragrance Inventory_v2, sheet COSING_D, as converted to CSV with snake_case "
        "headers by GitHub Kaw-Aii/skintwinformx @ 6779ddd1)",
        "entry": "COSING Ref No and update date",
    },
    "cosing-2026": {
        "file": "cosing-inventory/cosing_functions.json",
        "title": "EU CosIng INCI names with functions, enumerated from the CosIng search API "
        "(GitHub go-bananas-wwj/olaiya_front data/seed/cosing_functions.json @ 142ac0e2); "
        "names and functions only, no CAS, EC or reference number",
        "entry": "INCI name",
    },
    "iecic-2021": {
        "file": "iecic/1686130272110055533.xlsx",
        "title": "NMPA 已使用化妆品原料目录（2021年版） (IECIC 2021, NMPA announcement 2021 "
        "No. 62; the xlsx as held in GitHub willisXu/AILAWFORBEAUTY @ f4581a80)",
        "entry": "序号 (serial)",
    },
}


_INVENTORY_COUNTS = ("rows", "ingredients", "duplicates", "skipped", "cas_numbers", "invalid_cas")


class DictionarySourcesMissing(ValidationFailed):
    code = "dictionary_sources_missing"


@dataclass(slots=True)
class BuildReport:
    rows: int
    cosing: CosingReport
    cosing_names: CosingNamesReport
    iecic: IecicReport
    attached: AttachReport
    ambiguous_derived_names: int
    bytes_rows: int
    bytes_sources: int


def _source_meta(key: str, data: bytes) -> dict[str, Any]:
    return {
        **SOURCES[key],
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }


def _read(root: Path) -> dict[str, bytes]:
    missing = [s["file"] for s in SOURCES.values() if not (root / s["file"]).is_file()]
    if missing:
        raise DictionarySourcesMissing(
            f"Not found under {root}: {', '.join(missing)} (see shared/data/PROVENANCE.md)."
        )
    return {key: (root / s["file"]).read_bytes() for key, s in SOURCES.items()}


def _newest_update(stages: list[Stage]) -> str | None:
    dates = [s.cosing_updated for s in stages if s.cosing_updated is not None]
    return max(dates).isoformat() if dates else None


def _ambiguous(stages: list[Stage]) -> int:
    """Derived names that two or more rows carry (the matcher refuses to choose)."""
    owners: dict[str, set[str]] = {}
    for stage in stages:
        for name in stage.zh_derived:
            owners.setdefault(name, set()).add(stage.inci_key)
    return sum(1 for keys in owners.values() if len(keys) > 1)


def build_dictionary(
    root: Path, rows_file: Path = ROWS_FILE, sources_file: Path = SOURCES_FILE
) -> BuildReport:
    """Read the three sources under ``root`` and write the shipped dictionary."""
    data = _read(root)
    stages, cosing = parse_cosing(data["cosing-2021"])
    for stage in stages:
        stage.source = "cosing-2021"
        stage.description = None  # text, not identity: `pifai data import-cosing` adds it
        stage.iecic = []  # the shipped file owns the IECIC facts of every row it has
    names, names_report = parse_cosing_names(
        data["cosing-2026"], {s.inci_key for s in stages}, source="cosing-2026"
    )
    for stage in names:
        stage.iecic = []
    stages += names
    entries, iecic_report = parse_iecic(data["iecic-2021"])
    attached = attach_iecic({s.inci_key: s for s in stages}, entries)
    sources = {key: _source_meta(key, data[key]) for key in SOURCES}
    sources["cosing-2021"]["date"] = _newest_update(stages)
    sources["cosing-2021"]["entries"] = cosing.rows
    sources["cosing-2026"]["date"] = (names_report.collected_at or "")[:10] or None
    sources["cosing-2026"]["entries"] = names_report.names
    sources["iecic-2021"]["date"] = "2021"
    sources["iecic-2021"]["entries"] = iecic_report.rows
    sources["iecic-2021"]["conversion"] = (
        f"Chinese names converted to Traditional Chinese with Taiwan phrases by OpenCC "
        f"{version('opencc')} ({OPENCC_CONFIG}): derived names, not Taiwan label names"
    )
    stages.sort(key=lambda s: s.inci_key)
    rows_bytes = write_rows(stages, rows_file)
    ambiguous = _ambiguous(stages)
    report = {
        "rows": len(stages),
        "cosing_inventory": {k: v for k, v in asdict(cosing).items() if k in _INVENTORY_COUNTS},
        "cosing_names": {k: v for k, v in asdict(names_report).items() if "example" not in k},
        "iecic": {k: v for k, v in asdict(iecic_report).items() if k != "unreadable"},
        "iecic_attached": {k: v for k, v in asdict(attached).items() if "example" not in k},
        "ambiguous_derived_names": ambiguous,
    }
    document = {"format": FORMAT, "sources": sources, "build": report}
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    sources_file.write_text(text, encoding="utf-8")
    return BuildReport(
        rows=len(stages),
        cosing=cosing,
        cosing_names=names_report,
        iecic=iecic_report,
        attached=attached,
        ambiguous_derived_names=ambiguous,
        bytes_rows=rows_bytes,
        bytes_sources=len(text.encode()),
    )
