"""`followup export` (JSON that round-trips every table, CSV for spreadsheets) and the JSON
import reader (`followup.portable.import_json`), on both databases."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers import ok, refused
from sqlalchemy import create_engine, insert, select, text

from followup.config import current_user
from followup.db import open_engine, session_scope
from followup.errors import UserError
from followup.importer import ImportReport
from followup.models import Complaint, FollowUp, LeadGiven, LevelChange, Sale
from followup.portable import csv_cell, import_json
from followup.services import Salesperson

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-23"
ON = "2026-12-01"

# A salesperson's realistic book: referrals of every source, a repeat customer, a loss, asks
# that named people, hand-made and timed follow-ups, several phones, Chinese names, tags.
BOOK = [
    ["add", "Bob Li", "--company", "Acme", "--phone", "mobile: +86 138 0000 0001", "--phone", "work: 010 6000 0001",
     "--email", "bob@acme.com", "--tag", "vip", "--tag", "golf", "--role", "power", "--level", "ally",
     "--first", "2026-10-01"],
    ["touch", "Bob Li", "--via", "call", "--outcome", "reached", "--on", "2026-10-01"],
    ["touch", "Bob Li", "--via", "visit", "--outcome", "committed", "--purpose", "deal", "--on", "2026-10-03 15:30"],
    ["sold", "Bob Li", "--product", "Model X", "--amount", "12,000", "--on", "2026-10-04"],
    ["sold", "Bob Li", "--product", "Model Y", "--amount", "800.50", "--on", "2026-11-02", "--complex"],
    ["add-referral", "陈素", "--from", "Bob Li", "--source", "customer", "--phone", "+86 139 0000 0002",
     "--company", "华为", "--on", "2026-10-05"],
    ["add-referral", "Sue Chen", "--from", "Vera Vendor", "--source", "vendor", "--on", "2026-10-06"],
    ["add-referral", "Dan Wu", "--from", "Bob Li", "--source", "declined", "--on", "2026-10-07"],
    ["add-referral", "Eve Xu", "--from", "Pat Partner", "--source", "exchange", "--partner", "Globex",
     "--on", "2026-10-08"],
    ["add-referral", "Fay Ho", "--from", "Net Worker", "--source", "network", "--on", "2026-10-09"],
    ["touch", "陈素", "--via", "call", "--outcome", "no-answer", "--on", "2026-10-06"],
    ["touch", "陈素", "--via", "sms", "--on", "2026-10-08", "--next", "2026-12-02 10:00"],
    ["touch", "Sue Chen", "--via", "email", "--note", "sent the brochure, 'A, B; C'", "--on", "2026-10-07"],
    ["sold", "Sue Chen", "--amount", "3000", "--on", "2026-10-20"],
    ["touch", "Dan Wu", "--on", "2026-10-08"],
    ["lost", "Dan Wu", "--reason", "chose a cheaper supplier", "--on", "2026-10-15"],
    ["ask", "Bob Li", "--names", "王伟, Gil Ma", "--on", "2026-11-03"],
    ["ask", "Sue Chen", "--got", "0", "--on", "2026-11-04"],
    ["schedule", "Fay Ho", "2026-11-28", "--what", "call after their budget meeting"],
    ["schedule", "Eve Xu", "2026-11-30 09:15", "--what", "demo at their office"],
    ["add", "Hal Zhou", "--email", "home: hal@example.com", "--email", "hal@work.example", "--note", "met at expo"],
    ["edit", "Gil Ma", "--do-not-contact"],
]  # fmt: skip


def extra_records(db_url: str) -> None:
    """What the book's commands do not write yet: a level change, a complaint with the follow-up
    closing its loop, a lead given to a partner."""
    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    try:
        with engine.begin() as conn:
            ids = dict(conn.execute(text("SELECT name, id FROM contact")).all())
            fu = conn.execute(select(FollowUp.id).where(FollowUp.contact_id == ids["Bob Li"]).limit(1)).scalar()
            at = datetime(2026, 11, 5, 8, 0, tzinfo=UTC)
            conn.execute(
                insert(LevelChange).values(
                    contact_id=ids["Bob Li"], level="ally", previous="partner", day=date(2026, 11, 1), created_at=at
                )
            )
            conn.execute(
                insert(Complaint).values(
                    contact_id=ids["Bob Li"],
                    kind="packaging",
                    day=date(2026, 11, 5),
                    note="box dented",
                    status="open",
                    followup_id=fu,
                    created_at=at,
                )
            )
            conn.execute(
                insert(LeadGiven).values(
                    partner="Globex",
                    partner_key="globex",
                    contact_id=ids["Hal Zhou"],
                    contact_name="Hal Zhou",
                    day=date(2026, 11, 6),
                    won=True,
                    won_amount_cents=2**40,
                    owner=current_user(),
                    created_at=at,
                )
            )
    finally:
        engine.dispose()


@pytest.fixture
def book(seed, db_url) -> None:
    seed(BOOK, today=TODAY)
    extra_records(db_url)


def import_file(db: str, path: Path, *, dry_run: bool = False, user: str | None = None) -> ImportReport:
    """`import_json` on database `db`, in one transaction as the import command runs it."""
    report = ImportReport()
    engine = open_engine(db, write=True)
    try:
        with session_scope(engine) as session:
            import_json(
                session,
                Salesperson(user or current_user()),
                json.loads(path.read_text(encoding="utf-8")),
                report,
                dry_run=dry_run,
            )
    finally:
        engine.dispose()
    return report


def dump_of(db: str) -> dict:
    """Every model table's rows as data (the migration ledger left out: its times differ)."""
    engine = create_engine(db if "://" in db else f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            from sqlmodel import SQLModel

            return {
                t.name: [dict(r._mapping) for r in conn.execute(select(t).order_by(t.c.id))]
                for t in SQLModel.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def without_ids(data):
    if isinstance(data, dict):
        return {k: without_ids(v) for k, v in data.items() if k not in ("id", "contact_id")}
    if isinstance(data, list):
        return [without_ids(v) for v in data]
    return data


# ---------------------------------------------------------------- the round trip


def test_export_import_round_trip_gives_the_same_lists_stats_and_due(book, cli, db_url, empty_db, tmp_path):
    exported = tmp_path / "book.json"
    ok(cli("export", "-o", str(exported), today=TODAY))

    report = import_file(empty_db, exported)

    def both(*args):
        return (ok(cli(*args, today=TODAY)).json(), ok(cli(*args, today=TODAY, env={"FOLLOWUP_DB": empty_db})).json())

    original, imported = both("list", "--json", "--status", "all")
    assert imported == original and len(original) == 12
    original, imported = both("stats", "--json", "--on", ON)
    assert imported == original
    assert original["revenue"]["referred"] > 0 and original["by_touches"][0]["decided"] >= 1
    original, imported = both("due", "--json", "--on", ON, "--days", "400")
    assert without_ids(imported) == without_ids(original) and original["due"] and original["upcoming"]
    for contact in ("Bob Li", "陈素", "Eve Xu"):
        original, imported = both("show", contact, "--json")
        assert without_ids(imported) == without_ids(original)
    # every table, every column: the new database holds what the old one did
    assert without_ids(dump_of(empty_db)) == without_ids(dump_of(db_url))
    assert sorted(report.added) == sorted(c["name"] for c in original_list(cli))
    assert ("陈素", "Bob Li") in report.linked and ("Eve Xu", "Pat Partner") in report.linked
    assert report.records["touch"] == 6 and report.records["lead_given"] == 1 and report.records["complaint"] == 1
    assert report.duplicates == [] and report.bad == []


def original_list(cli):
    return ok(cli("list", "--json", "--status", "all", today=TODAY)).json()


def test_the_round_trip_through_followup_import(book, cli, db_url, empty_db, tmp_path):
    exported = tmp_path / "book.json"
    ok(cli("export", "-o", str(exported), today=TODAY))
    there = {"FOLLOWUP_DB": empty_db}

    run = ok(cli("import", str(exported), today=TODAY, env=there))
    again = ok(cli("import", str(exported), today=TODAY, env=there))

    assert "added 12 contacts" in run.stdout and "added 0 contacts" in again.stdout
    for args in (["list", "--json", "--status", "all"], ["stats", "--json", "--on", ON]):
        assert ok(cli(*args, today=TODAY, env=there)).json() == ok(cli(*args, today=TODAY)).json()
    assert without_ids(dump_of(empty_db)) == without_ids(dump_of(db_url))


def test_csv_contacts_round_trip_through_followup_import(book, cli, empty_db, tmp_path):
    """The columns import reads come back as they were exported: "+86 ..." phones, which the
    export wrote as "'+86 ...", and a note that looks like a formula among them."""
    ok(cli("edit", "Hal Zhou", "--note", "=1+1, then @me", today=TODAY))
    exported = tmp_path / "contacts.csv"
    ok(cli("export", "--format", "csv", "-o", str(exported), today=TODAY))
    assert "'+86 139 0000 0002" in exported.read_text(encoding="utf-8-sig")
    there = {"FOLLOWUP_DB": empty_db}

    ok(cli("import", str(exported), today=TODAY, env=there))

    imported = tmp_path / "again.csv"
    ok(cli("export", "--format", "csv", "-o", str(imported), today=TODAY, env=there))
    read = [
        "Name",
        "Company",
        "Phone 1",
        "Phone 2",
        "E-mail 1",
        "E-mail 2",
        "Role",
        "Level",
        "Tags",
        "Note",
        "Referred by",
    ]

    def columns(path: Path) -> list[list[str]]:
        return sorted([row[c] for c in read] for row in read_csv(path.read_text(encoding="utf-8-sig")))

    assert columns(imported) == columns(exported)
    shown = ok(cli("show", "陈素", "--json", today=TODAY, env=there)).json()
    assert "+86 139 0000 0002" in json.dumps(shown, ensure_ascii=False)
    assert "'+86" not in json.dumps(shown, ensure_ascii=False)


def test_references_between_records_are_remapped(book, cli, empty_db, tmp_path):
    """Ids in a database that is not empty are new; every reference follows its record."""
    ok(cli("add", "Someone Else", "--first", "2026-11-20", today=TODAY, env={"FOLLOWUP_DB": empty_db}))
    exported = tmp_path / "book.json"
    ok(cli("export", "-o", str(exported), today=TODAY))

    import_file(empty_db, exported)

    data = dump_of(empty_db)
    names = {c["id"]: c["name"] for c in data["contact"]}
    sales = {s["id"]: s for s in data["sale"]}
    bob = next(i for i, n in names.items() if n == "Bob Li")
    assert {names[r["prospect_id"]]: names.get(r["referrer_id"]) for r in data["referral"]}["陈素"] == "Bob Li"
    post_sale = [f for f in data["followup"] if f["kind"] == "post_sale_2"]
    assert post_sale and all(sales[f["sale_id"]]["contact_id"] == f["contact_id"] for f in post_sale)
    coach = [f for f in data["followup"] if f["kind"] == "coach"]
    assert coach and all(
        names[f["about_contact_id"]] in {"陈素", "Dan Wu", "王伟", "Gil Ma"} for f in coach if f["contact_id"] == bob
    )
    complaint = data["complaint"][0]
    assert next(f for f in data["followup"] if f["id"] == complaint["followup_id"])["contact_id"] == bob
    assert {d["value"] for d in data["contact_detail"] if d["contact_id"] == bob} == {
        "+86 138 0000 0001",
        "010 6000 0001",
        "bob@acme.com",
    }
    done = [f for f in data["followup"] if f["touch_id"] is not None]
    touches = {t["id"]: t for t in data["touch"]}
    assert done and all(touches[f["touch_id"]]["contact_id"] == f["contact_id"] for f in done)


def test_importing_the_same_export_twice_adds_nothing(book, cli, empty_db, tmp_path):
    exported = tmp_path / "book.json"
    ok(cli("export", "-o", str(exported), today=TODAY))
    import_file(empty_db, exported)
    before = dump_of(empty_db)

    again = import_file(empty_db, exported)

    assert dump_of(empty_db) == before
    assert again.added == [] and again.records == {} and again.linked == []
    assert len(again.duplicates) == 12
    assert all("same moment" in why for _, _, why in again.duplicates)


def test_a_contact_with_the_same_name_and_a_shared_phone_is_skipped_with_its_records(cli, empty_db, tmp_path):
    ok(cli("add", "Bob Li", "--phone", "+86 138 0000 0001", "--first", "2026-11-01", today=TODAY))
    ok(cli("touch", "Bob Li", "--on", "2026-11-01", today=TODAY))
    ok(cli("add-referral", "Amy Qi", "--from", "Bob Li", "--on", "2026-11-02", today=TODAY))
    ok(cli("add", "Zed", today=TODAY))
    exported = tmp_path / "book.json"
    ok(cli("export", "-o", str(exported), today=TODAY))
    there = {"FOLLOWUP_DB": empty_db}
    ok(cli("add", "BOB LI", "--phone", "138-0000-0001", today=TODAY, env=there))
    ok(cli("add", "Zed", today=TODAY, env=there))  # a namesake with nothing shared

    report = import_file(empty_db, exported)

    assert [(line, name) for line, name, _ in report.duplicates] == [(1, "Bob Li")]
    assert "shared phone or e-mail" in report.duplicates[0][2]
    assert sorted(report.added) == ["Amy Qi", "Zed"]
    assert [(line, name) for line, name, _ in report.possible_duplicates] == [(3, "Zed")]
    data = dump_of(empty_db)
    names = {c["id"]: c["name"] for c in data["contact"]}
    assert data["touch"] == []  # Bob Li's touch stayed behind with him
    referral = data["referral"][0]
    # Amy Qi's referrer is the Bob Li already there
    assert names[referral["prospect_id"]] == "Amy Qi" and names[referral["referrer_id"]] == "BOB LI"
    coach = [f for f in data["followup"] if f["kind"] == "coach"]
    assert coach == []  # the coach task belongs to Bob Li, who was not imported


def test_a_referrer_left_out_of_the_export_keeps_the_name(session, tmp_path):
    data = {
        "format": "followup-export",
        "version": 1,
        "schema": "m007_selling_practice",
        "tables": {
            "contact": [{"id": 7, "name": "Amy Qi", "name_key": "amy qi", "created_at": "2026-11-01T08:00:00Z"}],
            "referral": [
                {
                    "id": 3,
                    "prospect_id": 7,
                    "referrer_id": 99,
                    "referrer_name": "Bob Li",
                    "source": "customer",
                    "referred_on": "2026-11-01",
                }
            ],
        },
    }
    report = ImportReport()

    import_json(session, Salesperson("sam"), data, report, dry_run=False)

    contact = session.execute(text("SELECT id, owner, status, tags FROM contact")).one()
    assert contact[1:] == ("sam", "prospect", "")  # the owner is the importer; missing columns take defaults
    referral = session.execute(text("SELECT prospect_id, referrer_id, referrer_name FROM referral")).one()
    assert tuple(referral) == (contact[0], None, "Bob Li")
    assert report.linked == [("Amy Qi", "Bob Li")] and report.records == {"referral": 1}


def test_a_dry_run_writes_nothing_and_reports_what_it_would(book, cli, empty_db, tmp_path):
    exported = tmp_path / "book.json"
    ok(cli("export", "-o", str(exported), today=TODAY))
    ok(cli("list", today=TODAY, env={"FOLLOWUP_DB": empty_db}))  # made and migrated
    before = dump_of(empty_db)

    report = import_file(empty_db, exported, dry_run=True)

    assert dump_of(empty_db) == before
    assert len(report.added) == 12 and report.records["touch"] == 6 and len(report.linked) == 7


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"format": "followup-export", "version": 2, "tables": {}}, ["version 2", "newer", "reads version 1"]),
        ({"format": "vcard"}, ["not a followup export", '"format": "followup-export"']),
        ([1, 2], ["not a followup export"]),
        ({"format": "followup-export", "tables": {}}, ["no version"]),
        ({"format": "followup-export", "version": 1, "schema": "m099_future", "tables": {}}, ["m099_future", "newer"]),
        ({"format": "followup-export", "version": 1, "tables": {"gadget": []}}, ["gadget"]),
        ({"format": "followup-export", "version": 1, "tables": {"contact": {}}}, ["contact table"]),
        (
            {"format": "followup-export", "version": 1, "tables": {"contact": [{"id": 1, "name": "A", "created_at": "soon"}]}},
            ["contact record 1", "created_at", "ISO date-time"],
        ),
        (
            {"format": "followup-export", "version": 1, "tables": {"contact": [{"id": 1, "name": "A", "colour": "red"}]}},
            ["contact record 1", "colour"],
        ),
        (
            {"format": "followup-export", "version": 1, "tables": {"contact": [{"id": 1, "name": None}]}},
            ["contact record 1", "name is empty"],
        ),
        (
            {"format": "followup-export", "version": 1, "tables": {"contact": [{"id": 1, "name": "A", "do_not_contact": "yes"}]}},
            ["do_not_contact", "true or false"],
        ),
        (
            {"format": "followup-export", "version": 1, "tables": {"contact": [{"id": 2**40, "name": "A"}]}},
            ["id", "whole number"],
        ),
        (
            {"format": "followup-export", "version": 1, "tables": {"contact": [{"id": 1, "name": "A\x00"}]}},
            ["not text"],
        ),
        (
            {"format": "followup-export", "version": 1, "tables": {"contact": [{"id": 1, "name": "A"}, {"id": 1, "name": "B"}]}},
            ["contact record 2", "twice"],
        ),
        (
            {
                "format": "followup-export",
                "version": 1,
                "tables": {"touch": [{"id": 1, "contact_id": 5, "day": "2026-11-01", "channel": "call"}]},
            },
            ["touch record 1", "contact_id 5", "no contact"],
        ),
    ],
    ids=[
        "newer-version", "another-format", "not-an-object", "no-version", "newer-schema", "unknown-table",
        "table-not-a-list", "bad-datetime", "unknown-field", "missing-name", "bool-as-text", "id-too-big",
        "nul", "repeated-id", "touch-of-nobody",
    ],
)  # fmt: skip
def test_a_file_import_cannot_read_is_refused_saying_what_is_accepted(session, data, words):
    report = ImportReport()
    with pytest.raises(UserError) as refused_:
        import_json(session, Salesperson("sam"), data, report, dry_run=False)
    for word in words:
        assert word in str(refused_.value)
    assert session.execute(text("SELECT count(*) FROM contact")).scalar() == 0


