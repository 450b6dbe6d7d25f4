"""`pifai rag`: knowledge bases of the central RAG service."""

from __future__ import annotations

import asyncio

import typer

from pifai.cli.common import settings_for_command

app = typer.Typer(help="Central RAG service.", no_args_is_help=True)


@app.command("backfill")
def rag_backfill(limit: int = typer.Option(500, help="Products to try in this run.")) -> None:
    """Create knowledge bases for products whose rag_kb_id is still empty."""
    from pifai.services.knowledge import backfill_knowledge_bases
    from pifai.services.runtime import start_runtime

    settings = settings_for_command()

    async def run() -> tuple[int, int]:
        runtime = await start_runtime(settings)
        try:
            if runtime.rag is None or not runtime.rag.is_configured:
                typer.echo("RAG is not configured (RAG_API_BASE, RAG_API_KEY, RAG_TENANT_ID)")
                raise typer.Exit(2)
            return await backfill_knowledge_bases(runtime.session_factory, runtime.rag, limit=limit)
        finally:
            await runtime.close()

    filled, missing = asyncio.run(run())
    typer.echo(f"knowledge bases created: {filled}; still missing: {missing}")
    if missing:
        raise typer.Exit(1)
