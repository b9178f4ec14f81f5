"""Team mode: every contact belongs to one salesperson (`--user` / FOLLOWUP_USER / the login).

On a shared PostgreSQL database each salesperson works among their own contacts: names and
ids resolve among them, `due`, `list` and `stats` show theirs, and `--team` on `list` and
`stats` shows everyone. On a single-user SQLite file the owner is filled and ignored.
"""

from __future__ import annotations

import getpass

import pytest
from helpers import ok, refused
from sqlalchemy import create_engine, text

TODAY = "2026-11-23"


def owners(db_url: str) -> dict[str, str]:
    """Contact name -> owner, read from the database itself."""
    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT name, owner FROM contact ORDER BY id")).all())
    finally:
        engine.dispose()


@pytest.fixture
def as_user(cli):
    """`as_user("alice", "touch", "Tom")`: followup run by salesperson alice on the test's database."""

    def run(user: str, *args: str, today: str = TODAY):
        return cli("--user", user, *args, today=today)

    return run


# a small team book: alice and bob each have a "Tom Wang"; Sue Chen (referred by Bob Li) is alice's
TEAM_BOOK = [
    ["--user", "alice", "add", "Tom Wang", "--company", "Acme", "--first", "2026-11-20"],
    ["--user", "alice", "add-referral", "Sue Chen", "--from", "Bob Li", "--on", "2026-11-02", "--source", "customer"],
    ["--user", "bob", "add", "Tom Wang", "--company", "Globex", "--first", "2026-11-23"],
    ["--user", "bob", "add", "Ann Lee", "--first", "2026-11-21"],
]


# ---------------------------------------------------------------- PostgreSQL: each their own