# ---------------------------------------------------------------- the JSON file


def test_json_export_holds_every_table_and_column_with_plain_values(book, cli, db_url):
    data = ok(cli("export", today=TODAY)).json()  # the screen when no -o is given

    assert (data["format"], data["version"], data["schema"]) == ("followup-export", 1, "m008_followup_kind_index")
    datetime.fromisoformat(data["exported_at"])
    from sqlmodel import SQLModel

    for table in SQLModel.metadata.sorted_tables:
        assert table.name in data["tables"]
        for record in data["tables"][table.name]:
            assert list(record) == [c.name for c in table.columns]
    bob = next(c for c in data["tables"]["contact"] if c["name"] == "Bob Li")
    assert bob["do_not_contact"] is False and bob["created_at"].endswith("+00:00")
    sales = data["tables"]["sale"]
    assert [s["amount_cents"] for s in sales if s["contact_id"] == bob["id"]] == [1_200_000, 80_050]
    assert any(s["complex"] is True for s in sales)
    timed = [t for t in data["tables"]["touch"] if t["at_time"]]
    assert [(t["day"], t["at_time"]) for t in timed] == [("2026-10-03", "15:30:00")]
    assert data["tables"]["lead_given"][0]["won_amount_cents"] == 2**40
    assert {r["source"] for r in data["tables"]["referral"]} == {
        "vendor",
        "customer",
        "declined",
        "exchange",
        "network",
    }


