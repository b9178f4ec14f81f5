"""After the sale: the phases of a complex sale (`sold --complex`, `show`'s phase, `edit-sale
--complex/--simple`), the yearly visit (a check-in for a customer not visited for over a year,
never two), and `stats`' revenue from existing customers. On SQLite and PostgreSQL, explicit dates.
"""

from __future__ import annotations

import pytest
from helpers import ok

pytestmark = pytest.mark.backends("sqlite", "postgresql")

LEARNING = "learning phase: motivation drops, offer help"


@pytest.fixture
def run(cli):
    def go(*args: str, today: str):
        return ok(cli(*args, today=today))

    return go


def show(run, who: str, today: str) -> dict:
    return run("show", who, "--json", today=today).json()


def open_of(run, who: str, today: str, kind: str) -> list[dict]:
    return [f for f in show(run, who, today)["followups"] if f["kind"] == kind and f["status"] == "open"]


# ---------------------------------------------------------------- the phases of a complex sale


def test_sold_complex_adds_a_learning_phase_follow_up_on_day_28_and_keeps_2_4_8(run):
    run("add", "Sue", today="2026-10-01")
    run("add", "Tom", today="2026-10-01")

    out = run("sold", "Sue", "--complex", "--on", "2026-10-01", today="2026-10-01").stdout
    run("sold", "Tom", "--on", "2026-10-01", today="2026-10-01")

    assert LEARNING in out
    plans = {
        who: sorted((f["kind"], f["due"], f["action"]) for f in show(run, who, "2026-10-01")["followups"])
        for who in ("Sue", "Tom")
    }
    simple = [
        ("checkin", "2027-10-01", "visit"),
        ("post_sale_2", "2026-10-03", "call"),
        ("post_sale_4", "2026-10-05", "call"),
        ("post_sale_8", "2026-10-09", "visit"),
    ]
    assert plans["Tom"] == simple
    assert plans["Sue"] == sorted([*simple, ("learning_phase", "2026-10-29", "call")])
    (learning,) = open_of(run, "Sue", "2026-10-01", "learning_phase")
    assert learning["reason"] == LEARNING
    assert [s["complex"] for s in show(run, "Sue", "2026-10-01")["sales"]] == [True]
    assert [s["complex"] for s in show(run, "Tom", "2026-10-01")["sales"]] == [False]


@pytest.mark.parametrize(
    ("today", "phase"),
    [
        ("2026-10-01", "new_toy"),
        ("2026-10-21", "new_toy"),  # day 20
        ("2026-10-22", "learning"),  # day 21: week 3
        ("2026-11-11", "learning"),  # day 41
        ("2026-11-12", "effectiveness"),  # day 42: after week 6
    ],
)
def test_show_tells_the_phase_of_the_latest_complex_sale(run, today, phase):
    run("add", "Sue", today="2026-10-01")
    run("sold", "Sue", "--complex", "--on", "2026-10-01", today="2026-10-01")

    assert show(run, "Sue", today)["phase"] == phase
    assert f"after-sale phase: {phase.replace('_', ' ')}" in run("show", "Sue", today=today).stdout


def test_phase_is_null_without_a_complex_sale_and_follows_the_latest_complex_one(run):
    run("add", "Sue", today="2026-01-01")
    run("sold", "Sue", "--on", "2026-01-01", today="2026-01-01")
    assert show(run, "Sue", "2026-01-05")["phase"] is None
    assert "after-sale phase" not in run("show", "Sue", today="2026-01-05").stdout

    run("sold", "Sue", "--complex", "--on", "2026-03-01", today="2026-03-01")
    run("sold", "Sue", "--on", "2026-05-01", today="2026-05-01")  # a simple sale later changes nothing
    assert show(run, "Sue", "2026-05-02")["phase"] == "effectiveness"
    run("sold", "Sue", "--complex", "--on", "2026-05-10", today="2026-05-10")
    assert show(run, "Sue", "2026-05-12")["phase"] == "new_toy"
    assert len(open_of(run, "Sue", "2026-05-12", "learning_phase")) == 1  # the newer replaces the older


