"""edit-touch, rm-touch, edit-sale, rm-sale, edit-ask, rm-ask, merge: correcting what was logged.

A touch, sale or referral ask is named by the id `followup show CONTACT` gives it (`touch #12`).
Each deletion asks first (on stderr) unless --yes; answering no changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..enums import Channel, Outcome
from .app import app
from .common import choice, complete_contact, contact, logged_id, salesperson, settings, today, transaction, when

if TYPE_CHECKING:
    from ..models import FollowUp

PANEL = "Corrections"

YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
DayOption = Annotated[
    str | None, typer.Option("--on", metavar="DATE", help="The right date: YYYY-MM-DD, yesterday, fri, -2d...")
]


def _id_arg(what: str) -> object:
    return typer.Argument(
        metavar="ID",
        help=f"The {what}'s id, 12 or #12 (followup show CONTACT lists it as {what} #12).",
        show_default=False,
    )


TouchId = Annotated[str, _id_arg("touch")]
SaleId = Annotated[str, _id_arg("sale")]
AskId = Annotated[str, _id_arg("ask")]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _money(cents: int | None) -> str | None:
    return None if cents is None else f"{cents / 100:,.2f}"


def _listed(out, label: str, followups: list[FollowUp]) -> None:
    from ..render import say

    for fu in followups:
        say(out, f"  {label} #{fu.id} {fu.due.isoformat()}: {fu.reason}")


def _confirmed(question: str, kept: str) -> bool:
    """Ask on stderr; on no, say on stdout that nothing changed."""
    from ..render import say, stdout

    if typer.confirm(question, err=True):
        return True
    say(stdout(), kept)
    return False


# ---------------------------------------------------------------- touches


@app.command(
    "edit-touch",
    rich_help_panel=PANEL,
    epilog="Example: followup edit-touch 12 --on 'yesterday 15:30' --via visit --outcome meeting-set",
)
def edit_touch(
    ctx: typer.Context,
    tid: TouchId,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="DATE",
            help="When it really was, a time may follow ('2026-11-20 15:30'); a date alone clears the time.",
        ),
    ] = None,
    via: Annotated[Channel | None, typer.Option("--via", case_sensitive=False, help="How you reached them.")] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            metavar="OUTCOME",
            help="reached, no-answer, left-message, meeting-set, committed, declined, stop, or none to clear it.",
        ),
    ] = None,
    goal: Annotated[
        str | None, typer.Option(metavar="TEXT", help="The commitment you aimed for ('' clears it).")
    ] = None,
    note: Annotated[str | None, typer.Option(metavar="TEXT", help="A note ('' clears it).")] = None,
) -> None:
    """Correct a logged touch: its date and time, channel, outcome, goal or note."""
    from ..render import say, stdout, warn
    from ..services import edit_touch as correct

    number = logged_id(tid, "touch")
    when_ = when("--on", on, allow_time=True)
    outcome_value = choice("--outcome", outcome, Outcome, allow_none=True)
    with transaction(ctx) as session:
        edited = correct(
            session=session,
            touch_id=number,
            today=today(),
            settings=settings(),
            on=when_.day if when_ else None,
            at=when_.time if when_ else None,
            via=via,
            outcome=outcome_value,
            goal=goal,
            note=note,
            who=salesperson(ctx, session),
        )
    out, c, t = stdout(), edited.contact, edited.touch
    if not edited.changed:
        say(out, f"Touch #{t.id} with #{c.id} {c.name}: nothing to change (see followup edit-touch --help).")
        return
    when_text = t.day.isoformat() + (f" {t.at_time.strftime('%H:%M')}" if t.at_time else "")
    say(
        out,
        f"Updated touch #{t.id} with #{c.id} {c.name}: {', '.join(edited.changed)}; "
        f"it is touch {edited.n} of {edited.count} ({t.channel}, {when_text}).",
    )
    _listed(out, "moved", edited.moved)
    if edited.cancelled:
        say(out, f"  cancelled {', '.join(f'#{f.id}' for f in edited.cancelled)}")
    if edited.note:
        warn(edited.note)


@app.command("rm-touch", rich_help_panel=PANEL, epilog="Example: followup rm-touch 12 --yes")
def rm_touch(ctx: typer.Context, tid: TouchId, yes: YesOption = False) -> None:
    """Delete a logged touch; the follow-up it completed opens again."""
    from ..render import say, stdout, warn
    from ..services import delete_touch, describe_touch

    number = logged_id(tid, "touch")
    if not yes:
        with transaction(ctx, write=False) as session:
            logged = describe_touch(session=session, touch_id=number, who=salesperson(ctx, session))
            t, c = logged.touch, logged.contact
            question = (
                f"Delete touch #{t.id} with #{c.id} {c.name} ({t.channel} on {t.day.isoformat()}, "
                f"touch {logged.n} of {logged.count})?"
            )
            if logged.completed is not None:
                question += (
                    f" The follow-up it completed, #{logged.completed.id} ({logged.completed.reason}), opens again."
                )
        if not _confirmed(question, f"Kept touch #{number}; nothing deleted."):
            return
    with transaction(ctx) as session:
        deleted = delete_touch(
            session=session, touch_id=number, today=today(), settings=settings(), who=salesperson(ctx, session)
        )
    out, c = stdout(), deleted.contact
    say(out, f"Deleted touch #{number} with #{c.id} {c.name}; {_plural(deleted.count, 'touch', 'touches')} now.")
    if deleted.reopened is not None:
        _listed(out, "open again", [deleted.reopened])
    if deleted.cancelled:
        say(out, f"  cancelled {', '.join(f'#{f.id}' for f in deleted.cancelled)}")
    if deleted.scheduled is not None:
        _listed(out, "next", [deleted.scheduled])
    for line in deleted.notes:
        warn(line)


# ---------------------------------------------------------------- sales


@app.command("edit-sale", rich_help_panel=PANEL, epilog="Example: followup edit-sale 3 --amount 12,500 --on 2026-11-04")
def edit_sale(
    ctx: typer.Context,
    sid: SaleId,
    on: DayOption = None,
    product: Annotated[str | None, typer.Option(help="What they bought ('' clears it).")] = None,
    amount: Annotated[str | None, typer.Option(help="How much, such as 1200 or 1,200.50 (none clears it).")] = None,
    complex_: Annotated[
        bool | None,
        typer.Option(
            "--complex/--simple",
            help="A complex product (adds its learning-phase follow-up on day 28), or not (cancels it).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Correct a sale: its date, product or amount; its open 2-4-8 follow-ups move with the date."""
    from ..complaints import move_learning_phase, set_sale_complex
    from ..render import say, stdout
    from ..services import edit_sale as correct
    from ..services import parse_amount

    number = logged_id(sid, "sale")
    clear_amount = amount is not None and amount.strip().lower() in ("", "none")
    cents = None if amount is None or clear_amount else parse_amount(amount)
    when_ = when("--on", on)
    with transaction(ctx) as session:
        edited = correct(
            session=session,
            sale_id=number,
            settings=settings(),
            on=when_.day if when_ else None,
            product=product,
            amount_cents=cents,
            clear_amount=clear_amount,
            who=salesperson(ctx, session),
        )
        # ---- after-sale phases: the learning phase moves with the date, comes or goes with --complex/--simple
        if "date" in edited.changed:
            edited.moved += move_learning_phase(session=session, sale=edited.sale, settings=settings())
        learning, dropped = None, []
        if complex_ is not None and complex_ != edited.sale.complex:
            learning, dropped = set_sale_complex(
                session=session,
                sale=edited.sale,
                contact=edited.contact,
                complex_=complex_,
                settings=settings(),
                today=today(),
            )
            edited.changed.append("complex" if complex_ else "simple")
    out, c, s = stdout(), edited.contact, edited.sale
    if not edited.changed:
        say(out, f"Sale #{s.id} to #{c.id} {c.name}: nothing to change (see followup edit-sale --help).")
        return
    say(out, f"Updated sale #{s.id} to #{c.id} {c.name} ({s.day.isoformat()}): {', '.join(edited.changed)}.")
    _listed(out, "moved", edited.moved)
    _listed(out, "scheduled", [learning] if learning else [])
    _listed(out, "cancelled", dropped)


