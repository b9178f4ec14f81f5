"""The referral playbook: `followup ask`, the coach task's text, and the referral nudges under `due`.

Services are called on an in-memory database, the CLI on a temporary file; every date is explicit.
Dates: 2026-11-02 is a Monday, so the week of 2026-11-02 runs to Sunday 2026-11-08.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from followup import services
from followup.config import Settings, load_settings
from followup.due import due_report
from followup.enums import Outcome, Source
from followup.errors import UserError
from followup.models import Contact, FollowUp, Referral, ReferralAsk
from followup.sql import SessionReader

pytestmark = pytest.mark.backends("sqlite", "postgresql")

MON = date(2026, 11, 2)
DUE_KEYS = {"date", "due", "upcoming", "no_next_step"}
COACH_START = "ask Bob Li to confirm Sue Chen's buying capacity and introduce you"


# ---------------------------------------------------------------- helpers


def ok(cli, *args, **kwargs):
    r = cli(*args, **kwargs)
    assert r.exit_code == 0, f"{args}: {r.stderr}"
    return r


def one_error_line(run) -> str:
    assert run.exit_code == 2, (run.stdout, run.stderr)
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stderr.startswith("Error: ") and run.stderr.count("\n") == 1, run.stderr
    return run.stderr


def show(cli, who: str) -> dict:
    return ok(cli, "show", who, "--json").json()


def names_in_list(cli) -> list[str]:
    return [row["name"] for row in ok(cli, "list", "--json").json()]


def due_lines(cli, on: str) -> list[str]:
    return ok(cli, "due", "--on", on).stdout.splitlines()


def nudges_in(cli, on: str) -> list[str]:
    """The lines printed after the footer of `due --on`."""
    lines = due_lines(cli, on)
    [footer] = [i for i, line in enumerate(lines) if re.match(r"^\d+ overdue, \d+ due today", line)]
    return lines[footer + 1 :]


def customer(session, settings, name: str = "Bob Li", sold_on: date = MON) -> Contact:
    bob = services.add_contact(session=session, name=name, settings=settings).contact
    services.record_sale(session=session, contact=bob, on=sold_on, settings=settings)
    return bob


def ask(session, settings, who: Contact, on: date = MON, **kwargs) -> services.Asked:
    return services.record_ask(session=session, customer=who, on=on, settings=settings, **kwargs)


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def open_kinds(session, contact: Contact) -> list[tuple[str, date]]:
    return [(f.kind, f.due) for f in services.open_followups(session=session, contact_id=contact.id)]


# ---------------------------------------------------------------- record_ask: the ask row


def test_ask_without_names_records_one_ask_that_got_nothing(session, settings):
    bob = customer(session, settings)
    asked = ask(session, settings, bob, on=MON)
    assert asked.names == []
    rows = session.exec(select(ReferralAsk)).all()
    assert [(a.customer_id, a.day, a.got, a.names) for a in rows] == [(bob.id, MON, 0, None)]


def test_got_defaults_to_the_number_of_names(session, settings):
    bob = customer(session, settings)
    asked = ask(session, settings, bob, names=["Sue Chen, Tom Wang"])
    assert (asked.ask.got, asked.ask.names) == (2, "Sue Chen, Tom Wang")


def test_got_may_exceed_the_names_given(session, settings):
    bob = customer(session, settings)
    asked = ask(session, settings, bob, got=3, names=["Sue Chen"])
    assert (asked.ask.got, asked.ask.names, [n.name for n in asked.names]) == (3, "Sue Chen", ["Sue Chen"])


@pytest.mark.parametrize(
    ("given", "names"),
    [
        (["Sue Chen, Tom Wang"], ["Sue Chen", "Tom Wang"]),
        (["陈素，王强"], ["陈素", "王强"]),  # the Chinese comma
        (["Sue Chen，Tom Wang, 陈素"], ["Sue Chen", "Tom Wang", "陈素"]),
        ([" Sue   Chen ,, , Tom Wang ,"], ["Sue Chen", "Tom Wang"]),  # blanks ignored, spaces tidied
        (["Sue Chen, sue chen, SUE CHEN"], ["Sue Chen"]),  # the same name twice is one name
        (["Sue Chen", "Tom Wang, Sue Chen"], ["Sue Chen", "Tom Wang"]),  # --names given twice
        ([" , ，"], []),
    ],
)
def test_names_are_split_on_both_commas_blanks_and_repeats_dropped(session, settings, given, names):
    bob = customer(session, settings)
    asked = ask(session, settings, bob, names=given)
    assert [n.name for n in asked.names] == names
    assert asked.ask.got == len(names)
    assert asked.ask.names == (", ".join(names) or None)
    assert sorted(c.name for c in session.exec(select(Contact)).all()) == sorted(["Bob Li", *names])


# ---------------------------------------------------------------- record_ask: new names


def test_a_new_name_becomes_a_prospect_referred_by_the_customer(session, settings):
    bob = customer(session, settings, sold_on=MON)
    asked = ask(session, settings, bob, on=date(2026, 11, 12), names=["Sue Chen"])
    [sue] = asked.names
    assert (sue.outcome, sue.contact.name, sue.contact.status) == ("new", "Sue Chen", "prospect")
    referral = services.referral_of(session=session, contact_id=sue.contact.id)
    assert (referral.referrer_id, referral.source, referral.referred_on) == (
        bob.id,
        "customer",
        date(2026, 11, 12),
    )
    # the first touch and the coach task, on the ask day, as add-referral schedules them
    assert open_kinds(session, sue.contact) == [("touch", date(2026, 11, 12))]
    coach = [f for f in services.open_followups(session=session, contact_id=bob.id) if f.kind == "coach"]
    assert [(f.due, f.about_contact_id) for f in coach] == [(date(2026, 11, 12), sue.contact.id)]
    assert (sue.referred.first_touch.reason, sue.referred.coach_task.id) == ("referral touch 1 of 12", coach[0].id)


@pytest.mark.parametrize(
    ("status_of_asked", "source"),
    [("customer", Source.customer), ("repeat", Source.customer), ("lost", Source.declined), ("prospect", "network")],
)
def test_the_source_follows_who_was_asked(session, settings, status_of_asked, source):
    """A customer's names are `customer`, a lost prospect's `declined`, a prospect's (asked before the sale) `network`."""
    who = services.add_contact(session=session, name="Bob Li", settings=settings).contact
    if status_of_asked in ("customer", "repeat"):
        services.record_sale(session=session, contact=who, on=MON, settings=settings)
    if status_of_asked == "repeat":
        services.record_sale(session=session, contact=who, on=date(2026, 11, 3), settings=settings)
    if status_of_asked == "lost":
        services.mark_lost(session=session, contact=who, on=MON, reason=None)
    [sue] = ask(session, settings, who, on=date(2026, 11, 5), names=["Sue Chen"]).names
    assert sue.referred.referral.source == str(source)


