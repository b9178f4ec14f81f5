"""Read queries as portable SQL text, one text for SQLite and PostgreSQL.

The reports (`due`, `stats`) are read-only and run every morning, so they keep their queries
as plain SQL that both databases understand, and run them on the cheapest driver at hand:

- on a SQLite file that is up to date, the stdlib `sqlite3` driver (`SqliteReader`): no
  SQLAlchemy, SQLModel or pydantic to import, which is most of a command's start-up;
- anywhere else (PostgreSQL, a file that needs a migration, FOLLOWUP_FAST_READS=0), the
  SQLModel session of the command (`SessionReader`), through SQLAlchemy's `text()`.

The schema still has one source, the SQLModel models and the migrations; this module only
reads it. Parameters are written `:name`, as SQLAlchemy's `text()` takes them; a list or
tuple value expands to one parameter per item (`IN (:ids)`); dates go in as `date` objects.
Values come back as each driver gives them (on SQLite dates are text), so read them with
`as_date`, `as_time` and `as_bool`. Only the stdlib is imported here.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Protocol

Params = Mapping[str, Any]

# FOLLOWUP_FAST_READS=0 sends every report through SQLAlchemy even on SQLite: the test suite
# runs that way too, so the two paths cannot drift apart
FAST_READS_VARIABLE = "FOLLOWUP_FAST_READS"


class Reader(Protocol):
    """One read transaction: every query sees the same state of the database."""

    dialect: str  # "sqlite" or "postgresql"

    def rows(self, sql: str, params: Params | None = None) -> list[tuple]: ...

    def execute(self, sql: str, params: Params | None = None) -> None:
        """A statement with no rows to read (a temporary table of the transaction)."""


def one(reader: Reader, sql: str, params: Params | None = None) -> tuple:
    """The single row of a query."""
    (row,) = reader.rows(sql, params)
    return row


def scalar(reader: Reader, sql: str, params: Params | None = None) -> Any:
    """The single value of a query (None when it finds no row)."""
    found = reader.rows(sql, params)
    return found[0][0] if found else None


def dated_within(column: str, *, on: date, since: date | None) -> tuple[str, dict[str, Any]]:
    """The condition "`column` on or before `on` (and on or after `since`)" with its parameters,
    as the reports filter what happened within `--since`/`--on`."""
    if since is None:
        return f"{column} <= :on", {"on": on}
    return f"{column} <= :on AND {column} >= :since", {"on": on, "since": since}


# ---------------------------------------------------------------- values


def as_date(value: Any) -> date | None:
    """A date column's value, from text ("2026-11-23", SQLite) or a date (PostgreSQL)."""
    if value is None or type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(value[:10])


def iso_date(value: Any) -> str | None:
    """A date column's value as "YYYY-MM-DD" (None stays None), from either driver."""
    day = as_date(value)
    return day.isoformat() if day is not None else None


def chunks(items: Sequence, size: int = 500) -> Iterator[list]:
    """`items` in lists of `size`: a few hundred ids a query, as every database takes them."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def as_time(value: Any) -> time | None:
    """A time column's value, from text ("15:00:00.000000", SQLite) or a time (PostgreSQL)."""
    if value is None or isinstance(value, time):
        return value
    return time.fromisoformat(value)


def as_bool(value: Any) -> bool:
    return bool(value)


def _sqlite_value(value: Any) -> Any:
    """A parameter as SQLAlchemy stores it in SQLite, so text comparisons order correctly."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


def _expanded(sql: str, params: Params | None) -> tuple[str, dict[str, Any]]:
    """`sql` and `params` with every list or tuple parameter spread into one parameter per
    item (`:ids` -> `:ids_0, :ids_1`); an empty one becomes NULL, which matches nothing."""
    flat: dict[str, Any] = {}
    for name, value in (params or {}).items():
        if isinstance(value, list | tuple):
            names = [f"{name}_{i}" for i in range(len(value))]
            flat.update(zip(names, value, strict=True))
            spread = ", ".join(f":{n}" for n in names) or "NULL"
            sql = re.sub(rf"(?<![:\w]):{name}\b", spread, sql)
        else:
            flat[name] = value
    return sql, flat


# ---------------------------------------------------------------- the two drivers


class SqliteReader:
    """Portable SQL on the stdlib sqlite3 driver, in one read transaction."""

    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def rows(self, sql: str, params: Params | None = None) -> list[tuple]:
        sql, flat = _expanded(sql, params)
        values = {name: _sqlite_value(value) for name, value in flat.items()}
        try:
            return self.connection.execute(sql, values).fetchall()
        except sqlite3.OperationalError as exc:
            from .db import raise_if_busy

            raise_if_busy(exc)
            raise

    def execute(self, sql: str, params: Params | None = None) -> None:
        self.rows(sql, params)


class SessionReader:
    """Portable SQL through a SQLModel/SQLAlchemy session (the command's transaction)."""

    def __init__(self, session: Any):
        self.session = session
        self.dialect = session.get_bind().dialect.name

    def rows(self, sql: str, params: Params | None = None) -> list[tuple]:
        return [tuple(row) for row in self._run(sql, params)]

    def execute(self, sql: str, params: Params | None = None) -> None:
        self._run(sql, params)

    def _run(self, sql: str, params: Params | None) -> Any:
        from sqlalchemy import text

        sql, flat = _expanded(sql, params)
        if self.dialect == "sqlite":  # as SqliteReader binds them: the same text in the file
            flat = {name: _sqlite_value(value) for name, value in flat.items()}
        return self.session.execute(text(sql), flat)


# ---------------------------------------------------------------- the fast path


def fast_reads_wanted() -> bool:
    return os.environ.get(FAST_READS_VARIABLE, "").strip().lower() not in ("0", "false", "no", "off")


def sqlite_file(db: str | None) -> Path | None:
    """The SQLite file `--db`/`FOLLOWUP_DB` names, if it names an existing one; None for any
    other database (a URL of another kind, a file not yet made)."""
    from .config import default_db_path

    if db is None:
        path = default_db_path()
    elif "://" in db:
        if not db.startswith("sqlite:///") or "?" in db:
            return None
        path = Path(db[len("sqlite:///") :])
    else:
        path = Path(db).expanduser()
    return path if path.is_file() else None


@contextmanager
def fast_reader(db: str | None, *, steps: Sequence[str]) -> Iterator[SqliteReader | None]:
    """A `SqliteReader` in a read transaction on the SQLite file of `db` when its schema has
    exactly the `steps` this release knows; else None, and the caller takes the SQLModel path
    (which migrates, refuses a newer schema, or explains what is wrong with the file)."""
    path = sqlite_file(db) if fast_reads_wanted() else None
    connection = None
    if path is not None:
        try:
            connection = sqlite3.connect(str(path), isolation_level=None)
        except sqlite3.Error:
            connection = None
    if connection is None:
        yield None
        return
    with closing(connection):
        from .db import busy_timeout_ms

        try:
            connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
            connection.execute("BEGIN")
            recorded = [name for (name,) in connection.execute("SELECT name FROM schema_migrations")]
        except sqlite3.Error:  # not a followup database, or not one at all: the slow path says so
            recorded = None
        if recorded is None or sorted(recorded) != sorted(steps):
            yield None
            return
        yield SqliteReader(connection)
        connection.execute("COMMIT")
