"""The one clock and date parser.

Every "today" in followup comes from `today()`, and every function that needs
the date takes it as a parameter, so tests pass explicit dates instead of
freezing time. `parse_when` reads what a user types for a date (`--on`,
`--next`, DATE arguments), optionally followed by a time of day for a touch.

Only the stdlib is imported here: python-dateutil costs ~40 ms to import, so
it is imported inside the functions that need it, never at start-up.
"""

from __future__ import annotations

import datetime
import os
import re
import warnings
from dataclasses import dataclass
from datetime import date, timedelta

from followup.errors import DateError

__all__ = [
    "ACCEPTED_FORMS",
    "TODAY_ENV",
    "When",
    "add_days",
    "add_months",
    "format_day",
    "parse_day",
    "parse_when",
    "today",
    "weekday_number",
]

ACCEPTED_FORMS = (
    "YYYY-MM-DD, today, tomorrow, yesterday, a weekday (mon, friday), "
    "an offset (+3d, +2w, +1m, -1d) or a date such as 'Dec 3' "
    "(optionally followed by HH:MM for a touch or a follow-up)"
)

TODAY_ENV = "FOLLOWUP_TODAY"

# Dates a salesperson's records can hold; beyond them date arithmetic (a year's check-in,
# eight weeks back) would run off the calendar.
FIRST_YEAR, LAST_YEAR = 1900, 2999

_RELATIVE_DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}

_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}
_WEEKDAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_MONTH_NAMES = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_LOOKALIKE = re.compile(r"\d{4}-\d")
_YEAR_FIRST = re.compile(r"(\d{4})([/.])(\d{1,2})\2(\d{1,2})")  # 2026/12/03, 2026.12.03
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")  # 20261203
_OFFSET = re.compile(r"([+-])(\d+)([dwmy])")
_TIME = r"\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?"
_DATE_THEN_TIME = re.compile(rf"(?P<date>.*?\S)\s+(?:at\s+)?(?P<time>{_TIME})")
_TIME_ONLY = re.compile(rf"(?:at\s+)?(?:{_TIME})")
_TIME_PARTS = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?)?")

# Two defaults that differ in every field: a field dateutil reads from the
# text comes out equal in both parses, a field it filled from the default
# does not. Both years are leap years so that "Feb 29" parses.
_DEFAULT_A = datetime.datetime(2000, 1, 1, 0, 0, 0)
_DEFAULT_B = datetime.datetime(2004, 2, 2, 1, 1, 1)


@dataclass(frozen=True)
class When:
    """A day, and the time of day when the user gave one."""

    day: date
    time: datetime.time | None = None


def today() -> date:
    """Today's date, or the date in FOLLOWUP_TODAY (YYYY-MM-DD) when it is set.

    The variable is read at each call, so tests and demos can set it.
    An empty value counts as unset.
    """
    value = os.environ.get(TODAY_ENV, "").strip()
    if not value:
        return date.today()
    match = _ISO.fullmatch(value)
    if match:
        day = _real_date(*map(int, match.groups()))
        if day is not None and FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
    raise _env_error(value)


def format_day(d: date) -> str:
    """A day as followup shows and stores it: ISO `YYYY-MM-DD`."""
    return d.isoformat()


def add_days(d: date, n: int) -> date:
    """`d` moved by `n` days (negative moves back)."""
    return d + timedelta(days=n)


def add_months(d: date, n: int) -> date:
    """`d` moved by `n` calendar months, clipped to the month's end (Jan 31 +1 -> Feb 28)."""
    from dateutil.relativedelta import relativedelta

    return d + relativedelta(months=n)


def weekday_number(name: str) -> int | None:
    """`mon`, `Tuesday`, `thurs`... as date.weekday() numbers the day (0 = Monday); None for anything else."""
    return _WEEKDAYS.get(name.strip().lower())


def parse_day(text: str, *, today: date, future: bool = False) -> date:
    """Read a date without a time of day; see `parse_when`."""
    return parse_when(text, today=today, future=future).day