# ---------------------------------------------------------------- record_ask: existing contacts


@pytest.mark.parametrize("ref", ["Tom Wang", "tom wang", "wang", "#2", "2"])
def test_an_unreferred_prospect_is_linked_not_duplicated(session, settings, ref):
    bob = customer(session, settings)
    tom = services.add_contact(session=session, name="Tom Wang", settings=settings).contact
    assert tom.id == 2
    [linked] = ask(session, settings, bob, on=date(2026, 11, 4), names=[ref]).names
    assert (linked.outcome, linked.contact.id, linked.name) == ("linked", tom.id, ref)
    assert count(session, Contact) == 2
    referral = services.referral_of(session=session, contact_id=tom.id)
    assert (referral.referrer_id, referral.source, referral.referred_on) == (bob.id, "customer", date(2026, 11, 4))
    assert open_kinds(session, tom) == [("touch", date(2026, 11, 4))]
    assert linked.referred.coach_task.about_contact_id == tom.id


def test_a_linked_prospect_keeps_their_touches_and_the_cadence_goes_on_from_them(session, settings):
    bob = customer(session, settings)
    tom = services.add_contact(session=session, name="Tom Wang", settings=settings, first=MON).contact
    services.log_touch(session=session, contact=tom, on=MON, settings=settings)
    [linked] = ask(session, settings, bob, on=date(2026, 11, 4), names=["Tom Wang"]).names
    assert linked.outcome == "linked"
    assert [(f.kind, f.due, f.reason) for f in services.open_followups(session=session, contact_id=tom.id)] == [
        ("touch", date(2026, 11, 4), "referral touch 2 of 12")
    ]


