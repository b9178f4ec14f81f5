"""Keeping the records safe: private files, `followup backup` and `followup check`.

A salesperson's records are theirs alone: the database file and the folder followup makes
for it are readable by the owner only, and a PostgreSQL password never shows in a message.
`backup` copies a database that is in use into one consistent file; `check` finds damage
and records that contradict each other, and says so in plain words.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from helpers import ok
from sqlalchemy import create_engine, text

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = "2026-11-23"
BACKUP_NAME = f"followup-{TODAY}.db"

# A month in miniature: a referral that became a sale, a loss, a stop request, a referral ask,
# and the legitimate open follow-ups that look odd at first sight: a hand-made follow-up and a
# coach task on a lost prospect.
MONTH = [
    ["add-referral", "陈素", "--from", "Bob Li", "--source", "customer", "--on", "2026-11-02"],
    ["touch", "陈素", "--via", "visit", "--on", "2026-11-02"],
    ["sold", "陈素", "--amount", "1200", "--on", "2026-11-05"],
    ["add", "Tom Wu", "--first", "2026-11-03"],
    ["touch", "Tom Wu", "--on", "2026-11-03"],
    ["lost", "Tom Wu", "--reason", "price", "--on", "2026-11-04"],
    ["schedule", "Tom Wu", "2027-03-01", "--what", "ask again after their budget round"],
    ["add-referral", "Kim Ho", "--from", "Tom Wu", "--on", "2026-11-05"],
    ["add", "Ann Ma", "--first", "2026-11-03"],
    ["touch", "Ann Ma", "--outcome", "stop", "--on", "2026-11-03"],
    ["ask", "陈素", "--got", "1", "--names", "Lee Yu", "--on", "2026-11-06"],
]
MONTH_COUNTS = "6 contacts, 3 touches"


def one_error_line(run, code: int = 2) -> str:
    assert run.exit_code == code, (run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), run.stderr
    return lines[0]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sql_dump(path: Path) -> list[str]:
    """Every table, index and row of a SQLite file, as SQL text."""
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


def count(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture
def umask_022():
    """The common umask, under which files come out world-readable unless followup says otherwise."""
    before = os.umask(0o022)
    yield
    os.umask(before)


# ---------------------------------------------------------------- private files


def test_a_new_database_in_the_default_folder_is_readable_by_its_owner_only(cli, tmp_path, umask_022):
    data_home = tmp_path / "xdg-data"  # XDG_DATA_HOME: missing until followup makes it
    assert not data_home.exists()
    ok(cli("add", "Sue Chen", "--first", "2026-11-03", env={"FOLLOWUP_DB": None}))
    database = data_home / "followup" / "followup.db"
    assert mode(data_home) == 0o700
    assert mode(database.parent) == 0o700
    assert mode(database) == 0o600
    with closing(sqlite3.connect(database)) as reader:  # holds the -wal and -shm files open
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM contact").fetchone()
        ok(cli("touch", "Sue", "--on", "2026-11-03", env={"FOLLOWUP_DB": None}))
        companions = [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm")]
        assert [mode(p) for p in companions] == [0o600, 0o600]
    run = ok(cli("backup", env={"FOLLOWUP_DB": None}, today=TODAY))
    assert f"to {database.parent / BACKUP_NAME}." in run.stdout  # the default copy sits beside the database
    assert mode(database.parent / BACKUP_NAME) == 0o600


def test_a_new_database_given_with_db_is_private_and_the_chosen_folder_is_left_alone(cli, tmp_path, umask_022):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    database = folder / "mine.db"
    ok(cli("--db", str(database), "add", "Sue Chen"))
    assert mode(database) == 0o600
    assert mode(folder) == 0o755


def test_existing_files_and_folders_keep_the_permissions_their_owner_gave_them(cli, tmp_path, umask_022):
    data_dir = tmp_path / "xdg-data" / "followup"
    data_dir.mkdir(parents=True, mode=0o750)
    ok(cli("add", "Sue Chen", env={"FOLLOWUP_DB": None}))
    database = data_dir / "followup.db"
    assert mode(data_dir) == 0o750
    assert mode(database) == 0o600  # the file followup made
    database.chmod(0o640)  # a choice of its owner's
    ok(cli("touch", "Sue", "--on", "2026-11-03", env={"FOLLOWUP_DB": None}))
    assert mode(database) == 0o640


# ---------------------------------------------------------------- passwords


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://sue:s3cret-pw@127.0.0.1:1/team",  # a wrong or right password, nobody listening
        "postgresql+psycopg://sue@127.0.0.1:1/team?password=s3cret-pw",  # libpq's password parameter
        "postgresql+psycopg://sue@127.0.0.1:1/team?sslmode=prefer&password=s3cret-pw&sslpassword=s3cret-pw",
        "postgresql+psycopg:/sue:s3cret-pw@127.0.0.1:1/team",  # one slash short: not a URL, not a file
        "postgresql+psycopg://sue:s3cret-pw@db:port/team",  # a port that is no number
    ],
    ids=["unreachable", "query", "query-and-ssl", "one-slash", "bad-port"],
)
@pytest.mark.parametrize("command", [["due", "--on", "2026-11-02"], ["check"], ["backup"]], ids=lambda c: c[0])
@pytest.mark.parametrize("debug", [[], ["--debug"]], ids=["plain", "debug"])
def test_a_password_in_the_database_url_never_shows(cli, db_path, url, command, debug):
    run = cli(*debug, "--db", url, *command, today=TODAY)
    line = one_error_line(run)
    assert "s3cret" not in run.stdout + run.stderr, line
    assert "***" in line or "pg_dump" in line, line
    assert not db_path.exists()


@pytest.mark.backends("postgresql")
def test_a_password_in_the_url_of_a_real_server_never_shows(cli, db_url):
    """The test server trusts its users, so any password connects: nothing shows it."""
    with_password = db_url.replace("://followup@", "://followup:s3cret-pw@")
    assert with_password != db_url
    runs = [
        ok(cli("--db", with_password, "add", "Sue Chen", "--first", "2026-11-03")),
        ok(cli("--db", with_password, "due", "--on", "2026-11-03")),
        ok(cli("--db", with_password, "check")),
    ]
    report = ok(cli("--db", with_password, "check", "--json")).json()
    assert report["ok"] and report["database"].startswith("postgresql+psycopg://followup:***@")
    refusal = one_error_line(cli("--db", with_password, "backup", today=TODAY))
    assert "pg_dump --format=custom --file=followup-2026-11-23.dump postgresql://followup@127.0.0.1:" in refusal
    for run in [*runs, cli("--db", with_password, "backup")]:
        assert "s3cret" not in run.stdout + run.stderr


# ---------------------------------------------------------------- backup


def test_backup_writes_a_private_copy_equal_to_the_database(cli, seed, db_path, umask_022):
    seed(MONTH)
    run = ok(cli("backup", today=TODAY))
    copy = db_path.parent / BACKUP_NAME
    assert run.stdout == f"Backed up 6 contacts and 3 touches to {copy}.\n"
    assert mode(copy) == 0o600
    assert sql_dump(copy) == sql_dump(db_path)
    assert not copy.with_name(copy.name + "-wal").exists()  # one self-contained file
    ok(cli("--db", str(copy), "check"))


def test_backup_into_a_folder_refuses_to_replace_a_file_unless_forced(cli, seed, db_path, tmp_path, umask_022):
    seed(MONTH)
    folder = tmp_path / "backups"
    folder.mkdir()
    ok(cli("backup", str(folder), today=TODAY))
    copy = folder / BACKUP_NAME
    first = sql_dump(copy)
    ok(cli("add", "Zoe Qi"))

    line = one_error_line(cli("backup", str(folder), today=TODAY))
    assert line == f"Error: {copy} already exists; give another PATH, or --force to replace it"
    assert sql_dump(copy) == first
    assert sorted(p.name for p in folder.iterdir()) == [BACKUP_NAME]  # no half-written file left behind

    copy.chmod(0o644)
    run = ok(cli("backup", str(copy), "--force", today=TODAY))
    assert run.stdout == f"Backed up 7 contacts and 3 touches to {copy}.\n"
    assert sql_dump(copy) == sql_dump(db_path) != first
    assert mode(copy) == 0o600


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{db}", "is the database itself; give another PATH for the copy"),
        ("{tmp}/missing/copy.db", "folder {tmp}/missing does not exist"),
        ("{tmp}/missing/", "folder {tmp}/missing does not exist"),
        ("copy\n.db", "PATH: 'copy\\n.db' holds control characters"),
    ],
    ids=["onto-itself", "no-folder", "no-folder-slash", "control-character"],
)
def test_backup_refuses_a_path_it_cannot_use(cli, seed, db_path, tmp_path, target, message):
    seed(MONTH)
    before = sql_dump(db_path)
    path = target.format(db=db_path, tmp=tmp_path)
    line = one_error_line(cli("backup", path, "--force", today=TODAY))
    assert message.format(tmp=tmp_path) in line
    assert sql_dump(db_path) == before


@pytest.mark.parametrize("command", ["backup", "check"])
def test_backup_and_check_need_an_existing_database_and_make_none(cli, db_path, command):
    line = one_error_line(cli(command, today=TODAY))
    assert line.startswith(f"Error: no database at {db_path}; nothing to ")
    assert not db_path.exists()


def test_backup_of_a_postgresql_database_shows_the_pg_dump_command_without_the_password(cli, tmp_path):
    url = "postgresql+psycopg://sue:s3cret-pw@db.example.com:5433/team?sslmode=require"
    line = one_error_line(cli("--db", url, "backup", str(tmp_path), today=TODAY))
    assert line == (
        "Error: backup copies a SQLite database file; a PostgreSQL database is backed up with pg_dump: "
        f"pg_dump --format=custom --file={tmp_path}/followup-2026-11-23.dump "
        "'postgresql://sue@db.example.com:5433/team?sslmode=require' "
        "(it asks for the password, or reads it from ~/.pgpass or PGPASSWORD)"
    )


def test_backup_is_consistent_while_another_connection_holds_a_write_transaction(cli, seed, db_path, tmp_path):
    seed(MONTH)
    committed = sql_dump(db_path)
    with closing(sqlite3.connect(db_path, isolation_level=None, timeout=0)) as writer:
        writer.execute("BEGIN IMMEDIATE")  # another followup, half-way through a command
        writer.execute("UPDATE contact SET note = 'half-way' WHERE name = 'Tom Wu'")
        writer.execute("DELETE FROM touch")
        started = time.monotonic()
        ok(cli("backup", str(tmp_path / "during.db")))
        assert time.monotonic() - started < 10  # it did not wait for the writer (busy wait: 30 s)
        writer.execute("COMMIT")
    assert sql_dump(tmp_path / "during.db") == committed  # what was committed, none of the half-way write
    ok(cli("backup", str(tmp_path / "after.db")))
    assert count(tmp_path / "after.db", "touch") == 0


WRITER = """
import pathlib, sys, time
from datetime import date
from followup.config import Settings
from followup.db import open_engine, session_scope
from followup.models import Contact
from followup.services import log_touch

