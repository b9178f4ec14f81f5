"""`followup calendar`: open follow-ups as an iCalendar (.ics) file, for a phone or desktop calendar.

Each follow-up is one event: all-day on its due date, or a half-hour event at its time of day
(FollowUp.at_time, floating local time: it shows at that hour wherever the calendar is). An
overdue follow-up lands on the calendar's first day (--on), so it is not lost in the past.

Events keep their UID from one export to the next (`followup-<id>@<token>`, the token read from
when the database was created), so importing a newer file updates each event instead of adding
it twice; SEQUENCE grows with the day the file is made (days since the follow-up was created),
so a moved follow-up is taken as the newer version. The `icalendar` library writes the file:
it escapes commas, semicolons and line breaks, folds long lines and encodes UTF-8.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import DateTime, select, text
from sqlmodel import Session

from . import __version__
from .enums import FollowupStatus
from .models import Contact, FollowUp, Referral
from .services import Salesperson

EVENT_MINUTES = 30  # how long a timed follow-up's event lasts


@dataclass
class Entry:
    """One open follow-up as the calendar shows it."""

    id: int
    contact: str
    company: str | None
    phone: str | None
    email: str | None
    referrer: str | None
    due: date
    at_time: time | None
    kind: str
    action: str
    reason: str
    created_at: datetime


def calendar_entries(*, session: Session, who: Salesperson, until: date) -> list[Entry]:
    """The open follow-ups due on or before `until` (overdue ones included) of contacts who may
    be contacted, in team mode only `who`'s, by due date, time and id."""
    referrer = select(Referral.referrer_name).where(Referral.prospect_id == Contact.id).limit(1).scalar_subquery()
    query = (
        select(
            FollowUp.id,
            Contact.name,
            Contact.company,
            Contact.phone,
            Contact.email,
            referrer,
            FollowUp.due,
            FollowUp.at_time,
            FollowUp.kind,
            FollowUp.action,
            FollowUp.reason,
            FollowUp.created_at,
        )
        .join(Contact, Contact.id == FollowUp.contact_id)
        .where(
            FollowUp.status == FollowupStatus.open.value,
            FollowUp.due <= until,
            Contact.do_not_contact.is_(False),
        )
        .order_by(FollowUp.due, FollowUp.at_time.asc().nulls_last(), FollowUp.id)
    )
    scope = who.scope()
    if scope is not None:
        query = query.where(scope)
    return [Entry(*row) for row in session.execute(query).all()]


def database_token(session: Session) -> str:
    """A short token that stays the same for one database and differs between databases: a
    hash of the moment its schema was first created."""
    from .migrations import MIGRATIONS, MIGRATIONS_TABLE

    query = text(f"SELECT applied_at FROM {MIGRATIONS_TABLE} WHERE name = :name").columns(
        applied_at=DateTime(timezone=True)
    )
    created = session.execute(query, {"name": MIGRATIONS[0][0]}).scalar()
    seed = "followup"
    if isinstance(created, datetime):
        moment = created.replace(tzinfo=UTC) if created.utcoffset() is None else created.astimezone(UTC)
        seed = moment.isoformat()
    return hashlib.sha256(seed.encode()).hexdigest()[:12]


# C0 and C1 control characters other than tab and line feed: iCalendar text may not hold them
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(value: str | None) -> str:
    return _CONTROLS.sub("", value or "").strip()


def summary(entry: Entry) -> str:
    """What the calendar shows: "call Sue Chen: 2-4-8 day 4: adaptation period"."""
    return _clean(f"{entry.action} {entry.contact}: {entry.reason}")


def description(entry: Entry, *, on: date) -> str:
    lines = [f"{entry.action} {entry.contact}" + (f" ({entry.company})" if entry.company else "")]
    lines.append(f"Why: {entry.reason}")
    for label, value in (("Phone", entry.phone), ("E-mail", entry.email), ("Referred by", entry.referrer)):
        if value:
            lines.append(f"{label}: {value}")
    if entry.due < on:
        days = (on - entry.due).days
        lines.append(f"Overdue: was due {entry.due.isoformat()} ({days} day{'s' if days != 1 else ''} ago)")
    lines.append(f"Follow-up #{entry.id}: when done, run: followup done {entry.id}")
    lines.append(f"(or: followup snooze {entry.id} DATE, followup skip {entry.id})")
    return "\n".join(_clean(line) for line in lines)


def sequence(entry: Entry, *, on: date) -> int:
    """Grows with the day the calendar is made, so a calendar that re-imports the file takes a
    moved follow-up as the newer version (with the same day, DTSTAMP breaks the tie)."""
    return max((on - entry.created_at.date()).days, 0)


def calendar_ics(entries: list[Entry], *, on: date, token: str, stamp: datetime) -> bytes:
    """The iCalendar file: one event per entry; an overdue one on `on`."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", f"-//followup//followup {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "followup")
    stamp = stamp.astimezone(UTC).replace(microsecond=0)
    for entry in entries:
        day = max(entry.due, on)
        event = Event()
        event.add("uid", f"followup-{entry.id}@{token}")
        event.add("dtstamp", stamp)
        event.add("sequence", sequence(entry, on=on))
        event.add("summary", summary(entry))
        event.add("description", description(entry, on=on))
        event.add("categories", [entry.kind])
        if entry.at_time is None:
            event.add("dtstart", day)
            event.add("dtend", day + timedelta(days=1))
        else:
            start = datetime.combine(day, entry.at_time)  # floating: the hour wherever the calendar is
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
        event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: the day stays free
        cal.add_component(event)
    return cal.to_ical()
