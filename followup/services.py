"""The domain: every change to the records goes through these keyword-only functions.

Each takes a session and the date it acts on, returns data, and never prints. The caller
owns the transaction (see `db.session_scope`), so a command either writes everything or
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, select

from . import cadence
from .cadence import Planned
from .config import Settings
from .enums import POST_SALE_KINDS, Channel, FollowupStatus, Kind, Outcome, Source, Status
from .errors import UserError
from .models import Contact, FollowUp, Referral, ReferralAsk, Sale, Touch

OPEN = FollowupStatus.open.value
ACTIVE_STATUSES = (Status.prospect.value, Status.customer.value, Status.repeat.value)


# ---------------------------------------------------------------- who the command acts for


@dataclass(frozen=True)
class Salesperson:
    """The salesperson a command acts for.

    The contacts they add are theirs (`name` becomes the owner). With `only_own` (team mode,
    on a shared PostgreSQL database) names and ids resolve among their own contacts only,
    and reports show only theirs; without it every contact is in reach, as on a
    single-user SQLite file where the owner is filled and ignored.
    """

    name: str
    only_own: bool = False

    def sees(self, contact: Contact) -> bool:
        return not self.only_own or contact.owner == self.name

    def scope(self, owner_column=None):
        """A WHERE condition keeping this salesperson's rows, or None when everything is in reach."""
        return (owner_column if owner_column is not None else Contact.owner) == self.name if self.only_own else None


def acting(who: Salesperson | None) -> Salesperson:
    """`who`, or the user of this account (`current_user`) with every contact in reach."""
    if who is not None:
        return who
    from .config import current_user

    return Salesperson(current_user())


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
            "(lift it with followup edit --allow-contact)"
        )


# ---------------------------------------------------------------- contacts


@dataclass
class Added:
    contact: Contact
    first_touch: FollowUp | None
    namesakes: list[Contact]


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
    who: Salesperson | None = None,
) -> Added:
    """A new prospect of `who`; the first touch of the cadence is scheduled only when `first` is given."""
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
        phone=_clean(phone),
        email=_clean(email),
        role=role,
        level=level,
        tags=normalise_tags(tags),
        note=_clean(note),
    )
    first_touch = None
    if first is not None:
        plan = cadence.cadence_touch(step=1, due=first, settings=settings, referred=False)
        first_touch = _create(session, contact=contact, plan=plan)
    return Added(contact, first_touch, namesakes)


@dataclass
class Edited:
    contact: Contact
    changed: list[str]
    cancelled: list[FollowUp] = field(default_factory=list)