database, ready, stop = sys.argv[1:4]
engine = open_engine(database)
logged, deadline = 0, time.monotonic() + 60
while not pathlib.Path(stop).exists() and time.monotonic() < deadline:
    with session_scope(engine) as session:
        log_touch(session=session, contact=session.get(Contact, 1 + logged % 2), on=date(2026, 11, 3),
                  settings=Settings())
    logged += 1
    if logged == 1:
        pathlib.Path(ready).touch()
print(logged)
"""


def test_backup_takes_consistent_copies_while_another_process_writes(cli, db_path, tmp_path):
    ok(cli("add", "Sue Chen", "--first", "2026-11-03"))
    ok(cli("add", "Bob Li", "--first", "2026-11-03"))
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), str(ready), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert writer.poll() is None, writer.communicate()
            assert time.monotonic() < deadline, "the writer never logged a touch"
            time.sleep(0.05)
        copies = []
        for n in range(5):
            copies.append(tmp_path / f"copy-{n}.db")
            ok(cli("backup", str(copies[-1])))
            time.sleep(0.05)
        assert writer.poll() is None  # every copy was taken while the writer went on
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    logged = int(out)

    counts = [count(copy, "touch") for copy in copies]
    assert counts[0] >= 1 and counts == sorted(counts) and counts[0] < counts[-1] <= logged  # writes went on
    for copy in copies:  # each copy is whole: sound pages, and the cadence rules hold in it
        assert ok(cli("--db", str(copy), "check", "--json")).json()["problems"] == []
    ok(cli("backup", str(tmp_path / "final.db")))
    assert count(tmp_path / "final.db", "touch") == logged
    assert sql_dump(tmp_path / "final.db") == sql_dump(db_path)


# ---------------------------------------------------------------- check


@pytest.mark.backends("sqlite", "postgresql")
def test_check_finds_no_problem_in_a_healthy_database_and_changes_nothing(cli, seed, dump):
    seed(MONTH)
    before = dump()
    run = ok(cli("check"))
    assert run.stdout == f"No problems found in {MONTH_COUNTS}.\n"
    report = ok(cli("check", "--json")).json()
    assert report["ok"] is True and report["problems"] == [] and report["problem_count"] == 0
    assert (report["contacts"], report["touches"]) == (6, 3)
    assert dump() == before


def raw_sql(db_url: str, *statements: str) -> None:
    """Write past followup, as a hand edit or a damaged disk would: no foreign keys enforced."""
    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL session_replication_role = replica"))  # no foreign key triggers
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _last_touch_followup(name: str) -> str:
    return (
        "SELECT max(id) FROM followup WHERE kind = 'touch' "
        f"AND contact_id = (SELECT id FROM contact WHERE name = '{name}')"
    )


DAMAGE = {
    "lost-with-cadence": (
        [f"UPDATE followup SET status = 'open' WHERE id = ({_last_touch_followup('Tom Wu')})"],
        "open_followup_on_closed_contact",
        ") is open, but Tom Wu (#3) is closed as lost; followup skip ",
    ),
    "stop-with-open": (
        [f"UPDATE followup SET status = 'open' WHERE id = ({_last_touch_followup('Ann Ma')})"],
        "open_followup_on_closed_contact",
        ") is open, but Ann Ma (#5) asked not to be contacted; followup skip ",
    ),
    "two-cadence-touches": (
        [
            "INSERT INTO followup (contact_id, due, kind, action, reason, status, cadence_step, created_at) "
            "SELECT contact_id, due, kind, action, reason, status, cadence_step, created_at FROM followup "
            "WHERE kind = 'touch' AND status = 'open' AND contact_id = (SELECT id FROM contact WHERE name = 'Kim Ho')"
        ],
        "two_cadence_touches",
        "Kim Ho (#4) has 2 open cadence touches (#",
    ),
    "referral-without-prospect": (
        ["DELETE FROM contact WHERE name = 'Kim Ho'"],
        "missing_prospect",
        "referral #2: its prospect (contact #4) does not exist",
    ),
    "unknown-status": (
        ["UPDATE contact SET status = 'won' WHERE name = 'Bob Li'"],
        "unknown_contact_status",
        "contact #1 has status 'won', which followup does not know (prospect, customer, repeat, lost)",
    ),
    "phone-out-of-step": (
        ["UPDATE contact SET phone = '+1 555 0100' WHERE name = 'Bob Li'"],
        "stale_first_details",
        "Bob Li (#1) shows phone +1 555 0100 but their first phone is none; set it again with followup edit 1",
    ),
    "renamed-by-hand": (
        ["UPDATE contact SET name = 'Robert Li' WHERE name = 'Bob Li'"],
        "name_lookup",
        "Robert Li (#1) cannot be found by name (its look-up key is 'bob li'); followup edit 1 --name 'Robert Li'",
    ),
}


@pytest.mark.backends("sqlite", "postgresql")
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_check_names_records_that_contradict_each_other(cli, seed, db_url, dump, damage):
    statements, check_name, phrase = DAMAGE[damage]
    seed(MONTH)
    ids = {c["name"]: c["id"] for c in ok(cli("list", "--status", "all", "--json")).json()}
    assert ids == {"Bob Li": 1, "陈素": 2, "Tom Wu": 3, "Kim Ho": 4, "Ann Ma": 5, "Lee Yu": 6}  # as the phrases say
    raw_sql(db_url, *statements)
    before = dump()

    run = cli("check")
    assert run.exit_code == 1, (run.stdout, run.stderr)
    assert phrase in run.stdout
    assert run.stdout.splitlines()[-1].endswith(" found in " + ("5 contacts, 3 touches." if "without" in damage
                                                                else f"{MONTH_COUNTS}."))  # fmt: skip
    report = cli("check", "--json")
    assert report.exit_code == 1
    problems = report.json()["problems"]
    assert any(p["check"] == check_name and phrase in p["message"] for p in problems), problems
    assert report.json()["ok"] is False
    assert dump() == before  # check repairs nothing behind the user's back


def test_check_lists_every_orphan_left_by_a_contact_deleted_past_followup(cli, seed, db_path):
    seed(MONTH)
    raw_sql(str(db_path), "DELETE FROM contact WHERE name = '陈素'")
    report = cli("check", "--json").json()
    found = {(p["check"], p["message"].split(":")[0]) for p in report["problems"]}
    assert {("missing_prospect", "referral #1"), ("missing_contact", "touch #1"), ("missing_contact", "sale #1"),
            ("missing_customer", "referral ask #1")} <= found  # fmt: skip
    assert report["problem_count"] == len(report["problems"]) >= 4


def test_check_lists_twenty_problems_of_a_kind_then_counts_the_rest(cli, seed, db_path):
    seed(MONTH)
    raw_sql(
        str(db_path),
        *(f"INSERT INTO touch (contact_id, day, channel, created_at) VALUES (999, '2026-11-0{n % 9 + 1}', 'call', "
          "'2026-11-01 09:00:00')" for n in range(25)),
    )  # fmt: skip
    run = cli("check")
    assert run.exit_code == 1
    missing = [line for line in run.stdout.splitlines() if "its contact #999 does not exist" in line]
    assert len(missing) == 20
    assert "  - and 5 more touch rows whose contact is missing" in run.stdout.splitlines()
    assert run.stdout.endswith("25 problems found in 6 contacts, 28 touches.\n")
    assert cli("check", "--json").json()["problem_count"] == 25


def test_check_reports_a_schema_from_an_earlier_release_until_a_command_upgrades_it(cli, db_path):
    shutil.copyfile(FIXTURES / "schema_m001.db", db_path)
    run = cli("check")
    assert run.exit_code == 1
    assert "the database's schema is older than this release of followup (missing step m002_big_amounts)" in run.stdout
    assert run.stdout.endswith("1 problem found in 7 contacts, 5 touches.\n")  # the data itself is sound
    ok(cli("due", "--on", "2026-11-23"))
    assert ok(cli("check")).stdout == "No problems found in 7 contacts, 5 touches.\n"


@pytest.fixture
def damaged_pages(cli, db_path, tmp_path) -> Path:
    """A copy of a database with a page in the middle overwritten, as a failing disk leaves it."""
    ok(cli("add", "Sue Chen", "--first", "2026-11-03"))
    with closing(sqlite3.connect(db_path)) as conn:
        with conn:
            conn.executemany(
                "INSERT INTO touch (contact_id, day, channel, note, created_at) "
                "VALUES (1, '2026-11-03', 'call', ?, '2026-11-03 09:00:00')",
                [(f"call {n} " * 30,) for n in range(1500)],
            )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    damaged = tmp_path / "damaged.db"
    shutil.copyfile(db_path, damaged)
    pages = damaged.stat().st_size // page_size
    assert pages > 50
    with damaged.open("r+b") as f:
        f.seek(pages // 2 * page_size)
        f.write(b"\xff" * page_size)
    return damaged


def test_check_on_damaged_pages_says_so_in_plain_words(cli, damaged_pages):
    run = cli("--db", str(damaged_pages), "check")
    assert run.exit_code == 1, (run.stdout, run.stderr)
    assert run.stdout.startswith(f"Checked {damaged_pages}:\n  - the database file is damaged (SQLite: ")
    assert "restore it from your latest backup" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr and run.stderr == ""
    report = cli("--db", str(damaged_pages), "check", "--json")
    assert report.exit_code == 1 and report.json()["problems"][0]["check"] == "integrity"


def test_backup_of_damaged_pages_keeps_the_copy_and_says_it_is_damaged(cli, damaged_pages, tmp_path):
    copy = tmp_path / "copy.db"
    run = cli("--db", str(damaged_pages), "backup", str(copy))
    assert run.exit_code == 1, (run.stdout, run.stderr)
    assert run.stdout.startswith("Backed up 1 contact and 1500 touches to ")
    assert run.stderr.startswith("The database is damaged, and so is the copy (SQLite: ")
    assert run.stderr.rstrip().endswith("run followup check.") and len(run.stderr.strip().splitlines()) == 1
    original, copied = damaged_pages.read_bytes(), copy.read_bytes()
    page_size = int.from_bytes(original[16:18], "big")
    assert copied[page_size:] == original[page_size:]  # page for page (the first differs in its journal mode)


def test_a_file_that_is_no_database_is_one_plain_line(cli, tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"Call Sue on Monday about the trial.\n" * 200)
    check = cli("--db", str(notes), "check")
    assert check.exit_code == 1 and "the database file is damaged (SQLite: file is not a database)" in check.stdout
    line = one_error_line(cli("--db", str(notes), "backup", str(tmp_path / "copy.db")), code=1)
    assert "it is damaged or not a SQLite database (file is not a database)" in line
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("copy", ".copy"))) == []