@pytest.mark.parametrize(
    ("what", "tables"),
    [
        ("contacts", {"contact", "contact_detail", "referral", "level_change"}),
        ("touches", {"contact", "contact_detail", "referral", "level_change", "touch"}),
        ("followups", {"contact", "contact_detail", "referral", "level_change", "followup"}),
    ],
)
def test_json_what_limits_the_tables_and_contacts_always_come_along(book, cli, empty_db, tmp_path, what, tables):
    exported = tmp_path / "part.json"
    ok(cli("export", "--what", what, "-o", str(exported), today=TODAY))

    assert set(json.loads(exported.read_text(encoding="utf-8"))["tables"]) == tables
    report = import_file(empty_db, exported)  # a part imports too: missing references are left empty
    assert len(report.added) == 12


@pytest.mark.backends("postgresql")  # team mode is a shared PostgreSQL database's
def test_a_salesperson_exports_their_own_contacts_on_a_shared_database(cli):
    ok(cli("--user", "alice", "add-referral", "Sue Chen", "--from", "Bob Li", "--on", "2026-11-02", today=TODAY))
    ok(cli("--user", "alice", "touch", "Sue Chen", "--on", "2026-11-03", today=TODAY))
    ok(cli("--user", "bob", "add", "Ann Lee", "--first", "2026-11-21", today=TODAY))
    ok(cli("--user", "bob", "touch", "Ann Lee", "--on", "2026-11-21", today=TODAY))

    data = ok(cli("--user", "alice", "export", today=TODAY)).json()["tables"]

    assert {c["name"] for c in data["contact"]} == {"Sue Chen", "Bob Li"}
    mine = {c["id"] for c in data["contact"]}
    assert data["touch"] and all(t["contact_id"] in mine for t in data["touch"])
    assert all(f["contact_id"] in mine for f in data["followup"])
    rows = list(csv.reader(io.StringIO(ok(cli("--user", "bob", "export", "--format", "csv", today=TODAY)).stdout)))
    assert [r[0] for r in rows[1:]] == ["Ann Lee"]


