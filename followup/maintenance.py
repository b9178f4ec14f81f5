"""Keeping the records safe: a consistent copy of a SQLite database, and a check that finds damage.

`backup_database` copies a SQLite file with SQLite's backup API, which reads one consistent
snapshot while other followup processes go on writing. `check_database` runs SQLite's own
integrity checks, then the domain's rules, and says what is wrong in plain words. Neither
changes a record: neither upgrades the schema nor repairs anything. The commands in
cli/maintenance.py draw what these functions return.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .db import busy_timeout_ms, shown_url
from .enums import Channel, FollowupStatus, Kind, Level, Outcome, Role, Source, Status
from .errors import UserError

if TYPE_CHECKING:
    from sqlalchemy import URL, Connection

SHOWN_PER_CHECK = 20  # problems of one kind listed one by one; beyond that, a count


class CannotCopy(UserError):
    """The database could not be read or the copy written, through no fault in what the user
    typed (a damaged file, a full disk): one plain line, exit 1."""

    exit_code = 1


def _parse(url: str) -> URL:
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise UserError(
            f"--db: cannot use {shown_url(url)!r} (not a valid URL); "
            "give a file path or a URL such as postgresql+psycopg://user@host/db"
        ) from None


def _sqlite_file(parsed: URL) -> Path | None:
    """The database file of a SQLite URL; None for another database."""
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        raise UserError("--db: an in-memory database keeps nothing to back up or check; give a file path")
    return Path(parsed.database).absolute()


def _existing(path: Path, *, doing: str) -> Path:
    if not path.is_file():
        raise UserError(f"no database at {path}; nothing to {doing} (see --db)")
    return path


def _connect(path: Path, *, mode: str) -> sqlite3.Connection:
    """A connection to an existing file (never one it creates): `ro` cannot change it; `rw`,
    used only to read, tidies the -wal and -shm files away when it is the last to close."""
    return sqlite3.connect(f"{path.as_uri()}?mode={mode}", uri=True, timeout=busy_timeout_ms() / 1000)


def _has_tables(conn: sqlite3.Connection, *names: str) -> bool:
    marks = ", ".join("?" for _ in names)
    query = f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({marks})"
    return conn.execute(query, names).fetchone()[0] == len(names)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


# ---------------------------------------------------------------- backup


@dataclass(frozen=True)
class BackedUp:
    path: Path
    contacts: int
    touches: int
    damage: str | None = None  # SQLite's first complaint about the copy, when the database is damaged


def backup_name(on: date, suffix: str = ".db") -> str:
    return f"followup-{on.isoformat()}{suffix}"


def backup_database(*, url: str, target: str | None, on: date, force: bool = False) -> BackedUp:
    """Copy the SQLite database at `url` to `target` (a file, or a folder to put
    followup-YYYY-MM-DD.db in; default: that name beside the database).

    The copy is one consistent snapshot even while other processes write (SQLite's backup
    API, in one step under one read transaction), is readable by its owner only, and
    appears whole or not at all. An existing file is replaced only with `force`."""
    parsed = _parse(url)
    source = _sqlite_file(parsed)
    if source is None:
        raise UserError(_not_sqlite_backup(parsed, target=target, on=on))
    _existing(source, doing="back up")
    dest = _backup_path(source, target, on)
    if dest.exists() and dest.samefile(source):
        raise UserError(f"{dest} is the database itself; give another PATH for the copy")
    if dest.exists() and not force:
        raise UserError(f"{dest} already exists; give another PATH, or --force to replace it")
    try:
        with closing(_connect(source, mode="rw")) as src:
            if not _has_tables(src, "contact", "touch"):
                raise UserError(f"{source} is not a followup database (it has no contact and touch tables)")
            return _copy(src, dest, force=force)
    except sqlite3.OperationalError as exc:  # locked past the busy wait, disk full, I/O error
        raise CannotCopy(f"cannot back up {source} to {dest} ({exc})") from None
    except sqlite3.DatabaseError as exc:  # damaged, or not a database at all
        raise CannotCopy(
            f"cannot back up {source}: it is damaged or not a SQLite database ({exc}); "
            "run followup check for the details"
        ) from None
    except OSError as exc:
        raise UserError(f"cannot write the copy in {dest.parent} ({exc.strerror or exc})") from None


def _backup_path(source: Path, target: str | None, on: date) -> Path:
    if target is None:
        return source.parent / backup_name(on)
    if not target.isprintable():
        raise UserError(f"PATH: {target!r} holds control characters; give a plain file or folder name")
    try:
        path = Path(target).expanduser()
        is_folder, in_folder = path.is_dir(), path.parent.is_dir()
    except (OSError, RuntimeError) as exc:  # a name too long for the filesystem, ~nobody
        raise UserError(f"cannot write the copy to {target!r} ({getattr(exc, 'strerror', None) or exc})") from None
    if is_folder:
        return path / backup_name(on)
    if target.endswith(("/", os.sep)) or not in_folder:
        folder = path if target.endswith(("/", os.sep)) else path.parent
        raise UserError(f"folder {folder} does not exist; give an existing folder or a file in one")
    return path


def _copy(src: sqlite3.Connection, dest: Path, *, force: bool) -> BackedUp:
    """The backup into a private temporary file beside `dest`, then moved into place."""
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")  # mode 0600
    os.close(fd)
    part = Path(name)
    try:
        with closing(sqlite3.connect(part)) as copy:
            src.backup(copy)  # pages=-1: the whole database in one step, one snapshot
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
            contacts = copy.execute("SELECT count(*) FROM contact").fetchone()[0]
            touches = copy.execute("SELECT count(*) FROM touch").fetchone()[0]
            # a page-by-page copy carries damage along: say so, and keep the copy (it is all there is)
            verdict = copy.execute("PRAGMA quick_check(1)").fetchone()[0]
        _move_into_place(part, dest, force=force)
    finally:
        part.unlink(missing_ok=True)
    _sync_folder(dest.parent)
    return BackedUp(dest, contacts, touches, damage=None if verdict == "ok" else "; ".join(sqlite_faults([verdict])))


def _move_into_place(part: Path, dest: Path, *, force: bool) -> None:
    refused = UserError(f"{dest} already exists; give another PATH, or --force to replace it")
    if force:
        os.replace(part, dest)
        return
    try:
        os.link(part, dest)  # fails if dest appeared meanwhile: never replaces a file
    except FileExistsError:
        raise refused from None
    except OSError:  # a filesystem without hard links
        if dest.exists():
            raise refused from None
        os.replace(part, dest)


def _sync_folder(folder: Path) -> None:
    """Make the new name durable (POSIX); where a folder cannot be opened, the rename stands as is."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _not_sqlite_backup(parsed: URL, *, target: str | None, on: date) -> str:
    """Where backup stops on PostgreSQL: pg_dump's command line, never the password."""
    if parsed.get_backend_name() != "postgresql":
        return (
            f"backup copies a SQLite database file; back up a {parsed.get_backend_name()} database with its own tools"
        )
    from urllib.parse import quote, urlencode

    query = {key: value for key, value in parsed.query.items() if "password" not in key.lower()}
    host = f"[{parsed.host}]" if parsed.host and ":" in parsed.host else parsed.host or ""
    libpq = (  # libpq's own URL form, percent-encoded, without the password
        "postgresql://"
        + (f"{quote(parsed.username, safe='')}@" if parsed.username else "")
        + host
        + (f":{parsed.port}" if parsed.port else "")
        + f"/{quote(parsed.database or '', safe='')}"
        + (f"?{urlencode(query, doseq=True)}" if query else "")
    )
    if target is None:
        file = backup_name(on, ".dump")
    else:
        try:
            path = Path(target).expanduser()
            is_folder = path.is_dir()
        except (OSError, RuntimeError):  # ~nobody, a name too long: pg_dump is shown the name as typed
            path, is_folder = Path(target), False
        file = str(path / backup_name(on, ".dump")) if is_folder else target
    command = shlex.join(["pg_dump", "--format=custom", f"--file={file}", libpq])
    secret = parsed.password is not None or len(query) < len(parsed.query)
    asks = " (it asks for the password, or reads it from ~/.pgpass or PGPASSWORD)" if secret else ""
    return f"backup copies a SQLite database file; a PostgreSQL database is backed up with pg_dump: {command}{asks}"