@app.command("rm-sale", rich_help_panel=PANEL, epilog="Example: followup rm-sale 3")
def rm_sale(ctx: typer.Context, sid: SaleId, yes: YesOption = False) -> None:
    """Delete a sale; the contact is again what the remaining sales make them."""
    from ..render import say, stdout
    from ..services import delete_sale, describe_sale

    number = logged_id(sid, "sale")
    if not yes:
        with transaction(ctx, write=False) as session:
            s, c = describe_sale(session=session, sale_id=number, who=salesperson(ctx, session))
            what = ", ".join(x for x in (s.day.isoformat(), s.product, _money(s.amount_cents)) if x)
            question = (
                f"Delete sale #{s.id} to #{c.id} {c.name} ({what})? Its open follow-ups (2-4-8, check-in, "
                "thank-you) are cancelled."
            )
        if not _confirmed(question, f"Kept sale #{number}; nothing deleted."):
            return
    with transaction(ctx) as session:
        deleted = delete_sale(
            session=session, sale_id=number, today=today(), settings=settings(), who=salesperson(ctx, session)
        )
    out, c = stdout(), deleted.contact
    now = {"prospect": "a prospect", "lost": "closed as lost", "customer": "a customer"}.get(c.status, c.status)
    if c.status == "repeat":
        now = "a repeat customer"
    line = f"Deleted sale #{number}; #{c.id} {c.name} is {now} ({_plural(deleted.sales_left, 'sale')} left"
    line += f", was {deleted.was})." if deleted.was != c.status else ")."
    say(out, line)
    if deleted.cancelled:
        say(out, f"  cancelled {', '.join(f'#{f.id}' for f in deleted.cancelled)}")
    _listed(out, "open again", deleted.reopened)
    _listed(out, "now for the first sale:", deleted.passed_on)
    if deleted.scheduled is not None:
        _listed(out, "next", [deleted.scheduled])


