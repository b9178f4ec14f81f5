"""add-referral and ask: who referred whom, and asking for referrals."""

from __future__ import annotations

from typing import Annotated

import typer

from ..enums import Source
from .app import app
from .common import OnOption, complete_contact, contact, day, salesperson, settings, transaction, when

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
        typer.Argument(
            help="The referred person: #ID or exact name of a contact, or a new name.",
            show_default=False,
            autocompletion=complete_contact,
        ),
    ],
    referrer: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="REFERRER",
            help="Who referred them (#ID, name or part of it; a new name adds them). They become your sales coach.",
            show_default=False,
            autocompletion=complete_contact,
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
    phone: Annotated[
        list[str] | None,
        typer.Option(
            "--phone",
            metavar="PHONE",
            help="The prospect's phone, a label first if you like ('mobile: +86 138 0000 0000'); repeat for more. "
            "An existing prospect gets it after theirs.",
        ),
    ] = None,
    email: Annotated[
        list[str] | None,
        typer.Option(
            "--email",
            metavar="EMAIL",
            help="The prospect's e-mail, a label first if you like ('work: sue@acme.com'); repeat for more.",
        ),
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note on the referral.")] = None,
    partner: Annotated[
        str | None,
        typer.Option(
            metavar="COMPANY",
            help="The partner company of a lead exchange (implies --source exchange). "
            "Default for --source exchange: the referrer's company.",
            show_default=False,
        ),
    ] = None,
    on: OnOption = None,
    first: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Day of the first touch, a time may follow ('tomorrow 10:00'). Default: the day of the referral.",
        ),
    ] = None,
) -> None:
    """Record who referred whom; schedules the first touch and a coach task on the referrer."""
    from ..render import say, stdout, warn
    from ..services import add_referral as record
    from .common import due_at

    on_day = day("--on", on)
    first_day = when("--first", first, future=True, allow_time=True)
    with transaction(ctx) as session:
        r = record(
            session=session,
            prospect=prospect,
            referrer=referrer,
            on=on_day,
            settings=settings(),
            source=source,
            first=first_day.day if first_day else None,
            first_at=first_day.time if first_day else None,
            company=company,
            phones=phone or [],
            emails=email or [],
            note=note,
            who=salesperson(ctx, session),
            partner=partner,
        )
    out = stdout()
    new = lambda created: "new" if created else "existing"  # noqa: E731
    say(
        out,
        f"{r.referrer.name} (#{r.referrer.id}, {new(r.referrer_created)}) referred "
        f"{r.prospect.name} (#{r.prospect.id}, {new(r.prospect_created)}) on {r.referral.referred_on.isoformat()}, "
        f"source {r.referral.source}" + (f", partner {r.referral.partner}." if r.referral.partner else "."),
    )
    if r.referral.source == "exchange" and not r.referral.partner:
        warn(f"No partner company known ({r.referrer.name} has none): stats counts this lead as (unknown).")
    if r.first_touch:
        say(
            out,
            f"  #{r.first_touch.id} {due_at(r.first_touch)}: {r.first_touch.reason}; mention {r.referrer.name}.",
        )
    if r.coach_task:
        say(out, f"  #{r.coach_task.id} {due_at(r.coach_task)}: {r.coach_task.reason}.")
    elif r.referrer.do_not_contact:  # not pushy: nobody is asked to coach who asked not to be contacted
        say(out, f"  no coach task: {r.referrer.name} asked not to be contacted.")


@app.command(
    "ask",
    rich_help_panel=PANEL,
    epilog="Example: followup ask 'Bob Li' --names 'Sue Chen, Tom Wang'    (also: followup ask 'Bob Li' --got 0 --on yesterday)",
)
def ask(
    ctx: typer.Context,
    customer: Annotated[
        str,
        typer.Argument(
            metavar="CUSTOMER",
            help="Who you asked: #ID, the exact name, or a unique part of the name.",
            show_default=False,
            autocompletion=complete_contact,
        ),
    ],
    got: Annotated[
        int | None,
        typer.Option(
            "--got",
            metavar="N",
            help="How many names the ask yielded, named or not. Default: the number of --names.",
            show_default=False,
        ),
    ] = None,
    names: Annotated[
        list[str] | None,
        typer.Option(
            "--names",
            metavar='"A, B"',
            help="The people they named, comma-separated: new ones become prospects referred by CUSTOMER; "
            "a name that matches an existing contact is linked, not duplicated.",
            show_default=False,
        ),
    ] = None,
    on: OnOption = None,
) -> None:
    """Log a referral ask and the names it yielded; new names become referred prospects."""
    from ..render import say, stdout
    from ..services import record_ask

    on_day = day("--on", on)
    with transaction(ctx) as session:
        asked = record_ask(
            session=session,
            customer=contact(ctx, session, customer),
            who=salesperson(ctx, session),
            on=on_day,
            settings=settings(),
            got=got,
            names=names or (),
        )
    out = stdout()
    who, ask_row = asked.customer, asked.ask
    counted = "no names" if not ask_row.got else f"{ask_row.got} name" + ("" if ask_row.got == 1 else "s")
    if asked.names and len(asked.names) != ask_row.got:
        counted += f" ({len(asked.names)} listed)"
    say(out, f"Asked {who.name} (#{who.id}) for referrals on {ask_row.day.isoformat()}: {counted}.")
    for n in asked.names:
        person = f"{n.contact.name} (#{n.contact.id}"
        if n.outcome == "known":
            say(out, f"{person}, already known): {n.why}; left as is.")
            continue
        r = n.referred
        state = "new" if n.outcome == "new" else "existing prospect, linked"
        say(out, f"{person}, {state}) referred by {who.name} on {on_day.isoformat()}, source {r.referral.source}.")
        if r.first_touch:
            say(
                out,
                f"  #{r.first_touch.id} {r.first_touch.due.isoformat()}: {r.first_touch.reason}; mention {who.name}.",
            )
        if r.coach_task:
            say(out, f"  #{r.coach_task.id} {r.coach_task.due.isoformat()}: {r.coach_task.reason}.")