# ---------------------------------------------------------------- check


@dataclass(frozen=True)
class Problem:
    check: str  # which check found it, a stable snake_case name for scripts
    message: str  # what is wrong, in plain words
    count: int = 1  # how many problems the message stands for ("and 40 more ...")

    def as_json(self) -> dict[str, Any]:
        return {"check": self.check, "message": self.message, "count": self.count}


@dataclass
class Checked:
    database: str  # the file, or the URL without its password
    contacts: int | None  # None where the database could not be read that far
    touches: int | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_count(self) -> int:
        return sum(p.count for p in self.problems)

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "ok": self.ok,
            "contacts": self.contacts,
            "touches": self.touches,
            "problem_count": self.problem_count,
            "problems": [p.as_json() for p in self.problems],
        }


def _listed(check: str, messages: Sequence[str], *, more: str) -> list[Problem]:
    """The first few problems one by one, then how many more of the same kind there are."""
    problems = [Problem(check, message) for message in messages[:SHOWN_PER_CHECK]]
    extra = len(messages) - SHOWN_PER_CHECK
    if extra > 0:
        problems.append(Problem(check, f"and {extra} more {more}", count=extra))
    return problems


def check_database(*, url: str) -> Checked:
    """Check the database at `url` and return what is wrong with it.

    On SQLite: SQLite's integrity and foreign key checks first; a damaged file stops there.
    On both databases: the schema is this release's, every row's contact (sale, touch) exists,
    and the rules followup keeps hold (nothing open for a contact who asked not to be
    contacted or who was lost, one cadence touch at most, known values, names that can be
    looked up). Changes no record; raises UserError when there is nothing to check."""
    parsed = _parse(url)
    path = _sqlite_file(parsed)
    if path is None:
        return _check_with_sqlalchemy(url, shown=shown_url(parsed), foreign_key_faults=set())
    _existing(path, doing="check")
    try:
        with closing(_connect(path, mode="ro")) as conn:  # a damaged file is left as it is
            faults = _integrity_faults(conn)
            if faults:
                return Checked(str(path), None, None, _damaged(faults))
            if not _has_tables(conn, "contact", "touch"):
                raise UserError(f"{path} is not a followup database (it has no contact and touch tables)")
            foreign_key_faults = conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.OperationalError as exc:  # locked past the busy wait, unreadable
        raise UserError(f"cannot check {path} ({exc})") from None
    except sqlite3.DatabaseError as exc:  # damaged beyond what integrity_check can walk
        return Checked(str(path), None, None, _damaged([str(exc)]))
    return _check_with_sqlalchemy(url, shown=str(path), foreign_key_faults=set(foreign_key_faults))


