"""`followup find TEXT`: any part of a name, company, phone, e-mail, tag or note, in any case.

Case-insensitive the Unicode way on both databases ("ÉCOLE" finds "école"); phones by their
digits, whatever the spaces, dashes, brackets, dots or country code; the matches listed as
`list` lists them (`--json`: the rows of `list --json`). Contact resolution (`touch 138 0000`)
stays by name. Every test runs on SQLite and PostgreSQL, with explicit dates.
"""

from __future__ import annotations

import pytest
from helpers import ok

from followup.search import parse_query

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-23"
LIST_KEYS = {"id", "name", "company", "status", "touches", "last_touch", "next_due", "referrer", "do_not_contact"}

BOOK = [
    ["add", "Sue Chen", "--company", "Acme Trading", "--phone", "mobile: +86 138 0000 0000",
     "--email", "Sue.Chen@Acme.com", "--tag", "vip", "--first", "2026-11-20"],
    ["add", "王强", "--company", "华为技术", "--phone", "139 1234 5678", "--note", "喜欢喝茶，周三下午有空"],
    ["add", "Ann Lee", "--company", "École Normale", "--phone", "work: 020 7946 0000", "--tag", "Trade-Show"],
    ["add", "Bob Li", "--company", "Globex", "--phone", "+44 20 7946 1111", "--email", "bob@globex.co.uk",
     "--note", "met at the STRASSE fair"],
    ["add", "Tom Wu", "--company", "Initech", "--note", "wants the blue model"],
    ["touch", "Tom Wu", "--note", "Asked about Straße pricing", "--on", "2026-11-21"],
    ["add-referral", "陈素", "--from", "Bob Li", "--company", "小米", "--phone", "(021) 5555-6666 x12",
     "--on", "2026-11-20"],
    ["sold", "Bob Li", "--on", "2026-11-22"],
    ["add", "Max Müller", "--email", "MAX@MÜLLER.DE", "--tag", "trade-show"],
]  # fmt: skip


@pytest.fixture
def book(seed) -> None:
    seed(BOOK, today="2026-11-19")


def found(cli, *args: str) -> list[str]:
    """The names `find ARGS --json` lists, in its order."""
    return [row["name"] for row in ok(cli("find", *args, "--json", today=TODAY)).json()]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # names: any part, any case, extra spaces
        ("sue", ["Sue Chen"]),
        ("  SUE   chen ", ["Sue Chen"]),
        ("王", ["王强"]),
        ("陈素", ["陈素"]),
        # companies
        ("acme", ["Sue Chen"]),
        ("华为", ["王强"]),
        ("小米", ["陈素"]),
        ("globex", ["Bob Li"]),
        # e-mails
        ("sue.chen@", ["Sue Chen"]),
        ("GLOBEX.CO.UK", ["Bob Li"]),
        ("max@müller", ["Max Müller"]),
        # tags
        ("VIP", ["Sue Chen"]),
        ("trade-show", ["Ann Lee", "Max Müller"]),
        # notes: the contact's and its touches'
        ("周三下午", ["王强"]),
        ("blue model", ["Tom Wu"]),
        ("pricing", ["Tom Wu"]),
        # several words: each somewhere
        ("li globex", ["Bob Li"]),
        ("chen vip", ["Sue Chen"]),
        ("chen nowhere", []),
    ],
)
def test_find_searches_names_companies_emails_tags_and_notes(cli, book, text, names):
    assert found(cli, text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("ÉCOLE", ["Ann Lee"]),  # an accented capital finds the small letter
        ("e\u0301cole", ["Ann Lee"]),  # é typed as e and a combining accent
        ("ＡＣＭＥ", ["Sue Chen"]),  # full-width letters, as a Chinese keyboard types them
        ("straße", ["Bob Li", "Tom Wu"]),  # ß casefolds to ss: STRASSE and Straße alike
        ("strasse", ["Bob Li", "Tom Wu"]),
        ("MÜLLER", ["Max Müller"]),
    ],
)
def test_find_ignores_case_the_unicode_way(cli, book, text, names):
    assert found(cli, text) == names


@pytest.mark.parametrize(
    "text",
    ["138 0000 0000", "13800000000", "+86 138-0000-0000", "(138) 0000 0000", "138.0000.0000", "+8613800000000",
     "0086 138 0000 0000", "１３８ ００００ ００００", "138 0000", "0000 0000"],
)  # fmt: skip
def test_find_a_phone_stored_with_its_country_code_however_it_is_typed(cli, book, text):
    assert found(cli, text) == ["Sue Chen"]


@pytest.mark.parametrize(
    "text", ["+86 13912345678", "+86 139 1234 5678", "8613912345678", "139-1234-5678", "+86 139 1234"]
)
def test_find_a_phone_stored_without_its_country_code_by_the_whole_number(cli, book, text):
    assert found(cli, text) == ["王强"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("020 7946 0000", ["Ann Lee"]),
        ("+44 20 7946 0000", ["Ann Lee"]),  # stored with a trunk 0, found by the international form
        ("020 7946 1111", ["Bob Li"]),  # stored as +44 20 ..., found by the national form
        ("7946", ["Ann Lee", "Bob Li"]),
        ("021 5555 6666", ["陈素"]),
        ("5555-6666 x12", ["陈素"]),
    ],
)
def test_find_phones_with_a_trunk_zero_and_extensions(cli, book, text, names):
    assert found(cli, text) == names


