"""Compliance-check latency: a 60-ingredient formula against a full-size regulatory store.

    .venv/bin/python -m bench.compliance [--annex-dir DIR] [--runs 200]

The store is the shipped data plus a full-size EU annex set: the CosIng exports found in
--annex-dir (files named like COSING_Annex.II_v2.csv), else a generated set of the same
size and layout (Annex II 1,700 entries, III 330, IV 160, V 60, VI 30), read by the real
importer. Timings: building the snapshot; one formula with an empty resolution cache
(cold); the same formula again (warm, the goal: < 50 ms). Baseline beside it: the same
lookups done by scanning every entry for every ingredient (what an unindexed engine does).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import time
from pathlib import Path
from typing import Any

from pifai.ai.ingredient_validator import cas_check_digit, name_key
from pifai.ai.regulatory import FormulaItem, RegulatorySnapshot
from pifai.services.regulatory import build_snapshot, load_shipped_records, parse_cosing_annex

SIZES = {"II": 1700, "III": 330, "IV": 160, "V": 60, "VI": 30}
HEADER = [
    "Reference number", "Chemical name / INN", "Name of Common Ingredients Glossary", "CAS Number",
    "EC Number", "Product Type, body parts", "Maximum concentration in ready for use preparation",
    "Other", "Wording of conditions of use and warnings", "Regulation", "Update date",
]  # fmt: skip
TYPES = [
    ("", "0.5%", ""),
    ("a) Rinse-off products b) Leave-on products", "a) 1.0% b) 0.3%", ""),
    ("(a) Oral products (b) Other products", "(b) 0,2 %",
     "(a) (b) The presence of the substance must be indicated in the list of ingredients when "
     "its concentration exceeds: - 0,001 % in leave-on products - 0,01 % in rinse-off products"),
    ("Rinse-off products", "0.1%", "Not to be used in products for children under 3 years of age"),
    ("Not to be used in eye products", "", ""),
]  # fmt: skip


def fake_cas(rng: random.Random) -> str:
    body = f"{rng.randint(10, 9_999_999)}{rng.randint(0, 99):02d}"
    return f"{body[:-2]}-{body[-2:]}-{cas_check_digit(body)}"


def generated_annex(annex: str, rows: int, rng: random.Random) -> str:
    out = io.StringIO()
    out.write(f"sep=,\n\nFile creation date: 01/01/2026\nAnnex {annex},Last update: 01/01/2026\n")
    out.write(f"GENERATED ANNEX {annex}\n\nSubstance identification,Conditions\n\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for ref in range(1, rows + 1):
        types, maximum, other = TYPES[ref % len(TYPES)] if annex != "II" else ("", "", "")
        inci = f"SYNTHETIC {annex} SUBSTANCE {ref}"
        if annex == "IV":
            inci = f"CI {90000 + ref}"
        writer.writerow(
            [str(ref), f"Synthetic chemical {annex}-{ref}", inci, fake_cas(rng), "", types,
             maximum, other, "", "(EC) No 1223/2009", "01/01/2026"]
        )  # fmt: skip
    return out.getvalue()


def full_store(annex_dir: Path | None, rng: random.Random) -> tuple[list[dict[str, Any]], str]:
    records = load_shipped_records()
    origin = []
    for annex, rows in SIZES.items():
        path = annex_dir / f"COSING_Annex.{annex}_v2.csv" if annex_dir else None
        if path is not None and path.exists():
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            origin.append(f"{annex}: {path.name}")
        else:
            text = generated_annex(annex, rows, rng)
            origin.append(f"{annex}: generated {rows}")
        imported = parse_cosing_annex(text, annex)
        shipped_refs = {(r["list_type"], r["entry_ref"]) for r in records}
        records += [r for r in imported if (r["list_type"], r["entry_ref"]) not in shipped_refs]
    return records, ", ".join(origin)


def formula(snap: RegulatorySnapshot, rng: random.Random) -> list[FormulaItem]:
    real = [
        "Water", "Glycerin", "Butylene Glycol", "Niacinamide", "Dimethicone", "Cetearyl Alcohol",
        "Phenoxyethanol", "Methylparaben", "Propylparaben", "Linalool", "Limonene", "Citral",
        "Benzophenone-3", "Homosalate", "Octocrylene", "Titanium Dioxide", "Zinc Oxide",
        "Salicylic Acid", "CI 15510", "CI 77491", "CI 77891", "Tocopherol", "Panthenol",
        "Sodium Benzoate", "Potassium Sorbate", "Benzyl Alcohol", "Xanthan Gum", "Carbomer",
        "苯氧乙醇", "甘油",
    ]  # fmt: skip
    synthetic = [e for e in snap.entries if e.name.startswith("Synthetic chemical")]
    items = [FormulaItem(n, None, round(rng.uniform(0.001, 5), 4), None) for n in real]
    for entry in rng.sample(synthetic, min(20, len(synthetic))):
        items.append(FormulaItem(entry.names[-1], entry.cas[0] if entry.cas else None, 0.1, None))
    for i in range(60 - len(items)):
        items.append(
            FormulaItem(f"Unlisted botanical extract {i}", None, 0.05, "skin conditioning")
        )
    return items[:60]


def naive_lookup(records: list[dict[str, Any]], items: list[FormulaItem]) -> int:
    """Baseline: scan every record for every ingredient (names and CAS)."""
    hits = 0
    for item in items:
        key = name_key(item.name or "")
        for record in records:
            if item.cas and item.cas in record["cas"]:
                hits += 1
            elif any(name_key(n) == key for n in record["names"]):
                hits += 1
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annex-dir", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(8)

    started = time.perf_counter()
    records, origin = full_store(args.annex_dir, rng)
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    snap = build_snapshot(records, version="bench")
    build_s = time.perf_counter() - started
    items = formula(snap, rng)

    cold: list[float] = []
    for _ in range(5):
        snap._cache.clear()
        t0 = time.perf_counter()
        result = snap.check(items, "leave_on_face")
        cold.append(time.perf_counter() - t0)
    warm: list[float] = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = snap.check(items, "leave_on_face")
        warm.append(time.perf_counter() - t0)
    base: list[float] = []
    for _ in range(3):
        t0 = time.perf_counter()
        naive_lookup(records, items)
        base.append(time.perf_counter() - t0)

    warm_ms = statistics.median(warm) * 1000
    p95_ms = sorted(warm)[int(len(warm) * 0.95) - 1] * 1000
    cold_ms = statistics.median(cold) * 1000
    base_ms = statistics.median(base) * 1000
    print(f"store: {len(records)} entries ({origin}); parsed in {parse_s:.2f} s")
    print(f"snapshot build: {build_s * 1000:.0f} ms")
    print(f"formula: {len(items)} ingredients, {len(result.findings)} findings "
          f"({result.counts()})")  # fmt: skip
    print(f"check, cold resolution cache: median {cold_ms:.1f} ms")
    print(f"check, warm: median {warm_ms:.2f} ms, p95 {p95_ms:.2f} ms (goal < 50 ms)")
    print(f"baseline (linear scan, lookups only): median {base_ms:.1f} ms")
    print(f"ratio baseline / warm: {base_ms / warm_ms:.0f}x; ", end="")
    print(f"baseline / cold: {base_ms / cold_ms:.1f}x")
    print("PASS" if warm_ms < 50 else "FAIL: warm check over 50 ms")


if __name__ == "__main__":
    main()
