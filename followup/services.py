"""The domain: every change to the records goes through these keyword-only functions.

Each takes a session and the date it acts on, returns data, and never prints. The caller
owns the transaction (see `db.session_scope`), so a command either writes everything or
nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import NamedTuple

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, select

from . import cadence, ledger, people
from .cadence import Planned
from .config import Settings
from .enums import POST_SALE_KINDS, Channel, DetailKind, FollowupStatus, Kind, Outcome, Source, Status
from .errors import UserError
from .models import Contact, ContactDetail, FollowUp, Referral, ReferralAsk, Sale, Touch

OPEN = FollowupStatus.open.value
ACTIVE_STATUSES = (Status.prospect.value, Status.customer.value, Status.repeat.value)


# ---------------------------------------------------------------- who the command acts for


Salesperson = people.Salesperson  # the type every service takes as `who`


acting = people.acting  # `who`, or the user of this account with every contact in reach


def _not_yours(ref: str, theirs: Sequence[Contact], who: Salesperson) -> UserError:
    owners = sorted({c.owner for c in theirs})
    listed = "; ".join(f"#{c.id} {c.name} of {c.owner}" for c in theirs[:4])
    hand_over = f"followup --user {owners[0]} edit {theirs[0].id} --owner {who.name}"
    return UserError(
        f"{ref!r} is not one of your contacts ({who.name}) but {listed}: "
        f"ask {' or '.join(owners)} to hand it over ({hand_over}) or work as them with --user"
    )


# ---------------------------------------------------------------- finding contacts


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _candidates(contacts: Sequence[Contact]) -> str:
    shown = ", ".join(f"#{c.id} {c.name}" + (f" ({c.company})" if c.company else "") for c in contacts[:8])
    more = f" and {len(contacts) - 8} more" if len(contacts) > 8 else ""
    return shown + more


_ID = re.compile(r"#?(\d{1,18})")  # ids fit in a 64-bit integer
MAX_ID = 2**31 - 1  # ids are INTEGER columns, 32-bit on PostgreSQL


def _by_id(session: Session, model, ident: int):
    """The row with this id, or None; no row has an id beyond the column's range (PostgreSQL
    refuses such a comparison instead of finding nothing)."""
    return session.get(model, ident) if ident <= MAX_ID else None


def _match(session: Session, ref: str, *, substring: bool, owner=None) -> Contact | None:
    """`find_contact` among the contacts `owner` (a WHERE condition, or None for all) keeps."""
    if m := _ID.fullmatch(ref):
        contact = _by_id(session, Contact, int(m.group(1)))
        if contact is not None and owner is not None:
            contact = session.exec(select(Contact).where(Contact.id == contact.id, owner)).first()
        if contact is not None or ref.startswith("#"):
            return contact
    key = name_key(ref)
    query = select(Contact).order_by(Contact.id)
    if owner is not None:
        query = query.where(owner)
    exact = session.exec(query.where(Contact.name_key == key)).all()
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise UserError(f"{ref!r} is ambiguous: {_candidates(exact)}; name one by its #ID")
    if not substring:
        return None
    pattern = f"%{_like_escape(key)}%"
    matches = session.exec(query.where(Contact.name_key.like(pattern, escape="\\")).limit(50)).all()
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UserError(f"{ref!r} matches several contacts: {_candidates(matches)}; name one by its #ID or full name")
    return None


def find_contact(
    *, session: Session, ref: str, substring: bool = True, who: Salesperson | None = None
) -> Contact | None:
    """The contact named by `ref`: `#12`/`12`, exact name, or a unique substring of the name.

    Returns None when nothing matches; raises UserError when the name is ambiguous. In team
    mode (`who.only_own`) only `who`'s contacts are found, and a name or id that matches
    only a teammate's contact is an error naming the owner.
    """
    ref = ref.strip()
    if not ref:
        raise UserError("a contact must be named: give #ID, the name, or part of the name")
    who = acting(who)
    found = _match(session, ref, substring=substring, owner=who.scope())
    if found is not None or not who.only_own:
        return found
    theirs = _teammates_match(session, ref, substring=substring, who=who)
    if theirs:
        raise _not_yours(ref, theirs, who)
    return None


def _teammates_match(session: Session, ref: str, *, substring: bool, who: Salesperson) -> list[Contact]:
    """The teammates' contacts `ref` would name, to say whose they are."""
    if m := _ID.fullmatch(ref):
        contact = _by_id(session, Contact, int(m.group(1)))
        if contact is not None or ref.startswith("#"):
            return [contact] if contact is not None else []
    others = select(Contact).where(Contact.owner != who.name).order_by(Contact.id)
    exact = session.exec(others.where(Contact.name_key == name_key(ref)).limit(8)).all()
    if exact or not substring:
        return list(exact)
    pattern = f"%{_like_escape(name_key(ref))}%"
    return list(session.exec(others.where(Contact.name_key.like(pattern, escape="\\")).limit(8)).all())


def resolve_contact(*, session: Session, ref: str, who: Salesperson | None = None) -> Contact:
    """Like `find_contact`, but a name that matches nobody is an error."""
    contact = find_contact(session=session, ref=ref, who=who)
    if contact is None:
        what = f"contact {ref.strip()}" if _ID.fullmatch(ref.strip()) else f"contact matches {ref.strip()!r}"
        raise UserError(f"no {what}; name a contact by #ID, its name, or part of its name (see followup list)")
    return contact


# ---------------------------------------------------------------- small helpers


def _clean(text: str | None) -> str | None:
    """Trimmed text, or None for nothing."""
    if text is None:
        return None
    text = text.strip()
    return text or None


def normalise_tags(tags: Iterable[str]) -> str:
    seen: list[str] = []
    for raw in tags:
        for tag in raw.split(","):
            tag = tag.strip()
            if tag and tag.casefold() not in (t.casefold() for t in seen):
                seen.append(tag)
    return ",".join(seen)


def tag_list(tags: str) -> list[str]:
    return [t for t in tags.split(",") if t]


def touch_count(*, session: Session, contact_id: int, until: date | None = None) -> int:
    query = select(func.count()).select_from(Touch).where(Touch.contact_id == contact_id)
    if until is not None:
        query = query.where(Touch.day <= until)
    return session.exec(query).one()


def referral_of(*, session: Session, contact_id: int) -> Referral | None:
    return session.exec(select(Referral).where(Referral.prospect_id == contact_id)).first()


def open_followups(*, session: Session, contact_id: int, kinds: Iterable[Kind] | None = None) -> list[FollowUp]:
    query = select(FollowUp).where(FollowUp.contact_id == contact_id, FollowUp.status == OPEN)
    if kinds is not None:
        query = query.where(FollowUp.kind.in_([k.value for k in kinds]))
    return list(session.exec(query.order_by(FollowUp.due, FollowUp.id)).all())


def _close(followups: Iterable[FollowUp], *, status: FollowupStatus, on: date) -> list[FollowUp]:
    closed = []
    for fu in followups:
        fu.status = status.value
        fu.closed_on = on
        closed.append(fu)
    return closed


def _create(session: Session, *, contact: Contact, plan: Planned, **extra) -> FollowUp:
    fu = FollowUp(
        contact_id=contact.id,
        due=plan.due,
        kind=plan.kind.value,
        action=plan.action.value,
        reason=plan.reason,
        cadence_step=plan.cadence_step,
        **extra,
    )
    session.add(fu)
    session.flush()
    return fu


REFERRAL_TASKS = (Kind.coach.value, Kind.thank_referrer.value)


def _cancel_coach_tasks_about(session: Session, *, contact: Contact, on: date) -> list[FollowUp]:
    """Coach tasks on a referrer about `contact`, moot once `contact` buys, is lost or says stop."""
    tasks = session.exec(
        select(FollowUp).where(
            FollowUp.about_contact_id == contact.id, FollowUp.kind == Kind.coach.value, FollowUp.status == OPEN
        )
    ).all()
    return _close(tasks, status=FollowupStatus.cancelled, on=on)


def _is_active_prospect(contact: Contact) -> bool:
    return contact.status == Status.prospect.value and not contact.do_not_contact


def _refuse_do_not_contact(contact: Contact) -> None:
    if contact.do_not_contact:
        raise UserError(
            f"{contact.name} (#{contact.id}) asked not to be contacted; nothing is scheduled for them "
            f"(if they called you, log it with followup touch {contact.id} --force; "
            f"lift it with followup edit {contact.id} --allow-contact)"
        )


# ---------------------------------------------------------------- not pushy (see followup.courtesy)


def _inbound_only(contact: Contact, *, force: bool, next_due: date | None) -> bool:
    """Whether a touch on `contact` is only to be logged as theirs (inbound): a do-not-contact
    contact with `force`. Without `force` they are refused; `force` never schedules."""
    if not contact.do_not_contact:
        return False
    if not force:
        raise UserError(
            f"{contact.name} (#{contact.id}) asked not to be contacted, so nothing is logged; if they called you, "
            f"log it with followup touch {contact.id} --force (it schedules nothing); "
            f"followup edit {contact.id} --allow-contact lifts it"
        )
    if next_due is not None:
        raise UserError(
            f"--next: {contact.name} (#{contact.id}) asked not to be contacted; --force logs their call and "
            f"schedules nothing (followup edit {contact.id} --allow-contact lifts it first)"
        )
    return True


def _asked_for_after(session: Session, contact: Contact, *, on: date) -> FollowUp | None:
    """The contact's open follow-up on a date they asked for (`touch --next`, `schedule`) due
    after `on`, the earliest: while it is open, the cadence waits for it."""
    return session.exec(
        select(FollowUp)
        .where(
            FollowUp.contact_id == contact.id,
            FollowUp.status == OPEN,
            FollowUp.asked_for.is_(True),
            FollowUp.due > on,
        )
        .order_by(FollowUp.due, FollowUp.id)
    ).first()


def _birthday_option(text: str | None) -> str | None:
    """`--birthday` as given: "MM-DD", "" to clear it, None to leave it (see courtesy.parse_birthday)."""
    from .courtesy import parse_birthday

    return parse_birthday(text)


def _sync_birthday(session: Session, contact: Contact, *, on: date | None, replace: bool = False):
    """The contact's birthday follow-up in step with their birthday (see courtesy.sync_birthday)."""
    from .clock import today
    from .courtesy import sync_birthday

    session.add(contact)
    return sync_birthday(session=session, contact=contact, on=on or today(), replace=replace)


def _after_closed(session: Session, fu: FollowUp | None, *, on: date) -> list[FollowUp]:
    """What closing `fu` (done or skipped) on `on` schedules next: next year's birthday follow-up."""
    if fu is None or fu.kind != Kind.birthday.value:
        return []
    from .courtesy import after_birthday_closed

    created = after_birthday_closed(session=session, fu=fu, on=on)
    return [created] if created is not None else []


# ---------------------------------------------------------------- contact details
#
# A contact has any number of phones and e-mails (ContactDetail rows), each with an optional
# label. The rules: per kind, one row per number or address, positions 0, 1, 2... (0 is the
# main one), and the first phone and e-mail cached on the contact (Contact.phone,
# Contact.email) so the morning list needs no join. Every change ends with `sync_details`,
# which restores them; code that moves detail rows between contacts calls it too.

PHONE, EMAIL = DetailKind.phone.value, DetailKind.email.value
PHONE_FORM = (
    "digits with spaces or + - ( ) . /, an extension as x12 or ext 12, and a label first if you like, "
    "such as 'mobile: +86 138 0000 0000'"
)
EMAIL_FORM = "one @ with text on both sides and a label first if you like, such as 'work: sue@acme.com'"
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 3, 30
MAX_EMAIL_LENGTH = 254  # the longest address mail systems carry
MAX_LABEL_LENGTH = 40
# `mobile: ...`, `work phone: ...`, `手机：...`: a label is letters (words, single spaces between)
# before the first colon, ASCII or full-width
_LABELLED = re.compile(r"([^\W\d_]+(?: [^\W\d_]+)*) ?[:：] ?(.*)")
_PHONE = re.compile(r"[\d +\-().\/]+(?: ?(?:x|ext\.?|extension) ?\d+)?", re.IGNORECASE)
_URI_SCHEMES = ("tel", "mailto")  # `tel:+86...` is a number, not a label


