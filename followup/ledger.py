"""The lead-exchange ledger as portable SQL: leads given to and received from each partner.

A lead received is a referral with source `exchange` and its `partner`; a lead given is a
`lead_given` row. One line per partner (names compared casefolded, shown as first spelled),
so an exchange where one side gives at least twice as much as it gets is visible. `stats`
reads it inside its prospect tables (followup/stats.py); `followup exchange` reads it on its
own (followup/exchange.py). Runs through a `sql.Reader`, so it imports only the stdlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .enums import Source
from .sql import dated_within

if TYPE_CHECKING:
    from .people import Salesperson
    from .sql import Reader

UNKNOWN_PARTNER = "(unknown)"  # how the ledger lists exchange referrals recorded without a partner
EXCHANGE = Source.exchange.value
ONE_SIDED_RATIO = 2  # one side gives at least twice as many leads as it gets...
ONE_SIDED_MIN_LEADS = 3  # ...over at least this many leads both ways


def partner_key(name: str) -> str:
    """What partner names compare by: `ACME  ltd` and `Acme Ltd` are one partner."""
    return " ".join(name.split()).casefold()


def _money(cents) -> float:
    return round(int(cents or 0) / 100, 2)


def partner_spellings(reader: Reader, *, who: Salesperson) -> dict[str, str]:
    """Every partner's key and the spelling it is shown with: the first it was written with
    (the earliest lead either way; on one day a lead received before one given)."""
    contact_owner, contact_params = who.scope_sql("c.owner")
    given_owner, given_params = who.scope_sql("owner")
    queries = (
        (
            "SELECT r.partner, MIN(r.referred_on), MIN(r.id) FROM referral r JOIN contact c ON c.id = r.prospect_id "
            f"WHERE r.partner IS NOT NULL{contact_owner} GROUP BY r.partner",
            contact_params,
        ),
        (f"SELECT partner, MIN(day), MIN(id) FROM lead_given WHERE 1 = 1{given_owner} GROUP BY partner", given_params),
    )
    first: dict[str, tuple] = {}
    for side, (sql, params) in enumerate(queries):
        for spelling, day, ident in reader.rows(sql, params):
            key, seen = partner_key(spelling), (str(day), side, ident, spelling)
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


def exchange_ledger(
    reader: Reader, *, on: date, since: date | None = None, who: Salesperson, tables_ready: bool = False
) -> list[dict]:
    """The give/receive ledger per partner as of `on`: leads received (exchange referrals of
    prospects first seen on or after `since`), how many of them were won and the revenue from
    them; leads given (on or after `since`), how many the partner won and for how much.
    Referrals without a partner count under "(unknown)". Most leads first.

    `tables_ready`: the caller (`stats`) has filled the prospect tables of followup/stats.py
    for the same `on`, `since` and `who`; else they are filled for this read."""
    from .stats import DECIDED, SCOPED, prospect_tables

    if not tables_ready:
        with prospect_tables(reader, on=on, since=since, who=who):
            return exchange_ledger(reader, on=on, since=since, who=who, tables_ready=True)

    names = partner_spellings(reader, who=who)  # shown as first spelled, whatever the window
    lines: dict[str, _Line] = {}

    def line(spelling: str | None) -> _Line:
        key = partner_key(spelling) if spelling else ""
        if key not in lines:
            lines[key] = _Line(names.get(key, spelling) if spelling else UNKNOWN_PARTNER)
        return lines[key]

    received = reader.rows(
        f"SELECT r.partner, COUNT(*), SUM(COALESCE(d.won, 0)), SUM(sc.cents) FROM {SCOPED} sc "
        f"JOIN referral r ON r.prospect_id = sc.id LEFT JOIN {DECIDED} d ON d.id = sc.id "
        "WHERE sc.source = :exchange GROUP BY r.partner",
        {"exchange": EXCHANGE},
    )
    for spelling, n, won, cents in received:
        entry = line(spelling)
        entry.received += int(n)
        entry.received_won += int(won or 0)
        entry.received_cents += int(cents or 0)

    within, params = dated_within("day", on=on, since=since)
    owner_clause, owner_params = who.scope_sql("owner")
    given = reader.rows(
        "SELECT partner, COUNT(*), SUM(CASE WHEN won THEN 1 ELSE 0 END), "
        "       SUM(CASE WHEN won THEN COALESCE(won_amount_cents, 0) ELSE 0 END) "
        f"FROM lead_given WHERE {within}{owner_clause} GROUP BY partner",
        params | owner_params,
    )
    for spelling, n, won_n, cents in given:
        entry = line(spelling)
        entry.given += int(n)
        entry.given_won += int(won_n or 0)
        entry.given_cents += int(cents or 0)

    ordered = sorted(
        lines.values(),
        key=lambda e: (e.partner == UNKNOWN_PARTNER, -(e.received + e.given), e.partner.casefold()),
    )
    return [entry.as_dict() for entry in ordered]
