"""Weekends and workdays, and moving every overdue follow-up at once.

With `[calendar] skip_weekends = true` an automatically scheduled follow-up (a cadence touch,
2-4-8, the yearly check-in, a thank-you, a referral's first touch and coach task on the
referral day, a skipped touch coming back) that lands on a day outside `workdays` (Monday to
Friday unless set) moves to the next workday; gaps still count from the real date, and dates
the user gives (--next, --first, schedule, snooze) are never moved.

`snooze --overdue DATE [--per-day N]` moves every overdue follow-up to DATE, or spreads them
N a day from DATE on, oldest first, over workdays when weekends are skipped.

Dates are explicit: 2026-11-27 is a Friday, 2026-11-28 a Saturday, 2026-11-30 a Monday.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import ok, refused

from followup.cadence import on_workday
from followup.config import Settings

pytestmark = pytest.mark.backends("sqlite", "postgresql")

SKIP = "[calendar]\nskip_weekends = true\n"


def configure(text: str) -> None:
    Path(os.environ["FOLLOWUP_CONFIG"]).write_text(text, encoding="utf-8")


def open_followups(cli, who: str) -> list[tuple[str, str, str]]:
    """(kind, due, reason) of a contact's open follow-ups, by due date."""
    followups = ok(cli("show", who, "--json")).json()["followups"]
    return [(f["kind"], f["due"], f["reason"]) for f in followups if f["status"] == "open"]


def open_days(cli, who: str) -> dict[str, str]:
    """kind -> due day of a contact's open follow-ups."""
    return {kind: due for kind, due, _ in open_followups(cli, who)}


# ---------------------------------------------------------------- the rule itself

WEEK = [date(2026, 11, 23) + timedelta(days=n) for n in range(7)]  # Monday to Sunday


@pytest.mark.backends("sqlite")  # a pure function: no database
@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (Settings(), WEEK),  # off: every day stays
        (Settings(skip_weekends=True), WEEK[:5] + [WEEK[0] + timedelta(days=7)] * 2),
        # a Sunday-to-Thursday week: Friday and Saturday move to Sunday
        (Settings(skip_weekends=True, workdays=frozenset({6, 0, 1, 2, 3})), WEEK[:4] + [WEEK[6]] * 3),
        # workdays alone change nothing
        (Settings(workdays=frozenset({0})), WEEK),
        # one workday a week: everything goes to the next Wednesday, a Wednesday stays
        (Settings(skip_weekends=True, workdays=frozenset({2})), [WEEK[2]] * 3 + [WEEK[2] + timedelta(days=7)] * 4),
    ],
    ids=["off", "mon-fri", "sun-thu", "workdays-only", "wednesdays"],
)
def test_on_workday_moves_a_day_to_the_next_workday(settings, expected):
    assert [on_workday(day, settings=settings) for day in WEEK] == expected


# ---------------------------------------------------------------- automatic follow-ups move


def test_off_by_default_a_cadence_touch_may_fall_on_a_saturday(cli):
    ok(cli("add", "Sue Chen", "--first", "2026-11-27"))
    ok(cli("touch", "Sue Chen", "--on", "2026-11-27"))
    assert open_followups(cli, "Sue Chen") == [("touch", "2026-11-28", "touch 2 of 12")]


def test_a_cadence_touch_on_a_weekend_moves_to_monday_and_the_next_gap_counts_from_the_touch(cli):
    configure(SKIP)
    ok(cli("add", "Sue Chen", "--first", "2026-11-26"))
    ok(cli("touch", "Sue Chen", "--on", "2026-11-26"))  # gap 1: Friday, a workday
    assert open_followups(cli, "Sue Chen") == [("touch", "2026-11-27", "touch 2 of 12")]
    run = ok(cli("touch", "Sue Chen", "--on", "2026-11-27"))  # gap 2: Sunday -> Monday
    assert open_followups(cli, "Sue Chen") == [("touch", "2026-11-30", "touch 3 of 12")]
    assert "next #" in run.stdout and "2026-11-30: touch 3 of 12" in run.stdout
    ok(cli("touch", "Sue Chen", "--on", "2026-11-30"))  # gap 3 from Monday's touch: Thursday
    assert open_days(cli, "Sue Chen") == {"touch": "2026-12-03"}


