"""touch, schedule, done, skip, snooze, sold, lost."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..enums import Channel, Outcome, Purpose
from .app import app
from .common import (
    ContactArg,
    OnOption,
    contact,
    day,
    due_at,
    followup_id,
    salesperson,
    settings,
    today,
    transaction,
    when,
)

if TYPE_CHECKING:
    from ..services import Touched

PANEL = "Follow-ups"
SALES = "Sales"

ViaOption = Annotated[
    Channel | None,
    typer.Option(
        "--via",
        case_sensitive=False,
        help="How you reached them. Default: touch.default_channel of followup config (call).",
        show_default=False,
    ),
]
# the commitment a touch aims for and what it is for (levels, goals and purposes)
GoalOption = Annotated[
    str | None,
    typer.Option(
        "--goal",
        metavar="TEXT",
        help="The commitment you aimed for ('meet the decision maker', 'a trial'); --outcome committed marks it achieved.",
    ),
]
PurposeOption = Annotated[
    Purpose | None,
    typer.Option("--purpose", case_sensitive=False, help="What the touch was for: care, info, deal, service or intel."),
]
IdArg = Annotated[
    str, typer.Argument(metavar="ID", help="The follow-up's id (first column of followup due).", show_default=False)
]


def _report_touch(t: Touched) -> None:
    from ..render import say, stdout, warn

    out = stdout()
    say(
        out,
        f"Logged touch {t.count} with #{t.contact.id} {t.contact.name} ({t.touch.channel}, {t.touch.day.isoformat()}).",
    )
    if t.completed is not None:
        say(out, f"  done #{t.completed.id}: {t.completed.reason}")
    if t.scheduled is not None:
        say(out, f"  next #{t.scheduled.id} {due_at(t.scheduled)}: {t.scheduled.reason}")
    for fu in t.also_scheduled:  # next year's birthday follow-up
        say(out, f"  next #{fu.id} {due_at(fu)}: {fu.reason}")
    cancelled = [f for f in t.cancelled if f is not t.completed]
    if cancelled:
        say(out, f"  cancelled {', '.join(f'#{f.id}' for f in cancelled)}")
    if t.note:
        warn(t.note)


@app.command(
    "touch",
    rich_help_panel=PANEL,
    epilog="Example: followup touch 'Sue' --via visit --outcome meeting-set --goal 'meet the decision maker' --next fri",
)
def touch(
    ctx: typer.Context,
    who: ContactArg,
    via: ViaOption = None,
    outcome: Annotated[
        Outcome | None, typer.Option(case_sensitive=False, help="What came of it; stop marks them do-not-contact.")
    ] = None,
    goal: GoalOption = None,
    purpose: PurposeOption = None,
    note: Annotated[str | None, typer.Option(metavar="TEXT", help="A note.")] = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="DATE",
            help="When: a date, optionally with a time ('2026-11-20 15:30', 'yesterday 9:00'). Default: today.",
        ),
    ] = None,
    next_: Annotated[
        str | None,
        typer.Option(
            "--next",
            metavar="DATE|none",
            help="The date they asked you to come back, a time may follow ('thu 15:00'); wins over the cadence. Or none.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="For a do-not-contact person who called you: log it as their call; it schedules nothing "
            "and they stay do-not-contact (edit --allow-contact lifts it).",
        ),
    ] = False,
) -> None:
    """Log a call, visit, e-mail, meal or gift; it completes what was due and schedules the next touch."""
    from ..services import log_touch
    from .complaints import report_yearly, yearly_visit

    when_ = when("--on", on, allow_time=True)
    no_next = next_ is not None and next_.strip().lower() == "none"
    next_when = None if no_next else when("--next", next_, future=True, allow_time=True)
    with transaction(ctx) as session:
        result = log_touch(
            session=session,
            contact=contact(ctx, session, who),
            on=when_.day if when_ else today(),
            at=when_.time if when_ else None,
            via=via or Channel(settings().default_channel),
            outcome=outcome,
            goal=goal,
            purpose=purpose.value if purpose else None,
            note=note,
            next_due=next_when.day if next_when else None,
            next_at=next_when.time if next_when else None,
            no_next=no_next,
            settings=settings(),
            force=force,
        )
        visits = yearly_visit(ctx, session, result.contact.id)
    _report_touch(result)
    report_yearly(visits)


@app.command(
    "schedule",
    rich_help_panel=PANEL,
    epilog="Example: followup schedule 'Sue' 'Dec 3 15:00' --what 'call after their budget meeting' --via call",
)
def schedule(
    ctx: typer.Context,
    who: ContactArg,
    due: Annotated[
        str,
        typer.Argument(
            metavar="DATE",
            help="When: 2026-12-03, thu, +2w, 'Dec 3'..., a time may follow ('thu 15:00').",
            show_default=False,
        ),
    ],
    what: Annotated[str | None, typer.Option(metavar="TEXT", help="What to do, shown in followup due.")] = None,
    via: ViaOption = None,
) -> None:
    """Add a follow-up by hand, such as the date the prospect asked for."""
    from ..render import say, stdout
    from ..services import schedule_followup

    due_when = when("DATE", due, future=True, allow_time=True)
    via = via or Channel(settings().default_channel)
    with transaction(ctx) as session:
        target = contact(ctx, session, who)
        fu, cancelled = schedule_followup(
            session=session, contact=target, due=due_when.day, at=due_when.time, on=today(), what=what, via=via
        )
    line = f"Scheduled #{fu.id} for #{target.id} {target.name} on {due_at(fu)} ({fu.action}): {fu.reason}"
    if cancelled:
        line += f" (replaces cadence touch {', '.join(f'#{f.id}' for f in cancelled)})"
    say(stdout(), line + ".")


@app.command(
    "done",
    rich_help_panel=PANEL,
    epilog="Example: followup done 17 --on yesterday    (also: followup done 17 --goal 'a trial' --purpose deal)",
)
def done(
    ctx: typer.Context,
    fid: IdArg,
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="When you did it (a time may follow). Default: today.")
    ] = None,
    goal: GoalOption = None,
    purpose: PurposeOption = None,
    via: Annotated[
        Channel | None,
        typer.Option(
            "--via",
            case_sensitive=False,
            help="How you reached them, when not as the follow-up planned.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Mark a follow-up done: logs a touch with its channel and moves the cadence on."""
    from ..services import complete_followup
    from .complaints import report_yearly, yearly_visit

    number = followup_id(fid)
    when_ = when("--on", on, allow_time=True)
    with transaction(ctx) as session:
        result = complete_followup(
            session=session,
            followup_id=number,
            on=when_.day if when_ else today(),
            at=when_.time if when_ else None,
            settings=settings(),
            who=salesperson(ctx, session),
            goal=goal,
            purpose=purpose.value if purpose else None,
            via=via,
        )
        visits = yearly_visit(ctx, session, result.contact.id)
    _report_touch(result)
    report_yearly(visits)


