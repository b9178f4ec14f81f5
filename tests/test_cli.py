"""The command-line contract of SPEC section 2: errors, contact names, tables, JSON, rm, help,
where the database lives, colour.

Every test drives the real CLI on its own temporary database with explicit dates, once on a
SQLite file and once on a PostgreSQL database; the few about the SQLite file itself (or that
open no database at all) run on SQLite only, each saying why.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
import typer.main
from rich.cells import cell_len
from sqlalchemy import create_engine, text

from followup import __version__
from followup.cli import app

pytestmark = pytest.mark.backends("sqlite", "postgresql")

# Every command the app registers; the contract's commands must all be among them.
COMMANDS = list(typer.main.get_command(app).commands)
SPEC_COMMANDS = {
    "add", "add-referral", "touch", "schedule", "done", "skip", "snooze",
    "due", "sold", "lost", "ask", "list", "show", "edit", "rm", "stats",
}  # fmt: skip

DUE_ITEM_KEYS = {
    "id",
    "contact_id",
    "contact",
    "company",
    "due",
    "time",
    "kind",
    "action",
    "reason",
    "touches",
    "referrer",
    "overdue_days",
    "phone",
    "email",
    "asked_for",
    "hint",
}
NO_NEXT_STEP_KEYS = {"contact_id", "contact", "status", "touches", "hint"}
LIST_KEYS = {"id", "name", "company", "status", "touches", "last_touch", "next_due", "referrer", "do_not_contact"}


def sql(db: str, statement: str, **params) -> list[tuple]:
    """Run one SQL statement on a database of either backend (a file path or a URL), outside
    followup; the rows it returns, if any."""
    engine = create_engine(db if "://" in db else f"sqlite:///{db}")
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture
def whole_db(backend, db_path, dump) -> Callable[[], object]:
    """`whole_db()`: all the test's database holds, to compare before and after a command: on
    SQLite the file's full SQL text (schema, rows, AUTOINCREMENT counters); on PostgreSQL
    `dump()`, its tables, columns, indexes and rows."""
    if backend != "sqlite":
        return dump

    def read() -> list[str]:
        with closing(sqlite3.connect(db_path)) as con:
            return list(con.iterdump())

    return read


SEED_DAY = "2026-11-01"  # the clock while a fixture's commands build its database


def ok(run):
    assert run.exit_code == 0, run.stderr
    return run


def ids_by_name(cli) -> dict[str, int]:
    return {row["name"]: row["id"] for row in ok(cli("list", "--json")).json()}


def assert_one_error_line(run, code: int = 2) -> str:
    assert run.exit_code == code, (run.stdout, run.stderr)
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stderr.endswith("\n") and run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("Error: "), run.stderr
    return run.stderr


# ---------------------------------------------------------------- bad input


BAD_INPUT_SEED = [
    ["add", "Sue", "--first", "2026-11-02"],
    ["add", "Sue Chen", "--company", "Acme"],
    ["add", "Susan"],
    ["add", "陈素", "--company", "华为"],
    ["add", "陈素芳"],
    ["touch", "Sue", "--on", "2026-11-02"],  # Sue: one done follow-up, one open
    ["add", "Tom Wu"],
    ["sold", "Tom Wu", "--on", "2026-11-01"],
    ["ask", "Tom Wu", "--got", "1", "--on", "2026-11-01"],  # Tom Wu: a touch-free sale and an ask
]


@pytest.fixture
def seeded(seed, dump) -> dict[str, int]:
    """Sue, Sue Chen, Susan, 陈素, 陈素芳 (prospects) and Tom Wu (a customer); ids by name, and
    `done`/`open`: Sue's done and open follow-ups."""
    seed(BAD_INPUT_SEED, today=SEED_DAY)
    data = {
        table: [dict(zip(columns, row, strict=True)) for row in rows] for table, (columns, _, rows) in dump().items()
    }
    assert data["touch"]  # the copy really holds the seed
    ids = {c["name"]: c["id"] for c in data["contact"]}
    status = {f["status"]: f["id"] for f in data["followup"] if f["contact_id"] == ids["Sue"]}
    logged = {
        name: data[table][0]["id"] for name, table in (("touch", "touch"), ("sale", "sale"), ("ask", "referral_ask"))
    }
    return {**ids, "done": status["done"], "open": status["open"], **logged}


BAD_DATE = "YYYY-MM-DD"  # every date error names the accepted forms
AMBIGUOUS_SU = ["#{Sue} Sue", "#{Sue Chen} Sue Chen", "#{Susan} Susan"]
AMBIGUOUS_CHEN = ["#{陈素} 陈素", "#{陈素芳} 陈素芳"]
UNKNOWN = ["Nobody", "followup list"]
TIMED = "2026-11-20 15:30"