@dataclass(frozen=True)
class Detail:
    """A phone number or e-mail address as the user gave it, with its label."""

    kind: str  # enums.DetailKind value
    value: str
    label: str | None = None

    @property
    def key(self) -> str:
        return detail_key(self.kind, self.value)


def phone_digits(text: str) -> str:
    """The digits of a phone number, as ASCII: '+86 (138) 0000-0000' -> '8613800000000'."""
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


def detail_key(kind: str, value: str) -> str:
    """What a detail is compared by (its `search_key`): a phone's digits, an e-mail casefolded."""
    return phone_digits(value) if kind == PHONE else value.casefold()


def is_phone(text: str) -> bool:
    """Whether `text` (without a label) reads as a phone number: phone characters only, 3 to 30 digits."""
    return bool(_PHONE.fullmatch(text)) and MIN_PHONE_DIGITS <= len(phone_digits(text)) <= MAX_PHONE_DIGITS


def _is_email(text: str) -> bool:
    local, at, domain = text.partition("@")
    return (
        bool(at and local and domain)
        and "@" not in domain
        and len(text) <= MAX_EMAIL_LENGTH
        and not any(c.isspace() or unicodedata.category(c)[0] == "C" for c in text)
    )


def _quoted(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def parse_detail(kind: str, text: str, *, option: str) -> Detail | None:
    """`'mobile: +86 138 0000 0000'` -> Detail('phone', '+86 138 0000 0000', 'mobile'); None for empty text.

    The label is the word or words (letters only) before the first colon (`:` or `：`); the
    rest is the value, checked lightly: a phone has 3 to 30 digits and only phone characters
    (digits, spaces, + - ( ) . / and x or ext before an extension); an e-mail has one @ with
    text on both sides and no spaces. Anything else is a UserError naming `option`.
    """
    given = text
    text = " ".join(text.split())
    if not text:
        return None
    label = None
    if (m := _LABELLED.fullmatch(text)) and m.group(1).casefold() not in _URI_SCHEMES:
        label, text = m.group(1), m.group(2)
    elif m:
        text = m.group(2)
    word, form = ("phone number", PHONE_FORM) if kind == PHONE else ("e-mail address", EMAIL_FORM)
    if label is not None and len(label) > MAX_LABEL_LENGTH:
        raise UserError(f"{option}: the label of {_quoted(given)} is longer than {MAX_LABEL_LENGTH} characters")
    if not text:
        raise UserError(f"{option}: {_quoted(given)} has a label but no {word}; give {form}")
    if not (is_phone(text) if kind == PHONE else _is_email(text)):
        raise UserError(f"{option}: {_quoted(given)} is not {'a' if kind == PHONE else 'an'} {word}; give {form}")
    return Detail(kind, text, label)


def parse_details(kind: str, texts: Iterable[str], *, option: str) -> list[Detail]:
    """Each of `texts` parsed by `parse_detail`; empty ones left out."""
    return [d for d in (parse_detail(kind, t, option=option) for t in texts) if d is not None]


def same_phone(a: str, b: str) -> bool:
    """Whether two phone keys (digits) are one number, written with and without a country code
    (1 to 3 digits) or a trunk 0: 8613800000000 and 13800000000, 442079460000 and 02079460000."""
    if a == b:
        return True
    short, long = sorted((a.lstrip("0"), b.lstrip("0")), key=len)
    return len(short) >= 6 and long.endswith(short) and len(long) - len(short) <= 3


def details_of(*, session: Session, contact_id: int, kind: str | None = None) -> list[ContactDetail]:
    """A contact's phones and e-mails (or those of `kind`), each kind in its order."""
    query = select(ContactDetail).where(ContactDetail.contact_id == contact_id)
    if kind is not None:
        query = query.where(ContactDetail.kind == kind)
    return list(session.exec(query.order_by(ContactDetail.kind, ContactDetail.position, ContactDetail.id)).all())


def _as_given(rows: Iterable[ContactDetail]) -> list[tuple[str, str, str | None]]:
    return [(row.kind, row.value, row.label) for row in rows]


def sync_details(*, session: Session, contact: Contact) -> None:
    """Restore the rules of a contact's details after any change to their rows: per kind, one
    row per number or address (a repeat is dropped and lends its label to the first if that
    has none), positions 0, 1, 2... in the rows' order (position, then id), and the first phone
    and e-mail cached on the contact. Whoever adds, removes, reorders or moves rows calls it."""
    session.flush()
    first: dict[str, str | None] = {PHONE: None, EMAIL: None}
    kept: dict[tuple[str, str], ContactDetail] = {}
    positions: dict[str, int] = {}
    for row in details_of(session=session, contact_id=contact.id):
        same = kept.get((row.kind, row.search_key))
        if same is not None:
            same.label = same.label or row.label
            session.delete(row)
            continue
        kept[(row.kind, row.search_key)] = row
        row.position = positions.get(row.kind, 0)
        positions[row.kind] = row.position + 1
        if row.position == 0 and row.kind in first:
            first[row.kind] = row.value
        session.add(row)
    contact.phone, contact.email = first[PHONE], first[EMAIL]
    session.add(contact)
    session.flush()


def set_details(*, session: Session, contact: Contact, kind: str, details: Sequence[Detail]) -> bool:
    """Make `details`, in order, all the contact's phones (or e-mails); an empty list clears them.
    A number or address already there keeps its row (and creation time). True when anything changed."""
    rows = details_of(session=session, contact_id=contact.id, kind=kind)
    before = _as_given(rows)
    reusable: dict[str, ContactDetail] = {}
    for row in rows:
        reusable.setdefault(row.search_key, row)
    kept: list[ContactDetail] = []
    for position, detail in enumerate(details):
        row = reusable.pop(detail.key, None)
        if row is None:
            row = ContactDetail(contact_id=contact.id, kind=kind, value=detail.value, search_key=detail.key)
        row.value, row.label, row.position = detail.value, detail.label, position
        session.add(row)
        kept.append(row)
    for row in rows:
        if not any(row is k for k in kept):
            session.delete(row)
    sync_details(session=session, contact=contact)
    return _as_given(details_of(session=session, contact_id=contact.id, kind=kind)) != before


def add_details(*, session: Session, contact: Contact, details: Sequence[Detail]) -> bool:
    """Append each of `details` after the contact's phones or e-mails of its kind; one already
    there (a phone also when written with or without a country code) keeps its place and
    takes the new label, if one is given. True when anything changed."""
    before = _as_given(details_of(session=session, contact_id=contact.id))
    for detail in details:
        rows = details_of(session=session, contact_id=contact.id, kind=detail.kind)
        same = next((row for row in rows if row.search_key == detail.key), None)
        if same is None and detail.kind == PHONE:
            same = next((row for row in rows if same_phone(row.search_key, detail.key)), None)
        if same is not None:
            same.label = detail.label or same.label
            session.add(same)
            continue
        session.add(
            ContactDetail(
                contact_id=contact.id,
                kind=detail.kind,
                value=detail.value,
                label=detail.label,
                position=len(rows),
                search_key=detail.key,
            )
        )
        session.flush()
    sync_details(session=session, contact=contact)
    return _as_given(details_of(session=session, contact_id=contact.id)) != before


def remove_details(
    *, session: Session, contact: Contact, kind: str, texts: Sequence[str], option: str
) -> list[ContactDetail]:
    """Remove the phones (matched by their digits, with or without a country code) or e-mails
    (case-insensitively) given in `texts`; a label given with one is ignored. One the contact
    does not have is a UserError listing theirs. The next one up becomes the main one."""
    removed: list[ContactDetail] = []
    for detail in parse_details(kind, texts, option=option):
        rows = details_of(session=session, contact_id=contact.id, kind=kind)
        found = [row for row in rows if row.search_key == detail.key]
        if not found and kind == PHONE:
            found = [row for row in rows if same_phone(row.search_key, detail.key)]
        if len(found) != 1:
            word = "phone" if kind == PHONE else "e-mail"
            theirs = ", ".join(row.value for row in rows) or "none"
            why = "matches several" if found else "is not one"
            raise UserError(
                f"{option}: {_quoted(detail.value)} {why} of {contact.name}'s {word}s (#{contact.id}: {theirs}); "
                f"give the {word} as followup show lists it"
            )
        session.delete(found[0])
        session.flush()
        removed.append(found[0])
    if removed:
        sync_details(session=session, contact=contact)
    return removed


def move_details(*, session: Session, source: Contact, target: Contact) -> int:
    """Give `source`'s phones and e-mails to `target`, after `target`'s own (a number or address
    both have is kept once, `target`'s label first); both contacts' caches follow. The count moved."""
    rows = details_of(session=session, contact_id=source.id)
    offset = 1 + max((row.position for row in details_of(session=session, contact_id=target.id)), default=-1)
    for row in rows:
        row.contact_id, row.position = target.id, offset + row.position
        session.add(row)
    sync_details(session=session, contact=target)
    sync_details(session=session, contact=source)
    return len(rows)


def _detail_changes(
    session: Session,
    contact: Contact,
    *,
    kind: str,
    replace: Sequence[Detail] | None,
    add: Sequence[Detail],
    remove: Sequence[str],
    option: str,
) -> bool:
    """`edit`'s phones or e-mails: replace them all (when `replace` is not None), then remove,
    then append. True when anything changed."""
    before = _as_given(details_of(session=session, contact_id=contact.id, kind=kind))
    if replace is not None:
        set_details(session=session, contact=contact, kind=kind, details=replace)
    if remove:
        remove_details(session=session, contact=contact, kind=kind, texts=remove, option=f"--rm-{option}")
    if add:
        add_details(session=session, contact=contact, details=add)
    return _as_given(details_of(session=session, contact_id=contact.id, kind=kind)) != before


# ---------------------------------------------------------------- contacts


@dataclass
class Added:
    contact: Contact
    first_touch: FollowUp | None
    namesakes: list[Contact]
    birthday: FollowUp | None = None  # the follow-up before their next birthday


def _new_contact(session: Session, *, name: str, who: Salesperson, **fields) -> Contact:
    name = " ".join(name.split())
    if not name:
        raise UserError("a contact needs a name (any text, such as 'Sue Chen' or '陈素')")
    contact = Contact(name=name, name_key=name_key(name), owner=who.name, **fields)
    session.add(contact)
    session.flush()
    return contact


def add_contact(
    *,
    session: Session,
    name: str,
    settings: Settings,
    company: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    role: str | None = None,
    level: str | None = None,
    tags: Sequence[str] = (),
    note: str | None = None,
    first: date | None = None,
    first_at: time | None = None,
    who: Salesperson | None = None,
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
    on: date | None = None,
    wants_news: bool = False,
    birthday: str | None = None,
) -> Added:
    """A new prospect of `who`; the first touch of the cadence is scheduled only when `first` is given
    (at the time of day `first_at`, if any).

    `phone` and `phones` (`email`, `emails`) are its phones (e-mails) in order, each optionally
    labelled (`'mobile: +86 138 0000 0000'`, see `parse_detail`); the first is the main one."""
    details = parse_details(PHONE, [*([phone] if phone else []), *phones], option="--phone")
    details += parse_details(EMAIL, [*([email] if email else []), *emails], option="--email")
    birthday = _birthday_option(birthday)
    who = acting(who)
    namesakes_query = select(Contact).where(Contact.name_key == name_key(name))
    if who.only_own:
        namesakes_query = namesakes_query.where(who.scope())
    namesakes = list(session.exec(namesakes_query).all())
    contact = _new_contact(
        session,
        name=name,
        who=who,
        company=_clean(company),
        role=role,
        level=level,
        tags=normalise_tags(tags),
        note=_clean(note),
    )
    if details:
        add_details(session=session, contact=contact, details=details)
    if level:  # the first line of the relationship's story, dated `on` (default: today)
        _record_level(session, contact=contact, level=level, previous=None, on=on)
    first_touch = None
    if first is not None:
        plan = cadence.cadence_touch(step=1, due=first, settings=settings, referred=False)
        first_touch = _create(session, contact=contact, plan=plan, at_time=first_at)
    # not pushy: news they agreed to hear, and a birthday ("MM-DD", see courtesy.parse_birthday)
    contact.wants_news, contact.birthday = wants_news, birthday or None
    greeting = _sync_birthday(session, contact, on=on).scheduled if contact.birthday else None
    return Added(contact, first_touch, namesakes, greeting)


@dataclass
class Edited:
    contact: Contact
    changed: list[str]
    cancelled: list[FollowUp] = field(default_factory=list)
    scheduled: list[FollowUp] = field(default_factory=list)  # a birthday follow-up


EDITABLE_TEXT = ("company", "note")  # phones and e-mails: see "contact details"


def edit_contact(
    *,
    session: Session,
    contact: Contact,
    on: date,
    name: str | None = None,
    company: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    note: str | None = None,
    role: str | None = None,
    level: str | None = None,
    tags: Sequence[str] | None = None,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    status: Status | None = None,
    do_not_contact: bool | None = None,
    owner: str | None = None,
    phones: Sequence[str] | None = None,
    add_phones: Sequence[str] = (),
    remove_phones: Sequence[str] = (),
    emails: Sequence[str] | None = None,
    add_emails: Sequence[str] = (),
    remove_emails: Sequence[str] = (),
    wants_news: bool | None = None,
    birthday: str | None = None,
) -> Edited:
    """Change a contact. An empty text clears that field; `None` leaves it alone.

    `phones` (or `phone`, one) replaces all the contact's phones (empty texts only: clears
    them), then `remove_phones` are removed and `add_phones` appended; e-mails alike.
    `owner` hands the contact, with everything logged about it, over to another salesperson."""
    if phone is not None:
        phones = [phone, *(phones or ())]
    if email is not None:
        emails = [email, *(emails or ())]
    detail_edits = {
        PHONE: (phones, add_phones, remove_phones, "phone", "phones"),
        EMAIL: (emails, add_emails, remove_emails, "email", "e-mails"),
    }
    parsed = {
        kind: (
            None if replace is None else parse_details(kind, replace, option=f"--{option}"),
            parse_details(kind, add, option=f"--add-{option}"),
        )
        for kind, (replace, add, _, option, _) in detail_edits.items()
    }
    birthday = _birthday_option(birthday)
    changed: list[str] = []
    cancelled: list[FollowUp] = []
    if owner is not None and owner != contact.owner:
        contact.owner = owner
        changed.append("owner")
    if name is not None:
        clean = " ".join(name.split())
        if not clean:
            raise UserError("--name: a contact needs a name; give the new name")
        contact.name, contact.name_key = clean, name_key(clean)
        changed.append("name")
    for attr, value in zip(EDITABLE_TEXT, (company, note), strict=True):
        if value is not None:
            setattr(contact, attr, _clean(value))
            changed.append(attr)
    for kind, (replace, add, remove, option, word) in detail_edits.items():
        if replace is not None or add or remove:
            new, extra = parsed[kind]
            if _detail_changes(session, contact, kind=kind, replace=new, add=extra, remove=remove, option=option):
                changed.append(word)
    if role is not None:
        contact.role = role or None
        changed.append("role")
    if level is not None and set_level(session=session, contact=contact, level=level, on=on):
        changed.append("level")
    if tags is not None or add_tags or remove_tags:
        current = tag_list(contact.tags) if tags is None else tag_list(normalise_tags(tags))
        drop = {t.strip().casefold() for t in remove_tags}
        contact.tags = normalise_tags([t for t in current if t.casefold() not in drop] + list(add_tags))
        changed.append("tags")
    if status is not None and status.value != contact.status:
        if status is Status.lost:
            cancelled += mark_lost(session=session, contact=contact, on=on, reason=None).cancelled
        else:
            if contact.status == Status.lost.value:
                contact.lost_on = contact.lost_reason = None
            contact.status = status.value
        changed.append("status")
    if do_not_contact is not None and do_not_contact != contact.do_not_contact:
        contact.do_not_contact = do_not_contact
        if do_not_contact:
            cancelled += _cancel_coach_tasks_about(session, contact=contact, on=on)
            cancelled += _close(
                open_followups(session=session, contact_id=contact.id), status=FollowupStatus.cancelled, on=on
            )
        changed.append("do_not_contact")
    # not pushy: news they agreed to hear, their birthday, and its follow-up in step with both
    if wants_news is not None and wants_news != contact.wants_news:
        contact.wants_news = wants_news
        changed.append("wants_news")
    if birthday is not None and (birthday or None) != contact.birthday:
        contact.birthday = birthday or None
        changed.append("birthday")
    greeting = _sync_birthday(session, contact, on=on, replace="birthday" in changed)
    session.add(contact)
    session.flush()
    return Edited(contact, changed, cancelled + greeting.cancelled, [greeting.scheduled] if greeting.scheduled else [])


@dataclass
class Deleted:
    name: str
    touches: int
    followups: int
    sales: int
    referrals_kept: int


def delete_contact(*, session: Session, contact: Contact) -> Deleted:
    """Delete a contact and what only belongs to it.

    The people this contact referred stay referred: their referral rows keep the
    referrer's name and source, only the link to the deleted row is cleared.
    """
    from .models import LeadGiven

    cid = contact.id
    kept = session.exec(update(Referral).where(Referral.referrer_id == cid).values(referrer_id=None)).rowcount
    # leads given to a partner stay in the exchange ledger, under the name they were given with
    session.exec(update(LeadGiven).where(LeadGiven.contact_id == cid).values(contact_id=None))
    session.exec(
        update(FollowUp)
        .where(FollowUp.about_contact_id == cid, FollowUp.status == OPEN)
        .values(status=FollowupStatus.cancelled.value)
    )
    session.exec(update(FollowUp).where(FollowUp.about_contact_id == cid).values(about_contact_id=None))
    counts = {}
    for model, column in (
        (FollowUp, FollowUp.contact_id),
        (Touch, Touch.contact_id),
        (Sale, Sale.contact_id),
        (ReferralAsk, ReferralAsk.customer_id),
        (Referral, Referral.prospect_id),
        (ContactDetail, ContactDetail.contact_id),
    ):
        counts[model] = session.exec(delete(model).where(column == cid)).rowcount
    session.exec(delete(Contact).where(Contact.id == cid))
    session.expunge(contact)
    return Deleted(contact.name, counts[Touch], counts[FollowUp], counts[Sale], kept)


# ---------------------------------------------------------------- referrals


@dataclass
class Referred:
    referral: Referral
    prospect: Contact
    prospect_created: bool
    referrer: Contact
    referrer_created: bool
    first_touch: FollowUp | None
    coach_task: FollowUp | None


def default_source(referrer: Contact) -> Source:
    """A customer's referral is `customer`, a lost prospect's is `declined`, else `network`."""
    if referrer.status in (Status.customer.value, Status.repeat.value):
        return Source.customer
    if referrer.status == Status.lost.value:
        return Source.declined
    return Source.network


def add_referral(
    *,
    session: Session,
    prospect: str,
    referrer: str,
    on: date,
    settings: Settings,
    source: Source | None = None,
    first: date | None = None,
    first_at: time | None = None,
    company: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    note: str | None = None,
    who: Salesperson | None = None,
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
    partner: str | None = None,
) -> Referred:
    """Record that `referrer` referred `prospect`, creating either contact if new.

    `partner` is the partner company of a lead exchange: it makes the source `exchange` when
    none is given and is refused with any other source; an exchange referral without it takes
    the referrer's company, when known.

    `phone`/`phones` and `email`/`emails` are the prospect's (see `add_contact`); an existing
    prospect keeps theirs and gets the new ones after them.

    The prospect is matched by #ID or exact name (a new name is a new person); the
    referrer by #ID, exact name or unique part of the name. Schedules the first touch
    (on `first` at `first_at`, else on the referral day, moved to a workday when weekends
    are skipped) and, due the same day and time, the coach task on the referrer (at the
    same time it sorts first: 2-4-8 and the referrer's tasks come before touches). New contacts are `who`'s; in team mode both are looked up among theirs.
    """
    who = acting(who)
    partner, source = exchange_partner(partner, source)  # lead exchange: before anything is written
    referrer_contact = find_contact(session=session, ref=referrer, who=who)
    prospect_contact = find_contact(session=session, ref=prospect, substring=False, who=who)
    if prospect_contact is not None and referrer_contact is not None and prospect_contact.id == referrer_contact.id:
        raise UserError(f"{prospect_contact.name} cannot refer themselves; --from names the person who referred them")
    if prospect_contact is not None:
        if prospect_contact.status != Status.prospect.value:
            raise UserError(
                f"{prospect_contact.name} (#{prospect_contact.id}) is already {prospect_contact.status}; "
                "a referral is recorded for a prospect"
            )
        _refuse_do_not_contact(prospect_contact)
        earlier = referral_of(session=session, contact_id=prospect_contact.id)
        if earlier is not None:
            raise UserError(
                f"{prospect_contact.name} (#{prospect_contact.id}) was already referred by "
                f"{earlier.referrer_name} on {earlier.referred_on.isoformat()}"
            )
    details = parse_details(PHONE, [*([phone] if phone else []), *phones], option="--phone")
    details += parse_details(EMAIL, [*([email] if email else []), *emails], option="--email")
    referrer_created = referrer_contact is None
    if referrer_contact is None:
        referrer_contact = _new_contact(session, name=referrer, who=who, tags="")
    prospect_created = prospect_contact is None
    if prospect_contact is None:
        prospect_contact = _new_contact(
            session,
            name=prospect,
            who=who,
            company=_clean(company),
            note=_clean(note),
            tags="",
        )
    elif _clean(company):
        prospect_contact.company = _clean(company)
    if details:
        add_details(session=session, contact=prospect_contact, details=details)
    referral = Referral(
        prospect_id=prospect_contact.id,
        referrer_id=referrer_contact.id,
        referrer_name=referrer_contact.name,
        source=(source or default_source(referrer_contact)).value,
        referred_on=on,
        note=_clean(note),
        partner=partner or (company_as_partner(referrer_contact) if source == Source.exchange else None),
    )
    session.add(referral)
    _close(
        open_followups(session=session, contact_id=prospect_contact.id, kinds=[Kind.touch]),
        status=FollowupStatus.cancelled,
        on=on,
    )
    step = touch_count(session=session, contact_id=prospect_contact.id) + 1
    first_touch = _create(
        session,
        contact=prospect_contact,
        plan=cadence.referral_first_touch(step=step, on=on, first=first, settings=settings),
        at_time=first_at if first is not None else None,
    )
    coach = None
    if not referrer_contact.do_not_contact:
        coach = _create(
            session,
            contact=referrer_contact,
            plan=cadence.coach_task(
                referrer=referrer_contact.name, prospect=prospect_contact.name, due=first_touch.due
            ),
            at_time=first_touch.at_time,  # the same time: it sorts just before the call it prepares
            about_contact_id=prospect_contact.id,
        )
    session.flush()
    return Referred(
        referral, prospect_contact, prospect_created, referrer_contact, referrer_created, first_touch, coach
    )


# ---------------------------------------------------------------- lead exchange: partner companies
# (the lead ledger itself, `gave-lead` and `lead-won`, is followup.exchange)

MAX_PARTNER_LENGTH = 200
UNKNOWN_PARTNER = ledger.UNKNOWN_PARTNER  # how the ledger lists exchange referrals recorded without a partner


def clean_partner(text: str | None, *, option: str = "--partner") -> str | None:
    """A partner company's name as stored: spaces collapsed; None stays None, blank is refused."""
    if text is None:
        return None
    name = " ".join(text.split())
    if not name:
        raise UserError(f"{option}: give the partner company's name, such as 'Acme Ltd'")
    if len(name) > MAX_PARTNER_LENGTH:
        raise UserError(f"{option}: a partner company's name has at most {MAX_PARTNER_LENGTH} characters")
    if name.casefold() == UNKNOWN_PARTNER:
        raise UserError(f"{option}: {UNKNOWN_PARTNER} stands for an exchange without a partner; name the company")
    return name


partner_key = ledger.partner_key  # what partner names compare by: `ACME  ltd` is `Acme Ltd`


def company_as_partner(contact: Contact) -> str | None:
    """The partner of an exchange referral given without one: the referrer's company, when known."""
    return " ".join((contact.company or "").split()) or None


def exchange_partner(partner: str | None, source: Source | None) -> tuple[str | None, Source | None]:
    """`--partner` with `--source`: a partner means a lead exchange; any other source is refused."""
    partner = clean_partner(partner)
    if partner is None:
        return None, source
    if source is not None and source != Source.exchange:
        raise UserError(
            "--partner names the partner company of a lead exchange (--source exchange), "
            f"not of a {Source(source).value} referral"
        )
    return partner, Source.exchange


# ---------------------------------------------------------------- asking for referrals

_NAME_SEPARATORS = re.compile(r"[,，]")
MAX_NAMES_PER_ASK = 1000  # a typing slip, not an ask, beyond this (and it keeps the number a database integer)


def split_names(texts: Iterable[str]) -> list[str]:
    """`"Sue Chen, 陈素，Tom"` -> the names, trimmed, blanks dropped, each name once (first spelling kept)."""
    names: list[str] = []
    seen: set[str] = set()
    for text in texts:
        for raw in _NAME_SEPARATORS.split(text):
            name = " ".join(raw.split())
            if name and name_key(name) not in seen:
                seen.add(name_key(name))
                names.append(name)
    return names


@dataclass
class AskedName:
    """One name an ask yielded and what became of it.

    `outcome` is `new` (a new prospect referred by the customer), `linked` (an existing
    prospect, now referred by the customer) or `known` (an existing contact left as they
    are; `why` says what they already are).
    """

    name: str
    contact: Contact
    outcome: str
    referred: Referred | None = None
    why: str | None = None


@dataclass
class Asked:
    ask: ReferralAsk
    customer: Contact
    names: list[AskedName]

    def _with(self, outcome: str) -> list[AskedName]:
        return [n for n in self.names if n.outcome == outcome]

    @property
    def new(self) -> list[AskedName]:
        return self._with("new")

    @property
    def linked(self) -> list[AskedName]:
        return self._with("linked")

    @property
    def known(self) -> list[AskedName]:
        return self._with("known")


def _already(session: Session, contact: Contact) -> str | None:
    """Why an existing contact named in an ask is left as they are, or None to link them."""
    if contact.do_not_contact:
        return "asked not to be contacted"
    if contact.status != Status.prospect.value:
        return {"customer": "a customer", "repeat": "a repeat customer"}.get(
            contact.status, f"closed as {contact.status}"
        )
    earlier = referral_of(session=session, contact_id=contact.id)
    if earlier is not None:
        return f"referred by {earlier.referrer_name} on {earlier.referred_on.isoformat()}"
    return None


def record_ask(
    *,
    session: Session,
    customer: Contact,
    on: date,
    settings: Settings,
    got: int | None = None,
    names: Iterable[str] = (),
    who: Salesperson | None = None,
) -> Asked:
    """Record that `customer` was asked for referrals on `on`, and the names it yielded.

    `names` are split on commas (`,` or `，`); each name is one person however often it is
    given. A name that resolves to one existing contact (#ID, exact name, unique part of a
    name) is linked, not duplicated: a prospect nobody referred yet becomes a referral from
    `customer`; anyone else is left as they are. Other names become new prospects referred
    by `customer`, each with a first touch and a coach task on the ask day, like
    `add_referral`. `got` (how many names the ask yielded) defaults to the people named and
    cannot be fewer. Everything is checked before anything is written. New prospects are
    `who`'s, and in team mode names are looked up among their contacts.
    """
    who = acting(who)
    if customer.do_not_contact:
        raise UserError(
            f"{customer.name} (#{customer.id}) asked not to be contacted, so they cannot be asked for referrals "
            "(lift it with followup edit --allow-contact)"
        )
    if got is not None and not 0 <= got <= MAX_NAMES_PER_ASK:
        raise UserError(
            f"--got: {got} is not a count of names; give how many names the ask yielded, 0 to {MAX_NAMES_PER_ASK}"
        )
    # resolve every name before writing anything: an ambiguous or wrong name leaves no trace
    plan: list[tuple[str, Contact | None]] = []
    seen_ids: set[int] = set()
    for name in split_names(names):
        try:
            existing = find_contact(session=session, ref=name, who=who)
            if existing is None and _ID.fullmatch(name):
                resolve_contact(session=session, ref=name, who=who)  # `#12` naming nobody: its usual error
        except UserError as exc:
            raise UserError(f"--names: {exc}") from None
        if existing is not None and existing.id == customer.id:
            raise UserError(
                f"--names: {name!r} is {customer.name} (#{customer.id}), the person asked; "
                "a contact cannot refer themselves"
            )
        if existing is not None:
            if existing.id in seen_ids:
                continue  # `#3, Tom Wang`: the same person twice
            seen_ids.add(existing.id)
        plan.append((name, existing))
    if got is not None and got < len(plan):
        raise UserError(
            f"--got {got} is fewer than the {len(plan)} names in --names; give --got {len(plan)} or more, "
            "or leave it out to count the names"
        )

    source = default_source(customer)
    ask = ReferralAsk(
        customer_id=customer.id,
        day=on,
        got=len(plan) if got is None else got,
        names=", ".join(name for name, _ in plan) or None,
    )
    session.add(ask)
    outcomes: list[AskedName] = []
    for name, existing in plan:
        why = _already(session, existing) if existing is not None else None
        if existing is not None and why is not None:
            outcomes.append(AskedName(name, existing, "known", why=why))
            continue
        referred = add_referral(
            session=session,
            prospect=f"#{existing.id}" if existing is not None else name,
            referrer=f"#{customer.id}",
            on=on,
            settings=settings,
            source=source,
            who=who,
        )
        outcome = "new" if referred.prospect_created else "linked"
        outcomes.append(AskedName(name, referred.prospect, outcome, referred=referred))
    session.flush()
    return Asked(ask, customer, outcomes)


# ---------------------------------------------------------------- touches


@dataclass
class Touched:
    touch: Touch
    contact: Contact
    count: int
    completed: FollowUp | None
    scheduled: FollowUp | None
    cancelled: list[FollowUp]
    note: str | None = None  # why nothing was scheduled, when that is worth saying
    also_scheduled: list[FollowUp] = field(default_factory=list)  # next year's birthday follow-up


def log_touch(
    *,
    session: Session,
    contact: Contact,
    on: date,
    settings: Settings,
    at: time | None = None,
    via: Channel = Channel.call,
    outcome: Outcome | None = None,
    goal: str | None = None,
    note: str | None = None,
    next_due: date | None = None,
    next_at: time | None = None,
    no_next: bool = False,
    completes: FollowUp | None = None,
    purpose: str | None = None,
    force: bool = False,
) -> Touched:
    """Log a touch and move the contact's follow-ups on.

    The touch completes `completes` if given, else the contact's earliest open follow-up
    due on or before `on`, of any kind. For a prospect it then schedules the next cadence
    touch from `on` (or on `next_due` at `next_at`, the date they asked for; nothing with
    `no_next`), replacing any other open cadence touch. `Outcome.stop` marks the contact
    do-not-contact and cancels everything open. A lost contact gets the touch logged and
    nothing scheduled.

    Not pushy (see "not pushy" below): while a date the prospect asked for is open and
    after `on`, no cadence touch is scheduled: that date stays the next step. A
    do-not-contact contact is refused unless `force`: then the touch is logged as theirs
    (inbound: they called), completes and schedules nothing, and the mark stays.
    """
    if next_due is not None and next_due < on:
        raise UserError(
            f"--next: {next_due.isoformat()} is before the touch ({on.isoformat()}); give a later date, or none"
        )
    inbound = _inbound_only(contact, force=force, next_due=next_due)
    touch = Touch(
        contact_id=contact.id,
        day=on,
        at_time=at,
        channel=via.value,
        outcome=outcome.value if outcome else None,
        goal=_clean(goal),
        note=_clean(note),
        purpose=purpose_value(purpose),
    )
    touch.inbound = inbound
    session.add(touch)
    session.flush()
    if completes is None and not inbound:
        completes = session.exec(
            select(FollowUp)
            .where(FollowUp.contact_id == contact.id, FollowUp.status == OPEN, FollowUp.due <= on)
            .order_by(FollowUp.due, FollowUp.at_time.asc().nulls_last(), FollowUp.id)
        ).first()
    if completes is not None:
        completes.status = FollowupStatus.done.value
        completes.closed_on = on
        completes.touch_id = touch.id
        _complaint_follows(session, completes)  # a complaint's follow-up done: the complaint is closed
    count = touch_count(session=session, contact_id=contact.id)
    result = Touched(touch, contact, count, completes, None, [])
    result.also_scheduled += _after_closed(session, completes, on=on)

    if outcome is Outcome.stop:
        contact.do_not_contact = True
        session.add(contact)
        result.cancelled = _close(
            open_followups(session=session, contact_id=contact.id), status=FollowupStatus.cancelled, on=on
        ) + _cancel_coach_tasks_about(session, contact=contact, on=on)
        result.note = f"{contact.name} asked to stop: marked do-not-contact, nothing more is scheduled"
        return result
    if inbound:
        result.note = (
            f"{contact.name} asked not to be contacted: logged as their call to you; nothing is scheduled "
            f"and do-not-contact stays (followup edit {contact.id} --allow-contact lifts it)"
        )
        return result
    if contact.do_not_contact or contact.status == Status.lost.value:
        if next_due is not None:
            why = "asked not to be contacted" if contact.do_not_contact else "is closed as lost"
            result.note = f"{contact.name} {why}: the touch is logged, nothing is scheduled"
        return result
    if next_due is None and completes is not None and completes.kind in REFERRAL_TASKS:
        return result  # a call about someone they referred: their own cadence stays as it is

    is_prospect = _is_active_prospect(contact)
    waiting = _asked_for_after(session, contact, on=on) if next_due is None and not no_next and is_prospect else None
    if waiting is not None:  # the date they asked for stays the next step: the cadence waits for it
        _renumber(session, waiting, step=count + 1, contact=contact, settings=settings)
        result.note = (
            f"the next step stays #{waiting.id} on {waiting.due.isoformat()}, the date {contact.name} asked for"
        )
        return result
    if next_due is None and (no_next or not is_prospect):
        if no_next and is_prospect:
            result.cancelled = _close(
                open_followups(session=session, contact_id=contact.id, kinds=[Kind.touch]),
                status=FollowupStatus.cancelled,
                on=on,
            )
        return result
    referred = referral_of(session=session, contact_id=contact.id) is not None
    if next_due is not None:
        plan = cadence.cadence_touch(step=count + 1, due=next_due, settings=settings, referred=referred, asked=True)
        if not is_prospect:
            plan = Planned(Kind.touch, next_due, plan.action, "follow-up, the date they asked for")
    else:
        plan = cadence.next_cadence_touch(touches=count, on=on, settings=settings, referred=referred)
    result.cancelled = _close(
        open_followups(session=session, contact_id=contact.id, kinds=[Kind.touch]),
        status=FollowupStatus.cancelled,
        on=on,
    )
    if plan is None:
        result.note = (
            f"{contact.name} has had all {settings.cadence_length} touches of the cadence; "
            "nothing more is scheduled (schedule one, or let go)"
        )
        return result
    result.scheduled = _create(
        session, contact=contact, plan=plan, at_time=next_at if next_due else None, asked_for=next_due is not None
    )
    if outcome is Outcome.declined and is_prospect and next_due is None:
        result.note = (
            f"{contact.name} declined; the cadence goes on unless you close them with followup lost "
            "(and ask them who else could use what you sell)"
        )
    return result


def schedule_followup(
    *,
    session: Session,
    contact: Contact,
    due: date,
    on: date,
    what: str | None = None,
    via: Channel = Channel.call,
    at: time | None = None,
) -> tuple[FollowUp, list[FollowUp]]:
    """A follow-up by hand (kind `manual`, at the time of day `at` if given); on a prospect it
    replaces the open cadence touch. `due` is the user's and is never moved to a workday."""
    _refuse_do_not_contact(contact)
    cancelled: list[FollowUp] = []
    if contact.status == Status.prospect.value:
        cancelled = _close(
            open_followups(session=session, contact_id=contact.id, kinds=[Kind.touch]),
            status=FollowupStatus.cancelled,
            on=on,
        )
    reason = _clean(what) or "the date they asked for"
    fu = _create(session, contact=contact, plan=Planned(Kind.manual, due, via, reason), at_time=at, asked_for=True)
    return fu, cancelled


def get_followup(
    *, session: Session, followup_id: int, must_be_open: bool = True, who: Salesperson | None = None
) -> FollowUp:
    fu = _by_id(session, FollowUp, followup_id)
    if fu is None:
        raise UserError(
            f"no follow-up #{followup_id}; the ids are in the first column of followup due and followup show"
        )
    who = acting(who)
    contact = session.get(Contact, fu.contact_id)
    if not who.sees(contact):
        raise UserError(
            f"follow-up #{followup_id} is on #{contact.id} {contact.name}, a contact of {contact.owner}, "
            f"not yours ({who.name}); work as them with --user {contact.owner}"
        )
    if must_be_open and fu.status != OPEN:
        raise UserError(
            f"follow-up #{followup_id} is already {fu.status}"
            + (f" (on {fu.closed_on.isoformat()})" if fu.closed_on else "")
            + "; only open follow-ups can be acted on"
        )
    return fu


def complete_followup(
    *,
    session: Session,
    followup_id: int,
    on: date,
    settings: Settings,
    at: time | None = None,
    who: Salesperson | None = None,
    goal: str | None = None,
    purpose: str | None = None,
    via: Channel | None = None,
) -> Touched:
    """`done`: log a touch with the follow-up's channel, completing exactly this follow-up
    (with the commitment `goal` and the `purpose` of the touch, when given). `via` when the
    contact was reached another way; a follow-up whose action is no channel takes the
    default channel of the settings."""
    fu = get_followup(session=session, followup_id=followup_id, who=who)
    contact = session.get(Contact, fu.contact_id)
    if contact.do_not_contact:  # nothing should be open for them; if it is, it is not to be done
        raise UserError(
            f"follow-up #{fu.id} is on {contact.name} (#{contact.id}), who asked not to be contacted; "
            f"close it with followup skip {fu.id} (if they called you: followup touch {contact.id} --force; "
            f"followup edit {contact.id} --allow-contact lifts it)"
        )
    if via is None:
        known = fu.action in Channel._value2member_map_
        via = Channel(fu.action) if known else Channel(settings.default_channel)
    return log_touch(
        session=session,
        contact=contact,
        on=on,
        at=at,
        via=via,
        settings=settings,
        completes=fu,
        goal=goal,
        purpose=purpose,
    )


def skip_followup(
    *, session: Session, followup_id: int, on: date, settings: Settings, who: Salesperson | None = None
) -> tuple[FollowUp, FollowUp | None]:
    """Close a follow-up without a touch; a prospect's cadence touch comes back after the same gap."""
    fu = get_followup(session=session, followup_id=followup_id, who=who)
    _close([fu], status=FollowupStatus.skipped, on=on)
    contact = session.get(Contact, fu.contact_id)
    again = None
    if fu.kind == Kind.touch.value and fu.cadence_step and _is_active_prospect(contact):
        plan = cadence.skipped_touch_again(
            step=fu.cadence_step,
            on=on,
            action=Channel(fu.action) if fu.action in Channel._value2member_map_ else Channel.call,
            settings=settings,
            referred=referral_of(session=session, contact_id=contact.id) is not None,
        )
        again = _create(session, contact=contact, plan=plan)
    if again is None:  # a birthday follow-up skipped: next year's
        again = next(iter(_after_closed(session, fu, on=on)), None)
    return fu, again


class Moved(NamedTuple):
    """A follow-up moved to another day, and when it was due before."""

    followup: FollowUp
    before: date
    before_time: time | None = None


def snooze_followup(
    *, session: Session, followup_id: int, due: date, at: time | None = None, who: Salesperson | None = None
) -> Moved:
    """Move an open follow-up to `due`, at the time of day `at`. A time belongs to the day it was
    set for: snoozing to a plain date (`at` None) leaves the follow-up without one."""
    fu = get_followup(session=session, followup_id=followup_id, who=who)
    return _move(session, fu, due=due, at=at)


def _move(session: Session, fu: FollowUp, *, due: date, at: time | None) -> Moved:
    moved = Moved(fu, fu.due, fu.at_time)
    fu.due, fu.at_time = due, at
    session.add(fu)
    return moved


# ---------------------------------------------------------------- moving overdue follow-ups (bulk snooze)

MAX_PER_DAY = 1000  # more a day than anyone can work through is a typing slip


@dataclass
class MovedOverdue:
    """What `move_overdue` did: each follow-up moved (oldest first) and the days they went to."""

    moved: list[Moved]
    days: dict[date, list[FollowUp]] = field(default_factory=dict)


def overdue_followups(*, session: Session, on: date, who: Salesperson | None = None) -> list[FollowUp]:
    """The open follow-ups due before `on` that `due` lists as overdue (in team mode only `who`'s),
    oldest first: by day, then those with a time of day by time, then by kind as in `due`."""
    from .enums import KIND_ORDER

    query = (
        select(FollowUp)
        .join(Contact, Contact.id == FollowUp.contact_id)
        .where(FollowUp.status == OPEN, FollowUp.due < on, Contact.do_not_contact.is_(False))
    )
    scope = acting(who).scope()
    if scope is not None:
        query = query.where(scope)
    rank = {kind.value: n for kind, n in KIND_ORDER.items()}
    return sorted(
        session.exec(query).all(),
        key=lambda f: (f.due, f.at_time is None, f.at_time or time.min, rank.get(f.kind, len(rank)), f.id),
    )


def move_overdue(
    *,
    session: Session,
    on: date,
    to: date,
    settings: Settings,
    per_day: int | None = None,
    who: Salesperson | None = None,
) -> MovedOverdue:
    """Move every overdue follow-up (due before `on`, today) to `to`, after a holiday or a sick week.

    With `per_day`, at most that many a day: the oldest `per_day` on `to`, the next on the day
    after, and so on, passing over non-workdays when weekends are skipped (`to` itself is the
    user's and is kept). Like `snooze` to a plain date, a moved follow-up loses its time of day.
    Everything is checked before anything is written."""
    from .clock import LAST_YEAR

    if per_day is not None and not 1 <= per_day <= MAX_PER_DAY:
        raise UserError(f"--per-day: {per_day} is not a number of follow-ups a day; give 1 to {MAX_PER_DAY}, such as 5")
    if to < on:
        raise UserError(
            f"--overdue: {to.isoformat()} is before today ({on.isoformat()}); "
            "give today or a later day to move the overdue follow-ups to"
        )
    overdue = overdue_followups(session=session, on=on, who=who)
    plan: list[tuple[FollowUp, date]] = []
    days = cadence.workdays_from(to, settings=settings)
    day = next(days)
    for n, fu in enumerate(overdue):
        if per_day is not None and n and n % per_day == 0:
            day = next(days)
        plan.append((fu, day))
    if plan and plan[-1][1].year > LAST_YEAR:
        raise UserError(
            f"--per-day: {len(plan)} follow-ups at {per_day} a day from {to.isoformat()} run past the year "
            f"{LAST_YEAR}; give more a day or an earlier date"
        )
    result = MovedOverdue([])
    for fu, day in plan:
        result.moved.append(_move(session, fu, due=day, at=None))
        result.days.setdefault(day, []).append(fu)
    session.flush()
    return result


# ---------------------------------------------------------------- sales and losses


@dataclass
class Sold:
    sale: Sale
    contact: Contact
    repeat: bool
    scheduled: list[FollowUp]
    cancelled: list[FollowUp]
    thank: FollowUp | None
    note: str | None = None


MAX_AMOUNT_CENTS = 2**63 - 1  # a BIGINT, on SQLite and PostgreSQL alike


def parse_amount(text: str | None) -> int | None:
    """`1200`, `1,200.50`, `$99` -> cents; anything else is an error."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s,]", "", text.strip()).lstrip("$€£¥")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", cleaned):
        raise UserError(f"--amount: {text!r} is not an amount; use a number such as 1200 or 1,200.50")
    whole, _, frac = cleaned.partition(".")
    whole = whole.lstrip("0") or "0"
    # more digits than the largest amount: too large, and too long for int() (4300 digits at most)
    cents = int(whole) * 100 + int((frac + "00")[:2]) if len(whole) <= 20 else MAX_AMOUNT_CENTS + 1
    if cents > MAX_AMOUNT_CENTS:
        raise UserError(f"--amount: {text!r} is too large; the most one sale can record is {MAX_AMOUNT_CENTS // 100:,}")
    return cents


def record_sale(
    *,
    session: Session,
    contact: Contact,
    on: date,
    settings: Settings,
    product: str | None = None,
    amount_cents: int | None = None,
) -> Sold:
    """A sale: customer (repeat on a later sale), 2-4-8 and the yearly check-in, thank the referrer."""
    previous = session.exec(select(func.count()).select_from(Sale).where(Sale.contact_id == contact.id)).one()
    sale = Sale(contact_id=contact.id, day=on, product=_clean(product), amount_cents=amount_cents)
    session.add(sale)
    session.flush()
    contact.status = Status.repeat.value if previous else Status.customer.value
    session.add(contact)
    result = Sold(sale, contact, bool(previous), [], [], None)
    # the new sale's 2-4-8 and check-in supersede the open ones of an earlier sale
    result.cancelled = _close(
        open_followups(session=session, contact_id=contact.id, kinds=[Kind.touch, Kind.checkin, *POST_SALE_KINDS]),
        status=FollowupStatus.cancelled,
        on=on,
    ) + _cancel_coach_tasks_about(session, contact=contact, on=on)
    if contact.do_not_contact:
        result.note = f"{contact.name} asked not to be contacted: no 2-4-8 follow-ups are scheduled"
        return result
    for plan in cadence.after_sale_plan(sold_on=on, settings=settings):
        result.scheduled.append(_create(session, contact=contact, plan=plan, sale_id=sale.id))
    referral = referral_of(session=session, contact_id=contact.id)
    if referral is not None and not previous:
        referrer = session.get(Contact, referral.referrer_id) if referral.referrer_id else None
        if referrer is not None and not referrer.do_not_contact:
            result.thank = _create(
                session,
                contact=referrer,
                plan=cadence.thank_referrer(referrer=referrer.name, buyer=contact.name, due=on, settings=settings),
                about_contact_id=contact.id,
                sale_id=sale.id,
            )
    return result


@dataclass
class Lost:
    contact: Contact
    touches: int
    cancelled: list[FollowUp]


def mark_lost(*, session: Session, contact: Contact, on: date, reason: str | None) -> Lost:
    if contact.status != Status.prospect.value:
        raise UserError(f"{contact.name} (#{contact.id}) is {contact.status}; only a prospect can be closed as lost")
    contact.status = Status.lost.value
    contact.lost_on = on
    contact.lost_reason = _clean(reason)
    session.add(contact)
    cancelled = _close(
        open_followups(session=session, contact_id=contact.id), status=FollowupStatus.cancelled, on=on
    ) + _cancel_coach_tasks_about(session, contact=contact, on=on)
    return Lost(contact, touch_count(session=session, contact_id=contact.id, until=on), cancelled)


def referred_by(*, session: Session, contact_id: int) -> list[tuple[Referral, Contact]]:
    """The people this contact referred, with their referral rows."""
    rows = session.exec(
        select(Referral, Contact)
        .join(Contact, Contact.id == Referral.prospect_id)
        .where(Referral.referrer_id == contact_id)
        .order_by(Referral.referred_on, Referral.id)
    ).all()
    return list(rows)


def matching_filter(status: str | None):
    """The WHERE clause for `list --status`: `customer` includes repeat customers."""
    if status in (None, "all"):
        return None
    if status == Status.customer.value:
        return or_(Contact.status == Status.customer.value, Contact.status == Status.repeat.value)
    return Contact.status == status


# ---------------------------------------------------------------- corrections
#
# Changing or deleting one logged touch, sale or referral ask by its id, and merging two
# records of one person. Touch counts and stats are counted from the rows, so they follow by
# themselves; these functions keep the follow-ups those rows caused in step with them.

_ASKED_FOR = ", the date they asked for"  # the end of a cadence touch's reason when the prospect chose the date


def _logged(session: Session, model, ident: int, *, what: str, contact_id_of, who: Salesperson | None):
    """The `model` row `ident` (a touch, sale or ask) and its contact; in team mode only the user's own."""
    row = _by_id(session, model, ident)
    if row is None:
        raise UserError(
            f"no {what} #{ident}; followup show CONTACT lists the ids of a contact's touches, sales and asks"
        )
    contact = session.get(Contact, contact_id_of(row))
    who = acting(who)
    if not who.sees(contact):
        raise UserError(
            f"{what} #{ident} is on #{contact.id} {contact.name}, a contact of {contact.owner}, "
            f"not yours ({who.name}); work as them with --user {contact.owner}"
        )
    return row, contact


def _history(session: Session, contact_id: int) -> list[Touch]:
    """A contact's touches in the order they happened (as `show` numbers them)."""
    return list(
        session.exec(
            select(Touch)
            .where(Touch.contact_id == contact_id)
            .order_by(Touch.day, Touch.at_time.asc().nulls_first(), Touch.id)
        ).all()
    )


def _is_last_logged(session: Session, touch: Touch) -> bool:
    """Whether no touch of the contact was logged after `touch` (what it scheduled is then still its own)."""
    return session.exec(select(func.max(Touch.id)).where(Touch.contact_id == touch.contact_id)).one() == touch.id


def _scheduled_by(session: Session, touch: Touch) -> list[FollowUp]:
    """The open touch follow-ups `touch` scheduled (or that replaced those since, by `skip`):
    those created after it was logged, while it is the contact's last logged touch."""
    if not _is_last_logged(session, touch):
        return []
    return list(
        session.exec(
            select(FollowUp)
            .where(
                FollowUp.contact_id == touch.contact_id,
                FollowUp.status == OPEN,
                FollowUp.kind == Kind.touch.value,
                FollowUp.created_at >= touch.created_at,
            )
            .order_by(FollowUp.due, FollowUp.id)
        ).all()
    )


def _completed_by(session: Session, touch_id: int) -> FollowUp | None:
    return session.exec(select(FollowUp).where(FollowUp.touch_id == touch_id).order_by(FollowUp.id)).first()


def _renumber(session: Session, fu: FollowUp, *, step: int, contact: Contact, settings: Settings) -> None:
    """A prospect's cadence touch numbered as the `step`-th touch (its reason says so)."""
    if fu.kind != Kind.touch.value or fu.cadence_step is None:
        return
    fu.cadence_step = step
    fu.reason = cadence.touch_reason(
        step,
        settings=settings,
        referred=referral_of(session=session, contact_id=contact.id) is not None,
        asked=fu.reason.endswith(_ASKED_FOR),
    )
    session.add(fu)


def _resume_cadence(session: Session, *, contact: Contact, settings: Settings, on: date) -> FollowUp | None:
    """For an active prospect with nothing planned (no open touch or hand-made follow-up), the
    next cadence touch: after their last touch, numbered after their touch count (the first
    touch, due `on`, when they have none). None when nothing is to be scheduled."""
    if not _is_active_prospect(contact) or open_followups(
        session=session, contact_id=contact.id, kinds=[Kind.touch, Kind.manual]
    ):
        return None
    history = _history(session, contact.id)
    referred = referral_of(session=session, contact_id=contact.id) is not None
    if history:
        plan = cadence.next_cadence_touch(
            touches=len(history), on=history[-1].day, settings=settings, referred=referred
        )
    else:
        plan = cadence.cadence_touch(step=1, due=on, settings=settings, referred=referred)
    return _create(session, contact=contact, plan=plan) if plan is not None else None


def _why_closed(fu: FollowUp, contact: Contact) -> str | None:
    """Why `fu` may not be open on `contact` (nothing on a contact who asked not to be
    contacted, no cadence or after-sale step on a lost one, no prospect cadence touch on a
    customer), or None when it may."""
    if contact.do_not_contact:
        return "asked not to be contacted"
    if contact.status == Status.lost.value and fu.kind not in (Kind.manual.value, *REFERRAL_TASKS):
        return "is closed as lost"
    if contact.status != Status.prospect.value and fu.kind == Kind.touch.value and fu.cadence_step is not None:
        return "has bought since: a sale ends the prospect cadence"
    after_sale = (*(k.value for k in POST_SALE_KINDS), Kind.checkin.value, Kind.thank_referrer.value)
    if fu.kind in after_sale and fu.sale_id is None:
        return "no longer has the sale it was for"
    return None


def _can_be_open(fu: FollowUp, contact: Contact) -> bool:
    return _why_closed(fu, contact) is None


# ---- touches


@dataclass
class LoggedTouch:
    touch: Touch
    contact: Contact
    n: int  # its place in the contact's history, 1 for the first
    count: int
    completed: FollowUp | None


def describe_touch(*, session: Session, touch_id: int, who: Salesperson | None = None) -> LoggedTouch:
    """Touch `touch_id` with its contact, its place in their history and what it completed."""
    touch, contact = _logged(session, Touch, touch_id, what="touch", contact_id_of=lambda t: t.contact_id, who=who)
    history = [t.id for t in _history(session, contact.id)]
    return LoggedTouch(touch, contact, history.index(touch.id) + 1, len(history), _completed_by(session, touch.id))


@dataclass
class TouchEdited:
    touch: Touch
    contact: Contact
    changed: list[str]
    n: int  # its place in the history after the change
    count: int
    moved: list[FollowUp] = field(default_factory=list)  # the cadence touch it scheduled, moved with its date
    cancelled: list[FollowUp] = field(default_factory=list)  # by a change to --outcome stop
    note: str | None = None


def edit_touch(
    *,
    session: Session,
    touch_id: int,
    today: date,
    settings: Settings,
    on: date | None = None,
    at: time | None = None,
    via: Channel | None = None,
    outcome: Outcome | str | None = None,
    goal: str | None = None,
    note: str | None = None,
    who: Salesperson | None = None,
) -> TouchEdited:
    """Correct a logged touch. `on` (with the time `at`, None for none) moves it in the history;
    `outcome` "" clears it, as "" clears `goal` and `note`; None leaves a field alone.

    Moving it keeps what follows from it in step: the follow-up it completed is done on the
    new date, and when it is the last touch logged, the cadence touch it scheduled is due
    after the contact's last touch again (a date the prospect asked for stays as it is).
    Changing the outcome to `stop` marks the contact do-not-contact and cancels what is open,
    as logging it would; changing it from `stop` leaves the mark (lift it with `edit
    --allow-contact`)."""
    touch, contact = _logged(session, Touch, touch_id, what="touch", contact_id_of=lambda t: t.contact_id, who=who)
    result = TouchEdited(touch, contact, [], 0, 0)
    if on is not None and (on, at) != (touch.day, touch.at_time):
        touch.day, touch.at_time = on, at
        result.changed.append("date")
        completed = _completed_by(session, touch.id)
        if completed is not None:
            completed.closed_on = on
            session.add(completed)
            _complaint_follows(session, completed)
    if via is not None and via.value != touch.channel:
        touch.channel = via.value
        result.changed.append("via")
    if outcome is not None:
        value = outcome.value if isinstance(outcome, Outcome) else None
        if value != touch.outcome:
            was_stop = touch.outcome == Outcome.stop.value
            touch.outcome = value
            result.changed.append("outcome")
            if value == Outcome.stop.value and not contact.do_not_contact:
                contact.do_not_contact = True
                session.add(contact)
                result.cancelled = _close(
                    open_followups(session=session, contact_id=contact.id), status=FollowupStatus.cancelled, on=today
                ) + _cancel_coach_tasks_about(session, contact=contact, on=today)
                result.note = f"{contact.name} asked to stop: marked do-not-contact, nothing more is scheduled"
            elif was_stop and contact.do_not_contact:
                result.note = (
                    f"{contact.name} is still marked do-not-contact; "
                    f"followup edit {contact.id} --allow-contact lifts it"
                )
    for attr, value in (("goal", goal), ("note", note)):
        if value is not None and _clean(value) != getattr(touch, attr):
            setattr(touch, attr, _clean(value))
            result.changed.append(attr)
    session.add(touch)
    session.flush()
    history = _history(session, contact.id)
    result.n, result.count = [t.id for t in history].index(touch.id) + 1, len(history)
    if "date" in result.changed and _is_active_prospect(contact):
        referred = referral_of(session=session, contact_id=contact.id) is not None
        plan = cadence.next_cadence_touch(
            touches=len(history), on=history[-1].day, settings=settings, referred=referred
        )
        for fu in _scheduled_by(session, touch):
            asked = fu.reason.endswith(_ASKED_FOR)
            if plan is not None and fu.cadence_step is not None and not asked and fu.due != plan.due:
                fu.due = plan.due
                session.add(fu)
                result.moved.append(fu)
    session.flush()
    return result


@dataclass
class TouchDeleted:
    touch: Touch
    contact: Contact
    count: int  # the contact's touches after the deletion
    reopened: FollowUp | None  # the follow-up it had completed, open again
    cancelled: list[FollowUp]  # the cadence touches it had scheduled
    scheduled: FollowUp | None  # the cadence touch after the remaining touches, when one was needed
    notes: list[str] = field(default_factory=list)


def delete_touch(
    *, session: Session, touch_id: int, today: date, settings: Settings, who: Salesperson | None = None
) -> TouchDeleted:
    """Delete a logged touch and undo what it did to the contact's follow-ups.

    The follow-up it completed is open again (cancelled instead where the contact can have no
    such follow-up: do-not-contact, a cadence step on a lost prospect or on a customer, an
    after-sale step whose sale was deleted). The cadence touches it scheduled (while it is the
    last touch logged: those created since) are cancelled. A prospect's cadence then has
    exactly one next step: the reopened follow-up when it was a cadence touch (every other
    open cadence touch is cancelled), the reopened hand-made follow-up, or else, when the touch
    had scheduled the next cadence touch, a new one after the last remaining touch (as that
    touch would have scheduled it). The open cadence touch is numbered after the remaining
    touches."""
    touch, contact = _logged(session, Touch, touch_id, what="touch", contact_id_of=lambda t: t.contact_id, who=who)
    completed = _completed_by(session, touch.id)
    undone = [fu for fu in _scheduled_by(session, touch) if completed is None or fu.id != completed.id]
    result = TouchDeleted(touch, contact, 0, None, [], None)
    if completed is not None:
        completed.touch_id = None
        why = _why_closed(completed, contact)
        if why is None:
            completed.status, completed.closed_on = OPEN, None
            result.reopened = completed
        else:
            completed.status = FollowupStatus.cancelled.value
            result.notes.append(
                f"#{completed.id} ({completed.reason}) is cancelled, not reopened: {contact.name} {why}"
            )
        session.add(completed)
        _complaint_follows(session, completed)  # its complaint is open again
    result.cancelled = _close(undone, status=FollowupStatus.cancelled, on=today)
    session.exec(delete(Touch).where(Touch.id == touch.id))
    session.expunge(touch)
    session.flush()
    result.count = touch_count(session=session, contact_id=contact.id)
    reopened = result.reopened
    if reopened is not None and reopened.kind == Kind.touch.value and reopened.cadence_step is not None:
        others = [
            fu
            for fu in open_followups(session=session, contact_id=contact.id, kinds=[Kind.touch])
            if fu.id != reopened.id
        ]
        result.cancelled += _close(others, status=FollowupStatus.cancelled, on=today)
        _renumber(session, reopened, step=result.count + 1, contact=contact, settings=settings)
    elif result.cancelled:
        result.scheduled = _resume_cadence(session, contact=contact, settings=settings, on=today)
    for fu in open_followups(session=session, contact_id=contact.id, kinds=[Kind.touch]):
        _renumber(session, fu, step=result.count + 1, contact=contact, settings=settings)  # one touch fewer
    if touch.outcome == Outcome.stop.value and contact.do_not_contact:
        result.notes.append(
            f"{contact.name} is still marked do-not-contact; followup edit {contact.id} --allow-contact lifts it"
        )
    if reopened is not None and reopened.kind == Kind.birthday.value:  # the greeting is open again: not next year's
        result.cancelled += _sync_birthday(session, contact, on=today).cancelled
    session.flush()
    return result


# ---- sales


def describe_sale(*, session: Session, sale_id: int, who: Salesperson | None = None) -> tuple[Sale, Contact]:
    return _logged(session, Sale, sale_id, what="sale", contact_id_of=lambda s: s.contact_id, who=who)


def _sales_of(session: Session, contact_id: int) -> list[Sale]:
    return list(session.exec(select(Sale).where(Sale.contact_id == contact_id).order_by(Sale.day, Sale.id)).all())


def _status_after_sales(contact: Contact, sales: int) -> str:
    """What a contact is with `sales` sales: repeat customer, customer, or what they were
    before buying (lost when they had been closed as lost, else a prospect)."""
    if sales >= 2:
        return Status.repeat.value
    if sales == 1:
        return Status.customer.value
    return Status.lost.value if contact.lost_on is not None else Status.prospect.value


@dataclass
class SaleEdited:
    sale: Sale
    contact: Contact
    changed: list[str]
    moved: list[FollowUp] = field(default_factory=list)  # its open follow-ups, due again from the new date


def edit_sale(
    *,
    session: Session,
    sale_id: int,
    settings: Settings,
    on: date | None = None,
    product: str | None = None,
    amount_cents: int | None = None,
    clear_amount: bool = False,
    who: Salesperson | None = None,
) -> SaleEdited:
    """Correct a sale: its date (its open 2-4-8 steps, check-in and thank-you fall due again
    from the new date), product ("" clears it) or amount (`clear_amount` clears it)."""
    sale, contact = describe_sale(session=session, sale_id=sale_id, who=who)
    result = SaleEdited(sale, contact, [])
    if on is not None and on != sale.day:
        sale.day = on
        result.changed.append("date")
        plan = {p.kind.value: p.due for p in cadence.after_sale_plan(sold_on=on, settings=settings)}
        followups = session.exec(select(FollowUp).where(FollowUp.sale_id == sale.id, FollowUp.status == OPEN)).all()
        for fu in followups:
            due = plan.get(fu.kind)
            if fu.kind == Kind.thank_referrer.value:
                due = cadence.on_workday(on, settings=settings)
            if due is not None and due != fu.due:
                fu.due = due
                session.add(fu)
                result.moved.append(fu)
    if product is not None and _clean(product) != sale.product:
        sale.product = _clean(product)
        result.changed.append("product")
    if clear_amount and sale.amount_cents is not None:
        sale.amount_cents = None
        result.changed.append("amount")
    elif amount_cents is not None and amount_cents != sale.amount_cents:
        sale.amount_cents = amount_cents
        result.changed.append("amount")
    session.add(sale)
    session.flush()
    return result


@dataclass
class SaleDeleted:
    sale: Sale
    contact: Contact
    was: str  # the contact's status before
    sales_left: int
    cancelled: list[FollowUp]  # the open follow-ups the sale had created
    reopened: list[FollowUp]  # what the sale had cancelled, back
    passed_on: list[FollowUp]  # a thank-you now due for the sale that is the first one
    scheduled: FollowUp | None  # the prospect's next cadence touch


def delete_sale(
    *, session: Session, sale_id: int, today: date, settings: Settings, who: Salesperson | None = None
) -> SaleDeleted:
    """Delete a sale; the contact is again what the remaining sales make them.

    The open follow-ups the sale created (2-4-8, check-in, thank-you) are cancelled; those it
    had done stay done. With sales left, the contact is a customer (repeat with two or more),
    and the open 2-4-8 steps and check-in of their latest sale that this sale had cancelled
    are open again; an open thank-you passes to the sale that is now the first one. With no
    sale left they are a prospect again (lost, if they had been closed as lost): the coach
    tasks the sale had cancelled are open again, and the cadence resumes after their last
    touch, numbered after their touch count (the first touch due `today` if they have none),
    unless a touch or hand-made follow-up is already open."""
    sale, contact = describe_sale(session=session, sale_id=sale_id, who=who)
    was = contact.status
    made = list(session.exec(select(FollowUp).where(FollowUp.sale_id == sale.id).order_by(FollowUp.id)).all())
    session.exec(delete(Sale).where(Sale.id == sale.id))
    session.expunge(sale)
    for fu in made:
        fu.sale_id = None
        session.add(fu)
    session.flush()
    left = _sales_of(session, contact.id)
    contact.status = _status_after_sales(contact, len(left))
    session.add(contact)
    result = SaleDeleted(sale, contact, was, len(left), [], [], [], None)
    thanks = [fu for fu in made if fu.kind == Kind.thank_referrer.value and fu.status == OPEN]
    if left and thanks and sale.day <= left[0].day:
        for fu in thanks:  # the thank-you belongs to the first sale
            fu.sale_id, fu.due = left[0].id, cadence.on_workday(left[0].day, settings=settings)
            session.add(fu)
        result.passed_on = thanks
    passed = {fu.id for fu in result.passed_on}
    result.cancelled = _close(
        [fu for fu in made if fu.status == OPEN and fu.id not in passed],
        status=FollowupStatus.cancelled,
        on=today,
    )
    # what the contact can no longer have open: a prospect cadence touch on a customer, a
    # cadence touch on someone lost before they bought
    stale = [fu for fu in open_followups(session=session, contact_id=contact.id) if not _can_be_open(fu, contact)]
    result.cancelled += _close(stale, status=FollowupStatus.cancelled, on=today)
    if left and not contact.do_not_contact:
        back = session.exec(
            select(FollowUp).where(
                FollowUp.sale_id == left[-1].id,
                FollowUp.status == FollowupStatus.cancelled.value,
                FollowUp.closed_on == sale.day,
                FollowUp.kind.in_([k.value for k in (*POST_SALE_KINDS, Kind.checkin)]),
            )
        ).all()
        result.reopened = _reopen(session, back)
    elif not left and _is_active_prospect(contact):
        coach = session.exec(
            select(FollowUp).where(
                FollowUp.about_contact_id == contact.id,
                FollowUp.kind == Kind.coach.value,
                FollowUp.status == FollowupStatus.cancelled.value,
                FollowUp.closed_on == sale.day,
            )
        ).all()
        result.reopened = _reopen(
            session, [fu for fu in coach if _can_be_open(fu, session.get(Contact, fu.contact_id))]
        )
        result.scheduled = _resume_cadence(session, contact=contact, settings=settings, on=today)
    session.flush()
    return result


def _reopen(session: Session, followups: Iterable[FollowUp]) -> list[FollowUp]:
    reopened = []
    for fu in followups:
        fu.status, fu.closed_on = OPEN, None
        session.add(fu)
        reopened.append(fu)
    return reopened


# ---- referral asks


def describe_ask(*, session: Session, ask_id: int, who: Salesperson | None = None) -> tuple[ReferralAsk, Contact]:
    return _logged(session, ReferralAsk, ask_id, what="ask", contact_id_of=lambda a: a.customer_id, who=who)


@dataclass
class AskEdited:
    ask: ReferralAsk
    contact: Contact
    changed: list[str]


def edit_ask(
    *, session: Session, ask_id: int, on: date | None = None, got: int | None = None, who: Salesperson | None = None
) -> AskEdited:
    """Correct a referral ask: its date, or how many names it yielded (never fewer than it named)."""
    ask, contact = describe_ask(session=session, ask_id=ask_id, who=who)
    result = AskEdited(ask, contact, [])
    if got is not None:
        if not 0 <= got <= MAX_NAMES_PER_ASK:
            raise UserError(
                f"--got: {got} is not a count of names; give how many names the ask yielded, 0 to {MAX_NAMES_PER_ASK}"
            )
        named = len(split_names([ask.names or ""]))
        if got < named:
            raise UserError(
                f"--got {got} is fewer than the {named} names ask #{ask.id} recorded ({ask.names}); "
                f"give --got {named} or more"
            )
        if got != ask.got:
            ask.got = got
            result.changed.append("got")
    if on is not None and on != ask.day:
        ask.day = on
        result.changed.append("date")
    session.add(ask)
    session.flush()
    return result


@dataclass
class AskDeleted:
    ask: ReferralAsk
    contact: Contact
    asks_left: int


def delete_ask(*, session: Session, ask_id: int, who: Salesperson | None = None) -> AskDeleted:
    """Delete a referral ask. The people it named stay, each still referred by the customer."""
    ask, contact = describe_ask(session=session, ask_id=ask_id, who=who)
    session.exec(delete(ReferralAsk).where(ReferralAsk.id == ask.id))
    session.expunge(ask)
    left = session.exec(
        select(func.count()).select_from(ReferralAsk).where(ReferralAsk.customer_id == contact.id)
    ).one()
    return AskDeleted(ask, contact, left)


# ---- merging two records of one person


@dataclass
class MergePlan:
    """What merging `other` into `keep` moves."""

    keep: Contact
    other: Contact
    touches: int
    followups: int  # on `other`, open or closed
    about: int  # on other contacts, about `other` (coach and thank-you tasks)
    sales: int
    asks: int
    referral: Referral | None  # who referred `other`
    referred: int  # the people `other` referred
    details: int  # phones and e-mails

    def moving(self) -> list[str]:
        """`3 touches`, `1 sale`...: what moves, the empty kinds left out."""

        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count == 1 else many}"

        parts = [
            n(self.touches, "touch", "touches"),
            n(self.followups + self.about, "follow-up", "follow-ups"),
            n(self.sales, "sale", "sales"),
            n(self.asks, "referral ask", "referral asks"),
            n(self.referred, "person they referred", "people they referred"),
            n(self.details, "phone or e-mail", "phones and e-mails"),
        ]
        if self.referral is not None:
            parts.append(f"the referral by {self.referral.referrer_name}")
        return [p for p in parts if not p.startswith("0 ")]


