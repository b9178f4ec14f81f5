"""Read-only reports as plain data: the morning list, the contact list, one contact's story.

Each is a few SQL queries (counts and look-ups done by the database, not by loading rows
into objects); `render` draws the result as tables or JSON.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from .config import DEFAULT_WEEKLY_REFERRAL_TARGET
from .enums import KIND_ORDER, POST_SALE_KINDS, FollowupStatus, Kind, Outcome, Status
from .models import Contact, FollowUp, Referral, ReferralAsk, Sale, Touch
from .services import (
    ACTIVE_STATUSES,
    Salesperson,
    details_of,
    matching_filter,
    referral_of,
    referred_by,
    tag_list,
)

OPEN = FollowupStatus.open.value


def _mine(query, who: Salesperson | None):
    """`query` kept to `who`'s contacts in team mode (it must select from `Contact`)."""
    scope = who.scope() if who is not None else None
    return query if scope is None else query.where(scope)


def _touches_of(contact_id):
    return select(func.count()).select_from(Touch).where(Touch.contact_id == contact_id).scalar_subquery()


def _last_touch_of(contact_id):
    return select(func.max(Touch.day)).where(Touch.contact_id == contact_id).scalar_subquery()


def _referrer_of(contact_id):
    return select(Referral.referrer_name).where(Referral.prospect_id == contact_id).limit(1).scalar_subquery()


def _next_due_of(contact_id):
    return (
        select(func.min(FollowUp.due))
        .where(FollowUp.contact_id == contact_id, FollowUp.status == OPEN)
        .scalar_subquery()
    )


# ---------------------------------------------------------------- due


@dataclass
class DueItem:
    id: int
    contact_id: int
    contact: str
    company: str | None
    due: str
    time: str | None  # "15:00" when the follow-up was set for a time of day
    kind: str
    action: str
    reason: str
    touches: int
    referrer: str | None
    overdue_days: int
    phone: str | None = None  # the contact's first phone and e-mail
    email: str | None = None
    asked_for: bool = False  # due on the date the contact asked for (`touch --next`, `schedule`)
    hint: str | None = None  # "vary_time": their last three touches were on one weekday and hour band


@dataclass
class NoNextStep:
    contact_id: int
    contact: str
    status: str
    touches: int
    hint: str | None = None  # "let_go": a prospect past the whole cadence with no sale


@dataclass
class DueReport:
    date: str
    due: list[DueItem]
    upcoming: list[DueItem]
    no_next_step: list[NoNextStep]
    days: int
    # short lines for people under the footer (the referral habit); not part of the JSON contract
    nudges: list[str] = field(default_factory=list)
    # with a row cap (`max_rows`): how many there are in all, where the lists hold only the first
    # rows: keys "overdue", "today", "upcoming", "no_next_step"; None when the lists are whole
    totals: dict[str, int] | None = None

    @property
    def overdue(self) -> int:
        if self.totals is not None:
            return self.totals["overdue"]
        return sum(1 for item in self.due if item.overdue_days > 0)

    def count(self, section: str) -> int:
        """How many follow-ups `due` (overdue and today), `upcoming`, or contacts `no_next_step`
        there are, the rows a cap left out included."""
        if self.totals is None:
            return len(getattr(self, section))
        if section == "due":
            return self.totals["overdue"] + self.totals["today"]
        return self.totals[section]

    def as_json(self) -> dict:
        return {
            "date": self.date,
            "due": [asdict(i) for i in self.due],
            "upcoming": [asdict(i) for i in self.upcoming],
            "no_next_step": [asdict(n) for n in self.no_next_step],
        }


