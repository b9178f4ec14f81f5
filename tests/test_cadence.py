"""The cadence rules of SPEC section 2, pinned through the real CLI with explicit dates.

Every test states its dates; none depends on the real clock (relative forms get `today=`).
State is read back through `due --json`, `show --json` and `list --json`.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.backends("sqlite", "postgresql")

GAPS = (1, 2, 3, 4, 5, 7, 7, 10, 14, 14, 21)
D = date(2026, 3, 2)  # a Monday


def day(offset: int = 0, start: date = D) -> str:
    return (start + timedelta(days=offset)).isoformat()


def ok(cli, *args, **kwargs):
    r = cli(*args, **kwargs)
    assert r.exit_code == 0, f"{args}: {r.stderr}"
    return r


def show(cli, who: str) -> dict:
    return ok(cli, "show", who, "--json").json()


def followups(cli, who: str, status: str | None = "open") -> list[tuple[str, str, str]]:
    """(kind, due, reason) of a contact's follow-ups with `status` (all when None), by due date."""
    return [
        (f["kind"], f["due"], f["reason"])
        for f in show(cli, who)["followups"]
        if status is None or f["status"] == status
    ]


def followup_id(cli, who: str, kind: str, status: str = "open") -> int:
    [fid] = [f["id"] for f in show(cli, who)["followups"] if f["kind"] == kind and f["status"] == status]
    return fid


def due(cli, on: str, days: int = 0) -> dict:
    return ok(cli, "due", "--on", on, "--days", str(days), "--json").json()


def listed(cli, name: str) -> dict:
    [row] = [c for c in ok(cli, "list", "--json").json() if c["name"] == name]
    return row


def no_next_step_names(report: dict) -> list[str]:
    return [n["contact"] for n in report["no_next_step"]]


def assert_user_error(r) -> None:
    assert r.exit_code == 2, r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.stderr
    assert "Traceback" not in r.stderr


def log_touches(cli, who: str, count: int, first: date = D) -> date:
    """Log `count` touches, each on the day the previous one scheduled; returns the last touch's day."""
    on = first
    for n in range(1, count + 1):
        ok(cli, "touch", who, "--on", on.isoformat())
        if n < count:
            on += timedelta(days=GAPS[n - 1])
    return on


# ---------------------------------------------------------------- the twelve-touch prospect cadence


@pytest.mark.parametrize("n", range(1, 12))
def test_touch_n_schedules_next_touch_after_gap_n(cli, n):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    last = log_touches(cli, "Sue Chen", n)
    expected_due = (last + timedelta(days=GAPS[n - 1])).isoformat()
    detail = show(cli, "Sue Chen")
    assert len(detail["touches"]) == n
    assert [(f["kind"], f["due"], f["reason"]) for f in detail["followups"] if f["status"] == "open"] == [
        ("touch", expected_due, f"touch {n + 1} of 12")
    ]


def test_referred_prospect_touches_say_referral_touch(cli):
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--on", day(0))
    assert followups(cli, "Sue Chen") == [("touch", day(0), "referral touch 1 of 12")]
    ok(cli, "touch", "Sue Chen", "--on", day(0))
    ok(cli, "touch", "Sue Chen", "--on", day(1))
    assert followups(cli, "Sue Chen") == [("touch", day(3), "referral touch 3 of 12")]


