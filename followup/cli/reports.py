"""due (and, with the referral playbook, stats)."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import app
from .common import JsonOption, day, transaction

PANEL = "Every morning"


@app.command(
    "due",
    rich_help_panel=PANEL,
    epilog="Example: followup due --days 7    (also: followup due --on 2026-12-01 --json)",
)
def due(
    ctx: typer.Context,
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="Show the list as of DATE. Default: today.")
    ] = None,
    days: Annotated[int, typer.Option("--days", min=0, max=3660, metavar="N", help="Also list the next N days.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """What is overdue, due today and coming up, and who has no next step."""
    from ..render import print_json, render_due
    from ..reports import due_report

    on_day = day("--on", on)
    with transaction(ctx) as session:
        report = due_report(session=session, on=on_day, days=days)
    if as_json:
        print_json(report.as_json())
    else:
        render_due(report)
