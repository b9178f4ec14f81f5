"""due (and, with the referral playbook, stats)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .app import app
from .common import (
    AllOption,
    JsonOption,
    day,
    reader_salesperson,
    reading,
    settings,
    today,
    when,
)

if TYPE_CHECKING:
    from ..due import DueReport
    from ..sql import Reader

PANEL = "Every morning"
REVIEW = "Review"


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
    all_: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """What is overdue, due today and coming up, and who has no next step."""
    from ..due import due_report, yearly_visits_missing
    from ..render import print_json, render_due

    on_day = day("--on", on)
    settings_ = settings()
    # the row cap (due.max_rows): tables only; JSON is always whole
    max_rows = None if all_ or as_json or not settings_.due_max_rows else settings_.due_max_rows

    def report(reader: Reader) -> DueReport:
        return due_report(
            reader=reader,
            on=on_day,
            days=days,
            weekly_referral_target=settings_.weekly_referral_target,
            with_nudges=not as_json,
            who=reader_salesperson(ctx, reader),
            max_rows=max_rows,
            cadence_length=settings_.cadence_length,  # "consider letting go" after the whole cadence
        )

    # one read transaction, usually: the yearly visits are written first only when one is missing
    with reading(ctx) as reader:
        missing = yearly_visits_missing(reader=reader, today=today(), who=reader_salesperson(ctx, reader))
        found = None if missing else report(reader)
    if found is None:
        from .complaints import schedule_missing_yearly_visits

        schedule_missing_yearly_visits(ctx)
        with reading(ctx) as reader:
            found = report(reader)
    if as_json:
        print_json(found.as_json())
    else:
        render_due(found)


@app.command(
    "stats",
    rich_help_panel=REVIEW,
    epilog="Example: followup stats --since 2026-01-01    (also: followup stats --on 2026-06-30 --json, followup stats --team)",
)
def stats(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="Only prospects first seen on or after DATE."),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="Compute everything as of DATE. Default: today.")
    ] = None,
    team: Annotated[
        bool,
        typer.Option("--team", help="The whole team's figures, with a table per salesperson (for a shared database)."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Your close rates by touches, referrals, sources and asks, beside the field benchmarks."""
    from ..render import print_json
    from ..render_stats import render_stats
    from ..stats import compute_stats

    on_day = day("--on", on)
    since_day = when("--since", since)
    settings_ = settings()
    with reading(ctx) as reader:  # the stdlib sqlite3 driver on a SQLite file: no SQLAlchemy to import
        figures = compute_stats(
            reader=reader,
            on=on_day,
            since=since_day.day if since_day else None,
            weekly_target=settings_.weekly_referral_target,
            who=reader_salesperson(ctx, reader, team=team),
            per_salesperson=team,
        )
    if as_json:
        print_json(figures.data)
    else:
        render_stats(figures)