# ---------------------------------------------------------------- the file it writes


def test_export_writes_a_private_file_and_replaces_one_only_with_force(book, cli, tmp_path, dump):
    target = tmp_path / "book.json"
    run = ok(cli("export", "-o", str(target), today=TODAY))

    assert "Exported" in run.stdout and str(target) in run.stdout
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "followup-export"
    target.write_text("mine", encoding="utf-8")
    before = dump()

    refused(cli("export", "-o", str(target), today=TODAY), str(target), "already exists", "--force")
    assert target.read_text(encoding="utf-8") == "mine" and dump() == before

    ok(cli("export", "-o", str(target), "--force", today=TODAY))
    assert json.loads(target.read_text(encoding="utf-8"))["tables"]["contact"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--format", "csv", "--what", "all"], ["csv holds one table", "--format json", "--what contacts"]),
        (["-o", "no/such/folder/x.json"], ["no/such/folder", "does not exist"]),
        (["-o", "."], ["is a folder"]),
        (["--format", "xml"], ["xml"]),
        (["--what", "sales"], ["sales"]),
    ],
)
def test_export_refuses_bad_input_with_one_line(cli, dump, tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    ok(cli("add", "Sue", today=TODAY))
    before = dump()
    refused(cli("export", *args, today=TODAY), *words)
    assert dump() == before


@pytest.mark.backends("sqlite")  # only a SQLite database is a file -o could name
def test_export_never_replaces_the_database_itself(cli, db_path, dump):
    ok(cli("add", "Sue", today=TODAY))
    before = dump()
    refused(cli("export", "-o", str(db_path), "--force", today=TODAY), "the database itself")
    assert dump() == before


# ---------------------------------------------------------------- CSV


def read_csv(text_: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text_)))


