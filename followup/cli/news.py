"""announce: keep the contacts who agreed to it informed of product, price or rule changes."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import app
from .common import salesperson, settings, today, transaction, when

PANEL = "Follow-ups"


@app.command(
    "announce",
    rich_help_panel=PANEL,
    epilog="Example: followup announce 'prices rise 5% on Jan 1' --status customer --tag north --on mon --dry-run",
)
def announce(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(metavar="TEXT", help="The news, one line: a product, price or rule change.", show_default=False),
    ],
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", metavar="TAG", help="Only contacts with this tag; repeat for more (any of them)."),
    ] = None,
    status: Annotated[
        str,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="prospect, customer (repeat customers included), repeat or all. Lost contacts are never told.",
        ),
    ] = "all",
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="DATE", help="When to tell them: today, mon, +3d, 2026-12-01... Default: today."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say who would be told, and schedule nothing.")] = False,
) -> None:
    """Schedule an 'inform: TEXT' follow-up for everyone who wants news (--wants-news)."""
    from ..courtesy import announce as schedule_news
    from ..errors import UserError
    from ..render import say, stdout

    due_when = when("--on", on, future=True)
    due = due_when.day if due_when else today()
    if due < today():
        raise UserError(
            f"--on: {due.isoformat()} is before today ({today().isoformat()}); give today or a later day to tell them"
        )
    with transaction(ctx, write=not dry_run) as session:
        result = schedule_news(
            session=session,
            text=text,
            due=due,
            settings=settings(),
            tags=tag or [],
            status=status.strip().lower(),
            who=salesperson(ctx, session),
            dry_run=dry_run,
        )
    out = stdout()
    count = len(result.scheduled)
    people = f"{count} contact" + ("" if count == 1 else "s")
    if dry_run:
        say(out, f"Would schedule '{result.reason}' for {people}, due {result.due.isoformat()} (nothing written):")
        for c, _ in result.scheduled:
            say(out, f"  #{c.id} {c.name}" + (f" ({c.company})" if c.company else ""))
    elif count or result.already:
        say(out, f"Scheduled '{result.reason}' for {people}, due {result.due.isoformat()}.")
    else:
        say(out, f"Nobody to tell: no contact who wants news matches; nothing scheduled for '{result.reason}'.")
    if result.already:
        names = ", ".join(f"#{c.id} {c.name}" for c in result.already[:5])
        more = f" and {len(result.already) - 5} more" if len(result.already) > 5 else ""
        say(out, f"  already to be told (an open follow-up with the same text): {names}{more}")