def due_report(
    *,
    session: Session,
    on: date,
    days: int = 0,
    weekly_referral_target: int = DEFAULT_WEEKLY_REFERRAL_TARGET,
    with_nudges: bool = True,
    who: Salesperson | None = None,
    max_rows: int | None = None,
    cadence_length: int | None = None,
) -> DueReport:
    """Open follow-ups due on or before `on`, the next `days` days, the active contacts with
    nothing scheduled, and the referral nudges (see `nudges`); in team mode only those of
    `who`'s contacts. With `max_rows`, each of the three lists holds only its first `max_rows`
    rows (in the same order) and `totals` counts them all: the database does the counting.

    Order: overdue first, by kind (2-4-8, coach and thank-you, touches, check-ins), then by
    day, a time of day only breaking ties (it has passed). Then, for today and each day
    coming up, the follow-ups set for a time of day by time, then those without one by kind."""
    until = on + timedelta(days=days)
    kind_rank = case({k.value: rank for k, rank in KIND_ORDER.items()}, value=FollowUp.kind, else_=len(KIND_ORDER))
    overdue = FollowUp.due < on
    query = (
        select(
            FollowUp.id,
            FollowUp.contact_id,
            Contact.name,
            Contact.company,
            FollowUp.due,
            FollowUp.at_time,
            FollowUp.kind,
            FollowUp.action,
            FollowUp.reason,
            _touches_of(FollowUp.contact_id),
            _referrer_of(FollowUp.contact_id),
            Contact.phone,
            Contact.email,
            FollowUp.asked_for,
        )
        .join(Contact, Contact.id == FollowUp.contact_id)
        .where(FollowUp.status == OPEN, FollowUp.due <= until, Contact.do_not_contact.is_(False))
        .order_by(
            case((overdue, 0), else_=1),
            case((overdue, kind_rank), else_=0),  # overdue: by kind first
            FollowUp.due,
            FollowUp.at_time.asc().nulls_last(),  # within a day: timed first, by time
            kind_rank,
            FollowUp.id,
        )
    )
    if max_rows is None:
        rows = session.execute(_mine(query, who)).all()
    else:  # ---- row cap: each section's first rows, in the same order, and counts of them all
        rows = session.execute(_mine(query.where(FollowUp.due <= on).limit(max_rows), who)).all()
        if days:
            rows += session.execute(_mine(query.where(FollowUp.due > on).limit(max_rows), who)).all()
    due, upcoming = [], []
    for fid, cid, name, company, day, at, kind, action, reason, touches, referrer, phone, email, asked in rows:
        item = DueItem(
            fid,
            cid,
            name,
            company,
            day.isoformat(),
            _time(at),
            kind,
            action,
            reason,
            touches,
            referrer,
            max((on - day).days, 0),
            phone=phone,
            email=email,
            asked_for=bool(asked),
        )
        (due if day <= on else upcoming).append(item)
    upcoming.sort(key=lambda i: i.due)  # stable: within a day, still by time, then kind
    _vary_time_hints(session, due + upcoming, on=on)
    # a birthday greeting is no next step in the sale: it keeps nobody out of "no next step"
    has_open = exists().where(
        FollowUp.contact_id == Contact.id, FollowUp.status == OPEN, FollowUp.kind != Kind.birthday.value
    )
    no_next = (Contact.status.in_(ACTIVE_STATUSES), Contact.do_not_contact.is_(False), ~has_open)
    idle_query = select(Contact.id, Contact.name, Contact.status, _touches_of(Contact.id)).where(*no_next)
    idle_query = idle_query.order_by(Contact.id)
    if max_rows is not None:
        idle_query = idle_query.limit(max_rows)
    idle = session.execute(_mine(idle_query, who)).all()
    return DueReport(
        on.isoformat(),
        due,
        upcoming,
        _let_go_hints([NoNextStep(*row) for row in idle], cadence_length=cadence_length),
        days,
        nudges(session=session, on=on, weekly_referral_target=weekly_referral_target, who=who) if with_nudges else [],
        None if max_rows is None else _due_totals(session, on=on, until=until, no_next=no_next, who=who),
    )