def test_2_4_8_check_in_and_thank_you_move_off_the_weekend_counting_from_the_sale(cli):
    configure(SKIP)
    ok(cli("add-referral", "Sue Chen", "--from", "Bob Li", "--on", "2026-11-23"))
    ok(cli("sold", "Sue Chen", "--on", "2026-11-28"))  # a Saturday
    assert open_days(cli, "Sue Chen") == {
        "post_sale_2": "2026-11-30",  # Monday
        "post_sale_4": "2026-12-02",  # Wednesday: four days from the sale, not from Monday
        "post_sale_8": "2026-12-07",  # Sunday 12-06 -> Monday
        "checkin": "2027-11-29",  # Sunday 2027-11-28 -> Monday
    }
    thanks = [f for f in open_followups(cli, "Bob Li") if f[0] == "thank_referrer"]
    assert thanks == [("thank_referrer", "2026-11-30", "thank Bob Li: Sue Chen bought")]  # the sale day, Saturday


def test_a_referral_on_a_saturday_starts_on_monday_unless_the_first_touch_is_given(cli):
    configure(SKIP)
    ok(cli("add-referral", "Sue Chen", "--from", "Bob Li", "--on", "2026-11-28"))
    assert open_days(cli, "Sue Chen") == {"touch": "2026-11-30"}
    assert open_days(cli, "Bob Li") == {"coach": "2026-11-30"}  # on the first touch's day
    ok(cli("add-referral", "Tom Wang", "--from", "Bob Li", "--on", "2026-11-28", "--first", "2026-11-28"))
    assert open_days(cli, "Tom Wang") == {"touch": "2026-11-28"}  # the user's date stays
    coach = [due for kind, due, reason in open_followups(cli, "Bob Li") if "Tom Wang" in reason]
    assert coach == ["2026-11-28"]  # the coach task stays with the call it prepares


def test_names_from_an_ask_on_a_sunday_start_on_monday(cli):
    configure(SKIP)
    ok(cli("add", "Bob Li"))
    ok(cli("sold", "Bob Li", "--on", "2026-11-20"))
    ok(cli("ask", "Bob Li", "--names", "Sue Chen", "--on", "2026-11-29"))
    assert open_days(cli, "Sue Chen") == {"touch": "2026-11-30"}


def test_a_skipped_touch_comes_back_on_a_workday(cli):
    configure(SKIP)
    ok(cli("add", "Sue Chen", "--first", "2026-11-20"))
    ok(cli("touch", "Sue Chen", "--on", "2026-11-20"))  # touch 2: Saturday 11-21 -> Monday 11-23
    assert open_days(cli, "Sue Chen") == {"touch": "2026-11-23"}
    ok(cli("touch", "Sue Chen", "--on", "2026-11-23"))  # touch 3 on 11-25, after a gap of 2
    [fid] = [f["id"] for f in ok(cli("show", "Sue Chen", "--json")).json()["followups"] if f["status"] == "open"]
    ok(cli("skip", str(fid), "--on", "2026-11-26"))  # again after 2 days: Saturday -> Monday
    assert open_followups(cli, "Sue Chen") == [("touch", "2026-11-30", "touch 3 of 12")]


@pytest.mark.parametrize(
    "workdays",
    ['["sun", "mon", "tue", "wed", "thu"]', "[7, 1, 2, 3, 4]", '[0, "Monday", "TUESDAY", "weds", "thurs"]'],
    ids=["names", "numbers", "mixed"],
)
def test_workdays_set_which_days_are_the_weekend(cli, workdays):
    configure(f"[calendar]\nskip_weekends = true\nworkdays = {workdays}\n")
    ok(cli("add", "Sue Chen", "--first", "2026-11-26"))
    ok(cli("touch", "Sue Chen", "--on", "2026-11-26"))  # Friday is not a workday here: Sunday
    assert open_days(cli, "Sue Chen") == {"touch": "2026-11-29"}


def test_workdays_without_skip_weekends_change_nothing(cli):
    configure('[calendar]\nworkdays = ["mon"]\n')
    ok(cli("add", "Sue Chen", "--first", "2026-11-26"))
    ok(cli("touch", "Sue Chen", "--on", "2026-11-26"))
    assert open_days(cli, "Sue Chen") == {"touch": "2026-11-27"}


