"""Birthdays: `--birthday MM-DD` on add/edit schedules a birthday follow-up a few days ahead
each year; changing, clearing, do-not-contact and losing the contact keep it in step."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import ok, refused

from followup.courtesy import BIRTHDAY_LEAD_DAYS, birthday_in, birthday_plan, next_birthday, parse_birthday
from followup.errors import UserError

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-23"


def show(cli, who: str) -> dict:
    return ok(cli("show", who, "--json")).json()


def birthdays(cli, who: str, status: str = "open") -> list[tuple[str, str]]:
    return [
        (f["due"], f["reason"])
        for f in show(cli, who)["followups"]
        if f["kind"] == "birthday" and f["status"] == status
    ]


def birthday_id(cli, who: str) -> int:
    [fid] = [f["id"] for f in show(cli, who)["followups"] if f["kind"] == "birthday" and f["status"] == "open"]
    return fid


DEC_3 = ("2026-11-30", "birthday on Dec 3: send greetings")


# ---------------------------------------------------------------- the rules, without the CLI


def test_the_follow_up_falls_due_three_days_before_the_next_birthday():
    assert BIRTHDAY_LEAD_DAYS == 3
    plan = birthday_plan("12-03", on=date(2026, 11, 23))
    assert (plan.kind.value, plan.due, plan.action.value, plan.reason) == (
        "birthday",
        date(2026, 11, 30),
        "call",
        "birthday on Dec 3: send greetings",
    )
    assert birthday_plan("11-25", on=date(2026, 11, 23)).due == date(2026, 11, 23)  # two days ahead: today
    assert birthday_plan("11-23", on=date(2026, 11, 23)).due == date(2026, 11, 23)  # today
    assert birthday_plan("11-22", on=date(2026, 11, 23)).due == date(2027, 11, 19)  # passed: next year


def test_february_29_falls_on_february_28_outside_leap_years():
    assert birthday_in("02-29", 2027) == date(2027, 2, 28)
    assert birthday_in("02-29", 2028) == date(2028, 2, 29)
    assert next_birthday("02-29", on=date(2027, 3, 1)) == date(2028, 2, 29)
    plan = birthday_plan("02-29", on=date(2026, 11, 23))
    assert (plan.due, plan.reason) == (date(2027, 2, 25), "birthday on Feb 29 (Feb 28 this year): send greetings")


@pytest.mark.parametrize(
    ("text", "value"),
    [("12-03", "12-03"), ("2-9", "02-09"), (" 02-29 ", "02-29"), ("none", ""), ("None", ""), ("", ""), (None, None)],
)
def test_parse_birthday(text, value):
    assert parse_birthday(text) == value


@pytest.mark.parametrize(
    "text", ["13-01", "00-10", "02-30", "04-31", "12-00", "12/03", "Dec 3", "2026-12-03", "１２-03"]
)
def test_parse_birthday_refuses_what_is_no_birthday(text):
    with pytest.raises(UserError, match="--birthday"):
        parse_birthday(text)


# ---------------------------------------------------------------- add, edit, show


def test_add_with_a_birthday_schedules_the_follow_up_and_show_tells_it(cli):
    run = ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    assert "birthday follow-up #1 due 2026-11-30: birthday on Dec 3: send greetings" in run.stdout
    assert birthdays(cli, "Sue Chen") == [DEC_3]
    assert show(cli, "Sue Chen")["contact"]["birthday"] == "12-03"
    assert "birthday: Dec 3" in ok(cli("show", "Sue Chen")).stdout
    report = ok(cli("due", "--on", "2026-11-30", "--json")).json()
    assert [(i["kind"], i["reason"]) for i in report["due"]] == [("birthday", DEC_3[1])]


def test_a_birthday_keeps_nobody_out_of_no_next_step(cli):
    ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    report = ok(cli("due", "--on", TODAY, "--json")).json()
    assert [r["contact"] for r in report["no_next_step"]] == ["Sue Chen"]


def test_edit_changes_the_birthday_and_replaces_the_open_follow_up(cli):
    ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    run = ok(cli("edit", "Sue Chen", "--birthday", "01-15", today=TODAY))
    assert "birthday" in run.stdout and "birthday follow-up" in run.stdout
    assert birthdays(cli, "Sue Chen") == [("2027-01-12", "birthday on Jan 15: send greetings")]
    assert birthdays(cli, "Sue Chen", "cancelled") == [DEC_3]
    # the same birthday again changes nothing
    run = ok(cli("edit", "Sue Chen", "--birthday", "1-15", today=TODAY))
    assert "nothing to change" in run.stdout
    assert len(birthdays(cli, "Sue Chen")) == 1


def test_edit_birthday_none_clears_it_and_cancels_the_follow_up(cli):
    ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    ok(cli("edit", "Sue Chen", "--birthday", "none", today=TODAY))
    assert show(cli, "Sue Chen")["contact"]["birthday"] is None
    assert birthdays(cli, "Sue Chen") == []
    assert birthdays(cli, "Sue Chen", "cancelled") == [DEC_3]


def test_edit_adds_a_birthday_to_a_customer(cli):
    ok(cli("add", "Cal Customer"))
    ok(cli("sold", "Cal Customer", "--on", "2026-11-01"))
    ok(cli("edit", "Cal Customer", "--birthday", "02-29", today=TODAY))
    assert birthdays(cli, "Cal Customer") == [("2027-02-25", "birthday on Feb 29 (Feb 28 this year): send greetings")]


# ---------------------------------------------------------------- completing and skipping


def test_done_schedules_next_years_follow_up(cli):
    ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    run = ok(cli("done", str(birthday_id(cli, "Sue Chen")), "--on", "2026-12-01", today="2026-12-01"))
    assert "next #" in run.stdout and "2027-11-30" in run.stdout
    assert birthdays(cli, "Sue Chen") == [("2027-11-30", DEC_3[1])]
    assert [(f["due"], f["status"]) for f in show(cli, "Sue Chen")["followups"] if f["kind"] == "birthday"] == [
        ("2026-11-30", "done"),
        ("2027-11-30", "open"),
    ]


def test_skip_schedules_next_years_follow_up(cli):
    ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    run = ok(cli("skip", str(birthday_id(cli, "Sue Chen")), "--on", "2026-11-30", today="2026-11-30"))
    assert "next #" in run.stdout and "2027-11-30" in run.stdout
    assert birthdays(cli, "Sue Chen") == [("2027-11-30", DEC_3[1])]


def test_a_touch_that_completes_it_schedules_next_years_too(cli):
    ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    run = ok(cli("touch", "Sue Chen", "--via", "gift", "--on", "2026-12-02"))
    assert "done #1: birthday on Dec 3" in run.stdout and "2027-11-30" in run.stdout
    assert birthdays(cli, "Sue Chen") == [("2027-11-30", DEC_3[1])]


def test_a_late_greeting_schedules_the_birthday_after_the_one_it_was_for(cli):
    ok(cli("add", "Sue Chen", "--birthday", "02-29", today=TODAY))
    ok(cli("done", str(birthday_id(cli, "Sue Chen")), "--on", "2027-03-10", today="2027-03-10"))
    assert birthdays(cli, "Sue Chen") == [("2028-02-26", "birthday on Feb 29: send greetings")]  # a leap year


# ---------------------------------------------------------------- not for do-not-contact or lost contacts


def test_do_not_contact_cancels_it_and_allow_contact_brings_it_back(cli):
    ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    ok(cli("edit", "Sue Chen", "--do-not-contact", today=TODAY))
    assert birthdays(cli, "Sue Chen") == []
    ok(cli("edit", "Sue Chen", "--birthday", "12-05", today=TODAY))  # kept, but nothing scheduled
    assert show(cli, "Sue Chen")["contact"]["birthday"] == "12-05"
    assert birthdays(cli, "Sue Chen") == []
    ok(cli("edit", "Sue Chen", "--allow-contact", today=TODAY))
    assert birthdays(cli, "Sue Chen") == [("2026-12-02", "birthday on Dec 5: send greetings")]


def test_stop_cancels_it(cli):
    ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    ok(cli("touch", "Sue Chen", "--on", TODAY, "--outcome", "stop"))
    assert birthdays(cli, "Sue Chen") == []


def test_lost_cancels_it_and_reopening_brings_it_back(cli):
    ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    ok(cli("lost", "Sue Chen", "--on", TODAY))
    assert birthdays(cli, "Sue Chen") == []
    ok(cli("edit", "Sue Chen", "--birthday", "12-04", today=TODAY))
    assert birthdays(cli, "Sue Chen") == []
    ok(cli("edit", "Sue Chen", "--status", "prospect", today=TODAY))
    assert birthdays(cli, "Sue Chen") == [("2026-12-01", "birthday on Dec 4: send greetings")]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["add", "New", "--birthday", "13-01"], ["--birthday", "no month 13"]),
        (["add", "New", "--birthday", "02-30"], ["--birthday", "no day 30"]),
        (["edit", "Sue Chen", "--birthday", "12/03"], ["--birthday", "MM-DD"]),
        (["edit", "Sue Chen", "--birthday", "31-12"], ["--birthday", "no month 31"]),
    ],
)
def test_a_birthday_that_is_no_date_is_refused_and_writes_nothing(cli, dump, args, words):
    ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    before = dump()
    refused(cli(*args, today=TODAY), *words)
    assert dump() == before


# ---------------------------------------------------------------- corrections keep one birthday follow-up


def test_deleting_the_touch_that_greeted_them_reopens_it_and_drops_next_years(cli):
    ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    ok(cli("touch", "Sue Chen", "--on", "2026-12-02"))
    assert birthdays(cli, "Sue Chen") == [("2027-11-30", DEC_3[1])]
    [touch] = show(cli, "Sue Chen")["touches"]
    ok(cli("rm-touch", str(touch["id"]), "--yes", today="2026-12-02"))
    assert birthdays(cli, "Sue Chen") == [DEC_3]


def test_merging_two_records_keeps_one_birthday_follow_up_and_the_wish_for_news(cli):
    ok(cli("add", "Sue Chen", "--birthday", "12-03", today=TODAY))
    ok(cli("add", "S. Chen", "--birthday", "12-03", "--wants-news", today=TODAY))
    ok(cli("add", "Tom Wu", today=TODAY))
    ok(cli("add", "T. Wu", "--birthday", "01-15", today=TODAY))
    ok(cli("merge", "Sue Chen", "S. Chen", "--yes", today=TODAY))
    ok(cli("merge", "Tom Wu", "T. Wu", "--yes", today=TODAY))
    sue = show(cli, "Sue Chen")
    assert (sue["contact"]["birthday"], sue["contact"]["wants_news"]) == ("12-03", True)
    assert birthdays(cli, "Sue Chen") == [DEC_3]
    assert show(cli, "Tom Wu")["contact"]["birthday"] == "01-15"  # taken from the other record
    assert birthdays(cli, "Tom Wu") == [("2027-01-12", "birthday on Jan 15: send greetings")]
