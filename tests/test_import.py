"""`followup import`: CSV (followup's export, Google Contacts, Outlook, spreadsheets) and vCard
(iPhone/macOS, Google/Android, old phones, vCard 4.0) into the database, on both backends.

The samples under tests/data/ are laid out as those address books write them."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from helpers import ok, refused
from sqlalchemy import create_engine, text

from followup.db import open_engine, session_scope
from followup.importer import ImportReport, Row, import_rows, parse_birthday, read_csv, read_vcard
from followup.services import Salesperson

pytestmark = pytest.mark.backends("sqlite", "postgresql")

DATA = Path(__file__).with_name("data")
TODAY = "2026-11-23"


def write(tmp_path: Path, name: str, lines: list[str], *, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return str(path)


def imported(cli, *args: str, db: str | None = None):
    env = {"FOLLOWUP_DB": db} if db else None
    return ok(cli("import", *args, today=TODAY, env=env))


def contacts(cli, db: str | None = None) -> dict[str, dict]:
    """Every contact by name (a namesake by "name (company)"), as `show --json` gives it, phones and e-mails as (value, label) pairs."""
    env = {"FOLLOWUP_DB": db} if db else None
    listed = ok(cli("list", "--status", "all", "--json", today=TODAY, env=env)).json()
    found = {}
    for row in listed:
        shown = ok(cli("show", f"#{row['id']}", "--json", today=TODAY, env=env)).json()
        card = shown["contact"]
        card["phones"] = [(d["value"], d["label"]) for d in card["phones"]]
        card["emails"] = [(d["value"], d["label"]) for d in card["emails"]]
        card["referrer"] = row["referrer"]
        card["referred_by"] = shown["referred_by"]
        card["followups"] = shown["followups"]
        found[card["name"] if card["name"] not in found else f"{card['name']} ({card['company']})"] = card
    return found


def sql(db_url: str, query: str) -> list[tuple]:
    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(query))]
    finally:
        engine.dispose()


def referral_links(db_url: str) -> set[tuple]:
    """(prospect, referrer contact's name or None, referrer name kept, source, partner) per referral."""
    return set(
        sql(
            db_url,
            "SELECT p.name, r2.name, r.referrer_name, r.source, r.partner FROM referral r "
            "JOIN contact p ON p.id = r.prospect_id LEFT JOIN contact r2 ON r2.id = r.referrer_id",
        )
    )


# ---------------------------------------------------------------- followup's own CSV export

BOOK = [
    ["add", "Bob Li", "--company", "Acme", "--phone", "mobile: +86 138 0000 0001", "--phone", "work: 010 6000 0001",
     "--email", "bob@acme.com", "--tag", "vip", "--tag", "golf", "--role", "power", "--level", "ally",
     "--birthday", "03-15", "--wants-news"],
    ["add-referral", "陈素", "--from", "Bob Li", "--source", "customer", "--phone", "+86 139 0000 0002",
     "--company", "华为", "--on", "2026-10-05"],
    ["add-referral", "Eve Xu", "--from", "Pat Partner", "--source", "exchange", "--partner", "Globex",
     "--on", "2026-10-08"],
    ["add-referral", "Fay Ho", "--from", "Gone Referrer", "--on", "2026-10-09"],
    ["rm", "Gone Referrer", "--yes"],
    ["add", "Hal Zhou", "--email", "home: hal@example.com", "--email", "hal@work.example", "--note", "met at expo\nline two"],
    ["add", "=Formula Inc", "--phone", "-12 345 678", "--note", "@mention, +1"],
    ["add", "Ida Ng", "--company", "Acme"],
    ["edit", "Ida Ng", "--do-not-contact"],
    ["add", "Ida Ng", "--company", "Initech"],
]  # fmt: skip
READ_ONLY = ("Status", "Touches", "Last touch", "Next due", "Owner")


def export_csv(cli, path: Path, db: str | None = None) -> list[dict]:
    env = {"FOLLOWUP_DB": db} if db else None
    ok(cli("export", "--format", "csv", "--what", "contacts", "-o", str(path), "--force", today=TODAY, env=env))
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return sorted(({k: v for k, v in r.items() if k not in READ_ONLY} for r in rows), key=repr)


def test_followup_csv_export_imports_into_an_empty_database_as_the_same_contacts(cli, seed, db_url, empty_db, tmp_path):
    seed(BOOK, today=TODAY)
    exported = export_csv(cli, tmp_path / "contacts.csv")
    assert any(cell.startswith("'") for row in exported for cell in row.values())  # the export escaped formulas

    run = imported(cli, str(tmp_path / "contacts.csv"), db=empty_db)

    assert "added 9 contacts" in run.stdout and "0 bad rows" in run.stdout
    assert export_csv(cli, tmp_path / "again.csv", db=empty_db) == exported  # cell for cell
    before, after = contacts(cli), contacts(cli, db=empty_db)
    keep = ("company", "phones", "emails", "role", "level", "tags", "note", "birthday", "wants_news", "do_not_contact")
    assert {n: {k: c[k] for k in keep} for n, c in after.items()} == {
        n: {k: c[k] for k in keep} for n, c in before.items()
    }
    assert after["=Formula Inc"]["phones"] == [("-12 345 678", None)]  # the apostrophe is gone again
    assert (
        referral_links(empty_db)
        == referral_links(db_url)
        == {
            ("陈素", "Bob Li", "Bob Li", "customer", None),
            ("Eve Xu", "Pat Partner", "Pat Partner", "exchange", "Globex"),
            ("Fay Ho", None, "Gone Referrer", "network", None),  # the referrer was deleted: kept by name
        }
    )
    referral_days = "SELECT referred_on FROM referral ORDER BY referred_on"
    assert [str(d) for (d,) in sql(empty_db, referral_days)] == [str(d) for (d,) in sql(db_url, referral_days)]


def test_importing_the_same_file_twice_adds_nothing(cli, seed, dump, empty_db, tmp_path):
    seed(BOOK, today=TODAY)
    export_csv(cli, tmp_path / "contacts.csv")
    before = dump()

    run = imported(cli, str(tmp_path / "contacts.csv"))

    assert "added 0 contacts" in run.stdout and "9 duplicates skipped" in run.stdout
    assert "Ida Ng: same name, company Initech, no phone or e-mail, as #" in run.stdout
    assert dump() == before


# ---------------------------------------------------------------- address books' CSV layouts


def test_google_contacts_csv_as_it_comes(cli):
    run = imported(cli, str(DATA / "google_contacts.csv"))

    assert "added 3 contacts" in run.stdout
    assert "Columns not imported: Phonetic First Name" in run.stdout and "Organization Title" in run.stdout
    book = contacts(cli)
    zoe = book["Zoë O'Brien"]
    assert zoe["company"] == "Globex, Ireland"
    assert zoe["phones"] == [("+353 87 123 4567", "mobile"), ("087 765 4321", "mobile"), ("+353 1 555 0199", "work")]
    assert zoe["emails"] == [("zoe.obrien@globex.example.com", "work"), ("zoe@example.ie", "home")]
    assert zoe["tags"] == ["Customers", "Dublin"]  # not Google's own "myContacts"
    assert zoe["note"] == "Wants a demo in January,\nafter the budget is signed off."
    assert zoe["birthday"] == "07-04"
    assert book["王伟"]["birthday"] == "09-21"  # family name first, unspaced
    assert book["Contoso Ltd."]["company"] == "Contoso Ltd."  # a company card is named by the company


def test_google_legacy_csv_with_group_membership_and_phone_types(cli):
    imported(cli, str(DATA / "google_legacy.csv"))

    priya = contacts(cli)["Priya Raman"]
    assert priya["phones"] == [("+91 98450 12345", "mobile"), ("+91 80 4000 1234", "work")]
    assert priya["emails"] == [("priya.raman@initech.example.com", "work")]
    assert priya["company"] == "Initech" and priya["tags"] == ["Friends"]


def test_outlook_csv_in_utf16_reads_like_utf8(cli, tmp_path, backend, request):
    utf16 = tmp_path / "outlook-windows.csv"
    utf16.write_text((DATA / "outlook.csv").read_text(encoding="utf-8-sig"), encoding="utf-16")
    assert utf16.read_bytes()[:2] == b"\xff\xfe"

    run = imported(cli, str(utf16))

    assert "added 2 contacts" in run.stdout and "Business Fax" in run.stdout
    book = contacts(cli)
    li = book["Li Ming Zhang"]
    assert li["company"] == "Acme, Inc."
    assert li["phones"] == [("+1 (217) 555-0142", "work"), ("+1 217 555 0188", "mobile")]
    assert li["emails"] == [("li.zhang@acme.example.com", None)]
    assert li["tags"] == ["Key account", "Golf"] and li["birthday"] == "03-15"
    assert book["Anna Schmidt"]["birthday"] is None  # Outlook's 0/0/00
    assert book["Anna Schmidt"]["phones"] == [("+49 30 1234567", "home")]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_sniffed(cli, tmp_path, delimiter):
    lines = [delimiter.join(["Full Name", "Organization", "Mobile", "E-mail Address"])]
    lines.append(delimiter.join(["Sue Chen", "Acme, Inc.", "+86 138 0000 0000", "sue@acme.com"]))
    path = write(tmp_path, "spreadsheet.csv", lines)

    imported(cli, path)

    sue = contacts(cli)["Sue Chen"]
    assert sue["company"] == "Acme, Inc." and sue["phones"] == [("+86 138 0000 0000", "mobile")]
    assert sue["emails"] == [("sue@acme.com", None)]


def test_labelled_cells_escaped_cells_and_column_variants(cli, tmp_path):
    path = write(
        tmp_path,
        "sheet.csv",
        [
            "First Name,Last Name,Company Name,Phone,E-mail,Tags,Notes,Role,Level,Birthday,Wants news,Do not contact,Fax",
            "Sue,Chen,Acme,'+86 138 0000 0000,work: Sue@Acme.com,\"vip, golf\",'=not a formula,POWER,Dating,1980-03-15,yes,no,1",
            "Tom,Wu,,'+1 555 0100 100,,,,,,,,yes,",
        ],
    )

    run = imported(cli, path)

    assert "Columns not imported: Fax." in run.stdout
    book = contacts(cli)
    sue = book["Sue Chen"]
    assert sue["phones"] == [("+86 138 0000 0000", None)] and sue["emails"] == [("Sue@Acme.com", "work")]
    assert sue["tags"] == ["vip", "golf"] and sue["note"] == "=not a formula"
    assert (sue["role"], sue["level"], sue["birthday"], sue["wants_news"]) == ("power", "dating", "03-15", True)
    tom = book["Tom Wu"]
    assert tom["do_not_contact"] is True and tom["phones"] == [("+1 555 0100 100", None)]


# ---------------------------------------------------------------- vCard


def test_iphone_and_macos_vcards(cli):
    run = imported(cli, str(DATA / "iphone.vcf"))

    assert "(vCard): added 3 contacts" in run.stdout
    assert "vCard properties not imported: ADR, PHOTO, TITLE." in run.stdout
    book = contacts(cli)
    chen = book["陈素"]
    assert chen["company"] == "华为技术有限公司"
    assert chen["phones"] == [
        ("+86 138 0000 0000", "mobile"),  # item1.X-ABLabel:_$!<Mobile>!$_
        ("010 6500 1234", "work"),
        ("+86 21 5555 0101", "shanghai office"),  # a label of the user's own
    ]
    assert chen["emails"] == [("chen.su@huawei.example.com", "work")]
    assert chen["note"] == (  # escaped comma and semicolon, a folded line
        "Met at the Canton Fair, booth 12.1; prefers WeChat to e-mail. "
        "Ask about the Q3 roll-out in Shenzhen and the second plant."
    )
    assert chen["tags"] == ["VIP", "Trade fair"] and chen["birthday"] == "03-15"  # Apple's year 1604: no year
    jose = book["Dr. José Müller"]
    assert jose["company"] == "Müller, Schmidt & Partner GmbH"
    assert jose["phones"] == [
        ("+49 170 1234567", "mobile"),
        ("+49 171 7654321", "iphone"),
        ("+49 89 1234 5679", "work fax"),
    ]
    assert jose["emails"] == [("jose@mueller.example.de", "home"), ("j.mueller@msp.example.de", "work")]
    assert book["Contoso, Ltd."]["phones"] == [("+1 (425) 555-0100", "main")]


def test_google_and_android_vcards(cli):
    imported(cli, str(DATA / "google.vcf"))

    book = contacts(cli)
    zoe = book["Zoë O'Brien"]
    # the third number is the first one written without the country code: kept once
    assert zoe["phones"] == [("+353 87 123 4567", "mobile"), ("+353 1 555 0199", "work")]
    assert zoe["company"] == "Globex, Ireland" and zoe["tags"] == ["Customers", "Dublin"]
    assert zoe["note"].endswith("after the budget is signed off.") and zoe["birthday"] == "07-04"
    assert book["王伟"]["phones"] == [("139 1234 5678", "mobile"), ("010 8888 6666", "home")]
    assert book["王伟"]["tags"] == []
    assert book["Priya Raman"]["phones"] == [("+91 98450 12345", "assistant")]


def test_old_phone_vcard_2_1_with_quoted_printable(cli):
    imported(cli, str(DATA / "android_2_1.vcf"))

    book = contacts(cli)
    assert book["张丽"]["phones"] == [("13812345678", "mobile"), ("021-6543-2100", "home")]
    assert book["张丽"]["note"] == "老客户，喜欢绿茶"  # quoted-printable UTF-8 across a soft line break
    assert book["Petra Novak"]["phones"] == [("+420 602 123 456", "work")]


def test_vcard_4_0_with_tel_uris(cli):
    imported(cli, str(DATA / "vcard_4_0.vcf"))

    ingrid = contacts(cli)["Ingrid Ødegård"]
    assert ingrid["phones"] == [("+47-912-34-567", "mobile"), ("+47 22 33 44 55", "work")]
    assert ingrid["birthday"] == "02-29" and ingrid["note"] == "Prefers calls before 10:00, Oslo time."


def test_a_line_the_vcard_parser_cannot_read_is_skipped_quietly(cli, tmp_path):
    path = write(
        tmp_path, "odd.vcf", ["BEGIN:VCARD", "VERSION:3.0", "FN:Sue Chen", ":::", "TEL:138 0000 0000", "END:VCARD"]
    )

    run = imported(cli, path)

    assert run.stderr == "" and "added 1 contact" in run.stdout
    assert contacts(cli)["Sue Chen"]["phones"] == [("138 0000 0000", None)]


def test_a_card_without_a_name_is_bad_by_its_begin_line(cli, tmp_path, dump):
    path = write(
        tmp_path,
        "cards.vcf",
        [
            "BEGIN:VCARD",
            "VERSION:3.0",
            "FN:Sue Chen",
            "END:VCARD",
            "BEGIN:VCARD",
            "VERSION:3.0",
            "TEL:123456",
            "END:VCARD",
        ],
    )
    ok(cli("list", today=TODAY))  # the database exists: a refused import leaves it as it was
    before = dump()

    refused(cli("import", path, today=TODAY), "line 5: no name", "--skip-bad")
    assert dump() == before
    run = imported(cli, path, "--skip-bad")
    assert "added 1 contact," in run.stdout and "line 5: no name (FN or N)" in run.stdout


# ---------------------------------------------------------------- duplicates


def test_same_name_and_phone_or_email_is_skipped_same_name_alone_is_reported(cli, seed, tmp_path):
    seed(
        [
            ["add", "Sue Chen", "--phone", "138 0000 0000"],
            ["add", "Tom Wu", "--email", "Tom@Acme.com"],
            ["add", "Ann Li", "--phone", "139 1111 1111"],
        ],
        today=TODAY,
    )
    path = write(
        tmp_path,
        "people.csv",
        [
            "Name,Phone,E-mail",
            "sue  CHEN,+86 138 0000 0000,",  # the same number with the country code
            "Tom Wu,,tom@acme.com",
            "Ann Li,+1 555 0100,",  # another Ann Li
            "Zed Yu,555 0199,",
            "Zed Yu,555-0199,",  # an earlier row of the file
        ],
    )

    run = imported(cli, path)

    ids = {c["name"]: c["id"] for c in ok(cli("list", "--json", today=TODAY)).json() if c["name"] != "Ann Li"}
    assert "added 2 contacts" in run.stdout and "3 duplicates skipped" in run.stdout
    assert f"line 2: sue CHEN: same name and phone as #{ids['Sue Chen']}" in run.stdout
    assert f"line 3: Tom Wu: same name and e-mail as #{ids['Tom Wu']}" in run.stdout
    assert "line 6: Zed Yu: same name and phone as line 5" in run.stdout
    assert "1 possible duplicate" in run.stdout and "line 4: Ann Li, like #3" in run.stdout
    assert [c["name"] for c in ok(cli("list", "--json", today=TODAY)).json()].count("Ann Li") == 2


def test_a_namesake_of_a_contact_added_earlier_in_the_file_is_reported_with_its_new_id(cli, tmp_path):
    path = write(tmp_path, "p.csv", ["Name,Company", "Sue Chen,Acme", "Sue Chen,Globex"])

    run = imported(cli, path)

    first = ok(cli("list", "--json", today=TODAY)).json()[0]["id"]
    assert "added 2 contacts" in run.stdout and f"line 3: Sue Chen, like #{first}" in run.stdout


# ---------------------------------------------------------------- referrals


def test_referred_by_links_existing_earlier_and_later_contacts_and_stats_count_them(cli, seed, tmp_path, db_url):
    seed([["add", "Bob Li"], ["sold", "Bob Li", "--on", "2026-11-01"]], today=TODAY)
    path = write(
        tmp_path,
        "referrals.csv",
        [
            "Name,Referred by,Source,Partner",
            "Ann Wu,Bob Li,,",  # an existing customer: source customer
            "Cal Ma,Ann Wu,vendor,",  # an earlier row
            "Dee Ho,Eli Xu,,",  # a later row: source network
            "Eli Xu,,,",
            "Fay Qi,Eli Xu,,Globex",  # a partner makes it a lead exchange
            "Gus Yi,Nobody Known,,",  # not a contact: recorded by name
        ],
    )

    run = imported(cli, path)

    assert "linked 5 referrals" in run.stdout
    assert "Gus Yi, referred by Nobody Known (by name only: not a contact)" in run.stdout
    assert referral_links(db_url) == {
        ("Ann Wu", "Bob Li", "Bob Li", "customer", None),
        ("Cal Ma", "Ann Wu", "Ann Wu", "vendor", None),
        ("Dee Ho", "Eli Xu", "Eli Xu", "network", None),
        ("Fay Qi", "Eli Xu", "Eli Xu", "exchange", "Globex"),
        ("Gus Yi", None, "Nobody Known", "network", None),
    }
    assert [str(d) for (d,) in sql(db_url, "SELECT DISTINCT referred_on FROM referral")] == [TODAY]
    stats = ok(cli("stats", "--json", "--on", TODAY, today=TODAY)).json()
    assert {s["source"]: s["referrals"] for s in stats["sources"]}["network"] == 2
    assert sum(w["count"] for w in stats["weekly_referrals"]) == 5
    due = ok(cli("due", "--json", "--on", TODAY, today=TODAY)).json()
    imported_names = {"Ann Wu", "Cal Ma", "Dee Ho", "Eli Xu", "Fay Qi", "Gus Yi"}
    assert {i["contact"] for i in due["due"] + due["upcoming"]} == {"Bob Li"}  # no first touch, no coach task
    assert {n["contact"] for n in due["no_next_step"]} >= imported_names


def test_a_referrer_several_contacts_share_the_name_of_is_recorded_by_name(cli, seed, tmp_path, db_url):
    seed([["add", "Bob Li", "--company", "Acme"], ["add", "Bob Li", "--company", "Globex"]], today=TODAY)
    path = write(tmp_path, "r.csv", ["Name,Referred by", "Ann Wu,bob li"])

    run = imported(cli, path)

    assert "(by name only: several contacts have that name)" in run.stdout
    assert referral_links(db_url) == {("Ann Wu", None, "bob li", "network", None)}


def test_referred_on_dates_the_referral(cli, tmp_path, db_url):
    path = write(tmp_path, "r.csv", ["Name,Referred by,Referred on", "Bob Li,,", "Ann Wu,Bob Li,2026-10-05"])

    imported(cli, path)

    assert [str(d) for (d,) in sql(db_url, "SELECT referred_on FROM referral")] == ["2026-10-05"]


def test_a_birthday_gets_its_greeting_follow_up_and_a_level_its_story_as_add_gives_them(cli, tmp_path, db_url):
    path = write(
        tmp_path, "b.csv", ["Name,Birthday,Level,Do not contact", "Sue Chen,12-03,dating,", "Tom Wu,12-05,,yes"]
    )

    imported(cli, path)

    book = contacts(cli)
    assert [(f["kind"], f["due"]) for f in book["Sue Chen"]["followups"]] == [("birthday", "2026-11-30")]
    assert book["Tom Wu"]["followups"] == []  # do not contact: no greeting
    ok(cli("add", "Ann Li", "--birthday", "12-03", "--level", "dating", today=TODAY))
    assert [(f["kind"], f["due"]) for f in contacts(cli)["Ann Li"]["followups"]] == [("birthday", "2026-11-30")]
    assert sql(
        db_url,
        "SELECT c.name, l.level, l.day FROM level_change l JOIN contact c ON c.id = l.contact_id ORDER BY c.name",
    )[0][:2] == ("Ann Li", "dating")
    assert len(sql(db_url, "SELECT * FROM level_change")) == 2


# ---------------------------------------------------------------- bad rows


BAD_ROWS = [
    (",,,sue@acme.com,,,,,,", "no name"),
    ("Sue,,call me,,,,,,,", "Phone: 'call me' is not a phone number"),
    ("Sue,,,sue.acme.com,,,,,,", "E-mail: 'sue.acme.com' is not an e-mail address"),
    ("Sue,,,,boss,,,,,", "Role: 'boss' is not one of acceptor"),
    ("Sue,,,,,friend,,,,", "Level: 'friend' is not one of acquaintance"),
    ("Sue,,,,,,13-01,,,", "Birthday: '13-01' is not a birthday"),
    ("Sue,,,,,,,maybe,,", "Wants news: 'maybe' is not yes or no"),
    ("Sue,,,,,,,,,vendor", "Source: 'vendor' given, but no Referred by"),
    ("Sue,,,,,,,,Sue,", "Sue cannot refer themselves"),
    ("Sue,,,,,,,,Bob,web", "Source: 'web' is not one of vendor"),
]
BAD_HEADER = "Name,Company,Phone,E-mail,Role,Level,Birthday,Wants news,Referred by,Source"


@pytest.mark.parametrize(("row", "words"), BAD_ROWS, ids=[w for _, w in BAD_ROWS])
def test_a_bad_row_stops_the_import_naming_its_line(cli, dump, tmp_path, row, words):
    path = write(tmp_path, "bad.csv", [BAD_HEADER, "Good One,Acme,,,,,,,,", row])
    ok(cli("list", today=TODAY))  # the database exists: a refused import leaves it as it was
    before = dump()

    refused(cli("import", path, today=TODAY), "line 3: " + words, "nothing was imported", "--skip-bad")
    assert dump() == before


def test_a_partner_with_another_source_is_a_bad_row(cli, tmp_path):
    path = write(tmp_path, "p.csv", ["Name,Referred by,Source,Partner", "Ann,Bob,vendor,Globex"])
    refused(cli("import", path, today=TODAY), "line 2: Partner names the partner company", "Source exchange")


def test_skip_bad_imports_the_rest_and_lists_the_bad_rows(cli, tmp_path):
    lines = [BAD_HEADER, "Good One,Acme,,,,,,,,"] + [row for row, _ in BAD_ROWS] + ["Good Two,,,,,,,,,"]
    path = write(tmp_path, "bad.csv", lines)

    refused(cli("import", path, today=TODAY), "line 3: no name", "and 9 more bad rows")
    run = imported(cli, path, "--skip-bad")

    assert "added 2 contacts" in run.stdout and "10 bad rows skipped" in run.stdout
    assert "line 4: Phone: 'call me'" in run.stdout and "... and 0 more" not in run.stdout
    assert run.stdout.count("\n  line ") == 10
    assert set(contacts(cli)) == {"Good One", "Good Two"}


def test_long_lists_are_capped(cli, tmp_path):
    path = write(tmp_path, "many.csv", ["Name"] + [f"Person {i}" for i in range(25)])

    run = imported(cli, path)

    assert "added 25 contacts" in run.stdout and "  ... and 15 more" in run.stdout
    assert "Person 9" in run.stdout and "Person 10\n" not in run.stdout


# ---------------------------------------------------------------- dry run


def test_a_dry_run_shows_what_would_happen_and_writes_nothing(cli, seed, dump, tmp_path):
    seed([["add", "Bob Li", "--phone", "138 0000 0000"]], today=TODAY)
    path = write(tmp_path, "p.csv", ["Name,Phone,Referred by", "Bob Li,138 0000 0000,", "Ann Wu,,Bob Li", "x,1,"])
    before = dump()

    run = imported(cli, path, "--dry-run", "--skip-bad")

    assert run.stdout.startswith("Dry run, nothing written:")
    assert "would add 1 contact" in run.stdout and "would link 1 referral" in run.stdout
    assert "1 duplicate skipped" in run.stdout and "line 4: Phone: '1' is not a phone number" in run.stdout
    assert "Ann Wu, referred by Bob Li" in run.stdout
    assert dump() == before
    real = imported(cli, path, "--skip-bad")
    assert real.stdout.replace("added", "would add").replace("linked", "would link").replace(
        "Added:", "Would add:"
    ) == (run.stdout.removeprefix("Dry run, nothing written: "))


# ---------------------------------------------------------------- files import cannot read


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.csv", b"", ["the file is empty"]),
        ("noname.csv", b"Phone,E-mail\n123456,a@b.c\n", ["no name column", "First Name"]),
        ("latin1.csv", "Name\nJosé\n".encode("latin-1"), ["not UTF-8 or UTF-16", "UTF-8"]),
        ("utf16-no-bom.csv", "Name\nJosé\n".encode("utf-16-le"), ["not UTF-8 or UTF-16"]),
        ("cards.vcf", b"no cards here\n", ["no vCard"]),
        ("export.json", b"[1, 2]", ["not a followup export"]),
        ("broken.json", b"{not json", ["JSON cannot be read"]),
    ],
)
def test_a_file_import_cannot_read_is_refused_in_one_line(cli, dump, tmp_path, name, content, words):
    (tmp_path / name).write_bytes(content)
    ok(cli("list", today=TODAY))  # the database exists: a refused import leaves it as it was
    before = dump()

    refused(cli("import", str(tmp_path / name), today=TODAY), *words)
    assert dump() == before


