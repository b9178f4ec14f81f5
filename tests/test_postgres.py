"""PostgreSQL as the team's shared database (SPEC sections 2 and 3).

The CLI test modules (test_cadence, test_referrals, test_stats) run on both backends through
the `backends` marker; this file holds what is specific to PostgreSQL: the schema made by the
same migrations, a newer release's database refused, every command giving the same answer as
on SQLite, and the rules that once differed between the two databases. The server is the
throwaway one from `conftest.postgres`, running in the Asia/Shanghai time zone so that
nothing may silently depend on the server's clock settings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import ok
from sqlalchemy import create_engine, inspect, text, update

from followup.db import make_engine
from followup.migrations import MIGRATIONS, MIGRATIONS_TABLE, migrate

pytestmark = pytest.mark.backends("postgresql")


def generic_type(sql_type) -> str:
    """A column type as SQLAlchemy's generic class, "BigInteger" or "DateTime" (SQLModel wraps
    str and datetime in TypeDecorators)."""
    return type(getattr(sql_type, "impl_instance", sql_type).as_generic()).__name__


@pytest.fixture
def empty_database(postgres):
    """A database with no tables at all, as a team's new shared database starts."""
    name = postgres.create_database("template0")
    yield postgres.url(name)
    postgres.drop_database(name)


# ---------------------------------------------------------------- schema