def known_setup(session, settings, what: str) -> Contact:
    """Contact #2 Tom Wang in the state `what`."""
    tom = services.add_contact(session=session, name="Tom Wang", settings=settings, first=MON).contact
    if what == "customer":
        services.record_sale(session=session, contact=tom, on=MON, settings=settings)
    elif what == "lost":
        services.mark_lost(session=session, contact=tom, on=MON, reason="budget")
    elif what == "referred":
        services.add_referral(session=session, prospect="Tom Wang", referrer="Ann Ma", on=MON, settings=settings)
    elif what == "do-not-contact":
        services.log_touch(session=session, contact=tom, on=MON, settings=settings, outcome=Outcome.stop)
    return tom


@pytest.mark.parametrize(
    ("what", "why"),
    [
        ("customer", "a customer"),
        ("lost", "closed as lost"),
        ("referred", "referred by Ann Ma on 2026-11-02"),
        ("do-not-contact", "asked not to be contacted"),
    ],
)
def test_an_existing_contact_who_is_not_a_fresh_prospect_is_known_and_left_as_is(session, settings, what, why):
    bob = customer(session, settings, sold_on=date(2026, 10, 1))
    tom = known_setup(session, settings, what)
    referrals = session.exec(select(Referral.prospect_id, Referral.referrer_name)).all()
    followups = session.exec(select(FollowUp.id, FollowUp.status, FollowUp.due)).all()
    asked = ask(session, settings, bob, on=date(2026, 11, 5), names=["Tom Wang"])
    [known] = asked.names
    assert (known.outcome, known.contact.id, known.why, known.referred) == ("known", tom.id, why, None)
    assert session.exec(select(Referral.prospect_id, Referral.referrer_name)).all() == referrals
    assert session.exec(select(FollowUp.id, FollowUp.status, FollowUp.due)).all() == followups
    assert (asked.ask.got, asked.ask.names) == (1, "Tom Wang")  # still counted as a name the ask yielded


def test_one_ask_can_link_create_and_know_at_once(session, settings):
    bob = customer(session, settings)
    services.add_contact(session=session, name="Tom Wang", settings=settings)
    customer(session, settings, name="Ann Ma")
    asked = ask(session, settings, bob, on=date(2026, 11, 4), names=["Sue Chen, Tom Wang, Ann Ma"])
    assert [(n.name, n.outcome) for n in asked.names] == [
        ("Sue Chen", "new"),
        ("Tom Wang", "linked"),
        ("Ann Ma", "known"),
    ]
    assert ([n.name for n in asked.new], [n.name for n in asked.linked], [n.name for n in asked.known]) == (
        ["Sue Chen"],
        ["Tom Wang"],
        ["Ann Ma"],
    )


def test_the_same_person_named_twice_by_id_and_by_name_is_one_name(session, settings):
    bob = customer(session, settings)
    services.add_contact(session=session, name="Tom Wang", settings=settings)
    asked = ask(session, settings, bob, names=["#2, Tom Wang"])
    assert [(n.name, n.outcome) for n in asked.names] == [("#2", "linked")]
    assert asked.ask.got == 1


def test_a_name_matching_a_contact_only_once_created_is_still_a_new_person(session, settings):
    """Names are resolved before anything is written: `Sue` is not matched to the `Sue Chen` made by this ask."""
    bob = customer(session, settings)
    asked = ask(session, settings, bob, names=["Sue Chen, Sue"])
    assert [(n.name, n.outcome) for n in asked.names] == [("Sue Chen", "new"), ("Sue", "new")]
    assert count(session, Contact) == 3


# ---------------------------------------------------------------- record_ask: refused