def merge_plan(*, session: Session, keep: Contact, other: Contact) -> MergePlan:
    """What `merge_contacts` would move; refuses merging a contact with itself."""
    if keep.id == other.id:
        raise UserError(
            f"#{keep.id} {keep.name} is named twice; give the record to keep and then the other record of the same person"
        )

    def count(model, column) -> int:
        return session.exec(select(func.count()).select_from(model).where(column == other.id)).one()

    return MergePlan(
        keep,
        other,
        touches=count(Touch, Touch.contact_id),
        followups=count(FollowUp, FollowUp.contact_id),
        about=count(FollowUp, FollowUp.about_contact_id),
        sales=count(Sale, Sale.contact_id),
        asks=count(ReferralAsk, ReferralAsk.customer_id),
        referral=referral_of(session=session, contact_id=other.id),
        referred=count(Referral, Referral.referrer_id),
        details=len(details_of(session=session, contact_id=other.id)),
    )


@dataclass
class Merged:
    contact: Contact
    plan: MergePlan
    other_id: int
    other_name: str
    count: int  # touches of the merged contact
    cancelled: list[FollowUp]
    notes: list[str]
    thank: FollowUp | None = None  # the referrer's thank-you the first sale calls for, when it was missing


# the order of statuses: a merged contact is the more advanced of the two
_STATUS_RANK = {Status.lost.value: 0, Status.prospect.value: 1, Status.customer.value: 2, Status.repeat.value: 3}


