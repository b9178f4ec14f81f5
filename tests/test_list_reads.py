"""The read path of `list`: portable SQL on the stdlib sqlite3 driver (followup/contact_list.py).

Every `list` the suite runs through the `cli` fixture is also run through SQLAlchemy and the two
outputs compared (conftest.REPORTS); these tests pin the rest: on an up-to-date SQLite file
`list` imports none of SQLAlchemy, SQLModel or pydantic, its queries find touches, follow-ups
and referrers by index, and the next follow-up it shows is the earliest open one.
"""

from __future__ import annotations

import pytest
from helpers import ok
from test_fast_reads import Recorder, imports_of

from followup.contact_list import capped_contact_rows, contact_rows
from followup.people import Salesperson
from followup.schema import STEPS
from followup.sql import fast_reader

HEAVY = {"sqlalchemy", "sqlmodel", "pydantic"}

BOOK = [
    ["add", "Ann Lee", "--company", "Acme", "--first", "2026-11-20", "--tag", "VIP"],
    ["add-referral", "Bob Stone", "--from", "Ann Lee", "--source", "customer", "--on", "2026-11-10"],
    ["touch", "Bob Stone", "--via", "call", "--on", "2026-11-12"],
    ["sold", "Ann Lee", "--on", "2026-11-14", "--amount", "1200"],
    ["add", "Cy Doe", "--first", "2026-12-01", "--tag", "École"],
    ["add", "Di Park", "--first", "2026-11-23"],
    ["lost", "Di Park", "--on", "2026-11-22"],
]


@pytest.fixture
def book(seed):
    seed(BOOK, today="2026-11-10")


def test_list_on_an_up_to_date_sqlite_file_imports_no_sqlalchemy_sqlmodel_or_pydantic(book, db_path):
    for args, shown in (
        (["list"], "Bob Stone"),
        (["list", "--status", "prospect"], "Cy Doe"),
        (["list", "--status", "customer", "--tag", "vip"], "Ann Lee"),
        (["list", "--tag", "ÉCOLE", "--all"], "Cy Doe"),
        (["list", "--json"], '"referrer": "Ann Lee"'),
        (["list", "--team", "--status", "lost"], "Di Park"),
    ):
        code, imported, output = imports_of(args, db=db_path)
        assert code == 0, output
        assert imported & HEAVY == set(), args
        assert shown in output, args  # the rows are really there


def test_list_with_fast_reads_off_takes_the_sqlalchemy_path(book, db_path):
    code, imported, output = imports_of(["list"], db=db_path, fast_reads="0")
    assert code == 0 and "sqlalchemy" in imported
    assert "Bob Stone" in output


def test_the_queries_of_list_search_touches_follow_ups_and_referrals_by_index(book, db_path):
    with fast_reader(str(db_path), steps=STEPS) as reader:
        recorder = Recorder(reader)
        for who in (None, Salesperson("ann", only_own=True)):
            for status in (None, "prospect", "customer"):
                contact_rows(reader=recorder, status=status, who=who)
                contact_rows(reader=recorder, status=status, tag="vip", who=who, ids=[1, 2, 3])
                capped_contact_rows(reader=recorder, max_rows=2, status=status, who=who)
                capped_contact_rows(reader=recorder, max_rows=2, status=status, tag="École", who=who)
        assert len(recorder.ran) >= 30
        for sql, params in recorder.ran:
            plan = [row[-1] for row in reader.rows("EXPLAIN QUERY PLAN " + sql, params)]
            scans = [step for step in plan if step.startswith("SCAN") and step.split()[1] in ("t", "f", "r")]
            assert scans == [], (sql, plan)
            if "FROM followup f" in sql:  # the next follow-up: one look-up in the contact's open ones
                assert any("ix_followup_contact_status_due (contact_id=? AND status=?)" in s for s in plan), plan


@pytest.mark.backends("sqlite", "postgresql")
def test_the_next_follow_up_listed_is_the_earliest_open_one(cli, seed):
    seed(
        [
            ["add", "Sue Chen", "--first", "2026-11-02"],
            ["touch", "Sue Chen", "--via", "call", "--on", "2026-11-02"],  # the follow-up of 11-02 is done
            ["schedule", "Sue Chen", "2026-12-20", "--what", "call after the holidays"],
            ["schedule", "Sue Chen", "2026-11-30 09:00", "--what", "send the price list"],
            ["add", "Bo Li", "--first", "2026-11-03"],
            ["touch", "Bo Li", "--via", "visit", "--on", "2026-11-03", "--outcome", "stop"],  # nothing open
        ],
        today="2026-11-02",
    )
    followups = ok(cli("show", "Sue Chen", "--json")).json()["followups"]
    open_dues = sorted(f["due"] for f in followups if f["status"] == "open")
    assert len(open_dues) >= 2 and any(f["due"] < open_dues[0] for f in followups if f["status"] != "open")
    rows = {row["name"]: row for row in ok(cli("list", "--json")).json()}
    assert rows["Sue Chen"]["next_due"] == open_dues[0]
    assert (rows["Sue Chen"]["touches"], rows["Sue Chen"]["last_touch"]) == (1, "2026-11-02")
    assert rows["Bo Li"]["next_due"] is None and rows["Bo Li"]["do_not_contact"] is True
    table = ok(cli("list", "--status", "prospect")).stdout  # the same rows drawn, fast path and SQLAlchemy alike
    assert open_dues[0] in table and "Bo Li" in table
