"""How followup uses SQLite: readers never wait for writers, and indexes that stay flat."""

from __future__ import annotations

import sqlite3
from contextlib import closing

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