def parse_when(text: str, *, today: date, future: bool = False, allow_time: bool = False) -> When:
    """Read a date the user typed, optionally followed by a time of day.

    `today` anchors every relative form. `future` says which way the date
    points: False for when something happened (`--on`: a weekday is the most
    recent one, today included; a date without a year is the latest one on
    or before today), True for a date ahead (`--next`, `--first`, `snooze`:
    a weekday is the next one, today excluded; a date without a year is the
    first one on or after today). A time (`15:30`, `3:30pm`) is accepted only
    when `allow_time` is true. Raises DateError with a one-line message.
    """
    shown = text.strip()
    normal = " ".join(text.lower().split())
    if not normal:
        raise _error(shown, "is not a date (it is empty)")
    if _TIME_ONLY.fullmatch(normal):
        raise _error(shown, "is a time of day without a date")

    date_part, time_part = normal, None
    split = _DATE_THEN_TIME.fullmatch(normal)
    if split:
        date_part, time_part = split["date"], split["time"]

    try:
        day = _parse_date_part(date_part, shown=shown, today=today, future=future)
    except OverflowError:
        day = date.max
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise _error(shown, f"is outside the years {FIRST_YEAR} to {LAST_YEAR} that followup keeps")
    if time_part is None:
        return When(day)
    if not allow_time:
        raise _error(shown, "has a time of day, which is not accepted here")
    return When(day, _parse_time(time_part, shown=shown))


def _parse_date_part(part: str, *, shown: str, today: date, future: bool) -> date:
    """The date in `part` (lower-cased, no time), trying each form in turn."""
    if _ISO_LOOKALIKE.match(part):
        return _parse_iso(part, shown=shown)
    if part in _RELATIVE_DAYS:
        return add_days(today, _RELATIVE_DAYS[part])
    if part in _WEEKDAYS:
        return _weekday(_WEEKDAYS[part], today=today, future=future)
    if part[0] in "+-":
        return _parse_offset(part, shown=shown, today=today)
    # Year-first numbers are always year-month-day; dateutil's day-first
    # reading of them (2026/12/03 as March 12) would make them look ambiguous.
    match = _YEAR_FIRST.fullmatch(part)
    if match:
        year, _, month, day = match.groups()
        return _real_date_or_error(int(year), int(month), int(day), shown=shown)
    match = _COMPACT.fullmatch(part)
    if match:
        return _real_date_or_error(*map(int, match.groups()), shown=shown)
    return _parse_with_dateutil(part, shown=shown, today=today, future=future)


def _parse_iso(part: str, *, shown: str) -> date:
    """A strict YYYY-MM-DD date; anything else shaped like one is an error."""
    match = _ISO.fullmatch(part)
    if not match:
        raise _error(shown, "is not a date in YYYY-MM-DD form")
    return _real_date_or_error(*map(int, match.groups()), shown=shown)


def _weekday(weekday: int, *, today: date, future: bool) -> date:
    """The next such weekday after today, or the latest one up to and including today."""
    if future:
        return add_days(today, (weekday - today.weekday()) % 7 or 7)
    return add_days(today, -((today.weekday() - weekday) % 7))


def _parse_offset(part: str, *, shown: str, today: date) -> date:
    """`+3d`, `+2w`, `+1m`, `+1y`, `-1d`: today moved by that much."""
    match = _OFFSET.fullmatch(part)
    if not match:
        raise _error(shown, "is not an offset such as +3d, +2w, +1m or -1d")
    sign, amount, unit = match.groups()
    try:
        n = int(amount) * (-1 if sign == "-" else 1)
        if unit == "d":
            return add_days(today, n)
        if unit == "w":
            return add_days(today, 7 * n)
        return add_months(today, n if unit == "m" else 12 * n)
    except (OverflowError, ValueError) as exc:
        raise _error(shown, "is too far away") from exc


def _parse_with_dateutil(part: str, *, shown: str, today: date, future: bool) -> date:
    """A date dateutil reads one way only, with both a month and a day."""
    year, month, day = _dateutil_fields(part, shown=shown)
    if month is None or day is None:
        raise _error(shown, "is not a date (it needs both a month and a day)")
    if year is None:
        resolved = _infer_year(month, day, today=today, future=future)
    else:
        resolved = _real_date_or_error(year, month, day, shown=shown)
    _check_named_weekday(part, resolved, shown=shown)
    return resolved


