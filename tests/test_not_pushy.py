"""Follow-up that is not pushy: the date the prospect asked for wins and the cadence waits for
it, `due` says when to vary the time and when to consider letting go, and a do-not-contact
person is never contacted (a call from them is logged with --force, nothing is scheduled)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import ok, refused
from sqlmodel import select

from followup import services
from followup.config import Settings
from followup.errors import UserError
from followup.models import Contact, FollowUp

pytestmark = pytest.mark.backends("sqlite", "postgresql")

D = date(2026, 11, 2)  # a Monday


def day(offset: int = 0) -> str:
    return (D + timedelta(days=offset)).isoformat()


def show(cli, who: str) -> dict:
    return ok(cli("show", who, "--json")).json()


def open_followups(cli, who: str) -> list[tuple[str, str, str]]:
    return [(f["kind"], f["due"], f["reason"]) for f in show(cli, who)["followups"] if f["status"] == "open"]


def due(cli, on: str, days: int = 0) -> dict:
    return ok(cli("due", "--on", on, "--days", str(days), "--json")).json()


def items(report: dict) -> list[dict]:
    return report["due"] + report["upcoming"]


# ---------------------------------------------------------------- the date they asked for


def test_touch_next_is_marked_asked_for_in_due(cli):
    ok(cli("add", "Sue Chen", "--first", day(0)))
    ok(cli("add", "Tom Wu", "--first", day(10)))
    ok(cli("touch", "Sue Chen", "--on", day(0), "--next", day(10)))

    report = due(cli, day(10))
    asked = {i["contact"]: i["asked_for"] for i in report["due"]}
    assert asked == {"Sue Chen": True, "Tom Wu": False}
    table = ok(cli("due", "--on", day(10))).stdout
    [sue_row] = [line for line in table.splitlines() if "Sue Chen" in line]
    assert "asked for" in sue_row
    [tom_row] = [line for line in table.splitlines() if "Tom Wu" in line]
    assert "asked for" not in tom_row


def test_schedule_is_marked_asked_for_in_due(cli):
    ok(cli("add", "Sue Chen", "--first", day(0)))
    ok(cli("schedule", "Sue Chen", day(5), "--what", "call after the budget meeting", today=day(0)))

    [item] = due(cli, day(5))["due"]
    assert (item["kind"], item["asked_for"], item["reason"]) == ("manual", True, "call after the budget meeting")
    [row] = [line for line in ok(cli("due", "--on", day(5))).stdout.splitlines() if "Sue Chen" in line]
    assert "call after the budget meeting · asked for" in row


def test_a_touch_before_the_asked_for_date_leaves_it_the_next_step(cli):
    ok(cli("add", "Sue Chen", "--first", day(0)))
    ok(cli("touch", "Sue Chen", "--on", day(0), "--next", day(14)))  # "call me in two weeks"

    run = ok(cli("touch", "Sue Chen", "--via", "email", "--on", day(3)))  # they e-mailed meanwhile

    assert "next #" not in run.stdout  # no cadence touch on day 5 (3 + a gap of 2)
    assert f"the next step stays #2 on {day(14)}" in run.stderr
    assert open_followups(cli, "Sue Chen") == [("touch", day(14), "touch 3 of 12, the date they asked for")]
    # on the day they asked for, the touch completes it and the cadence goes on from there
    run = ok(cli("touch", "Sue Chen", "--on", day(14)))
    assert "done #2: touch 3 of 12, the date they asked for" in run.stdout
    assert open_followups(cli, "Sue Chen") == [("touch", day(17), "touch 4 of 12")]  # gap after touch 3: 3 days


def test_the_cadence_waits_for_a_scheduled_date_too(cli):
    ok(cli("add", "Sue Chen", "--first", day(0)))
    ok(cli("touch", "Sue Chen", "--on", day(0)))
    ok(cli("schedule", "Sue Chen", day(20), "--what", "after their trade fair", today=day(0)))

    for n in (1, 2, 3):
        ok(cli("touch", "Sue Chen", "--on", day(n)))

    assert open_followups(cli, "Sue Chen") == [("manual", day(20), "after their trade fair")]
    assert [i["kind"] for i in items(due(cli, day(0), days=30))] == ["manual"]


def test_next_none_or_a_new_next_still_replace_an_asked_for_touch(cli):
    ok(cli("add", "Sue Chen", "--first", day(0)))
    ok(cli("touch", "Sue Chen", "--on", day(0), "--next", day(14)))
    ok(cli("touch", "Sue Chen", "--on", day(3), "--next", day(21)))  # they asked again: the new date
    assert open_followups(cli, "Sue Chen") == [("touch", day(21), "touch 3 of 12, the date they asked for")]
    ok(cli("touch", "Sue Chen", "--on", day(4), "--next", "none"))
    assert open_followups(cli, "Sue Chen") == []


def test_a_prospect_without_an_asked_for_date_moves_on_the_cadence(cli):
    ok(cli("add", "Sue Chen", "--first", day(0)))
    ok(cli("touch", "Sue Chen", "--on", day(0)))
    ok(cli("touch", "Sue Chen", "--on", day(1)))
    assert open_followups(cli, "Sue Chen") == [("touch", day(3), "touch 3 of 12")]


# ---------------------------------------------------------------- vary the time


@pytest.mark.parametrize(
    ("times", "flagged"),
    [
        (["10:00", "09:15", "11:59"], True),  # three Monday mornings
        (["12:00", "16:59", "14:30"], True),  # three Monday afternoons
        (["17:00", "19:30", "18:00"], True),  # three Monday evenings
        (["10:00", "09:15", "12:00"], False),  # the last one in the afternoon
        ([None, None, None], True),  # no times: the weekday alone
        ([None, "09:00", "17:30"], True),  # one without a time: the weekday alone
    ],
)
def test_due_says_vary_the_time_after_three_touches_on_one_weekday_and_hour_band(cli, times, flagged):
    ok(cli("add", "Sue Chen", "--first", day(0)))
    for week, at in enumerate(times):
        ok(cli("touch", "Sue Chen", "--on", day(7 * week) + (f" {at}" if at else ""), "--next", day(7 * week + 7)))

    [item] = due(cli, day(14), days=30)["upcoming"]
    assert item["hint"] == ("vary_time" if flagged else None)
    table = ok(cli("due", "--on", day(14), "--days", "30")).stdout
    assert ("vary the time" in table) is flagged


@pytest.mark.parametrize("offsets", [(0, 8, 14), (0, 7)], ids=["a Tuesday among Mondays", "two touches"])
def test_no_vary_the_time_on_other_weekdays_or_fewer_touches(cli, offsets):
    ok(cli("add", "Sue Chen"))
    for offset in offsets:
        ok(cli("touch", "Sue Chen", "--on", day(offset) + " 10:00", "--next", day(offset + 7)))
    assert [i["hint"] for i in items(due(cli, day(14), days=30))] == [None]


def test_only_the_last_three_touches_up_to_the_day_count(cli):
    ok(cli("add", "Sue Chen"))
    for offset in (0, 7, 14):  # three Monday mornings
        ok(cli("touch", "Sue Chen", "--on", day(offset) + " 10:00", "--next", day(offset + 7)))
    ok(cli("touch", "Sue Chen", "--on", day(16) + " 10:00", "--next", day(30)))  # then a Wednesday
    assert [i["hint"] for i in items(due(cli, day(16), days=30))] == [None]
    assert [i["hint"] for i in items(due(cli, day(14), days=30))] == ["vary_time"]  # as of the third Monday


def test_vary_the_time_is_for_prospects(cli):
    ok(cli("add", "Cal Customer"))
    for offset in (0, 7, 14):
        ok(cli("touch", "Cal Customer", "--on", day(offset) + " 10:00"))
    ok(cli("sold", "Cal Customer", "--on", day(14)))
    assert {i["hint"] for i in items(due(cli, day(14), days=30))} == {None}


# ---------------------------------------------------------------- consider letting go


def touch_through_the_cadence(cli, name: str, count: int) -> None:
    ok(cli("add", name, "--first", day(0)))
    for n in range(count):
        ok(cli("touch", name, "--on", day(n)))


def test_a_prospect_past_the_whole_cadence_is_marked_consider_letting_go(cli):
    touch_through_the_cadence(cli, "Sue Chen", 12)
    ok(cli("add", "Tom Wu"))  # no next step, no touches: nothing to let go of yet

    rows = {r["contact"]: r for r in due(cli, day(20))["no_next_step"]}
    assert (rows["Sue Chen"]["touches"], rows["Sue Chen"]["hint"]) == (12, "let_go")
    assert rows["Tom Wu"]["hint"] is None
    table = ok(cli("due", "--on", day(20))).stdout
    [row] = [line for line in table.splitlines() if "Sue Chen" in line]
    assert "consider letting go" in row


def test_eleven_touches_or_a_sale_is_no_reason_to_let_go(cli):
    touch_through_the_cadence(cli, "Sue Chen", 11)
    ok(cli("touch", "Sue Chen", "--on", day(11), "--next", "none"))  # the 12th, nothing next
    ok(cli("add", "Tom Wu"))
    for n in range(11):
        ok(cli("touch", "Tom Wu", "--on", day(n), "--next", "none"))
    touch_through_the_cadence(cli, "Cal Customer", 12)
    ok(cli("sold", "Cal Customer", "--on", day(12)))
    ok(cli("edit", "Cal Customer", "--status", "customer"))
    rows = {r["contact"]: r["hint"] for r in due(cli, day(500))["no_next_step"]}
    assert rows["Sue Chen"] == "let_go"
    assert rows["Tom Wu"] is None  # eleven touches: the cadence is not over
    assert rows.get("Cal Customer") is None  # a customer is no one to let go


def test_letting_go_follows_the_cadence_length_of_the_settings(cli):
    Path(os.environ["FOLLOWUP_CONFIG"]).write_text("[cadence]\nprospect_gaps = [1, 2]\n", encoding="utf-8")
    touch_through_the_cadence(cli, "Sue Chen", 3)
    [row] = due(cli, day(10))["no_next_step"]
    assert (row["touches"], row["hint"]) == (3, "let_go")


# ---------------------------------------------------------------- do-not-contact


@pytest.fixture
def stopped(cli):
    """Dan asked not to be contacted (edit --do-not-contact), with a cadence touch open before."""
    ok(cli("add", "Dan Wu", "--first", day(0)))
    ok(cli("touch", "Dan Wu", "--on", day(0)))
    run = ok(cli("edit", "Dan Wu", "--do-not-contact"))
    assert "cancelled 1 open follow-up(s)" in run.stdout  # as --outcome stop does
    return show(cli, "Dan Wu")["contact"]["id"]


def test_touch_and_schedule_refuse_a_do_not_contact_person_and_write_nothing(cli, dump, stopped):
    before = dump()
    line = refused(cli("touch", "Dan Wu", "--on", day(2)), "Dan Wu", "asked not to be contacted", "--force")
    assert f"followup edit {stopped} --allow-contact" in line
    line = refused(cli("schedule", "Dan Wu", day(9), today=day(2)), "asked not to be contacted", "--force")
    assert f"followup edit {stopped} --allow-contact" in line
    refused(cli("touch", "Dan Wu", "--on", day(2), "--outcome", "stop"), "--force")
    assert dump() == before


def test_touch_force_logs_their_call_and_schedules_nothing(cli, stopped):
    run = ok(cli("touch", "Dan Wu", "--on", day(3), "--force", "--note", "called about the invoice"))
    assert "logged as their call to you" in run.stderr and "do-not-contact stays" in run.stderr

    detail = show(cli, "Dan Wu")
    assert detail["contact"]["do_not_contact"] is True
    assert [(t["date"], t["inbound"]) for t in detail["touches"]] == [(day(0), False), (day(3), True)]
    assert [f for f in detail["followups"] if f["status"] == "open"] == []
    assert any("they contacted you" in e["what"] for e in detail["timeline"])
    report = due(cli, day(3), days=400)
    assert report["due"] == report["upcoming"] == report["no_next_step"] == []


def test_touch_force_with_a_next_date_is_refused(cli, dump, stopped):
    before = dump()
    refused(cli("touch", "Dan Wu", "--on", day(3), "--force", "--next", day(9)), "--next", "schedules nothing")
    assert dump() == before


def test_touch_force_on_a_contact_who_may_be_called_is_a_usual_touch(cli):
    ok(cli("add", "Sue Chen", "--first", day(0)))
    run = ok(cli("touch", "Sue Chen", "--on", day(0), "--force"))
    assert "done #1" in run.stdout and "next #2" in run.stdout
    assert show(cli, "Sue Chen")["touches"][0]["inbound"] is False


def test_allow_contact_lifts_it_and_the_next_touch_schedules_again(cli, stopped):
    ok(cli("edit", "Dan Wu", "--allow-contact"))
    assert show(cli, "Dan Wu")["contact"]["do_not_contact"] is False
    run = ok(cli("touch", "Dan Wu", "--on", day(5)))
    assert "next #" in run.stdout
    assert open_followups(cli, "Dan Wu") == [("touch", day(7), "touch 3 of 12")]


def test_done_on_a_do_not_contact_persons_follow_up_is_refused(cli, dump, stopped):
    [cancelled] = [f["id"] for f in show(cli, "Dan Wu")["followups"] if f["status"] == "cancelled"]
    before = dump()
    refused(cli("done", str(cancelled), "--on", day(2)), f"#{cancelled}", "already cancelled")
    assert dump() == before


def test_done_refuses_an_open_follow_up_left_on_a_do_not_contact_person(session):
    """Nothing leaves one open today (the mark cancels them all); should one be, `done` refuses
    and says how to close it, and the touch is not logged."""
    settings = Settings()
    dan = services.add_contact(session=session, name="Dan Wu", settings=settings, first=D).contact
    dan.do_not_contact = True
    session.add(dan)
    session.flush()
    [fu] = services.open_followups(session=session, contact_id=dan.id)
    with pytest.raises(UserError, match=rf"followup skip {fu.id}"):
        services.complete_followup(session=session, followup_id=fu.id, on=D, settings=settings)
    assert services.touch_count(session=session, contact_id=dan.id) == 0
    skipped, again = services.skip_followup(session=session, followup_id=fu.id, on=D, settings=settings)
    assert (skipped.status, again) == ("skipped", None)  # nothing comes back for them


def test_a_do_not_contact_referrer_gets_no_coach_task(cli, stopped):
    run = ok(cli("add-referral", "Sue Chen", "--from", "Dan Wu", "--on", day(1)))
    assert "no coach task: Dan Wu asked not to be contacted" in run.stdout
    assert open_followups(cli, "Dan Wu") == []
    assert open_followups(cli, "Sue Chen") == [("touch", day(1), "referral touch 1 of 12")]
    # and when Sue buys, no thank-you is scheduled on Dan
    ok(cli("sold", "Sue Chen", "--on", day(2)))
    assert open_followups(cli, "Dan Wu") == []


def test_a_do_not_contact_customer_is_not_asked_for_referrals(cli, dump):
    ok(cli("add", "Cal Customer"))
    ok(cli("sold", "Cal Customer", "--on", day(0)))
    ok(cli("edit", "Cal Customer", "--do-not-contact"))
    before = dump()
    refused(cli("ask", "Cal Customer", "--names", "Sue Chen", "--on", day(1)), "asked not to be contacted")
    assert dump() == before


def test_stop_then_a_coach_task_about_them_is_cancelled(cli):
    ok(cli("add-referral", "Sue Chen", "--from", "Bob Li", "--on", day(0)))
    assert [k for k, _, _ in open_followups(cli, "Bob Li")] == ["coach"]
    ok(cli("edit", "Sue Chen", "--do-not-contact"))
    assert open_followups(cli, "Bob Li") == [] and open_followups(cli, "Sue Chen") == []


def test_no_automatic_follow_up_reaches_a_do_not_contact_person(session):
    """A sale to, and a referral of, someone marked do-not-contact schedule nothing for them."""
    settings = Settings()
    dan = services.add_contact(session=session, name="Dan Wu", settings=settings).contact
    edited = services.edit_contact(session=session, contact=dan, on=D, do_not_contact=True, birthday="12-03")
    assert edited.scheduled == []  # no birthday follow-up either
    with pytest.raises(UserError, match="--force"):
        services.add_referral(session=session, prospect=f"#{dan.id}", referrer="Bob Li", on=D, settings=settings)
    sold = services.record_sale(session=session, contact=dan, on=D, settings=settings)
    assert sold.scheduled == []
    opened = session.exec(select(FollowUp).where(FollowUp.contact_id == dan.id, FollowUp.status == "open")).all()
    assert opened == []
    assert session.get(Contact, dan.id).do_not_contact is True