def _due_totals(session: Session, *, on: date, until: date, no_next: tuple, who: Salesperson | None) -> dict[str, int]:
    """The sizes of `due`'s sections, counted by the database (for a capped report)."""
    overdue, today, upcoming = session.execute(
        _mine(
            select(
                func.count(case((FollowUp.due < on, 1))),
                func.count(case((FollowUp.due == on, 1))),
                func.count(case((FollowUp.due > on, 1))),
            )
            .select_from(FollowUp)
            .join(Contact, Contact.id == FollowUp.contact_id)
            .where(FollowUp.status == OPEN, FollowUp.due <= until, Contact.do_not_contact.is_(False)),
            who,
        )
    ).one()
    idle = session.execute(_mine(select(func.count()).select_from(Contact).where(*no_next), who)).scalar_one()
    return {"overdue": overdue, "today": today, "upcoming": upcoming, "no_next_step": idle}


# ---------------------------------------------------------------- nudges


def _shell_word(name: str) -> str:
    """A name as one shell word for a suggested command: 'Tom Wu', "O'Neil"."""
    if "'" not in name:
        return f"'{name}'"
    if not any(c in name for c in '"$`\\!'):
        return f'"{name}"'
    return shlex.quote(name)


def _names(names: list[str], total: int) -> str:
    more = total - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def nudges(
    *,
    session: Session,
    on: date,
    weekly_referral_target: int = DEFAULT_WEEKLY_REFERRAL_TARGET,
    who: Salesperson | None = None,
) -> list[str]:
    """At most three short lines for the foot of `due`, each only when it applies, as of `on`
    (in team mode, about `who`'s contacts):

    - the weekly referral habit: new referrals in the Monday-based week up to `on`, against
      the target (0 turns it off; an empty database is not nagged);
    - customers past their 2-4-8 (a sale whose day-8 step is behind `on`, or whose after-sale
      follow-ups are all closed) who were never asked for a referral;
    - prospects lost in the 30 days before `on` whose last touch was `declined`, not asked since.
    """
    lines: list[str] = []
    if weekly_referral_target > 0:
        monday = on - timedelta(days=on.weekday())
        made, anyone = session.execute(
            select(
                _mine(
                    select(func.count())
                    .select_from(Referral)
                    .join(Contact, Contact.id == Referral.prospect_id)
                    .where(Referral.referred_on >= monday, Referral.referred_on <= on),
                    who,
                ).scalar_subquery(),
                _mine(select(Contact.id), who).exists(),
            )
        ).one()
        if anyone and made < weekly_referral_target:
            lines.append(
                f"Referrals this week: {made} of {weekly_referral_target}. Ask a happy customer: followup ask NAME"
            )

    asked = exists().where(ReferralAsk.customer_id == Contact.id, ReferralAsk.day <= on)
    post_sale = [k.value for k in POST_SALE_KINDS]
    day_8, step, unfinished = aliased(FollowUp), aliased(FollowUp), aliased(FollowUp)
    # each follow-up test names the contact too, so it runs on the (contact_id, status) index
    eight_passed = exists().where(day_8.contact_id == Contact.id, day_8.kind == Kind.post_sale_8.value, day_8.due < on)
    all_closed = and_(
        exists().where(step.contact_id == Sale.contact_id, step.sale_id == Sale.id, step.kind.in_(post_sale)),
        ~exists().where(
            unfinished.contact_id == Sale.contact_id,
            unfinished.sale_id == Sale.id,
            unfinished.kind.in_(post_sale),
            or_(unfinished.status == OPEN, unfinished.closed_on.is_(None), unfinished.closed_on > on),
        ),
    )
    past_2_4_8 = or_(eight_passed, exists().where(Sale.contact_id == Contact.id, Sale.day <= on, all_closed))
    last_sale = select(func.max(Sale.day)).where(Sale.contact_id == Contact.id, Sale.day <= on).scalar_subquery()
    never_asked = session.execute(
        _mine(
            select(Contact.name, func.count().over())
            .where(
                Contact.status.in_((Status.customer.value, Status.repeat.value)),
                Contact.do_not_contact.is_(False),
                past_2_4_8,
                ~asked,
            )
            .order_by(last_sale.desc(), Contact.id.desc())
            .limit(3),
            who,
        )
    ).all()
    if never_asked:
        total = never_asked[0][1]
        lines.append(
            f"{_plural(total, 'customer')} past their 2-4-8 never asked for a referral: "
            f"{_names([name for name, _ in never_asked], total)}."
        )

    last_touch = (
        select(Touch.day, Touch.outcome)
        .where(Touch.contact_id == Contact.id, Touch.day <= on)
        .order_by(Touch.day.desc(), Touch.id.desc())
        .limit(1)
        .correlate(Contact)
    )
    last_day = last_touch.with_only_columns(Touch.day).scalar_subquery()
    last_outcome = last_touch.with_only_columns(Touch.outcome).scalar_subquery()
    asked_since = exists().where(
        ReferralAsk.customer_id == Contact.id, ReferralAsk.day >= last_day, ReferralAsk.day <= on
    )
    declined = session.execute(
        _mine(
            select(Contact.name, func.count().over())
            .where(
                Contact.status == Status.lost.value,
                Contact.do_not_contact.is_(False),
                Contact.lost_on >= on - timedelta(days=30),
                Contact.lost_on <= on,
                last_outcome == Outcome.declined.value,
                ~asked_since,
            )
            .order_by(Contact.lost_on.desc(), Contact.id.desc())
            .limit(3),
            who,
        )
    ).all()
    if declined:
        name, total = declined[0]
        line = f"{name} turned you down: ask who else needs what you sell (followup ask {_shell_word(name)})"
        others = [other for other, _ in declined[1:]]
        if others:
            line += f"; so did {_names(others, total - 1)}"
        lines.append(line)
    return lines