# ---------------------------------------------------------------- the user's dates stay


def test_dates_the_user_gives_are_never_moved(cli):
    configure(SKIP)
    ok(cli("add", "Sue Chen", "--first", "2026-11-28"))  # --first: Saturday
    assert open_days(cli, "Sue Chen") == {"touch": "2026-11-28"}
    ok(cli("touch", "Sue Chen", "--on", "2026-11-27", "--next", "2026-11-29"))  # --next: Sunday
    assert open_days(cli, "Sue Chen") == {"touch": "2026-11-29"}
    ok(cli("add", "Tom Wang"))
    ok(cli("schedule", "Tom Wang", "sat", today="2026-11-23"))  # schedule: Saturday
    assert open_days(cli, "Tom Wang") == {"manual": "2026-11-28"}
    [fid] = [f["id"] for f in ok(cli("show", "Tom Wang", "--json")).json()["followups"]]
    ok(cli("snooze", str(fid), "sun", today="2026-11-23"))  # snooze: Sunday
    assert open_days(cli, "Tom Wang") == {"manual": "2026-11-29"}


# ---------------------------------------------------------------- settings refused


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[calendar]\nskip_weekends = "yes"\n', ["calendar.skip_weekends", "true or false"]),
        ("[calendar]\nskip_weekends = 1\n", ["calendar.skip_weekends", "true or false"]),
        ("[calendar]\nworkdays = []\n", ["calendar.workdays", "at least one day", '["mon", "tue"']),
        ('[calendar]\nworkdays = ["funday"]\n', ["calendar.workdays", "weekday names or numbers", "1 = Monday"]),
        ("[calendar]\nworkdays = [8]\n", ["calendar.workdays", "7 = Sunday"]),
        ("[calendar]\nworkdays = [-1]\n", ["calendar.workdays", "7 = Sunday"]),
        ("[calendar]\nworkdays = [true]\n", ["calendar.workdays", "weekday names or numbers"]),
        ('[calendar]\nworkdays = "mon"\n', ["calendar.workdays", "a list of"]),
        ("[calendar]\nworkdays = [1.5]\n", ["calendar.workdays", "a list of"]),
        ("[calendar]\nholidays = []\n", ["unknown setting calendar.holidays", "skip_weekends, workdays"]),
        ("calendar = 3\n", ["[calendar] must be a table"]),
    ],
    ids=[
        "skip-text", "skip-number", "no-workdays", "unknown-day", "day-8", "day-negative", "day-bool", "not-a-list",
        "fraction", "unknown-key", "not-a-table",
    ],
)  # fmt: skip
def test_bad_calendar_settings_are_refused_naming_the_file_and_the_form(cli, dump, text, words):
    ok(cli("add", "Ann Wu", "--first", "2026-11-26"))
    configure(text)
    before = dump()
    for command in (("touch", "Ann Wu", "--on", "2026-11-27"), ("sold", "Ann Wu", "--on", "2026-11-28"), ("due",)):
        line = refused(cli(*command, today="2026-11-27"), *words)
        assert os.environ["FOLLOWUP_CONFIG"] in line
    assert dump() == before


# ---------------------------------------------------------------- snooze --overdue

# Back on Friday 2026-12-04 after a sick week. Overdue, oldest first:
#   Al 11-23 touch; 11-24: Bea 15:00 touch (timed first), Kim 2-4-8 day 2, Cy touch;
#   11-26: Kim day 4, Flo touch 2; 11-30: Kim day 8.  Not overdue: Dee today, Ed on 12-10.
SICK_WEEK = [
    ["add", "Al", "--first", "2026-11-23"],
    ["add", "Bea", "--first", "2026-11-24 15:00"],
    ["add", "Cy", "--first", "2026-11-24"],
    ["add", "Kim"],
    ["sold", "Kim", "--on", "2026-11-22"],
    ["add", "Dee", "--first", "2026-12-04"],
    ["add", "Ed", "--first", "2026-12-10"],
    ["add", "Flo", "--first", "2026-11-25"],
    ["touch", "Flo", "--on", "2026-11-25"],
]
BACK = "2026-12-04"  # a Friday
OLDEST_FIRST = [
    ("Al", "touch"),
    ("Bea", "touch"),
    ("Kim", "post_sale_2"),
    ("Cy", "touch"),
    ("Kim", "post_sale_4"),
    ("Flo", "touch"),
    ("Kim", "post_sale_8"),
]


