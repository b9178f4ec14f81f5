"""A follow-up set for a time of day: `schedule CONTACT "thu 15:00"`, `touch --next "2026-12-03 10:30"`,
`snooze ID "mon 9:30"`, `add --first "tomorrow 10:00"`, `add-referral --first ...`.

`due` shows the time ("15:00 call") and sorts by it within a day: today and each day coming up
list the timed follow-ups by time, then the untimed ones by kind; overdue rows keep the kind
order, the time only breaking ties. `due --json` items carry "time" ("15:00" or null), `show`
lists the times. Snoozing to a plain date drops the time; the cadence's own follow-ups carry none.

Dates are explicit: 2026-11-23 is a Monday, 2026-11-26 a Thursday.
"""

from __future__ import annotations

import pytest
from helpers import ok, refused
from rich.cells import cell_len

pytestmark = pytest.mark.backends("sqlite", "postgresql")

MONDAY = "2026-11-23"


def followups(cli, who: str) -> list[dict]:
    return ok(cli("show", who, "--json")).json()["followups"]


def the_open(cli, who: str, kind: str | None = None) -> dict:
    [fu] = [f for f in followups(cli, who) if f["status"] == "open" and kind in (None, f["kind"])]
    return fu


def due_json(cli, on: str, days: int = 0) -> dict:
    return ok(cli("due", "--on", on, "--days", str(days), "--json")).json()


# ---------------------------------------------------------------- setting a time


def test_schedule_with_a_time_keeps_it_and_shows_it_everywhere(cli):
    ok(cli("add", "Sue Chen", "--company", "Acme"))
    run = ok(cli("schedule", "Sue Chen", "thu 15:00", "--what", "call after their budget meeting", today=MONDAY))
    fu = the_open(cli, "Sue Chen")
    assert (fu["due"], fu["time"], fu["kind"]) == ("2026-11-26", "15:00", "manual")
    assert f"Scheduled #{fu['id']} for" in run.stdout and "on 2026-11-26 15:00 (call)" in run.stdout

    [item] = due_json(cli, "2026-11-26")["due"]
    assert (item["id"], item["due"], item["time"]) == (fu["id"], "2026-11-26", "15:00")
    table = ok(cli("due", "--on", "2026-11-26")).stdout
    assert "15:00 call" in table

    timeline = ok(cli("show", "Sue Chen", "--json")).json()["timeline"]
    assert {
        "date": "2026-11-26 15:00",
        "what": f"next: call, call after their budget meeting (#{fu['id']})",
    } in timeline
    assert "2026-11-26 15:00" in ok(cli("show", "Sue Chen")).stdout


@pytest.mark.parametrize(
    "text", ["2026-12-03 10:30", "Dec 3 10:30am", "thu 10:30"], ids=["iso", "month-day", "weekday"]
)
def test_touch_next_with_a_time_schedules_the_touch_at_that_time(cli, text):
    ok(cli("add", "Sue Chen", "--first", MONDAY))
    run = ok(cli("touch", "Sue Chen", "--on", MONDAY, "--next", text, today="2026-11-27"))
    fu = the_open(cli, "Sue Chen")
    assert (fu["kind"], fu["due"], fu["time"]) == ("touch", "2026-12-03", "10:30")
    assert fu["reason"] == "touch 2 of 12, the date they asked for"
    assert f"next #{fu['id']} 2026-12-03 10:30: touch 2 of 12" in run.stdout


def test_add_first_with_a_time(cli):
    run = ok(cli("add", "Sue Chen", "--first", "tomorrow 10:00", today=MONDAY))
    fu = the_open(cli, "Sue Chen")
    assert (fu["due"], fu["time"], fu["reason"]) == ("2026-11-24", "10:00", "touch 1 of 12")
    assert f"first touch #{fu['id']} due 2026-11-24 10:00" in run.stdout


def test_add_referral_first_with_a_time_puts_the_coach_task_just_before_the_call(cli):
    run = ok(
        cli("add-referral", "Sue Chen", "--from", "Bob Li", "--on", MONDAY, "--first", "tomorrow 10:00", today=MONDAY)
    )
    touch, coach = the_open(cli, "Sue Chen"), the_open(cli, "Bob Li")
    assert (touch["due"], touch["time"], touch["kind"]) == ("2026-11-24", "10:00", "touch")
    assert (coach["due"], coach["time"], coach["kind"]) == ("2026-11-24", "10:00", "coach")
    assert f"#{touch['id']} 2026-11-24 10:00: referral touch 1 of 12" in run.stdout
    # the same time: the referrer's task comes first, as the kind order has it
    assert [i["kind"] for i in due_json(cli, "2026-11-24")["due"]] == ["coach", "touch"]