BAD_INPUT = [
    # add
    ("add-first-garbage", ["add", "New", "--first", "fribay"], ["fribay", BAD_DATE]),
    ("add-first-impossible", ["add", "New", "--first", "2026-02-30"], ["2026-02-30", BAD_DATE]),
    ("add-first-bad-time", ["add", "New", "--first", "2026-11-20 25:00"], ["--first", "invalid time of day"]),
    ("add-role", ["add", "New", "--role", "boss"], ["boss", "acceptor"]),
    ("add-level", ["add", "New", "--level", "friend"], ["friend", "acquaintance"]),
    ("add-phone-words", ["add", "New", "--phone", "call me"], ["--phone", "'call me'", "not a phone number"]),
    ("add-email-no-at", ["add", "New", "--email", "sue.acme.com"], ["--email", "not an e-mail address"]),
    ("add-birthday-month", ["add", "New", "--birthday", "13-01"], ["--birthday", "'13-01'", "MM-DD"]),
    ("add-birthday-words", ["add", "New", "--birthday", "Dec 3"], ["--birthday", "'Dec 3'", "MM-DD"]),
    # add-referral
    ("add-referral-ambiguous-referrer", ["add-referral", "New", "--from", "Su"], AMBIGUOUS_SU),
    ("add-referral-source", ["add-referral", "New", "--from", "Sue", "--source", "web"], ["web", "vendor"]),
    ("add-referral-on-garbage", ["add-referral", "New", "--from", "Sue", "--on", "fribay"], [BAD_DATE]),
    ("add-referral-first-impossible", ["add-referral", "New", "--from", "Sue", "--first", "2026-02-30"], [BAD_DATE]),
    ("add-referral-on-with-time", ["add-referral", "New", "--from", "Sue", "--on", TIMED], ["time of day"]),
    ("add-referral-self", ["add-referral", "Sue", "--from", "Sue"], ["themselves"]),
    ("add-referral-phone", ["add-referral", "New", "--from", "Sue", "--phone", "12"], ["--phone", "not a phone"]),
    (
        "add-referral-partner-other-source",
        ["add-referral", "New", "--from", "Sue", "--source", "vendor", "--partner", "Acme"],
        ["--partner", "vendor referral"],
    ),
    ("add-referral-partner-blank", ["add-referral", "New", "--from", "Sue", "--partner", " "], ["--partner"]),
    # touch
    ("touch-unknown", ["touch", "Nobody", "--on", "2026-11-03"], UNKNOWN),
    ("touch-unknown-id", ["touch", "#999", "--on", "2026-11-03"], ["#999"]),
    ("touch-ambiguous", ["touch", "Su", "--on", "2026-11-03"], AMBIGUOUS_SU),
    ("touch-ambiguous-chinese", ["touch", "陈", "--on", "2026-11-03"], AMBIGUOUS_CHEN),
    ("touch-on-garbage", ["touch", "Sue", "--on", "fribay"], ["fribay", BAD_DATE]),
    ("touch-on-impossible", ["touch", "Sue", "--on", "2026-02-30"], ["2026-02-30", BAD_DATE]),
    ("touch-via", ["touch", "Sue", "--via", "fax", "--on", "2026-11-03"], ["fax", "call"]),
    ("touch-outcome", ["touch", "Sue", "--outcome", "maybe", "--on", "2026-11-03"], ["maybe", "no-answer"]),
    ("touch-next-garbage", ["touch", "Sue", "--on", "2026-11-03", "--next", "fribay"], ["--next", BAD_DATE]),
    ("touch-next-bad-time", ["touch", "Sue", "--on", "2026-11-03", "--next", "fri 9:61"], ["--next", "invalid time"]),
    ("touch-purpose", ["touch", "Sue", "--purpose", "chat", "--on", "2026-11-03"], ["chat", "care"]),
    # schedule
    ("schedule-unknown", ["schedule", "Nobody", "2026-12-01"], UNKNOWN),
    ("schedule-ambiguous", ["schedule", "Su", "2026-12-01"], AMBIGUOUS_SU),
    ("schedule-garbage", ["schedule", "Sue", "fribay"], [BAD_DATE]),
    ("schedule-impossible", ["schedule", "Sue", "2026-02-30"], [BAD_DATE]),
    ("schedule-bad-time", ["schedule", "Sue", "2026-11-20 13pm"], ["invalid time of day"]),
    ("schedule-time-only", ["schedule", "Sue", "15:00"], ["time of day without a date"]),
    ("schedule-via", ["schedule", "Sue", "2026-12-01", "--via", "fax"], ["fax", "call"]),
    # done
    ("done-unknown-id", ["done", "999", "--on", "2026-11-03"], ["#999"]),
    ("done-already-done", ["done", "{done}", "--on", "2026-11-03"], ["#{done}", "already done"]),
    ("done-not-an-id", ["done", "abc"], ["abc", "#12"]),
    ("done-on-garbage", ["done", "{open}", "--on", "fribay"], [BAD_DATE]),
    ("done-on-impossible", ["done", "{open}", "--on", "2026-02-30"], [BAD_DATE]),
    ("done-purpose", ["done", "{open}", "--purpose", "pitch", "--goal", "a trial"], ["pitch", "care"]),
    # skip
    ("skip-unknown-id", ["skip", "999", "--on", "2026-11-03"], ["#999"]),
    ("skip-already-done", ["skip", "{done}", "--on", "2026-11-03"], ["#{done}", "already done"]),
    ("skip-on-garbage", ["skip", "{open}", "--on", "fribay"], [BAD_DATE]),
    ("skip-on-with-time", ["skip", "{open}", "--on", TIMED], ["time of day"]),
    # snooze
    ("snooze-unknown-id", ["snooze", "999", "2026-12-01"], ["#999"]),
    ("snooze-already-done", ["snooze", "{done}", "2026-12-01"], ["#{done}", "already done"]),
    ("snooze-garbage", ["snooze", "{open}", "fribay"], [BAD_DATE]),
    ("snooze-impossible", ["snooze", "{open}", "2026-02-30"], [BAD_DATE]),
    ("snooze-bad-time", ["snooze", "{open}", "2026-11-20 24:00"], ["invalid time of day"]),
    ("snooze-no-date", ["snooze", "{open}"], ["new due date"]),
    ("snooze-nothing", ["snooze"], ["ID DATE", "--overdue DATE"]),
    ("snooze-id-and-overdue", ["snooze", "{open}", "2026-12-01", "--overdue", "2026-12-01"], ["not both"]),
    ("snooze-overdue-per-day-zero", ["snooze", "--overdue", "2026-12-01", "--per-day", "0"], ["--per-day", "1 to"]),
    ("snooze-per-day-without-overdue", ["snooze", "{open}", "2026-12-01", "--per-day", "2"], ["--overdue"]),
    ("snooze-overdue-with-time", ["snooze", "--overdue", TIMED], ["--overdue", "time of day"]),
    ("snooze-overdue-in-the-past", ["snooze", "--overdue", "2026-11-01"], ["--overdue", "before today"]),
    # due
    ("due-on-garbage", ["due", "--on", "fribay"], [BAD_DATE]),
    ("due-on-impossible", ["due", "--on", "2026-02-30"], [BAD_DATE]),
    ("due-on-with-time", ["due", "--on", TIMED], ["time of day"]),
    ("due-days-negative", ["due", "--days", "-1"], ["--days"]),
    ("due-days-not-a-number", ["due", "--days", "many"], ["--days"]),
    # sold
    ("sold-unknown", ["sold", "Nobody", "--on", "2026-11-03"], UNKNOWN),
    ("sold-ambiguous", ["sold", "Su", "--on", "2026-11-03"], AMBIGUOUS_SU),
    ("sold-amount-word", ["sold", "Sue", "--amount", "abc", "--on", "2026-11-03"], ["abc", "1200"]),
    ("sold-amount-negative", ["sold", "Sue", "--amount", "-5", "--on", "2026-11-03"], ["-5", "1200"]),
    ("sold-amount-fraction", ["sold", "Sue", "--amount", "1.234", "--on", "2026-11-03"], ["1.234", "1200"]),
    ("sold-on-with-time", ["sold", "Sue", "--on", TIMED], ["time of day"]),
    ("sold-on-garbage", ["sold", "Sue", "--on", "fribay"], [BAD_DATE]),
    ("sold-on-impossible", ["sold", "Sue", "--on", "2026-02-30"], [BAD_DATE]),
    # complaint
    ("complaint-kind", ["complaint", "Tom Wu", "--kind", "rude"], ["--kind", "'rude'", "packaging", "skill"]),
    ("complaint-no-kind", ["complaint", "Tom Wu"], ["--kind", "missing-function"]),
    ("complaint-unknown", ["complaint", "Nobody", "--kind", "skill"], UNKNOWN),
    ("complaint-ambiguous", ["complaint", "Su", "--kind", "skill"], AMBIGUOUS_SU),
    ("complaint-on-garbage", ["complaint", "Tom Wu", "--kind", "skill", "--on", "fribay"], [BAD_DATE]),
    ("close-complaint-unknown", ["close-complaint", "99"], ["no complaint #99"]),
    # lost
    ("lost-unknown", ["lost", "Nobody", "--on", "2026-11-03"], UNKNOWN),
    ("lost-ambiguous", ["lost", "Su", "--on", "2026-11-03"], AMBIGUOUS_SU),
    ("lost-on-garbage", ["lost", "Sue", "--on", "fribay"], [BAD_DATE]),
    ("lost-on-with-time", ["lost", "Sue", "--on", TIMED], ["time of day"]),
    ("lost-a-customer", ["lost", "Tom Wu", "--on", "2026-11-03"], ["Tom Wu", "prospect"]),
    # list
    ("list-status", ["list", "--status", "gone"], ["gone", "prospect"]),
    # find
    ("find-empty", ["find", " "], ["find", "text to look for"]),
    ("find-status", ["find", "Sue", "--status", "gone"], ["gone", "prospect"]),
    ("find-no-text", ["find"], ["TEXT"]),
    # show
    ("show-unknown", ["show", "Nobody"], UNKNOWN),
    ("show-unknown-id", ["show", "#999"], ["#999"]),
    ("show-ambiguous", ["show", "Su"], AMBIGUOUS_SU),
    ("show-ambiguous-chinese", ["show", "陈"], AMBIGUOUS_CHEN),
    # edit
    ("edit-unknown", ["edit", "Nobody", "--phone", "1"], UNKNOWN),
    ("edit-ambiguous", ["edit", "Su", "--phone", "1"], AMBIGUOUS_SU),
    ("edit-role", ["edit", "Sue", "--role", "boss"], ["boss", "acceptor"]),
    ("edit-level", ["edit", "Sue", "--level", "friend"], ["friend", "acquaintance"]),
    ("edit-status", ["edit", "Sue", "--status", "gone"], ["gone", "prospect"]),
    ("edit-empty-name", ["edit", "Sue", "--name", " "], ["--name"]),
    ("edit-phone-label-only", ["edit", "Sue", "--phone", "mobile:"], ["--phone", "no phone number"]),
    ("edit-rm-phone-unknown", ["edit", "Sue", "--rm-phone", "138 0000 0000"], ["--rm-phone", "Sue's phones"]),
    ("edit-add-email-two-ats", ["edit", "Sue", "--add-email", "a@b@c"], ["--add-email", "e-mail address"]),
    ("edit-birthday-no-such-day", ["edit", "Sue", "--birthday", "02-30"], ["--birthday", "'02-30'", "no day 30"]),
    ("edit-on-without-a-change", ["edit", "Sue", "--note", "x", "--on", "2026-11-01"], ["--on", "--level"]),
    ("edit-on-garbage", ["edit", "Sue", "--level", "dating", "--on", "fribay"], ["--on", BAD_DATE]),
    # account
    ("account-unknown", ["account", "Globex"], ["'Globex'", "followup account"]),
    ("account-empty", ["account", " "], ["company name"]),
    # rm: --yes, so only the bad name stops it
    ("rm-unknown", ["rm", "Nobody", "--yes"], UNKNOWN),
    ("rm-unknown-id", ["rm", "#999", "--yes"], ["#999"]),
    ("rm-ambiguous", ["rm", "Su", "--yes"], AMBIGUOUS_SU),
    ("rm-ambiguous-chinese", ["rm", "陈", "--yes"], AMBIGUOUS_CHEN),
    # ask and stats
    ("ask-unknown", ["ask", "Nobody", "--got", "1"], UNKNOWN),
    ("ask-ambiguous", ["ask", "Su", "--got", "1"], AMBIGUOUS_SU),
    ("ask-got-negative", ["ask", "Sue", "--got", "-1"], ["--got"]),
    ("ask-on-garbage", ["ask", "Sue", "--on", "fribay"], [BAD_DATE]),
    ("stats-on-garbage", ["stats", "--on", "fribay"], [BAD_DATE]),
    ("stats-since-impossible", ["stats", "--since", "2026-02-30"], [BAD_DATE]),
    # announce
    ("announce-no-text", ["announce", " "], ["announce", "TEXT"]),
    ("announce-status-lost", ["announce", "news", "--status", "lost"], ["--status", "lost contacts are never told"]),
    ("announce-on-past", ["announce", "news", "--on", "2026-11-01"], ["--on", "before today"]),
    ("announce-on-garbage", ["announce", "news", "--on", "fribay"], ["--on", BAD_DATE]),
    ("announce-tag-empty", ["announce", "news", "--tag", " "], ["--tag"]),
    # export and calendar
    ("export-csv-all", ["export", "--format", "csv", "--what", "all"], ["csv holds one table", "--format json"]),
    ("export-no-folder", ["export", "-o", "/no/such/folder/x.json"], ["/no/such/folder", "does not exist"]),
    ("calendar-on-garbage", ["calendar", "--on", "fribay"], ["--on", BAD_DATE]),
    ("calendar-days-negative", ["calendar", "--days", "-1"], ["--days"]),
    # backup and check
    ("backup-no-folder", ["backup", "/no/such/folder/copy.db"], ["/no/such/folder"]),  # PostgreSQL: pg_dump
    ("check-unknown-option", ["check", "--repair"], ["--repair"]),
    # import: a missing file; a file with a bad row imports nothing without --skip-bad
    ("import-no-file", ["import", "/no/such/contacts.csv"], ["/no/such/contacts.csv", "does not exist"]),
    (
        "import-bad-row",
        ["import", str(Path(__file__).with_name("data") / "bad_rows.csv")],
        ["line 3", "not a phone number", "1 more", "--skip-bad"],
    ),
    # corrections: --yes, so only the bad input stops a deletion
    ("edit-touch-unknown-id", ["edit-touch", "999", "--note", "x"], ["#999", "followup show"]),
    ("edit-touch-not-an-id", ["edit-touch", "abc", "--note", "x"], ["abc", "#12"]),
    ("edit-touch-on-garbage", ["edit-touch", "{touch}", "--on", "fribay"], ["--on", BAD_DATE]),
    ("edit-touch-outcome", ["edit-touch", "{touch}", "--outcome", "maybe"], ["maybe", "no-answer"]),
    ("edit-touch-via", ["edit-touch", "{touch}", "--via", "fax"], ["fax", "call"]),
    ("rm-touch-unknown-id", ["rm-touch", "#999", "--yes"], ["#999"]),
    ("rm-touch-not-an-id", ["rm-touch", "1.5", "--yes"], ["1.5", "#12"]),
    ("edit-sale-unknown-id", ["edit-sale", "999", "--amount", "5"], ["#999"]),
    ("edit-sale-amount", ["edit-sale", "{sale}", "--amount", "abc"], ["abc", "1200"]),
    ("edit-sale-on-with-time", ["edit-sale", "{sale}", "--on", TIMED], ["time of day"]),
    ("rm-sale-unknown-id", ["rm-sale", "999", "--yes"], ["#999"]),
    ("edit-ask-unknown-id", ["edit-ask", "999", "--got", "1"], ["#999"]),
    ("edit-ask-got-negative", ["edit-ask", "{ask}", "--got", "-1"], ["--got"]),
    ("edit-ask-on-impossible", ["edit-ask", "{ask}", "--on", "2026-02-30"], [BAD_DATE]),
    ("rm-ask-unknown-id", ["rm-ask", "#999", "--yes"], ["#999"]),
    ("merge-itself", ["merge", "Sue", "#{Sue}", "--yes"], ["#{Sue}", "twice"]),
    ("merge-ambiguous", ["merge", "Su", "Sue", "--yes"], AMBIGUOUS_SU),
    ("merge-unknown", ["merge", "Sue", "Nobody", "--yes"], UNKNOWN),
    # the lead exchange: gave-lead, lead-won, exchange
    ("gave-lead-unknown", ["gave-lead", "Acme", "Nobody"], UNKNOWN),
    ("gave-lead-ambiguous", ["gave-lead", "Acme", "Su"], AMBIGUOUS_SU),
    ("gave-lead-blank-partner", ["gave-lead", " ", "Sue"], ["PARTNER", "partner company's name"]),
    ("gave-lead-on-garbage", ["gave-lead", "Acme", "Sue", "--on", "fribay"], ["--on", BAD_DATE]),
    ("lead-won-unknown-id", ["lead-won", "999"], ["no lead #999"]),
    ("lead-won-not-an-id", ["lead-won", "abc"], ["abc", "#12"]),
    ("lead-won-amount", ["lead-won", "1", "--amount", "abc"], ["abc", "1200"]),
    ("exchange-unknown-partner", ["exchange", "Initech"], ["Initech", "none yet"]),
    # config (the settings file; tests/test_config_command.py proves the file is left as it was)
    ("config-set-unknown-key", ["config", "set", "cadence.gaps", "3"], ["cadence.gaps", "cadence.prospect_gaps"]),
    ("config-set-negative-rows", ["config", "set", "due.max_rows", "-1"], ["due.max_rows", "0 to"]),
    ("config-set-channel", ["config", "set", "touch.default_channel", "fax"], ["touch.default_channel", "visit"]),
    ("config-set-gaps", ["config", "set", "cadence.prospect_gaps", "1,x,3"], ["cadence.prospect_gaps", "whole"]),
    ("config-unset-unknown-key", ["config", "unset", "colour"], ["colour", "due.max_rows"]),
    ("config-unknown-command", ["config", "show"], ["show"]),
]


