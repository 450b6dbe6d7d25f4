"""Compliance-check latency: a 60-ingredient formula against the shipped regulatory store
(every live entry of EU Annexes II-VI and the TFDA lists), beside the store as it was
before it was rebuilt from the official exports (the hand-curated entries alone, kept in
pifai/data/regulatory/curation/), in the same run.

    .venv/bin/python -m bench.compliance [--runs 200]

A third run adds the whole shipped ingredient dictionary (~34,000 names) to the full
store, as the service builds it from its tables. Timings per store: building the
snapshot; the formula with an empty resolution cache (cold); the same formula again
(warm, the goal: < 50 ms). The ratio full / curated says what the whole law costs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from pifai.ai.ingredient_validator import DictionaryEntry
from pifai.ai.regulatory import FormulaItem, RegulatorySnapshot
from pifai.services.ingredient_import import read_shipped
from pifai.services.regulatory import build_snapshot, load_shipped_records
from pifai.services.regulatory.shipped_build import curated_records
from pifai.services.regulatory.snapshots import curated_dictionary_rows

REAL = [
    "Water", "Glycerin", "Butylene Glycol", "Niacinamide", "Dimethicone", "Cetearyl Alcohol",
    "Phenoxyethanol", "Methylparaben", "Propylparaben", "Linalool", "Limonene", "Citral",
    "Benzophenone-3", "Homosalate", "Octocrylene", "Titanium Dioxide", "Zinc Oxide",
    "Salicylic Acid", "CI 15510", "CI 77491", "CI 77891", "Tocopherol", "Panthenol",
    "Sodium Benzoate", "Potassium Sorbate", "Benzyl Alcohol", "Xanthan Gum", "Carbomer",
    "苯氧乙醇", "甘油",
]  # fmt: skip


def formula(records: list[dict[str, Any]], rng: random.Random) -> list[FormulaItem]:
    """The 30 common ingredients, 20 regulated substances of the full lists (by name or
    CAS), and 10 names no list has."""
    items = [FormulaItem(n, None, round(rng.uniform(0.001, 5), 4), None) for n in REAL]
    regulated = [r for r in records if r["authority"] == "EU" and r["cas"]]
    for record in rng.sample(regulated, 20):
        items.append(FormulaItem(record["names"][-1], record["cas"][0], 0.1, None))
    items += [FormulaItem(f"Unlisted botanical extract {i}", None, 0.05, None) for i in range(10)]
    return items


def measure(snap: RegulatorySnapshot, items: list[FormulaItem], runs: int) -> dict[str, float]:
    cold: list[float] = []
    for _ in range(5):
        snap._cache.clear()
        started = time.perf_counter()
        snap.check(items, "leave_on_face")
        cold.append(time.perf_counter() - started)
    warm: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        snap.check(items, "leave_on_face")
        warm.append(time.perf_counter() - started)
    return {
        "cold_ms": statistics.median(cold) * 1000,
        "warm_ms": statistics.median(warm) * 1000,
        "p95_ms": sorted(warm)[int(len(warm) * 0.95) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    full_records = load_shipped_records()
    items = formula(full_records, random.Random(8))
    results: dict[str, dict[str, float]] = {}
    stores = (
        ("curated", curated_records(), None),
        ("full", full_records, None),
        ("full+dictionary", full_records, [*curated_dictionary_rows(), *shipped_dictionary()]),
    )
    for label, records, dictionary in stores:
        started = time.perf_counter()
        snap = build_snapshot(records, dictionary_rows=dictionary, version=label)
        build_ms = (time.perf_counter() - started) * 1000
        timing = measure(snap, items, args.runs)
        results[label] = timing
        findings = snap.check(items, "leave_on_face").counts()
        print(
            f"{label:15} store: {len(records):5} entries, snapshot build {build_ms:.0f} ms; "
            f"check cold {timing['cold_ms']:.1f} ms, warm median {timing['warm_ms']:.2f} ms "
            f"(p95 {timing['p95_ms']:.2f} ms); findings {findings}"
        )
    for label in ("full", "full+dictionary"):
        cold = results[label]["cold_ms"] / results["curated"]["cold_ms"]
        warm = results[label]["warm_ms"] / results["curated"]["warm_ms"]
        print(f"ratio {label} / curated: cold {cold:.2f}x, warm {warm:.2f}x")
    slowest = max(r["warm_ms"] for r in results.values())
    print("PASS" if slowest < 50 else "FAIL: warm check over 50 ms")


def shipped_dictionary() -> list[DictionaryEntry]:
    return [
        DictionaryEntry(
            inci=s.inci_name,
            cas=tuple(s.cas_numbers),
            synonyms=tuple(s.synonyms),
            functions=tuple(s.functions),
            derived_zh=tuple(s.zh_derived),
        )
        for s in read_shipped()
    ]


if __name__ == "__main__":
    main()