def refused_setup(session, settings) -> Contact:
    bob = customer(session, settings)
    services.add_contact(session=session, name="Li Na", settings=settings)
    services.add_contact(session=session, name="Li Wei", settings=settings)
    return bob


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"got": 1, "names": ["Sue Chen, Tom Wang"]}, "--got 1 is fewer than the 2 names"),
        ({"got": -1}, "--got: -1 is not a count of names; give how many names the ask yielded, 0 to 1000"),
        ({"got": 1001}, "--got: 1001 is not a count of names"),
        ({"names": ["Sue Chen, Li"]}, "--names: 'Li' matches several contacts: #1 Bob Li, #2 Li Na, #3 Li Wei"),
        ({"names": ["Sue Chen, #99"]}, "--names: no contact #99"),
        ({"names": ["Sue Chen, Bob Li"]}, "--names: 'Bob Li' is Bob Li (#1), the person asked"),
        ({"names": ["Sue Chen, bob"]}, "--names: 'bob' is Bob Li (#1), the person asked"),
    ],
)
def test_a_refused_ask_raises_before_writing_anything(session, settings, kwargs, message):
    bob = refused_setup(session, settings)
    session.commit()
    before = (count(session, Contact), count(session, Referral), count(session, FollowUp), count(session, ReferralAsk))
    with pytest.raises(UserError) as caught:
        ask(session, settings, bob, **kwargs)
    assert str(caught.value).startswith(message), str(caught.value)
    assert not session.new and not session.dirty
    assert (
        count(session, Contact),
        count(session, Referral),
        count(session, FollowUp),
        count(session, ReferralAsk),
    ) == before


def test_asking_a_do_not_contact_contact_is_refused(session, settings):
    bob = customer(session, settings)
    services.log_touch(session=session, contact=bob, on=MON, settings=settings, outcome=Outcome.stop)
    with pytest.raises(UserError, match=r"Bob Li \(#1\) asked not to be contacted"):
        ask(session, settings, bob, names=["Sue Chen"])
    assert (count(session, ReferralAsk), count(session, Contact)) == (0, 1)


# ---------------------------------------------------------------- the coach task


def test_coach_task_says_what_to_ask_the_referrer(session, settings):
    bob = customer(session, settings)
    [sue] = ask(session, settings, bob, names=["Sue Chen"]).names
    reason = sue.referred.coach_task.reason
    assert reason.startswith(COACH_START)
    for what in ("contact details", "say who sent you", "meet together"):
        assert what in reason
    assert "\n" not in reason and reason.count(".") == 0  # one sentence, the renderer adds the full stop


# ---------------------------------------------------------------- the CLI: ask


SEED = [
    ("add", "Bob Li"),
    ("sold", "Bob Li", "--on", "2026-10-20"),
    ("add", "Tom Wang"),
    ("add", "Ann Ma"),
    ("sold", "Ann Ma", "--on", "2026-10-21"),
    ("add-referral", "Li Na", "--from", "Ann Ma", "--on", "2026-10-22"),
]


@pytest.fixture
def seeded(cli, seed):
    """#1 Bob Li (customer), #2 Tom Wang (prospect), #3 Ann Ma (customer), #4 Li Na (referred by Ann)."""
    seed(SEED)
    return cli


def test_ask_cli_reports_new_linked_and_known_names(seeded):
    out = ok(
        seeded, "ask", "Bob", "--names", "Sue Chen, Tom Wang，Ann Ma, Li Na", "--got", "5", "--on", "2026-11-04"
    ).stdout
    coach = "buying capacity and introduce you (contact details, say who sent you, meet together)."
    assert out.splitlines() == [
        "Asked Bob Li (#1) for referrals on 2026-11-04: 5 names (4 listed).",
        "Sue Chen (#5, new) referred by Bob Li on 2026-11-04, source customer.",
        "  #11 2026-11-04: referral touch 1 of 12; mention Bob Li.",
        f"  #12 2026-11-04: ask Bob Li to confirm Sue Chen's {coach}",
        "Tom Wang (#2, existing prospect, linked) referred by Bob Li on 2026-11-04, source customer.",
        "  #13 2026-11-04: referral touch 1 of 12; mention Bob Li.",
        f"  #14 2026-11-04: ask Bob Li to confirm Tom Wang's {coach}",
        "Ann Ma (#3, already known): a customer; left as is.",
        "Li Na (#4, already known): referred by Ann Ma on 2026-10-22; left as is.",
    ]
    assert names_in_list(seeded) == ["Bob Li", "Tom Wang", "Ann Ma", "Li Na", "Sue Chen"]
    bob = show(seeded, "Bob Li")
    assert bob["asks"] == [{"id": 1, "date": "2026-11-04", "got": 5, "names": "Sue Chen, Tom Wang, Ann Ma, Li Na"}]
    assert [(r["name"], r["source"], r["date"]) for r in bob["referred"]] == [
        ("Sue Chen", "customer", "2026-11-04"),
        ("Tom Wang", "customer", "2026-11-04"),
    ]


