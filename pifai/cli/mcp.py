"""`pifai mcp`: the read-only MCP servers over stdio."""

from __future__ import annotations

import typer

app = typer.Typer(help="MCP servers (stdio, read-only).", no_args_is_help=True)


@app.command("tfda")
def mcp_tfda() -> None:
    """Regulatory-list tools (check, search, list) over stdio, from the shipped data."""
    from pifai.mcp_servers.tfda import main as serve_tfda

    serve_tfda()


@app.command("echa")
def mcp_echa() -> None:
    """Harmonised-classification tools (CLP, CMR 1A/1B) over stdio, from the shipped data."""
    from pifai.mcp_servers.echa import main as serve_echa

    serve_echa()