def _dateutil_fields(part: str, *, shown: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) that dateutil found in the text, None where it found none.

    Reads the text month-first and day-first; if both readings work and
    disagree the text is ambiguous (`3/4/2026`). A time dateutil finds here
    (one not written as a trailing HH:MM) is refused.
    """
    from dateutil.parser import UnknownTimezoneWarning, parse

    readings: list[tuple[int | None, int | None, int | None]] = []
    for dayfirst in (False, True):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UnknownTimezoneWarning)
                a = parse(part, default=_DEFAULT_A, dayfirst=dayfirst)
                b = parse(part, default=_DEFAULT_B, dayfirst=dayfirst)
        # dateutil's ParserError is a ValueError; a huge number of minutes is a decimal error
        except (ArithmeticError, ValueError):
            continue
        has_time = a.time() != _DEFAULT_A.time() or b.time() != _DEFAULT_B.time()
        if has_time or a.tzinfo is not None:
            raise _error(shown, "is not a date")
        fields = (
            a.year if a.year == b.year else None,
            a.month if a.month == b.month else None,
            a.day if a.day == b.day else None,
        )
        if fields not in readings:
            readings.append(fields)
    if not readings:
        raise _error(shown, "is not a date")
    if len(readings) > 1:
        first, second = readings
        raise _error(
            shown,
            f"is ambiguous (it could be {_describe(*first)} or {_describe(*second)})",
        )
    return readings[0]


def _infer_year(month: int, day: int, *, today: date, future: bool) -> date:
    """The month and day in the nearest year on the right side of today.

    Past: this year's, or last year's if this year's is still to come.
    Future: this year's, or next year's if this year's has gone; today counts
    as both. Feb 29 moves on to the nearest leap year.
    """
    step = 1 if future else -1
    for offset in range(9):  # leap years can be 8 years apart (2096 -> 2104)
        candidate = _real_date(today.year + step * offset, month, day)
        if candidate is not None and (candidate >= today if future else candidate <= today):
            return candidate
    raise AssertionError(f"no year has {month}-{day}")  # pragma: no cover


def _check_named_weekday(part: str, resolved: date, *, shown: str) -> None:
    """Refuse `mon dec 4` when Dec 4 is not a Monday (dateutil ignores the weekday)."""
    for word in re.findall(r"[a-z]+", part):
        weekday = _WEEKDAYS.get(word)
        if weekday is not None and weekday != resolved.weekday():
            actual = _WEEKDAY_NAMES[resolved.weekday()]
            raise _error(
                shown,
                f"names a {_WEEKDAY_NAMES[weekday]} but {format_day(resolved)} is a {actual}",
            )


def _parse_time(text: str, *, shown: str) -> datetime.time:
    """`15:30`, `9:00`, `3:30pm`, `3pm` as a time of day."""
    match = _TIME_PARTS.fullmatch(text)
    if match:
        hour, minute = int(match[1]), int(match[2] or 0)
        meridiem = match[3]
        if meridiem and 1 <= hour <= 12:
            hour = hour % 12 + (12 if meridiem == "p" else 0)
        elif meridiem:
            hour = 24  # 0am or 13pm: not a time
        if hour < 24 and minute < 60:
            return datetime.time(hour, minute)
    raise _error(shown, f"has an invalid time of day ({text})")


def _real_date(year: int, month: int, day: int) -> date | None:
    """The date, or None if the calendar has no such day."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _real_date_or_error(year: int, month: int, day: int, *, shown: str) -> date:
    resolved = _real_date(year, month, day)
    if resolved is None:
        raise _error(shown, "is not a real date")
    return resolved


def _describe(year: int | None, month: int | None, day: int | None) -> str:
    """A reading of an ambiguous date for the error message, e.g. `Mar 4 2026`."""
    words = [_MONTH_NAMES[month - 1] if month else "", str(day or ""), str(year or "")]
    return " ".join(word for word in words if word)


def _error(shown: str, problem: str) -> DateError:
    """The one-line DateError: the input in quotes, what is wrong, what is accepted."""
    return DateError(f"{shown!r} {problem}; use {ACCEPTED_FORMS}")


def _env_error(value: str) -> DateError:
    return DateError(
        f"{TODAY_ENV}={value!r} is not a date followup keeps; "
        f"set it to YYYY-MM-DD in the years {FIRST_YEAR} to {LAST_YEAR}, or unset it"
    )