def test_bad_input_table_covers_every_command():
    assert set(COMMANDS) >= SPEC_COMMANDS
    assert {args[0] for _, args, _ in BAD_INPUT} == set(COMMANDS)


@pytest.mark.parametrize(("args", "expected"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(cli, whole_db, seeded, args, expected):
    ids = seeded
    before = whole_db()

    run = cli(*[a.format(**ids) for a in args], today="2026-11-05")

    message = assert_one_error_line(run)
    assert run.stdout == ""
    for fragment in expected:
        assert fragment.format(**ids) in message
    assert whole_db() == before


# ---------------------------------------------------------------- unexpected failures


@pytest.fixture
def broken_db(cli, db_url, backend) -> None:
    """A database whose followup table was dropped behind followup's back: every `due` fails."""
    ok(cli("add", "Sue", "--first", "2026-11-02"))
    # PostgreSQL refuses to drop a table another one refers to (complaint.followup_id) without CASCADE
    sql(db_url, "DROP TABLE followup" + (" CASCADE" if backend == "postgresql" else ""))


# what each database says about the dropped table
MISSING_TABLE = {"sqlite": "no such table: followup", "postgresql": 'relation "followup" does not exist'}


def test_unexpected_failure_exits_1_in_one_line_pointing_at_debug(cli, backend, broken_db):
    run = cli("due", "--on", "2026-11-05")
    message = assert_one_error_line(run, code=1)
    assert "--debug" in message
    assert MISSING_TABLE[backend] in message  # says what went wrong


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--debug", "due", "--on", "2026-11-05"], {}), (["due", "--on", "2026-11-05"], {"FOLLOWUP_DEBUG": "1"})],
    ids=["--debug", "FOLLOWUP_DEBUG=1"],
)
def test_unexpected_failure_shows_the_traceback_when_debugging(cli, broken_db, args, env):
    run = cli(*args, env=env)
    assert run.exit_code == 1
    assert "Traceback (most recent call last)" in run.stderr
    assert run.stderr.splitlines()[-1].startswith("Error: unexpected failure")
    assert "--debug for the details" not in run.stderr


@pytest.mark.backends("sqlite")  # a --db file path is always a SQLite file
def test_db_that_is_not_sqlite_fails_in_one_line_and_is_left_untouched(cli, tmp_path):
    # Today this exits 1 ("unexpected failure"); a --db that is not a database is arguably a
    # wrong argument (exit 2). Either way: one line, no traceback, and the file is not modified.
    notes = tmp_path / "notes.txt"
    notes.write_text("Call Sue on Friday about the Acme order.\n" * 20, encoding="utf-8")
    before = notes.read_bytes()
    run = cli("--db", str(notes), "add", "Sue")
    assert run.exit_code in (1, 2)
    assert_one_error_line(run, code=run.exit_code)
    assert notes.read_bytes() == before
    assert not list(tmp_path.glob("notes.txt-*"))  # no -wal / -shm left beside it


@pytest.mark.backends("sqlite")  # a --db file path is always a SQLite file
def test_db_in_a_missing_folder_is_a_user_error(cli, tmp_path):
    run = cli("--db", str(tmp_path / "nowhere" / "x.db"), "add", "Sue")
    assert "nowhere" in assert_one_error_line(run)
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.backends("sqlite")  # the URL is refused before any database is opened
def test_db_url_with_an_unknown_dialect_is_a_user_error(cli):
    assert "--db" in assert_one_error_line(cli("--db", "nosuchdb://x/y", "list"))


# ---------------------------------------------------------------- naming contacts


@pytest.fixture
def people(seed, db_url) -> dict[str, int]:
    names = ("Sue", "Sue Chen", "Susan", "陈素", "陈素芳", "Bob Li")
    seed([["add", name] for name in names], today=SEED_DAY)
    return dict(sql(db_url, "SELECT name, id FROM contact"))


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("#3", "Susan"),
        ("3", "Susan"),
        ("Sue", "Sue"),  # exact name wins over 'Sue Chen', which contains it
        ("sue", "Sue"),  # exact, case-insensitive
        ("Sue Chen", "Sue Chen"),
        ("  sue   CHEN ", "Sue Chen"),
        ("SUSAN", "Susan"),
        ("san", "Susan"),  # unique substring
        ("chen", "Sue Chen"),
        ("bob", "Bob Li"),
        ("陈素", "陈素"),  # exact wins over 陈素芳
        ("素芳", "陈素芳"),
        ("芳", "陈素芳"),
    ],
)
def test_contact_is_named_by_id_name_or_unique_part(cli, people, ref, expected):
    assert people["Susan"] == 3  # the '#3' and '3' rows rely on the order of adding
    assert ok(cli("show", ref, "--json")).json()["contact"]["name"] == expected