def test_fresh_database_gets_every_migration_step_once(empty_database):
    engine = make_engine(empty_database)
    try:
        assert migrate(engine) == [name for name, _ in MIGRATIONS]
        assert migrate(engine) == []  # opening again applies nothing
        with engine.connect() as conn:
            recorded = [r[0] for r in conn.execute(text(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY name"))]
    finally:
        engine.dispose()
    assert recorded == [name for name, _ in MIGRATIONS]


def test_migrated_schema_matches_the_models(empty_database):
    """As tests/test_migrations.py checks on SQLite: same tables, columns, nullability, indexes
    and foreign keys; PostgreSQL also keeps real types, so each column's type too."""
    from sqlmodel import SQLModel

    import followup.models  # noqa: F401  (registers the tables)

    engine = make_engine(empty_database)
    try:
        migrate(engine)
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) == {t.name for t in SQLModel.metadata.sorted_tables} | {
            MIGRATIONS_TABLE
        }
        for table in SQLModel.metadata.sorted_tables:
            reflected = inspector.get_columns(table.name)
            assert {c["name"]: c["nullable"] for c in reflected} == {c.name: c.nullable for c in table.columns}, (
                table.name
            )
            assert {c["name"]: generic_type(c["type"]) for c in reflected} == {
                c.name: generic_type(c.type) for c in table.columns
            }, table.name
            indexes = {tuple(i["column_names"]) for i in inspector.get_indexes(table.name)}
            assert {tuple(c.name for c in i.columns) for i in table.indexes} <= indexes, table.name
            fks = {
                (fk["constrained_columns"][0], fk["referred_table"], (fk["options"] or {}).get("ondelete"))
                for fk in inspector.get_foreign_keys(table.name)
            }
            assert fks == {(fk.parent.name, fk.column.table.name, fk.ondelete) for fk in table.foreign_keys}, table.name
    finally:
        engine.dispose()


def test_a_first_release_database_is_upgraded_in_place_with_its_sales_kept(cli, empty_database):
    """m002_big_amounts turns sale.amount_cents into a BIGINT on a database made by m001."""
    engine = make_engine(empty_database)
    try:
        assert migrate(engine, MIGRATIONS[:1]) == ["m001_initial"]
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO contact (name, name_key, tags, status, do_not_contact, created_at) "
                    "VALUES ('王强', '王强', '', 'customer', false, '2026-11-01 08:00:00+00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO sale (contact_id, day, product, amount_cents, created_at) "
                    "VALUES (1, '2026-11-02', '路由器', 120050, '2026-11-02 08:00:00+00')"
                )
            )
    finally:
        engine.dispose()
    use = {"FOLLOWUP_DB": empty_database}
    ok(cli("sold", "王强", "--amount", "30,000,000", "--on", "2026-11-09", env=use))
    sales = ok(cli("show", "王强", "--json", env=use)).json()["sales"]
    assert [(s["date"], s["product"], s["amount"]) for s in sales] == [
        ("2026-11-02", "路由器", 1200.5),
        ("2026-11-09", None, 30_000_000.0),
    ]
    engine = create_engine(empty_database)
    with engine.connect() as conn:
        recorded = [r[0] for r in conn.execute(text(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY name"))]
    engine.dispose()
    assert recorded == [name for name, _ in MIGRATIONS]


def test_first_command_on_an_empty_database_creates_the_schema(cli, empty_database):
    ok(cli("add", "王强", "--first", "2026-11-02", env={"FOLLOWUP_DB": empty_database}))
    listed = ok(cli("list", "--json", env={"FOLLOWUP_DB": empty_database})).json()
    assert [(c["id"], c["name"], c["next_due"]) for c in listed] == [(1, "王强", "2026-11-02")]


def test_database_from_a_newer_release_is_refused_untouched(cli, db_url, dump):
    ok(cli("add", "王强", "--first", "2026-11-02"))
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES ('m999_future', '2030-01-01 00:00:00+00')")
        )
    engine.dispose()
    before = dump()
    for args in (["due", "--on", "2026-11-23"], ["touch", "王强", "--on", "2026-11-02"]):
        result = cli(*args)
        assert result.exit_code == 2, (result.stdout, result.stderr)
        assert result.stderr.startswith("Error: this database was written by a newer release of followup")
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert dump() == before


# ---------------------------------------------------------------- every command, as on SQLite

# A month of one salesperson, every command at least once, Chinese names throughout. Ids are
# the same on both databases because every command succeeds.
SMOKE = [
    [
        *("add", "王强", "--company", "华为技术", "--phone", "138 0000 0000", "--role", "power"),
        *("--level", "dating", "--tag", "深圳", "--note", "喜欢喝茶", "--first", "2026-11-02"),
    ],
    ["add-referral", "陈素", "--from", "王强", "--source", "customer", "--company", "小米", "--on", "2026-11-02"],
    ["add", "欧阳娜娜", "--first", "2026-11-03"],
    ["add", "Sue Chen", "--tag", "vip"],
    [
        *("touch", "王强", "--via", "visit", "--outcome", "meeting-set"),
        *("--goal", "见决策人", "--note", "带了样品", "--on", "2026-11-02 15:30"),
    ],
    ["touch", "王强", "--via", "call", "--on", "2026-11-02"],
    ["schedule", "陈素", "2026-11-05", "--what", "送资料", "--via", "email"],
    ["due", "--on", "2026-11-03", "--days", "7"],
    ["due", "--on", "2026-11-03", "--days", "7", "--json"],
    ["done", "5", "--on", "2026-11-03"],
    ["skip", "4", "--on", "2026-11-03"],
    ["snooze", "6", "2026-11-06"],
    ["sold", "陈素", "--product", "路由器", "--amount", "1,200.50", "--on", "2026-11-06"],
    ["ask", "陈素", "--names", "李娜, 张伟", "--on", "2026-11-10"],
    ["touch", "欧阳娜娜", "--outcome", "declined", "--on", "2026-11-11"],
    ["lost", "欧阳娜娜", "--reason", "预算不够", "--on", "2026-11-12"],
    ["edit", "Sue Chen", "--name", "苏晨", "--company", "阿里", "--tag", "北京"],
    ["sold", "陈素", "--product", "交换机", "--amount", "800", "--on", "2026-11-18"],
    ["touch", "李娜", "--via", "meal", "--on", "2026-11-12"],
    ["due", "--on", "2026-11-20"],
    ["due", "--on", "2026-11-20", "--json"],
    ["list"],
    ["list", "--json"],
    ["list", "--status", "customer", "--json"],
    ["list", "--tag", "深圳"],
    ["show", "王强"],
    ["show", "陈素", "--json"],
    ["show", "欧阳娜娜", "--json"],
    # --team: the whole database on both (on PostgreSQL plain stats says whose figures they are)
    ["stats", "--on", "2026-11-20", "--team"],
    ["stats", "--on", "2026-11-20", "--team", "--json"],
    ["stats", "--on", "2026-11-20", "--since", "2026-11-10", "--team", "--json"],
    ["rm", "张伟", "--yes"],
    ["edit", "欧阳娜娜", "--status", "prospect"],
    ["list", "--status", "all", "--json"],
    ["show", "李娜"],
]


def test_every_command_gives_the_same_answer_as_on_sqlite(cli, db_url, tmp_path: Path):
    """`--db postgresql+psycopg://...` on the command line, against the same commands on a SQLite
    file: same exit status, same output, command by command (FOLLOWUP_DB names a folder that does
    not exist, so only --db can be in use)."""
    reference = str(tmp_path / "reference.db")
    nowhere = {"FOLLOWUP_DB": str(tmp_path / "missing" / "followup.db"), "FOLLOWUP_TODAY": "2026-11-20"}
    assert db_url.startswith("postgresql+psycopg://")
    for args in SMOKE:
        on_sqlite = ok(cli("--db", reference, *args, env=nowhere))
        on_postgres = cli("--db", db_url, *args, env=nowhere)
        assert (on_postgres.exit_code, on_postgres.stdout, on_postgres.stderr) == (
            0,
            on_sqlite.stdout,
            on_sqlite.stderr,
        ), args
    # and the outcome is the month above, not two identical mistakes
    listed = {c["name"]: c for c in ok(cli("--db", db_url, "list", "--status", "all", "--json")).json()}
    assert {name: (c["status"], c["touches"], c["referrer"]) for name, c in listed.items()} == {
        "王强": ("prospect", 3, None),
        "陈素": ("repeat", 0, "王强"),
        "欧阳娜娜": ("prospect", 1, None),
        "苏晨": ("prospect", 0, None),
        "李娜": ("prospect", 1, "陈素"),
    }
    stats = ok(cli("--db", db_url, "stats", "--on", "2026-11-20", "--json")).json()
    assert stats["referred"]["won"] == 1 and stats["revenue"]["by_source"] == {"customer": 2000.5}


# ---------------------------------------------------------------- rules that differed between the databases


@pytest.mark.backends("sqlite", "postgresql")
def test_a_days_untimed_touch_comes_before_its_timed_ones(cli):
    """A touch without a time is numbered first among that day's touches, on both databases
    (PostgreSQL sorts NULL last unless told)."""
    ok(cli("add", "陈素"))
    ok(cli("touch", "陈素", "--via", "visit", "--on", "2026-11-02 15:30"))
    ok(cli("touch", "陈素", "--via", "call", "--on", "2026-11-02"))
    ok(cli("touch", "陈素", "--via", "email", "--on", "2026-11-02 09:00"))
    touches = ok(cli("show", "陈素", "--json")).json()["touches"]
    assert [(t["n"], t["via"], t["time"]) for t in touches] == [
        (1, "call", None),
        (2, "email", "09:00"),
        (3, "visit", "15:30"),
    ]


@pytest.mark.backends("sqlite", "postgresql")
def test_the_day_a_contact_was_added_is_its_utc_day_whatever_the_server_time_zone(cli, db_url):
    """Added at 20:00 UTC on 2 November (4 am on the 3rd in Shanghai, the test server's zone):
    `show` says added 2026-11-02, and `stats` counts the contact as first seen that day."""
    ok(cli("add", "王强"))
    ok(cli("lost", "王强", "--on", "2026-11-02"))
    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    from followup.models import Contact

    with engine.begin() as conn:
        conn.execute(update(Contact).values(created_at=datetime(2026, 11, 2, 20, 0, tzinfo=UTC)))
    engine.dispose()
    assert ok(cli("show", "王强", "--json")).json()["contact"]["added"] == "2026-11-02"
    assert ok(cli("stats", "--on", "2026-11-02", "--json")).json()["decided"] == 1
    assert ok(cli("stats", "--on", "2026-11-02", "--since", "2026-11-03", "--json")).json()["prospects"] == 0


@pytest.mark.backends("sqlite", "postgresql")
def test_a_sale_of_thirty_million_is_recorded_and_counted(cli):
    """Beyond 21,474,836.47 a 32-bit INTEGER of cents overflows: amounts are BIGINT on both."""
    ok(cli("add", "王强"))
    ok(cli("touch", "王强", "--on", "2026-11-01"))
    ok(cli("sold", "王强", "--amount", "30,000,000.50", "--on", "2026-11-02"))
    assert [s["amount"] for s in ok(cli("show", "王强", "--json")).json()["sales"]] == [30_000_000.5]
    assert ok(cli("stats", "--on", "2026-11-02", "--json")).json()["revenue"]["not_referred"] == 30_000_000.5


@pytest.mark.backends("sqlite", "postgresql")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "#99999999999"], "Error: no contact #99999999999; "),
        (["touch", "99999999999", "--on", "2026-11-02"], "Error: no contact 99999999999; "),
        (["done", "99999999999", "--on", "2026-11-02"], "Error: no follow-up #99999999999; "),
        (["snooze", "#99999999999", "2026-11-09"], "Error: no follow-up #99999999999; "),
        (["sold", "王强", "--amount", "999999999999999999", "--on", "2026-11-02"], "Error: --amount: "),
    ],
    ids=["contact-id", "contact-number", "followup-id", "snooze-id", "amount"],
)
def test_numbers_beyond_the_columns_are_one_error_line_and_write_nothing(cli, dump, args, message):
    """Ids past 32 bits and amounts past 64 bits match nothing / are refused with exit 2 (PostgreSQL
    would otherwise fail the whole command on the out-of-range value)."""
    ok(cli("add", "王强", "--first", "2026-11-02"))
    before = dump()
    result = cli(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith(message) and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert dump() == before


@pytest.mark.backends("sqlite", "postgresql")
def test_dump_sees_every_kind_of_write(cli, dump):
    """The `dump` the write-nothing tests compare would see a row added, changed or deleted."""
    ok(cli("add", "王强", "--first", "2026-11-02"))
    before = dump()
    ok(cli("snooze", "1", "2026-11-03"))
    changed = dump()
    ok(cli("add", "陈素"))
    added = dump()
    ok(cli("rm", "陈素", "--yes"))
    assert before != changed != added != dump() == changed


@pytest.mark.backends("sqlite")  # no server needed: each URL fails before any database is used
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+psycopg://sue:s3cret@127.0.0.1:1/team", "Error: --db: cannot open postgresql+psycopg://sue:***@"),
        ("postgresql+psycopg://sue:s3cret@db:port/team", "Error: --db: cannot use 'postgresql+psycopg://sue:***@db"),
        ("postgresql+psycopg://sue:s3c@ret@db:5x/team", "Error: --db: cannot use 'postgresql+psycopg://sue:***@db"),
        ("nosuchdb://sue:s3cret@db/team", "Error: --db: cannot use 'nosuchdb://sue:***@db/team'"),
    ],
    ids=["unreachable", "bad-port", "unquoted-at", "unknown-database"],
)
def test_a_database_url_that_cannot_be_used_is_one_error_line_without_the_password(cli, url, message):
    result = cli("--db", url, "due", "--on", "2026-11-02")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith(message) and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "s3c" not in result.stderr and "ret@" not in result.stderr
