"""The one clock and date parser: every form, both directions, every refusal."""

import subprocess
import sys
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from followup.clock import (
    ACCEPTED_FORMS,
    When,
    add_days,
    add_months,
    format_day,
    parse_day,
    parse_when,
    today,
)
from followup.errors import DateError, UserError

TODAY = date(2026, 11, 23)  # a Monday
PROJECT = Path(__file__).resolve().parent.parent


def past(text: str) -> date:
    return parse_day(text, today=TODAY, future=False)


def ahead(text: str) -> date:
    return parse_day(text, today=TODAY, future=True)


def test_fixed_today_is_a_monday():
    assert TODAY.weekday() == 0


# --- YYYY-MM-DD and the words -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2024-02-29", date(2024, 2, 29)),
        ("  2026-12-31  ", date(2026, 12, 31)),
        ("today", TODAY),
        ("TODAY", TODAY),
        (" Today ", TODAY),
        ("tomorrow", date(2026, 11, 24)),
        ("yesterday", date(2026, 11, 22)),
    ],
)
@pytest.mark.parametrize("future", [False, True])
def test_iso_dates_and_words_mean_the_same_in_both_directions(text, expected, future):
    assert parse_day(text, today=TODAY, future=future) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2026-00-10", "2025-02-29"])
def test_impossible_iso_date_is_not_a_real_date(text):
    with pytest.raises(DateError, match="is not a real date"):
        past(text)


@pytest.mark.parametrize("text", ["2026-1-5", "2026-11-5", "2026-11-20t15:30", "2026-12"])
def test_iso_lookalike_must_be_strict_yyyy_mm_dd(text):
    with pytest.raises(DateError, match="YYYY-MM-DD form"):
        past(text)


def test_iso_lookalike_never_reaches_dateutil(monkeypatch):
    import dateutil.parser

    def refuse(*args, **kwargs):
        raise AssertionError("dateutil was asked")

    monkeypatch.setattr(dateutil.parser, "parse", refuse)
    assert past("2026-11-20") == date(2026, 11, 20)
    for text in ["2026-02-30", "2026-1-5", "2026-11-20 15:30"]:
        with pytest.raises(DateError):
            past(text)


# --- weekdays -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "on_or_before_today", "after_today"),
    [
        ("mon", date(2026, 11, 23), date(2026, 11, 30)),
        ("monday", date(2026, 11, 23), date(2026, 11, 30)),
        ("tue", date(2026, 11, 17), date(2026, 11, 24)),
        ("tues", date(2026, 11, 17), date(2026, 11, 24)),
        ("tuesday", date(2026, 11, 17), date(2026, 11, 24)),
        ("wed", date(2026, 11, 18), date(2026, 11, 25)),
        ("weds", date(2026, 11, 18), date(2026, 11, 25)),
        ("wednesday", date(2026, 11, 18), date(2026, 11, 25)),
        ("thu", date(2026, 11, 19), date(2026, 11, 26)),
        ("thur", date(2026, 11, 19), date(2026, 11, 26)),
        ("thurs", date(2026, 11, 19), date(2026, 11, 26)),
        ("thursday", date(2026, 11, 19), date(2026, 11, 26)),
        ("fri", date(2026, 11, 20), date(2026, 11, 27)),
        ("Friday", date(2026, 11, 20), date(2026, 11, 27)),
        ("sat", date(2026, 11, 21), date(2026, 11, 28)),
        ("saturday", date(2026, 11, 21), date(2026, 11, 28)),
        ("sun", date(2026, 11, 22), date(2026, 11, 29)),
        ("SUNDAY", date(2026, 11, 22), date(2026, 11, 29)),
    ],
)
def test_weekday_is_latest_for_past_and_next_for_future(text, on_or_before_today, after_today):
    assert past(text) == on_or_before_today
    assert ahead(text) == after_today


def test_weekday_that_is_today_means_today_in_the_past():
    assert past("mon") == TODAY


def test_weekday_that_is_today_means_next_week_in_the_future():
    assert ahead("monday") == date(2026, 11, 30)


def test_weekday_rules_hold_from_every_day_of_the_week():
    for shift in range(7):
        anchor = TODAY + timedelta(days=shift)
        for name in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]:
            back = parse_day(name, today=anchor, future=False)
            forward = parse_day(name, today=anchor, future=True)
            assert back.weekday() == forward.weekday()
            assert 0 <= (anchor - back).days <= 6
            assert 1 <= (forward - anchor).days <= 7


