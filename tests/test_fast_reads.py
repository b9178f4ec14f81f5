"""The read path of `due` (and `stats`): portable SQL on the stdlib sqlite3 driver.

On an up-to-date SQLite file `due` runs its queries through `sql.SqliteReader` and never
imports SQLAlchemy or SQLModel; anything else (a file that needs a migration, a newer schema,
PostgreSQL) takes the SQLModel session, which upgrades or explains. Every `due`, `stats` and
`list` the suite runs through the `cli` fixture is also compared between the two paths (see
conftest.cli); these tests pin the rest: which path runs, the value conversions both share,
and the indexes the morning's queries use.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date, datetime, time
from pathlib import Path

import pytest
from helpers import ok

from followup.due import due_report, yearly_visits_missing
from followup.schema import STEPS
from followup.sql import SessionReader, SqliteReader, as_date, as_time, fast_reader, one

PRINT_MODULES = Path(__file__).parent / "assets" / "print_modules.py"
FIXTURES = Path(__file__).parent / "fixtures"
HEAVY = {"sqlalchemy", "sqlmodel"}
DAY = "2026-11-23"

MORNING = [
    ["add", "Ann Lee", "--company", "Acme", "--first", "2026-11-20"],
    ["add-referral", "Bob Stone", "--from", "Ann Lee", "--source", "customer", "--on", "2026-11-10"],
    ["touch", "Bob Stone", "--via", "call", "--on", "2026-11-12"],
    ["sold", "Ann Lee", "--on", "2026-11-14", "--amount", "1200"],
    ["add", "Cy Doe", "--first", "2026-12-01"],
    ["add", "Di Park", "--first", "2026-11-23"],
]


def imports_of(args: list[str], *, db: Path, fast_reads: str = "") -> tuple[int, set[str], str]:
    """`followup ARGS` in a fresh interpreter: exit status, top-level modules it imported, output."""
    env = {**os.environ, "FOLLOWUP_DB": str(db), "FOLLOWUP_TODAY": DAY, "FOLLOWUP_FAST_READS": fast_reads}
    proc = subprocess.run(
        [sys.executable, str(PRINT_MODULES), *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    (result,) = [json.loads(line) for line in proc.stdout.splitlines()]
    return result["exit"], {name.split(".")[0] for name in result["new"]}, proc.stderr


def test_due_on_an_up_to_date_sqlite_file_never_imports_sqlalchemy(cli, db_path, seed):
    seed(MORNING, today=DAY)
    for args in (["due"], ["due", "--days", "7"], ["due", "--json"], []):
        code, imported, output = imports_of(args, db=db_path)
        assert code == 0, output
        assert imported & HEAVY == set(), args
        assert "Ann Lee" in output  # the day-2 call after her sale: the report is really there


def test_due_with_fast_reads_off_takes_the_sqlalchemy_path(db_path, seed):
    seed(MORNING, today=DAY)
    code, imported, output = imports_of(["due"], db=db_path, fast_reads="0")
    assert code == 0 and "sqlalchemy" in imported
    assert "Ann Lee" in output


@pytest.mark.parametrize("fixture", ["schema_m006.db", "schema_m001.db"])
def test_due_on_a_database_of_an_earlier_schema_upgrades_it_first(fixture, tmp_path):
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / fixture, db)
    code, imported, output = imports_of(["due", "--on", DAY], db=db)
    assert code == 0, output
    assert "sqlalchemy" in imported  # the migration needs it
    with closing(sqlite3.connect(db)) as con:
        assert sorted(name for (name,) in con.execute("SELECT name FROM schema_migrations")) == sorted(STEPS)
    code, imported, output = imports_of(["due", "--on", DAY], db=db)
    assert code == 0 and imported & HEAVY == set()  # from then on, the fast path


def test_a_schema_from_a_newer_release_is_refused_by_due_as_before(cli, db_path, dump):
    ok(cli("add", "Ann Lee"))
    with closing(sqlite3.connect(db_path)) as con, con:
        con.execute("INSERT INTO schema_migrations (name, applied_at) VALUES ('m999_future', '2027-01-01')")
    before = dump()
    run = cli("due", "--on", DAY)
    assert run.exit_code == 2
    assert "newer release of followup" in run.stderr
    assert dump() == before


def test_fast_reader_declines_what_is_not_an_up_to_date_followup_file(tmp_path):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database\n" * 50)
    for db in (str(tmp_path / "missing.db"), str(text_file), "postgresql+psycopg://u@localhost/x"):
        with fast_reader(db, steps=STEPS) as reader:
            assert reader is None, db
    assert not (tmp_path / "missing.db").exists()


# ---------------------------------------------------------------- values both paths read and write


@pytest.fixture
def both_readers(cli, db_path, session):
    """A SqliteReader and a SessionReader (in-memory SQLite through SQLAlchemy), each over a
    database where one touch was written through SQLModel at a known date and time."""
    from followup.models import Contact, Touch

    ok(cli("add", "Ann Lee"))
    ok(cli("touch", "Ann Lee", "--via", "call", "--on", "2026-11-20 15:30", "--note", "n"))
    contact = Contact(name="Ann Lee", name_key="ann lee")
    session.add(contact)
    session.flush()
    session.add(Touch(contact_id=contact.id, day=date(2026, 11, 20), at_time=time(15, 30), channel="call", note="n"))
    session.flush()
    with fast_reader(str(db_path), steps=STEPS) as fast:
        yield {"sqlite3": fast, "sqlalchemy": SessionReader(session)}


@pytest.mark.parametrize("path", ["sqlite3", "sqlalchemy"])
def test_dates_times_and_lists_are_compared_as_sqlmodel_stored_them(both_readers, path):
    reader = both_readers[path]
    assert isinstance(both_readers["sqlite3"], SqliteReader)
    sql = "SELECT t.day, t.at_time FROM touch t WHERE t.day = :day AND t.at_time = :at AND t.channel IN (:via)"
    day, at = one(reader, sql, {"day": date(2026, 11, 20), "at": time(15, 30), "via": ["visit", "call"]})
    assert (as_date(day), as_time(at)) == (date(2026, 11, 20), time(15, 30))
    assert reader.rows("SELECT t.id FROM touch t WHERE t.channel IN (:via)", {"via": []}) == []
    earlier = datetime(2000, 1, 1, 0, 0)
    assert one(reader, "SELECT COUNT(*) FROM touch t WHERE t.created_at > :t", {"t": earlier}) == (1,)
    later = datetime(2999, 1, 1, 0, 0)
    assert one(reader, "SELECT COUNT(*) FROM touch t WHERE t.created_at < :t", {"t": later}) == (1,)


# ---------------------------------------------------------------- the indexes of the morning


class Recorder:
    """A reader that keeps every statement (with its parameters) it ran."""

    def __init__(self, reader: SqliteReader):
        self.reader, self.dialect, self.ran = reader, reader.dialect, []

    def rows(self, sql, params=None):
        self.ran.append((sql, params))
        return self.reader.rows(sql, params)

    def execute(self, sql, params=None):
        self.ran.append((sql, params))
        self.reader.execute(sql, params)


def test_the_queries_of_due_search_touches_and_follow_ups_by_index(cli, db_path, seed):
    seed(MORNING, today=DAY)
    with fast_reader(str(db_path), steps=STEPS) as reader:
        recorder = Recorder(reader)
        yearly_visits_missing(reader=recorder, today=date(2026, 11, 23))
        due_report(reader=recorder, on=date(2026, 11, 23), days=7, max_rows=40)
        assert len(recorder.ran) >= 6
        for sql, params in recorder.ran:
            plan = [row[-1] for row in reader.rows("EXPLAIN QUERY PLAN " + sql, params)]
            scans = [step for step in plan if step.startswith("SCAN") and step.split()[1] in ("t", "f", "touch")]
            assert scans == [], (sql, plan)


# ---------------------------------------------------------------- WAL: the morning read never waits for a write


def test_the_database_file_is_in_wal_mode_and_due_reads_while_a_write_is_open(cli, db_path, seed):
    seed(MORNING, today=DAY)
    ok(cli("due", today=DAY))
    with closing(sqlite3.connect(db_path, isolation_level=None)) as writer:
        assert writer.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        writer.execute("BEGIN IMMEDIATE")  # another command in the middle of its write
        writer.execute("UPDATE contact SET name = 'Half Written' WHERE name = 'Ann Lee'")
        run = cli("due", env={"FOLLOWUP_BUSY_TIMEOUT": "0"}, today=DAY)  # no wait allowed
        writer.execute("ROLLBACK")
    assert run.exit_code == 0, run.stderr
    assert "Ann Lee" in run.stdout and "Half Written" not in run.stdout  # the last committed state
