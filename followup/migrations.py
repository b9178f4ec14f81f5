"""Named, ordered schema steps, applied when a database is opened.

Each step is a function taking a SQLAlchemy connection; it runs in its own transaction
together with the row that records it in `schema_migrations`. A step, once released, is
never edited: a later change to the schema is a new step at the end of `MIGRATIONS`.
Each step spells out its own tables instead of using the models, so it keeps creating
exactly the schema it created when it was released.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Time,
    inspect,
    or_,
    select,
    text,
)

from .errors import UserError
from .schema import STEPS

MIGRATIONS_TABLE = "schema_migrations"

Step = Callable[[Connection], None]


def m001_initial(conn: Connection) -> None:
    """The first release: contacts, referrals, touches, sales, follow-ups, referral asks."""
    md = MetaData()

    def fk(target: str, ondelete: str, nullable: bool, **kw) -> Column:
        name = kw.pop("name")
        return Column(name, Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, **kw)

    Table(
        "contact",
        md,
        Column("id", Integer, primary_key=True),
        Column("name", String, nullable=False),
        Column("name_key", String, nullable=False, index=True),
        Column("company", String),
        Column("phone", String),
        Column("email", String),
        Column("role", String),
        Column("level", String),
        Column("tags", String, nullable=False),
        Column("note", String),
        Column("status", String, nullable=False, index=True),
        Column("do_not_contact", Boolean, nullable=False),
        Column("lost_on", Date),
        Column("lost_reason", String),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "referral",
        md,
        Column("id", Integer, primary_key=True),
        fk("contact.id", "CASCADE", False, name="prospect_id", unique=True),
        fk("contact.id", "SET NULL", True, name="referrer_id", index=True),
        Column("referrer_name", String, nullable=False),
        Column("source", String, nullable=False),
        Column("referred_on", Date, nullable=False, index=True),
        Column("note", String),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "touch",
        md,
        Column("id", Integer, primary_key=True),
        fk("contact.id", "CASCADE", False, name="contact_id"),
        Column("day", Date, nullable=False),
        Column("at_time", Time),
        Column("channel", String, nullable=False),
        Column("outcome", String),
        Column("goal", String),
        Column("note", String),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("ix_touch_contact_day", "contact_id", "day"),
    )
    Table(
        "sale",
        md,
        Column("id", Integer, primary_key=True),
        fk("contact.id", "CASCADE", False, name="contact_id", index=True),
        Column("day", Date, nullable=False),
        Column("product", String),
        Column("amount_cents", Integer),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "followup",
        md,
        Column("id", Integer, primary_key=True),
        fk("contact.id", "CASCADE", False, name="contact_id"),
        Column("due", Date, nullable=False),
        Column("kind", String, nullable=False),
        Column("action", String, nullable=False),
        Column("reason", String, nullable=False),
        Column("status", String, nullable=False),
        Column("cadence_step", Integer),
        fk("contact.id", "SET NULL", True, name="about_contact_id"),
        fk("sale.id", "SET NULL", True, name="sale_id"),
        fk("touch.id", "SET NULL", True, name="touch_id"),
        Column("closed_on", Date),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("ix_followup_status_due", "status", "due"),
        Index("ix_followup_contact_status", "contact_id", "status"),
    )
    Table(
        "referral_ask",
        md,
        Column("id", Integer, primary_key=True),
        fk("contact.id", "CASCADE", False, name="customer_id", index=True),
        Column("day", Date, nullable=False),
        Column("got", Integer, nullable=False),
        Column("names", String),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    md.create_all(conn)


def m002_big_amounts(conn: Connection) -> None:
    """Sale amounts beyond 21,474,836.47: a BIGINT column. PostgreSQL's INTEGER is 32-bit;
    SQLite's is 64-bit already, so there is nothing to do there."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE sale ALTER COLUMN amount_cents TYPE BIGINT"))


def m003_followup_contact_due_index(conn: Connection) -> None:
    """A contact's open follow-ups by due date in one index.

    With only (contact_id, status), SQLite answered "this contact's earliest open
    follow-up" by walking every open follow-up of everyone in due order (the status, due
    index), which made `list` and `touch` slow down with the size of the book.
    """
    conn.execute(text("DROP INDEX ix_followup_contact_status"))
    conn.execute(text("CREATE INDEX ix_followup_contact_status_due ON followup (contact_id, status, due)"))


OWNER_INFO_KEY = "followup.user"


