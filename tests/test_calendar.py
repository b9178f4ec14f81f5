"""`followup calendar`: open follow-ups as an iCalendar file, read back with the `icalendar`
library that wrote it, on both databases."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime, time, timedelta

import icalendar
import pytest
from helpers import ok, refused

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-23"

BOOK = [
    ["add-referral", "陈素芳", "--from", "Bob Li, Jr.", "--company", "华为; R&D, Shenzhen", "--phone",
     "mobile: +86 138 0000 0000", "--on", "2026-11-20"],
    ["add", "Sue Chen", "--company", "Acme", "--email", "sue@acme.com", "--first", "2026-11-25"],
    ["schedule", "Sue Chen", "2026-11-26 15:30", "--what", "call back, as promised; bring the price list"],
    ["add", "Tom Wu", "--first", "2026-11-24"],
    ["sold", "Tom Wu", "--on", "2026-11-23"],
    ["add", "Far Away", "--first", "2027-03-01"],
    ["add", "Dan Do-Not", "--first", "2026-11-24"],
    ["edit", "Dan Do-Not", "--do-not-contact"],
]  # fmt: skip


@pytest.fixture
def book(seed):
    seed(BOOK, today=TODAY)


def events(text: str) -> dict[str, icalendar.Event]:
    """The file's events by SUMMARY, read back by the library."""
    cal = icalendar.Calendar.from_ical(text)
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def calendar(cli, *args: str) -> str:
    return ok(cli("calendar", *args, today=TODAY)).stdout


def test_open_follow_ups_become_all_day_events_overdue_ones_on_the_first_day(book, cli):
    found = events(calendar(cli, "--days", "10"))

    coach = found["call Bob Li, Jr.: ask Bob Li, Jr. to confirm 陈素芳's buying capacity and introduce you "
                  "(contact details, say who sent you, meet together)"]  # fmt: skip
    touch = found["call 陈素芳: referral touch 1 of 12"]
    # overdue since 2026-11-20: on the calendar's first day, so it is seen
    assert touch.decoded("DTSTART") == date(2026, 11, 23) and touch.decoded("DTEND") == date(2026, 11, 24)
    assert touch["DTSTART"].params["VALUE"] == "DATE"
    description = str(touch["DESCRIPTION"])
    for part in (
        "(华为; R&D, Shenzhen)",
        "Phone: +86 138 0000 0000",
        "Referred by: Bob Li, Jr.",
        "Why: referral touch 1 of 12",
        "was due 2026-11-20 (3 days ago)",
    ):
        assert part in description, part
    followup_id = str(touch["UID"]).split("@")[0].removeprefix("followup-")
    assert f"Follow-up #{followup_id}: when done, run: followup done {followup_id}" in description
    assert coach.decoded("DTSTART") == date(2026, 11, 23)
    post_sale = found["call Tom Wu: 2-4-8 day 2: check they have started using it, and use it right"]
    assert post_sale.decoded("DTSTART") == date(2026, 11, 25)
    assert [str(c) for c in post_sale["CATEGORIES"].cats] == ["post_sale_2"]
    assert not any("Far Away" in s or "Dan Do-Not" in s for s in found)  # too far ahead; do-not-contact
    assert not any("yearly check-in" in s for s in found)


def test_a_timed_follow_up_is_a_timed_event(book, cli):
    found = events(calendar(cli))

    timed = found["call Sue Chen: call back, as promised; bring the price list"]
    assert timed.decoded("DTSTART") == datetime(2026, 11, 26, 15, 30)  # floating: 15:30 wherever you are
    assert timed.decoded("DTEND") - timed.decoded("DTSTART") == timedelta(minutes=30)
    assert timed.decoded("DTSTART").tzinfo is None


def test_days_limits_how_far_ahead(book, cli):
    assert len(events(calendar(cli, "--days", "0"))) == 2  # the overdue touch and coach task of 陈素芳
    assert len(events(calendar(cli, "--days", "3"))) == 4  # and Tom Wu's 2-4-8 day 2, Sue Chen at 15:30
    ahead = events(calendar(cli, "--days", "120"))
    assert "call Far Away: touch 1 of 12" in ahead and not any("Dan Do-Not" in s for s in ahead)


def test_on_sets_the_first_day(book, cli):
    found = events(calendar(cli, "--on", "2026-11-26", "--days", "0"))
    assert {e.decoded("DTSTART") for e in found.values() if e["DTSTART"].params.get("VALUE") == "DATE"} == {
        date(2026, 11, 26)
    }
    assert datetime(2026, 11, 26, 15, 30) in {e.decoded("DTSTART") for e in found.values()}


def test_event_uids_stay_the_same_and_sequence_grows_with_the_day(book, cli):
    first = {str(e["UID"]): e for e in events(calendar(cli, "--on", "2026-11-23")).values()}
    later = {str(e["UID"]): e for e in events(calendar(cli, "--on", "2026-11-25")).values()}

    shared = set(first) & set(later)
    assert len(shared) >= 4
    assert all(uid.startswith("followup-") and "@" in uid for uid in shared)
    assert len({uid.split("@")[1] for uid in shared}) == 1  # one token for the database
    for uid in shared:
        assert int(later[uid]["SEQUENCE"]) == int(first[uid]["SEQUENCE"]) + 2
        assert isinstance(first[uid].decoded("DTSTAMP"), datetime)