def test_edit_sale_simple_cancels_the_learning_phase_complex_brings_it_back_and_on_moves_it(run):
    run("add", "Sue", today="2026-10-01")
    run("sold", "Sue", "--on", "2026-10-01", today="2026-10-01")
    (sale,) = show(run, "Sue", "2026-10-02")["sales"]
    sid = str(sale["id"])

    assert "complex" in run("edit-sale", sid, "--complex", today="2026-10-02").stdout
    assert [f["due"] for f in open_of(run, "Sue", "2026-10-02", "learning_phase")] == ["2026-10-29"]

    out = run("edit-sale", sid, "--on", "2026-10-03", today="2026-10-04").stdout
    assert "2026-10-31: " + LEARNING in out
    assert [f["due"] for f in open_of(run, "Sue", "2026-10-04", "learning_phase")] == ["2026-10-31"]

    assert "cancelled" in run("edit-sale", sid, "--simple", today="2026-10-04").stdout
    assert open_of(run, "Sue", "2026-10-04", "learning_phase") == []
    assert show(run, "Sue", "2026-10-04")["phase"] is None

    run("edit-sale", sid, "--complex", today="2026-10-05")
    assert [f["due"] for f in open_of(run, "Sue", "2026-10-05", "learning_phase")] == ["2026-10-31"]
    assert "nothing to change" in run("edit-sale", sid, "--complex", today="2026-10-05").stdout


def test_a_complex_sale_recorded_after_its_learning_phase_schedules_none(run):
    run("add", "Sue", today="2026-10-01")

    run("sold", "Sue", "--complex", "--on", "2026-08-01", today="2026-10-01")

    assert open_of(run, "Sue", "2026-10-01", "learning_phase") == []
    assert show(run, "Sue", "2026-10-01")["phase"] == "effectiveness"


def test_rm_sale_cancels_the_learning_phase_and_ends_the_phase(run):
    run("add", "Sue", today="2026-10-01")
    run("sold", "Sue", "--complex", "--on", "2026-10-01", today="2026-10-01")
    (sale,) = show(run, "Sue", "2026-10-02")["sales"]

    run("rm-sale", str(sale["id"]), "--yes", today="2026-10-02")

    assert open_of(run, "Sue", "2026-10-02", "learning_phase") == []
    assert show(run, "Sue", "2026-10-02")["phase"] is None


# ---------------------------------------------------------------- the yearly visit


def visited_customer(run) -> None:
    """Sue bought on 2025-09-01, was visited on 2025-10-01, and her sale's check-in was skipped."""
    run("add", "Sue", today="2025-09-01")
    run("sold", "Sue", "--on", "2025-09-01", today="2025-09-01")
    run("touch", "Sue", "--via", "visit", "--on", "2025-10-01", today="2025-10-01")
    (checkin,) = open_of(run, "Sue", "2026-09-02", "checkin")
    out = run("skip", str(checkin["id"]), today="2026-09-02").stdout
    assert "yearly visit" not in out  # visited within the year: nothing to add
    assert open_of(run, "Sue", "2026-09-02", "checkin") == []


def test_due_schedules_the_yearly_visit_when_the_last_visit_is_over_a_year_old(run):
    visited_customer(run)

    on_the_year = run("due", "--json", today="2026-10-01").json()  # a visit exactly a year ago is not late
    assert open_of(run, "Sue", "2026-10-01", "checkin") == []
    assert not [i for i in on_the_year["due"] if i["kind"] == "checkin"]

    report = run("due", "--json", today="2026-10-02").json()

    (item,) = [i for i in report["due"] if i["kind"] == "checkin"]
    assert (item["due"], item["action"], item["reason"]) == (
        "2026-10-02",
        "visit",
        "yearly visit: last visited 2025-10-01",
    )


def test_two_due_runs_schedule_one_yearly_visit_never_two(run, cli, dump):
    visited_customer(run)
    run("due", today="2026-10-05")
    after_first = dump()

    run("due", today="2026-10-05")
    run("due", "--json", today="2026-10-06")

    assert dump() == after_first  # the second and third runs found nothing missing: nothing written
    assert len(open_of(run, "Sue", "2026-10-06", "checkin")) == 1
    assert ok(cli("check", "--json")).json()["problems"] == []


def test_concurrent_looking_runs_schedule_one_yearly_visit(run, db_url):
    """Two runs both read that the visit is missing before either writes: the second write
    transaction checks again and adds nothing."""
    from datetime import date

    from followup.complaints import top_up_yearly_visits, yearly_visits_missing
    from followup.config import Settings
    from followup.db import open_engine, session_scope

    visited_customer(run)
    today = date(2026, 10, 5)
    reader_a, reader_b = open_engine(db_url, write=False), open_engine(db_url, write=False)
    writer = open_engine(db_url, write=True)
    try:
        with session_scope(reader_a) as a, session_scope(reader_b) as b:
            assert yearly_visits_missing(session=a, today=today)
            assert yearly_visits_missing(session=b, today=today)
        made = []
        for _ in range(2):  # each as its own write transaction, as `due` runs them
            with session_scope(writer) as session:
                made.append(len(top_up_yearly_visits(session=session, today=today, settings=Settings())))
    finally:
        for engine in (reader_a, reader_b, writer):
            engine.dispose()

    assert made == [1, 0]
    assert len(open_of(run, "Sue", "2026-10-05", "checkin")) == 1


