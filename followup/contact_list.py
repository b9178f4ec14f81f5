"""`followup list` (and the rows `find` shows): the contacts, as plain data.

Portable SQL (see `sql`) run through a `Reader`: on an up-to-date SQLite file the stdlib sqlite3
driver, so listing contacts never pays for importing SQLAlchemy; on PostgreSQL the same text
through SQLAlchemy. Each row is a contact with its touch count, last touch, next open follow-up
and referrer, looked up by index for the rows wanted only. `render.render_list` draws the rows,
`--json` prints them. Only the stdlib and light modules of followup are imported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .enums import FollowupStatus, Status
from .sql import as_bool, chunks, iso_date, scalar

if TYPE_CHECKING:
    from .people import Salesperson
    from .sql import Reader

OPEN = FollowupStatus.open.value
CUSTOMERS = (Status.customer.value, Status.repeat.value)


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


# each contact's row; the next follow-up is the first of the (contact_id, status, due) index, a
# form both databases answer by one index look-up (a plain MIN(f.due) may walk (status, due))
_ROW = """
    SELECT c.id, c.name, c.company, c.status,
           (SELECT COUNT(*) FROM touch t WHERE t.contact_id = c.id),
           (SELECT MAX(t.day) FROM touch t WHERE t.contact_id = c.id),
           (SELECT f.due FROM followup f WHERE f.contact_id = c.id AND f.status = :open
            ORDER BY f.due LIMIT 1),
           (SELECT r.referrer_name FROM referral r WHERE r.prospect_id = c.id LIMIT 1),
           c.do_not_contact, c.owner, c.tags"""

# the contacts `list` shows, by id: {where} holds the filters (status, tag, owner, ids)
_ROWS = f"""{_ROW}
    FROM contact c
    WHERE 1 = 1{{where}}
    ORDER BY c.id"""

# the first :limit of them, picked by id alone, so the look-ups run for those rows only
_FIRST_ROWS = f"""{_ROW}
    FROM (SELECT c.id AS id FROM contact c WHERE 1 = 1{{where}} ORDER BY c.id LIMIT :limit) AS pick
    JOIN contact c ON c.id = pick.id
    ORDER BY c.id"""


def _filters(*, status: str | None, wanted: str | None, who: Salesperson | None) -> tuple[str, dict[str, Any]]:
    """The WHERE conditions (each starting " AND ") and parameters of `list`'s filters: `status`
    (`customer` includes repeat customers; None or "all": any), contacts with tags when a tag is
    `wanted` (which tag is compared in Python), and `who`'s own contacts in team mode."""
    where, params = who.scope_sql("c.owner") if who is not None else ("", {})
    params = {**params, "open": OPEN}
    if status == Status.customer.value:
        where += " AND c.status IN (:statuses)"
        params["statuses"] = CUSTOMERS
    elif status not in (None, "all"):
        where += " AND c.status = :status"
        params["status"] = status
    if wanted:
        where += " AND c.tags <> ''"
    return where, params


def _wanted(tag: str | None) -> str | None:
    """The tag to match, casefolded; None for no tag filter (none given, or only spaces)."""
    wanted = tag.strip().casefold() if tag else ""
    return wanted or None


def _tagged(tags: str, wanted: str | None) -> bool:
    """Whether a contact's tags (comma-separated) hold `wanted`, in any case. Compared in Python:
    SQLite's lower() knows only ASCII, and "École" is "école"."""
    return wanted is None or wanted in {t.casefold() for t in tags.split(",") if t}


def _row(found: tuple) -> ContactRow:
    cid, name, company, status, touches, last, nxt, referrer, dnc, owner, _tags = found
    return ContactRow(cid, name, company, status, touches, iso_date(last), iso_date(nxt), referrer, as_bool(dnc), owner)


def contact_rows(
    *,
    reader: Reader,
    status: str | None = None,
    tag: str | None = None,
    who: Salesperson | None = None,
    ids: Sequence[int] | None = None,
) -> list[ContactRow]:
    """The contacts matching `status` and `tag` (in team mode, `who`'s own), by id; only those
    of `ids` when given (`find`)."""
    wanted = _wanted(tag)
    where, params = _filters(status=status, wanted=wanted, who=who)
    if ids is None:
        found = reader.rows(_ROWS.format(where=where), params)
    else:
        found = []
        for chunk in chunks(sorted(set(ids))):  # in id order
            found += reader.rows(_ROWS.format(where=where + " AND c.id IN (:ids)"), {**params, "ids": chunk})
    return [_row(row) for row in found if _tagged(row[-1], wanted)]


def capped_contact_rows(
    *,
    reader: Reader,
    max_rows: int,
    status: str | None = None,
    tag: str | None = None,
    who: Salesperson | None = None,
) -> tuple[list[ContactRow], int]:
    """The first `max_rows` rows of `contact_rows` (same filters, same order) and how many match
    in all. Without a tag the database counts and picks the first ids; with one, the ids and
    tags of the tagged contacts are read and compared here. Only the rows shown get their touch
    counts, dates and referrers."""
    wanted = _wanted(tag)
    where, params = _filters(status=status, wanted=wanted, who=who)
    if wanted is None:
        total = scalar(reader, f"SELECT COUNT(*) FROM contact c WHERE 1 = 1{where}", params)
        found = reader.rows(_FIRST_ROWS.format(where=where), {**params, "limit": max_rows})
        return [_row(row) for row in found], total
    matching = [
        cid
        for cid, tags in reader.rows(f"SELECT c.id, c.tags FROM contact c WHERE 1 = 1{where} ORDER BY c.id", params)
        if _tagged(tags, wanted)
    ]
    return contact_rows(reader=reader, status=status, who=who, ids=matching[:max_rows]), len(matching)