# ---------------------------------------------------------------- referral asks


@app.command("edit-ask", rich_help_panel=PANEL, epilog="Example: followup edit-ask 4 --got 3 --on 2026-11-06")
def edit_ask(
    ctx: typer.Context,
    aid: AskId,
    on: DayOption = None,
    got: Annotated[
        int | None,
        typer.Option(
            "--got", metavar="N", help="How many names the ask yielded (not fewer than it named).", show_default=False
        ),
    ] = None,
) -> None:
    """Correct a referral ask: its date or how many names it yielded."""
    from ..render import say, stdout
    from ..services import edit_ask as correct

    number = logged_id(aid, "ask")
    when_ = when("--on", on)
    with transaction(ctx) as session:
        edited = correct(
            session=session, ask_id=number, on=when_.day if when_ else None, got=got, who=salesperson(ctx, session)
        )
    out, c, a = stdout(), edited.contact, edited.ask
    if not edited.changed:
        say(out, f"Ask #{a.id} of #{c.id} {c.name}: nothing to change (see followup edit-ask --help).")
        return
    say(
        out,
        f"Updated ask #{a.id} of #{c.id} {c.name}: {', '.join(edited.changed)} "
        f"({a.day.isoformat()}, {_plural(a.got, 'name')}).",
    )


@app.command("rm-ask", rich_help_panel=PANEL, epilog="Example: followup rm-ask 4 --yes")
def rm_ask(ctx: typer.Context, aid: AskId, yes: YesOption = False) -> None:
    """Delete a referral ask; the people it named stay referred."""
    from ..render import say, stdout
    from ..services import delete_ask, describe_ask

    number = logged_id(aid, "ask")
    if not yes:
        with transaction(ctx, write=False) as session:
            a, c = describe_ask(session=session, ask_id=number, who=salesperson(ctx, session))
            question = f"Delete ask #{a.id} of #{c.id} {c.name} ({a.day.isoformat()}, {_plural(a.got, 'name')})?"
            if a.names:
                question += f" The people it named stay referred by {c.name}."
        if not _confirmed(question, f"Kept ask #{number}; nothing deleted."):
            return
    with transaction(ctx) as session:
        deleted = delete_ask(session=session, ask_id=number, who=salesperson(ctx, session))
    c = deleted.contact
    say(
        stdout(),
        f"Deleted ask #{number}; #{c.id} {c.name} was asked for referrals {_plural(deleted.asks_left, 'time')}.",
    )


# ---------------------------------------------------------------- merge


@app.command("merge", rich_help_panel=PANEL, epilog="Example: followup merge 'Sue Chen' '#41' --yes")
def merge(
    ctx: typer.Context,
    keep: Annotated[
        str,
        typer.Argument(
            metavar="KEEP",
            help="The record to keep: #ID, name or part of it.",
            show_default=False,
            autocompletion=complete_contact,
        ),
    ],
    other: Annotated[
        str,
        typer.Argument(
            metavar="OTHER",
            help="The other record of the same person, merged in and deleted.",
            show_default=False,
            autocompletion=complete_contact,
        ),
    ],
    yes: YesOption = False,
) -> None:
    """Merge two records of one person: OTHER's history moves onto KEEP, then OTHER is deleted."""
    from ..render import say, stdout, warn
    from ..services import merge_contacts, merge_plan

    with transaction(ctx, write=False) as session:
        kept, merged = contact(ctx, session, keep), contact(ctx, session, other)
        plan = merge_plan(session=session, keep=kept, other=merged)
        keep_id, other_id = kept.id, merged.id
        moving = plan.moving()
        question = (
            f"Merge #{other_id} {merged.name} into #{keep_id} {kept.name}"
            + (f", moving {', '.join(moving)}" if moving else "")
            + f", then delete #{other_id}?"
        )
    if not yes and not _confirmed(question, f"Kept #{other_id} and #{keep_id} apart; nothing merged."):
        return
    with transaction(ctx) as session:
        done = merge_contacts(
            session=session,
            keep=contact(ctx, session, f"#{keep_id}"),
            other=contact(ctx, session, f"#{other_id}"),
            today=today(),
            settings=settings(),
        )
    out, c = stdout(), done.contact
    status = c.status + (", do not contact" if c.do_not_contact else "")
    say(
        out,
        f"Merged #{done.other_id} {done.other_name} into #{c.id} {c.name} "
        f"({status}, {_plural(done.count, 'touch', 'touches')}); #{done.other_id} is deleted.",
    )
    if done.cancelled:
        say(out, f"  cancelled {', '.join(f'#{f.id}' for f in done.cancelled)}")
    if done.thank is not None:
        _listed(out, "new", [done.thank])
    for line in done.notes:
        warn(line)
