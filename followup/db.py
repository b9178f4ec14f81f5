"""The engine and sessions, made when a command runs, never at import."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from .config import default_db_path
from .errors import DatabaseBusy, UserError

if TYPE_CHECKING:  # SQLAlchemy is imported by the functions that use it: the fast read path never does
    from sqlalchemy import URL, Engine
    from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000  # the default wait for a database another command is writing


def busy_timeout_ms() -> int:
    """How long a command waits for another one's write: FOLLOWUP_BUSY_TIMEOUT seconds (0 to
    3600, for a slow shared drive or a script), else 30 s."""
    text = os.environ.get("FOLLOWUP_BUSY_TIMEOUT", "").strip()
    if not text:
        return SQLITE_BUSY_TIMEOUT_MS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise UserError(f"FOLLOWUP_BUSY_TIMEOUT: {text!r} is not a wait; give seconds from 0 to 3600, such as 30")
    return int(seconds * 1000)


# a scheme such as postgresql+psycopg: (two letters at least, so C:\ stays a Windows path)
_LOOKS_LIKE_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")
_PASSWORD_IN_QUERY = re.compile(r"(?i)([?&][a-z]*password=)[^&]*")


def resolve_url(value: str | None) -> str:
    """A SQLAlchemy URL as given, or a SQLite URL for a file path (the default file if None).

    The default file's folder is made, readable by its owner only, when it is missing."""
    if value and "://" in value:
        return value
    if value:
        path = Path(value).expanduser()
        if not path.parent.is_dir():
            if _LOOKS_LIKE_URL.match(value) and "@" in value:  # postgresql:/user:pw@host, one slash short
                raise UserError(
                    f"--db: cannot use {_without_password(value)!r} (not a valid URL: it starts with SCHEME://); "
                    "give a file path or a URL such as postgresql+psycopg://user@host/db"
                )
            raise UserError(f"--db: folder {path.parent} does not exist; give an existing folder or a database URL")
    else:
        path = default_db_path()
        make_private_folder(path.parent)
    return f"sqlite:///{path.resolve()}"


def make_private_folder(folder: Path) -> None:
    """Create `folder` and its missing parents readable by the owner only (0700); folders that
    exist already are left as they are."""
    missing = []
    for parent in (folder, *folder.parents):
        if parent.is_dir():
            break
        missing.append(parent)
    try:
        for parent in reversed(missing):
            parent.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the data folder {folder} ({exc.strerror or exc})") from None


