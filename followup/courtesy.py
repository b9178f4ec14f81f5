"""Follow-up that is not pushy: birthdays, keeping people informed, and the hints of `due`.

SPEC section 1: ask prospects when they want to hear from you and honour it, vary the time
of day and the day of the week, do not pour unlimited time into one reluctant prospect,
stop at once when asked, and tell people when product, price or rules change. The rules
that need the database live here, next to the services they extend; `services` calls them
(imported late, as this module imports `services`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from .cadence import Planned
from .config import Settings
from .enums import Channel, FollowupStatus, Kind, Status
from .errors import UserError
from .models import Contact, FollowUp
from .sql import chunks

OPEN = FollowupStatus.open.value

# ---------------------------------------------------------------- birthdays

# A birthday follow-up falls due this many days before the birthday: time to post a card or
# choose a small gift, and a call on the day itself is still ahead.
BIRTHDAY_LEAD_DAYS = 3

BIRTHDAY_FORM = "give MM-DD, such as 12-03 (02-29 is fine), or none to clear it"
_MMDD = re.compile(r"(\d{1,2})-(\d{1,2})")


def parse_birthday(text: str | None) -> str | None:
    """`--birthday`: "12-03" -> "12-03", "none" or "" -> "" (clear it), None -> None (leave it).

    Month 1-12 and a day that month can have; 02-29 is accepted (it falls on 02-28 in other
    years). Anything else is a UserError."""
    if text is None:
        return None
    cleaned = text.strip()
    if cleaned.lower() in ("", "none"):
        return ""
    m = _MMDD.fullmatch(cleaned)
    if m is None or not cleaned.isascii():
        raise UserError(f"--birthday: {text!r} is not a birthday; {BIRTHDAY_FORM}")
    month, day = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise UserError(f"--birthday: {text!r} has no month {month}; {BIRTHDAY_FORM}")
    longest = 29 if month == 2 else calendar.monthrange(2001, month)[1]
    if not 1 <= day <= longest:
        raise UserError(f"--birthday: {text!r}: {calendar.month_abbr[month]} has no day {day}; {BIRTHDAY_FORM}")
    return f"{month:02d}-{day:02d}"


def birthday_in(birthday: str, year: int) -> date:
    """The day the birthday "MM-DD" falls on in `year`: 02-29 is 02-28 outside leap years."""
    month, day = int(birthday[:2]), int(birthday[3:])
    if (month, day) == (2, 29) and not calendar.isleap(year):
        day = 28
    return date(year, month, day)


def next_birthday(birthday: str, *, on: date) -> date:
    """The first day on or after `on` that is the birthday."""
    this_year = birthday_in(birthday, on.year)
    return this_year if this_year >= on else birthday_in(birthday, on.year + 1)


def birthday_label(birthday: str) -> str:
    """`Dec 3` (as `show` and the follow-up's reason say it)."""
    return f"{calendar.month_abbr[int(birthday[:2])]} {int(birthday[3:])}"


def birthday_plan(birthday: str, *, on: date) -> Planned:
    """The birthday follow-up for the next birthday on or after `on`: due BIRTHDAY_LEAD_DAYS
    before it (today, when that is already past), reason `birthday on Dec 3: send greetings`.
    The date is the contact's own and is never moved to a workday."""
    day = next_birthday(birthday, on=on)
    label = birthday_label(birthday)
    if day.strftime("%m-%d") != birthday:  # 02-29 in a year without one
        label += f" ({birthday_label(day.strftime('%m-%d'))} this year)"
    due = max(day - timedelta(days=BIRTHDAY_LEAD_DAYS), on)
    return Planned(Kind.birthday, due, Channel.call, f"birthday on {label}: send greetings")


def _may_greet(contact: Contact) -> bool:
    """Birthdays are for contacts one may call: not do-not-contact, not lost."""
    return bool(contact.birthday) and not contact.do_not_contact and contact.status != Status.lost.value


def _open_birthdays(session: Session, contact: Contact) -> list[FollowUp]:
    return list(
        session.exec(
            select(FollowUp)
            .where(FollowUp.contact_id == contact.id, FollowUp.status == OPEN, FollowUp.kind == Kind.birthday.value)
            .order_by(FollowUp.due, FollowUp.id)
        ).all()
    )


def _new_followup(session: Session, contact: Contact, plan: Planned, **extra) -> FollowUp:
    from .services import _create  # services imports this module

    return _create(session, contact=contact, plan=plan, **extra)


@dataclass
class BirthdaySync:
    scheduled: FollowUp | None = None
    cancelled: list[FollowUp] = field(default_factory=list)


def sync_birthday(*, session: Session, contact: Contact, on: date, replace: bool = False) -> BirthdaySync:
    """Keep a contact's birthday follow-up in step with their birthday and standing: exactly one
    open when they have a birthday and may be contacted (not do-not-contact, not lost), none
    otherwise. `replace` (the birthday changed): the open one is cancelled and a new one made
    for the next birthday on or after `on`."""
    result = BirthdaySync()
    opened = _open_birthdays(session, contact)
    keep = opened[:1] if _may_greet(contact) and not replace else []
    for fu in opened:
        if fu not in keep:
            fu.status, fu.closed_on = FollowupStatus.cancelled.value, on
            session.add(fu)
            result.cancelled.append(fu)
    if _may_greet(contact) and not keep:
        result.scheduled = _new_followup(session, contact, birthday_plan(contact.birthday, on=on))
    session.flush()
    return result


def after_birthday_closed(*, session: Session, fu: FollowUp, on: date) -> FollowUp | None:
    """A birthday follow-up was done or skipped on `on`: next year's, for the birthday after the
    one it was for (the first on or after its due day) and due after `on`. None when the
    contact has no birthday any more or may not be contacted."""
    if fu.kind != Kind.birthday.value:
        return None
    contact = session.get(Contact, fu.contact_id)
    if contact is None or not _may_greet(contact) or _open_birthdays(session, contact):
        return None
    greeted = next_birthday(contact.birthday, on=fu.due)
    after = max(greeted, on) + timedelta(days=1)
    created = _new_followup(session, contact, birthday_plan(contact.birthday, on=after))  # due after `on`
    session.flush()
    return created


# ---------------------------------------------------------------- keeping people informed

MAX_NEWS_LENGTH = 200  # a line of news, not a letter
INFORM_PREFIX = "inform: "


# who `announce --status` reaches: customer includes repeat customers; lost contacts are never told
ANNOUNCE_STATUSES = ("prospect", "customer", "repeat", "all")


def news_reason(text: str) -> str:
    """`inform: prices rise 5% on Jan 1`: the reason of an inform follow-up, the text on one line."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise UserError("announce: give the news as TEXT, such as 'prices rise 5% on Jan 1'")
    if len(cleaned) > MAX_NEWS_LENGTH:
        raise UserError(
            f"announce: the news is {len(cleaned)} characters long; keep it to {MAX_NEWS_LENGTH} "
            "(a line to tell people, the details in your notes)"
        )
    return INFORM_PREFIX + cleaned


@dataclass
class Announced:
    reason: str
    due: date
    scheduled: list[tuple[Contact, FollowUp | None]]  # the follow-up is None on a dry run
    already: list[Contact]  # they have an open inform follow-up with the same text


def announce(
    *,
    session: Session,
    text: str,
    due: date,
    settings: Settings,
    tags: Sequence[str] = (),
    status: str = "all",
    who=None,
    dry_run: bool = False,
) -> Announced:
    """Schedule an `inform` follow-up due `due` for every contact who wants news (`wants_news`),
    may be contacted (not do-not-contact) and is not lost, of `status` (prospect, customer
    (with repeat customers), repeat, all) and carrying any of `tags` (all contacts when none
    are given); in team mode only `who`'s contacts. Never a second open inform with the same
    text for one contact. With `dry_run` nothing is written."""
    from .services import acting, matching_filter, tag_list

    reason = news_reason(text)
    if status not in ANNOUNCE_STATUSES:
        raise UserError(
            f"--status: {status!r} is not one of {', '.join(ANNOUNCE_STATUSES)}"
            + ("; lost contacts are never told" if status == Status.lost.value else "")
        )
    query = select(Contact).where(
        Contact.wants_news.is_(True), Contact.do_not_contact.is_(False), Contact.status != Status.lost.value
    )
    where = matching_filter(status)
    if where is not None:
        query = query.where(where)
    scope = acting(who).scope()
    if scope is not None:
        query = query.where(scope)
    wanted = {t.strip().casefold() for raw in tags for t in raw.split(",") if t.strip()}
    if tags and not wanted:
        raise UserError("--tag: give a tag, such as --tag north")
    contacts = [
        c
        for c in session.exec(query.order_by(Contact.id)).all()
        if not wanted or wanted & {t.casefold() for t in tag_list(c.tags)}
    ]
    told = _open_informs(session, [c.id for c in contacts])
    result = Announced(reason, due, [], [])
    action = Channel(getattr(settings, "default_channel", Channel.call.value))
    for contact in contacts:
        if reason.casefold() in told.get(contact.id, set()):
            result.already.append(contact)
            continue
        fu = None
        if not dry_run:
            fu = _new_followup(session, contact, Planned(Kind.inform, due, action, reason))
        result.scheduled.append((contact, fu))
    session.flush()
    return result


def _open_informs(session: Session, contact_ids: list[int]) -> dict[int, set[str]]:
    """The reasons (casefolded) of the open inform follow-ups of these contacts."""
    found: dict[int, set[str]] = {}
    for chunk in chunks(contact_ids):
        rows = session.exec(
            select(FollowUp.contact_id, FollowUp.reason).where(
                FollowUp.contact_id.in_(chunk), FollowUp.status == OPEN, FollowUp.kind == Kind.inform.value
            )
        ).all()
        for cid, reason in rows:
            found.setdefault(cid, set()).add(" ".join(reason.split()).casefold())
    return found


# ---------------------------------------------------------------- the hints of `due`
