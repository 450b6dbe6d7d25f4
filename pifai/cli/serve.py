"""The processes: the API (`serve`), a queue worker (`worker`), and `version`."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import typer

from pifai import __version__
from pifai.cli.common import settings_for_command


def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def openapi_document() -> str:
    """The API's OpenAPI document as JSON text, the same on every machine."""
    from pifai.core.config import Settings
    from pifai.main import create_app

    # Fixed settings: the document must not depend on the environment (nor write secrets).
    settings = Settings(
        _env_file=None,
        app_env="test",
        secret_key="openapi-document-only-" + "x" * 32,
        file_encryption_key=base64.b64encode(bytes(32)).decode(),
        field_encryption_key=base64.urlsafe_b64encode(bytes(32)).decode(),
    )
    return json.dumps(create_app(settings).openapi(), indent=2, ensure_ascii=False) + "\n"


def openapi(
    output: Path | None = typer.Option(None, "--output", "-o", help="File (default: stdout)."),
) -> None:
    """Print the API's OpenAPI document (what web/'s client is generated from)."""
    text = openapi_document()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def serve(
    host: str | None = typer.Option(None, help="Bind address (default: HOST setting)."),
    port: int | None = typer.Option(None, help="Port (default: PORT setting)."),
    workers: int | None = typer.Option(
        None, min=1, max=64, help="API processes (default: WEB_CONCURRENCY setting, 1)."
    ),
) -> None:
    """Run the API (embedded PostgreSQL/Redis when their URLs are unset)."""
    import uvicorn

    from pifai.main import create_app

    settings = settings_for_command()
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.web_concurrency
    typer.echo(
        f"PIF AI {__version__}: console at http://{host}:{port}/, "
        f"API docs at http://{host}:{port}/api/v1/docs"
    )
    if workers == 1:
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            # The app reads forwarding headers itself, from TRUSTED_PROXIES only.
            proxy_headers=False,
        )
        return
    if settings.database_url is None or settings.redis_url is None:
        raise typer.BadParameter(
            "the embedded PostgreSQL and Redis live inside one process; set DATABASE_URL "
            "and REDIS_URL to run several API processes",
            param_hint="--workers",
        )
    from pifai.core.server import run_workers
    from pifai.services.runtime import prepare_database

    # Once here rather than racing in every process.
    asyncio.run(prepare_database(settings, settings.database_url))

    try:
        code = run_workers(host, port, workers)
    except OSError as exc:
        typer.echo(f"cannot listen on {host}:{port}: {exc.strerror}", err=True)
        raise typer.Exit(1) from exc
    raise typer.Exit(code)


def worker(
    concurrency: int | None = typer.Option(
        None, help="Tasks run at once (default: WORKER_CONCURRENCY)."
    ),
    jobs: list[str] = typer.Option(
        [], "--jobs", help="module:function returning more jobs to run (repeatable)."
    ),
) -> None:
    """Run a queue worker until SIGTERM/SIGINT (then drain in-flight tasks)."""
    from pifai.worker import worker_main

    worker_main(concurrency, jobs)
