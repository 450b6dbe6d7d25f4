"""``pifai demo``: the whole job, from a formula file to the signed PIF PDF, over HTTP."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer


def demo(
    host: str | None = typer.Option(None, help="Bind address (default: HOST setting)."),
    port: int | None = typer.Option(None, help="Port (default: PORT setting)."),
    serve: bool = typer.Option(True, help="Keep serving after the summary (--no-serve: exit)."),
    data_dir: Path | None = typer.Option(
        None, help="Where this run keeps its data (default: DATA_DIR/demo-<timestamp>)."
    ),
) -> None:
    """Run the API (embedded PostgreSQL and Redis unless their URLs are set) and drive the
    demo product through every stage; print the summary, then keep serving."""
    from rich.console import Console

    from pifai.core.config import get_settings
    from pifai.core.logging import configure_logging_from
    from pifai.demo.journey import DemoError
    from pifai.demo.runner import Served, demo_settings, serve_and_run
    from pifai.demo.summary import ConsoleReporter, sign_in_text, summary_table

    base = get_settings()
    settings = demo_settings(base, host or base.host, port or base.port, data_dir)
    configure_logging_from(settings)
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)
    console.print(f"[bold]PIF AI demo[/bold]: data in {settings.data_dir}")

    def done(served: Served) -> None:
        console.print(summary_table(served))
        console.print(sign_in_text(served), highlight=False)
        if serve:
            console.print("Serving; Ctrl-C stops.")

    try:
        served = asyncio.run(
            serve_and_run(settings, ConsoleReporter(console), keep_serving=serve, on_done=done)
        )
    except DemoError as exc:
        console.print(f"[red]demo failed:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    if not served.signature_valid:
        raise typer.Exit(1)
