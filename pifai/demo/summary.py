"""What `pifai demo` prints: the stages as they run, then the summary and the sign-in."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pifai.demo.journey import PASSWORD
from pifai.demo.runner import Served


class ConsoleReporter:
    """One line per stage with its time (rich)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._status: object = None

    def started(self, stage: str) -> None:
        self.console.print(f"[dim]...[/dim] {stage}", highlight=False)

    def finished(self, stage: str, seconds: float, detail: str) -> None:
        self.console.print(
            f"[green]done[/green] {stage} [cyan]{seconds:6.2f} s[/cyan]  [dim]{detail}[/dim]",
            highlight=False,
        )

    def note(self, text: str) -> None:
        self.console.print(f"[yellow]{text}[/yellow]", highlight=False)


def summary_table(served: Served) -> Table:
    result = served.result
    table = Table(title="PIF AI demo: summary", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    before, after = result.before, result.after
    table.add_row("ingredients", f"{result.ingredients} ({result.resolved} resolved)")
    if before and after:
        table.add_row(
            "findings before the fix",
            f"{before.total} ({len(before.compliance)} compliance, "
            f"{len(before.consistency)} consistency, {len(before.red_claims)} red claims)",
        )
        table.add_row(
            "findings after the fix",
            f"{after.total} ({len(after.compliance)} compliance, "
            f"{len(after.consistency)} consistency, {len(after.red_claims)} red claims)",
        )
    if result.lowest_mos:
        name, mos = result.lowest_mos
        table.add_row("lowest MoS", f"{mos:,.0f} ({name})")
    table.add_row("safety verdict", result.verdict)
    table.add_row("toxicology task", result.toxicology[:100])
    table.add_row(
        "signed version", f"{result.signed_version} (snapshot {result.snapshot_sha256[:16]}...)"
    )
    table.add_row("PDF", str(served.pdf_path))
    table.add_row("PDF SHA-256", result.pdf_sha256)
    check = "valid" if served.signature_valid else "INVALID"
    table.add_row("signature check", f"{check}: {served.signature_message}")
    for stage, seconds in result.stages:
        table.add_row(f"  {stage}", f"{seconds:.2f} s")
    table.add_row("journey", f"{sum(s for _, s in result.stages):.1f} s")
    table.add_row("wall time (start included)", f"{served.wall_seconds:.1f} s")
    return table


def sign_in_text(served: Served) -> str:
    users = served.result.users
    settings = served.settings
    lines = [
        f"Console: http://{settings.host}:{settings.port}/   "
        f"API docs: http://{settings.host}:{settings.port}/api/v1/docs",
        f"Data: {settings.data_dir}",
        f"Signed PIF: {served.pdf_path}",
        "Sign in (password for every demo user: " + PASSWORD + "):",
    ]
    for role, user in users.items():
        extra = f"  TOTP secret {user.totp_secret}" if user.totp_secret else ""
        lines.append(f"  {role:9} {user.email}{extra}")
    return "\n".join(lines)