@app.command("skip", rich_help_panel=PANEL, epilog="Example: followup skip 17")
def skip(ctx: typer.Context, fid: IdArg, on: OnOption = None) -> None:
    """Close a follow-up without a touch; a skipped cadence touch comes back after the same gap."""
    from ..render import say, stdout
    from ..services import skip_followup
    from .complaints import report_yearly, yearly_visit

    number = followup_id(fid)
    on_day = day("--on", on)
    with transaction(ctx) as session:
        skipped, again = skip_followup(
            session=session, followup_id=number, on=on_day, settings=settings(), who=salesperson(ctx, session)
        )
        visits = yearly_visit(ctx, session, skipped.contact_id)
    line = f"Skipped #{skipped.id}: {skipped.reason}"
    if again is not None:
        line += f"; next #{again.id} {again.due.isoformat()}"
    say(stdout(), line + ".")
    report_yearly(visits)


# ---------------------------------------------------------------- snooze: one follow-up, or every overdue one


@app.command(
    "snooze",
    rich_help_panel=PANEL,
    epilog="Example: followup snooze 17 'mon 9:30'    (after a holiday: followup snooze --overdue mon --per-day 5)",
)
def snooze(
    ctx: typer.Context,
    fid: Annotated[
        str | None,
        typer.Argument(metavar="ID", help="The follow-up's id (first column of followup due).", show_default=False),
    ] = None,
    due: Annotated[
        str | None,
        typer.Argument(
            metavar="DATE",
            help="The new due date: mon, +3d, 2026-12-01..., a time may follow ('mon 9:30'); "
            "a plain date drops the follow-up's time.",
            show_default=False,
        ),
    ] = None,
    overdue: Annotated[
        str | None,
        typer.Option(
            "--overdue",
            metavar="DATE",
            help="Instead of one ID: move every overdue follow-up to DATE (after a holiday or a sick week).",
            show_default=False,
        ),
    ] = None,
    per_day: Annotated[
        int | None,
        typer.Option(
            "--per-day",
            metavar="N",
            help="With --overdue: at most N a day from DATE on, oldest first (over workdays when weekends are skipped).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Move a follow-up to another day (ID DATE), or every overdue one (--overdue DATE)."""
    from ..errors import UserError

    if overdue is not None:
        if fid is not None:
            raise UserError(
                "give either ID DATE to move one follow-up or --overdue DATE to move every overdue one, not both"
            )
        _snooze_overdue(ctx, overdue, per_day)
        return
    if fid is None:
        raise UserError(
            "give ID DATE to move one follow-up (followup snooze 17 mon) "
            "or --overdue DATE to move every overdue one (followup snooze --overdue mon)"
        )
    if per_day is not None:
        raise UserError("--per-day spreads a move of every overdue follow-up; use it with --overdue DATE")
    _snooze_one(ctx, fid, due)


def _snooze_one(ctx: typer.Context, fid: str, due: str | None) -> None:
    from ..errors import UserError
    from ..render import say, stdout
    from ..services import snooze_followup

    number = followup_id(fid)
    if due is None:
        raise UserError(f"give the new due date after the ID, such as followup snooze {number} mon")
    new = when("DATE", due, future=True, allow_time=True)
    with transaction(ctx) as session:
        fu, before, before_time = snooze_followup(
            session=session, followup_id=number, due=new.day, at=new.time, who=salesperson(ctx, session)
        )
    was = before.isoformat() + (f" {before_time.strftime('%H:%M')}" if before_time else "")
    line = f"Moved #{fu.id} from {was} to {due_at(fu)}: {fu.reason}."
    if before_time and new.time is None:
        line += f" Its time ({before_time.strftime('%H:%M')}) was for the old day; give 'DATE HH:MM' to set one."
    say(stdout(), line)


def _snooze_overdue(ctx: typer.Context, overdue: str, per_day: int | None) -> None:
    from ..render import say, stdout
    from ..services import move_overdue

    to = when("--overdue", overdue, future=True).day
    with transaction(ctx) as session:
        result = move_overdue(
            session=session,
            on=today(),
            to=to,
            per_day=per_day,
            settings=settings(),
            who=salesperson(ctx, session),
        )
    out = stdout()
    count = len(result.moved)
    if not count:
        say(out, f"Nothing is overdue on {today().isoformat()}; nothing was moved.")
        return
    noun = "follow-up" if count == 1 else "follow-ups"
    if len(result.days) == 1:
        say(out, f"Moved {count} overdue {noun} to {_day_name(to)}.")
    else:
        say(out, f"Moved {count} overdue {noun} over {len(result.days)} days, at most {per_day} a day:")
    for moved_on, moved in result.days.items():
        say(out, f"  {_day_name(moved_on)}: {len(moved)} ({', '.join(f'#{fu.id}' for fu in moved)})")
    timed = ", ".join(f"#{m.followup.id}" for m in result.moved if m.before_time)
    if timed:
        say(out, f"  times of day dropped (they were for the old days): {timed}")


def _day_name(day) -> str:
    """`2026-11-30 Mon`: after a holiday, the weekday is what a salesperson plans by."""
    return f"{day.isoformat()} {('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')[day.weekday()]}"


@app.command(
    "sold",
    rich_help_panel=SALES,
    epilog="Example: followup sold 'Sue' --product 'Model X' --amount 12,000 --on today",
)
def sold(
    ctx: typer.Context,
    who: ContactArg,
    product: Annotated[str | None, typer.Option(help="What they bought.")] = None,
    amount: Annotated[str | None, typer.Option(help="How much, such as 1200 or 1,200.50.")] = None,
    on: OnOption = None,
    complex_: Annotated[
        bool,
        typer.Option(
            "--complex",
            help="A complex product (new toy, learning, effectiveness): adds a learning-phase follow-up on day 28.",
        ),
    ] = False,
) -> None:
    """Record a sale: starts 2-4-8, the yearly check-in, and a thank-you to the referrer."""
    from ..complaints import schedule_learning_phase
    from ..render import say, stdout, warn
    from ..services import parse_amount, record_sale
    from .complaints import report_yearly, yearly_visit

    cents = parse_amount(amount)
    on_day = day("--on", on)
    with transaction(ctx) as session:
        s = record_sale(
            session=session,
            contact=contact(ctx, session, who),
            on=on_day,
            settings=settings(),
            product=product,
            amount_cents=cents,
        )
        learning = None
        if complex_:  # ---- after-sale phases: the learning phase of a complex product
            s.sale.complex = True
            session.add(s.sale)
            learning, _ = schedule_learning_phase(
                session=session, contact=s.contact, sale=s.sale, settings=settings(), on=today()
            )
        visits = yearly_visit(ctx, session, s.contact.id)
    out = stdout()
    kind = "repeat customer" if s.repeat else "customer"
    say(out, f"Sale to #{s.contact.id} {s.contact.name} on {s.sale.day.isoformat()}; now a {kind}.")
    for fu in s.scheduled + ([learning] if learning else []) + ([s.thank] if s.thank else []):
        say(out, f"  #{fu.id} {fu.due.isoformat()} {fu.action}: {fu.reason}")
    report_yearly(visits)
    if s.note:
        warn(s.note)


@app.command("lost", rich_help_panel=SALES, epilog="Example: followup lost 'Sue' --reason 'chose a cheaper supplier'")
def lost(
    ctx: typer.Context,
    who: ContactArg,
    reason: Annotated[str | None, typer.Option(metavar="TEXT", help="Why it was lost.")] = None,
    on: OnOption = None,
) -> None:
    """Close a prospect as lost; cancels what is open (edit --status prospect reopens it)."""
    from ..render import say, stdout
    from ..services import mark_lost

    on_day = day("--on", on)
    with transaction(ctx) as session:
        result = mark_lost(session=session, contact=contact(ctx, session, who), on=on_day, reason=reason)
    touches = f"{result.touches} touch" + ("" if result.touches == 1 else "es")
    line = f"#{result.contact.id} {result.contact.name} closed as lost after {touches}"
    if result.cancelled:
        line += f"; cancelled {', '.join(f'#{f.id}' for f in result.cancelled)}"
    say(stdout(), line + ".")
