"""How followup uses SQLite: readers never wait for writers, and indexes that stay flat."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from followup.db import make_engine
from followup.migrations import migrate


def test_a_read_command_does_not_wait_for_a_writer(cli, db_path):
    assert cli("add-referral", "Sue Chen", "--from", "Bob Li", "--on", "2026-11-02").exit_code == 0
    with closing(sqlite3.connect(db_path, isolation_level=None, timeout=0)) as writer:
        writer.execute("BEGIN IMMEDIATE")  # another followup, half-way through a write
        writer.execute("UPDATE contact SET note = 'busy' WHERE id = 1")
        for args in (["due", "--on", "2026-11-02", "--json"], ["list", "--json"], ["show", "Sue", "--json"],
                     ["stats", "--on", "2026-11-02", "--json"]):  # fmt: skip
            run = cli(*args)
            assert run.exit_code == 0, (args, run.stderr)
        writer.execute("ROLLBACK")
    assert cli("list", "--json").json()[0]["name"] == "Bob Li"


def test_earliest_open_followup_of_a_contact_uses_the_contact_index(db_path):
    """The query behind `touch` and `list` reads one contact's rows, not every open follow-up."""
    engine = make_engine(f"sqlite:///{db_path}")
    migrate(engine)
    engine.dispose()
    with closing(sqlite3.connect(db_path)) as conn:
        plan = " ".join(
            row[3]
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM followup "
                "WHERE contact_id = 5 AND status = 'open' AND due <= '2026-11-23' ORDER BY due, id LIMIT 1"
            )
        )
    assert "ix_followup_contact_status_due (contact_id=? AND status=? AND due<?)" in plan


def _one_error_line(run) -> str:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), run.stderr
    return lines[0]


def test_a_writer_held_up_past_the_busy_wait_gets_one_clear_line_and_writes_nothing(cli, db_path, dump):
    assert cli("add", "Sue Chen", "--first", "2026-11-02").exit_code == 0
    before = dump()
    with closing(sqlite3.connect(db_path, isolation_level=None, timeout=0)) as writer:
        writer.execute("BEGIN IMMEDIATE")  # another command, half-way through a long write
        run = cli("touch", "Sue", "--on", "2026-11-02", env={"FOLLOWUP_BUSY_TIMEOUT": "0.2"})
        writer.execute("ROLLBACK")
    assert run.exit_code == 1, (run.stdout, run.stderr)
    line = _one_error_line(run)
    assert "database is busy" in line and "0.2 s" in line and "run the command again" in line
    assert "locked" not in line and "--debug" not in line
    assert dump() == before
    assert cli("touch", "Sue", "--on", "2026-11-02").exit_code == 0  # and once it is free, it works


def test_a_busy_wait_that_is_not_a_number_of_seconds_is_refused(cli):
    run = cli("due", env={"FOLLOWUP_BUSY_TIMEOUT": "soon"})
    assert run.exit_code == 2
    assert "FOLLOWUP_BUSY_TIMEOUT" in _one_error_line(run) and "0 to 3600" in run.stderr


@pytest.mark.backends("postgresql")
def test_a_writer_held_up_on_postgresql_gets_the_same_line(cli, db_url, dump):
    import psycopg
    from sqlalchemy import make_url

    from followup.db import POSTGRES_WRITE_LOCK

    assert cli("add", "Sue Chen", "--first", "2026-11-02").exit_code == 0
    before = dump()
    url = make_url(db_url)
    dsn = f"host={url.host} port={url.port} user={url.username} dbname={url.database}"
    with psycopg.connect(dsn) as writer:  # another command's write transaction, still open
        writer.execute(f"SELECT pg_advisory_xact_lock({POSTGRES_WRITE_LOCK})")
        run = cli("touch", "Sue", "--on", "2026-11-02", env={"FOLLOWUP_BUSY_TIMEOUT": "0.2"})
        writer.rollback()
    assert run.exit_code == 1, (run.stdout, run.stderr)
    assert "database is busy" in _one_error_line(run)
    assert dump() == before