def test_csv_contacts_columns_for_a_spreadsheet(book, cli, tmp_path):
    target = tmp_path / "contacts.csv"
    ok(cli("export", "--format", "csv", "-o", str(target), today=TODAY))  # --what contacts is csv's default

    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 a spreadsheet recognises, Chinese names intact
    rows = read_csv(raw.decode("utf-8-sig"))
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header == [
        "Name", "Company", "Phone 1", "Phone 2", "E-mail 1", "E-mail 2", "Role", "Level", "Tags", "Note",
        "Referred by", "Source", "Partner", "Referred on", "Birthday", "Wants news", "Do not contact", "Status", "Touches",
        "Last touch", "Next due", "Owner",
    ]  # fmt: skip
    by_name = {r["Name"]: r for r in rows}
    bob = by_name["Bob Li"]
    assert (bob["Phone 1"], bob["Phone 2"]) == ("mobile: +86 138 0000 0001", "work: 010 6000 0001")
    assert (bob["Role"], bob["Level"], bob["Tags"], bob["Status"]) == ("power", "ally", "vip, golf", "repeat")
    assert (bob["Touches"], bob["Last touch"], bob["Do not contact"], bob["Wants news"]) == (
        "2",
        "2026-10-03",
        "no",
        "no",
    )
    assert by_name["陈素"]["Phone 1"] == "'+86 139 0000 0002" and by_name["陈素"]["Company"] == "华为"
    assert (by_name["陈素"]["Referred by"], by_name["陈素"]["Source"]) == ("Bob Li", "customer")
    assert (by_name["Eve Xu"]["Source"], by_name["Eve Xu"]["Partner"]) == ("exchange", "Globex")
    assert (by_name["Sue Chen"]["Referred on"], by_name["Bob Li"]["Referred on"]) == ("2026-10-06", "")
    assert by_name["Gil Ma"]["Do not contact"] == "yes"
    assert (by_name["Hal Zhou"]["E-mail 1"], by_name["Hal Zhou"]["E-mail 2"]) == (
        "home: hal@example.com",
        "hal@work.example",
    )
    assert by_name["Dan Wu"]["Status"] == "lost" and by_name["Dan Wu"]["Next due"] == ""
    assert by_name["Fay Ho"]["Next due"] == "2026-11-28"  # the date scheduled by hand
    assert all(r["Owner"] == current_user() for r in rows)


