"""complaint; and the yearly visit that touch, done, skip, sold and due keep topped up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .app import app
from .common import (
    ContactArg,
    OnOption,
    choice,
    contact,
    day,
    record_id,
    salesperson,
    settings,
    today,
    transaction,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from ..models import FollowUp

PANEL = "Sales"


@app.command(
    "complaint",
    rich_help_panel=PANEL,
    epilog="Example: followup complaint 'Sue' --kind packaging --note 'box arrived crushed' --on yesterday",
)
def complaint(
    ctx: typer.Context,
    who: ContactArg,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="Product: missing-function, too-complex, packaging, inconvenient. "
            "Service: punctuality, attitude, skill.",
            show_default=False,
        ),
    ] = None,
    note: Annotated[str | None, typer.Option(metavar="TEXT", help="What they said.")] = None,
    on: OnOption = None,
) -> None:
    """Record a complaint; a follow-up the next day closes the loop (done closes the complaint)."""
    from ..enums import ComplaintKind, complaint_class
    from ..errors import UserError
    from ..render import say, stdout, warn

    if kind is None:
        accepted = ", ".join(k.value for k in ComplaintKind)
        raise UserError(f"give the complaint's --kind: one of {accepted}")
    complaint_kind = choice("--kind", kind, ComplaintKind)
    on_day = day("--on", on)
    with transaction(ctx) as session:
        from ..complaints import record_complaint

        filed = record_complaint(
            session=session,
            contact=contact(ctx, session, who),
            kind=complaint_kind,
            on=on_day,
            settings=settings(),
            note=note,
        )
    out, c = stdout(), filed.contact
    klass = complaint_class(filed.complaint.kind)
    say(
        out,
        f"Complaint #{filed.complaint.id} from #{c.id} {c.name} on {filed.complaint.day.isoformat()}: "
        f"{filed.complaint.kind} (a {klass} problem).",
    )
    if filed.followup is not None:
        fu = filed.followup
        say(out, f"  next #{fu.id} {fu.due.isoformat()} {fu.action}: {fu.reason}")
    if klass == "product":
        say(out, "  A product problem: take it back to the company.", style="dim")
    if filed.note:
        warn(filed.note)


@app.command(
    "close-complaint",
    rich_help_panel=PANEL,
    epilog="Example: followup close-complaint 3 --on yesterday   (the id is the one followup show CONTACT lists)",
)
def close_complaint(
    ctx: typer.Context,
    cid: Annotated[str, typer.Argument(metavar="ID", help="The complaint's id, as followup show lists it.")],
    on: OnOption = None,
) -> None:
    """Close a complaint by hand, when the loop was closed another way; its open follow-up is cancelled."""
    from ..complaints import close_complaint as close
    from ..render import say, stdout

    ident = record_id(cid, what="complaint", where="that followup show CONTACT lists")
    on_day = day("--on", on)
    with transaction(ctx) as session:
        closed = close(session=session, complaint_id=ident, on=on_day, who=salesperson(ctx, session))
    c, out = closed.contact, stdout()
    say(
        out,
        f"Closed complaint #{closed.complaint.id} ({closed.complaint.kind}) from #{c.id} {c.name} on {on_day.isoformat()}.",
    )
    if closed.cancelled is not None:
        say(out, f"  cancelled #{closed.cancelled.id}: {closed.cancelled.reason}")


# ---------------------------------------------------------------- the yearly visit


def yearly_visit(ctx: typer.Context, session: Session, contact_id: int) -> list[FollowUp]:
    """After a write on one contact: their yearly visit, if it is now missing (same transaction)."""
    from ..complaints import top_up_yearly_visits

    return top_up_yearly_visits(
        session=session, today=today(), settings=settings(), who=salesperson(ctx, session), contact_ids=[contact_id]
    )


def report_yearly(followups: list[FollowUp]) -> None:
    from ..render import say, stdout

    for fu in followups:
        say(stdout(), f"  yearly visit #{fu.id} {fu.due.isoformat()} {fu.action}: {fu.reason}")


def schedule_missing_yearly_visits(ctx: typer.Context) -> None:
    """For `due`, once its cheap read (`due.yearly_visits_missing`) found a customer missing their
    yearly visit: a short write transaction schedules it. A database the user may only read is
    left as it is."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from ..complaints import top_up_yearly_visits
    from ..render import warn

    try:
        with transaction(ctx) as session:
            top_up_yearly_visits(session=session, today=today(), settings=settings(), who=salesperson(ctx, session))
    except (OperationalError, ProgrammingError) as exc:  # read-only file or role
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        warn(f"yearly visits not scheduled: the database cannot be written ({reason})")
