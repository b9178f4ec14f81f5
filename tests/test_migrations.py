"""The schema is versioned: named steps, applied on open, older databases upgraded in place."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from followup.db import make_engine
from followup.migrations import MIGRATIONS, MIGRATIONS_TABLE, migrate

FIXTURES = Path(__file__).parent / "fixtures"


def _rows(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    finally:
        con.close()


def _named_rows(path: Path) -> dict[str, list[dict]]:
    """Every row of every table as {column: value}, so added columns can be told apart from kept ones."""
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: [dict(row) for row in con.execute(f"SELECT * FROM {t} ORDER BY 1")] for t in tables}
    finally:
        con.close()


# What each later step writes into the rows already there, column by column.
ADDED_COLUMNS = {
    "contact": {"owner": "carol", "wants_news": 0, "birthday": None},  # m004, m007
    "followup": {"at_time": None, "asked_for": 0},  # m006, m007
    "touch": {"purpose": None, "inbound": 0},  # m007
    "sale": {"complex": 0},  # m007
    "referral": {"partner": None},  # m007
}


def _assert_kept(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> None:
    """Every row and value of `before` is in `after`; the columns added since hold their defaults."""
    for table, rows in before.items():
        if table == MIGRATIONS_TABLE:  # the ledger gains the later steps, keeping its first rows
            assert after[table][: len(rows)] == rows
            assert [row["name"] for row in after[table]] == [name for name, _ in MIGRATIONS]
            continue
        assert [{k: row[k] for k in rows[0]} for row in after[table]] == rows if rows else after[table] == [], table
        for row in after[table]:
            added = {k: v for k, v in row.items() if not rows or k not in rows[0]}
            expected = {k: v for k, v in ADDED_COLUMNS.get(table, {}).items() if k in added}
            assert added == expected, table


def test_fresh_database_records_every_step(db_path):
    engine = make_engine(f"sqlite:///{db_path}")
    assert migrate(engine) == [name for name, _ in MIGRATIONS]
    assert migrate(engine) == []  # opening again applies nothing
    with engine.connect() as conn:
        recorded = [r[0] for r in conn.execute(text(f"SELECT name FROM {MIGRATIONS_TABLE}"))]
    engine.dispose()
    assert recorded == [name for name, _ in MIGRATIONS]


def test_migrated_schema_matches_the_models(db_path):
    """The migrations and the SQLModel tables describe the same columns, nullability and indexes."""
    from sqlmodel import SQLModel

    import followup.models  # noqa: F401  (registers the tables)

    engine = make_engine(f"sqlite:///{db_path}")
    migrate(engine)
    inspector = inspect(engine)
    for table in SQLModel.metadata.sorted_tables:
        columns = {c["name"]: c["nullable"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name: c.nullable for c in table.columns}, table.name
        indexes = {tuple(i["column_names"]) for i in inspector.get_indexes(table.name)}
        model_indexes = {tuple(c.name for c in i.columns) for i in table.indexes}
        assert model_indexes <= indexes, table.name
        fks = {
            (fk["constrained_columns"][0], fk["referred_table"], (fk["options"] or {}).get("ondelete"))
            for fk in inspector.get_foreign_keys(table.name)
        }
        model_fks = {(fk.parent.name, fk.column.table.name, fk.ondelete) for fk in table.foreign_keys}
        assert fks == model_fks, table.name
    engine.dispose()


@pytest.mark.parametrize("fixture", ["schema_m001.db", "schema_m003.db"])
def test_an_earlier_schema_opens_with_everything_kept(tmp_path, cli, fixture):
    """Both fixtures hold the same month, written by the CLI of their schema (tests/fixtures)."""
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / fixture, db)
    before = _named_rows(db)
    listed = cli("--user", "carol", "list", "--json", env={"FOLLOWUP_DB": str(db)})
    assert listed.exit_code == 0, listed.stderr
    after = _named_rows(db)
    _assert_kept(before, after)
    assert {row["owner"] for row in after["contact"]} == {"carol"}  # m004: whoever opened it with this release
    assert {"complaint", "level_change", "lead_given"} <= set(after)  # m007's tables, empty
    assert not (after["complaint"] or after["level_change"] or after["lead_given"])
    with closing(sqlite3.connect(db)) as con:  # upgraded in place: the contact index of m003 is there
        indexes = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    # m003's contact index, and m008's with the kind in it
    assert {"ix_followup_contact_status_due", "ix_followup_contact_status_kind_due"} <= indexes
    assert "ix_followup_contact_status" not in indexes
    assert "ix_contact_owner_name_key" in indexes
    # m005: each contact's phone and e-mail became its first details
    with closing(sqlite3.connect(db)) as con:
        details = con.execute(
            "SELECT c.phone, c.email, d.kind, d.value, d.label, d.position, d.search_key "
            "FROM contact_detail d JOIN contact c ON c.id = d.contact_id ORDER BY d.id"
        ).fetchall()
        with_details = con.execute(
            "SELECT COUNT(phone) + COUNT(email) FROM contact WHERE phone IS NOT NULL OR email IS NOT NULL"
        ).fetchone()[0]
    assert len(details) == with_details > 0
    for phone, email, kind, value, label, position, key in details:
        assert value == (phone if kind == "phone" else email) and label is None and position == 0
        assert key == ("".join(ch for ch in value if ch.isdigit()) if kind == "phone" else value.casefold())
    by_name = {c["name"]: c for c in listed.json()}
    assert set(by_name) == {"Bob Li", "Sue Chen", "王强", "陈素", "Tom Wang", "Ann Lee", "Max Mustermann"}
    assert by_name["Sue Chen"]["status"] == "repeat"
    assert by_name["Sue Chen"]["touches"] == 2
    assert by_name["Sue Chen"]["referrer"] == "Bob Li"
    assert by_name["Ann Lee"]["status"] == "lost"
    assert by_name["Max Mustermann"]["do_not_contact"] is True
    # and the old database keeps working: a new touch lands and moves the cadence
    touched = cli("touch", "陈素", "--on", "2026-10-20", env={"FOLLOWUP_DB": str(db)})
    assert touched.exit_code == 0, touched.stderr
    shown = cli("show", "陈素", "--json", env={"FOLLOWUP_DB": str(db)}).json()
    assert [t["date"] for t in shown["touches"]] == ["2026-10-07", "2026-10-20"]


def test_database_from_a_newer_release_is_refused_untouched(tmp_path, cli):
    db = tmp_path / "newer.db"
    shutil.copy(FIXTURES / "schema_m001.db", db)
    con = sqlite3.connect(db)
    con.execute(f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES ('m999_future', '2030-01-01 00:00:00')")
    con.commit()
    con.close()
    before = _rows(db)
    result = cli("due", "--on", "2026-11-23", env={"FOLLOWUP_DB": str(db)})
    assert result.exit_code == 2
    assert "newer release" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert _rows(db) == before


def test_a_failing_step_leaves_no_trace(db_path):
    def m002_broken(conn):
        conn.execute(text("CREATE TABLE half_done (id INTEGER PRIMARY KEY)"))
        raise RuntimeError("power cut")

    engine = make_engine(f"sqlite:///{db_path}")
    with pytest.raises(RuntimeError, match="power cut"):
        migrate(engine, [*MIGRATIONS, ("m002_broken", m002_broken)])
    inspector = inspect(engine)
    assert not inspector.has_table("half_done")
    with engine.connect() as conn:
        recorded = [r[0] for r in conn.execute(text(f"SELECT name FROM {MIGRATIONS_TABLE}"))]
    assert recorded == [name for name, _ in MIGRATIONS]
    engine.dispose()


def test_the_m006_database_upgrades_with_everything_as_written(tmp_path, cli):
    """tests/fixtures/schema_m006.db: owners, labelled details and a timed follow-up, kept through m007."""
    db = tmp_path / "m006.db"
    shutil.copy(FIXTURES / "schema_m006.db", db)
    before = _named_rows(db)
    env = {"FOLLOWUP_DB": str(db), "FOLLOWUP_USER": "sue"}
    listed = cli("list", "--json", env=env)
    assert listed.exit_code == 0, listed.stderr
    after = _named_rows(db)
    ADDED_COLUMNS_M006 = {**ADDED_COLUMNS, "contact": {"wants_news": 0, "birthday": None}}
    for table, rows in before.items():
        if table == MIGRATIONS_TABLE:
            continue
        for old, new in zip(rows, after[table], strict=True):
            assert {k: new[k] for k in old} == old, table
            assert {k: v for k, v in new.items() if k not in old} == {
                k: v for k, v in ADDED_COLUMNS_M006.get(table, {}).items() if k not in old
            }, table
    assert [r["name"] for r in after[MIGRATIONS_TABLE]] == [name for name, _ in MIGRATIONS]
    assert {c["name"] for c in listed.json()} == {
        "Bob Li",
        "Sue Chen",
        "王强",
        "陈素",
        "Tom Wang",
        "Ann Lee",
        "Max Mustermann",
    }
    sue = cli("show", "Sue Chen", "--json", env=env).json()["contact"]
    assert (sue["owner"], sue["status"], sue["phone"], sue["email"]) == (
        "sue", "repeat", "+86 138 0000 0000", "sue@acme.example"
    )  # fmt: skip
    assert [(p["value"], p["label"]) for p in sue["phones"]] == [
        ("+86 138 0000 0000", "mobile"),
        ("010 6500 1234", "work"),
    ]
    due = cli("due", "--on", "2026-10-20", "--json", env=env).json()
    assert [(i["contact"], i["time"]) for i in due["due"] if i["kind"] == "manual"] == [("Tom Wang", "14:00")]


@pytest.mark.parametrize("fixture", ["schema_m007.db", "schema_m008.db"])
def test_the_m007_month_opens_with_everything_as_written(tmp_path, cli, fixture):
    """tests/fixtures/schema_m007.db (and schema_m008.db, the same month upgraded by this release):
    levels, goals, purposes, a complaint, a complex sale, a birthday, news, an exchange partner, a
    lead given and won, and an inbound touch, kept and read back."""
    db = tmp_path / fixture
    shutil.copy(FIXTURES / fixture, db)
    before = _rows(db)
    env = {"FOLLOWUP_DB": str(db), "FOLLOWUP_USER": "sue", "FOLLOWUP_TODAY": "2026-12-01"}
    listed = cli("list", "--json", env=env)
    assert listed.exit_code == 0, listed.stderr
    after = _rows(db)
    # m008 adds an index and no column: every row is kept as it was, and the ledger names every step
    assert {t: rows for t, rows in after.items() if t != MIGRATIONS_TABLE} == {
        t: rows for t, rows in before.items() if t != MIGRATIONS_TABLE
    }
    assert [row[0] for row in after[MIGRATIONS_TABLE]] == sorted(name for name, _ in MIGRATIONS)
    if fixture == "schema_m008.db":
        assert after == before  # this release's own database: nothing to upgrade, nothing changed
    with closing(sqlite3.connect(db)) as con:
        indexes = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"ix_followup_contact_status_due", "ix_followup_contact_status_kind_due"} <= indexes
    assert len(listed.json()) == 12
    sue = cli("show", "Sue Chen", "--json", env=env).json()
    assert (sue["contact"]["birthday"], sue["contact"]["wants_news"], sue["contact"]["role"]) == (
        "12-03",
        True,
        "power",
    )
    assert sue["levels"] == [{"date": "2026-11-05", "level": "dating", "previous": None}]
    assert [(c["kind"], c["class"], c["status"]) for c in sue["complaints"]] == [("packaging", "product", "open")]
    assert sue["goals"][-1] == {
        "id": 24, "date": "2026-11-30", "goal": "introduce the plant manager", "outcome": "committed", "achieved": True
    }  # fmt: skip
    assert sue["purposes"]["counts"]["care"] == 1
    chen = cli("show", "陈素", "--json", env=env).json()
    assert chen["phase"] == "new_toy" and [s["complex"] for s in chen["sales"]] == [True]
    amy = cli("show", "Amy Wu", "--json", env=env).json()
    assert [t["inbound"] for t in amy["touches"]] == [False, True]
    due = cli("due", "--on", "2026-11-30", "--days", "30", "--json", env=env).json()
    kinds = {(i["contact"], i["kind"]) for i in due["due"] + due["upcoming"]}
    assert {
        ("Sue Chen", "birthday"),
        ("Sue Chen", "complaint"),
        ("陈素", "learning_phase"),
        ("Bob Li", "inform"),
    } <= kinds
    assert [i["asked_for"] for i in due["due"] if i["contact"] == "刘洋"] == [True]
    stats = cli("stats", "--on", "2026-11-30", "--json", env=env).json()
    nair = [row for row in stats["exchange"] if row["partner"] == "Nair Systems"]
    assert nair and (nair[0]["received"], nair[0]["given"], nair[0]["given_won"]) == (1, 1, 1)
    assert stats["complaints"]["product"] == 1
