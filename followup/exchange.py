"""The lead exchange: leads handed to partner companies and the leads they send back.

A lead received is a referral with source `exchange` and its `partner`; a lead given is a
`LeadGiven` row (`gave-lead`), marked won with the partner's amount once known (`lead-won`).
The ledger puts both sides next to each other, one line per partner (names compared
casefolded, shown as first spelled), so an exchange where one side gives at least twice
as much as it gets is visible. `stats` shows it as of `--on` for prospects first seen within
`--since`; `exchange` lists the leads themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, bindparam, case, func, text
from sqlmodel import Session, select

from .enums import Source
from .errors import UserError
from .models import Contact, LeadGiven, Referral, Sale
from .services import UNKNOWN_PARTNER, Salesperson, acting, clean_partner, name_key, partner_key

ONE_SIDED_RATIO = 2  # one side gives at least twice as many leads as it gets...
ONE_SIDED_MIN_LEADS = 3  # ...over at least this many leads both ways
MAX_LEAD_NAME_LENGTH = 200


def _money(cents) -> float:
    return round(int(cents or 0) / 100, 2)


def _scoped(query, who: Salesperson, owner_column):
    condition = who.scope(owner_column)
    return query if condition is None else query.where(condition)


# ---------------------------------------------------------------- giving a lead


@dataclass
class Given:
    lead: LeadGiven
    contact: Contact | None  # None for a lead recorded by name only


def give_lead(
    *,
    session: Session,
    partner: str,
    on: date,
    contact: Contact | None = None,
    name: str | None = None,
    note: str | None = None,
    who: Salesperson | None = None,
) -> Given:
    """Record that `who` handed a lead to `partner` on `on`: one of their contacts, or (`name`)
    someone who is not in their book. The same person is given to the same partner once."""
    who = acting(who)
    partner = clean_partner(partner, option="PARTNER")
    if (contact is None) == (name is None):
        raise ValueError("give_lead takes a contact or a name")
    if contact is not None:
        if contact.do_not_contact:
            raise UserError(
                f"{contact.name} (#{contact.id}) asked not to be contacted; a lead handed to a partner "
                "would be contacted all the same"
            )
        lead_name = contact.name
        same = LeadGiven.contact_id == contact.id
    else:
        lead_name = " ".join(name.split())
        if not lead_name:
            raise UserError("CONTACT: give the lead's name, such as 'Sue Chen' or '陈素'")
        if len(lead_name) > MAX_LEAD_NAME_LENGTH:
            raise UserError(f"CONTACT: a lead's name has at most {MAX_LEAD_NAME_LENGTH} characters")
        same = LeadGiven.contact_id.is_(None)
    key = partner_key(partner)
    earlier = [
        lead
        for lead in session.exec(
            _scoped(select(LeadGiven).where(LeadGiven.partner_key == key, same), who, LeadGiven.owner)
        ).all()
        if contact is not None or name_key(lead.contact_name) == name_key(lead_name)
    ]
    if earlier:
        first = earlier[0]
        raise UserError(
            f"{lead_name} was already given to {first.partner} on {first.day.isoformat()} (lead #{first.id}); "
            "followup exchange lists the leads"
        )
    lead = LeadGiven(
        partner=partner,
        partner_key=key,
        contact_id=contact.id if contact is not None else None,
        contact_name=lead_name,
        day=on,
        note=(note.strip() or None) if note is not None else None,
        owner=who.name,
    )
    session.add(lead)
    session.flush()
    return Given(lead, contact)


# ---------------------------------------------------------------- what the partner won with it


@dataclass
class Won:
    lead: LeadGiven
    was_won: bool
    was_amount_cents: int | None

    @property
    def changed(self) -> bool:
        return (self.was_won, self.was_amount_cents) != (self.lead.won, self.lead.won_amount_cents)


def get_lead(*, session: Session, lead_id: int, who: Salesperson | None = None) -> LeadGiven:
    who = acting(who)
    lead = session.get(LeadGiven, lead_id) if lead_id <= 2**31 - 1 else None
    if lead is None:
        raise UserError(f"no lead #{lead_id}; followup exchange lists the leads you gave with their ids")
    if who.only_own and lead.owner != who.name:
        raise UserError(f"lead #{lead_id} was given by {lead.owner}, not by you ({who.name})")
    return lead


def lead_won(
    *,
    session: Session,
    lead_id: int,
    amount_cents: int | None = None,
    undo: bool = False,
    who: Salesperson | None = None,
) -> Won:
    """Mark lead `lead_id` won by the partner, with what they sold (`amount_cents`, kept when
    not given again); `undo` clears a win recorded by mistake."""
    if undo and amount_cents is not None:
        raise UserError("--undo clears the win and its amount; give --amount without --undo")
    lead = get_lead(session=session, lead_id=lead_id, who=who)
    result = Won(lead, lead.won, lead.won_amount_cents)
    if undo:
        lead.won, lead.won_amount_cents = False, None
    else:
        lead.won = True
        if amount_cents is not None:
            lead.won_amount_cents = amount_cents
    session.add(lead)
    session.flush()
    return result


# ---------------------------------------------------------------- the ledger


def _received_sql(dialect: str, *, since: bool, owner: bool) -> str:
    """Exchange referrals per partner spelling, decided and won as `stats` defines them."""
    from .stats import _people_sql

    return (
        _people_sql(dialect, since=since, owner=owner)
        + """
    SELECT r.partner, COUNT(*), SUM(COALESCE(d.won, 0)), SUM(sc.cents)
    FROM scoped sc
    JOIN referral r ON r.prospect_id = sc.id
    LEFT JOIN decided d ON d.id = sc.id
    WHERE sc.source = :exchange
    GROUP BY r.partner
    """
    )


def partner_names(*, session: Session, who: Salesperson | None = None) -> dict[str, str]:
    """Every partner's key and the spelling it is shown with: the first it was written with
    (the earliest lead either way; on one day a lead received before one given)."""
    who = acting(who)
    referrals = (
        select(Referral.partner, func.min(Referral.referred_on), func.min(Referral.id))
        .join(Contact, Contact.id == Referral.prospect_id)
        .where(Referral.partner.is_not(None))
    )
    referrals = _scoped(referrals, who, Contact.owner).group_by(Referral.partner)
    given = select(LeadGiven.partner, func.min(LeadGiven.day), func.min(LeadGiven.id))
    given = _scoped(given, who, LeadGiven.owner).group_by(LeadGiven.partner)
    first: dict[str, tuple] = {}
    for side, query in enumerate((referrals, given)):
        for spelling, day, ident in session.exec(query).all():
            key, seen = partner_key(spelling), (day, side, ident, spelling)
            first[key] = min(first.get(key, seen), seen)
    return {key: seen[-1] for key, seen in first.items()}


@dataclass
class _Line:
    partner: str
    received: int = 0
    received_won: int = 0
    received_cents: int = 0
    given: int = 0
    given_won: int = 0
    given_cents: int = 0

    def as_dict(self) -> dict:
        r, g = self.received, self.given
        one_sided = r + g >= ONE_SIDED_MIN_LEADS and max(r, g) >= ONE_SIDED_RATIO * min(r, g)
        return {
            "partner": self.partner,
            "received": r,
            "received_won": self.received_won,
            "received_revenue": _money(self.received_cents),
            "given": g,
            "given_won": self.given_won,
            "given_revenue": _money(self.given_cents),
            "one_sided": one_sided,
            # who gives more when it is one-sided: "you" or "partner"
            "gives_more": ("you" if g > r else "partner") if one_sided else None,
        }


def ledger(
    *,
    session: Session,
    on: date,
    since: date | None = None,
    who: Salesperson | None = None,
) -> list[dict]:
    """The give/receive ledger per partner as of `on`: leads received (exchange referrals of
    prospects first seen on or after `since`), how many of them were won and the revenue from
    them; leads given (on or after `since`), how many the partner won and for how much.
    Referrals without a partner count under "(unknown)". Most leads first."""
    who = acting(who)
    names = partner_names(session=session, who=who)  # shown as first spelled, whatever the window
    lines: dict[str, _Line] = {}

    def line(spelling: str | None) -> _Line:
        key = partner_key(spelling) if spelling else ""
        if key not in lines:
            lines[key] = _Line(names.get(key, spelling) if spelling else UNKNOWN_PARTNER)
        return lines[key]

    conn = session.connection()
    params: dict = {"on": on, "exchange": Source.exchange.value}
    if since is not None:
        params["since"] = since
    if who.only_own:
        params["owner"] = who.name
    sql = text(_received_sql(conn.dialect.name, since=since is not None, owner=who.only_own)).bindparams(
        *(bindparam(name, type_=Date) for name in ("on", "since") if name in params)
    )
    for spelling, n, won, cents in conn.execute(sql, params).all():
        entry = line(spelling)
        entry.received += int(n)
        entry.received_won += int(won or 0)
        entry.received_cents += int(cents or 0)

    won = case((LeadGiven.won, 1), else_=0)
    given = select(
        LeadGiven.partner,
        func.count(),
        func.sum(won),
        func.sum(case((LeadGiven.won, func.coalesce(LeadGiven.won_amount_cents, 0)), else_=0)),
    ).where(LeadGiven.day <= on)
    if since is not None:
        given = given.where(LeadGiven.day >= since)
    given = _scoped(given, who, LeadGiven.owner).group_by(LeadGiven.partner)
    for spelling, n, won_n, cents in session.exec(given).all():
        entry = line(spelling)
        entry.given += int(n)
        entry.given_won += int(won_n or 0)
        entry.given_cents += int(cents or 0)

    ordered = sorted(
        lines.values(),
        key=lambda e: (e.partner == UNKNOWN_PARTNER, -(e.received + e.given), e.partner.casefold()),
    )
    return [entry.as_dict() for entry in ordered]


# ---------------------------------------------------------------- the leads themselves (`followup exchange`)


def find_partner(*, session: Session, ref: str, who: Salesperson | None = None) -> tuple[str, str]:
    """The partner `ref` names, as (key, first spelling): exact (casefolded), else a unique part
    of the name; `(unknown)` names the exchange referrals without a partner."""
    who = acting(who)
    if partner_key(ref) == UNKNOWN_PARTNER:
        return "", UNKNOWN_PARTNER
    wanted = partner_key(clean_partner(ref, option="PARTNER"))
    names = partner_names(session=session, who=who)
    if wanted in names:
        return wanted, names[wanted]
    matches = sorted(key for key in names if wanted in key)
    if len(matches) == 1:
        return matches[0], names[matches[0]]
    if matches:
        listed = ", ".join(names[k] for k in matches[:6])
        raise UserError(f"{ref!r} names more than one partner: {listed}; give more of the name")
    known = ", ".join(names[k] for k in sorted(names)[:6]) or "none yet"
    raise UserError(f"no leads exchanged with {ref!r}; partners: {known}")


def leads(*, session: Session, on: date, partner: str | None = None, who: Salesperson | None = None) -> dict:
    """The ledger (as of `on`, all time) and every lead given and received, oldest first;
    `partner` (a key from `find_partner`) keeps one partner's."""
    who = acting(who)
    rows = ledger(session=session, on=on, who=who)
    if partner is not None:
        shown = partner_names(session=session, who=who).get(partner, UNKNOWN_PARTNER) if partner else UNKNOWN_PARTNER
        rows = [r for r in rows if r["partner"] == shown]

    given_query = select(LeadGiven).order_by(LeadGiven.day, LeadGiven.id)
    if partner is not None:
        given_query = given_query.where(LeadGiven.partner_key == partner)
    given = [
        {
            "id": lead.id,
            "partner": lead.partner,
            "date": lead.day.isoformat(),
            "contact_id": lead.contact_id,
            "contact": lead.contact_name,
            "note": lead.note,
            "won": lead.won,
            "amount": None if lead.won_amount_cents is None else _money(lead.won_amount_cents),
        }
        for lead in session.exec(_scoped(given_query, who, LeadGiven.owner)).all()
    ]

    sales = (
        select(Sale.contact_id, func.min(Sale.day).label("first"), func.sum(Sale.amount_cents).label("cents"))
        .where(Sale.day <= on)
        .group_by(Sale.contact_id)
        .subquery()
    )
    received_query = (
        select(Referral, Contact.name, Contact.status, Contact.lost_on, sales.c.first, sales.c.cents)
        .join(Contact, Contact.id == Referral.prospect_id)
        .outerjoin(sales, sales.c.contact_id == Referral.prospect_id)
        .where(Referral.source == Source.exchange.value)
        .order_by(Referral.referred_on, Referral.id)
    )
    received = []
    for ref, name, status, lost_on, first_sale, cents in session.exec(
        _scoped(received_query, who, Contact.owner)
    ).all():
        spelling = ref.partner or UNKNOWN_PARTNER
        if partner is not None and (partner_key(ref.partner) if ref.partner else "") != partner:
            continue
        lost = lost_on if lost_on is not None and lost_on <= on else None
        received.append(
            {
                "contact_id": ref.prospect_id,
                "contact": name,
                "partner": spelling,
                "referrer": ref.referrer_name,
                "date": ref.referred_on.isoformat(),
                "status": status,
                "won": first_sale is not None and (lost is None or first_sale <= lost),
                "revenue": _money(cents),
            }
        )
    return {"date": on.isoformat(), "partners": rows, "leads_given": given, "leads_received": received}
