"""add-referral (and, with the referral playbook, ask)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..enums import Source
from .app import app
from .common import OnOption, day, settings, transaction, when

PANEL = "Referrals"


@app.command(
    "add-referral",
    rich_help_panel=PANEL,
    epilog="Example: followup add-referral 'Sue Chen' --from 'Bob Li' --source customer --company Acme --first tomorrow",
)
def add_referral(
    ctx: typer.Context,
    prospect: Annotated[
        str,
        typer.Argument(help="The referred person: #ID or exact name of a contact, or a new name.", show_default=False),
    ],
    referrer: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="REFERRER",
            help="Who referred them (#ID, name or part of it; a new name adds them). They become your sales coach.",
            show_default=False,
        ),
    ],
    source: Annotated[
        Source | None,
        typer.Option(
            case_sensitive=False,
            help="Kind of source, most effective first. Default: customer if the referrer bought, declined if they were lost, else network.",
            show_default=False,
        ),
    ] = None,
    company: Annotated[str | None, typer.Option(help="The prospect's company.")] = None,
    phone: Annotated[str | None, typer.Option(help="The prospect's phone.")] = None,
    email: Annotated[str | None, typer.Option(help="The prospect's e-mail.")] = None,
    note: Annotated[str | None, typer.Option(help="A note on the referral.")] = None,
    on: OnOption = None,
    first: Annotated[
        str | None, typer.Option(metavar="DATE", help="Day of the first touch. Default: the day of the referral.")
    ] = None,
) -> None:
    """Record who referred whom; schedules the first touch and a coach task on the referrer."""
    from ..render import say, stdout
    from ..services import add_referral as record

    on_day = day("--on", on)
    first_day = when("--first", first, future=True)
    with transaction(ctx) as session:
        r = record(
            session=session,
            prospect=prospect,
            referrer=referrer,
            on=on_day,
            settings=settings(),
            source=source,
            first=first_day.day if first_day else None,
            company=company,
            phone=phone,
            email=email,
            note=note,
        )
    out = stdout()
    new = lambda created: "new" if created else "existing"  # noqa: E731
    say(
        out,
        f"{r.referrer.name} (#{r.referrer.id}, {new(r.referrer_created)}) referred "
        f"{r.prospect.name} (#{r.prospect.id}, {new(r.prospect_created)}) on {r.referral.referred_on.isoformat()}, "
        f"source {r.referral.source}.",
    )
    if r.first_touch:
        say(
            out,
            f"  #{r.first_touch.id} {r.first_touch.due.isoformat()}: {r.first_touch.reason}; mention {r.referrer.name}.",
        )
    if r.coach_task:
        say(out, f"  #{r.coach_task.id} {r.coach_task.due.isoformat()}: {r.coach_task.reason}.")