def test_the_cadence_follow_ups_carry_no_time(cli):
    ok(cli("add", "Sue Chen", "--first", "2026-11-24 10:00"))
    fid = the_open(cli, "Sue Chen")["id"]
    ok(cli("done", str(fid), "--on", "2026-11-24 10:05"))
    after = the_open(cli, "Sue Chen")
    assert (after["due"], after["time"], after["reason"]) == ("2026-11-25", None, "touch 2 of 12")
    ok(cli("add", "Tom Wu"))
    ok(cli("sold", "Tom Wu", "--on", MONDAY))
    assert {f["time"] for f in followups(cli, "Tom Wu")} == {None}


def test_due_json_time_is_null_without_one(cli):
    ok(cli("add", "Sue Chen", "--first", MONDAY))
    [item] = due_json(cli, MONDAY)["due"]
    assert "time" in item and item["time"] is None


# ---------------------------------------------------------------- the order of the morning list


@pytest.fixture
def busy_thursday(seed):
    """Thursday 2026-11-26: overdue 2-4-8 steps and touches, today a mix of timed and untimed
    follow-ups of several kinds, and a day coming up with both."""
    seed(
        [
            ["add", "Lee Customer"],
            ["sold", "Lee Customer", "--on", "2026-11-21"],  # 2-4-8 on 11-23, 11-25 (overdue), 11-29
            ["add", "Old Wu", "--first", "2026-11-25"],  # overdue touch, no time
            ["add", "Eve Early", "--first", "2026-11-25 08:00"],  # overdue touch at 08:00
            ["add", "Kim Buyer"],
            ["sold", "Kim Buyer", "--on", "2026-11-24"],  # 2-4-8 day 2 today, no time
            ["add", "Sue Chen", "--first", "2026-11-26 15:00"],
            ["add", "Tom Wang", "--first", "2026-11-26"],
            ["add", "Max Wei", "--first", "2026-11-26 15:00"],
            ["add", "Ann Lee"],
            ["schedule", "Ann Lee", "2026-11-26 09:30", "--what", "demo"],
            ["schedule", "Kim Buyer", "2026-11-28 11:00", "--what", "deliver the spare parts"],
        ],
        today="2026-11-20",
    )


def test_due_today_lists_timed_follow_ups_by_time_then_the_rest_by_kind(cli, busy_thursday):
    report = due_json(cli, "2026-11-26", days=3)
    got = [(i["contact"], i["kind"], i["time"], i["overdue_days"]) for i in report["due"]]
    assert got == [
        # overdue: by kind first; the time only breaks a tie of the same kind and day
        ("Lee Customer", "post_sale_2", None, 3),
        ("Lee Customer", "post_sale_4", None, 1),
        ("Eve Early", "touch", "08:00", 1),
        ("Old Wu", "touch", None, 1),
        # today: by time (equal times by kind, then as added), then the untimed by kind
        ("Ann Lee", "manual", "09:30", 0),
        ("Sue Chen", "touch", "15:00", 0),
        ("Max Wei", "touch", "15:00", 0),
        ("Kim Buyer", "post_sale_2", None, 0),
        ("Tom Wang", "touch", None, 0),
    ]
    upcoming = [(i["contact"], i["kind"], i["due"], i["time"]) for i in report["upcoming"]]
    assert upcoming == [
        ("Kim Buyer", "manual", "2026-11-28", "11:00"),  # a timed follow-up before the 2-4-8 step of its day
        ("Kim Buyer", "post_sale_4", "2026-11-28", None),
        ("Lee Customer", "post_sale_8", "2026-11-29", None),
    ]


