"""The engine and sessions, made when a command runs, never at import."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
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


def _tune_sqlite(engine: Engine) -> None:
    """Real transactions on SQLite: foreign keys on, WAL, a busy wait, and BEGIN IMMEDIATE.

    pysqlite's own transaction handling does not cover DDL and takes the write lock late;
    this is SQLAlchemy's documented recipe for taking the transaction over.
    """

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
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise UserError(
            f"--db: cannot use {url!r} ({exc}); give a file path or a URL such as postgresql+psycopg://user@host/db"
        ) from None
    except ModuleNotFoundError as exc:
        raise UserError(
            f"--db: the driver for {url.split('://')[0]} is not installed ({exc.name}); "
            "for PostgreSQL install followup[postgres]"
        ) from None
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine)
    return engine


def open_engine(db: str | None) -> Engine:
    """The engine for `--db`/`FOLLOWUP_DB`, with the schema brought up to date."""
    from sqlalchemy.exc import DatabaseError, OperationalError

    from .migrations import migrate

    url = resolve_url(db)
    engine = make_engine(url)
    try:
        migrate(engine)
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
