"""`pifai demo`: the API served by uvicorn inside this process's event loop (the embedded
PostgreSQL and Redis unless DATABASE_URL/REDIS_URL are set), then the journey over HTTP."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from pifai.core.config import Settings
from pifai.demo.journey import Journey, Reporter, Result, outbox_reader
from pifai.demo.steps import run


def refused_url() -> str:
    """A loopback URL nothing listens on: PubChem and ECHA fail at once, offline."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def demo_settings(base: Settings, host: str, port: int, data_dir: Path | None) -> Settings:
    """The demo's own settings: a fresh DATA_DIR per run (so it can run again), the
    toxicology sources pointed at a refused port (offline, immediate failures)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    folder = data_dir or base.data_dir / f"demo-{stamp}"
    values = base.model_dump()
    for name in ("secret_key", "file_encryption_key", "field_encryption_key"):
        values.pop(name)  # new ones under the new folder
    values.update(
        data_dir=folder,
        host=host,
        port=port,
        public_base_url=f"http://{host}:{port}",
        pubchem_base_url=refused_url(),
        echa_base_url=refused_url(),
        pubchem_timeout_seconds=2.0,
        # PubChem's 5/s policy guards PubChem; the refused loopback port needs no pacing.
        pubchem_max_per_second=1000,
        echa_timeout_seconds=2.0,
        smtp_host=None,
        log_level="WARNING",
    )
    return Settings(**values)


def warm_fonts_process() -> asyncio.Future[list[int]] | None:
    """Start making the PDF font instances when they are not cached (about a minute once
    per machine; `make install` does it beforehand): one process per instance, while the
    API starts."""
    from pifai.ai.pif_document.render import FONT_INSTANCES, fonts_cached

    if fonts_cached():
        return None

    async def warm(name: str, weight: int) -> int:
        code = (
            "import sys; from pifai.ai.pif_document.render import static_font; "
            "static_font(sys.argv[1], int(sys.argv[2]))"
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, name, str(weight)
        )
        return await process.wait()

    return asyncio.ensure_future(
        asyncio.gather(*(warm(name, weight) for name, weight in FONT_INSTANCES))
    )


@dataclass
class Served:
    result: Result
    settings: Settings
    pdf_path: Path
    signature_valid: bool
    signature_message: str
    wall_seconds: float
    startup_seconds: float


async def serve_and_run(
    settings: Settings, reporter: Reporter, *, keep_serving: bool, on_done: object = None
) -> Served:
    import uvicorn

    from pifai.main import create_app
    from pifai.worker import InProcessWorker

    begun = time.perf_counter()
    fonts = warm_fonts_process()
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    reporter.started("start API (embedded PostgreSQL and Redis)")
    while not server.started:
        if serving.done():
            serving.result()
            raise RuntimeError("the API did not start")
        await asyncio.sleep(0.05)
    startup = time.perf_counter() - begun
    runtime = app.state.runtime
    embedded = runtime.embedded is not None
    reporter.finished(
        "start API (embedded PostgreSQL and Redis)" if embedded else "start API",
        startup,
        f"http://{settings.host}:{settings.port}/, "
        + ("embedded servers, in-process worker" if embedded else "DATABASE_URL/REDIS_URL"),
    )
    # The lifespan runs a worker only in embedded mode; on given servers the demo does.
    worker = None if embedded else InProcessWorker.start(runtime)
    try:
        if fonts is not None:
            waited = time.perf_counter()
            reporter.started("PDF font instances (once per machine)")
            await fonts
            reporter.finished(
                "PDF font instances (once per machine)",
                time.perf_counter() - waited,
                "cached in the temporary folder; `make install` makes them beforehand",
            )
        base = f"http://{settings.host}:{settings.port}"
        async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
            journey = Journey(client, outbox_reader(settings.data_dir / "outbox"), reporter)
            result = await run(journey)
        pdf_path = settings.data_dir / f"PIF-{result.product_id}-v{result.signed_version}.pdf"
        pdf_path.write_bytes(result.pdf)
        # pyHanko's validation runs its own event loop: in a thread.
        valid, message = await asyncio.to_thread(verify_pdf, settings, pdf_path)
        served = Served(
            result,
            settings,
            pdf_path,
            valid,
            message,
            time.perf_counter() - begun,
            startup,
        )
        if callable(on_done):
            on_done(served)
        if keep_serving:
            await serving
        return served
    finally:
        if worker is not None:
            await worker.stop()
        server.should_exit = True
        await serving


def verify_pdf(settings: Settings, path: Path) -> tuple[bool, str]:
    """What `pifai verify-pdf` checks, against the platform's certificate."""
    from pifai.ai.pif_document.signing import load_certificate, verify_file
    from pifai.services.pif_document.certificate import signing_files

    result = verify_file(path, [load_certificate(signing_files(settings)[1])])
    return result.valid, result.message
