"""After the sale: complaints, the phases of a complex sale, and the yearly visit.

Keyword-only services in the manner of `services`: each takes a session and the date it acts
on, returns data, never prints. The caller owns the transaction.

- A complaint (`followup complaint`) is recorded open, with a `complaint` follow-up to close
  the loop the next day; completing that follow-up closes the complaint, skipping it leaves
  the complaint open.
- A complex sale (`sold --complex`) goes through three phases at the customer: the new toy,
  learning (motivation drops: a `learning_phase` follow-up offers help) and effectiveness.
- The yearly check-in is the yearly visit: a customer not visited for over a year, with no
  check-in open, gets one (`top_up_yearly_visits`), never two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from . import cadence
from .cadence import Planned
from .config import Settings
from .enums import Channel, ComplaintKind, FollowupStatus, Kind, Status, complaint_class
from .models import Complaint, Contact, FollowUp, Sale, Touch
from .services import Salesperson, _clean, _close, _create, open_followups

OPEN = FollowupStatus.open.value
CLOSED = "closed"  # a complaint whose loop is closed
CUSTOMERS = (Status.customer.value, Status.repeat.value)

# ---------------------------------------------------------------- complaints


@dataclass
class Filed:
    complaint: Complaint
    contact: Contact
    followup: FollowUp | None  # the follow-up that closes the loop; None for do-not-contact
    note: str | None = None


def complaint_reason(kind: str) -> str:
    return f"complaint ({kind}): close the loop"


def record_complaint(
    *, session: Session, contact: Contact, kind: ComplaintKind, on: date, settings: Settings, note: str | None = None
) -> Filed:
    """An open complaint of `kind` on `on`, and a `complaint` follow-up the next day (moved to
    a workday) to close the loop. Any contact may complain; nothing is scheduled for one who
    asked not to be contacted."""
    complaint = Complaint(contact_id=contact.id, kind=kind.value, day=on, note=_clean(note))
    session.add(complaint)
    session.flush()
    result = Filed(complaint, contact, None)
    if contact.do_not_contact:
        result.note = f"{contact.name} asked not to be contacted: the complaint is recorded, no follow-up is scheduled"
        return result
    due = cadence.on_workday(on + timedelta(days=1), settings=settings)
    result.followup = _create(
        session, contact=contact, plan=Planned(Kind.complaint, due, Channel.call, complaint_reason(kind.value))
    )
    complaint.followup_id = result.followup.id
    session.add(complaint)
    session.flush()
    return result


def followup_changed(*, session: Session, followup: FollowUp) -> None:
    """Keep a complaint in step with the follow-up that closes its loop: closed when that
    follow-up is done (on the day it was), open again otherwise (skipped, cancelled, reopened)."""
    if followup.kind != Kind.complaint.value or followup.id is None:
        return
    done = followup.status == FollowupStatus.done.value
    session.exec(
        update(Complaint)
        .where(Complaint.followup_id == followup.id)
        .values(status=CLOSED if done else OPEN, closed_on=followup.closed_on if done else None)
    )


@dataclass
class Closed:
    complaint: Complaint
    contact: Contact
    cancelled: FollowUp | None  # the loop's follow-up, still open, now cancelled


def close_complaint(*, session: Session, complaint_id: int, on: date, who: Salesperson | None = None) -> Closed:
    """Close complaint `complaint_id` by hand on `on`: the loop was closed some other way (a visit,
    a replacement sent), or its follow-up was skipped. Its follow-up, if still open, is cancelled."""
    from .errors import UserError
    from .services import acting

    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise UserError(
            f"no complaint #{complaint_id}; followup show CONTACT lists a contact's complaints with their ids"
        )
    contact = session.get(Contact, complaint.contact_id)
    who = acting(who)
    if not who.sees(contact):
        raise UserError(
            f"complaint #{complaint_id} is from #{contact.id} {contact.name}, a contact of {contact.owner}, "
            f"not yours ({who.name}); work as them with --user {contact.owner}"
        )
    if complaint.status == CLOSED:
        raise UserError(f"complaint #{complaint_id} was closed on {complaint.closed_on.isoformat()} already")
    if on < complaint.day:
        raise UserError(
            f"--on: {on.isoformat()} is before the complaint ({complaint.day.isoformat()}); give a later date"
        )
    loop = session.get(FollowUp, complaint.followup_id) if complaint.followup_id is not None else None
    cancelled = None
    if loop is not None and loop.status == OPEN:
        cancelled = _close([loop], status=FollowupStatus.cancelled, on=on)[0]
        session.add(loop)
    complaint.status, complaint.closed_on = CLOSED, on
    session.add(complaint)
    session.flush()
    return Closed(complaint, contact, cancelled)


def complaints_of(*, session: Session, contact_id: int) -> list[dict]:
    """A contact's complaints, oldest first, as `show` gives them; an open one whose follow-up
    was skipped or cancelled says so (`loop`: the follow-up's id and status)."""
    rows = session.exec(
        select(Complaint, FollowUp.status)
        .join(FollowUp, FollowUp.id == Complaint.followup_id, isouter=True)
        .where(Complaint.contact_id == contact_id)
        .order_by(Complaint.day, Complaint.id)
    ).all()
    return [
        {
            "id": c.id,
            "date": c.day.isoformat(),
            "kind": c.kind,
            "class": complaint_class(c.kind),
            "note": c.note,
            "status": c.status,
            "closed_on": c.closed_on.isoformat() if c.closed_on else None,
            "followup_id": c.followup_id,
            "followup_status": fu_status,
        }
        for c, fu_status in rows
    ]


def complaint_state(c: dict) -> str:
    """`open`, `closed 2026-11-24`, `open (follow-up #7 skipped)`: what `show` says of it."""
    if c["status"] == CLOSED:
        return "closed" + (f" {c['closed_on']}" if c["closed_on"] else "")
    if c["followup_id"] is None:
        return "open (no follow-up: schedule one to close the loop)"
    if c["followup_status"] != OPEN:
        return f"open (follow-up #{c['followup_id']} {c['followup_status']}: the loop is not closed)"
    return f"open (follow-up #{c['followup_id']})"


# ---------------------------------------------------------------- the phases of a complex sale

# The learning phase runs from week 3 to week 6 after a complex sale; its follow-up falls in
# the middle of it, four weeks after the sale, when motivation has had time to drop.
LEARNING_PHASE_DAY = 28
NEW_TOY_DAYS = 21  # weeks 1-3: the new toy
LEARNING_DAYS = 42  # weeks 3-6: learning; effectiveness after
LEARNING_REASON = "learning phase: motivation drops, offer help"


def learning_phase_plan(*, sold_on: date, settings: Settings) -> Planned:
    due = cadence.on_workday(sold_on + timedelta(days=LEARNING_PHASE_DAY), settings=settings)
    return Planned(Kind.learning_phase, due, Channel.call, LEARNING_REASON)


def schedule_learning_phase(
    *, session: Session, contact: Contact, sale: Sale, settings: Settings, on: date
) -> tuple[FollowUp | None, list[FollowUp]]:
    """For a complex sale: the learning-phase follow-up (replacing an open one of an earlier
    sale). Nothing for a contact who asked not to be contacted, or once the day is past."""
    cancelled = _close(
        open_followups(session=session, contact_id=contact.id, kinds=[Kind.learning_phase]),
        status=FollowupStatus.cancelled,
        on=on,
    )
    plan = learning_phase_plan(sold_on=sale.day, settings=settings)
    if contact.do_not_contact or plan.due < on:
        return None, cancelled
    return _create(session, contact=contact, plan=plan, sale_id=sale.id), cancelled


def set_sale_complex(
    *, session: Session, sale: Sale, contact: Contact, complex_: bool, settings: Settings, today: date
) -> tuple[FollowUp | None, list[FollowUp]]:
    """`edit-sale --complex/--simple`: mark the sale, and add (or cancel) its learning-phase
    follow-up. A learning phase already past, open or done schedules nothing."""
    if sale.complex == complex_:
        return None, []
    sale.complex = complex_
    session.add(sale)
    mine = list(
        session.exec(
            select(FollowUp).where(FollowUp.sale_id == sale.id, FollowUp.kind == Kind.learning_phase.value)
        ).all()
    )
    if not complex_:
        return None, _close([fu for fu in mine if fu.status == OPEN], status=FollowupStatus.cancelled, on=today)
    if any(fu.status in (OPEN, FollowupStatus.done.value) for fu in mine):
        return None, []
    return schedule_learning_phase(session=session, contact=contact, sale=sale, settings=settings, on=today)


def move_learning_phase(*, session: Session, sale: Sale, settings: Settings) -> list[FollowUp]:
    """A sale's date corrected: its open learning-phase follow-up falls due again from the new date."""
    due = learning_phase_plan(sold_on=sale.day, settings=settings).due
    moved = []
    for fu in session.exec(
        select(FollowUp).where(
            FollowUp.sale_id == sale.id, FollowUp.kind == Kind.learning_phase.value, FollowUp.status == OPEN
        )
    ).all():
        if fu.due != due:
            fu.due = due
            session.add(fu)
            moved.append(fu)
    return moved


def phase(days_since_sale: int) -> str:
    if days_since_sale < NEW_TOY_DAYS:
        return "new_toy"
    if days_since_sale < LEARNING_DAYS:
        return "learning"
    return "effectiveness"


PHASE_WORDS = {
    "new_toy": "new toy (weeks 1-3)",
    "learning": "learning (weeks 3-6: motivation drops, offer help)",
    "effectiveness": "effectiveness (after week 6)",
}


def phase_of(*, session: Session, contact_id: int, on: date) -> tuple[str | None, Sale | None]:
    """The phase the customer is in for their latest complex sale on or before `on`
    (`new_toy`, `learning`, `effectiveness`), or None without one."""
    sale = session.exec(
        select(Sale)
        .where(Sale.contact_id == contact_id, Sale.complex.is_(True), Sale.day <= on)
        .order_by(Sale.day.desc(), Sale.id.desc())
        .limit(1)
    ).first()
    if sale is None:
        return None, None
    return phase((on - sale.day).days), sale


# ---------------------------------------------------------------- the yearly visit

# A yearly visit that was skipped comes back this many days after the skip, not at once.
SKIPPED_VISIT_AGAIN_DAYS = 30
YEARLY_VISIT_REASON = "yearly visit"


def yearly_visits_missing(*, session: Session, today: date, who: Salesperson | None = None) -> bool:
    """A cheap read: is any customer missing their yearly visit (see `top_up_yearly_visits`)?
    The portable SQL of `due.yearly_visits_missing`, which `due` runs on its own reader."""
    from .due import yearly_visits_missing as missing
    from .sql import SessionReader

    return missing(reader=SessionReader(session), today=today, who=who)


def top_up_yearly_visits(
    *,
    session: Session,
    today: date,
    settings: Settings,
    who: Salesperson | None = None,
    contact_ids: list[int] | None = None,
) -> list[FollowUp]:
    """Schedule the yearly visit (a `checkin`) for every customer (of `contact_ids`, when
    given) whose last visit is over a year old, or who was never visited and first bought
    over a year ago, and who has no check-in open: due `today` (a workday), or 30 days after
    a yearly visit that was skipped, when later. Run inside a write transaction, which
    followup takes one at a time, so the check and the insert see the same state: never two."""
    from .due import missing_yearly_visit
    from .sql import SessionReader

    ids = missing_yearly_visit(reader=SessionReader(session), today=today, who=who, contact_ids=contact_ids)
    rows = session.exec(select(Contact).where(Contact.id.in_(ids)).order_by(Contact.id)).all() if ids else []
    created = []
    for contact in rows:
        last_visit = session.exec(
            select(func.max(Touch.day)).where(Touch.contact_id == contact.id, Touch.channel == Channel.visit.value)
        ).one()
        skipped = session.exec(
            select(func.max(FollowUp.closed_on)).where(
                FollowUp.contact_id == contact.id,
                FollowUp.kind == Kind.checkin.value,
                FollowUp.status == FollowupStatus.skipped.value,
            )
        ).one()
        due = today
        if skipped is not None:
            due = max(due, _as_date(skipped) + timedelta(days=SKIPPED_VISIT_AGAIN_DAYS))
        due = cadence.on_workday(due, settings=settings)
        if last_visit is not None:
            reason = f"{YEARLY_VISIT_REASON}: last visited {_as_date(last_visit).isoformat()}"
        else:
            reason = f"{YEARLY_VISIT_REASON}: never visited since they bought"
        created.append(_create(session, contact=contact, plan=Planned(Kind.checkin, due, Channel.visit, reason)))
    return created


def _as_date(value) -> date:
    """SQLite hands back aggregates of dates as text."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def one_checkin(*, session: Session, contact_id: int, on: date) -> list[FollowUp]:
    """At most one open check-in (after a merge): the earliest due stays, the others are cancelled."""
    checkins = open_followups(session=session, contact_id=contact_id, kinds=[Kind.checkin])
    return _close(checkins[1:], status=FollowupStatus.cancelled, on=on)