# ---------------------------------------------------------------- list


@dataclass
class ContactRow:
    id: int
    name: str
    company: str | None
    status: str
    touches: int
    last_touch: str | None
    next_due: str | None
    referrer: str | None
    do_not_contact: bool
    owner: str


def contact_rows(
    *,
    session: Session,
    status: str | None = None,
    tag: str | None = None,
    who: Salesperson | None = None,
    ids: Sequence[int] | None = None,
) -> list[ContactRow]:
    """The contacts matching `status` and `tag` (in team mode, `who`'s own), by id; only those
    of `ids` when given (`find`; a few hundred at a time, as a database takes them)."""
    query = select(
        Contact.id,
        Contact.name,
        Contact.company,
        Contact.status,
        _touches_of(Contact.id),
        _last_touch_of(Contact.id),
        _next_due_of(Contact.id),
        _referrer_of(Contact.id),
        Contact.do_not_contact,
        Contact.owner,
        Contact.tags,
    ).order_by(Contact.id)
    query = _mine(query, who)
    where = matching_filter(status)
    if where is not None:
        query = query.where(where)
    wanted = tag.strip().casefold() if tag else None
    if wanted:  # compared in Python: SQLite's lower() knows only ASCII, and "École" is "école"
        query = query.where(Contact.tags != "")
    if ids is not None:
        query = query.where(Contact.id.in_(ids))
    rows = []
    for cid, name, company, st, touches, last, nxt, referrer, dnc, owner, tags in session.execute(query).all():
        if wanted and wanted not in {t.casefold() for t in tag_list(tags)}:
            continue
        rows.append(ContactRow(cid, name, company, st, touches, _iso(last), _iso(nxt), referrer, bool(dnc), owner))
    return rows


# ---------------------------------------------------------------- list: the row cap


def capped_contact_rows(
    *,
    session: Session,
    max_rows: int,
    status: str | None = None,
    tag: str | None = None,
    who: Salesperson | None = None,
) -> tuple[list[ContactRow], int]:
    """The first `max_rows` rows of `contact_rows` (same filters, same order) and how many match
    in all: the ids are found by one light query, and only the rows shown get their touch
    counts, dates and referrers."""
    query = _mine(select(Contact.id, Contact.tags).order_by(Contact.id), who)
    where = matching_filter(status)
    if where is not None:
        query = query.where(where)
    wanted = tag.strip().casefold() if tag else None
    if wanted:
        query = query.where(Contact.tags != "")
    ids = [
        cid
        for cid, tags in session.execute(query).all()
        if not wanted or wanted in {t.casefold() for t in tag_list(tags)}
    ]
    shown, rows = ids[:max_rows], []
    for start in range(0, len(shown), 500):  # a few hundred ids a query, as every database takes them
        rows += contact_rows(session=session, status=status, tag=tag, who=who, ids=shown[start : start + 500])
    return rows, len(ids)


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back aggregates of dates as text
        return value[:10]
    return value.isoformat()