def test_touch_by_exact_name_touches_that_contact_not_the_longer_name(cli, people):
    ok(cli("touch", "Sue", "--on", "2026-11-03"))
    touches = {row["name"]: row["touches"] for row in ok(cli("list", "--json")).json()}
    assert touches["Sue"] == 1 and touches["Sue Chen"] == 0


@pytest.mark.parametrize(
    ("ref", "candidates"),
    [("Su", ["Sue", "Sue Chen", "Susan"]), ("陈", ["陈素", "陈素芳"]), ("N", ["Sue Chen", "Susan"])],
)
def test_ambiguous_name_lists_every_candidate_with_its_id(cli, people, ref, candidates):
    message = assert_one_error_line(cli("show", ref))
    for name in candidates:
        assert f"#{people[name]} {name}" in message
    for name in set(people) - set(candidates):
        assert f"#{people[name]} " not in message


def test_two_contacts_with_the_same_name_are_ambiguous_until_named_by_id(cli):
    ok(cli("add", "Li Na", "--company", "Acme"))
    run = ok(cli("add", "Li Na", "--company", "Globex"))
    assert "#1" in run.stderr  # the namesake is pointed out when adding
    message = assert_one_error_line(cli("touch", "Li Na", "--on", "2026-11-03"))
    assert "#1 Li Na (Acme)" in message and "#2 Li Na (Globex)" in message
    ok(cli("touch", "#2", "--on", "2026-11-03"))
    assert [row["touches"] for row in ok(cli("list", "--json")).json()] == [0, 1]


# ---------------------------------------------------------------- tables line up

BOX = set("┏┳┓┃┡╇┩│└┴┘")


def tables(text: str) -> list[list[str]]:
    """The lines of each Rich table in `text`, from its top border to its bottom border."""
    found, current = [], None
    for line in text.splitlines():
        if line.startswith("┏"):
            current = [line]
        elif current is not None:
            current.append(line)
            if line.startswith("└"):
                found.append(current)
                current = None
    return found