def test_csv_touches_and_followups_are_flat_tables_with_the_contacts_name(book, cli):
    touches = read_csv(ok(cli("export", "--format", "csv", "--what", "touches", today=TODAY)).stdout)
    followups = read_csv(ok(cli("export", "--format", "csv", "--what", "followups", today=TODAY)).stdout)

    assert len(touches) == 6
    visit = next(t for t in touches if t["Via"] == "visit")
    assert (visit["Contact"], visit["Company"], visit["Date"], visit["Time"]) == (
        "Bob Li",
        "Acme",
        "2026-10-03",
        "15:30",
    )
    assert (visit["Outcome"], visit["Purpose"], visit["Inbound"]) == ("committed", "deal", "no")
    assert next(t for t in touches if t["Via"] == "email")["Note"] == "sent the brochure, 'A, B; C'"
    timed = next(f for f in followups if f["Time"])
    assert (timed["Contact"], timed["Due"], timed["Time"], timed["Kind"]) == ("Eve Xu", "2026-11-30", "09:15", "manual")
    assert {f["Status"] for f in followups} >= {"open", "done", "cancelled"}
    assert list(followups[0]) == [
        "ID", "Contact", "Company", "Due", "Time", "Kind", "Action", "Reason", "Status", "Closed on", "Asked for",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "cell"),
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("-1", "'-1"),
        ("+86 138 0000 0000", "'+86 138 0000 0000"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("plain = text", "plain = text"),
        ("陈素", "陈素"),
    ],
)
def test_csv_cells_a_spreadsheet_would_run_get_an_apostrophe(typed, cell):
    assert csv_cell(typed) == cell


