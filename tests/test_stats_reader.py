"""`followup stats` on the read path of followup/sql.py: portable SQL through a `Reader`.

On a SQLite file the figures are read with the stdlib sqlite3 driver, so the command imports
none of SQLAlchemy, SQLModel, pydantic or dateutil (the cost issue 5 is about); the same SQL runs
through the SQLModel session elsewhere. The prospects in scope are filled into temporary tables
once per command (followup/stats.py `prospect_tables`): these tests pin that they are gone
afterwards, that a second report in the same transaction sees the same figures, and that the
`exchange` ledger read on its own agrees with the one `stats` prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from followup import exchange, services
from followup.enums import Source
from followup.people import Salesperson
from followup.sql import SessionReader
from followup.stats import DECIDED, SCOPED, compute_stats

pytestmark = pytest.mark.backends("sqlite", "postgresql")

PRINT_MODULES = Path(__file__).parent / "assets" / "print_modules.py"
HEAVY = {"sqlalchemy", "sqlmodel", "pydantic", "dateutil"}
TODAY = "2026-11-23"
ON = date(2026, 11, 23)


# ---------------------------------------------------------------- what the command imports


@pytest.fixture(scope="module")
def small_file(tmp_path_factory) -> Path:
    """A SQLite file made by the CLI: a referred prospect won, one lost, the referrer, a lead given."""
    db = tmp_path_factory.mktemp("stats-reader") / "followup.db"
    env = {**os.environ, "FOLLOWUP_DB": str(db), "FOLLOWUP_TODAY": TODAY}
    for args in (
        [
            "add-referral",
            "Ann Lee",
            "--from",
            "Bob Li",
            "--source",
            "exchange",
            "--partner",
            "Acme",
            "--on",
            "2026-11-02",
        ],
        ["touch", "Ann Lee", "--on", "2026-11-03"],
        ["touch", "Bob Li", "--on", "2026-10-01"],  # first seen then, whatever day the tests run
        ["sold", "Ann Lee", "--amount", "1200", "--on", "2026-11-05"],
        ["add", "Cy Dee"],
        ["touch", "Cy Dee", "--on", "2026-11-04"],
        ["lost", "Cy Dee", "--on", "2026-11-06"],
        ["gave-lead", "Acme", "Cy Dee", "--on", "2026-11-07"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "followup", *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, (args, proc.stderr)
    return db


def probe(db: Path, *runs: list[str], env: dict | None = None) -> tuple[list[dict], str]:
    """Each run in turn in one fresh interpreter: its args, exit code and top-level modules imported."""
    args = [arg for run in runs for arg in (*run, "::")][:-1]
    base = {k: v for k, v in os.environ.items() if k != "FOLLOWUP_FAST_READS"}  # the suite may run with it off
    proc = subprocess.run(
        [sys.executable, str(PRINT_MODULES), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, "FOLLOWUP_DB": str(db), "FOLLOWUP_TODAY": TODAY, "COLUMNS": "120", **(env or {})},
    )
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    for r in results:
        r["top"] = {name.split(".")[0] for name in r["new"]}
    return results, proc.stderr


@pytest.mark.backends("sqlite")
def test_stats_on_a_sqlite_file_imports_no_database_library_pydantic_or_dateutil(small_file):
    results, output = probe(
        small_file,
        ["stats", "--json"],
        ["stats", "--on", TODAY, "--since", "2026-11-01"],
        ["stats", "--team", "--json"],
    )

    assert [r["exit"] for r in results] == [0, 0, 0], output
    assert {" ".join(r["args"]): sorted(r["top"] & HEAVY) for r in results} == {
        "stats --json": [],
        f"stats --on {TODAY} --since 2026-11-01": [],
        "stats --team --json": [],
    }
    first = json.loads(output[: output.index("\n}\n") + 2])  # the first run's JSON
    assert (first["prospects"], first["decided"], first["won"]) == (3, 2, 1)
    assert first["revenue"]["by_source"] == {"exchange": 1200.0}
    assert [(r["partner"], r["received"], r["given"]) for r in first["exchange"]] == [("Acme", 1, 1)]


@pytest.mark.backends("sqlite")
def test_the_probe_sees_sqlalchemy_when_fast_reads_are_off(small_file):
    """The control: with FOLLOWUP_FAST_READS=0 stats reads through the SQLModel session, and
    the same probe reports it; both paths print the same figures."""
    (slow,), slow_output = probe(small_file, ["stats", "--json"], env={"FOLLOWUP_FAST_READS": "0"})
    (fast,), fast_output = probe(small_file, ["stats", "--json"])

    assert slow["exit"] == fast["exit"] == 0
    assert {"sqlalchemy", "sqlmodel"} <= slow["top"]
    assert not fast["top"] & HEAVY
    assert json.loads(slow_output) == json.loads(fast_output)


# ---------------------------------------------------------------- the prospect tables


@pytest.fixture
def book(session, settings):
    """Two exchange referrals from Acme (one won for 500.00), a vendor referral, a lead given;
    the referrer Rita first seen on 2026-10-01 (a touch), whatever day the tests run."""
    for name, source, partner in (
        ("Ann", Source.exchange, "Acme"),
        ("Bo", Source.exchange, "ACME"),
        ("Cy", None, None),
    ):
        services.add_referral(
            session=session,
            prospect=name,
            referrer="Rita",
            on=date(2026, 11, 2),
            settings=settings,
            source=source or Source.vendor,
            partner=partner,
        )
    rita = services.resolve_contact(session=session, ref="Rita")
    services.log_touch(session=session, contact=rita, on=date(2026, 10, 1), settings=settings)
    ann = services.resolve_contact(session=session, ref="Ann")
    services.record_sale(session=session, contact=ann, on=date(2026, 11, 9), settings=settings, amount_cents=50000)
    exchange.give_lead(session=session, partner="acme", name="Dee", on=date(2026, 11, 10))
    session.flush()
    return session


def temporary_tables(session) -> list[str]:
    reader = SessionReader(session)
    if reader.dialect == "sqlite":
        sql = "SELECT name FROM sqlite_temp_master WHERE type = 'table'"
    else:
        sql = "SELECT table_name FROM information_schema.tables WHERE table_type = 'LOCAL TEMPORARY'"
    return sorted(name for (name,) in reader.rows(sql) if name in (SCOPED, DECIDED))


def test_stats_twice_in_one_transaction_gives_the_same_figures_and_leaves_no_table(book):
    reader = SessionReader(book)
    me = Salesperson("me")

    first = compute_stats(reader=reader, on=ON, who=me).data
    again = compute_stats(reader=reader, on=ON, who=me).data

    assert first == again
    assert temporary_tables(book) == []
    assert (first["prospects"], first["decided"], first["won"]) == (4, 1, 1)  # Ann, Bo, Cy and Rita
    assert first["revenue"]["by_source"] == {"exchange": 500.0}


def test_the_exchange_ledger_read_alone_is_the_one_stats_prints(book):
    reader = SessionReader(book)
    me = Salesperson("me")

    in_stats = compute_stats(reader=reader, on=ON, since=date(2026, 11, 1), who=me).data["exchange"]
    alone = exchange.ledger(session=book, on=ON, since=date(2026, 11, 1), who=me)

    assert (
        in_stats
        == alone
        == [
            {
                "partner": "Acme",
                "received": 2,
                "received_won": 1,
                "received_revenue": 500.0,
                "given": 1,
                "given_won": 0,
                "given_revenue": 0.0,
                "one_sided": True,
                "gives_more": "partner",
            }
        ]
    )
    assert temporary_tables(book) == []


def test_since_and_on_limit_the_prospect_tables(book):
    me = Salesperson("me")

    later = compute_stats(reader=SessionReader(book), on=ON, since=date(2026, 11, 3), who=me).data
    before = compute_stats(reader=SessionReader(book), on=date(2026, 11, 1), who=me).data

    assert later["prospects"] == 0  # all first seen before 2026-11-03
    assert [(r["partner"], r["received"], r["given"]) for r in later["exchange"]] == [("Acme", 0, 1)]
    assert (before["prospects"], before["decided"], before["exchange"]) == (1, 0, [])  # Rita only