def bar_positions(line: str) -> list[int]:
    positions, column = [], 0
    for char in line:
        if char in BOX:
            positions.append(column)
        column += cell_len(char)
    return positions


def assert_aligned(table: list[str]) -> None:
    widths = {cell_len(line) for line in table}
    assert len(widths) == 1, "\n".join(table)
    positions = {tuple(bar_positions(line)) for line in table}
    assert len(positions) == 1, "\n".join(table)


@pytest.fixture
def mixed_names(seed):
    seed(
        [
            ["add", "陈素", "--company", "华为技术", "--first", "2026-11-05"],
            ["add", "Sue Chen", "--company", "Acme", "--first", "2026-11-05"],
            ["add-referral", "欧阳娜娜", "--from", "陈素", "--company", "小米", "--on", "2026-11-04"],
            ["add-referral", "Li Na", "--from", "Sue Chen", "--on", "2026-11-06"],
            ["add", "王小明"],  # no next step
        ],
        today=SEED_DAY,
    )


@pytest.mark.parametrize("columns", ["200", "80", "60"])
@pytest.mark.parametrize(
    "args", [["list"], ["due", "--on", "2026-11-05", "--days", "3"], ["show", "陈素"]], ids=["list", "due", "show"]
)
def test_chinese_and_latin_names_line_up_in_tables(cli, mixed_names, args, columns):
    out = ok(cli(*args, env={"COLUMNS": columns})).stdout
    found = tables(out)
    assert found, out
    for table in found:
        assert_aligned(table)
        # the whole table fits the screen: nothing cropped at the right
        assert cell_len(table[0]) <= int(columns) and table[0].endswith("┓"), "\n".join(table)
        assert all(line[-1] in "┓┃┩│┘" for line in table), "\n".join(table)
    if args[0] == "due":
        assert len(found) == 3  # due, coming up, no next step
        assert "late" in found[0][1] and "due" in found[1][1]  # the last column survives a narrow screen
    if columns != "60":  # on 60 columns long names may be shortened with "…"
        body = "\n".join(line for table in found for line in table)
        names = ("陈素", "欧阳娜娜") if args[0] == "show" else ("陈素", "欧阳娜娜", "Sue Chen", "Li Na", "王小明")
        assert all(name in body for name in names), body


def test_alignment_check_catches_a_misplaced_bar():
    good = ["┏━━┳━━┓", "┃ a┃ b┃", "└──┴──┘"]
    assert_aligned(good)
    with pytest.raises(AssertionError):
        assert_aligned(["┏━━┳━━┓", "┃ 陈┃ b┃", "└──┴──┘"])


# ---------------------------------------------------------------- JSON


@pytest.fixture
def morning(seed) -> None:
    """One morning, 2026-11-10, with one follow-up of every kind due today and three overdue.

    The yearly check-in is set to one month so that a check-in falls due on the same day.
    """
    commands = [
        ["add", "Old Kim", "--company", "Kim Foods"],
        ["sold", "Old Kim", "--on", "2026-10-10"],  # 2-4-8 on 10-12/14/18 (overdue), check-in 11-10
        [
            "add-referral",
            "Li Na",
            "--from",
            "Tom Wu",
            "--on",
            "2026-11-01",
        ],  # Tom's coach task: cancelled when Li Na buys
        ["sold", "Li Na", "--on", "2026-11-10"],  # thank Tom 11-10; Li Na's 2-4-8 from 11-12
        ["add", "Ann Ma"],
        ["sold", "Ann Ma", "--on", "2026-11-08"],  # post_sale_2 11-10, post_sale_4 11-12
        ["add-referral", "Sue Chen", "--from", "Bob Li", "--company", "Acme", "--on", "2026-11-10"],
        ["add", "陈素芳", "--first", "2026-11-10"],
        ["add", "Max Wei"],
        ["schedule", "Max Wei", "2026-11-10", "--what", "call after the budget meeting"],
        ["add", "Ann Lee"],  # nothing scheduled
    ]
    seed(commands, config="[cadence]\ncheckin_months = 1\n", today=SEED_DAY)


def test_due_json_has_exactly_the_documented_keys(cli, morning):
    report = ok(cli("due", "--on", "2026-11-10", "--days", "2", "--json")).json()
    assert set(report) == {"date", "due", "upcoming", "no_next_step"}
    assert report["date"] == "2026-11-10"
    for item in report["due"] + report["upcoming"]:
        assert set(item) == DUE_ITEM_KEYS
    for item in report["no_next_step"]:
        assert set(item) == NO_NEXT_STEP_KEYS
    assert report["no_next_step"] == [
        {
            "contact_id": ids_by_name(cli)["Ann Lee"],
            "contact": "Ann Lee",
            "status": "prospect",
            "touches": 0,
            "hint": None,
        }
    ]


def test_due_lists_overdue_first_then_by_kind(cli, morning):
    report = ok(cli("due", "--on", "2026-11-10", "--json")).json()
    got = [(i["contact"], i["kind"], i["overdue_days"]) for i in report["due"]]
    assert got == [
        ("Old Kim", "post_sale_2", 29),
        ("Old Kim", "post_sale_4", 27),
        ("Old Kim", "post_sale_8", 23),
        ("Ann Ma", "post_sale_2", 0),
        ("Bob Li", "coach", 0),
        ("Tom Wu", "thank_referrer", 0),
        ("Sue Chen", "touch", 0),
        ("陈素芳", "touch", 0),
        ("Max Wei", "manual", 0),
        ("Old Kim", "checkin", 0),
    ]
    assert report["upcoming"] == []


def test_due_item_values(cli, morning):
    ids = ids_by_name(cli)
    report = ok(cli("due", "--on", "2026-11-10", "--json")).json()
    sue = next(i for i in report["due"] if i["contact"] == "Sue Chen")
    assert sue == {
        "id": sue["id"],
        "contact_id": ids["Sue Chen"],
        "contact": "Sue Chen",
        "company": "Acme",
        "due": "2026-11-10",
        "time": None,
        "kind": "touch",
        "action": "call",
        "reason": "referral touch 1 of 12",
        "touches": 0,
        "referrer": "Bob Li",
        "overdue_days": 0,
        "phone": None,
        "email": None,
        "asked_for": False,
        "hint": None,
    }
    kim = next(i for i in report["due"] if i["kind"] == "post_sale_8")
    assert (kim["due"], kim["action"], kim["company"], kim["referrer"]) == ("2026-10-18", "visit", "Kim Foods", None)
    assert "day 8" in kim["reason"]
    thank = next(i for i in report["due"] if i["kind"] == "thank_referrer")
    assert "Li Na" in thank["reason"] and thank["contact_id"] == ids["Tom Wu"]


@pytest.mark.parametrize(
    ("days", "upcoming"),
    [
        ("0", []),
        ("1", []),
        ("2", [("Li Na", "post_sale_2", "2026-11-12"), ("Ann Ma", "post_sale_4", "2026-11-12")]),
        (
            "6",
            [
                ("Li Na", "post_sale_2", "2026-11-12"),
                ("Ann Ma", "post_sale_4", "2026-11-12"),
                ("Li Na", "post_sale_4", "2026-11-14"),
                ("Ann Ma", "post_sale_8", "2026-11-16"),
            ],
        ),
    ],
)
def test_due_days_adds_the_next_n_days(cli, morning, days, upcoming):
    report = ok(cli("due", "--on", "2026-11-10", "--days", days, "--json")).json()
    assert [(i["contact"], i["kind"], i["due"]) for i in report["upcoming"]] == upcoming
    assert all(i["overdue_days"] == 0 for i in report["upcoming"])
    assert len(report["due"]) == 10  # the next days never change what is due now


