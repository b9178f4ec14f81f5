"""The tables, defined once with SQLModel for SQLite and PostgreSQL alike.

Enumerated values are stored as plain strings (the values of `followup.enums`), so both
databases hold the same text and adding a value never needs a type change.
The schema itself is created and upgraded by `followup.migrations`; a test checks that
the migrated database and these models agree column for column.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _fk(target: str, *, ondelete: str, nullable: bool, index: bool = False) -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


class Contact(SQLModel, table=True):
    __table_args__ = (Index("ix_contact_owner_name_key", "owner", "name_key"),)  # m004

    id: int | None = Field(default=None, primary_key=True)
    name: str
    # casefold(name): Unicode-correct case-insensitive look-ups on both databases
    name_key: str = Field(index=True)
    company: str | None = None
    # the first phone and e-mail of the contact's details (ContactDetail), kept in step by
    # services so the morning list needs no join
    phone: str | None = None
    email: str | None = None
    role: str | None = None
    level: str | None = None
    tags: str = ""  # comma-separated, normalised by services
    note: str | None = None
    status: str = Field(default="prospect", index=True)
    do_not_contact: bool = False
    lost_on: date | None = None
    lost_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # the salesperson whose contact this is (m004); in team mode each sees their own
    owner: str = ""
    # m007: agreed to hear of product, price or rule changes (`announce`)
    wants_news: bool = False
    birthday: str | None = None  # "MM-DD" (m007)


class ContactDetail(SQLModel, table=True):
    """One phone number or e-mail address of a contact, with an optional label (m005)."""

    __tablename__ = "contact_detail"
    __table_args__ = (Index("ix_contact_detail_contact_kind_position", "contact_id", "kind", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(sa_column=_fk("contact.id", ondelete="CASCADE", nullable=False))
    kind: str  # "phone" or "email" (enums.DetailKind)
    value: str  # as the user typed it
    label: str | None = None  # mobile, work, home...
    position: int = 0  # 0 is the contact's first phone or e-mail
    # what `find` compares: all of a phone's digits (the country code is handled when matching);
    # an e-mail casefolded
    search_key: str = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Referral(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    prospect_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("contact.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        )
    )
    # Kept when the referrer is deleted, so the prospect still counts as referred.
    referrer_id: int | None = Field(
        default=None, sa_column=_fk("contact.id", ondelete="SET NULL", nullable=True, index=True)
    )
    referrer_name: str
    source: str
    referred_on: date = Field(index=True)
    note: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    partner: str | None = None  # the partner company of a lead exchange (source `exchange`; m007)


class Touch(SQLModel, table=True):
    __table_args__ = (Index("ix_touch_contact_day", "contact_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(sa_column=_fk("contact.id", ondelete="CASCADE", nullable=False))
    day: date
    at_time: time | None = None
    channel: str
    outcome: str | None = None
    goal: str | None = None
    note: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    purpose: str | None = None  # care / info / deal / service / intel (enums.Purpose; m007)
    inbound: bool = False  # they contacted the salesperson (m007)


class Sale(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(sa_column=_fk("contact.id", ondelete="CASCADE", nullable=False, index=True))
    day: date
    product: str | None = None
    amount_cents: int | None = Field(default=None, sa_column=Column(BigInteger))  # see m002_big_amounts
    created_at: datetime = Field(default_factory=utcnow)
    complex: bool = False  # a complex product: new toy, learning and effectiveness phases (m007)


class FollowUp(SQLModel, table=True):
    __tablename__ = "followup"
    __table_args__ = (
        Index("ix_followup_status_due", "status", "due"),
        Index("ix_followup_contact_status_due", "contact_id", "status", "due"),  # m003
        Index("ix_followup_contact_status_kind_due", "contact_id", "status", "kind", "due"),  # m008
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(sa_column=_fk("contact.id", ondelete="CASCADE", nullable=False))
    due: date
    at_time: time | None = None  # a time of day the follow-up was set for (m006); None sorts last
    kind: str
    action: str
    reason: str
    status: str = "open"
    cadence_step: int | None = None  # for prospect touches: which of the twelve
    # the other person a coach or thank-you task is about
    about_contact_id: int | None = Field(default=None, sa_column=_fk("contact.id", ondelete="SET NULL", nullable=True))
    sale_id: int | None = Field(default=None, sa_column=_fk("sale.id", ondelete="SET NULL", nullable=True))
    touch_id: int | None = Field(default=None, sa_column=_fk("touch.id", ondelete="SET NULL", nullable=True))
    closed_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # m007: the date the contact asked to be called on (`touch --next`, `schedule`): the cadence waits
    asked_for: bool = False


class ReferralAsk(SQLModel, table=True):
    __tablename__ = "referral_ask"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=_fk("contact.id", ondelete="CASCADE", nullable=False, index=True))
    day: date
    got: int = 0
    names: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class LevelChange(SQLModel, table=True):
    """A contact's relationship level as it changed over time, so `show` tells the story (m007)."""

    __tablename__ = "level_change"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(sa_column=_fk("contact.id", ondelete="CASCADE", nullable=False, index=True))
    level: str  # enums.Level
    previous: str | None = None
    day: date
    created_at: datetime = Field(default_factory=utcnow)


class Complaint(SQLModel, table=True):
    """A customer's complaint, classified by enums.ComplaintKind; open until the loop is closed (m007)."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(sa_column=_fk("contact.id", ondelete="CASCADE", nullable=False, index=True))
    kind: str
    day: date
    note: str | None = None
    status: str = "open"  # open / closed
    closed_on: date | None = None
    # the `complaint` follow-up that closes the loop
    followup_id: int | None = Field(default=None, sa_column=_fk("followup.id", ondelete="SET NULL", nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


class LeadGiven(SQLModel, table=True):
    """A lead handed to an exchange partner (`gave-lead PARTNER CONTACT`; m007)."""

    __tablename__ = "lead_given"

    id: int | None = Field(default=None, primary_key=True)
    partner: str
    partner_key: str = Field(index=True)  # casefold(partner): one ledger line per partner
    contact_id: int | None = Field(default=None, sa_column=_fk("contact.id", ondelete="SET NULL", nullable=True))
    contact_name: str  # kept when the contact is deleted
    day: date
    note: str | None = None
    # what the partner won with the lead, once known (`gave-lead ... --won`)
    won: bool = False
    won_amount_cents: int | None = Field(default=None, sa_column=Column(BigInteger))
    owner: str = ""  # the salesperson who gave it
    created_at: datetime = Field(default_factory=utcnow)
