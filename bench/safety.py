"""Safety-engine latency: a 60-ingredient formula through ``assess`` beside the bare
arithmetic (SED = E x C/100 x DAp/100, MoS = NOAEL / SED for every row) in the same run,
so the ratio says what the ladder, the citations and the report cost.

    .venv/bin/python -m bench.safety [--runs 500]

The ingredients are fictitious and every number is a bench input, not toxicological data.
Goal (issue 16): the engine alone under 50 ms per formula.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from pifai.ai.safety import (
    Cited,
    Constants,
    Exposure,
    GateFact,
    Ingredient,
    IngredientGates,
    QualitativeConclusion,
    ReadAcross,
    Source,
    Toxicology,
    TTCThresholds,
    assess,
)

BENCH = Source("bench input")


def c(value: float, unit: str | None = None) -> Cited[float]:
    return Cited(value, BENCH, False, unit)


EXPOSURE = Exposure("bench_category", c(100.0, "mg/kg bw/day"))
CONSTANTS = Constants(
    c(50.0, "%"),
    c(100.0),
    TTCThresholds({k: c(v, "µg/kg bw/day") for k, v in {"I": 30.0, "II": 9.0, "III": 2.0}.items()},
                  c(0.002, "µg/kg bw/day")),
)  # fmt: skip


def formula() -> tuple[list[Ingredient], dict[str, Toxicology], dict[str, IngredientGates]]:
    rows, tox = [], {}
    analogue = ReadAcross("BENCH ANALOGUE", c(300.0), c(3.0), 0.7, "bench")
    conclusion = QualitativeConclusion("BENCH PANEL", "safe as used", BENCH, True)
    for i in range(60):
        name = f"BENCH SUBSTANCE {i:02d}"
        rows.append(Ingredient(name, None, round(10.0 / (i + 1), 4)))
        kind = i % 5
        tox[name] = (
            Toxicology(noael=c(100.0 + i))
            if kind in (0, 1)
            else Toxicology(read_across=analogue)
            if kind == 2
            else Toxicology(qualitative=conclusion)
            if kind == 3
            else Toxicology(cramer_class="III", structural_alert=False)
        )
    gate = IngredientGates((GateFact("cmr", "bench: CMR 1B", "BENCH LIST"),))
    return rows, tox, {"BENCH SUBSTANCE 07": gate}


def time_it(fn: Callable[[], object], runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": samples[int(len(samples) * 0.95) - 1],
        "max_ms": samples[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    rows, tox, gates = formula()
    e = EXPOSURE.e_mg_per_kg_day.value

    def bare() -> list[float]:
        out = []
        for row in rows:
            sed = e * (row.concentration_pct or 0.0) / 100 * 50.0 / 100
            out.append(150.0 / sed)
        return out

    def engine() -> object:
        return assess(rows, EXPOSURE, CONSTANTS, tox, gates).to_dict()

    engine()  # warm the imports and caches before timing
    baseline = time_it(bare, args.runs)
    full = time_it(engine, args.runs)
    print(f"safety engine, 60 ingredients, {args.runs} runs")
    print(f"  bare arithmetic loop : median {baseline['median_ms']:.4f} ms")
    print(
        f"  assess() + to_dict() : median {full['median_ms']:.3f} ms, "
        f"p95 {full['p95_ms']:.3f} ms, max {full['max_ms']:.3f} ms (goal < 50 ms)"
    )
    print(f"  ratio engine / bare  : {full['median_ms'] / baseline['median_ms']:.0f}x")


if __name__ == "__main__":
    main()