@pytest.mark.parametrize("columns", [200, 80, 60])
def test_the_time_shows_in_the_do_column_at_every_width(cli, busy_thursday, columns):
    out = ok(cli("due", "--on", "2026-11-26", "--days", "3", env={"COLUMNS": str(columns)})).stdout
    lines = [line for line in out.splitlines() if line[:1] in "┏┃┡│└"]
    assert lines, out
    assert all(cell_len(line) <= columns and line[-1] in "┓┃┩│┘" for line in lines), out  # nothing cropped
    rows = {line.split("│")[2].strip(): line for line in lines if line.startswith("│") and "│" in line[1:]}
    assert "09:30 manual" not in out  # the column says what to do: the channel, not the kind
    for name, when in (("Ann Lee", "09:30 call"), ("Sue Chen", "15:00 call"), ("Eve Early", "08:00 call")):
        assert when in rows[name], out
    assert "11:00 call" in out  # coming up too
    assert "│ call " in rows["Tom Wang"], out


def test_a_touch_completes_the_timed_follow_up_of_its_day_first(cli):
    ok(cli("add", "Kim Buyer"))
    ok(cli("sold", "Kim Buyer", "--on", MONDAY))  # 2-4-8 day 2 on 11-25, no time
    ok(cli("schedule", "Kim Buyer", "2026-11-25 10:00", "--what", "deliver the manual"))
    ok(cli("touch", "Kim Buyer", "--on", "2026-11-25"))
    done = [f for f in followups(cli, "Kim Buyer") if f["status"] == "done"]
    assert [(f["kind"], f["time"]) for f in done] == [("manual", "10:00")]


# ---------------------------------------------------------------- snooze


def test_snooze_to_a_date_and_time_sets_the_time(cli):
    ok(cli("add", "Sue Chen", "--first", "2026-11-24"))
    fid = the_open(cli, "Sue Chen")["id"]
    run = ok(cli("snooze", str(fid), "mon 9:30", today=MONDAY))
    fu = the_open(cli, "Sue Chen")
    assert (fu["due"], fu["time"]) == ("2026-11-30", "09:30")
    assert run.stdout.startswith(f"Moved #{fid} from 2026-11-24 to 2026-11-30 09:30: touch 1 of 12.")


def test_snooze_to_a_plain_date_drops_the_time_and_says_so(cli):
    ok(cli("add", "Sue Chen", "--first", "2026-11-24 09:30"))
    fid = the_open(cli, "Sue Chen")["id"]
    run = ok(cli("snooze", str(fid), "2026-12-01", today=MONDAY))
    fu = the_open(cli, "Sue Chen")
    assert (fu["due"], fu["time"]) == ("2026-12-01", None)
    assert f"Moved #{fid} from 2026-11-24 09:30 to 2026-12-01" in run.stdout
    assert "Its time (09:30) was for the old day" in run.stdout


# ---------------------------------------------------------------- what is refused


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["schedule", "Sue Chen", "2026-11-26 25:00"], ["DATE", "invalid time of day (25:00)"]),
        (["schedule", "Sue Chen", "thu 9:61"], ["invalid time of day"]),
        (["schedule", "Sue Chen", "15:00"], ["a time of day without a date"]),
        (["touch", "Sue Chen", "--on", MONDAY, "--next", "2026-12-03 13pm"], ["--next", "invalid time of day"]),
        (["add", "Tom Wu", "--first", "tomorrow 0am"], ["--first", "invalid time of day"]),
        (["add-referral", "Tom Wu", "--from", "Sue Chen", "--first", "fri 24:00"], ["--first", "invalid time"]),
        (["snooze", "{id}", "mon 99:00"], ["DATE", "invalid time of day"]),
        (["snooze", "--overdue", "mon 9:00"], ["--overdue", "time of day, which is not accepted here"]),
        (["sold", "Sue Chen", "--on", "2026-11-23 10:00"], ["--on", "time of day, which is not accepted here"]),
    ],
    ids=[
        "schedule-hour", "schedule-minute", "schedule-time-only", "touch-next", "add-first", "referral-first",
        "snooze", "snooze-overdue", "sold-on",
    ],
)  # fmt: skip
def test_a_bad_time_is_one_line_and_writes_nothing(cli, dump, args, words):
    ok(cli("add", "Sue Chen", "--first", "2026-11-24"))
    fid = the_open(cli, "Sue Chen")["id"]
    before = dump()
    refused(cli(*[a.format(id=fid) for a in args], today=MONDAY), *words)
    assert dump() == before
