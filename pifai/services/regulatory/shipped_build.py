"""The shipped regulatory data (pifai/data/regulatory/*.json) rebuilt from the official
exports beside the project (../shared/data, see its PROVENANCE.md) and the curation kept
in pifai/data/regulatory/curation/: `pifai regulatory build-shipped` (make regulatory-data).

Every live entry of the official exports is shipped as read; a curated entry for the same
substance adds what the export cannot say (member CAS numbers of group entries, Chinese
names, group sums, exemptions), and the row records exactly what curation added. A curated
entry the current export no longer has is not shipped (the law dropped or moved it) and is
listed in the build report. The same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pifai.ai.ingredient_validator import name_key
from pifai.services.regulatory.cosing_annex import parse_cosing_annex
from pifai.services.regulatory.errors import RegulatoryImportError
from pifai.services.regulatory.tfda_opendata import parse_tfda_opendata

CURATION_DIR = Path(__file__).resolve().parents[2] / "data" / "regulatory" / "curation"

# The official exports, as PROVENANCE.md lists them: path under shared/data, and the
# public copy it was taken from (repository, commit, folder).
EU_EXPORTS: dict[str, tuple[str, tuple[str, str, str]]] = {
    "II": (
        "cosing-annexes-2026/2026-06-18/COSING_Annex_II_v2.txt",
        ("DevByGot/TrendFormulate", "ed09a1a09d12506311d898ac7dbe868b922456dc", "cosing/"),
    ),
    "III": (
        "cosing-annexes-2026/2026-06-18/COSING_Annex_III_v2.txt",
        ("DevByGot/TrendFormulate", "ed09a1a09d12506311d898ac7dbe868b922456dc", "cosing/"),
    ),
    "IV": (
        "cosing-annexes-2026/2026-09-09/annex_IV.csv",
        ("Waiga/on-the-list", "bc6c171c162bfa7685dbe75715115f271f72a1ce", "on_the_list/data/"),
    ),
    "V": (
        "cosing-annexes-2026/2026-09-09/annex_V.csv",
        ("Waiga/on-the-list", "bc6c171c162bfa7685dbe75715115f271f72a1ce", "on_the_list/data/"),
    ),
    "VI": (
        "cosing-annexes-2026/2026-09-09/annex_VI.csv",
        ("Waiga/on-the-list", "bc6c171c162bfa7685dbe75715115f271f72a1ce", "on_the_list/data/"),
    ),
}

# TFDA's five open-data lists (data.fda.gov.tw), the official records kept in `raw`.
TFDA_EXPORT = (
    "tfda/labelpass-2026-06-25/tw-cosmetics-rules.json",
    ("annaandaglobal-svg/labelpass-taiwan-regtech", "569f6599b60c1c5845f0330151d4635c5bcfec99",
     "data/rules/"),
)  # fmt: skip

OUTPUT_FILES: dict[tuple[str, str], str] = {
    ("EU", "prohibited"): "eu_annex_ii_prohibited.json",
    ("EU", "restricted"): "eu_annex_iii_restricted.json",
    ("EU", "colorant"): "eu_annex_iv_colorants.json",
    ("EU", "preservative"): "eu_annex_v_preservatives.json",
    ("EU", "uv_filter"): "eu_annex_vi_uv_filters.json",
    ("TFDA", "prohibited"): "tfda_prohibited.json",
    ("TFDA", "restricted"): "tfda_restricted.json",
    ("TFDA", "colorant"): "tfda_colorants.json",
    ("TFDA", "preservative"): "tfda_preservatives.json",
    ("TFDA", "uv_filter"): "tfda_uv_filters.json",
    ("ECHA", "classification"): "echa_cmr_classifications.json",
}

# Curated entries read from the 2016 exports whose reference the current export writes
# otherwise (butyl- and propylparaben: "12 bis" in 2016, "12 a" in the 2026 export).
_RENUMBERED = {"EU:preservative:Annex V/12 bis": "EU:preservative:Annex V/12 a"}

# Rule fields only curation can give; copied where the official entry has none.
_CURATED_RULE_FIELDS = ("groups", "exempt", "function", "disclosure")
_CMR_1A_1B = re.compile(r"\b(?:cat\.?\s*)?1\s*[AB]\b", re.IGNORECASE)


@dataclass(slots=True)
class BuildReport:
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    dropped_curation: list[dict[str, str]] = field(default_factory=list)
    curated_merges: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Build:
    records: dict[tuple[str, str], list[dict[str, Any]]]
    report: BuildReport


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def curated_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted(CURATION_DIR.glob("*.json")):
        for record in json.loads(path.read_text(encoding="utf-8")):
            record["_curation_file"] = f"pifai/data/regulatory/curation/{path.name}"
            records.append(record)
    return records


def eu_records(shared: Path) -> list[dict[str, Any]]:
    """Every live entry of the five annex exports, each citing its file and copy."""
    out: list[dict[str, Any]] = []
    for annex, (relative, copy) in EU_EXPORTS.items():
        path = shared / relative
        if not path.exists():
            raise RegulatoryImportError(f"official export missing: {path}")
        records = parse_cosing_annex(
            path.read_text(encoding="utf-8"), annex, file_name=relative, file_sha256=_sha256(path)
        )
        repository, commit, folder = copy
        for record in records:
            record["source"].update(
                repository=repository,
                commit=commit,
                path=folder + Path(relative).name,
                origin="official_export",
            )
        out.extend(records)
    return out


def tfda_records(shared: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Every entry of TFDA's five lists, and the parse report's lines."""
    relative, (repository, commit, folder) = TFDA_EXPORT
    path = shared / relative
    if not path.exists():
        raise RegulatoryImportError(f"official export missing: {path}")
    parsed = parse_tfda_opendata(
        path.read_text(encoding="utf-8"), file_name=relative, file_sha256=_sha256(path)
    )
    for record in parsed.records:
        record["source"].update(
            repository=repository,
            commit=commit,
            path=folder + Path(relative).name,
            export_date=parsed.report.export_date,
            origin="official_export",
        )
    return parsed.records, parsed.report.lines()