def test_a_folder_or_an_impossible_file_name_is_refused(cli, tmp_path):
    refused(cli("import", str(tmp_path), today=TODAY), "is a folder")
    refused(cli("import", "a\x00b.csv", today=TODAY), "is not a file name")


def test_json_content_goes_to_the_json_reader_whatever_the_file_is_called(cli, seed, empty_db, tmp_path):
    seed([["add", "Bob Li", "--phone", "138 0000 0000"]], today=TODAY)
    ok(cli("export", "-o", str(tmp_path / "backup.txt"), today=TODAY))

    run = imported(cli, str(tmp_path / "backup.txt"), db=empty_db)

    assert "(JSON): added 1 contact" in run.stdout
    assert contacts(cli, db=empty_db)["Bob Li"]["phones"] == [("138 0000 0000", None)]


# ---------------------------------------------------------------- team mode


def test_imported_contacts_are_yours_and_only_yours_are_checked_for_duplicates(cli, backend, tmp_path, db_url):
    ok(cli("--user", "ann", "add", "Sue Chen", "--phone", "138 0000 0000", today=TODAY))
    path = write(tmp_path, "p.csv", ["Name,Phone", "Sue Chen,138 0000 0000"])

    run = ok(cli("--user", "bob", "import", path, today=TODAY))

    if backend == "postgresql":  # a shared database: Bob works among his own contacts
        assert "added 1 contact" in run.stdout and "0 possible duplicates" in run.stdout
        assert sorted(sql(db_url, "SELECT owner FROM contact")) == [("ann",), ("bob",)]
    else:  # one person's file: every contact is in reach
        assert "1 duplicate skipped" in run.stdout
        assert sql(db_url, "SELECT owner FROM contact") == [("ann",)]


