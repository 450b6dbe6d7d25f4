"""The demo product's pipeline (`pifai demo`'s journey over HTTP, every stage through the
API, the queue and a worker) timed per stage, next to the durations the project's seed
states for the same work done by hand-held tools and LLM calls, as speed-up ratios.

    .venv/bin/python -m bench.pipeline [--runs 2] [--embedded]

Each run is a fresh journey (new organisation and product) on one served API: the first
run pays the process's cold paths (imports, first queries), the next ones are warm. By
default on the local PostgreSQL and Redis (DATABASE_URL / REDIS_URL, else 127.0.0.1) in a
throwaway database; --embedded uses the embedded servers under a temporary DATA_DIR, as
`make demo` does. The API's start-up is reported separately.

Seed durations (the issue's statement of what the job takes today): extraction 10-30 s,
toxicology 30 s-2 min, PDF 30 s-1 min, SA draft 15-45 s. The demo's toxicology runs
offline (PubChem and ECHA at a refused port: the shipped reference data is used), so its
number is the pipeline's own cost, not a network's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.common import _redis_url, bench_database
from pifai.core.config import Settings
from pifai.core.logging import configure_logging_from
from pifai.demo.journey import Journey, outbox_reader
from pifai.demo.runner import demo_settings, refused_url
from pifai.demo.steps import run

# (label, journey stages summed, seed range in seconds)
COMPARED: tuple[tuple[str, tuple[str, ...], tuple[float, float]], ...] = (
    ("extraction", ("formula extraction",), (10.0, 30.0)),
    ("toxicology", ("checks: toxicology",), (30.0, 120.0)),
    ("SA draft (safety engine, items 9/10/16)", ("checks: safety engine",), (15.0, 45.0)),
    ("PDF (signed version)", ("signed PIF PDF",), (30.0, 60.0)),
)


async def _runs(settings: Settings, runs: int) -> tuple[float, list[dict[str, float]]]:
    import uvicorn

    from pifai.main import create_app
    from pifai.worker import InProcessWorker

    begun = time.perf_counter()
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=settings.host, port=settings.port, log_config=None, access_log=False
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()  # start-up failed: raise its error
        await asyncio.sleep(0.05)
    startup = time.perf_counter() - begun
    runtime = app.state.runtime
    worker = None if runtime.embedded is not None else InProcessWorker.start(runtime)
    timings: list[dict[str, float]] = []
    try:
        base = f"http://{settings.host}:{settings.port}"
        async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
            for _ in range(runs):
                journey = Journey(client, outbox_reader(settings.data_dir / "outbox"))
                result = await run(journey)
                timings.append(dict(result.stages))
    finally:
        if worker is not None:
            await worker.stop()
        server.should_exit = True
        await serving
    return startup, timings


def _ratio(seed: tuple[float, float], seconds: float) -> str:
    low, high = seed
    return f"{low / seconds:,.0f}x - {high / seconds:,.0f}x"


def report(startup: float, timings: list[dict[str, float]]) -> None:
    print(f"API start-up: {startup:.2f} s")
    for number, stages in enumerate(timings, 1):
        state = "cold" if number == 1 else "warm"
        print(f"\nrun {number} ({state}):")
        for stage, seconds in stages.items():
            print(f"  {stage:45} {seconds:7.2f} s")
        print(f"  {'total (journey)':45} {sum(stages.values()):7.2f} s")
    last = timings[-1]
    print(f"\nagainst the seed's durations (run {len(timings)}):")
    print(f"  {'stage':42} {'seed':>12} {'here':>9}  speed-up")
    for label, names, seed in COMPARED:
        seconds = sum(last[name] for name in names)
        stated = f"{seed[0]:.0f}-{seed[1]:.0f} s"
        print(f"  {label:42} {stated:>12} {seconds:7.2f} s  {_ratio(seed, seconds)}")
    total_seed = (sum(s[0] for *_, s in COMPARED), sum(s[1] for *_, s in COMPARED))
    total = sum(sum(last[n] for n in names) for _, names, _ in COMPARED)
    print(
        f"  {'the four together':42} {f'{total_seed[0]:.0f}-{total_seed[1]:.0f} s':>12} "
        f"{total:7.2f} s  {_ratio(total_seed, total)}"
    )
    print(f"  {'whole journey (every stage)':42} {'':>12} {sum(last.values()):7.2f} s")


async def main(runs: int, embedded: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="pifai-bench-pipeline-") as folder:
        async with AsyncExitStack() as stack:
            overrides: dict[str, object] = {"data_dir": Path(folder), "log_level": "WARNING"}
            if not embedded:
                url = await stack.enter_async_context(bench_database())
                overrides.update(database_url=url, redis_url=_redis_url())
            base = Settings(**overrides)  # type: ignore[arg-type]
            port = int(refused_url().rsplit(":", 1)[1])
            settings = demo_settings(base, "127.0.0.1", port, Path(folder) / "run")
            configure_logging_from(settings)
            startup, timings = await _runs(settings, runs)
    report(startup, timings)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--embedded", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.embedded))