def _identity(record: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    cas = set(record.get("cas") or ())
    names = {name_key(n) for n in record.get("names") or (record["name"],) if len(n) <= 120}
    return cas, {n for n in names if n}


def _counterpart(
    curated: Mapping[str, Any], official: dict[str, dict[str, Any]], pool: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The official entry a curated one is about: the same reference, else (TFDA, whose
    curated rows are keyed by name) the entry of the same list sharing a CAS or a name."""
    key = f"{curated['authority']}:{curated['list_type']}:{curated['entry_ref']}"
    key = _RENUMBERED.get(key, key)
    if key in official:
        return official[key]
    if curated["authority"] == "EU":
        return None
    cas, names = _identity(curated)
    for record in pool:
        if (record["authority"], record["list_type"]) != (
            curated["authority"],
            curated["list_type"],
        ):
            continue
        other_cas, other_names = _identity(record)
        if (cas and cas & other_cas) or (names & other_names):
            return record
    return None


def merge_curation(record: dict[str, Any], curated: Mapping[str, Any]) -> bool:
    """Add what curation knows that the export does not say; record it on the row."""
    added: dict[str, Any] = {}
    names = [n for n in curated.get("names") or () if n not in record["names"]]
    cas = [c for c in curated.get("cas") or () if c not in record["cas"]]
    if names:
        record["names"] = [*record["names"], *names]
        added["names"] = names
    if cas:
        record["cas"] = [*record["cas"], *cas]
        added["cas"] = cas
    rule_fields = []
    for name in _CURATED_RULE_FIELDS:
        value = (curated.get("rule") or {}).get(name)
        if value and not record["rule"].get(name):
            record["rule"][name] = value
            rule_fields.append(name)
    if rule_fields:
        added["rule"] = rule_fields
    if not added:
        return False
    source = curated.get("source") or {}
    added["from"] = curated.get("_curation_file")
    added["curated_entry"] = curated["entry_ref"]
    note = source.get("member_cas_note") or curated.get("verification_note")
    if note:
        added["note"] = note
    record["source"]["curation"] = added
    return True


def classification_records(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A CMR classification for every annex entry whose CMR column names one (the
    export's secondary record of the CLP harmonised classification), keyed by entry."""
    out: list[dict[str, Any]] = []
    for record in records:
        text = (record.get("rule") or {}).get("cmr")
        # Annex II entries are prohibited outright; the classification adds nothing.
        if record.get("authority") != "EU" or record.get("list_type") == "prohibited":
            continue
        if not text or not record.get("cas"):
            continue
        source = dict(record["source"])
        source["document"] = "CMR column of " + str(source.get("document"))
        out.append(
            {
                "authority": "ECHA",
                "list_type": "classification",
                "entry_ref": f"CMR/{record['entry_ref']}"[:100],
                "name": record["name"],
                "names": list(record["names"]),
                "cas": list(record["cas"]),
                "rule": {
                    "classification_text": text,
                    "cmr_1a_1b": bool(_CMR_1A_1B.search(text)),
                },
                "source": source,
                "verified": True,
                "verification_note": (
                    "The CMR column of the official CosIng export row cited: a secondary "
                    "record of the harmonised classification (Regulation (EC) No 1272/2008, "
                    "Annex VI), not read from Annex VI itself."
                ),
                "effective_date": None,
            }
        )
    return out


def build(shared: Path) -> Build:
    """The shipped records from the exports in ``shared``, with the curation merged in."""
    tfda, tfda_report = tfda_records(shared)
    official = eu_records(shared) + tfda
    by_key = {f"{r['authority']}:{r['list_type']}:{r['entry_ref']}": r for r in official}
    report = BuildReport(notes=tfda_report)
    curated_kept: list[dict[str, Any]] = []
    official_authorities = {"EU", "TFDA"}
    for curated in curated_records():
        if curated["authority"] not in official_authorities:
            curated_kept.append(curated)
            continue
        target = _counterpart(curated, by_key, official)
        if target is None:
            report.dropped_curation.append(
                {
                    "entry": f"{curated['authority']} {curated['entry_ref']}",
                    "name": str(curated["name"])[:120],
                    "reason": "not in the current official export (deleted, moved or renumbered)",
                }
            )
        elif merge_curation(target, curated):
            report.curated_merges += 1
    for curated in curated_kept:
        curated.setdefault("source", {})["origin"] = "curation"
    records: dict[tuple[str, str], list[dict[str, Any]]] = {pair: [] for pair in OUTPUT_FILES}
    for record in [*official, *curated_kept, *classification_records(official)]:
        record.pop("_curation_file", None)
        records[(record["authority"], record["list_type"])].append(record)
    return Build(records, report)


def write(result: Build, out_dir: Path) -> None:
    """One record per line, sorted by entry, so that a new export diffs entry by entry."""
    for pair, name in OUTPUT_FILES.items():
        rows = sorted(result.records[pair], key=lambda r: _ref_order(str(r["entry_ref"])))
        lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows]
        text = "[\n" + ",\n".join(lines) + "\n]\n"
        (out_dir / name).write_text(text, encoding="utf-8")
        origins: dict[str, int] = {}
        for row in rows:
            origin = str(row["source"].get("origin"))
            origins[origin] = origins.get(origin, 0) + 1
        curated = sum(1 for row in rows if row["source"].get("curation"))
        result.report.files[name] = {
            "entries": len(rows),
            "origins": origins,
            "with_curation": curated,
            "bytes": len(text.encode()),
        }


def _ref_order(ref: str) -> tuple[str, int, str]:
    match = re.search(r"(\d+)", ref)
    head = ref[: match.start()] if match else ref
    return (head, int(match.group(1)) if match else 0, ref)


__all__ = ["Build", "BuildReport", "build", "write"]