@pytest.mark.backends("postgresql")
class TestSharedDatabase:
    def test_new_contacts_belong_to_who_added_them(self, seed, db_url):
        seed(TEAM_BOOK)
        engine = create_engine(db_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT name, company, owner FROM contact ORDER BY id")).all()
        finally:
            engine.dispose()
        assert [tuple(r) for r in rows] == [
            ("Tom Wang", "Acme", "alice"),
            ("Bob Li", None, "alice"),  # a new referrer is the salesperson's contact too
            ("Sue Chen", None, "alice"),
            ("Tom Wang", "Globex", "bob"),
            ("Ann Lee", None, "bob"),
        ]

    def test_a_teammates_namesake_is_no_namesake(self, seed, as_user):
        seed(TEAM_BOOK[:1])
        added = ok(as_user("bob", "add", "Tom Wang"))
        assert "also named" not in added.stderr
        again = ok(as_user("bob", "add", "Tom Wang"))
        assert "also named Tom Wang" in again.stderr  # bob's own namesake is still pointed out

    def test_names_resolve_among_your_own_contacts(self, seed, as_user):
        seed(TEAM_BOOK)
        ok(as_user("bob", "touch", "Tom", "--on", TODAY))
        bob_tom = ok(as_user("bob", "show", "Tom Wang", "--json")).json()
        alice_tom = ok(as_user("alice", "show", "Tom Wang", "--json")).json()
        assert (bob_tom["contact"]["company"], bob_tom["contact"]["owner"], len(bob_tom["touches"])) == (
            "Globex",
            "bob",
            1,
        )
        assert (alice_tom["contact"]["company"], alice_tom["touches"]) == ("Acme", [])

    @pytest.mark.parametrize(
        "args",
        [
            ["touch", "Sue", "--on", TODAY],
            ["touch", "Sue Chen", "--on", TODAY],
            ["show", "#3"],
            ["sold", "Sue Chen", "--on", TODAY],
            ["lost", "Sue Chen", "--on", TODAY],
            ["edit", "Sue Chen", "--phone", "123"],
            ["schedule", "Sue Chen", "2026-11-30"],
            ["ask", "Bob Li", "--got", "0", "--on", TODAY],
            ["rm", "Sue Chen", "--yes"],
            ["add-referral", "Kim Park", "--from", "Bob Li", "--on", TODAY],
            ["add-referral", "Sue Chen", "--from", "Ann Lee", "--on", TODAY],
        ],
    )
    def test_a_teammates_contact_is_refused_naming_the_owner(self, seed, as_user, dump, args):
        seed(TEAM_BOOK)
        before = dump()
        line = refused(as_user("bob", *args), "alice", "--owner bob")
        assert "bob" in line
        assert dump() == before

    @pytest.mark.parametrize("command", [["done", "{id}"], ["skip", "{id}"], ["snooze", "{id}", "2026-12-01"]])
    def test_a_teammates_follow_up_is_refused_naming_the_owner(self, seed, as_user, dump, command):
        seed(TEAM_BOOK)
        sue = ok(as_user("alice", "show", "Sue Chen", "--json")).json()
        fid = next(f["id"] for f in sue["followups"] if f["status"] == "open")
        before = dump()
        refused(as_user("bob", *(part.format(id=fid) for part in command)), f"#{fid}", "alice")
        assert dump() == before
        ok(as_user("alice", *(part.format(id=fid) for part in command)))

    def test_due_shows_your_own_follow_ups_only(self, seed, as_user):
        seed(TEAM_BOOK)
        alice = ok(as_user("alice", "due", "--json")).json()
        bob = ok(as_user("bob", "due", "--json")).json()
        assert {i["contact"] for i in alice["due"]} == {"Tom Wang", "Sue Chen", "Bob Li"}
        assert {i["company"] for i in alice["due"] if i["contact"] == "Tom Wang"} == {"Acme"}
        assert {(i["contact"], i["company"]) for i in bob["due"]} == {("Tom Wang", "Globex"), ("Ann Lee", None)}
        nobody = ok(as_user("carol", "due", "--json")).json()
        assert nobody["due"] == [] and nobody["no_next_step"] == []

    def test_list_shows_yours_and_team_shows_everyone_with_the_owner(self, seed, as_user):
        seed(TEAM_BOOK)
        mine = ok(as_user("bob", "list", "--json")).json()
        assert [(r["name"], "owner" in r) for r in mine] == [("Tom Wang", False), ("Ann Lee", False)]
        everyone = ok(as_user("bob", "list", "--team", "--json")).json()
        assert [(r["name"], r["owner"]) for r in everyone] == [
            ("Tom Wang", "alice"),
            ("Bob Li", "alice"),
            ("Sue Chen", "alice"),
            ("Tom Wang", "bob"),
            ("Ann Lee", "bob"),
        ]
        table = ok(as_user("bob", "list", "--team")).stdout
        assert "owner" in table and "alice" in table and "5 contacts" in table

    def test_edit_owner_hands_a_contact_over_with_its_history(self, seed, as_user, db_url):
        seed(TEAM_BOOK)
        ok(as_user("alice", "touch", "Sue Chen", "--on", "2026-11-03"))
        handed = ok(as_user("alice", "edit", "Sue Chen", "--owner", "bob"))
        assert "owner" in handed.stdout and "bob" in handed.stdout
        assert owners(db_url)["Sue Chen"] == "bob"
        refused(as_user("alice", "show", "Sue Chen"), "bob")
        shown = ok(as_user("bob", "show", "Sue Chen", "--json")).json()
        assert [t["date"] for t in shown["touches"]] == ["2026-11-03"]
        assert shown["contact"]["owner"] == "bob"
        assert shown["referred_by"]["referrer"] == "Bob Li"  # the referral stays linked to alice's Bob Li
        bob_due = ok(as_user("bob", "due", "--days", "30", "--json")).json()
        assert "Sue Chen" in {i["contact"] for i in bob_due["due"] + bob_due["upcoming"]}

    def test_stats_count_your_own_and_team_adds_a_row_per_salesperson(self, seed, as_user):
        seed(
            [
                *TEAM_BOOK,
                ["--user", "alice", "touch", "Sue Chen", "--on", "2026-11-03"],
                ["--user", "alice", "touch", "Sue Chen", "--on", "2026-11-05"],
                ["--user", "alice", "sold", "Sue Chen", "--on", "2026-11-06", "--amount", "500"],
                ["--user", "alice", "ask", "Sue Chen", "--got", "0", "--on", "2026-11-20"],
                ["--user", "bob", "touch", "Ann Lee", "--on", "2026-11-21"],
                ["--user", "bob", "lost", "Ann Lee", "--on", "2026-11-22"],
            ]
        )
        alice = ok(as_user("alice", "stats", "--json")).json()
        assert (alice["prospects"], alice["decided"], alice["won"]) == (3, 1, 1)
        assert alice["salesperson"] == "alice" and alice["salespeople"] is None
        bob = ok(as_user("bob", "stats", "--json")).json()
        assert (bob["prospects"], bob["decided"], bob["won"]) == (2, 1, 0)
        team = ok(as_user("bob", "stats", "--team", "--json")).json()
        assert (team["prospects"], team["decided"], team["won"]) == (5, 2, 1)
        assert team["salesperson"] is None
        rows = {row["name"]: row for row in team["salespeople"]}
        assert rows["alice"] == {
            "name": "alice",
            "prospects": 3,
            "decided": 1,
            "won": 1,
            "rate": 1.0,
            "small_sample": True,
            "referrals": 1,
            "asks": 1,
            "avg_touches_to_win": 2.0,
        }
        assert rows["bob"] == {
            "name": "bob",
            "prospects": 2,
            "decided": 1,
            "won": 0,
            "rate": 0.0,
            "small_sample": True,
            "referrals": 0,
            "asks": 0,
            "avg_touches_to_win": None,
        }
        drawn = ok(as_user("bob", "stats", "--team")).stdout
        assert "Per salesperson" in drawn and "the whole team" in drawn
        assert "bob's contacts" in ok(as_user("bob", "stats")).stdout

    def test_followup_user_names_the_salesperson(self, seed, cli):
        seed(TEAM_BOOK)
        listed = ok(cli("list", "--json", env={"FOLLOWUP_USER": "bob"})).json()
        assert [r["name"] for r in listed] == ["Tom Wang", "Ann Lee"]
        # --user wins over FOLLOWUP_USER
        listed = ok(cli("--user", "alice", "list", "--json", env={"FOLLOWUP_USER": "bob"})).json()
        assert [r["name"] for r in listed] == ["Tom Wang", "Bob Li", "Sue Chen"]


# ---------------------------------------------------------------- both databases


@pytest.mark.backends("sqlite", "postgresql")
def test_the_login_name_is_the_default_owner(cli, db_url):
    ok(cli("add", "Tom Wang"))
    assert owners(db_url) == {"Tom Wang": getpass.getuser()}


@pytest.mark.backends("sqlite", "postgresql")
@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--user", "", "list"], {}),
        (["--user", "   ", "add", "Tom"], {}),
        (["--user", "x" * 65, "add", "Tom"], {}),
        (["--user", "al\tice", "add", "Tom"], {}),
        (["add", "Tom"], {"FOLLOWUP_USER": " "}),
        (["edit", "Tom Wang", "--owner", ""], {}),
        (["edit", "Tom Wang", "--owner", "bo\x07b"], {}),
    ],
)
def test_a_blank_or_unprintable_salesperson_is_refused(seed, cli, dump, args, env):
    seed([["add", "Tom Wang"]])
    before = dump()
    refused(cli(*args, env=env), "salesperson")
    assert dump() == before