def test_due_table_has_the_sections_and_a_footer(cli, morning):
    out = ok(cli("due", "--on", "2026-11-10", "--days", "2")).stdout
    titles = [line.strip() for line in out.splitlines() if line.startswith(("Due ", "Coming up", "No next step"))]
    assert len(titles) == 3
    assert titles[0] == "Due 2026-11-10" and titles[1].startswith("Coming up") and titles[2] == "No next step"
    assert "3 overdue, 7 due today, 2 coming up, 1 with no next step." in out


def test_due_says_so_in_one_line_when_nothing_is_due(cli):
    out = ok(cli("due", "--on", "2026-11-10")).stdout
    assert "Nothing due" in out.splitlines()[0]
    assert "┏" not in out


def test_list_json_keys_and_values(cli):
    ok(cli("add-referral", "Sue Chen", "--from", "Bob Li", "--company", "Acme", "--on", "2026-11-02"))
    ok(cli("touch", "Sue Chen", "--on", "2026-11-02 15:30"))
    ok(cli("touch", "Sue Chen", "--on", "2026-11-03"))
    ok(cli("add", "Stop Me", "--first", "2026-11-04"))
    ok(cli("touch", "Stop Me", "--on", "2026-11-04", "--outcome", "stop"))
    rows = ok(cli("list", "--json")).json()
    assert all(set(row) == LIST_KEYS for row in rows)
    by_name = {row["name"]: row for row in rows}
    assert by_name["Sue Chen"] == {
        "id": by_name["Sue Chen"]["id"],
        "name": "Sue Chen",
        "company": "Acme",
        "status": "prospect",
        "touches": 2,
        "last_touch": "2026-11-03",
        "next_due": "2026-11-05",  # touch 3 after a gap of 2 days
        "referrer": "Bob Li",
        "do_not_contact": False,
    }
    assert by_name["Bob Li"]["next_due"] == "2026-11-02"  # the coach task
    assert by_name["Stop Me"]["do_not_contact"] is True
    assert by_name["Stop Me"]["next_due"] is None


def test_show_json_tells_the_whole_story(cli):
    ok(cli("add-referral", "Bob Li", "--from", "Ann Ma", "--source", "vendor", "--on", "2026-10-01"))
    ok(cli("add-referral", "Sue Chen", "--from", "Bob Li", "--source", "customer", "--on", "2026-11-02"))
    ok(cli("edit", "Sue Chen", "--company", "Acme", "--phone", "+86 138", "--role", "power", "--tag", "vip"))
    ok(cli("touch", "Sue Chen", "--on", "2026-11-02 15:30", "--via", "visit", "--goal", "meet the boss"))
    ok(cli("touch", "Sue Chen", "--on", "2026-11-03", "--outcome", "committed"))
    ok(cli("sold", "Sue Chen", "--on", "2026-11-05", "--product", "Model X", "--amount", "1,200.50"))
    detail = ok(cli("show", "Sue Chen", "--json")).json()

    assert {"contact", "referral_chain", "touches", "followups", "sales"} <= set(detail)
    c = detail["contact"]
    assert (c["name"], c["company"], c["phone"], c["role"], c["tags"], c["status"]) == (
        "Sue Chen",
        "Acme",
        "+86 138",
        "power",
        ["vip"],
        "customer",
    )
    assert [(step["name"], step["source"], step["date"]) for step in detail["referral_chain"]] == [
        ("Bob Li", "customer", "2026-11-02"),
        ("Ann Ma", "vendor", "2026-10-01"),
    ]
    touches = detail["touches"]
    assert [(t["n"], t["date"], t["time"], t["via"]) for t in touches] == [
        (1, "2026-11-02", "15:30", "visit"),
        (2, "2026-11-03", None, "call"),
    ]
    assert touches[0]["goal"] == "meet the boss" and touches[1]["outcome"] == "committed"
    assert [(s["date"], s["product"], s["amount"]) for s in detail["sales"]] == [("2026-11-05", "Model X", 1200.5)]
    statuses = [(f["kind"], f["due"], f["status"]) for f in detail["followups"]]
    assert statuses == [
        ("touch", "2026-11-02", "done"),
        ("touch", "2026-11-03", "done"),
        ("touch", "2026-11-05", "cancelled"),  # the sale ends the cadence
        ("post_sale_2", "2026-11-07", "open"),
        ("post_sale_4", "2026-11-09", "open"),
        ("post_sale_8", "2026-11-13", "open"),
        ("checkin", "2027-11-05", "open"),
    ]


def test_show_table_gives_the_touch_count_and_the_referral_chain(cli):
    ok(cli("add-referral", "陈素芳", "--from", "Bob Li", "--on", "2026-11-02"))
    for day in ("2026-11-02", "2026-11-03", "2026-11-05"):
        ok(cli("touch", "素芳", "--on", day))
    out = ok(cli("show", "素芳")).stdout
    assert "touches: 3" in out
    assert "Bob Li" in out
    for table in tables(out):
        assert_aligned(table)


# ---------------------------------------------------------------- list filters


@pytest.fixture
def every_status(seed):
    commands = [
        ["add", "Pam Prospect", "--tag", "vip", "--tag", "north"],
        ["add", "Cal Customer", "--tag", "VIP"],
        ["sold", "Cal Customer", "--on", "2026-11-01"],
        ["add", "Rae Repeat", "--tag", "south"],
        ["sold", "Rae Repeat", "--on", "2026-10-01"],
        ["sold", "Rae Repeat", "--on", "2026-11-01"],
        ["add", "Lou Lost", "--tag", "vip,south"],
        ["lost", "Lou Lost", "--on", "2026-11-02"],
    ]
    seed(commands, today=SEED_DAY)


@pytest.mark.parametrize(
    ("status", "names"),
    [
        ("prospect", ["Pam Prospect"]),
        ("customer", ["Cal Customer", "Rae Repeat"]),  # customer includes repeat customers
        ("repeat", ["Rae Repeat"]),
        ("lost", ["Lou Lost"]),
        ("all", ["Pam Prospect", "Cal Customer", "Rae Repeat", "Lou Lost"]),
        ("CUSTOMER", ["Cal Customer", "Rae Repeat"]),
    ],
)
def test_list_status_filter(cli, every_status, status, names):
    assert [r["name"] for r in ok(cli("list", "--status", status, "--json")).json()] == names


def test_list_without_status_lists_everyone(cli, every_status):
    rows = ok(cli("list", "--json")).json()
    assert [(r["name"], r["status"]) for r in rows] == [
        ("Pam Prospect", "prospect"),
        ("Cal Customer", "customer"),
        ("Rae Repeat", "repeat"),
        ("Lou Lost", "lost"),
    ]


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--tag", "vip"], ["Pam Prospect", "Cal Customer", "Lou Lost"]),
        (["--tag", "south"], ["Rae Repeat", "Lou Lost"]),
        (["--tag", "vi"], []),  # a tag is matched whole, not as a part
        (["--tag", "vip", "--status", "customer"], ["Cal Customer"]),
        (["--tag", "south", "--status", "lost"], ["Lou Lost"]),
    ],
)
def test_list_tag_filter(cli, every_status, args, names):
    assert [r["name"] for r in ok(cli("list", *args, "--json")).json()] == names


def test_list_table_says_so_when_nothing_matches(cli, every_status):
    assert "No contacts match" in ok(cli("list", "--tag", "east")).stdout