def _integrity_faults(conn: sqlite3.Connection) -> list[str]:
    """SQLite's integrity check, as a list of faults (empty when the file is sound).

    Some damage stops the full check with "database disk image is malformed" before it lists
    anything; the quick check then still names the first fault."""
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError):
            raise
        rows = [row[0] for row in conn.execute("PRAGMA quick_check(1)")]
        if rows == ["ok"]:
            raise
    return [] if rows == ["ok"] else sqlite_faults(rows)


def sqlite_faults(rows: Iterable[str]) -> list[str]:
    """SQLite's integrity messages one fault a line, without its "*** in database main ***" headings."""
    return [line.strip() for row in rows for line in row.splitlines() if line.strip() and not line.startswith("***")]


def _damaged(faults: list[str]) -> list[Problem]:
    """The first fault says what to do; the others follow as SQLite states them."""
    first = f"the database file is damaged (SQLite: {faults[0]}); restore it from your latest backup"
    return _listed("integrity", [first, *(f"also damaged: {fault}" for fault in faults[1:])], more="faults")


def _check_with_sqlalchemy(url: str, *, shown: str, foreign_key_faults: set[tuple]) -> Checked:
    from sqlalchemy.exc import DatabaseError, OperationalError

    from .db import make_engine
    from .migrations import applied_steps

    engine = make_engine(url, write=False)
    try:
        try:
            done = applied_steps(engine)  # refuses a database from a newer release
        except (DatabaseError, OperationalError) as exc:
            reason = str(getattr(exc, "orig", exc)).splitlines()[0]
            raise UserError(f"--db: cannot open {shown_url(engine.url)} ({reason})") from None
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":  # every query below sees the same snapshot
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            return _run_checks(conn, shown=shown, done=done, foreign_key_faults=foreign_key_faults)
    except DatabaseError as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        return Checked(shown, None, None, [Problem("integrity", f"the database cannot be read ({reason})")])
    finally:
        engine.dispose()