def m004_contact_owner(conn: Connection) -> None:
    """Team mode: every contact belongs to one salesperson.

    The contacts already there become those of whoever first opens the database with this
    release (`--user`, FOLLOWUP_USER or the login name); a team hands them over afterwards
    with `followup edit CONTACT --owner NAME`. Names are looked up per salesperson, hence
    the index on (owner, name_key).
    """
    from .config import current_user

    owner = conn.info.get(OWNER_INFO_KEY) or current_user()
    conn.execute(text("ALTER TABLE contact ADD COLUMN owner VARCHAR NOT NULL DEFAULT ''"))
    conn.execute(text("UPDATE contact SET owner = :owner"), {"owner": owner})
    conn.execute(text("CREATE INDEX ix_contact_owner_name_key ON contact (owner, name_key)"))


def m005_contact_details(conn: Connection) -> None:
    """Several phones and e-mails per contact, each with an optional label.

    The contact's phone and e-mail become its first details (position 0, no label); the
    contact's own phone and email columns stay as the first of each, kept in step by the
    services, so the morning list reads them without a join. `search_key` is what `find`
    compares: a phone's digits, an e-mail casefolded.
    """
    md = MetaData()
    contact = Table(
        "contact",
        md,
        Column("id", Integer, primary_key=True),
        Column("phone", String),
        Column("email", String),
        Column("created_at", DateTime(timezone=True)),
    )
    table = Table(
        "contact_detail",
        md,
        Column("id", Integer, primary_key=True),
        Column("contact_id", Integer, ForeignKey("contact.id", ondelete="CASCADE"), nullable=False),
        Column("kind", String, nullable=False),
        Column("value", String, nullable=False),
        Column("label", String),
        Column("position", Integer, nullable=False),
        Column("search_key", String, nullable=False, index=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("ix_contact_detail_contact_kind_position", "contact_id", "kind", "position"),
    )
    table.create(conn)
    rows = conn.execute(
        select(contact.c.id, contact.c.phone, contact.c.email, contact.c.created_at)
        .where(or_(contact.c.phone.is_not(None), contact.c.email.is_not(None)))
        .order_by(contact.c.id)
    ).all()
    details = []
    for contact_id, phone, email, created_at in rows:
        if phone:
            key = "".join(c for c in phone if c.isdigit())
            details.append(("phone", phone, key, contact_id, created_at))
        if email:
            details.append(("email", email, email.casefold(), contact_id, created_at))
    if details:
        conn.execute(
            table.insert(),
            [
                {"contact_id": cid, "kind": kind, "value": value, "label": None, "position": 0,
                 "search_key": key, "created_at": created_at}
                for kind, value, key, cid, created_at in details
            ],
        )  # fmt: skip


def m006_followup_time(conn: Connection) -> None:
    """A follow-up may be set for a time of day (`schedule CONTACT "thu 15:00"`)."""
    conn.execute(text("ALTER TABLE followup ADD COLUMN at_time TIME"))


def m007_selling_practice(conn: Connection) -> None:
    """Accounts, complaints, after-sale phases, not-pushy follow-up, news and lead exchange.

    New columns: contact.wants_news and contact.birthday ("MM-DD"), touch.purpose and
    touch.inbound, sale.complex, referral.partner (an exchange's partner company),
    followup.asked_for (the date the contact asked for).
    New tables: level_change (the story of a relationship), complaint, lead_given.
    Existing rows get false and NULL: nothing is invented about the past.
    """
    false = "false"  # both databases read it as a boolean literal
    for table, column, kind in (
        ("contact", "wants_news", f"BOOLEAN NOT NULL DEFAULT {false}"),
        ("contact", "birthday", "VARCHAR"),
        ("touch", "purpose", "VARCHAR"),
        ("touch", "inbound", f"BOOLEAN NOT NULL DEFAULT {false}"),
        ("sale", "complex", f"BOOLEAN NOT NULL DEFAULT {false}"),
        ("referral", "partner", "VARCHAR"),
        ("followup", "asked_for", f"BOOLEAN NOT NULL DEFAULT {false}"),
    ):
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))
    md = MetaData()
    Table("contact", md, Column("id", Integer, primary_key=True))
    Table("followup", md, Column("id", Integer, primary_key=True))
    complaint = Table(
        "complaint",
        md,
        Column("id", Integer, primary_key=True),
        Column("contact_id", Integer, ForeignKey("contact.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("kind", String, nullable=False),
        Column("day", Date, nullable=False),
        Column("note", String),
        Column("status", String, nullable=False),
        Column("closed_on", Date),
        Column("followup_id", Integer, ForeignKey("followup.id", ondelete="SET NULL")),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    level_change = Table(
        "level_change",
        md,
        Column("id", Integer, primary_key=True),
        Column("contact_id", Integer, ForeignKey("contact.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("level", String, nullable=False),
        Column("previous", String),
        Column("day", Date, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    lead_given = Table(
        "lead_given",
        md,
        Column("id", Integer, primary_key=True),
        Column("partner", String, nullable=False),
        Column("partner_key", String, nullable=False, index=True),
        Column("contact_id", Integer, ForeignKey("contact.id", ondelete="SET NULL")),
        Column("contact_name", String, nullable=False),
        Column("day", Date, nullable=False),
        Column("note", String),
        Column("won", Boolean, nullable=False),
        Column("won_amount_cents", BigInteger),
        Column("owner", String, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    for table in (complaint, level_change, lead_given):
        table.create(conn)


def m008_followup_kind_index(conn: Connection) -> None:
    """A contact's open follow-ups by kind in one index, (contact_id, status, kind, due).

    `due` asks of every contact whether it has an open follow-up other than a birthday
    greeting (who has no next step), an open check-in (the yearly visit) or a day-8 step
    (the referral nudge). With m003's (contact_id, status, due), SQLite read each follow-up's
    row to learn its kind; with the kind in the index it never leaves the index, which halves
    those queries. m003's index stays: "this contact's earliest open follow-up" reads it in due
    order and stops at the first row, which this one cannot do.
    """
    conn.execute(text("CREATE INDEX ix_followup_contact_status_kind_due ON followup (contact_id, status, kind, due)"))


MIGRATIONS: list[tuple[str, Step]] = [
    ("m001_initial", m001_initial),
    ("m002_big_amounts", m002_big_amounts),
    ("m003_followup_contact_due_index", m003_followup_contact_due_index),
    ("m004_contact_owner", m004_contact_owner),
    ("m005_contact_details", m005_contact_details),
    ("m006_followup_time", m006_followup_time),
    ("m007_selling_practice", m007_selling_practice),
    ("m008_followup_kind_index", m008_followup_kind_index),
]
if tuple(name for name, _ in MIGRATIONS) != STEPS:  # schema.STEPS names them for the fast read path
    raise RuntimeError("migrations.MIGRATIONS and schema.STEPS must name the same steps in the same order")


def _ledger(conn: Connection) -> Table:
    md = MetaData()
    table = Table(
        MIGRATIONS_TABLE,
        md,
        Column("name", String, primary_key=True),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )
    md.create_all(conn)
    return table


def applied(conn: Connection) -> list[str]:
    if not inspect(conn).has_table(MIGRATIONS_TABLE):
        return []
    return [row[0] for row in conn.execute(text(f"SELECT name FROM {MIGRATIONS_TABLE}"))]


def applied_steps(engine: Engine, steps: list[tuple[str, Step]] | None = None) -> list[str]:
    """The steps the database records; refuses one written by a newer release."""
    known = [name for name, _ in (MIGRATIONS if steps is None else steps)]
    with engine.connect() as conn:
        done = applied(conn)
    unknown = [name for name in done if name not in known]
    if unknown:
        raise UserError(
            f"this database was written by a newer release of followup (schema step "
            f"{unknown[-1]}); upgrade followup to open it"
        )
    return done


def is_current(engine: Engine) -> bool:
    """Whether every step has run (read only: it takes no write lock)."""
    return len(applied_steps(engine)) == len(MIGRATIONS)


def migrate(engine: Engine, steps: list[tuple[str, Step]] | None = None, *, user: str | None = None) -> list[str]:
    """Bring the database up to date; return the names of the steps that ran.

    `user` is the salesperson opening it, who owns the rows a step has to give an owner.
    A database that records a step this release does not know was written by a newer
    release: it is refused untouched rather than risk damaging it.
    """
    from .models import utcnow

    steps = MIGRATIONS if steps is None else steps
    done = applied_steps(engine, steps)
    ran = []
    for name, step in steps:
        if name in done:
            continue
        with engine.begin() as conn:
            ledger = _ledger(conn)
            if name in applied(conn):  # another process got there first
                continue
            conn.info[OWNER_INFO_KEY] = user
            try:
                step(conn)
            finally:
                conn.info.pop(OWNER_INFO_KEY, None)
            conn.execute(ledger.insert().values(name=name, applied_at=utcnow()))
        ran.append(name)
    return ran