# ---------------------------------------------------------------- the service: bulk, progress


def test_thousands_of_rows_go_in_by_chunks_with_progress(session, tmp_path):
    rows = [Row(line=i + 2, name=f"Person {i}") for i in range(4500)]
    rows.append(Row(line=4502, name="Person 7", company="Acme"))  # a namesake of an earlier row
    report = ImportReport()
    seen: list[tuple[str, int, int]] = []

    import_rows(
        session=session,
        who=Salesperson("sue"),
        rows=rows,
        report=report,
        on=date(2026, 11, 23),
        progress=lambda what, done, total: seen.append((what, done, total)),
    )

    assert len(report.added) == 4501 and report.duplicates == []
    assert report.possible_duplicates[0][:2] == (4502, "Person 7")
    assert ("Checking", 4501, 4501) in seen and ("Adding contacts", 4501, 4501) in seen
    assert [d for w, d, _ in seen if w == "Adding contacts"] == [2000, 4000, 4501]
    from sqlmodel import func, select

    from followup.models import Contact

    assert session.exec(select(func.count()).select_from(Contact)).one() == 4501
    ids = session.exec(select(Contact.id).where(Contact.name_key == "person 7")).all()
    assert report.possible_duplicates[0][2] == min(ids)


def test_many_namesakes_are_checked_by_index_not_one_by_one(session):
    rows = [Row(line=i + 2, name="Sue Chen", details=[], company=f"Firm {i}") for i in range(3000)]
    rows += [Row(line=3002, name="SUE CHEN", company="Firm 17")]  # no details, same company as line 19
    report = ImportReport()

    import_rows(session=session, who=Salesperson("sue"), rows=rows, report=report, on=date(2026, 11, 23))

    assert len(report.added) == 3000 and len(report.possible_duplicates) == 2999
    assert report.duplicates == [(3002, "SUE CHEN", "same name, company Firm 17, no phone or e-mail, as line 19")]