def _private_sqlite_file(engine: Engine) -> None:
    """A database file followup creates is readable by its owner only (0600).

    The file is made, empty, just before SQLite first opens it (an empty file is an empty
    database to SQLite); SQLite gives the -wal and -shm files it makes beside a database the
    database file's permissions. A file that exists already is left as it is."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)

    from sqlalchemy import event

    @event.listens_for(engine, "do_connect")
    def _create_private(_dialect, _record, _cargs, _cparams):
        with suppress(OSError):  # there already, or not creatable: SQLite opens it or says why not
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _tune_sqlite(engine: Engine, *, write: bool = True) -> None:
    """Real transactions on SQLite: foreign keys on, WAL, a busy wait, and a BEGIN we choose.

    pysqlite's own transaction handling does not cover DDL and takes the write lock late;
    this is SQLAlchemy's documented recipe for taking the transaction over. A command that
    writes takes the write lock at once (BEGIN IMMEDIATE), so two writers queue on the busy
    wait instead of failing half-way; a read-only command (BEGIN) never blocks a writer.
    """
    from sqlalchemy import event

    begin = "BEGIN IMMEDIATE" if write else "BEGIN"
    wait_ms = busy_timeout_ms()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {wait_ms}")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql(begin)


# the key of the advisory lock every followup write transaction takes on PostgreSQL ("followup")
POSTGRES_WRITE_LOCK = 0x666F6C6C6F777570


def _queue_postgres_writers(engine: Engine) -> None:
    """On PostgreSQL, write transactions one at a time, as BEGIN IMMEDIATE gives on SQLite.

    A command reads and then writes what it read implies: a touch counts the contact's touches
    to schedule the next cadence step, and closes the open one. Under READ COMMITTED two such
    commands on one contact at once both read the state before either wrote: the same count
    twice, two open next touches. So each write transaction first takes a transaction-level
    advisory lock, held until it commits or rolls back, waiting at most the SQLite busy
    timeout for it; read-only commands never take it, so they never wait.
    """
    from sqlalchemy import event

    wait_ms = busy_timeout_ms()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {wait_ms}")
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_WRITE_LOCK})")


def _without_password(url: str) -> str:
    """The URL as it may be shown, even one SQLAlchemy cannot parse: user:***@host, and
    password=*** in the query (libpq takes a password there too)."""
    if "://" in url:
        url = re.sub(r"(://[^/@:]*:).*@", r"\1***@", url)
    else:
        url = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]+:).*@", r"\1***@", url)
    return _PASSWORD_IN_QUERY.sub(r"\1***", url)


def shown_url(url: str | URL) -> str:
    """A database URL as followup shows it in messages: never with its password."""
    if not isinstance(url, str):  # a SQLAlchemy URL
        url = url.render_as_string(hide_password=True)
    return _without_password(url)


def make_engine(url: str, *, write: bool = True) -> Engine:
    from sqlalchemy import create_engine, make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        options = {}
        if make_url(url).get_driver_name() in ("psycopg", "psycopg2"):
            # no hstore column here: spare every command the driver's look-up of that type on connect
            options["use_native_hstore"] = False
        engine = create_engine(url, **options)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        # ValueError: a port that is no number; its text may quote part of the password
        reason = "not a valid URL" if isinstance(exc, ValueError) else exc
        raise UserError(
            f"--db: cannot use {_without_password(url)!r} ({reason}); "
            "give a file path or a URL such as postgresql+psycopg://user@host/db"
        ) from None
    except ModuleNotFoundError as exc:
        raise UserError(
            f"--db: the driver for {url.split('://')[0]} is not installed ({exc.name}); "
            "for PostgreSQL install followup[postgres]"
        ) from None
    if engine.dialect.name == "sqlite":
        _private_sqlite_file(engine)
        _tune_sqlite(engine, write=write)
    elif engine.dialect.name == "postgresql" and write:
        _queue_postgres_writers(engine)
    return engine


def open_engine(db: str | None, *, write: bool = True, user: str | None = None) -> Engine:
    """The engine for `--db`/`FOLLOWUP_DB`, with the schema brought up to date.

    `write=False` gives an engine for a command that only reads (see `_tune_sqlite`); the
    schema is still brought up to date first, with the write lock. `user` owns what an
    upgrade has to give an owner (see `migrations.m004_contact_owner`)."""
    from sqlalchemy.exc import DatabaseError, OperationalError

    from .migrations import is_current, migrate

    url = resolve_url(db)
    engine = make_engine(url, write=write)
    try:
        if not is_current(engine):
            upgrader = engine if write else make_engine(url)
            try:
                migrate(upgrader, user=user)
            finally:
                if upgrader is not engine:
                    upgrader.dispose()
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        raise_if_busy(exc)
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise UserError(f"--db: cannot open {shown_url(engine.url)} as a followup database ({reason})") from None
    except BaseException:
        engine.dispose()
        raise
    return engine


def busy() -> DatabaseBusy:
    return DatabaseBusy(
        f"the database is busy: another followup command has been writing to it for over "
        f"{busy_timeout_ms() / 1000:g} s; nothing was changed, run the command again"
    )


_POSTGRES_BUSY_STATES = {"55P03", "40P01", "40001"}  # lock_not_available, deadlock, serialization


def raise_if_busy(exc: BaseException) -> None:
    """Raise DatabaseBusy for a write lock that was not granted within the bounded wait."""
    orig = getattr(exc, "orig", exc)
    text = str(orig).lower()
    if "database is locked" in text or "database is busy" in text:
        raise busy() from None
    if getattr(orig, "sqlstate", None) in _POSTGRES_BUSY_STATES:
        raise busy() from None


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if anything goes wrong.

    A lock not granted within the busy wait becomes `DatabaseBusy`: one clear line, not a
    driver's "database is locked"."""
    from sqlalchemy.exc import OperationalError
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise_if_busy(exc)
            raise
        except BaseException:
            session.rollback()
            raise