def test_csv_formula_escaping_through_the_command(cli):
    ok(cli("add", "=cmd|'/c calc'!A1", "--company", "-1", "--note", "@SUM(1+1)", today=TODAY))
    ok(cli("add", "Tab", "--note", "+1 555 0100 after six", "--company", '=HYPERLINK("x")', today=TODAY))

    rows = read_csv(ok(cli("export", "--format", "csv", today=TODAY)).stdout)

    assert [(r["Name"], r["Company"], r["Note"]) for r in rows] == [
        ("'=cmd|'/c calc'!A1", "'-1", "'@SUM(1+1)"),
        ("Tab", '\'=HYPERLINK("x")', "'+1 555 0100 after six"),
    ]


def test_json_export_keeps_values_as_typed(cli):
    """JSON is for followup, not a spreadsheet: no apostrophes."""
    ok(cli("add", "Sue", "--phone", "+86 138 0000 0000", "--note", "=1+1", today=TODAY))
    contact = ok(cli("export", today=TODAY)).json()["tables"]["contact"][0]
    assert (contact["phone"], contact["note"]) == ("+86 138 0000 0000", "=1+1")


def test_sale_amounts_beyond_32_bits_round_trip(cli, empty_db, tmp_path):
    ok(cli("add", "Whale", today=TODAY))
    ok(cli("sold", "Whale", "--amount", "50,000,000,000", "--on", "2026-11-01", today=TODAY))
    exported = tmp_path / "w.json"
    ok(cli("export", "-o", str(exported), today=TODAY))

    import_file(empty_db, exported)

    engine = create_engine(empty_db if "://" in empty_db else f"sqlite:///{empty_db}")
    try:
        with engine.connect() as conn:
            assert conn.execute(select(Sale.amount_cents)).scalar() == 5_000_000_000_000
    finally:
        engine.dispose()