@pytest.fixture
def sick_week(seed):
    seed(SICK_WEEK, today="2026-11-20")


def open_items(cli) -> dict[tuple[str, str], tuple[str, str | None, int]]:
    """(contact, kind) -> (due, time, id) of every open follow-up due within a year of BACK."""
    report = ok(cli("due", "--on", BACK, "--days", "30", "--json")).json()
    return {(i["contact"], i["kind"]): (i["due"], i["time"], i["id"]) for i in report["due"] + report["upcoming"]}


def test_snooze_overdue_moves_every_overdue_follow_up_to_the_day(cli, sick_week):
    before = open_items(cli)
    run = ok(cli("snooze", "--overdue", "mon", today=BACK))
    after = open_items(cli)
    for key in OLDEST_FIRST:
        assert after[key][:2] == ("2026-12-07", None), key  # Bea's 15:00 was for the old day
    assert after[("Dee", "touch")] == before[("Dee", "touch")]  # due today: not overdue
    assert after[("Ed", "touch")] == before[("Ed", "touch")]
    ids = ", ".join(f"#{before[key][2]}" for key in OLDEST_FIRST)
    assert run.stdout.splitlines() == [
        "Moved 7 overdue follow-ups to 2026-12-07 Mon.",
        f"  2026-12-07 Mon: 7 ({ids})",
        f"  times of day dropped (they were for the old days): #{before[('Bea', 'touch')][2]}",
    ]
    report = ok(cli("due", "--on", BACK, "--json")).json()
    assert [(i["contact"], i["overdue_days"]) for i in report["due"]] == [("Dee", 0)]  # nothing overdue now


