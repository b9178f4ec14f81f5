"""Read-only reports as plain data: one contact's story (the contact list is in contact_list.py).

Each is a few SQL queries (counts and look-ups done by the database, not by loading rows
into objects); `render` draws the result as tables or JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, time

from sqlalchemy import func, select
from sqlmodel import Session

from .enums import FollowupStatus
from .models import Contact, FollowUp, ReferralAsk, Sale, Touch
from .services import (
    Salesperson,
    details_of,
    referral_of,
    referred_by,
    tag_list,
)
from .sql import iso_date

OPEN = FollowupStatus.open.value


def _mine(query, who: Salesperson | None):
    """`query` kept to `who`'s contacts in team mode (it must select from `Contact`)."""
    scope = who.scope() if who is not None else None
    return query if scope is None else query.where(scope)


def _touches_of(contact_id):
    return select(func.count()).select_from(Touch).where(Touch.contact_id == contact_id).scalar_subquery()


def _last_touch_of(contact_id):
    return select(func.max(Touch.day)).where(Touch.contact_id == contact_id).scalar_subquery()


def _next_due_of(contact_id):
    return (
        select(func.min(FollowUp.due))
        .where(FollowUp.contact_id == contact_id, FollowUp.status == OPEN)
        .scalar_subquery()
    )


# ---------------------------------------------------------------- due


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
        "lost_on": iso_date(contact.lost_on),
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
                "first_sale": iso_date(first_sale),
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
            "closed_on": iso_date(f.closed_on),
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