def _run_checks(conn: Connection, *, shown: str, done: list[str], foreign_key_faults: set[tuple]) -> Checked:
    from sqlalchemy import func, inspect, select

    from .migrations import MIGRATIONS
    from .models import Contact, Touch

    if not inspect(conn).has_table("contact"):
        raise UserError(f"{shown} holds no followup data yet (any followup command, such as followup due, sets it up)")
    contacts = conn.execute(select(func.count()).select_from(Contact.__table__)).scalar_one()
    touches = conn.execute(select(func.count()).select_from(Touch.__table__)).scalar_one()
    report = Checked(shown, contacts, touches)
    missing = [name for name, _ in MIGRATIONS if name not in done]
    if missing:
        report.problems.append(
            Problem(
                "schema",
                f"the database's schema is older than this release of followup (missing step {missing[0]}); "
                "any followup command, such as followup due, upgrades it in place",
            )
        )
        return report  # the record checks below read the current schema's tables and columns
    orphans, orphan_rows = _orphans(conn)
    report.problems += orphans
    leftover = sorted(fault for fault in foreign_key_faults if (fault[0], fault[1]) not in orphan_rows)
    report.problems += _listed(
        "foreign_keys",
        [f"{table} row {rowid} refers to a {parent} row that does not exist" for table, rowid, parent, _ in leftover],
        more="rows that refer to missing rows",
    )
    checks = (
        _open_when_closed,
        _two_cadence_touches,
        _stale_first_details,
        _unknown_values,
        _unfindable_names,
        _self_referrals,
        _two_checkins,  # complaints and the yearly visit
        _complaints_without_followup,
    )
    for check in checks:
        report.problems += check(conn)
    return report


# Each foreign key in the domain's words: what the row points at, and the message.
_TABLE_WORDS = {"followup": "follow-up", "referral_ask": "referral ask"}
_COLUMN_WORDS = {
    "contact_id": ("contact", "its contact #{ref} does not exist"),
    "prospect_id": ("prospect", "its prospect (contact #{ref}) does not exist"),
    "referrer_id": ("referrer", "its referrer (contact #{ref}) does not exist"),
    "customer_id": ("customer", "its customer (contact #{ref}) does not exist"),
    "about_contact_id": ("contact it is about", "the contact it is about (#{ref}) does not exist"),
    "sale_id": ("sale", "its sale #{ref} does not exist"),
    "touch_id": ("touch", "its touch #{ref} does not exist"),
    "followup_id": ("follow-up", "its follow-up #{ref} does not exist"),
}


def _orphans(conn: Connection) -> tuple[list[Problem], set[tuple[str, int]]]:
    """Rows whose contact (sale, touch) is gone: a portable LEFT JOIN per foreign key."""
    from sqlalchemy import select
    from sqlmodel import SQLModel

    from . import models  # noqa: F401  (registers the tables)

    problems: list[Problem] = []
    rows: set[tuple[str, int]] = set()
    for table in SQLModel.metadata.sorted_tables:
        for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
            column, target = fk.parent, fk.column
            parent = target.table.alias("parent")
            query = (
                select(table.c.id, column)
                .select_from(table.outerjoin(parent, column == parent.c[target.name]))
                .where(column.is_not(None), parent.c[target.name].is_(None))
                .order_by(table.c.id)
            )
            found = conn.execute(query).all()
            rows |= {(table.name, row_id) for row_id, _ in found}
            noun = _TABLE_WORDS.get(table.name, table.name)
            what, message = _COLUMN_WORDS.get(column.name, (column.name, f"its {column.name} {{ref}} does not exist"))
            problems += _listed(
                "missing_" + column.name.removesuffix("_id"),
                [f"{noun} #{row_id}: " + message.format(ref=ref) for row_id, ref in found],
                more=f"{noun} rows whose {what} is missing",
            )
    return problems, rows