@pytest.mark.parametrize(
    ("config", "to", "per_day", "days"),
    [
        ("", BACK, "2", ["2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07"]),
        (SKIP, BACK, "2", ["2026-12-04", "2026-12-07", "2026-12-08", "2026-12-09"]),
        (SKIP, "2026-12-05", "3", ["2026-12-05", "2026-12-07", "2026-12-08"]),  # a Saturday given: kept
        ("", "mon", "3", ["2026-12-07", "2026-12-08", "2026-12-09"]),
        ("", "mon", "7", ["2026-12-07"]),
        ("", "mon", "1000", ["2026-12-07"]),
    ],
    ids=["every-day", "workdays", "from-a-saturday", "three-a-day", "exactly-all", "the-most"],
)
def test_per_day_spreads_them_oldest_first(cli, sick_week, config, to, per_day, days):
    configure(config)
    before = open_items(cli)
    run = ok(cli("snooze", "--overdue", to, "--per-day", per_day, today=BACK))
    after = open_items(cli)
    n = int(per_day)
    expected = {key: days[i // n] for i, key in enumerate(OLDEST_FIRST)}
    assert {key: after[key][0] for key in OLDEST_FIRST} == expected
    assert after[("Dee", "touch")] == before[("Dee", "touch")]
    if len(days) > 1:
        assert run.stdout.splitlines()[0] == f"Moved 7 overdue follow-ups over {len(days)} days, at most {n} a day:"
    lines = run.stdout.splitlines()[1 : 1 + len(days)]
    assert [line.split(":")[0].split()[0] for line in lines] == days
    assert sum(int(line.split(": ")[1].split()[0]) for line in lines) == 7


def test_snooze_overdue_with_nothing_overdue_moves_nothing(cli, sick_week, dump):
    before = dump()
    run = ok(cli("snooze", "--overdue", "tomorrow", today="2026-11-22"))
    assert run.stdout == "Nothing is overdue on 2026-11-22; nothing was moved.\n"
    assert dump() == before


def test_snooze_overdue_leaves_closed_follow_ups_and_do_not_contact_alone(cli, sick_week):
    ok(cli("edit", "Cy", "--do-not-contact"))
    run = ok(cli("snooze", "--overdue", "mon", today=BACK))
    assert run.stdout.startswith("Moved 6 overdue follow-ups to 2026-12-07 Mon.")
    flo = ok(cli("show", "Flo", "--json")).json()["followups"]
    assert [(f["status"], f["due"]) for f in flo] == [("done", "2026-11-25"), ("open", "2026-12-07")]


def test_snooze_overdue_moves_only_your_own_on_a_shared_database(cli, backend, seed, dump):
    seed(
        [
            ["--user", "alice", "add", "Al", "--first", "2026-11-23"],
            ["--user", "bob", "add", "Bo", "--first", "2026-11-23"],
        ],
        today="2026-11-20",
    )
    run = ok(cli("--user", "alice", "snooze", "--overdue", "mon", today=BACK))
    [(columns, _, rows)] = [value for table, value in dump().items() if table == "followup"]
    due = dict(sorted((row[columns.index("contact_id")], str(row[columns.index("due")])) for row in rows))
    if backend == "postgresql":  # team mode: bob's follow-up is his to move
        assert run.stdout.startswith("Moved 1 overdue follow-up to 2026-12-07 Mon.")
        assert sorted(due.values()) == ["2026-11-23", "2026-12-07"]
    else:  # one user's file: every contact is in reach
        assert run.stdout.startswith("Moved 2 overdue follow-ups to 2026-12-07 Mon.")
        assert sorted(due.values()) == ["2026-12-07", "2026-12-07"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--overdue", "mon", "--per-day", "0"], ["--per-day: 0 is not a number of follow-ups a day", "1 to 1000"]),
        (["--overdue", "mon", "--per-day", "-2"], ["--per-day: -2", "1 to 1000"]),
        (["--overdue", "mon", "--per-day", "1001"], ["--per-day: 1001", "1 to 1000"]),
        (["--overdue", "mon", "--per-day", "9" * 30], ["--per-day", "1 to 1000"]),
        (["--overdue", "mon", "--per-day", "9" * 5000], ["--per-day"]),
        (["--overdue", "mon", "--per-day", "two"], ["--per-day"]),
        (["--overdue", "mon", "--per-day", ""], ["--per-day"]),
        (["--overdue", "2026-12-03"], ["--overdue: 2026-12-03 is before today (2026-12-04)"]),
        (["--overdue", "fribay"], ["--overdue", "YYYY-MM-DD"]),
        (["--overdue", "mon 9:00"], ["--overdue", "time of day"]),
        (["--overdue"], ["--overdue", "requires an argument"]),
        (["{id}", "mon", "--overdue", "mon"], ["either ID DATE", "--overdue DATE", "not both"]),
        ([], ["give ID DATE to move one follow-up", "--overdue DATE to move every overdue one"]),
        (["--per-day", "2"], ["give ID DATE"]),
        (["{id}", "mon", "--per-day", "2"], ["--per-day", "use it with --overdue DATE"]),
        (["{id}"], ["give the new due date after the ID"]),
    ],
    ids=[
        "per-day-zero", "per-day-negative", "per-day-too-many", "per-day-huge", "per-day-thousands-of-digits",
        "per-day-word", "per-day-empty", "overdue-past", "overdue-garbage", "overdue-time", "overdue-no-date",
        "id-and-overdue", "nothing", "per-day-alone", "per-day-with-id", "id-without-date",
    ],
)  # fmt: skip
def test_bad_bulk_moves_are_one_line_and_write_nothing(cli, sick_week, dump, args, words):
    fid = open_items(cli)[("Al", "touch")][2]
    before = dump()
    refused(cli("snooze", *[a.format(id=fid) for a in args], today=BACK), *words)
    assert dump() == before


def test_a_spread_past_the_last_year_followup_keeps_is_refused(cli, dump):
    for name in ("Al", "Bea", "Cy"):
        ok(cli("add", name, "--first", "2999-12-20"))
    before = dump()
    refused(cli("snooze", "--overdue", "2999-12-30", "--per-day", "1", today="2999-12-29"), "--per-day", "2999")
    assert dump() == before
    ok(cli("snooze", "--overdue", "2999-12-30", "--per-day", "2", today="2999-12-29"))