# ---------------------------------------------------------------- rm


@pytest.fixture
def referral(seed, db_url) -> dict[str, int]:
    """Bob Li referred Sue Chen; Keep Me is an unrelated prospect with a touch."""
    commands = [
        ["add-referral", "Sue Chen", "--from", "Bob Li", "--source", "vendor", "--on", "2026-11-02"],
        ["add", "Keep Me", "--first", "2026-11-02"],
        ["touch", "Keep Me", "--on", "2026-11-02"],
    ]
    seed(commands, today=SEED_DAY)
    return dict(sql(db_url, "SELECT name, id FROM contact"))


def test_rm_asks_and_no_keeps_everything(cli, whole_db, referral):
    before = whole_db()
    run = cli("rm", "Bob Li", input="n\n")
    assert run.exit_code == 0  # declining is an answer, not a failure
    assert "nothing deleted" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert "Bob Li" in run.stderr  # the question names who would go
    assert whole_db() == before


def test_rm_asks_and_yes_deletes(cli, referral):
    run = cli("rm", "Bob Li", input="y\n")
    assert run.exit_code == 0, run.stderr
    assert "Bob Li" not in ids_by_name(cli)


def test_rm_yes_does_not_ask(cli, referral):
    run = cli("rm", "Keep Me", "--yes")  # no input: a question would abort
    assert run.exit_code == 0, run.stderr
    assert "Keep Me" not in ids_by_name(cli)


def test_rm_referrer_keeps_the_referral_of_the_people_they_referred(cli, db_url, referral):
    ok(cli("rm", "Bob Li", "--yes"))

    row = next(r for r in ok(cli("list", "--json")).json() if r["name"] == "Sue Chen")
    assert row["referrer"] == "Bob Li"
    detail = ok(cli("show", "Sue Chen", "--json")).json()
    assert [(s["id"], s["name"], s["source"], s["date"]) for s in detail["referral_chain"]] == [
        (None, "Bob Li", "vendor", "2026-11-02")
    ]
    assert sql(db_url, "SELECT referrer_name, source FROM referral") == [("Bob Li", "vendor")]

    due = ok(cli("due", "--on", "2026-11-02", "--json")).json()
    assert [(i["contact"], i["kind"], i["referrer"]) for i in due["due"]] == [
        ("Sue Chen", "touch", "Bob Li"),  # Bob's coach task went with him
    ]
    # still a referred prospect: the cadence keeps calling her touches referral touches
    ok(cli("touch", "Sue Chen", "--on", "2026-11-02"))
    nxt = next(i for i in ok(cli("due", "--on", "2026-11-03", "--json")).json()["due"] if i["contact"] == "Sue Chen")
    assert nxt["reason"] == "referral touch 2 of 12"
    # and a sale still works, with nobody left to thank
    ok(cli("sold", "Sue Chen", "--on", "2026-11-04"))
    kinds = {i["kind"] for i in ok(cli("due", "--on", "2026-11-04", "--days", "30", "--json")).json()["upcoming"]}
    assert "thank_referrer" not in kinds and "post_sale_2" in kinds


def test_rm_prospect_removes_its_touches_followups_and_sales(cli, db_url, referral):
    ok(cli("touch", "Sue Chen", "--on", "2026-11-02"))
    ok(cli("sold", "Sue Chen", "--on", "2026-11-03", "--amount", "100"))
    sue, keep = referral["Sue Chen"], referral["Keep Me"]

    def count(table, column, cid):
        [(n,)] = sql(db_url, f"SELECT count(*) FROM {table} WHERE {column} = :cid", cid=cid)
        return n

    kept_before = {t: count(t, "contact_id", keep) for t in ("touch", "followup")}
    assert all(count(t, "contact_id", sue) for t in ("touch", "followup", "sale"))
    assert count("referral", "prospect_id", sue) == 1

    ok(cli("rm", "Sue Chen", "--yes"))

    assert [count(t, "contact_id", sue) for t in ("touch", "followup", "sale")] == [0, 0, 0]
    assert count("referral", "prospect_id", sue) == 0
    assert {t: count(t, "contact_id", keep) for t in ("touch", "followup")} == kept_before
    # Bob's tasks about Sue (coach, thank-you) are no longer on the list
    due = ok(cli("due", "--on", "2026-11-05", "--json")).json()
    assert [i["contact"] for i in due["due"]] == ["Keep Me"]


# ---------------------------------------------------------------- help, version, no command


@pytest.mark.backends("sqlite")  # help opens no database on any backend: see test_help_and_version_need_no_...
def test_root_help_lists_every_command_with_a_one_line_description(cli):
    out = ok(cli("--help")).stdout
    for command in COMMANDS:
        match = re.search(rf"^│ {re.escape(command)} +(\S.*?) *│$", out, re.MULTILINE)
        assert match, f"{command} missing from followup --help"
        assert len(match[1]) > 15


@pytest.mark.backends("sqlite")  # help opens no database on any backend; on SQLite the file shows it
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(cli, db_path, command):
    run = cli(command, "--help")
    assert run.exit_code == 0, run.stderr
    assert f"Usage: followup {command}" in run.stdout
    examples = [line.strip() for line in run.stdout.splitlines() if line.strip().startswith("Example:")]
    assert examples and examples[0].startswith(f"Example: followup {command} "), run.stdout
    assert not db_path.exists()  # help needs no database


def test_help_and_version_need_no_postgresql_server_either(invoke):
    env = {"FOLLOWUP_DB": "postgresql+psycopg://followup@127.0.0.1:1/followup"}  # nothing listens on port 1
    assert "cannot open" in assert_one_error_line(invoke(["list"], env=env))  # control: that database is unusable
    for args in (["--help"], ["--version"], *([command, "--help"] for command in COMMANDS)):
        run = invoke(args, env=env)
        assert (run.exit_code, run.stderr) == (0, ""), args


@pytest.mark.backends("sqlite")  # --version opens no database on any backend: see the test above
def test_version(cli):
    run = ok(cli("--version"))
    assert run.stdout == f"followup {__version__}\n"


def test_no_command_prints_the_due_list(cli):
    ok(cli("add-referral", "Sue Chen", "--from", "Bob Li", "--on", "2026-11-02"))
    bare = ok(cli(today="2026-11-04"))
    assert "Sue Chen" in bare.stdout and "2d" in bare.stdout
    assert bare.stdout == ok(cli("due", today="2026-11-04")).stdout


# ---------------------------------------------------------------- where the database lives


def names_in(db: str | Path) -> list[str]:
    return [name for (name,) in sql(str(db), "SELECT name FROM contact ORDER BY id")]


@pytest.fixture
def other_db(backend, tmp_path, request) -> str:
    """A second database beside the test's own: a SQLite file not yet made, or a PostgreSQL
    database."""
    if backend == "sqlite":
        return str(tmp_path / "other.db")
    server = request.getfixturevalue("postgres")
    name = server.create_database()
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


def test_followup_db_env_names_the_database(cli, db_url):
    ok(cli("add", "Sue"))
    assert names_in(db_url) == ["Sue"]


def test_db_option_wins_over_followup_db(cli, backend, db_url, db_path, other_db):
    ok(cli("--db", other_db, "add", "Sue"))
    assert names_in(other_db) == ["Sue"]
    if backend == "sqlite":
        assert not db_path.exists()  # FOLLOWUP_DB's file was not even made
    else:
        assert names_in(db_url) == []
    assert [r["name"] for r in ok(cli("--db", other_db, "list", "--json")).json()] == ["Sue"]