@pytest.mark.backends("sqlite", "postgresql")
def test_stats_team_has_a_row_per_salesperson_on_both_databases(seed, cli):
    seed(
        [
            ["--user", "alice", "add", "Tom Wang"],
            ["--user", "alice", "sold", "Tom Wang", "--on", "2026-11-10"],
            ["--user", "bob", "add", "Ann Lee"],
        ]
    )
    team = ok(cli("stats", "--team", "--json", today=TODAY)).json()
    assert [(r["name"], r["prospects"], r["won"]) for r in team["salespeople"]] == [("alice", 1, 1), ("bob", 1, 0)]


# ---------------------------------------------------------------- SQLite: filled and ignored


@pytest.mark.backends("sqlite")
def test_on_sqlite_the_owner_is_filled_and_ignored(seed, as_user, db_url):
    seed(TEAM_BOOK)
    assert owners(db_url)["Ann Lee"] == "bob"
    listed = ok(as_user("carol", "list", "--json")).json()
    assert len(listed) == 5 and all("owner" not in r for r in listed)
    ok(as_user("carol", "touch", "Ann Lee", "--on", TODAY))
    due = ok(as_user("carol", "due", "--days", "30", "--json")).json()
    assert {"Ann Lee", "Sue Chen"} <= {i["contact"] for i in due["due"] + due["upcoming"]}
    stats = ok(as_user("carol", "stats", "--json")).json()
    assert stats["prospects"] == 5 and stats["salesperson"] is None


# ---------------------------------------------------------------- upgrading a team's database


@pytest.fixture
def empty_database(postgres):
    """A PostgreSQL database with no tables, dropped after the test."""
    name = postgres.create_database("template0")
    yield postgres.url(name)
    postgres.drop_database(name)


@pytest.mark.backends("postgresql")
def test_a_shared_database_of_the_previous_schema_gets_its_owner_in_place(empty_database, cli):
    """The month of tests/fixtures/schema_m003.db, in a PostgreSQL database at schema m003,
    opened by this release: every row kept, every contact given to whoever opened it first."""
    from pathlib import Path

    from sqlalchemy import MetaData, insert, select

    from followup.db import make_engine
    from followup.migrations import MIGRATIONS, migrate

    fixture = Path(__file__).parent / "fixtures" / "schema_m003.db"
    url = empty_database
    source, target = create_engine(f"sqlite:///{fixture}"), make_engine(url)
    try:
        assert migrate(target, MIGRATIONS[:3])[-1] == "m003_followup_contact_due_index"
        before = {}
        with source.connect() as src, target.begin() as dst:
            tables = MetaData()
            tables.reflect(src)
            for table in tables.sorted_tables:
                if table.name == "schema_migrations":
                    continue
                rows = [dict(r._mapping) for r in src.execute(select(table).order_by(table.c.id))]
                before[table.name] = rows
                if rows:
                    dst.execute(insert(table), rows)
                dst.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {max(r['id'] for r in rows)})")
                )
    finally:
        source.dispose()
        target.dispose()

    listed = ok(cli("--user", "dave", "list", "--team", "--json", env={"FOLLOWUP_DB": url})).json()
    assert [r["id"] for r in listed] == [r["id"] for r in before["contact"]]
    assert {r["owner"] for r in listed} == {"dave"}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for table, rows in before.items():
                count = conn.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar()
                assert count == len(rows), table
            names = conn.execute(text("SELECT name, status FROM contact ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in names] == [(r["name"], r["status"]) for r in before["contact"]]
    # dave works on as before; a teammate sees none of it
    ok(cli("--user", "dave", "touch", "陈素", "--on", "2026-10-20", env={"FOLLOWUP_DB": url}))
    refused(cli("--user", "erin", "touch", "陈素", "--on", "2026-10-20", env={"FOLLOWUP_DB": url}), "dave")