def test_ask_cli_new_names_are_on_the_due_list_of_the_ask_day(seeded):
    ok(seeded, "ask", "Bob Li", "--names", "陈素", "--on", "2026-11-04")
    due = ok(seeded, "due", "--on", "2026-11-04", "--json").json()
    items = [(i["contact"], i["kind"], i["due"], i["referrer"]) for i in due["due"] if i["due"] == "2026-11-04"]
    assert items == [("Bob Li", "coach", "2026-11-04", None), ("陈素", "touch", "2026-11-04", "Bob Li")]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--got", "3"], "Asked Bob Li (#1) for referrals on 2026-11-04: 3 names."),
        (["--got", "1"], "Asked Bob Li (#1) for referrals on 2026-11-04: 1 name."),
        (["--got", "0"], "Asked Bob Li (#1) for referrals on 2026-11-04: no names."),
        ([], "Asked Bob Li (#1) for referrals on 2026-11-04: no names."),
    ],
)
def test_ask_cli_without_names_logs_the_count(seeded, args, line):
    assert ok(seeded, "ask", "#1", *args, "--on", "2026-11-04").stdout.splitlines() == [line]
    assert names_in_list(seeded) == ["Bob Li", "Tom Wang", "Ann Ma", "Li Na"]


def test_ask_cli_on_defaults_to_today(seeded):
    ok(seeded, "ask", "Bob Li", "--got", "2", today="2026-11-09")
    assert show(seeded, "Bob Li")["asks"] == [{"id": 1, "date": "2026-11-09", "got": 2, "names": None}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bob Li", "--names", "Sue Chen, Pat Ho", "--got", "1"], "--got 1 is fewer than the 2 names in --names"),
        (["Bob Li", "--got", "-1"], "--got: -1 is not a count of names"),
        (["Bob Li", "--got", "99999999999999999999"], "--got: 99999999999999999999 is not a count of names"),
        (["Bob Li", "--names", "Sue Chen, Li"], "'Li' matches several contacts: #1 Bob Li, #4 Li Na"),
        (["Bob Li", "--names", "Sue Chen, #42"], "--names: no contact #42"),
        (["Bob Li", "--names", "Sue Chen, Bob Li"], "'Bob Li' is Bob Li (#1), the person asked"),
        (["Stop Me", "--names", "Sue Chen"], "Stop Me (#5) asked not to be contacted"),
        (["Nobody", "--names", "Sue Chen"], "no contact matches 'Nobody'"),
        (["Bob Li", "--names", "Sue Chen", "--on", "someday"], "--on: "),
        (["Bob Li", "--got", "many"], "Invalid value for '--got'"),
    ],
)
def test_ask_cli_errors_exit_2_with_one_line_and_write_nothing(seeded, dump, args, message):
    ok(seeded, "add", "Stop Me", "--first", "2026-11-01")
    ok(seeded, "touch", "Stop Me", "--on", "2026-11-01", "--outcome", "stop")
    before = dump()
    err = one_error_line(seeded("ask", *args))
    assert message in err, err
    assert dump() == before


@pytest.mark.backends("sqlite")  # help opens no database on any backend; the file shows it
def test_ask_has_help_with_an_example_in_the_referrals_panel(cli, db_path):
    run = ok(cli, "ask", "--help")
    assert "Usage: followup ask" in run.stdout
    examples = [line.strip() for line in run.stdout.splitlines() if line.strip().startswith("Example:")]
    assert examples and examples[0].startswith("Example: followup ask "), run.stdout
    root = ok(cli, "--help").stdout
    panel = root[root.index("Referrals") :]
    assert re.search(r"^│ ask +Log a referral ask and the names it yielded", panel, re.MULTILINE), root
    assert not db_path.exists()


def test_ask_help_imports_no_database_or_date_library(tmp_path):
    """As tests/test_startup.py does for the other commands: help stays fast."""
    probe = Path(__file__).parent / "assets" / "print_modules.py"
    env = {**os.environ, "FOLLOWUP_DB": str(tmp_path / "followup.db")}
    proc = subprocess.run(
        [sys.executable, str(probe), "ask", "--help"], capture_output=True, text=True, env=env, timeout=120
    )
    [run] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert run["exit"] == 0 and "Usage: followup ask" in proc.stderr
    assert {name.split(".")[0] for name in run["new"]} & {"sqlalchemy", "sqlmodel", "dateutil"} == set()
    assert not (tmp_path / "followup.db").exists()