# --- offsets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+0d", TODAY),
        ("+3d", date(2026, 11, 26)),
        ("+10d", date(2026, 12, 3)),
        ("-1d", date(2026, 11, 22)),
        ("+2w", date(2026, 12, 7)),
        ("-1w", date(2026, 11, 16)),
        ("+1m", date(2026, 12, 23)),
        ("+2m", date(2027, 1, 23)),
        ("-1m", date(2026, 10, 23)),
        ("+1y", date(2027, 11, 23)),
        ("-2y", date(2024, 11, 23)),
        ("+3D", date(2026, 11, 26)),
    ],
)
@pytest.mark.parametrize("future", [False, True])
def test_offset_moves_today_whatever_the_direction(text, expected, future):
    assert parse_day(text, today=TODAY, future=future) == expected


@pytest.mark.parametrize(
    ("anchor", "text", "expected"),
    [
        (date(2026, 1, 31), "+1m", date(2026, 2, 28)),
        (date(2028, 1, 31), "+1m", date(2028, 2, 29)),
        (date(2026, 3, 31), "-1m", date(2026, 2, 28)),
        (date(2026, 8, 31), "+1m", date(2026, 9, 30)),
        (date(2026, 12, 31), "+2m", date(2027, 2, 28)),
        (date(2024, 2, 29), "+1y", date(2025, 2, 28)),
        (date(2026, 12, 31), "+1d", date(2027, 1, 1)),
    ],
)
def test_month_and_year_offsets_clip_to_month_end(anchor, text, expected):
    assert parse_day(text, today=anchor) == expected


@pytest.mark.parametrize("text", ["+3", "3d", "+d", "+3x", "+ 3d", "+3days", "++3d", "-"])
def test_offset_needs_sign_number_and_unit(text):
    with pytest.raises(DateError):
        past(text)


def test_offset_beyond_the_calendar_is_an_error():
    with pytest.raises(DateError, match="too far"):
        past("+99999999y")
    with pytest.raises(DateError, match="too far"):
        past("+999999999d")


# --- dateutil forms -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 December 2026", date(2026, 12, 3)),
        ("December 3, 2026", date(2026, 12, 3)),
        ("dec 3 2026", date(2026, 12, 3)),
        ("2026/12/03", date(2026, 12, 3)),
        ("2026.12.03", date(2026, 12, 3)),
        ("20261203", date(2026, 12, 3)),
        ("13/4/2026", date(2026, 4, 13)),
        ("4/13/2026", date(2026, 4, 13)),
        ("3/3/2026", date(2026, 3, 3)),
        ("Friday, December 4, 2026", date(2026, 12, 4)),
        ("1 January 2025", date(2025, 1, 1)),
    ],
)
@pytest.mark.parametrize("future", [False, True])
def test_dateutil_date_with_year_is_taken_as_written(text, expected, future):
    assert parse_day(text, today=TODAY, future=future) == expected


@pytest.mark.parametrize(
    ("text", "on_or_before_today", "on_or_after_today"),
    [
        ("Dec 3", date(2025, 12, 3), date(2026, 12, 3)),
        ("3 december", date(2025, 12, 3), date(2026, 12, 3)),
        ("Nov 23", date(2026, 11, 23), date(2026, 11, 23)),
        ("Nov 24", date(2025, 11, 24), date(2026, 11, 24)),
        ("Nov 22", date(2026, 11, 22), date(2027, 11, 22)),
        ("Jan 5", date(2026, 1, 5), date(2027, 1, 5)),
        ("31/12", date(2025, 12, 31), date(2026, 12, 31)),
        ("Feb 29", date(2024, 2, 29), date(2028, 2, 29)),
    ],
)
def test_date_without_year_takes_the_nearest_year_on_the_right_side(text, on_or_before_today, on_or_after_today):
    assert past(text) == on_or_before_today
    assert ahead(text) == on_or_after_today


def test_date_without_year_equal_to_today_stays_today_in_both_directions():
    assert past("Nov 23") == TODAY
    assert ahead("Nov 23") == TODAY


@pytest.mark.parametrize("text", ["December 2026", "december", "dec", "3", "2026", "dec 32"])
def test_dateutil_date_needs_both_month_and_day(text):
    with pytest.raises(DateError, match="needs both a month and a day"):
        past(text)


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("3/4/2026", "Mar 4 2026 or Apr 3 2026"),
        ("3/4", "Mar 4 or Apr 3"),
        ("03.04.2026", "Mar 4 2026 or Apr 3 2026"),
        ("1 2 2026", "Jan 2 2026 or Feb 1 2026"),
    ],
)
def test_numeric_date_read_differently_day_first_is_ambiguous(text, readings):
    with pytest.raises(DateError, match="is ambiguous") as caught:
        past(text)
    assert readings in str(caught.value)