@pytest.mark.backends("sqlite")  # a sqlite:/// URL
@pytest.mark.parametrize("how", ["option", "env"])
def test_sqlite_url_is_used_as_a_url(cli, db_path, tmp_path, how):
    target = tmp_path / "by-url.db"
    url = f"sqlite:///{target}"
    if how == "option":
        ok(cli("--db", url, "add", "Sue"))
    else:
        ok(cli("add", "Sue", env={"FOLLOWUP_DB": url}))
    assert names_in(target) == ["Sue"]
    assert not db_path.exists()


@pytest.mark.backends("sqlite")  # the default database is a SQLite file
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG data directory is the Linux default")
@pytest.mark.parametrize("unset", [None, ""], ids=["unset", "empty"])
def test_default_database_is_created_in_the_xdg_data_dir(cli, db_path, tmp_path, unset):
    default = tmp_path / "xdg-data" / "followup" / "followup.db"
    assert os.environ["XDG_DATA_HOME"] == str(tmp_path / "xdg-data")
    assert not default.parent.exists()
    ok(cli("add", "Sue", env={"FOLLOWUP_DB": unset}))
    assert names_in(default) == ["Sue"]
    assert not db_path.exists()
    assert [r["name"] for r in ok(cli("list", "--json", env={"FOLLOWUP_DB": unset})).json()] == ["Sue"]


# ---------------------------------------------------------------- colour

ESCAPE = re.compile(r"\x1b\[([0-9;]*)m")


def colour_codes(text: str) -> list[str]:
    """The SGR sequences in `text` that set a colour (bold and dim are not colours)."""
    found = []
    for params in ESCAPE.findall(text):
        numbers = [int(p) for p in params.split(";") if p]
        if any(30 <= n <= 49 or 90 <= n <= 107 for n in numbers):
            found.append(params)
    return found


@pytest.fixture
def colourful(seed):
    """Output that is coloured on a terminal: an overdue item (red), one due today (green), a stop."""
    commands = [
        ["add-referral", "Sue Chen", "--from", "Bob Li", "--on", "2026-11-02"],
        ["add", "陈素", "--first", "2026-11-04"],
        ["add", "Stop Me", "--first", "2026-11-04"],
        ["touch", "Stop Me", "--on", "2026-11-03", "--outcome", "stop"],
    ]
    seed(commands, today=SEED_DAY)


@pytest.mark.parametrize("args", [["due", "--on", "2026-11-04"], ["list"], ["show", "Sue Chen"], ["touch", "Nobody"]])
@pytest.mark.parametrize("no_color", ["1", None], ids=["NO_COLOR", "no NO_COLOR"])
def test_no_escape_codes_when_not_a_terminal(cli, colourful, args, no_color):
    run = cli(*args, env={"NO_COLOR": no_color})
    assert run.stdout or run.stderr
    assert "\x1b" not in run.stdout + run.stderr


@pytest.mark.parametrize("args", [["due", "--on", "2026-11-04"], ["list"]])
def test_no_color_holds_on_a_terminal(cli, colourful, args):
    # FORCE_COLOR makes Rich treat the output as a terminal; the control run shows it would colour
    coloured = cli(*args, env={"NO_COLOR": None, "FORCE_COLOR": "1"}).stdout
    assert colour_codes(coloured)
    plain = cli(*args, env={"NO_COLOR": "1", "FORCE_COLOR": "1"}).stdout
    assert colour_codes(plain) == []


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> bytes:
    """Run `python -m followup ARGS` with stdout and stderr on a pseudo-terminal."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "followup", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:  # read while it runs, so a full terminal buffer cannot block it
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the process has exited and the terminal is drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) in (0, 2)
    return b"".join(chunks)


# SQLite only: the date is refused before any database is opened
@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_error_line_on_a_real_terminal_is_red_unless_no_color(db_path):
    # Rich's tables are covered above; the error line is written by followup itself, by isatty().
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE")}
    env.update(FOLLOWUP_DB=str(db_path), TERM="xterm-256color")
    args = ["touch", "Sue", "--on", "fribay"]
    coloured = _run_on_a_terminal(args, env).decode()
    assert colour_codes(coloured), coloured  # control: a terminal gets colour
    plain = _run_on_a_terminal(args, {**env, "NO_COLOR": "1"}).decode()
    assert plain.startswith("Error: ") and "fribay" in plain
    assert "\x1b" not in plain, plain


def test_control_characters_in_a_name_are_shown_not_obeyed(cli):
    """A name holding ESC (pasted from somewhere, or typed by mistake) cannot retitle or recolour
    the terminal: tables and messages show it as \\x1b; JSON keeps the name as it is."""
    name = "Sue\x1b]0;owned\x07 Chen"
    assert cli("add", name, "--first", "2026-11-02").exit_code == 0
    for args in (["list"], ["show", "#1"], ["due", "--on", "2026-11-02"]):
        out = cli(*args).stdout
        assert "\x1b" not in out and "\x07" not in out, args
        assert "Sue\\x1b" in out, args  # shown, escaped
    assert cli("show", "#1", "--json").json()["contact"]["name"] == name
    refused = cli("sold", "#1", "--amount", "x")
    assert refused.exit_code == 2 and "\x1b" not in refused.stderr
    stopped = cli("touch", "#1", "--outcome", "stop", "--on", "2026-11-02")
    assert stopped.exit_code == 0
    again = cli("schedule", "#1", "2026-12-01")
    assert again.exit_code == 2 and "\x1b" not in again.stderr and "\\x1b" in again.stderr


def test_square_brackets_in_names_are_shown_as_typed_never_read_as_styles(cli):
    """Rich reads `[bold]` and `[/]` in text as styles; a name or note holding them is data: every
    table and message shows it as typed (before, `Tom [/]` made `due` and `list` fail)."""
    names = ["Tom [/]", "[b]Sue[/b]", "Li [Acme]"]
    for name in names:
        assert cli("add", name, "--first", "2026-11-02", "--company", "[red]Acme[/]").exit_code == 0
    assert cli("touch", "Li [Acme]", "--note", "[link=x]call[/link]", "--on", "2026-11-02").exit_code == 0
    assert cli("sold", "Li [Acme]", "--on", "2026-11-02", "--product", "[i]Pro[/i]").exit_code == 0
    for args in (["list"], ["due", "--on", "2026-11-02", "--days", "9"], ["stats", "--on", "2026-11-02"], ["account"]):
        run = cli(*args, today="2026-11-02")
        assert run.exit_code == 0, (args, run.stderr)
    for args in (["list"], ["due", "--on", "2026-11-02"]):
        out = cli(*args, today="2026-11-02").stdout
        assert all(name in out for name in names[:2]), (args, out)
    shown = cli("show", "Li [Acme]").stdout
    assert "Li [Acme]" in shown and "[link=x]call[/link]" in shown and "[i]Pro[/i]" in shown
    assert "[red]Acme[/]" in cli("account").stdout


def test_list_tag_matches_in_any_case_beyond_ascii(cli):
    assert cli("add", "Ann Ma", "--tag", "École").exit_code == 0
    assert cli("add", "Bo Li", "--tag", "ecole").exit_code == 0
    for asked in ("école", "ÉCOLE", "École"):
        assert [r["name"] for r in cli("list", "--tag", asked, "--json").json()] == ["Ann Ma"], asked
    assert [r["name"] for r in cli("list", "--tag", "ECOLE", "--json").json()] == ["Bo Li"]
