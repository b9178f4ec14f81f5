"""Accounts: the contacts of one company, with their buying roles and relationship levels.

In a complex sale three roles matter (acceptor, dissatisfied, power), and a relationship held
by one person inside the customer is fragile (SPEC section 1). An account is every contact
whose company is the same text, compared case-insensitively (casefold, spaces collapsed);
`account_report` lists its people and says plainly when it hangs on one person or has no
`power` contact yet. Read only: counts and dates come from the database in one query.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from .enums import Role, Status
from .errors import UserError
from .models import Contact
from .reports import _last_touch_of, _mine, _next_due_of, _touches_of
from .services import Salesperson
from .sql import iso_date

SINGLE_CONTACT = "single_contact"
NO_POWER = "no_power"
CANDIDATES_SHOWN = 8


def company_key(company: str) -> str:
    """What makes two spellings one account: 'ACME  Ltd' and 'Acme Ltd' are the same company."""
    return " ".join(company.split()).casefold()


@dataclass
class AccountContact:
    id: int
    name: str
    role: str | None
    level: str | None
    status: str
    touches: int
    last_touch: str | None
    next_due: str | None


@dataclass
class AccountWarning:
    code: str  # single_contact or no_power
    text: str


@dataclass
class Account:
    company: str
    contacts: list[AccountContact] = field(default_factory=list)
    warnings: list[AccountWarning] = field(default_factory=list)

    @property
    def active(self) -> list[AccountContact]:
        """The people of the account who are not lost."""
        return [c for c in self.contacts if c.status != Status.lost.value]

    @property
    def has_power(self) -> bool:
        return any(c.role == Role.power.value for c in self.active)

    @property
    def last_touch(self) -> str | None:
        return max((c.last_touch for c in self.contacts if c.last_touch), default=None)

    def as_json(self) -> dict:
        return asdict(self)


def _warnings(account: Account) -> list[AccountWarning]:
    found = []
    active = account.active
    if len(active) == 1:
        found.append(
            AccountWarning(
                SINGLE_CONTACT,
                f"the account hangs on one person, {active[0].name}: get to know more people at {account.company}",
            )
        )
    if not account.has_power:
        found.append(
            AccountWarning(
                NO_POWER,
                f"no power contact yet: find out who decides at {account.company} "
                "and mark them (followup edit CONTACT --role power)",
            )
        )
    return found


def _companies(session: Session, who: Salesperson | None) -> dict[str, list[str]]:
    """Each account's key and the spellings of its company, in the order contacts were added."""
    rows = session.execute(
        _mine(select(Contact.company).where(Contact.company.is_not(None)).order_by(Contact.id), who)
    ).all()
    spellings: dict[str, list[str]] = {}
    for (company,) in rows:
        key = company_key(company)
        if key and company not in spellings.setdefault(key, []):
            spellings[key].append(company)
    return spellings


def find_account(*, session: Session, company: str, who: Salesperson | None = None) -> list[str]:
    """The spellings of the one account `company` names: the company itself (in any case), else
    the only one holding it as a part. None or several is an error naming what there is."""
    wanted = company_key(company)
    if not wanted:
        raise UserError("give a company name, or nothing to list every account (followup account)")
    spellings = _companies(session, who)
    if wanted in spellings:
        return spellings[wanted]
    matches = [key for key in spellings if wanted in key]
    if len(matches) == 1:
        return spellings[matches[0]]
    if not matches:
        raise UserError(
            f"no company matches {company!r}; followup account lists the companies of your contacts"
            if spellings
            else f"no company matches {company!r}: no contact has a company yet (followup edit CONTACT --company NAME)"
        )
    names = sorted((spellings[key][0] for key in matches), key=str.casefold)
    shown = ", ".join(names[:CANDIDATES_SHOWN]) + (
        f" and {len(names) - CANDIDATES_SHOWN} more" if len(names) > CANDIDATES_SHOWN else ""
    )
    raise UserError(f"{company!r} matches several companies: {shown}; give more of the name")


def accounts(*, session: Session, who: Salesperson | None = None, spellings: list[str] | None = None) -> list[Account]:
    """The accounts of `who`'s contacts (in team mode their own, else all), by company name;
    only the one spelled `spellings` when given (`find_account`). Contacts in each by id."""
    query = select(
        Contact.id,
        Contact.name,
        Contact.company,
        Contact.role,
        Contact.level,
        Contact.status,
        _touches_of(Contact.id),
        _last_touch_of(Contact.id),
        _next_due_of(Contact.id),
    ).order_by(Contact.id)
    query = (
        query.where(Contact.company.in_(spellings))
        if spellings is not None
        else query.where(Contact.company.is_not(None))
    )
    by_key: dict[str, Account] = {}
    for cid, name, company, role, level, status, touches, last, nxt in session.execute(_mine(query, who)).all():
        key = company_key(company)
        if not key:
            continue
        account = by_key.setdefault(key, Account(" ".join(company.split())))
        account.contacts.append(AccountContact(cid, name, role, level, status, touches, iso_date(last), iso_date(nxt)))
    found = sorted(by_key.values(), key=lambda a: (company_key(a.company), a.company))
    for account in found:
        account.warnings = _warnings(account)
    return found


def account_report(*, session: Session, company: str, who: Salesperson | None = None) -> Account:
    """The account `company` names (see `find_account`), with its people and warnings."""
    (found,) = accounts(session=session, who=who, spellings=find_account(session=session, company=company, who=who))
    return found
