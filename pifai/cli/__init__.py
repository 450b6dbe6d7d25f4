"""The `pifai` command: one sub-command group per module of this package."""

from __future__ import annotations

import typer

from pifai.cli import admin, data, db, demo, mcp, pdf, rag, regulatory, serve

app = typer.Typer(help="PIF AI backend.", no_args_is_help=True)
app.command()(serve.version)
app.command()(serve.serve)
app.command()(serve.worker)
app.command()(serve.openapi)
app.command()(demo.demo)
app.command("verify-signature")(admin.verify_signature)
app.command("verify-pdf")(pdf.verify_pdf)
app.add_typer(db.app, name="db")
app.add_typer(admin.admin_app, name="admin")
app.add_typer(admin.audit_app, name="audit")
app.add_typer(data.app, name="data")
app.add_typer(rag.app, name="rag")
app.add_typer(regulatory.app, name="regulatory")
app.add_typer(mcp.app, name="mcp")