def merge_contacts(*, session: Session, keep: Contact, other: Contact, today: date, settings: Settings) -> Merged:
    """Merge `other` into `keep`, two records of one person, and delete `other`.

    Everything of `other` moves to `keep`: touches, follow-ups (and those about `other`),
    sales, referral asks, the referrals `other` made (under `keep`'s name) and the one that
    referred `other` (when both were referred, the earlier referral is kept), phones and
    e-mails (after `keep`'s, without duplicates). `keep`'s empty fields are filled from
    `other`, the tags united, the creation date the earlier one. The status is the more
    advanced of the two (repeat > customer > prospect > lost; repeat when the sales together
    are two or more), do-not-contact if either asked. Afterwards it is as if one record had
    been kept from the start: at most one open cadence touch (the earliest due, numbered
    after the touches together), only the latest sale's 2-4-8 and check-in, no prospect
    cadence or coach task for a customer, nothing open on a contact who asked not to be
    contacted. A referral between the two is dropped: nobody refers themselves."""
    from .models import Complaint, LeadGiven

    plan = merge_plan(session=session, keep=keep, other=other)
    notes: list[str] = []
    cancelled: list[FollowUp] = []
    other_id, other_name = other.id, other.name

    # who referred them: one referral at most, never one of the two by the other
    dropped: list[Referral] = []
    mine, theirs = referral_of(session=session, contact_id=keep.id), plan.referral
    for ref in (mine, theirs):
        if ref is not None and ref.referrer_id in (keep.id, other.id):
            dropped.append(ref)
            whose = other_name if ref is theirs else keep.name
            notes.append(
                f"the referral of {whose} by {ref.referrer_name} ({ref.referred_on.isoformat()}) is dropped: "
                "nobody refers themselves"
            )
    if mine is not None and theirs is not None and not dropped:
        earlier, later = sorted((mine, theirs), key=lambda r: (r.referred_on, r.id))
        dropped.append(later)
        notes.append(
            f"both were referred: kept the earlier referral, by {earlier.referrer_name} "
            f"({earlier.referred_on.isoformat()}); the one by {later.referrer_name} "
            f"({later.referred_on.isoformat()}) is dropped"
        )
    for ref in dropped:
        if ref.referrer_id is not None and ref.referrer_id not in (keep.id, other.id):
            tasks = session.exec(
                select(FollowUp).where(
                    FollowUp.contact_id == ref.referrer_id,
                    FollowUp.about_contact_id.in_([keep.id, other.id]),
                    FollowUp.kind.in_(REFERRAL_TASKS),
                    FollowUp.status == OPEN,
                )
            ).all()
            cancelled += _close(tasks, status=FollowupStatus.cancelled, on=today)
        session.exec(delete(Referral).where(Referral.id == ref.id))
        session.expunge(ref)
    session.flush()
    session.exec(update(Referral).where(Referral.prospect_id == other.id).values(prospect_id=keep.id))
    session.exec(
        update(Referral).where(Referral.referrer_id == other.id).values(referrer_id=keep.id, referrer_name=keep.name)
    )

    # the rows that hang off a contact
    for model, column in (
        (Touch, Touch.contact_id),
        (FollowUp, FollowUp.contact_id),
        (FollowUp, FollowUp.about_contact_id),
        (Sale, Sale.contact_id),
        (ReferralAsk, ReferralAsk.customer_id),
        (LeadGiven, LeadGiven.contact_id),  # leads given to a partner (followup.exchange)
        (Complaint, Complaint.contact_id),  # complaints (followup.complaints)
    ):
        session.exec(update(model).where(column == other.id).values({column.key: keep.id}))
    _move_level_story(session, keep=keep, other=other)
    details = len(details_of(session=session, contact_id=keep.id)) + plan.details
    move_details(session=session, source=other, target=keep)
    dropped_details = details - len(details_of(session=session, contact_id=keep.id))
    if dropped_details:
        notes.append(f"{dropped_details} phone(s) or e-mail(s) of {other_name} were already {keep.name}'s")

    # the contact's own fields
    for attr in ("company", "role", "level", "note", "birthday"):
        if not getattr(keep, attr) and getattr(other, attr):
            setattr(keep, attr, getattr(other, attr))
    keep.wants_news = keep.wants_news or other.wants_news
    keep.tags = normalise_tags([keep.tags, other.tags])
    keep.created_at = min(keep.created_at, other.created_at, key=_utc)
    keep.do_not_contact = keep.do_not_contact or other.do_not_contact
    sales = _sales_of(session, keep.id)
    status = max(keep.status, other.status, key=lambda s: _STATUS_RANK.get(s, 1))
    if sales:
        status = max(status, _status_after_sales(keep, len(sales)), key=lambda s: _STATUS_RANK.get(s, 1))
    # a loss stands when both were lost (the later one) or on a record that bought afterwards
    if status == Status.lost.value:  # both were lost: the later loss stands (reopening clears a loss)
        lost = max((keep, other), key=lambda c: c.lost_on or date.min)
    else:  # a loss stands on a record that bought afterwards; a lost record merged into an active one is reopened
        bought = [c for c in (keep, other) if c.lost_on is not None and c.status != Status.lost.value]
        lost = min(bought, key=lambda c: c.lost_on) if bought else None
    keep.lost_on, keep.lost_reason = (lost.lost_on, lost.lost_reason) if lost else (None, None)
    keep.status = status
    session.add(keep)
    session.exec(delete(Contact).where(Contact.id == other.id))
    session.expunge(other)
    session.flush()

    cancelled += _tidy_after_merge(session, contact=keep, sales=sales, today=today, settings=settings)
    cancelled += _one_checkin_after_merge(session, contact=keep, today=today)
    greetings = open_followups(session=session, contact_id=keep.id, kinds=[Kind.birthday])
    cancelled += _sync_birthday(session, keep, on=today, replace=len(greetings) > 1).cancelled  # one birthday
    thank = _thank_after_merge(session, contact=keep, sales=sales, settings=settings)
    session.flush()
    count = touch_count(session=session, contact_id=keep.id)
    return Merged(keep, plan, other_id, other_name, count, cancelled, notes, thank)