# ---------------------------------------------------------------- nudges: the weekly habit


HABIT = "Referrals this week: {} of {}. Ask a happy customer: followup ask NAME"


@pytest.mark.parametrize(
    ("referred_on", "due_on", "shown"),
    [
        ("2026-11-02", "2026-11-02", False),  # Monday, the week's first day
        ("2026-11-02", "2026-11-08", False),  # still that week on Sunday
        ("2026-11-02", "2026-11-09", True),  # a new week: 0 so far
        ("2026-11-01", "2026-11-02", True),  # last Sunday belongs to last week
        ("2026-11-05", "2026-11-04", True),  # as of Wednesday, Thursday's referral has not happened
    ],
)
def test_weekly_habit_nudge_counts_the_monday_based_week_up_to_on(cli, referred_on, due_on, shown):
    ok(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--on", referred_on)
    assert (HABIT.format(0, 1) in nudges_in(cli, due_on)) is shown


def test_weekly_habit_counts_referrals_made_by_ask(cli):
    ok(cli, "add", "Bob Li")
    assert nudges_in(cli, "2026-11-04") == [HABIT.format(0, 1)]
    ok(cli, "ask", "Bob Li", "--names", "Sue Chen", "--on", "2026-11-03")
    assert nudges_in(cli, "2026-11-04") == []


def test_weekly_habit_is_not_shown_on_an_empty_database(cli):
    assert nudges_in(cli, "2026-11-04") == []


@pytest.mark.parametrize(("target", "referrals", "nudge"), [(0, 0, None), (2, 1, HABIT.format(1, 2)), (2, 2, None)])
def test_weekly_target_comes_from_the_settings_file(cli, tmp_path, target, referrals, nudge):
    (tmp_path / "config.toml").write_text(f"[referrals]\nweekly_target = {target}\n", encoding="utf-8")
    ok(cli, "add", "Bob Li")
    for n in range(referrals):
        ok(cli, "add-referral", f"Prospect {n}", "--from", "Bob Li", "--on", "2026-11-03")
    assert nudges_in(cli, "2026-11-04") == ([nudge] if nudge else [])


# ---------------------------------------------------------------- nudges: customers past their 2-4-8


def never_asked_line(cli, on: str) -> str | None:
    lines = [line for line in nudges_in(cli, on) if "past their 2-4-8" in line]
    assert len(lines) <= 1
    return lines[0] if lines else None


@pytest.mark.parametrize(
    ("on", "shown"),
    [
        ("2026-11-09", False),  # the day-8 visit is due today: not past yet
        ("2026-11-10", True),  # the day after
        ("2026-10-30", False),  # before the sale
    ],
)
def test_customer_past_the_day_8_step_and_never_asked_is_nudged(cli, on, shown):
    ok(cli, "add", "Bob Li")
    ok(cli, "sold", "Bob Li", "--on", "2026-11-01")
    expected = "1 customer past their 2-4-8 never asked for a referral: Bob Li." if shown else None
    assert never_asked_line(cli, on) == expected


def test_customer_whose_2_4_8_is_all_done_early_is_nudged(cli):
    ok(cli, "add", "Bob Li")
    ok(cli, "sold", "Bob Li", "--on", "2026-11-01")
    # the 2-4-8 steps (#1, #2, #3; due 11-03, 11-05, 11-09) done ahead of time
    for followup_id, day in (("1", "2026-11-03"), ("2", "2026-11-04"), ("3", "2026-11-05")):
        ok(cli, "done", followup_id, "--on", day)
    assert never_asked_line(cli, "2026-11-04") is None  # day 8 still open then
    assert never_asked_line(cli, "2026-11-05") == "1 customer past their 2-4-8 never asked for a referral: Bob Li."


@pytest.mark.parametrize(("asked_on", "shown"), [("2026-11-02", False), ("2026-11-12", False), ("2026-11-13", True)])
def test_an_ask_up_to_on_silences_the_never_asked_nudge(cli, asked_on, shown):
    ok(cli, "add", "Bob Li")
    ok(cli, "sold", "Bob Li", "--on", "2026-11-01")
    ok(cli, "ask", "Bob Li", "--got", "0", "--on", asked_on)  # an ask that got nothing still counts as asking
    assert (never_asked_line(cli, "2026-11-12") is not None) is shown


def test_never_asked_nudge_counts_all_and_names_three_latest_sales_first(cli):
    for n, sold_on in enumerate(["2026-10-01", "2026-10-05", "2026-10-03", "2026-10-02", "2026-10-04"], start=1):
        ok(cli, "add", f"Customer {n}")
        ok(cli, "sold", f"Customer {n}", "--on", sold_on)
    ok(cli, "add", "Stopped")
    ok(cli, "sold", "Stopped", "--on", "2026-10-01")
    ok(cli, "touch", "Stopped", "--on", "2026-10-02", "--outcome", "stop")  # cannot be asked: not counted
    ok(cli, "add", "Prospect")  # no sale: not counted
    assert (
        never_asked_line(cli, "2026-11-02")
        == "5 customers past their 2-4-8 never asked for a referral: Customer 2, Customer 5, Customer 3 and 2 more."
    )


# ---------------------------------------------------------------- nudges: turned down


def lose_after_decline(cli, name: str, *, declined_on: str, lost_on: str) -> None:
    ok(cli, "add", name, "--first", declined_on)
    ok(cli, "touch", name, "--on", declined_on, "--outcome", "declined")
    ok(cli, "lost", name, "--on", lost_on)


def declined_lines(cli, on: str) -> list[str]:
    return [line for line in nudges_in(cli, on) if "turned you down" in line]


TOM = "Tom Wu turned you down: ask who else needs what you sell (followup ask 'Tom Wu')"


@pytest.mark.parametrize(
    ("on", "shown"),
    [
        ("2026-11-02", True),  # the day of the loss
        ("2026-12-02", True),  # 30 days later
        ("2026-12-03", False),  # 31 days: too long ago
        ("2026-11-01", False),  # before the loss
    ],
)
def test_a_prospect_lost_after_declining_is_nudged_for_30_days(cli, on, shown):
    lose_after_decline(cli, "Tom Wu", declined_on="2026-10-30", lost_on="2026-11-02")
    assert declined_lines(cli, on) == ([TOM] if shown else [])


def test_lost_without_a_declined_last_touch_is_not_nudged(cli):
    ok(cli, "add", "Tom Wu", "--first", "2026-10-29")
    ok(cli, "touch", "Tom Wu", "--on", "2026-10-29", "--outcome", "declined")
    ok(cli, "touch", "Tom Wu", "--on", "2026-10-30", "--outcome", "no-answer")  # the last touch
    ok(cli, "lost", "Tom Wu", "--on", "2026-11-02")
    ok(cli, "add", "Ann Ma")
    ok(cli, "lost", "Ann Ma", "--on", "2026-11-02")  # no touch at all
    assert declined_lines(cli, "2026-11-03") == []


@pytest.mark.parametrize(("asked_on", "shown"), [("2026-10-29", True), ("2026-10-30", False), ("2026-11-03", False)])
def test_asking_since_the_declined_touch_silences_the_nudge(cli, asked_on, shown):
    lose_after_decline(cli, "Tom Wu", declined_on="2026-10-30", lost_on="2026-11-02")
    ok(cli, "ask", "Tom Wu", "--got", "0", "--on", asked_on)
    assert declined_lines(cli, "2026-11-04") == ([TOM] if shown else [])


def test_several_turned_down_are_one_line_latest_first(cli):
    lose_after_decline(cli, "Tom Wu", declined_on="2026-10-30", lost_on="2026-11-02")
    lose_after_decline(cli, "O'Neil", declined_on="2026-10-30", lost_on="2026-11-03")
    lose_after_decline(cli, "陈素", declined_on="2026-10-30", lost_on="2026-11-01")
    assert declined_lines(cli, "2026-11-04") == [
        "O'Neil turned you down: ask who else needs what you sell (followup ask \"O'Neil\"); so did Tom Wu, 陈素"
    ]


def test_asking_the_turned_down_prospect_records_declined_referrals(cli):
    lose_after_decline(cli, "Tom Wu", declined_on="2026-10-30", lost_on="2026-11-02")
    out = ok(cli, "ask", "Tom Wu", "--names", "Pat Ho", "--on", "2026-11-03").stdout
    assert "Pat Ho (#2, new) referred by Tom Wu on 2026-11-03, source declined." in out
    assert declined_lines(cli, "2026-11-04") == []


# ---------------------------------------------------------------- nudges: placement and JSON


@pytest.fixture
def all_three(cli):
    """On 2026-11-16 (a Monday): no referral this week, a customer past 2-4-8, a lost decliner."""
    ok(cli, "add", "Bob Li")
    ok(cli, "sold", "Bob Li", "--on", "2026-11-01")
    lose_after_decline(cli, "Tom Wu", declined_on="2026-11-10", lost_on="2026-11-12")
    return cli


def test_due_prints_the_three_nudges_after_the_footer(all_three):
    lines = due_lines(all_three, "2026-11-16")
    assert lines[-4:] == [
        "3 overdue, 0 due today, 0 with no next step.",  # Bob's 2-4-8, never done
        HABIT.format(0, 1),
        "1 customer past their 2-4-8 never asked for a referral: Bob Li.",
        TOM,
    ]


def test_due_json_keys_are_unchanged_by_nudges(all_three):
    report = ok(all_three, "due", "--on", "2026-11-16", "--days", "400", "--json").json()
    assert set(report) == DUE_KEYS
    assert "nudge" not in ok(all_three, "due", "--on", "2026-11-16", "--json").stdout.lower()


def test_nudges_go_when_their_reason_goes(all_three):
    ok(all_three, "ask", "Bob Li", "--names", "Sue Chen", "--on", "2026-11-16")
    ok(all_three, "ask", "Tom Wu", "--got", "0", "--on", "2026-11-16")
    assert nudges_in(all_three, "2026-11-16") == []


def test_due_report_carries_nudges_as_data_outside_the_json(session, settings):
    bob = customer(session, settings, sold_on=date(2026, 11, 1))
    report = due_report(reader=SessionReader(session), on=date(2026, 11, 16))
    assert report.nudges == [HABIT.format(0, 1), "1 customer past their 2-4-8 never asked for a referral: Bob Li."]
    assert set(report.as_json()) == DUE_KEYS
    ask(session, settings, bob, on=date(2026, 11, 16), names=["Sue Chen"])
    assert due_report(reader=SessionReader(session), on=date(2026, 11, 16)).nudges == []
    assert due_report(reader=SessionReader(session), on=date(2026, 11, 23), weekly_referral_target=0).nudges == []


# ---------------------------------------------------------------- settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_weekly_referral_target_defaults_to_one(tmp_path):
    assert Settings().weekly_referral_target == 1
    assert load_settings(write(tmp_path, "[cadence]\ncheckin_months = 6\n")).weekly_referral_target == 1


@pytest.mark.parametrize("target", [0, 1, 3])
def test_weekly_target_is_read_from_the_referrals_table(tmp_path, target):
    settings = load_settings(write(tmp_path, f"[cadence]\ncheckin_months = 6\n[referrals]\nweekly_target = {target}\n"))
    assert (settings.weekly_referral_target, settings.checkin_months) == (target, 6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[referrals]\nweekly_target = -1\n", "referrals.weekly_target must be a whole number of 0 or more"),
        ("[referrals]\nweekly_target = 1.5\n", "referrals.weekly_target must be a whole number of 0 or more"),
        ("[referrals]\nweekly_target = true\n", "referrals.weekly_target must be a whole number of 0 or more"),
        ('[referrals]\nweekly_target = "1"\n', "referrals.weekly_target must be a whole number of 0 or more"),
        ("[referrals]\nweekly = 1\n", "unknown setting referrals.weekly; known: weekly_target"),
        ("referrals = 1\n", "[referrals] must be a table"),
    ],
)
def test_bad_weekly_target_is_a_user_error_naming_the_file(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(UserError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_due_with_a_bad_weekly_target_exits_2(cli, tmp_path):
    (tmp_path / "config.toml").write_text("[referrals]\nweekly_target = -2\n", encoding="utf-8")
    err = one_error_line(cli("due", "--on", "2026-11-04"))
    assert "referrals.weekly_target" in err