def test_no_progress_bar_when_stderr_is_not_a_terminal(cli, tmp_path):
    path = write(tmp_path, "many.csv", ["Name"] + [f"Person {i}" for i in range(400)])

    run = imported(cli, path)

    assert run.stderr == "" and "added 400 contacts" in run.stdout


# ---------------------------------------------------------------- readers


@pytest.mark.parametrize(
    ("text", "birthday"),
    [("03-15", "03-15"), ("1980-03-15", "03-15"), ("19800315", "03-15"), ("--0315", "03-15"), ("--03-15", "03-15"),
     ("3/15/1980", "03-15"), ("0/0/00", None), ("", None), ("2000-02-29", "02-29")],
)  # fmt: skip
def test_birthday_forms(text, birthday):
    assert parse_birthday(text) == birthday


def test_windows_line_ends_and_an_escaped_carriage_return_cell():
    report = ImportReport()
    rows = read_csv("Name,Note\r\nSue,\"'\rstarts with a carriage return\"\r\nTom,'-minus\r\n", report)
    assert [(r.line, r.name, r.note) for r in rows] == [
        (2, "Sue", "starts with a carriage return"),  # no apostrophe left; the note is trimmed as always
        (3, "Tom", "-minus"),
    ]


def test_csv_line_numbers_count_lines_inside_quoted_cells():
    report = ImportReport()
    rows = read_csv('Name,Note,Phone\nSue,"two\nlines",\nTom,,abc\n', report)
    assert [r.line for r in rows] == [2]
    assert report.bad == [(4, "Phone: 'abc' is not a phone number; " + report.bad[0][1].split("; ", 1)[1])]


