"""Accounts and buying roles, and the story of a relationship (issue 8).

`followup account COMPANY` lists the people of one company (matched case-insensitively: the
company itself first, else the only one holding the text) with role, level, status, touches,
last touch and next follow-up, and warns when the account hangs on one person (only one
contact who is not lost) or has no `power` contact yet. Without COMPANY: one row per company.

Every level change (`add --level`, `edit --level`, clearing included) is recorded with its day
(`edit --on DATE`, default today), and `show` tells the story. Every test runs on SQLite and
PostgreSQL with explicit dates.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers import ok, refused

from followup.services import add_contact, set_level

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-23"

ACME = [
    ["add", "Sue Chen", "--company", "Acme", "--role", "power", "--level", "dating"],
    ["add", "Tom Wu", "--company", "ACME", "--role", "acceptor"],
    ["add", "Ann Lee", "--company", "acme ", "--role", "dissatisfied"],
    ["add", "Bob Li", "--company", "Acme Asia", "--role", "power"],
    ["add", "陈素", "--company", "华为"],
    ["add", "Dan Wu"],  # no company: in no account
    ["touch", "Sue Chen", "--on", "2026-11-02"],
    ["touch", "Sue Chen", "--on", "2026-11-09", "--next", "2026-11-30"],
    ["touch", "Tom Wu", "--on", "2026-11-05"],
    ["touch", "Ann Lee", "--on", "2026-11-03"],
    ["lost", "Ann Lee", "--on", "2026-11-06"],
    ["touch", "Bob Li", "--on", "2026-11-10"],
]


def account_json(cli, *args: str):
    return ok(cli("account", *args, "--json", today=TODAY)).json()


def rows(dump, table: str) -> list[dict]:
    columns, _, data = dump()[table]
    return [dict(zip(columns, row, strict=True)) for row in data]


# ---------------------------------------------------------------- one account


def test_account_lists_its_people_with_role_level_status_touches_and_dates(cli, seed):
    seed(ACME, today=TODAY)
    acme = account_json(cli, "Acme")
    ids = {c["name"]: c["id"] for c in acme["contacts"]}
    assert acme["company"] == "Acme"  # as the first contact spelled it
    assert acme["contacts"] == [
        {
            "id": ids["Sue Chen"],
            "name": "Sue Chen",
            "role": "power",
            "level": "dating",
            "status": "prospect",
            "touches": 2,
            "last_touch": "2026-11-09",
            "next_due": "2026-11-30",
        },
        {
            "id": ids["Tom Wu"],
            "name": "Tom Wu",
            "role": "acceptor",
            "level": None,
            "status": "prospect",
            "touches": 1,
            "last_touch": "2026-11-05",
            "next_due": "2026-11-06",  # the cadence's next touch, a day after the first
        },
        {
            "id": ids["Ann Lee"],
            "name": "Ann Lee",
            "role": "dissatisfied",
            "level": None,
            "status": "lost",
            "touches": 1,
            "last_touch": "2026-11-03",
            "next_due": None,
        },
    ]
    assert acme["warnings"] == []  # two people who are not lost, one of them the power


def test_account_table_shows_people_and_plain_warnings(cli, seed):
    seed(ACME, today=TODAY)
    ok(cli("edit", "Sue Chen", "--role", "acceptor", today=TODAY))
    ok(cli("lost", "Tom Wu", "--on", "2026-11-20", today=TODAY))
    out = ok(cli("account", "acme", today=TODAY)).stdout
    for text in ("Acme", "Sue Chen", "acceptor", "dating", "2026-11-09", "2026-11-30", "Ann Lee", "lost"):
        assert text in out, text
    assert "1 person (and 2 lost)." in out
    assert "Warning: the account hangs on one person, Sue Chen: get to know more people at Acme." in out
    assert "Warning: no power contact yet: find out who decides at Acme" in out


@pytest.mark.parametrize(
    ("given", "company"),
    [("acme", "Acme"), ("ACME", "Acme"), (" Acme ", "Acme"), ("asia", "Acme Asia"), ("acme  ASIA", "Acme Asia")],
)
def test_company_is_matched_by_case_exact_first_then_by_a_unique_part(cli, seed, given, company):
    seed(ACME, today=TODAY)
    assert account_json(cli, given)["company"] == company


def test_chinese_company_is_found_by_a_part(cli, seed):
    seed(ACME, today=TODAY)
    found = account_json(cli, "华")
    assert (found["company"], [c["name"] for c in found["contacts"]]) == ("华为", ["陈素"])


def test_an_ambiguous_part_lists_the_candidate_companies(cli, seed, dump):
    seed(ACME, today=TODAY)
    before = dump()
    refused(cli("account", "ac", today=TODAY), "'ac'", "several companies", "Acme, Acme Asia")
    assert dump() == before


@pytest.mark.parametrize(
    ("given", "words"),
    [("Globex", ["'Globex'", "followup account lists"]), (" ", ["company name"])],
    ids=["unknown", "empty"],
)
def test_an_unknown_or_empty_company_is_refused(cli, seed, given, words):
    seed(ACME, today=TODAY)
    refused(cli("account", given, today=TODAY), *words)


def test_single_contact_and_no_power_warnings(cli, seed):
    seed(ACME, today=TODAY)
    asia = account_json(cli, "Acme Asia")
    assert [w["code"] for w in asia["warnings"]] == ["single_contact"]  # Bob Li is the power
    assert "hangs on one person, Bob Li" in asia["warnings"][0]["text"]
    huawei = account_json(cli, "华为")
    assert [w["code"] for w in huawei["warnings"]] == ["single_contact", "no_power"]


def test_a_lost_power_contact_leaves_the_account_without_one(cli, seed):
    seed(ACME, today=TODAY)
    ok(cli("lost", "Sue Chen", "--on", "2026-11-20", today=TODAY))
    ok(cli("add", "Eve Xu", "--company", "Acme", today=TODAY))
    codes = [w["code"] for w in account_json(cli, "Acme")["warnings"]]
    assert codes == ["no_power"]  # Tom Wu and Eve Xu: two people, neither decides


# ---------------------------------------------------------------- every account


def test_without_company_every_account_in_one_list(cli, seed):
    seed(ACME, today=TODAY)
    found = account_json(cli)
    assert [a["company"] for a in found] == ["Acme", "Acme Asia", "华为"]
    assert [len(a["contacts"]) for a in found] == [3, 1, 1]
    assert [[w["code"] for w in a["warnings"]] for a in found] == [
        [],
        ["single_contact"],
        ["single_contact", "no_power"],
    ]
    assert set(found[0]) == {"company", "contacts", "warnings"}

    table = ok(cli("account", today=TODAY)).stdout
    lines = {line.split("│")[1].strip(): line for line in table.splitlines() if line.startswith("│")}
    assert "2 (+1 lost)" in lines["Acme"] and "yes" in lines["Acme"] and "2026-11-09" in lines["Acme"]
    assert "hangs on one person" in lines["华为"] and "no power contact" in lines["华为"]
    assert "3 accounts, 2 with a warning." in table


def test_no_accounts_yet(cli):
    ok(cli("add", "Dan Wu", today=TODAY))
    assert account_json(cli) == []
    assert "No accounts yet" in ok(cli("account", today=TODAY)).stdout


def test_account_writes_nothing(cli, seed, dump):
    seed(ACME, today=TODAY)
    before = dump()
    ok(cli("account", today=TODAY))
    ok(cli("account", "acme", "--json", today=TODAY))
    assert dump() == before


def test_each_salesperson_sees_their_own_people_of_an_account(cli, backend):
    ok(cli("--user", "alice", "add", "Sue Chen", "--company", "Acme", "--role", "power", today=TODAY))
    ok(cli("--user", "bob", "add", "Tom Wu", "--company", "Acme", today=TODAY))
    names = [c["name"] for c in ok(cli("--user", "bob", "account", "Acme", "--json", today=TODAY)).json()["contacts"]]
    if backend == "postgresql":  # a shared database: bob works among his own contacts
        assert names == ["Tom Wu"]
        assert [a["company"] for a in ok(cli("--user", "carol", "account", "--json", today=TODAY)).json()] == []
    else:  # a single-user file: every contact is in reach
        assert names == ["Sue Chen", "Tom Wu"]


# ---------------------------------------------------------------- the story of a relationship


def test_level_changes_are_recorded_with_their_day_and_show_tells_the_story(cli, dump):
    ok(cli("add", "Sue Chen", "--company", "Acme", "--role", "power", "--level", "acquaintance", today="2026-09-01"))
    ok(cli("edit", "Sue Chen", "--level", "dating", "--on", "2026-10-01", today=TODAY))
    ok(cli("edit", "Sue Chen", "--level", "partner", today="2026-11-20"))  # default: today
    shown = ok(cli("show", "Sue Chen", "--json", today=TODAY)).json()
    assert shown["levels"] == [
        {"date": "2026-09-01", "level": "acquaintance", "previous": None},
        {"date": "2026-10-01", "level": "dating", "previous": "acquaintance"},
        {"date": "2026-11-20", "level": "partner", "previous": "dating"},
    ]
    assert (shown["contact"]["role"], shown["contact"]["level"]) == ("power", "partner")
    assert [
        (r["level"], r["previous"], str(r["day"])) for r in sorted(rows(dump, "level_change"), key=lambda r: r["id"])
    ] == [
        ("acquaintance", None, "2026-09-01"),
        ("dating", "acquaintance", "2026-10-01"),
        ("partner", "dating", "2026-11-20"),
    ]
    text = ok(cli("show", "Sue Chen", today=TODAY)).stdout
    assert "role: power" in text and "level: partner" in text
    assert "2026-09-01 acquaintance\n" in text
    assert "2026-10-01 acquaintance -> dating" in text
    assert "2026-11-20 dating -> partner" in text


def test_clearing_the_level_is_part_of_the_story(cli):
    ok(cli("add", "Sue Chen", today="2026-09-01"))
    ok(cli("edit", "Sue Chen", "--level", "dating", "--on", "2026-10-01", today=TODAY))
    run = ok(cli("edit", "Sue Chen", "--level", "none", "--on", "2026-11-02", today=TODAY))
    assert "level" in run.stdout
    shown = ok(cli("show", "Sue Chen", "--json", today=TODAY)).json()
    assert shown["contact"]["level"] is None
    assert shown["levels"][-1] == {"date": "2026-11-02", "level": None, "previous": "dating"}
    assert "2026-11-02 dating -> (none)" in ok(cli("show", "Sue Chen", today=TODAY)).stdout


def test_a_level_change_that_changes_nothing_writes_nothing(cli, dump):
    ok(cli("add", "Sue Chen", "--level", "Dating", today="2026-09-01"))
    before = dump()
    run = ok(cli("edit", "Sue Chen", "--level", "dating", "--on", "2026-10-01", today=TODAY))
    assert "nothing to change" in run.stdout
    ok(cli("edit", "Sue Chen", "--level", "DATING", today=TODAY))
    assert dump() == before
    ok(cli("add", "Tom Wu", today=TODAY))  # no level: no story
    ok(cli("edit", "Tom Wu", "--level", "none", today=TODAY))
    assert len(rows(dump, "level_change")) == 1


def test_edit_on_dates_a_loss_too(cli):
    ok(cli("add", "Sue Chen", "--first", "2026-11-02", today="2026-11-01"))
    ok(cli("edit", "Sue Chen", "--status", "lost", "--on", "2026-11-10", today=TODAY))
    shown = ok(cli("show", "Sue Chen", "--json", today=TODAY)).json()
    assert shown["contact"]["lost_on"] == "2026-11-10"
    assert [(f["status"], f["closed_on"]) for f in shown["followups"]] == [("cancelled", "2026-11-10")]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--note", "met at the fair", "--on", "2026-10-01"], ["--on", "--level", "--status"]),
        (["--role", "power", "--on", "2026-10-01"], ["--on", "--level"]),
        (["--level", "dating", "--on", "fribay"], ["--on", "fribay", "YYYY-MM-DD"]),
        (["--level", "ally", "--on", "2026-08-31"], ["2026-08-31", "last level change (2026-09-01)"]),
    ],
    ids=["note", "role", "garbage", "before-the-last-change"],
)
def test_edit_on_is_refused_without_a_change_it_dates_or_before_the_last_change(cli, dump, args, words):
    ok(cli("add", "Sue Chen", "--level", "acquaintance", today="2026-09-01"))
    before = dump()
    refused(cli("edit", "Sue Chen", *args, today=TODAY), *words)
    assert dump() == before


def test_deleting_a_contact_deletes_its_story(cli, dump):
    ok(cli("add", "Sue Chen", "--level", "acquaintance", today="2026-09-01"))
    ok(cli("edit", "Sue Chen", "--level", "dating", today=TODAY))
    ok(cli("rm", "Sue Chen", "--yes", today=TODAY))
    assert rows(dump, "level_change") == []


def test_a_merged_record_keeps_the_story_of_the_level_it_keeps(cli):
    ok(cli("add", "Sue Chen", "--company", "Acme", today="2026-09-01"))
    ok(cli("add", "Sue C", "--level", "acquaintance", today="2026-09-02"))
    ok(cli("edit", "Sue C", "--level", "dating", "--on", "2026-10-01", today=TODAY))
    ok(cli("merge", "Sue Chen", "Sue C", "--yes", today=TODAY))
    shown = ok(cli("show", "Sue Chen", "--json", today=TODAY)).json()
    assert shown["contact"]["level"] == "dating"
    assert [(c["date"], c["level"]) for c in shown["levels"]] == [
        ("2026-09-02", "acquaintance"),
        ("2026-10-01", "dating"),
    ]


def test_set_level_records_only_a_real_change(session, settings):
    sue = add_contact(session=session, name="Sue Chen", settings=settings, on=date(2026, 9, 1)).contact
    assert set_level(session=session, contact=sue, level="dating", on=date(2026, 10, 1)) is True
    assert set_level(session=session, contact=sue, level="dating", on=date(2026, 10, 2)) is False
    assert set_level(session=session, contact=sue, level=None, on=date(2026, 11, 1)) is True
    assert set_level(session=session, contact=sue, level="", on=date(2026, 11, 2)) is False
    session.flush()
    from followup.services import level_changes

    story = [(c.day, c.previous, c.level) for c in level_changes(session=session, contact_id=sue.id)]
    assert story == [(date(2026, 10, 1), None, "dating"), (date(2026, 11, 1), "dating", "")]


def test_a_narrow_terminal_keeps_names_readable(cli, seed):
    seed(ACME, today=TODAY)
    out = ok(cli("account", "acme", today=TODAY, env={"COLUMNS": "60"})).stdout
    assert all(len(line) <= 60 for line in out.splitlines())
    for name in ("Sue Chen", "Tom Wu", "Ann Lee"):
        assert name in out, out
    assert "last touch" not in out and "touches" not in out  # they go first; the next follow-up stays
    assert "2026-11-30" in out
    wider = ok(cli("account", "acme", today=TODAY, env={"COLUMNS": "80"})).stdout
    assert all(len(line) <= 80 for line in wider.splitlines())
    assert "touches" in wider and "2026-11-30" in wider and "Sue Chen" in wider