def test_impossible_dateutil_date_is_an_error():
    with pytest.raises(DateError):
        past("Feb 30 2026")
    with pytest.raises(DateError, match="not a real date"):
        past("2026/02/30")


def test_weekday_named_with_a_date_must_match_it():
    assert ahead("fri dec 4") == date(2026, 12, 4)
    with pytest.raises(DateError, match="names a Monday but 2026-12-04 is a Friday"):
        ahead("mon dec 4")


# --- garbage ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "fribay",
        "soon",
        "next week-ish",
        "next friday",
        "in 3 days",
        "tomorow",
        "dec 3 2026 2027",  # dateutil reads 2027 as 20:27
        "dec 3 2026 10:00 PST",
        "dec 3 15:30:00",
        "12/03/2026/1",
    ],
)
@pytest.mark.parametrize("future", [False, True])
def test_garbage_is_not_a_date(text, future):
    with pytest.raises(DateError):
        parse_when(text, today=TODAY, future=future, allow_time=True)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_text_is_an_error(text):
    with pytest.raises(DateError, match="empty"):
        past(text)


# --- times --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20 15:30", When(date(2026, 11, 20), time(15, 30))),
        ("today 9:00", When(TODAY, time(9, 0))),
        ("today 09:05", When(TODAY, time(9, 5))),
        ("fri 15:00", When(date(2026, 11, 20), time(15, 0))),
        ("yesterday 17:45", When(date(2026, 11, 22), time(17, 45))),
        ("tomorrow 0:00", When(date(2026, 11, 24), time(0, 0))),
        ("-1d 23:59", When(date(2026, 11, 22), time(23, 59))),
        ("Nov 20 3:30pm", When(date(2026, 11, 20), time(15, 30))),
        ("nov 20 3:30 PM", When(date(2026, 11, 20), time(15, 30))),
        ("20 November 2026 3pm", When(date(2026, 11, 20), time(15, 0))),
        ("today 12am", When(TODAY, time(0, 0))),
        ("today 12pm", When(TODAY, time(12, 0))),
        ("today 11:15 a.m.", When(TODAY, time(11, 15))),
        ("today at 10:00", When(TODAY, time(10, 0))),
        ("2026/11/20 8:30", When(date(2026, 11, 20), time(8, 30))),
    ],
)
def test_time_after_any_date_form_when_allowed(text, expected):
    assert parse_when(text, today=TODAY, allow_time=True) == expected


def test_date_without_time_has_no_time():
    assert parse_when("today", today=TODAY, allow_time=True) == When(TODAY, None)


@pytest.mark.parametrize("text", ["today 9:00", "2026-11-20 15:30", "fri 3pm", "Dec 3 10:00"])
def test_time_is_refused_unless_allowed(text):
    with pytest.raises(DateError, match="time of day, which is not accepted here"):
        parse_when(text, today=TODAY)
    with pytest.raises(DateError, match="not accepted here"):
        parse_day(text, today=TODAY, future=True)


@pytest.mark.parametrize(
    "text",
    [
        "today 25:00",
        "today 24:00",
        "today 9:60",
        "today 13pm",
        "today 0am",
        "today 99:99",
    ],
)
def test_invalid_time_is_an_error(text):
    with pytest.raises(DateError, match="invalid time of day"):
        parse_when(text, today=TODAY, allow_time=True)


@pytest.mark.parametrize("text", ["15:30", "3:30pm", "at 9:00", "9am"])
def test_time_without_a_date_is_an_error(text):
    with pytest.raises(DateError, match="time of day without a date"):
        parse_when(text, today=TODAY, allow_time=True)


def test_parse_day_returns_the_day_of_parse_when():
    assert parse_day("fri", today=TODAY) == parse_when("fri", today=TODAY).day


# --- error messages -----------------------------------------------------------


ERROR_INPUTS = [
    "",
    "fribay",
    "2026-02-30",
    "2026-1-5",
    "3/4/2026",
    "December 2026",
    "15:30",
    "today 25:00",
    "today 9:00",  # time refused: allow_time is False below
    "+3x",
    "+99999999y",
    "mon dec 4",
    "dec\n3\n2026 junk",
    "it's soon",
]