def test_vcard_blocks_join_quoted_printable_soft_breaks():
    report = ImportReport()
    rows = read_vcard((DATA / "android_2_1.vcf").read_text(encoding="utf-8"), report)
    assert [(r.line, r.name) for r in rows] == [(1, "张丽"), (10, "Petra Novak")] and report.bad == []


def test_the_benchmark_script_generates_a_file_import_reads(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "import_csv", Path(__file__).parent.parent / "bench" / "import_csv.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.write_csv(tmp_path / "c.csv", 50)
    report = ImportReport()
    rows = read_csv((tmp_path / "c.csv").read_text(encoding="utf-8"), report)
    assert len(rows) == 50 and report.bad == [] and all(len(r.details) == 3 for r in rows)


def test_session_scope_rolls_back_a_dry_run(db_url, tmp_path):
    """What the command relies on for --dry-run: a rollback inside the block leaves nothing."""
    path = write(tmp_path, "p.csv", ["Name", "Sue Chen"])
    from followup.importer import import_file

    engine = open_engine(db_url)
    try:
        with session_scope(engine) as session:
            report = import_file(session=session, who=Salesperson("sue"), path=Path(path), on=date(2026, 11, 23))
            session.rollback()
        assert report.added == ["Sue Chen"]
        assert sql(db_url, "SELECT count(*) FROM contact") == [(0,)]
    finally:
        engine.dispose()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_drawn_on_a_terminal_for_a_big_file_only(monkeypatch):
    from followup.cli.transfer import _ProgressBar

    for total, drawn in ((300, False), (301, True)):
        terminal = _Terminal()
        monkeypatch.setattr("sys.stderr", terminal)
        with _ProgressBar() as progress:
            progress("Adding contacts", total // 2, total)
            progress("Adding contacts", total, total)
        assert ("Adding contacts" in terminal.getvalue()) is drawn, terminal.getvalue()
    monkeypatch.setattr("sys.stderr", io.StringIO())  # not a terminal: no bar at all
    with _ProgressBar() as progress:
        assert progress is None