def _open_when_closed(conn: Connection) -> list[Problem]:
    """Open follow-ups on a contact who asked not to be contacted (any kind), or on a lost
    prospect (their cadence and after-sale kinds; a lost contact may still coach a referral
    or get a follow-up by hand)."""
    from sqlalchemy import and_, or_, select

    from .models import Contact, FollowUp

    f, c = FollowUp.__table__.c, Contact.__table__.c
    cadence_kinds = [Kind.touch.value, Kind.checkin.value, Kind.post_sale_2.value, Kind.post_sale_4.value,
                     Kind.post_sale_8.value]  # fmt: skip
    query = (
        select(f.id, f.kind, f.due, c.id, c.name, c.do_not_contact)
        .join_from(FollowUp.__table__, Contact.__table__, f.contact_id == c.id)
        .where(
            f.status == FollowupStatus.open.value,
            or_(c.do_not_contact.is_(True), and_(c.status == Status.lost.value, f.kind.in_(cadence_kinds))),
        )
        .order_by(f.id)
    )
    messages = []
    for fid, kind, due, cid, name, do_not_contact in conn.execute(query):
        why = "asked not to be contacted" if do_not_contact else "is closed as lost"
        messages.append(
            f"follow-up #{fid} ({kind}, due {due.isoformat()}) is open, but {name} (#{cid}) {why}; "
            f"followup skip {fid} closes it"
        )
    return _listed("open_followup_on_closed_contact", messages, more="such follow-ups")


def _two_cadence_touches(conn: Connection) -> list[Problem]:
    """A contact has one open cadence touch at most: each touch replaces the one before."""
    return _doubled_open(
        conn,
        Kind.touch,
        code="two_cadence_touches",
        what="open cadence touches",
        rule="a contact has one at most: followup skip the extra ones",
    )


def _doubled_open(conn: Connection, kind: Kind, *, code: str, what: str, rule: str) -> list[Problem]:
    """Contacts with more than one open follow-up of `kind`, each listed with the ids."""
    from sqlalchemy import func, select

    from .models import Contact, FollowUp

    f, c = FollowUp.__table__.c, Contact.__table__.c
    is_open = (f.status == FollowupStatus.open.value) & (f.kind == kind.value)
    doubled = select(f.contact_id).where(is_open).group_by(f.contact_id).having(func.count() > 1)
    query = (
        select(c.id, c.name, f.id)
        .join_from(FollowUp.__table__, Contact.__table__, f.contact_id == c.id)
        .where(is_open, f.contact_id.in_(doubled))
        .order_by(c.id, f.id)
    )
    by_contact: dict[tuple[int, str], list[int]] = {}
    for cid, name, fid in conn.execute(query):
        by_contact.setdefault((cid, name), []).append(fid)
    messages = [
        f"{name} (#{cid}) has {len(ids)} {what} ({', '.join(f'#{i}' for i in ids)}); {rule}"
        for (cid, name), ids in by_contact.items()
    ]
    return _listed(code, messages, more="contacts with more than one")


def _stale_first_details(conn: Connection) -> list[Problem]:
    """A contact's phone and e-mail are its first phone and e-mail details (the copy the
    morning list reads): the two must agree."""
    from sqlalchemy import func, or_, select

    from .models import Contact, ContactDetail

    c, d = Contact.__table__.c, ContactDetail.__table__.c
    messages = []
    for kind in ("phone", "email"):
        first = (
            select(d.value)
            .where(d.contact_id == c.id, d.kind == kind)
            .order_by(d.position, d.id)
            .limit(1)
            .scalar_subquery()
        )
        shown = c[kind]
        query = (
            select(c.id, c.name, shown, first)
            .where(or_(func.coalesce(shown, "") != func.coalesce(first, "")))
            .order_by(c.id)
        )
        messages += [
            f"{name} (#{cid}) shows {kind} {mine or 'none'} but their first {kind} is {theirs or 'none'}; "
            f"set it again with followup edit {cid} --{kind} ..."
            for cid, name, mine, theirs in conn.execute(query)
        ]
    return _listed("stale_first_details", messages, more="contacts whose phone or e-mail disagrees")