@pytest.mark.parametrize("text", ERROR_INPUTS)
def test_error_message_is_one_line_naming_input_and_accepted_forms(text):
    with pytest.raises(DateError) as caught:
        parse_when(text, today=TODAY, future=True)
    message = str(caught.value)
    assert "\n" not in message
    assert repr(text.strip()) in message
    assert message.endswith(f"; use {ACCEPTED_FORMS}")


def test_error_message_reads_as_documented():
    with pytest.raises(DateError) as caught:
        past("fribay")
    assert str(caught.value) == (
        "'fribay' is not a date; use YYYY-MM-DD, today, tomorrow, yesterday, "
        "a weekday (mon, friday), an offset (+3d, +2w, +1m, -1d) or a date such as "
        "'Dec 3' (optionally followed by HH:MM for a touch or a follow-up)"
    )


def test_date_error_is_a_user_error_and_a_value_error():
    with pytest.raises(UserError):
        past("fribay")
    with pytest.raises(ValueError):
        past("fribay")


# --- today() ------------------------------------------------------------------


def test_today_is_the_system_date_without_the_variable(monkeypatch):
    monkeypatch.delenv("FOLLOWUP_TODAY", raising=False)
    assert today() == date.today()


def test_today_reads_followup_today(monkeypatch):
    monkeypatch.setenv("FOLLOWUP_TODAY", "2026-11-23")
    assert today() == TODAY


def test_today_reads_the_variable_at_call_time(monkeypatch):
    monkeypatch.setenv("FOLLOWUP_TODAY", "2026-11-23")
    assert today() == TODAY
    monkeypatch.setenv("FOLLOWUP_TODAY", "2027-01-02")
    assert today() == date(2027, 1, 2)


def test_empty_followup_today_counts_as_unset(monkeypatch):
    monkeypatch.setenv("FOLLOWUP_TODAY", "")
    assert today() == date.today()


@pytest.mark.parametrize("value", ["tomorrow", "2026-02-30", "23/11/2026", "2026-11-23 10:00"])
def test_malformed_followup_today_names_the_variable_and_form(monkeypatch, value):
    monkeypatch.setenv("FOLLOWUP_TODAY", value)
    with pytest.raises(DateError) as caught:
        today()
    message = str(caught.value)
    assert "FOLLOWUP_TODAY" in message
    assert "YYYY-MM-DD" in message
    assert repr(value) in message
    assert "\n" not in message


# --- helpers for the cadence code ---------------------------------------------


def test_format_day_is_iso():
    assert format_day(date(2026, 1, 5)) == "2026-01-05"


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (TODAY, 2, date(2026, 11, 25)),
        (TODAY, 8, date(2026, 12, 1)),
        (TODAY, -30, date(2026, 10, 24)),
        (date(2026, 12, 30), 4, date(2027, 1, 3)),
    ],
)
def test_add_days(start, n, expected):
    assert add_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (TODAY, 1, date(2026, 12, 23)),
        (TODAY, 12, date(2027, 11, 23)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 5, 31), -1, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months_clips_to_month_end(start, n, expected):
    assert add_months(start, n) == expected


def test_when_is_frozen():
    when = When(TODAY)
    with pytest.raises(AttributeError):
        when.day = date(2026, 1, 1)  # type: ignore[misc]


# --- start-up cost ------------------------------------------------------------


def test_importing_clock_does_not_import_dateutil():
    code = "import sys, followup.clock; print('dateutil' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_simple_forms_do_not_import_dateutil():
    code = (
        "import sys; from datetime import date; from followup.clock import parse_when\n"
        "for text in ['2026-11-20 15:30', 'today', 'fri 9:00', '+3d', '-1w']:\n"
        "    parse_when(text, today=date(2026, 11, 23), allow_time=True)\n"
        "print('dateutil' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("text", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31", "+400000d"])
def test_dates_outside_the_years_followup_keeps_are_refused(text):
    with pytest.raises(DateError) as caught:
        parse_when(text, today=TODAY)
    assert text in str(caught.value) and "\n" not in str(caught.value)


def test_the_edges_of_the_years_followup_keeps_are_accepted():
    assert parse_when("1900-01-01", today=TODAY).day == date(1900, 1, 1)
    assert parse_when("2999-12-31", today=TODAY).day == date(2999, 12, 31)


def test_an_extreme_date_is_a_user_error_on_the_command_line(cli):
    for args in (["due", "--on", "9999-12-01", "--days", "3660"], ["stats", "--on", "0001-01-01"]):
        run = cli(*args)
        assert run.exit_code == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