EDITABLE_TEXT = ("company", "phone", "email", "note")


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
) -> Edited:
    """Change a contact. An empty text clears that field; `None` leaves it alone.

    `owner` hands the contact, with everything logged about it, over to another salesperson."""
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
    for attr, value in zip(EDITABLE_TEXT, (company, phone, email, note), strict=True):
        if value is not None:
            setattr(contact, attr, _clean(value))
            changed.append(attr)
    for attr, value in (("role", role), ("level", level)):
        if value is not None:
            setattr(contact, attr, value or None)
            changed.append(attr)
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
    session.add(contact)
    session.flush()
    return Edited(contact, changed, cancelled)


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
    cid = contact.id
    kept = session.exec(update(Referral).where(Referral.referrer_id == cid).values(referrer_id=None)).rowcount
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
    company: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    note: str | None = None,
    who: Salesperson | None = None,
) -> Referred:
    """Record that `referrer` referred `prospect`, creating either contact if new.

    The prospect is matched by #ID or exact name (a new name is a new person); the
    referrer by #ID, exact name or unique part of the name. Schedules the first touch
    (on the referral day unless `first` is given) and, due the same day, the coach task
    on the referrer. New contacts are `who`'s; in team mode both are looked up among theirs.
    """
    who = acting(who)
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
            phone=_clean(phone),
            email=_clean(email),
            note=_clean(note),
            tags="",
        )
    else:
        for attr, value in (("company", company), ("phone", phone), ("email", email)):
            if _clean(value):
                setattr(prospect_contact, attr, _clean(value))
    referral = Referral(
        prospect_id=prospect_contact.id,
        referrer_id=referrer_contact.id,
        referrer_name=referrer_contact.name,
        source=(source or default_source(referrer_contact)).value,
        referred_on=on,
        note=_clean(note),
    )
    session.add(referral)
    first_day = first or on
    _close(
        open_followups(session=session, contact_id=prospect_contact.id, kinds=[Kind.touch]),
        status=FollowupStatus.cancelled,
        on=on,
    )
    step = touch_count(session=session, contact_id=prospect_contact.id) + 1
    first_touch = _create(
        session,
        contact=prospect_contact,
        plan=cadence.cadence_touch(step=step, due=first_day, settings=settings, referred=True),
    )
    coach = None
    if not referrer_contact.do_not_contact:
        coach = _create(
            session,
            contact=referrer_contact,
            plan=cadence.coach_task(referrer=referrer_contact.name, prospect=prospect_contact.name, due=first_day),
            about_contact_id=prospect_contact.id,
        )
    session.flush()
    return Referred(
        referral, prospect_contact, prospect_created, referrer_contact, referrer_created, first_touch, coach
    )


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
    no_next: bool = False,
    completes: FollowUp | None = None,
) -> Touched:
    """Log a touch and move the contact's follow-ups on.

    The touch completes `completes` if given, else the contact's earliest open follow-up
    due on or before `on`, of any kind. For a prospect it then schedules the next cadence
    touch from `on` (or on `next_due`, the date they asked for; nothing with `no_next`),
    replacing any other open cadence touch. `Outcome.stop` marks the contact
    do-not-contact and cancels everything open. A lost or do-not-contact contact gets
    the touch logged and nothing scheduled.
    """
    if next_due is not None and next_due < on:
        raise UserError(
            f"--next: {next_due.isoformat()} is before the touch ({on.isoformat()}); give a later date, or none"
        )
    touch = Touch(
        contact_id=contact.id,
        day=on,
        at_time=at,
        channel=via.value,
        outcome=outcome.value if outcome else None,
        goal=_clean(goal),
        note=_clean(note),
    )
    session.add(touch)
    session.flush()
    if completes is None:
        completes = session.exec(
            select(FollowUp)
            .where(FollowUp.contact_id == contact.id, FollowUp.status == OPEN, FollowUp.due <= on)
            .order_by(FollowUp.due, FollowUp.id)
        ).first()
    if completes is not None:
        completes.status = FollowupStatus.done.value
        completes.closed_on = on
        completes.touch_id = touch.id
    count = touch_count(session=session, contact_id=contact.id)
    result = Touched(touch, contact, count, completes, None, [])

    if outcome is Outcome.stop:
        contact.do_not_contact = True
        session.add(contact)
        result.cancelled = _close(
            open_followups(session=session, contact_id=contact.id), status=FollowupStatus.cancelled, on=on
        ) + _cancel_coach_tasks_about(session, contact=contact, on=on)
        result.note = f"{contact.name} asked to stop: marked do-not-contact, nothing more is scheduled"
        return result
    if contact.do_not_contact or contact.status == Status.lost.value:
        if next_due is not None:
            why = "asked not to be contacted" if contact.do_not_contact else "is closed as lost"
            result.note = f"{contact.name} {why}: the touch is logged, nothing is scheduled"
        return result
    if next_due is None and completes is not None and completes.kind in REFERRAL_TASKS:
        return result  # a call about someone they referred: their own cadence stays as it is

    is_prospect = _is_active_prospect(contact)
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
    result.scheduled = _create(session, contact=contact, plan=plan)
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
) -> tuple[FollowUp, list[FollowUp]]:
    """A follow-up by hand (kind `manual`); on a prospect it replaces the open cadence touch."""
    _refuse_do_not_contact(contact)
    cancelled: list[FollowUp] = []
    if contact.status == Status.prospect.value:
        cancelled = _close(
            open_followups(session=session, contact_id=contact.id, kinds=[Kind.touch]),
            status=FollowupStatus.cancelled,
            on=on,
        )
    reason = _clean(what) or "the date they asked for"
    fu = _create(session, contact=contact, plan=Planned(Kind.manual, due, via, reason))
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
) -> Touched:
    """`done`: log a touch with the follow-up's channel, completing exactly this follow-up."""
    fu = get_followup(session=session, followup_id=followup_id, who=who)
    contact = session.get(Contact, fu.contact_id)
    via = Channel(fu.action) if fu.action in Channel._value2member_map_ else Channel.other
    return log_touch(session=session, contact=contact, on=on, at=at, via=via, settings=settings, completes=fu)


def skip_followup(
    *, session: Session, followup_id: int, on: date, settings: Settings, who: Salesperson | None = None
) -> tuple[FollowUp, FollowUp | None]:
    """Close a follow-up without a touch; a prospect's cadence touch comes back after the same gap."""
    fu = get_followup(session=session, followup_id=followup_id, who=who)
    _close([fu], status=FollowupStatus.skipped, on=on)
    contact = session.get(Contact, fu.contact_id)
    again = None
    if fu.kind == Kind.touch.value and fu.cadence_step and _is_active_prospect(contact):
        plan = Planned(
            Kind.touch,
            on + timedelta(days=cadence.skip_gap(fu.cadence_step, settings=settings)),
            Channel(fu.action) if fu.action in Channel._value2member_map_ else Channel.call,
            cadence.touch_reason(
                fu.cadence_step,
                settings=settings,
                referred=referral_of(session=session, contact_id=contact.id) is not None,
            ),
            fu.cadence_step,
        )
        again = _create(session, contact=contact, plan=plan)
    return fu, again


def snooze_followup(
    *, session: Session, followup_id: int, due: date, who: Salesperson | None = None
) -> tuple[FollowUp, date]:
    fu = get_followup(session=session, followup_id=followup_id, who=who)
    before = fu.due
    fu.due = due
    session.add(fu)
    return fu, before


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
                plan=cadence.thank_referrer(referrer=referrer.name, buyer=contact.name, due=on),
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