def test_another_database_gives_other_uids(book, cli, tmp_path):
    mine = {str(e["UID"]).split("@")[1] for e in events(calendar(cli)).values()}
    other = str(tmp_path / "other.db")
    ok(cli("add", "Sue", "--first", "2026-11-24", today=TODAY, env={"FOLLOWUP_DB": other}))
    theirs = ok(cli("calendar", today=TODAY, env={"FOLLOWUP_DB": other})).stdout
    assert {str(e["UID"]).split("@")[1] for e in events(theirs).values()} != mine


def test_snoozing_moves_the_event_and_keeps_its_uid(book, cli):
    before = {str(e["UID"]): e for e in events(calendar(cli)).values()}
    timed_uid = next(uid for uid, e in before.items() if "price list" in str(e["SUMMARY"]))
    ok(cli("snooze", timed_uid.split("@")[0].removeprefix("followup-"), "2026-12-03", today=TODAY))

    after = {str(e["UID"]): e for e in events(calendar(cli)).values()}

    assert set(after) == set(before)
    moved = after[timed_uid].decoded("DTSTART")
    assert (moved.date() if isinstance(moved, datetime) else moved) == date(2026, 12, 3)
    assert int(after[timed_uid]["SEQUENCE"]) >= int(before[timed_uid]["SEQUENCE"])


def test_commas_semicolons_newlines_non_ascii_and_long_lines_survive(cli):
    ok(cli("add", '王小明, Jr.; "Ming"', "--first", "2026-11-23", today=TODAY))
    reason = "bring: contract, samples; and the\nsecond page " + "很长的原因" * 20
    ok(cli("schedule", "王小明", "2026-11-24", "--what", reason, today=TODAY))

    text = calendar(cli)

    raw = text.encode("utf-8")
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets, never inside a character
    assert any(line.startswith(b" ") for line in lines)
    assert "王小明\\, Jr.\\; " in text  # escaped as RFC 5545 asks
    found = events(text)
    summary = f'call 王小明, Jr.; "Ming": {reason}'
    # the CLI keeps the reason as typed, line break included; the library escapes it as \n
    assert summary in found or summary.replace("\n", " ") in found, list(found)
    assert "\\n" in text


def test_calendar_writes_a_private_file_and_replaces_one_only_with_force(book, cli, tmp_path, dump):
    target = tmp_path / "followup.ics"
    run = ok(cli("calendar", "-o", str(target), today=TODAY))

    assert "Wrote" in run.stdout and str(target) in run.stdout
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert len(events(target.read_text(encoding="utf-8"))) >= 4
    target.write_text("mine", encoding="utf-8")
    before = dump()
    refused(cli("calendar", "-o", str(target), today=TODAY), "already exists", "--force")
    assert target.read_text(encoding="utf-8") == "mine" and dump() == before
    ok(cli("calendar", "-o", str(target), "--force", today=TODAY))
    assert target.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")


def test_an_empty_calendar_is_still_a_calendar(cli):
    ok(cli("add", "Sue", today=TODAY))
    cal = icalendar.Calendar.from_ical(calendar(cli))
    assert cal.walk("VEVENT") == [] and str(cal["PRODID"]).startswith("-//followup//")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--on", "fribay"], ["--on", "YYYY-MM-DD"]),
        (["--on", "2026-11-20 15:30"], ["time of day"]),
        (["--days", "-1"], ["--days"]),
        (["-o", "no/such/folder/f.ics"], ["does not exist"]),
    ],
)
def test_calendar_refuses_bad_input_with_one_line(cli, dump, tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    ok(cli("add", "Sue", today=TODAY))
    before = dump()
    refused(cli("calendar", *args, today=TODAY), *words)
    assert dump() == before


def test_time_values_read_back_as_python_values(book, cli):
    """The file holds nothing but what the library can read: every event has the fields a
    calendar needs."""
    for event in events(calendar(cli)).values():
        for field in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "SEQUENCE"):
            assert field in event, field
        assert isinstance(event.decoded("DTSTART"), date | datetime | time)


def test_control_characters_in_a_name_never_reach_the_file(cli):
    ok(cli("add", "Bel\x07l \x1b[31mRed", "--first", "2026-11-24", today=TODAY))

    text = calendar(cli)

    assert "\x1b" not in text and "\x07" not in text
    assert list(events(text)) == ["call Bell [31mRed: touch 1 of 12"]


@pytest.mark.backends("postgresql")  # team mode is a shared PostgreSQL database's
def test_a_salesperson_gets_their_own_follow_ups_on_a_shared_database(cli):
    ok(cli("--user", "alice", "add", "Sue Chen", "--first", "2026-11-24", today=TODAY))
    ok(cli("--user", "bob", "add", "Ann Lee", "--first", "2026-11-24", today=TODAY))

    alices = ok(cli("--user", "alice", "calendar", today=TODAY)).stdout

    assert list(events(alices)) == ["call Sue Chen: touch 1 of 12"]