def _unknown_values(conn: Connection) -> list[Problem]:
    """Values followup does not know, such as a status typed into the database by hand."""
    from sqlalchemy import select

    from .enums import ComplaintKind
    from .models import Complaint, Contact, FollowUp, Referral, Touch

    columns: list[tuple[Any, str, Iterable[str]]] = [
        (Contact.__table__.c.status, "contact", Status),
        (Contact.__table__.c.role, "contact", Role),
        (Contact.__table__.c.level, "contact", Level),
        (FollowUp.__table__.c.status, "follow-up", FollowupStatus),
        (FollowUp.__table__.c.kind, "follow-up", Kind),
        (Touch.__table__.c.channel, "touch", Channel),
        (Touch.__table__.c.outcome, "touch", Outcome),
        (Referral.__table__.c.source, "referral", Source),
        (Complaint.__table__.c.kind, "complaint", ComplaintKind),
    ]
    problems = []
    for column, noun, vocabulary in columns:
        known = [str(v) for v in vocabulary]
        query = (
            select(column.table.c.id, column)
            .where(column.is_not(None), column.not_in(known))
            .order_by(column.table.c.id)
        )
        messages = [
            f"{noun} #{row_id} has {column.name} {value!r}, which followup does not know ({', '.join(known)})"
            for row_id, value in conn.execute(query)
        ]
        problems += _listed(f"unknown_{column.table.name}_{column.name}", messages, more=f"such {noun} rows")
    return problems


def _unfindable_names(conn: Connection) -> list[Problem]:
    """A contact's look-up key must match its name, or the name finds someone else or no one."""
    from sqlalchemy import select

    from .models import Contact
    from .services import name_key

    c = Contact.__table__.c
    messages = [
        f"{name} (#{cid}) cannot be found by name (its look-up key is {key!r}); "
        f"followup edit {cid} --name {shlex.quote(name)} repairs it"
        for cid, name, key in conn.execute(select(c.id, c.name, c.name_key).order_by(c.id))
        if key != name_key(name)
    ]
    return _listed("name_lookup", messages, more="contacts that cannot be found by name")


def _self_referrals(conn: Connection) -> list[Problem]:
    from sqlalchemy import select

    from .models import Contact, Referral

    r, c = Referral.__table__.c, Contact.__table__.c
    query = (
        select(r.id, c.id, c.name)
        .join_from(Referral.__table__, Contact.__table__, r.prospect_id == c.id)
        .where(r.prospect_id == r.referrer_id)
        .order_by(r.id)
    )
    messages = [f"referral #{rid} says {name} (#{cid}) referred themselves" for rid, cid, name in conn.execute(query)]
    return _listed("self_referral", messages, more="such referrals")


# ---------------------------------------------------------------- complaints and the yearly visit


def _two_checkins(conn: Connection) -> list[Problem]:
    """A customer has one open check-in (the yearly visit) at most."""
    return _doubled_open(
        conn,
        Kind.checkin,
        code="two_checkins",
        what="open check-ins",
        rule="one yearly visit is enough: followup skip the extra ones",
    )


def _complaints_without_followup(conn: Connection) -> list[Problem]:
    """An open complaint keeps the follow-up that closes its loop (unless the contact asked not
    to be contacted, when none is scheduled)."""
    from sqlalchemy import select

    from .models import Complaint, Contact

    k, c = Complaint.__table__.c, Contact.__table__.c
    query = (
        select(k.id, k.kind, k.day, c.id, c.name)
        .join_from(Complaint.__table__, Contact.__table__, k.contact_id == c.id)
        .where(k.status == "open", k.followup_id.is_(None), c.do_not_contact.is_(False))
        .order_by(k.id)
    )
    messages = [
        f"complaint #{kid} ({kind}, {day.isoformat()}) of {name} (#{cid}) is open, but the follow-up that "
        f"closes its loop is gone; followup complaint {cid} --kind {kind} records it again with one"
        for kid, kind, day, cid, name in conn.execute(query)
    ]
    return _listed("complaint_without_followup", messages, more="such complaints")