def test_after_twelfth_touch_nothing_is_scheduled_and_contact_has_no_next_step(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    last = log_touches(cli, "Sue Chen", 11)
    assert followups(cli, "Sue Chen") == [("touch", day(21, last), "touch 12 of 12")]
    twelfth = day(21, last)
    ok(cli, "touch", "Sue Chen", "--on", twelfth)
    assert followups(cli, "Sue Chen") == []
    report = due(cli, twelfth, days=365)
    assert report["due"] == [] and report["upcoming"] == []
    assert report["no_next_step"] == [
        {"contact_id": 1, "contact": "Sue Chen", "status": "prospect", "touches": 12, "hint": "let_go"}
    ]


# ---------------------------------------------------------------- what a touch completes


def test_call_on_day_2_after_sale_completes_post_sale_2(cli):
    ok(cli, "add", "Sue Chen")
    ok(cli, "sold", "Sue Chen", "--on", day(0))
    ok(cli, "touch", "Sue Chen", "--on", day(2))
    assert followups(cli, "Sue Chen", "done") == [
        ("post_sale_2", day(2), "2-4-8 day 2: check they have started using it, and use it right")
    ]
    assert [k for k, _, _ in followups(cli, "Sue Chen")] == ["post_sale_4", "post_sale_8", "checkin"]


def test_touch_before_anything_is_due_completes_nothing(cli):
    ok(cli, "add", "Sue Chen")
    ok(cli, "sold", "Sue Chen", "--on", day(0))
    before = followups(cli, "Sue Chen")
    ok(cli, "touch", "Sue Chen", "--on", day(1))
    assert followups(cli, "Sue Chen") == before
    assert followups(cli, "Sue Chen", "done") == []
    assert listed(cli, "Sue Chen")["touches"] == 1


def test_touch_completes_only_the_earliest_open_followup_whatever_its_kind(cli):
    ok(cli, "add", "Sue Chen")
    ok(cli, "sold", "Sue Chen", "--on", day(0))
    ok(cli, "schedule", "Sue Chen", day(1), "--what", "send the manual", today=day(0))
    ok(cli, "touch", "Sue Chen", "--on", day(10))  # manual (day 1) and all of 2-4-8 are overdue
    assert followups(cli, "Sue Chen", "done") == [("manual", day(1), "send the manual")]
    ok(cli, "touch", "Sue Chen", "--on", day(10))
    assert [k for k, _, _ in followups(cli, "Sue Chen", "done")] == ["manual", "post_sale_2"]
    assert [k for k, _, _ in followups(cli, "Sue Chen")] == ["post_sale_4", "post_sale_8", "checkin"]


# ---------------------------------------------------------------- never two open cadence touches


def test_referral_of_a_prospect_with_a_scheduled_touch_leaves_one_open_touch(cli):
    ok(cli, "add", "Sue Chen", "--first", day(5))
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--on", day(0))
    assert followups(cli, "Sue Chen") == [("touch", day(0), "referral touch 1 of 12")]
    assert followups(cli, "Sue Chen", "cancelled") == [("touch", day(5), "touch 1 of 12")]


def test_referral_after_touches_continues_the_count(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    log_touches(cli, "Sue Chen", 2)  # days 0 and 1; touch 3 due day 3
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--on", day(2))
    assert followups(cli, "Sue Chen") == [("touch", day(2), "referral touch 3 of 12")]


def test_touch_next_replaces_the_open_cadence_touch(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    ok(cli, "touch", "Sue Chen", "--on", day(0), "--next", day(10))
    ok(cli, "touch", "Sue Chen", "--on", day(3), "--next", day(20))
    assert [(k, d) for k, d, _ in followups(cli, "Sue Chen")] == [("touch", day(20))]


# ---------------------------------------------------------------- the date they asked for


def test_touch_next_date_schedules_a_touch_on_that_date_instead_of_the_cadence(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    ok(cli, "touch", "Sue Chen", "--on", day(0), "--next", day(30))
    assert followups(cli, "Sue Chen") == [("touch", day(30), "touch 2 of 12, the date they asked for")]


def test_touch_next_none_schedules_nothing(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    ok(cli, "touch", "Sue Chen", "--on", day(0), "--next", "none")
    assert followups(cli, "Sue Chen") == []
    assert no_next_step_names(due(cli, day(0), days=60)) == ["Sue Chen"]


@pytest.mark.parametrize(
    ("weekday", "expected"),
    [("fri", "2026-11-27"), ("friday", "2026-11-27"), ("mon", "2026-11-23"), ("thu", "2026-11-26")],
)
def test_next_weekday_is_the_next_such_day_today_excluded(cli, weekday, expected):
    today = "2026-11-20"  # a Friday
    ok(cli, "add", "Sue Chen", "--first", today)
    ok(cli, "touch", "Sue Chen", "--on", today, "--next", weekday, today=today)
    assert [(k, d) for k, d, _ in followups(cli, "Sue Chen")] == [("touch", expected)]


@pytest.mark.parametrize(("weekday", "expected"), [("fri", "2026-11-20"), ("mon", "2026-11-16"), ("sat", "2026-11-14")])
def test_on_weekday_is_the_most_recent_such_day_today_included(cli, weekday, expected):
    ok(cli, "add", "Sue Chen")
    ok(cli, "touch", "Sue Chen", "--on", weekday, today="2026-11-20")
    assert [t["date"] for t in show(cli, "Sue Chen")["touches"]] == [expected]


def test_other_future_dates_take_the_next_weekday_today_excluded(cli):
    today = "2026-11-20"  # a Friday
    ok(cli, "add", "Sue Chen", "--first", "fri", today=today)
    assert [d for _, d, _ in followups(cli, "Sue Chen")] == ["2026-11-27"]
    ok(cli, "snooze", str(followup_id(cli, "Sue Chen", "touch")), "mon", today=today)
    assert [d for _, d, _ in followups(cli, "Sue Chen")] == ["2026-11-23"]
    ok(cli, "schedule", "Sue Chen", "friday", today=today)
    assert [(k, d) for k, d, _ in followups(cli, "Sue Chen")] == [("manual", "2026-11-27")]


# ---------------------------------------------------------------- schedule


def test_schedule_adds_a_manual_followup_that_replaces_the_cadence_touch(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    ok(cli, "schedule", "Sue Chen", day(9), "--what", "call after the budget meeting", today=day(0))
    assert followups(cli, "Sue Chen") == [("manual", day(9), "call after the budget meeting")]
    assert followups(cli, "Sue Chen", "cancelled") == [("touch", day(0), "touch 1 of 12")]


def test_cadence_resumes_from_the_next_logged_touch_after_schedule(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    log_touches(cli, "Sue Chen", 2)  # days 0 and 1
    ok(cli, "schedule", "Sue Chen", day(9), today=day(1))
    ok(cli, "touch", "Sue Chen", "--on", day(9))
    assert followups(cli, "Sue Chen", "done")[-1][0:2] == ("manual", day(9))
    assert followups(cli, "Sue Chen") == [("touch", day(9 + GAPS[2]), "touch 4 of 12")]


def test_schedule_on_a_customer_keeps_the_2_4_8_steps(cli):
    ok(cli, "add", "Sue Chen")
    ok(cli, "sold", "Sue Chen", "--on", day(0))
    ok(cli, "schedule", "Sue Chen", day(3), "--via", "visit", today=day(0))
    assert [(k, d) for k, d, _ in followups(cli, "Sue Chen")] == [
        ("post_sale_2", day(2)),
        ("manual", day(3)),
        ("post_sale_4", day(4)),
        ("post_sale_8", day(8)),
        ("checkin", "2027-03-02"),
    ]


# ---------------------------------------------------------------- done, skip, snooze


def test_done_logs_a_touch_with_the_followups_channel(cli):
    ok(cli, "add", "Sue Chen")
    ok(cli, "sold", "Sue Chen", "--on", day(0))
    ok(cli, "done", str(followup_id(cli, "Sue Chen", "post_sale_8")), "--on", day(8))
    assert [(t["date"], t["via"]) for t in show(cli, "Sue Chen")["touches"]] == [(day(8), "visit")]


def test_done_early_completes_exactly_that_followup(cli):
    ok(cli, "add", "Sue Chen")
    ok(cli, "sold", "Sue Chen", "--on", day(0))
    ok(cli, "done", str(followup_id(cli, "Sue Chen", "post_sale_8")), "--on", day(3))  # day 2 step is overdue
    assert followups(cli, "Sue Chen", "done") == [
        ("post_sale_8", day(8), "2-4-8 day 8: bring another product to offer")
    ]
    assert [k for k, _, _ in followups(cli, "Sue Chen")] == ["post_sale_2", "post_sale_4", "checkin"]


def test_done_on_a_cadence_touch_moves_the_cadence_on_like_touch(cli):
    ok(cli, "add", "Sue Chen", "--first", day(5))
    ok(cli, "done", str(followup_id(cli, "Sue Chen", "touch")), "--on", day(2))  # done early
    assert followups(cli, "Sue Chen", "done") == [("touch", day(5), "touch 1 of 12")]
    assert followups(cli, "Sue Chen") == [("touch", day(2 + GAPS[0]), "touch 2 of 12")]
    assert [(t["date"], t["via"]) for t in show(cli, "Sue Chen")["touches"]] == [(day(2), "call")]


def test_done_on_a_manual_followup_resumes_the_cadence(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    ok(cli, "touch", "Sue Chen", "--on", day(0))
    ok(cli, "schedule", "Sue Chen", day(6), "--via", "meal", today=day(0))
    ok(cli, "done", str(followup_id(cli, "Sue Chen", "manual")), "--on", day(6))
    assert [t["via"] for t in show(cli, "Sue Chen")["touches"]] == ["call", "meal"]
    assert followups(cli, "Sue Chen") == [("touch", day(6 + GAPS[1]), "touch 3 of 12")]


@pytest.mark.parametrize(("touches_before", "gap"), [(0, GAPS[0]), (1, GAPS[0]), (4, GAPS[3]), (11, GAPS[10])])
def test_skip_cadence_touch_schedules_the_same_step_again_after_the_same_gap(cli, touches_before, gap):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    if touches_before:
        log_touches(cli, "Sue Chen", touches_before)
    step = touches_before + 1
    [(_, step_due, reason)] = followups(cli, "Sue Chen")
    assert reason == f"touch {step} of 12"
    skipped_on = date.fromisoformat(step_due) + timedelta(days=1)
    ok(cli, "skip", str(followup_id(cli, "Sue Chen", "touch")), "--on", skipped_on.isoformat())
    assert followups(cli, "Sue Chen", "skipped") == [("touch", step_due, reason)]
    assert followups(cli, "Sue Chen") == [("touch", day(gap, skipped_on), reason)]
    assert listed(cli, "Sue Chen")["touches"] == touches_before


def test_skip_a_post_sale_step_closes_it_without_a_touch_or_a_replacement(cli):
    ok(cli, "add", "Sue Chen")
    ok(cli, "sold", "Sue Chen", "--on", day(0))
    ok(cli, "skip", str(followup_id(cli, "Sue Chen", "post_sale_4")), "--on", day(4))
    assert followups(cli, "Sue Chen", "skipped") == [("post_sale_4", day(4), "2-4-8 day 4: adaptation period")]
    assert [k for k, _, _ in followups(cli, "Sue Chen")] == ["post_sale_2", "post_sale_8", "checkin"]
    assert show(cli, "Sue Chen")["touches"] == []


def test_snooze_moves_the_due_date(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    ok(cli, "snooze", str(followup_id(cli, "Sue Chen", "touch")), day(7), today=day(0))
    assert followups(cli, "Sue Chen") == [("touch", day(7), "touch 1 of 12")]
    report = due(cli, day(6))
    assert report["due"] == []
    assert [(i["contact"], i["due"]) for i in due(cli, day(7))["due"]] == [("Sue Chen", day(7))]


def _closed_followup(cli, state: str) -> str:
    """The id of a follow-up of Sue Chen's in `state` (done/skipped/cancelled), or an unknown id."""
    ok(cli, "add", "Sue Chen", "--first", day(0))
    fid = followup_id(cli, "Sue Chen", "touch")
    if state == "done":
        ok(cli, "done", str(fid), "--on", day(0))
    elif state == "skipped":
        ok(cli, "skip", str(fid), "--on", day(0))
    elif state == "cancelled":
        ok(cli, "schedule", "Sue Chen", day(5), today=day(0))
    else:
        return "999"
    return str(fid)


@pytest.mark.parametrize("state", ["done", "skipped", "cancelled", "unknown"])
@pytest.mark.parametrize(
    "command", [("done", "{id}", "--on", day(9)), ("skip", "{id}", "--on", day(9)), ("snooze", "{id}", day(9))]
)
def test_acting_on_a_closed_or_unknown_followup_is_an_error_that_writes_nothing(cli, dump, state, command):
    fid = _closed_followup(cli, state)
    before = dump()
    r = cli(*(part.format(id=fid) for part in command), today=day(1))
    assert_user_error(r)
    assert (f"no follow-up #{fid}" if state == "unknown" else f"#{fid} is already {state}") in r.stderr
    assert dump() == before


# ---------------------------------------------------------------- sold


def test_sale_cancels_the_prospect_cadence_and_schedules_2_4_8_and_a_checkin(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    ok(cli, "touch", "Sue Chen", "--on", day(0))  # touch 2 open, due day 1
    ok(cli, "sold", "Sue Chen", "--on", day(3))
    assert followups(cli, "Sue Chen", "cancelled") == [("touch", day(1), "touch 2 of 12")]
    report = due(cli, day(3), days=400)
    assert report["due"] == []
    assert [(i["kind"], i["due"], i["action"]) for i in report["upcoming"]] == [
        ("post_sale_2", day(5), "call"),
        ("post_sale_4", day(7), "call"),
        ("post_sale_8", day(11), "visit"),
        ("checkin", "2027-03-05", "visit"),
    ]
    assert listed(cli, "Sue Chen")["status"] == "customer"


def test_referred_sale_thanks_the_referrer_on_the_sale_day(cli):
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--on", day(0))
    ok(cli, "done", str(followup_id(cli, "Bob Li", "coach")), "--on", day(0))
    ok(cli, "sold", "Sue Chen", "--on", day(6))
    thanks = [i for i in due(cli, day(6))["due"] if i["kind"] == "thank_referrer"]
    assert [(i["contact"], i["due"], i["reason"]) for i in thanks] == [
        ("Bob Li", day(6), "thank Bob Li: Sue Chen bought")
    ]


def test_sale_without_a_referral_thanks_nobody(cli):
    ok(cli, "add", "Sue Chen")
    ok(cli, "add", "Bob Li")
    ok(cli, "sold", "Sue Chen", "--on", day(0))
    report = due(cli, day(0), days=400)
    assert [i["kind"] for i in report["due"] + report["upcoming"]] == [
        "post_sale_2",
        "post_sale_4",
        "post_sale_8",
        "checkin",
    ]
    assert {i["contact"] for i in report["due"] + report["upcoming"]} == {"Sue Chen"}


def test_second_sale_makes_a_repeat_customer_with_new_2_4_8_one_checkin_and_no_second_thanks(cli):
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--on", day(0))
    ok(cli, "sold", "Sue Chen", "--on", day(0))
    for n in (2, 4, 8):
        ok(cli, "touch", "Sue Chen", "--on", day(n))
    ok(cli, "sold", "Sue Chen", "--on", day(60))
    assert listed(cli, "Sue Chen")["status"] == "repeat"
    assert [(k, d) for k, d, _ in followups(cli, "Sue Chen")] == [
        ("post_sale_2", day(62)),
        ("post_sale_4", day(64)),
        ("post_sale_8", day(68)),
        ("checkin", "2027-05-01"),
    ]
    cancelled = followups(cli, "Sue Chen", "cancelled")
    assert [f for f in cancelled if f[0] == "checkin"] == [("checkin", "2027-03-02", "yearly check-in")]
    assert [(k, d) for k, d, _ in followups(cli, "Bob Li", None) if k == "thank_referrer"] == [
        ("thank_referrer", day(0))
    ]


# ---------------------------------------------------------------- lost


def test_lost_cancels_everything_open(cli):
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--on", day(0))
    ok(cli, "add", "Ann Wu", "--first", day(1))
    ok(cli, "schedule", "Bob Li", day(4), today=day(0))  # Bob now has a coach task and a manual follow-up
    ok(cli, "lost", "Bob Li", "--on", day(2))
    ok(cli, "lost", "Sue Chen", "--on", day(2))
    for who in ("Bob Li", "Sue Chen"):
        assert followups(cli, who) == []
        assert {f["status"] for f in show(cli, who)["followups"]} == {"cancelled"}
    assert followups(cli, "Ann Wu") == [("touch", day(1), "touch 1 of 12")]


def test_lost_keeps_the_touch_count(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    log_touches(cli, "Sue Chen", 3)
    ok(cli, "lost", "Sue Chen", "--on", day(8), "--reason", "chose a cheaper supplier")
    row = listed(cli, "Sue Chen")
    assert (row["status"], row["touches"], row["next_due"]) == ("lost", 3, None)


def test_touch_on_a_lost_contact_is_logged_and_schedules_nothing(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    ok(cli, "touch", "Sue Chen", "--on", day(0))
    ok(cli, "lost", "Sue Chen", "--on", day(1))
    ok(cli, "touch", "Sue Chen", "--on", day(5))
    ok(cli, "touch", "Sue Chen", "--on", day(6), "--next", day(9))
    assert listed(cli, "Sue Chen")["touches"] == 3
    assert followups(cli, "Sue Chen") == []
    report = due(cli, day(6), days=60)
    assert report["due"] == report["upcoming"] == report["no_next_step"] == []


def test_reopened_lost_prospect_restarts_the_cadence_at_its_count(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    log_touches(cli, "Sue Chen", 3)  # days 0, 1, 3
    ok(cli, "lost", "Sue Chen", "--on", day(4))
    ok(cli, "edit", "Sue Chen", "--status", "prospect", today=day(20))
    assert no_next_step_names(due(cli, day(20))) == ["Sue Chen"]
    ok(cli, "touch", "Sue Chen", "--on", day(20))
    assert followups(cli, "Sue Chen") == [("touch", day(20 + GAPS[3]), "touch 5 of 12")]


def test_lost_on_a_customer_is_an_error_that_writes_nothing(cli, dump):
    ok(cli, "add", "Sue Chen")
    ok(cli, "sold", "Sue Chen", "--on", day(0))
    before = dump()
    r = cli("lost", "Sue Chen", "--on", day(1))
    assert_user_error(r)
    assert "customer" in r.stderr
    assert dump() == before


# ---------------------------------------------------------------- stop


def test_stop_marks_do_not_contact_and_cancels_everything_open(cli):
    ok(cli, "add", "Sue Chen")
    ok(cli, "sold", "Sue Chen", "--on", day(0))
    ok(cli, "schedule", "Sue Chen", day(20), today=day(0))
    ok(cli, "touch", "Sue Chen", "--on", day(1), "--outcome", "stop", "--next", day(9))
    assert followups(cli, "Sue Chen") == []
    assert sorted(k for k, _, _ in followups(cli, "Sue Chen", "cancelled")) == sorted(
        ["post_sale_2", "post_sale_4", "post_sale_8", "checkin", "manual"]
    )
    assert listed(cli, "Sue Chen")["do_not_contact"] is True


def test_stopped_contact_never_appears_in_due_again(cli):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    ok(cli, "touch", "Sue Chen", "--on", day(0), "--outcome", "stop")
    r = cli("touch", "Sue Chen", "--on", day(3), "--next", day(5))  # no call to them, and no date to call on
    assert r.exit_code == 2 and "--force" in r.stderr
    ok(cli, "touch", "Sue Chen", "--on", day(3), "--force")  # they called back: logged only
    assert listed(cli, "Sue Chen")["touches"] == 2
    for on in (day(0), day(5), day(400)):
        report = due(cli, on, days=30)
        assert report["due"] == report["upcoming"] == report["no_next_step"] == []


def test_schedule_on_a_stopped_contact_is_an_error_that_writes_nothing(cli, dump):
    ok(cli, "add", "Sue Chen", "--first", day(0))
    ok(cli, "touch", "Sue Chen", "--on", day(0), "--outcome", "stop")
    before = dump()
    assert_user_error(cli("schedule", "Sue Chen", day(9), today=day(1)))
    assert dump() == before


# ---------------------------------------------------------------- add


def test_add_without_first_schedules_nothing_and_shows_no_next_step(cli):
    ok(cli, "add", "Sue Chen")
    assert followups(cli, "Sue Chen", None) == []
    report = due(cli, day(0), days=365)
    assert report["no_next_step"] == [
        {"contact_id": 1, "contact": "Sue Chen", "status": "prospect", "touches": 0, "hint": None}
    ]


def test_add_with_first_schedules_touch_1_of_12_on_that_date(cli):
    ok(cli, "add", "Sue Chen", "--first", day(3))
    assert followups(cli, "Sue Chen") == [("touch", day(3), "touch 1 of 12")]
    report = due(cli, day(3))
    assert [(i["kind"], i["due"], i["reason"]) for i in report["due"]] == [("touch", day(3), "touch 1 of 12")]
    assert report["no_next_step"] == []


# ---------------------------------------------------------------- add-referral


def test_referral_schedules_first_touch_and_coach_task_on_the_referral_day(cli):
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--on", day(0))
    assert [(i["contact"], i["kind"], i["due"], i["reason"]) for i in due(cli, day(0), days=30)["due"]] == [
        (
            "Bob Li",
            "coach",
            day(0),
            (
                "ask Bob Li to confirm Sue Chen's buying capacity and introduce you "
                "(contact details, say who sent you, meet together)"
            ),
        ),
        ("Sue Chen", "touch", day(0), "referral touch 1 of 12"),
    ]


def test_referral_first_option_moves_first_touch_and_coach_task(cli):
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--on", day(0), "--first", day(3))
    report = due(cli, day(0), days=30)
    assert report["due"] == []
    assert [(i["contact"], i["kind"], i["due"]) for i in report["upcoming"]] == [
        ("Bob Li", "coach", day(3)),
        ("Sue Chen", "touch", day(3)),
    ]


def test_referral_creates_a_new_referrer(cli):
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--on", day(0))
    rows = {r["name"]: (r["status"], r["referrer"]) for r in ok(cli, "list", "--json").json()}
    assert rows == {"Bob Li": ("prospect", None), "Sue Chen": ("prospect", "Bob Li")}


def test_referral_matches_an_existing_referrer_by_unique_substring(cli):
    ok(cli, "add", "Bob Li", "--company", "Acme")
    ok(cli, "add-referral", "Sue Chen", "--from", "bob", "--on", day(0))
    rows = ok(cli, "list", "--json").json()
    assert [(r["id"], r["name"], r["referrer"]) for r in rows] == [(1, "Bob Li", None), (2, "Sue Chen", "Bob Li")]
    assert show(cli, "Sue Chen")["referred_by"]["referrer_id"] == 1


@pytest.mark.parametrize("ref", ["Sue Chen", "#1"])
def test_referral_matches_an_existing_prospect_by_exact_name_or_id(cli, ref):
    ok(cli, "add", "Sue Chen", "--company", "Acme")
    ok(cli, "add-referral", ref, "--from", "Bob Li", "--on", day(0))
    assert [r["name"] for r in ok(cli, "list", "--json").json()] == ["Sue Chen", "Bob Li"]
    assert listed(cli, "Sue Chen")["referrer"] == "Bob Li"


def test_referral_prospect_named_by_part_of_a_name_is_a_new_person(cli):
    ok(cli, "add", "Sue Chen")
    ok(cli, "add-referral", "Sue", "--from", "Bob Li", "--on", day(0))
    rows = {r["name"]: (r["id"], r["referrer"]) for r in ok(cli, "list", "--json").json()}
    assert set(rows) == {"Sue Chen", "Sue", "Bob Li"}
    assert rows["Sue Chen"] == (1, None)
    assert rows["Sue"][1] == "Bob Li"


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ((), "network"),
        ((("add", "Bob Li"),), "network"),
        ((("add", "Bob Li"), ("sold", "Bob Li", "--on", day(0))), "customer"),
        ((("add", "Bob Li"), ("sold", "Bob Li", "--on", day(0)), ("sold", "Bob Li", "--on", day(1))), "customer"),
        ((("add", "Bob Li"), ("lost", "Bob Li", "--on", day(0))), "declined"),
    ],
    ids=["new", "prospect", "customer", "repeat", "lost"],
)
def test_referral_default_source_follows_the_referrers_status(cli, setup, expected):
    for command in setup:
        ok(cli, *command)
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--on", day(2))
    assert show(cli, "Sue Chen")["referred_by"]["source"] == expected


def test_explicit_source_wins_over_the_default(cli):
    ok(cli, "add", "Bob Li")
    ok(cli, "sold", "Bob Li", "--on", day(0))
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--source", "vendor", "--on", day(1))
    assert show(cli, "Sue Chen")["referred_by"]["source"] == "vendor"


def test_second_referral_of_the_same_prospect_is_an_error_that_writes_nothing(cli, dump):
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--on", day(0))
    before = dump()
    r = cli("add-referral", "Sue Chen", "--from", "Ann Wu", "--on", day(1))
    assert_user_error(r)
    assert "Bob Li" in r.stderr
    assert dump() == before


# ---------------------------------------------------------------- settings


def config_file() -> Path:
    return Path(os.environ["FOLLOWUP_CONFIG"])


def test_settings_prospect_gaps_change_the_cadence(cli):
    config_file().write_text("[cadence]\nprospect_gaps = [3, 5]\n", encoding="utf-8")
    ok(cli, "add", "Sue Chen", "--first", day(0))
    assert followups(cli, "Sue Chen") == [("touch", day(0), "touch 1 of 3")]
    ok(cli, "touch", "Sue Chen", "--on", day(0))
    assert followups(cli, "Sue Chen") == [("touch", day(3), "touch 2 of 3")]
    ok(cli, "touch", "Sue Chen", "--on", day(3))
    assert followups(cli, "Sue Chen") == [("touch", day(8), "touch 3 of 3")]
    ok(cli, "touch", "Sue Chen", "--on", day(8))
    assert followups(cli, "Sue Chen") == []
    assert no_next_step_names(due(cli, day(8), days=60)) == ["Sue Chen"]


def test_settings_after_sale_days_and_checkin_months_change_the_sale_followups(cli):
    config_file().write_text("[cadence]\nafter_sale = [1, 3, 7]\ncheckin_months = 6\n", encoding="utf-8")
    ok(cli, "add", "Sue Chen")
    ok(cli, "sold", "Sue Chen", "--on", day(0))
    report = due(cli, day(0), days=400)
    assert [(i["kind"], i["due"]) for i in report["upcoming"]] == [
        ("post_sale_2", day(1)),
        ("post_sale_4", day(3)),
        ("post_sale_8", day(7)),
        ("checkin", "2026-09-02"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "[cadence]\nprospect_gaps = [0]\n",
        "[cadence]\nprospect_gaps = []\n",
        "[cadence]\nprospect_gaps = [1, 2.5]\n",
        "[cadence]\nafter_sale = [2, 4]\n",
        "[cadence]\ncheckin_months = 0\n",
        "[cadence]\nprospect_gap = [1]\n",
        "[cadence\nprospect_gaps = [1]\n",
    ],
    ids=["zero-gap", "no-gaps", "fraction", "two-after-sale", "zero-months", "unknown-key", "invalid-toml"],
)
def test_bad_settings_are_an_error_naming_the_file_that_writes_nothing(cli, dump, text):
    ok(cli, "add", "Ann Wu")
    config_file().write_text(text, encoding="utf-8")
    before = dump()
    for command in (("add", "Sue Chen", "--first", day(0)), ("touch", "Ann Wu", "--on", day(0))):
        r = cli(*command)
        assert_user_error(r)
        assert str(config_file()) in r.stderr
    assert dump() == before
