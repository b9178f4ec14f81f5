"""`followup find`: contacts by any part of their name, company, phones, e-mails, tags or notes.

Case-insensitive the Unicode way on both databases ("ÉCOLE" finds "école", full-width letters
and digits count as the plain ones), so the comparing is done here and not by the database's
lower(), which SQLite applies to ASCII only. One query per source loads just the columns
compared, for the contacts in reach; 10,000 contacts take a few tens of milliseconds.

Phones compare by their digits, whatever the spaces, dashes, brackets and dots, and with or
without a country code or a trunk 0: "138 0000 0000", "(138) 0000-0000" and "+86 13800000000"
all find "+86 138 0000 0000", and "+86 138 0000 0000" finds "138 0000 0000".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from .contact_list import ContactRow, contact_rows
from .errors import UserError
from .models import Contact, ContactDetail, Touch
from .services import PHONE, Salesperson, is_phone, phone_digits

MAX_COUNTRY_CODE = 3  # digits
MIN_NEEDLE = 3  # digits of a number, at the least, once a country code or trunk 0 is left out
MIN_NATIONAL = 6  # digits a stored number keeps without its country code, to be found by the whole number


def folded(text: str) -> str:
    """`text` as `find` compares it: whitespace collapsed, NFKC-normalised, casefolded."""
    text = unicodedata.normalize("NFKC", " ".join(text.split()))
    return unicodedata.normalize("NFKC", text.casefold())


@dataclass(frozen=True)
class Query:
    """What `find TEXT` looks for: every one of `words` somewhere in a contact's text, or, when
    TEXT is a phone number, a phone holding one of `needles` (digits) or whose digits end
    `number` after a short country code."""

    words: tuple[str, ...]
    needles: frozenset[str] = frozenset()
    number: str = ""

    def phone_matches(self, key: str) -> bool:
        if any(needle in key for needle in self.needles):
            return True
        national = key.lstrip("0")  # stored with a trunk 0, or as 0086...
        return (
            len(national) >= MIN_NATIONAL
            and self.number.endswith(national)
            and len(self.number) - len(national) <= MAX_COUNTRY_CODE
        )


def parse_query(text: str) -> Query:
    """The query for `find TEXT`; empty text is a UserError."""
    plain = unicodedata.normalize("NFKC", " ".join(text.split()))
    if not plain:
        raise UserError(
            "find needs some text to look for: part of a name, company, phone, e-mail, tag or note, "
            "such as followup find acme"
        )
    if not is_phone(plain):
        return Query(tuple(folded(plain).split()))
    number = phone_digits(plain)
    # +86 ... or 0086 ... (a country code never starts with 0)
    international = plain.lstrip("(").startswith("+") or (number.startswith("00") and number[2:3] not in ("", "0"))
    if international and number.startswith("00"):
        number = number[2:]
    needles = {number}
    if international:  # +86 138 0000: the country code is not part of a number written without it
        needles |= {number[n:] for n in range(1, MAX_COUNTRY_CODE + 1) if len(number) - n >= MIN_NEEDLE}
    elif len(number.lstrip("0")) >= MIN_NATIONAL:  # 020 7946 0000 finds +44 20 7946 0000
        needles.add(number.lstrip("0"))
    return Query((folded(plain),), frozenset(needles), number)


def _in_reach(query, who: Salesperson | None, column):
    """`query` kept to `who`'s contacts in team mode, joining `contact` on `column` when needed."""
    scope = who.scope() if who is not None else None
    if scope is None:
        return query
    if column is not Contact.id:
        query = query.join(Contact, Contact.id == column)
    return query.where(scope)


def matching_ids(*, session: Session, text: str, who: Salesperson | None = None) -> list[int]:
    """The ids of the contacts in reach that `text` finds, in order."""
    query = parse_query(text)
    texts: dict[int, list[str]] = {}
    for cid, key, company, tags, note in session.execute(
        _in_reach(select(Contact.id, Contact.name_key, Contact.company, Contact.tags, Contact.note), who, Contact.id)
    ):
        texts[cid] = [key, company or "", tags, note or ""]
    found: set[int] = set()
    for cid, kind, key in session.execute(
        _in_reach(
            select(ContactDetail.contact_id, ContactDetail.kind, ContactDetail.search_key),
            who,
            ContactDetail.contact_id,
        )
    ):
        if kind == PHONE:
            if query.needles and query.phone_matches(key):
                found.add(cid)
        elif cid in texts:
            texts[cid].append(key)
    for cid, note in session.execute(
        _in_reach(select(Touch.contact_id, Touch.note).where(Touch.note.is_not(None)), who, Touch.contact_id)
    ):
        if cid in texts:
            texts[cid].append(note)
    for cid, fields in texts.items():
        if cid not in found:
            blob = "\x00".join(map(folded, fields))  # no word holds NUL, so none spans two fields
            if all(word in blob for word in query.words):
                found.add(cid)
    return sorted(found)


def find_contacts(
    *,
    session: Session,
    text: str,
    status: str | None = None,
    tag: str | None = None,
    who: Salesperson | None = None,
) -> list[ContactRow]:
    """`find TEXT`: the rows of `list` (with its `status` and `tag` filters) for the contacts
    whose name, company, phones, e-mails, tags, note or touch notes hold TEXT (every word of
    it, each anywhere), by id; in team mode only `who`'s."""
    from .sql import SessionReader

    ids = matching_ids(session=session, text=text, who=who)
    return contact_rows(reader=SessionReader(session), status=status, tag=tag, who=who, ids=ids)