def _thank_after_merge(session: Session, *, contact: Contact, sales: list[Sale], settings: Settings) -> FollowUp | None:
    """A merged customer whose referral came from one record and first sale from the other:
    the thank-you the first sale would have scheduled for the referrer, due on its day."""
    referral = referral_of(session=session, contact_id=contact.id)
    if not sales or contact.do_not_contact or referral is None or referral.referrer_id is None:
        return None  # as a sale to someone who asked not to be contacted schedules nothing
    referrer = session.get(Contact, referral.referrer_id)
    planned = session.exec(
        select(func.count())
        .select_from(FollowUp)
        .where(
            FollowUp.contact_id == referrer.id,
            FollowUp.about_contact_id == contact.id,
            FollowUp.kind == Kind.thank_referrer.value,
            FollowUp.status != FollowupStatus.cancelled.value,
        )
    ).one()
    if planned or referrer.do_not_contact:
        return None
    plan = cadence.thank_referrer(referrer=referrer.name, buyer=contact.name, due=sales[0].day, settings=settings)
    return _create(session, contact=referrer, plan=plan, about_contact_id=contact.id, sale_id=sales[0].id)


def _utc(moment):
    """A creation time comparable with another (SQLite hands them back without a time zone)."""
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _tidy_after_merge(
    session: Session, *, contact: Contact, sales: list[Sale], today: date, settings: Settings
) -> list[FollowUp]:
    """The merged contact's open follow-ups as one record would have them; the cancelled ones."""
    cancel: list[FollowUp] = []
    opened = open_followups(session=session, contact_id=contact.id)
    about_self = [fu for fu in opened if fu.about_contact_id == contact.id]  # a coach task about themselves
    cancel += about_self
    opened = [fu for fu in opened if fu.about_contact_id != contact.id]
    if contact.do_not_contact:
        cancel += opened
        cancel += session.exec(
            select(FollowUp).where(
                FollowUp.about_contact_id == contact.id, FollowUp.kind == Kind.coach.value, FollowUp.status == OPEN
            )
        ).all()
    elif contact.status == Status.lost.value:
        cancel += [fu for fu in opened if not _can_be_open(fu, contact)]
    else:
        if sales:  # a customer: the latest sale's steps only, no prospect cadence, no coach task about them
            latest = sales[-1].id
            after_sale = {k.value for k in (*POST_SALE_KINDS, Kind.checkin)}
            cancel += [fu for fu in opened if fu.kind in after_sale and fu.sale_id not in (None, latest)]
            cancel += [fu for fu in opened if fu.kind == Kind.touch.value and fu.cadence_step is not None]
            cancel += session.exec(
                select(FollowUp).where(
                    FollowUp.about_contact_id == contact.id, FollowUp.kind == Kind.coach.value, FollowUp.status == OPEN
                )
            ).all()
        gone = {fu.id for fu in cancel}
        touches = sorted(
            (fu for fu in opened if fu.kind == Kind.touch.value and fu.id not in gone),
            key=lambda fu: (fu.due, fu.at_time is None, fu.at_time or time(), fu.id),
        )
        cancel += touches[1:]
        if touches:
            step = touch_count(session=session, contact_id=contact.id) + 1
            _renumber(session, touches[0], step=step, contact=contact, settings=settings)
    unique = list({fu.id: fu for fu in cancel}.values())
    return _close(unique, status=FollowupStatus.cancelled, on=today)