# ---------------------------------------------------------------- show


@dataclass
class ContactDetail:
    contact: dict
    referred_by: dict | None
    referral_chain: list[dict]
    referred: list[dict]
    touches: list[dict]
    followups: list[dict]
    sales: list[dict]
    asks: list[dict]
    timeline: list[dict]
    # the relationship's story, commitment goals and touch purposes (see "levels, goals and purposes")
    levels: list[dict] = field(default_factory=list)
    goals: list[dict] = field(default_factory=list)
    purposes: dict = field(default_factory=dict)
    # complaints, and the phase of the latest complex sale (see "complaints and after-sale phases")
    complaints: list[dict] = field(default_factory=list)
    phase: str | None = None

    def as_json(self) -> dict:
        return asdict(self)


def _time(t: time | None) -> str | None:
    return t.strftime("%H:%M") if t else None


def _money(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def _phones_and_emails(session: Session, contact_id: int) -> dict[str, list[dict]]:
    """`{"phones": [{"value", "label"}...], "emails": [...]}`, the main one first."""
    found: dict[str, list[dict]] = {"phones": [], "emails": []}
    for row in details_of(session=session, contact_id=contact_id):
        found.setdefault(f"{row.kind}s", []).append({"value": row.value, "label": row.label})
    return found


def contact_detail(*, session: Session, contact: Contact, on: date | None = None) -> ContactDetail:
    cid = contact.id
    info = {
        "id": cid,
        "name": contact.name,
        "company": contact.company,
        "phone": contact.phone,  # the first of "phones", the first of "emails"
        "email": contact.email,
        **_phones_and_emails(session, cid),
        "role": contact.role,
        "level": contact.level,
        "tags": tag_list(contact.tags),
        "note": contact.note,
        "status": contact.status,
        "do_not_contact": contact.do_not_contact,
        "lost_on": _iso(contact.lost_on),
        "lost_reason": contact.lost_reason,
        "added": contact.created_at.date().isoformat(),
        "owner": contact.owner,
        "birthday": contact.birthday,  # "MM-DD" or None
        "wants_news": contact.wants_news,  # agreed to hear of changes (announce)
    }
    ref = referral_of(session=session, contact_id=cid)
    referred_by_ = None
    chain: list[dict] = []
    if ref is not None:
        referred_by_ = {
            "referrer_id": ref.referrer_id,
            "referrer": ref.referrer_name,
            "source": ref.source,
            "date": ref.referred_on.isoformat(),
            "partner": ref.partner,  # the partner company of a lead exchange
        }
        # walk up: who referred the referrer, and so on
        seen = {cid}
        step = ref
        while step is not None:
            chain.append(
                {
                    "id": step.referrer_id,
                    "name": step.referrer_name,
                    "source": step.source,
                    "date": step.referred_on.isoformat(),
                    "partner": step.partner,
                }
            )
            if step.referrer_id is None or step.referrer_id in seen:
                break
            seen.add(step.referrer_id)
            step = referral_of(session=session, contact_id=step.referrer_id)
    referred = []
    for r, person in referred_by(session=session, contact_id=cid):
        first_sale = session.execute(select(func.min(Sale.day)).where(Sale.contact_id == person.id)).scalar()
        referred.append(
            {
                "id": person.id,
                "name": person.name,
                "source": r.source,
                "date": r.referred_on.isoformat(),
                "status": person.status,
                "first_sale": _iso(first_sale),
            }
        )
    completed = dict(
        session.execute(
            select(FollowUp.touch_id, FollowUp.reason).where(FollowUp.contact_id == cid, FollowUp.touch_id.is_not(None))
        ).all()
    )
    touches = []
    for n, t in enumerate(
        session.execute(
            select(Touch)
            .where(Touch.contact_id == cid)
            .order_by(Touch.day, Touch.at_time.asc().nulls_first(), Touch.id)
        ).scalars(),
        start=1,
    ):
        touches.append(
            {
                "n": n,
                "id": t.id,
                "date": t.day.isoformat(),
                "time": _time(t.at_time),
                "via": t.channel,
                "outcome": t.outcome,
                "goal": t.goal,
                "note": t.note,
                "completed": completed.get(t.id),
                "purpose": t.purpose,
                "inbound": t.inbound,  # they contacted you (touch --force on a do-not-contact person)
            }
        )
    info["touches"] = len(touches)
    followups = [
        {
            "id": f.id,
            "due": f.due.isoformat(),
            "time": _time(f.at_time),
            "kind": f.kind,
            "action": f.action,
            "reason": f.reason,
            "status": f.status,
            "closed_on": _iso(f.closed_on),
        }
        for f in session.execute(
            select(FollowUp)
            .where(FollowUp.contact_id == cid)
            .order_by(FollowUp.due, FollowUp.at_time.asc().nulls_last(), FollowUp.id)
        ).scalars()
    ]
    sales = [
        {
            "id": s.id,
            "date": s.day.isoformat(),
            "product": s.product,
            "amount": _money(s.amount_cents),
            "complex": s.complex,
        }
        for s in session.execute(select(Sale).where(Sale.contact_id == cid).order_by(Sale.day, Sale.id)).scalars()
    ]
    asks = [
        {"id": a.id, "date": a.day.isoformat(), "got": a.got, "names": a.names}
        for a in session.execute(
            select(ReferralAsk).where(ReferralAsk.customer_id == cid).order_by(ReferralAsk.day, ReferralAsk.id)
        ).scalars()
    ]
    detail = _with_relationship(
        session,
        info,
        referred_by_,
        chain,
        referred,
        touches,
        followups,
        sales,
        asks,
        _timeline(info, referred_by_, referred, touches, followups, sales, asks),
    )
    return _with_after_sale(session, detail, on=on)


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st: a touch's place in the contact's history."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _timeline(info, referred_by_, referred, touches, followups, sales, asks) -> list[dict]:
    """Everything that happened to the contact, oldest first, then what is still open."""
    events = [
        {
            "date": a["date"],
            "what": f"ask #{a['id']} for referrals: {a['got']} name{'' if a['got'] == 1 else 's'}"
            + (f" ({a['names']})" if a["names"] else ""),
        }
        for a in asks
    ]
    if referred_by_:
        events.append(
            {
                "date": referred_by_["date"],
                "what": f"referred by {referred_by_['referrer']} ({referred_by_['source']}"
                + (f", partner {referred_by_['partner']})" if referred_by_.get("partner") else ")"),
            }
        )
    for r in referred:
        events.append({"date": r["date"], "what": f"referred {r['name']} (#{r['id']}, {r['source']})"})
    for t in touches:
        detail = ", ".join(x for x in (t["outcome"], t["goal"] and f"goal: {t['goal']}", t["note"]) if x)
        when = t["date"] + (f" {t['time']}" if t["time"] else "")
        what = f"touch #{t['id']} ({_ordinal(t['n'])}): {t['via']}" + (f" ({detail})" if detail else "")
        if t.get("inbound"):
            what += "; they contacted you"
        if t["completed"]:
            what += f"; done: {t['completed']}"
        events.append({"date": when, "what": what})
    for s in sales:
        what = f"sale #{s['id']}" + (f": {s['product']}" if s["product"] else "")
        if s["amount"] is not None:
            what += f" ({s['amount']:,.2f})"
        events.append({"date": s["date"], "what": what})
    if info["lost_on"]:
        events.append(
            {"date": info["lost_on"], "what": "lost" + (f": {info['lost_reason']}" if info["lost_reason"] else "")}
        )
    for f in followups:
        if f["status"] != OPEN and f["status"] != FollowupStatus.done.value:
            events.append({"date": f["closed_on"] or f["due"], "what": f"{f['status']}: {f['reason']} (#{f['id']})"})
    events.sort(key=lambda e: e["date"])
    for f in followups:
        if f["status"] == OPEN:
            when = f["due"] + (f" {f['time']}" if f["time"] else "")
            events.append({"date": when, "what": f"next: {f['action']}, {f['reason']} (#{f['id']})"})
    return events


# ---------------------------------------------------------------- levels, goals and purposes (show)


def _with_relationship(session: Session, *parts) -> ContactDetail:
    """`show`'s ContactDetail made of `parts`, with the level story, the commitment goals and the
    purposes of the contact's touches."""
    from .enums import Purpose
    from .services import goal_achieved, level_changes

    detail = ContactDetail(*parts)
    detail.levels = [
        {"date": change.day.isoformat(), "level": change.level or None, "previous": change.previous}
        for change in level_changes(session=session, contact_id=detail.contact["id"])
    ]
    detail.goals = [
        {
            "id": t["id"],
            "date": t["date"],
            "goal": t["goal"],
            "outcome": t["outcome"],
            "achieved": goal_achieved(t["goal"], t["outcome"]),
        }
        for t in detail.touches
        if t["goal"] is not None
    ]
    counts = {p.value: 0 for p in Purpose}
    for t in detail.touches:
        if t["purpose"] in counts:
            counts[t["purpose"]] += 1
    with_purpose = sum(counts.values())
    detail.purposes = {"counts": counts, "only_deal": bool(with_purpose) and counts[Purpose.deal.value] == with_purpose}
    return detail


# ---------------------------------------------------------------- complaints and after-sale phases


def _with_after_sale(session: Session, detail: ContactDetail, *, on: date | None) -> ContactDetail:
    """`show`'s complaints (each in the timeline too) and the phase of the latest complex sale
    as of `on` (today when not given)."""
    from .clock import today
    from .complaints import complaint_state, complaints_of, phase_of

    cid = detail.contact["id"]
    detail.complaints = complaints_of(session=session, contact_id=cid)
    detail.phase, _ = phase_of(session=session, contact_id=cid, on=on or today())
    if detail.complaints:
        history = [e for e in detail.timeline if not e["what"].startswith("next: ")]
        ahead = [e for e in detail.timeline if e["what"].startswith("next: ")]
        for c in detail.complaints:
            what = f"complaint #{c['id']}: {c['kind']} ({c['class']})" + (f", {c['note']}" if c["note"] else "")
            history.append({"date": c["date"], "what": f"{what}; {complaint_state(c)}"})
        history.sort(key=lambda e: e["date"])
        detail.timeline = history + ahead
    return detail


# ---------------------------------------------------------------- not pushy: the hints of due


def _vary_time_hints(session: Session, items: list[DueItem], *, on: date) -> None:
    """`hint` "vary_time" on the items of prospects whose last three touches (up to `on`) were
    on the same weekday and in the same hour band (see courtesy.same_time_every_time)."""
    from .courtesy import VARY_TIME, vary_time_contacts

    if not items:
        return
    flagged = vary_time_contacts(session=session, contact_ids=[i.contact_id for i in items], on=on)
    for item in items:
        if item.contact_id in flagged:
            item.hint = VARY_TIME


def _let_go_hints(rows: list[NoNextStep], *, cadence_length: int | None) -> list[NoNextStep]:
    """`hint` "let_go" on the prospects with no next step who have had every touch of the
    cadence (twelve by default) and bought nothing: consider letting them go."""
    from .config import Settings
    from .courtesy import LET_GO

    length = cadence_length if cadence_length is not None else Settings().cadence_length
    for row in rows:
        if row.status == Status.prospect.value and row.touches >= length:
            row.hint = LET_GO
    return rows
