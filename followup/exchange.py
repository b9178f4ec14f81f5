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

from sqlalchemy import func
from sqlmodel import Session, select

from .enums import Source
from .errors import UserError
from .models import Contact, LeadGiven, Referral, Sale
from .services import UNKNOWN_PARTNER, Salesperson, acting, clean_partner, name_key, partner_key

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


# ---------------------------------------------------------------- the ledger (portable SQL: followup/ledger.py)


def partner_names(*, session: Session, who: Salesperson | None = None) -> dict[str, str]:
    """Every partner's key and the spelling it is shown with: the first it was written with
    (the earliest lead either way; on one day a lead received before one given)."""
    from .ledger import partner_spellings
    from .sql import SessionReader

    return partner_spellings(SessionReader(session), who=acting(who))


def ledger(
    *,
    session: Session,
    on: date,
    since: date | None = None,
    who: Salesperson | None = None,
) -> list[dict]:
    """The give/receive ledger per partner as of `on` (see `ledger.exchange_ledger`, which
    `stats` reads too): leads received of prospects first seen on or after `since`, leads
    given on or after `since`; most leads first."""
    from .ledger import exchange_ledger
    from .sql import SessionReader

    return exchange_ledger(SessionReader(session), on=on, since=since, who=acting(who))


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