# ---------------------------------------------------------------- levels, goals and purposes
# A relationship level changes with its date (LevelChange rows: the story `show` tells; a cleared
# level is recorded as level ""), a touch may carry a commitment goal (achieved when its outcome is
# `committed`) and one of the five purposes of customer contact.


def purpose_value(purpose: str | None) -> str | None:
    """The stored value of a touch purpose (enums.Purpose), None for none; anything else is refused."""
    from .enums import Purpose

    if purpose is None:
        return None
    text = str(purpose).strip().lower()
    if text not in Purpose._value2member_map_:
        raise UserError(f"--purpose: {purpose!r} is not one of {', '.join(p.value for p in Purpose)}")
    return text


def goal_achieved(goal: str | None, outcome: str | None) -> bool:
    """A touch's commitment goal was achieved: it had one and the customer committed."""
    return goal is not None and outcome == Outcome.committed.value


def level_changes(*, session: Session, contact_id: int) -> list:
    """The contact's level changes (models.LevelChange), oldest first."""
    from .models import LevelChange

    return list(
        session.exec(
            select(LevelChange).where(LevelChange.contact_id == contact_id).order_by(LevelChange.day, LevelChange.id)
        ).all()
    )


def _record_level(session: Session, *, contact: Contact, level: str | None, previous: str | None, on: date | None):
    from .clock import today
    from .models import LevelChange

    change = LevelChange(contact_id=contact.id, level=level or "", previous=previous, day=on or today())
    session.add(change)
    return change


