"""The row cap (issue 5): `due` draws at most due.max_rows rows per section and `list`/`find` at
most list.max_rows, each then saying "N more, use --all"; `--all` draws everything and JSON is
never capped. The capped rows are the first rows of the whole list, in the same order."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from helpers import ok

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-23"
SEED = [
    # overdue and due today: cadence touches, a sale's 2-4-8 steps, a coach task on a referrer
    *(
        ["add", f"Overdue {n}", "--first", f"2026-11-{10 + n:02d}", "--tag", "vip" if n % 2 else "new"]
        for n in range(6)
    ),
    *(["add", f"Today {n}", "--first", TODAY] for n in range(3)),
    ["add", "Buyer", "--first", "2026-11-01"],
    ["sold", "Buyer", "--on", "2026-11-10"],
    ["add-referral", "Referred", "--from", "Buyer", "--on", "2026-11-20"],
    # coming up
    *(["add", f"Later {n}", "--first", f"2026-11-{24 + n:02d}", "--tag", "vip"] for n in range(5)),
    # no next step
    *(["add", f"Idle {n}"] for n in range(4)),
]


def ids_in_table(text: str, title: str) -> list[int]:
    """The ids (first column) of the Rich table under `title` in `text`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    ids = []
    for line in lines[start + 1 :]:
        if not line.startswith(("┃", "│", "┏", "┡", "├")):
            if ids or line.startswith("└"):
                break
            continue
        match = re.match(r"│\s*(\d+)\s*│", line)
        if match:
            ids.append(int(match[1]))
    return ids


def list_ids(text: str) -> list[int]:
    return [int(m[1]) for m in re.finditer(r"^│\s*(\d+)\s*│", text, re.M)]


def more_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.endswith("more, use --all")]


def set_rows(cli, key: str, value: int) -> None:
    ok(cli("config", "set", key, str(value)))
    assert Path(os.environ["FOLLOWUP_CONFIG"]).exists()


@pytest.fixture
def book(seed):
    seed(SEED, today="2026-11-01")


# ---------------------------------------------------------------- due


def test_due_draws_the_first_rows_of_each_section_then_says_how_many_more(cli, book):
    whole = ok(cli("due", "--days", "7", "--json", today=TODAY)).json()
    assert len(whole["due"]) == 14 and len(whole["upcoming"]) == 5 and len(whole["no_next_step"]) == 4
    set_rows(cli, "due.max_rows", 3)

    capped = ok(cli("due", "--days", "7", today=TODAY)).stdout

    assert ids_in_table(capped, f"Due {TODAY}") == [i["id"] for i in whole["due"][:3]]
    assert ids_in_table(capped, "Coming up") == [i["id"] for i in whole["upcoming"][:3]]
    assert ids_in_table(capped, "No next step") == [n["contact_id"] for n in whole["no_next_step"][:3]]
    assert more_lines(capped) == ["11 more, use --all", "2 more, use --all", "1 more, use --all"]
    overdue = sum(1 for i in whole["due"] if i["overdue_days"])
    # the footer counts everything, not the rows drawn
    assert f"{overdue} overdue, {14 - overdue} due today, 5 coming up, 4 with no next step." in capped


def test_due_all_draws_everything_and_json_is_never_capped(cli, book):
    whole = ok(cli("due", "--days", "7", "--json", today=TODAY)).json()
    set_rows(cli, "due.max_rows", 2)
    assert ok(cli("due", "--days", "7", "--json", today=TODAY)).json() == whole
    everything = ok(cli("due", "--days", "7", "--all", today=TODAY)).stdout
    assert more_lines(everything) == []
    assert ids_in_table(everything, f"Due {TODAY}") == [i["id"] for i in whole["due"]]
    assert ids_in_table(everything, "Coming up") == [i["id"] for i in whole["upcoming"]]
    assert ids_in_table(everything, "No next step") == [n["contact_id"] for n in whole["no_next_step"]]


def test_a_cap_of_0_and_a_section_that_fits_draw_no_more_line(cli, book):
    set_rows(cli, "due.max_rows", 0)
    assert more_lines(ok(cli("due", "--days", "7", today=TODAY)).stdout) == []
    set_rows(cli, "due.max_rows", 5)  # due: 14, coming up: exactly 5, no next step: 4
    assert more_lines(ok(cli("due", "--days", "7", today=TODAY)).stdout) == ["9 more, use --all"]


def test_the_default_cap_is_40_rows_a_section(cli, seed):
    seed([["add", f"P{n:02d}", "--first", "2026-11-20"] for n in range(43)], today="2026-11-01")
    out = ok(cli("due", today=TODAY)).stdout
    assert len(ids_in_table(out, f"Due {TODAY}")) == 40
    assert more_lines(out) == ["3 more, use --all"]
    assert "43 overdue, 0 due today" in out