def test_a_phone_search_does_not_match_scattered_digits(cli, book):
    # each group occurs in a number, but not in this order
    assert found(cli, "5678 1234") == []
    assert found(cli, "0000 138") == []
    assert found(cli, "000 000 000 000") == []  # zeros only: neither a trunk 0 nor a country code to drop


def test_find_lists_matches_as_list_does(cli, book):
    out = ok(cli("find", "trade-show", today=TODAY)).stdout
    assert "Ann Lee" in out and "Max Müller" in out and "Sue Chen" not in out
    assert "┃ name" in out and "status" in out
    assert "2 contacts." in out


def test_find_json_rows_are_the_rows_of_list_json(cli, book):
    listed = {row["id"]: row for row in ok(cli("list", "--json", today=TODAY)).json()}
    rows = ok(cli("find", "trad", "--json", today=TODAY)).json()
    assert [row["name"] for row in rows] == ["Sue Chen", "Ann Lee", "Max Müller"]  # Acme Trading, Trade-Show
    for row in rows:
        assert set(row) == LIST_KEYS
        assert row == listed[row["id"]]


def test_no_match_says_so_in_one_line_and_exits_0(cli, book):
    run = ok(cli("find", "Nobody Here", today=TODAY))
    assert run.stdout == "No contact matches 'Nobody Here' in names, companies, phones, e-mails, tags or notes.\n"
    assert run.stderr == ""
    assert ok(cli("find", "Nobody", "--json", today=TODAY)).json() == []


def test_find_takes_the_status_and_tag_filters_of_list(cli, book):
    assert found(cli, "b") == ["Bob Li", "Tom Wu"]  # Tom Wu: "blue", "about"
    assert found(cli, "b", "--status", "customer") == ["Bob Li"]
    assert found(cli, "b", "--status", "prospect") == ["Tom Wu"]
    assert found(cli, "b", "--status", "lost") == []
    assert found(cli, "a", "--tag", "vip") == ["Sue Chen"]


def test_find_writes_nothing(cli, book, dump):
    before = dump()
    ok(cli("find", "sue", today=TODAY))
    assert dump() == before


@pytest.mark.parametrize("text", ["", " ", "\t\n"])
def test_find_refuses_empty_text(cli, book, dump, text):
    before = dump()
    run = cli("find", text, today=TODAY)
    assert run.exit_code == 2 and run.stdout == ""
    assert run.stderr.startswith("Error: ") and run.stderr.count("\n") == 1
    assert "text to look for" in run.stderr
    assert dump() == before


def test_contact_names_still_resolve_by_name_only(cli, book, dump):
    before = dump()
    run = cli("touch", "138 0000", "--on", TODAY, today=TODAY)
    assert run.exit_code == 2 and "no contact matches '138 0000'" in run.stderr
    assert dump() == before
    assert found(cli, "138 0000") == ["Sue Chen"]


def test_find_follows_edited_details(cli, book):
    ok(cli("edit", "Sue Chen", "--phone", "021 8888 9999", "--email", "", today=TODAY))
    assert found(cli, "138 0000 0000") == []
    assert found(cli, "sue.chen@") == []
    assert found(cli, "8888 9999") == ["Sue Chen"]
    ok(cli("edit", "Sue Chen", "--add-phone", "home: +86 138 0000 0000", today=TODAY))
    assert found(cli, "13800000000") == ["Sue Chen"]  # a second phone is found too


def test_find_in_team_mode_sees_only_the_users_contacts(cli, backend):
    for user, name, phone in (("alice", "Tom Wang", "138 0000 0000"), ("bob", "Tom Wong", "138 0000 1111")):
        ok(cli("--user", user, "add", name, "--phone", phone, today=TODAY))
    mine = [row["name"] for row in ok(cli("--user", "alice", "find", "138 0000", "--json", today=TODAY)).json()]
    everyone = ok(cli("--user", "alice", "find", "138 0000", "--team", "--json", today=TODAY)).json()
    # on a shared PostgreSQL database each salesperson finds their own; a SQLite file is one person's
    assert mine == (["Tom Wang"] if backend == "postgresql" else ["Tom Wang", "Tom Wong"])
    assert [(row["name"], row["owner"]) for row in everyone] == [("Tom Wang", "alice"), ("Tom Wong", "bob")]


# ---------------------------------------------------------------- what the text is read as


def test_a_phone_query_is_one_needle_and_words_are_many():
    assert parse_query("Sue  Chen").words == ("sue", "chen")
    query = parse_query("+86 138 0000")
    assert query.words == ("+86 138 0000",)
    assert "1380000" in query.needles and query.number == "861380000"
    assert not parse_query("12").needles  # too few digits to be a phone
