"""The engine and sessions, made when a command runs, never at import."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlmodel import Session

from .config import default_db_path
from .errors import UserError

SQLITE_BUSY_TIMEOUT_MS = 30_000


def resolve_url(value: str | None) -> str:
    """A SQLAlchemy URL as given, or a SQLite URL for a file path (the default file if None)."""
    if value and "://" in value:
        return value
    if value:
        path = Path(value).expanduser()
        if not path.parent.is_dir():
            raise UserError(f"--db: folder {path.parent} does not exist; give an existing folder or a database URL")
    else:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path.resolve()}"


def _tune_sqlite(engine: Engine, *, write: bool = True) -> None:
    """Real transactions on SQLite: foreign keys on, WAL, a busy wait, and a BEGIN we choose.

    pysqlite's own transaction handling does not cover DDL and takes the write lock late;
    this is SQLAlchemy's documented recipe for taking the transaction over. A command that
    writes takes the write lock at once (BEGIN IMMEDIATE), so two writers queue on the busy
    wait instead of failing half-way; a read-only command (BEGIN) never blocks a writer.
    """
    begin = "BEGIN IMMEDIATE" if write else "BEGIN"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql(begin)


def _without_password(url: str) -> str:
    """The URL as it may be shown, even one SQLAlchemy cannot parse: user:***@host."""
    return re.sub(r"(://[^/@:]*:).*@", r"\1***@", url)


def make_engine(url: str, *, write: bool = True) -> Engine:
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
        _tune_sqlite(engine, write=write)
    return engine


def open_engine(db: str | None, *, write: bool = True) -> Engine:
    """The engine for `--db`/`FOLLOWUP_DB`, with the schema brought up to date.

    `write=False` gives an engine for a command that only reads (see `_tune_sqlite`); the
    schema is still brought up to date first, with the write lock."""
    from sqlalchemy.exc import DatabaseError, OperationalError

    from .migrations import is_current, migrate

    url = resolve_url(db)
    engine = make_engine(url, write=write)
    try:
        if not is_current(engine):
            upgrader = engine if write else make_engine(url)
            try:
                migrate(upgrader)
            finally:
                if upgrader is not engine:
                    upgrader.dispose()
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise UserError(
            f"--db: cannot open {engine.url.render_as_string(hide_password=True)} as a followup database ({reason})"
        ) from None
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if anything goes wrong."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