def test_a_capped_due_report_holds_the_first_rows_and_counts_them_all(session):
    """The service: the same order as the whole report, and totals from the database."""
    from followup.config import Settings
    from followup.due import due_report
    from followup.services import add_contact, schedule_followup
    from followup.sql import SessionReader

    for n in range(9):
        sue = add_contact(session=session, name=f"Sue {n}", settings=Settings()).contact
        for due in (date(2026, 11, 1 + n), date(2026, 11, 23), date(2026, 11, 24 + n % 4)):
            schedule_followup(session=session, contact=sue, due=due, on=date(2026, 10, 1), what=f"call {n}")
    for n in range(3):
        add_contact(session=session, name=f"Idle {n}", settings=Settings())
    session.flush()
    on = date(2026, 11, 23)
    whole = due_report(reader=SessionReader(session), on=on, days=5, with_nudges=False)
    for cap in (1, 4, 9, 50):
        capped = due_report(reader=SessionReader(session), on=on, days=5, with_nudges=False, max_rows=cap)
        assert capped.due == whole.due[:cap]
        assert capped.upcoming == whole.upcoming[:cap]
        assert capped.no_next_step == whole.no_next_step[:cap]
        assert [capped.count(s) for s in ("due", "upcoming", "no_next_step")] == [27 - 9, 9, 3]
        assert capped.overdue == whole.overdue == 8 + 1  # Sue 0..8 from Nov 1..9; each day once
    assert whole.as_json() == due_report(reader=SessionReader(session), on=on, days=5, with_nudges=False).as_json()


# ---------------------------------------------------------------- list and find


def test_list_draws_the_first_rows_then_says_how_many_more(cli, book):
    whole = ok(cli("list", "--json")).json()
    set_rows(cli, "list.max_rows", 4)
    out = ok(cli("list")).stdout
    assert list_ids(out) == [r["id"] for r in whole[:4]]
    assert more_lines(out) == [f"{len(whole) - 4} more, use --all"]
    assert out.rstrip().endswith(f"{len(whole)} contacts.")
    assert ok(cli("list", "--json")).json() == whole  # JSON is never capped
    everything = ok(cli("list", "--all")).stdout
    assert list_ids(everything) == [r["id"] for r in whole] and more_lines(everything) == []


def test_list_caps_after_its_filters(cli, book):
    vips = ok(cli("list", "--tag", "VIP", "--status", "prospect", "--json")).json()
    assert len(vips) == 8  # Overdue 1, 3, 5 and Later 0-4
    set_rows(cli, "list.max_rows", 5)
    out = ok(cli("list", "--tag", "VIP", "--status", "prospect")).stdout
    assert list_ids(out) == [r["id"] for r in vips[:5]]
    assert more_lines(out) == ["3 more, use --all"] and "8 contacts." in out
    fits = ok(cli("list", "--status", "customer")).stdout
    assert more_lines(fits) == [] and "1 contact." in fits


def test_find_draws_the_first_matches_then_says_how_many_more(cli, book):
    whole = ok(cli("find", "Overdue", "--json")).json()
    assert len(whole) == 6
    set_rows(cli, "list.max_rows", 2)
    out = ok(cli("find", "Overdue")).stdout
    assert list_ids(out) == [r["id"] for r in whole[:2]]
    assert more_lines(out) == ["4 more, use --all"] and "6 contacts." in out
    assert list_ids(ok(cli("find", "Overdue", "--all")).stdout) == [r["id"] for r in whole]
    assert ok(cli("find", "Overdue", "--json")).json() == whole


def test_a_list_cap_of_0_draws_everything(cli, book):
    set_rows(cli, "list.max_rows", 0)
    out = ok(cli("list")).stdout
    assert more_lines(out) == [] and len(list_ids(out)) == len(ok(cli("list", "--json")).json())


def test_the_cap_counts_only_the_salespersons_own_contacts_in_team_mode(cli, seed, backend):
    """On PostgreSQL each salesperson sees their own contacts; the counts under a capped table
    are theirs too (on SQLite every contact is in reach)."""
    seed(
        [["--user", "alice", "add", f"A{n}", "--first", "2026-11-20"] for n in range(4)]
        + [["--user", "bob", "add", f"B{n}", "--first", "2026-11-20"] for n in range(3)],
        today="2026-11-01",
    )
    set_rows(cli, "due.max_rows", 1)
    set_rows(cli, "list.max_rows", 1)
    mine = 4 if backend == "postgresql" else 7
    due = ok(cli("--user", "alice", "due", today=TODAY)).stdout
    assert more_lines(due) == [f"{mine - 1} more, use --all"] and f"{mine} overdue" in due
    listed = ok(cli("--user", "alice", "list")).stdout
    assert more_lines(listed) == [f"{mine - 1} more, use --all"] and f"{mine} contacts." in listed
    assert len(ok(cli("--user", "alice", "list", "--json")).json()) == mine