def set_level(*, session: Session, contact: Contact, level: str | None, on: date) -> bool:
    """Give the contact relationship level `level` (None or "" clears it) as of `on`, and record the
    change so `show` tells the story. Setting the level it already has changes and records nothing.

    A change dated before the contact's latest recorded one is refused: the story would no longer
    end with the level the contact has."""
    new = level or None
    if new == (contact.level or None):
        return False
    from .models import LevelChange

    latest = session.exec(
        select(LevelChange.day)
        .where(LevelChange.contact_id == contact.id)
        .order_by(LevelChange.day.desc(), LevelChange.id.desc())
        .limit(1)
    ).first()
    if latest is not None and on < latest:
        raise UserError(
            f"--on: {on.isoformat()} is before {contact.name}'s last level change ({latest.isoformat()}); "
            "a level change is dated on or after it"
        )
    _record_level(session, contact=contact, level=new, previous=contact.level or None, on=on)
    contact.level = new
    session.add(contact)
    return True


def _move_level_story(session: Session, *, keep: Contact, other: Contact) -> None:
    """Merging: when `keep` takes `other`'s level (it had none), `other`'s level story comes with it;
    otherwise `keep`'s story stands and `other`'s goes with the deleted record."""
    if keep.level or not other.level:
        return
    from .models import LevelChange

    session.exec(update(LevelChange).where(LevelChange.contact_id == other.id).values(contact_id=keep.id))


# ---------------------------------------------------------------- complaints and the yearly visit (followup.complaints)


def _complaint_follows(session: Session, fu: FollowUp) -> None:
    """A `complaint` follow-up done, reopened or cancelled: its complaint follows (closed or open)."""
    from .complaints import followup_changed

    followup_changed(session=session, followup=fu)


def _one_checkin_after_merge(session: Session, *, contact: Contact, today: date) -> list[FollowUp]:
    """Two records' yearly visits become one: the earliest open check-in stays."""
    from .complaints import one_checkin

    return one_checkin(session=session, contact_id=contact.id, on=today)