def test_a_customer_never_visited_gets_a_yearly_visit_a_year_after_the_first_sale(run):
    run("add", "Tom", today="2025-01-10")
    run("sold", "Tom", "--on", "2025-01-10", today="2025-01-10")
    (checkin,) = open_of(run, "Tom", "2025-01-10", "checkin")
    run("snooze", str(checkin["id"]), "2027-06-01", today="2025-01-10")  # an open check-in: nothing to add
    run("due", today="2026-03-01")
    assert len(open_of(run, "Tom", "2026-03-01", "checkin")) == 1

    out = run("skip", str(checkin["id"]), today="2026-03-02").stdout

    # a skipped yearly visit comes back 30 days later, not at once
    assert "yearly visit #" in out and "2026-04-01 visit: yearly visit: never visited since they bought" in out
    (again,) = open_of(run, "Tom", "2026-03-02", "checkin")
    assert again["due"] == "2026-04-01"


def test_touch_done_and_sold_top_up_the_yearly_visit_of_their_customer(run):
    visited_customer(run)

    out = run("touch", "Sue", "--via", "call", "--on", "2026-10-10", today="2026-10-10").stdout

    assert "yearly visit #" in out
    (checkin,) = open_of(run, "Sue", "2026-10-10", "checkin")
    run("done", str(checkin["id"]), today="2026-10-12")  # a visit: next year's comes with time
    assert open_of(run, "Sue", "2026-10-12", "checkin") == []
    out = run("sold", "Sue", "--on", "2027-11-01", today="2027-11-01").stdout  # over a year later
    assert "yearly visit #" not in out  # the sale schedules its own check-in
    assert [f["due"] for f in open_of(run, "Sue", "2027-11-01", "checkin")] == ["2028-11-01"]


def test_no_yearly_visit_for_prospects_lost_or_do_not_contact_customers(run, dump):
    run("add", "Pat", today="2024-01-01")
    run("touch", "Pat", "--via", "visit", "--on", "2024-01-02", today="2024-01-02")
    run("add", "Dan", today="2024-01-01")
    run("sold", "Dan", "--on", "2024-01-01", today="2024-01-01")
    run("touch", "Dan", "--outcome", "stop", "--on", "2024-01-03", today="2024-01-03")
    before = dump()

    run("due", today="2026-01-01")

    assert dump() == before


# ---------------------------------------------------------------- revenue from existing customers


def test_stats_splits_revenue_into_first_sales_and_sales_to_existing_customers(run):
    for who in ("Sue", "Tom", "Pat"):  # first seen on their first touch
        run("add", who, today="2026-01-01")
        run("touch", who, "--on", "2026-01-02", today="2026-01-02")
    run("sold", "Sue", "--amount", "100", "--on", "2026-01-10", today="2026-01-10")
    run("sold", "Tom", "--amount", "200", "--on", "2026-02-01", today="2026-02-01")
    run("sold", "Sue", "--amount", "50", "--on", "2026-03-01", today="2026-03-01")
    run("sold", "Tom", "--amount", "25", "--on", "2026-02-01", today="2026-02-01")  # the same day: a second sale
    run("lost", "Pat", "--on", "2026-02-01", today="2026-02-01")

    figures = run("stats", "--json", "--on", "2026-06-30", today="2026-06-30").json()

    existing = figures["revenue_existing"]
    assert (existing["first_sales"], existing["repeat_sales"]) == (300.0, 75.0)
    assert existing["share_existing"] == 0.2
    assert existing["benchmark"] == {"prospects": 0.06, "new_customers": 0.15, "repeat_customers": 0.5}
    revenue = figures["revenue"]
    assert existing["first_sales"] + existing["repeat_sales"] == revenue["referred"] + revenue["not_referred"]
    earlier = run("stats", "--json", "--on", "2026-01-31", today="2026-06-30").json()["revenue_existing"]
    assert (earlier["first_sales"], earlier["repeat_sales"], earlier["share_existing"]) == (100.0, 0.0, 0.0)
    panel = run("stats", "--on", "2026-06-30", today="2026-06-30").stdout
    assert "Revenue from existing customers" in panel and "50% with" in panel and "20%" in panel


def test_revenue_existing_is_null_share_without_sales(run):
    run("add", "Pat", today="2026-01-01")
    run("touch", "Pat", "--on", "2026-01-02", today="2026-01-02")
    run("lost", "Pat", "--on", "2026-02-01", today="2026-02-01")

    existing = run("stats", "--json", "--on", "2026-06-30", today="2026-06-30").json()["revenue_existing"]

    assert (existing["first_sales"], existing["repeat_sales"], existing["share_existing"]) == (0.0, 0.0, None)
