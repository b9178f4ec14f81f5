"""Corrections: changing or deleting one logged touch, sale or referral ask by its id, reopening
a lost prospect and lifting do-not-contact, and merging two records of one person.

Everything derived follows a correction: touch counts and stats are counted afresh, the
follow-up a deleted touch completed opens again, a deleted sale takes its follow-ups with it
and leaves the contact what the remaining sales make them. Every deletion asks first unless
--yes; a "no" or a refusal leaves the database exactly as it was. Each test runs on SQLite and
on PostgreSQL, with explicit dates.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers import ok, refused

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-20"


@pytest.fixture
def run(cli):
    """`run("touch", "Sue", ...)`: followup on the test's database on TODAY; it must succeed."""

    def go(*args: str, today: str = TODAY, input: str | None = None):
        return ok(cli(*args, today=today, input=input))

    return go


def show(run, who: str) -> dict:
    return run("show", who, "--json").json()


def touch_ids(run, who: str) -> list[int]:
    return [t["id"] for t in show(run, who)["touches"]]


def open_followups(run, who: str) -> list[tuple[str, str, str]]:
    return [(f["kind"], f["due"], f["reason"]) for f in show(run, who)["followups"] if f["status"] == "open"]


def followup(run, who: str, reason: str) -> dict:
    (found,) = [f for f in show(run, who)["followups"] if f["reason"] == reason]
    return found


def stats(run, on: str = TODAY) -> dict:
    return run("stats", "--json", "--on", on).json()


def bucket(figures: dict, name: str) -> tuple[int, int]:
    (row,) = [b for b in figures["by_touches"] if b["bucket"] == name]
    return row["decided"], row["won"]


def contact_row(run, name: str) -> dict:
    (row,) = [r for r in run("list", "--json").json() if r["name"] == name]
    return row


def no_problems(run) -> None:
    assert run("check", "--json").json()["problems"] == []


def reason_of(n: int, *, referred: bool = False) -> str:
    return f"{'referral touch' if referred else 'touch'} {n} of 12"


# ---------------------------------------------------------------- show gives the ids


def test_show_gives_the_ids_of_touches_sales_and_asks(run, dump):
    run("add", "Bob Li")
    run("touch", "Bob Li", "--on", "2026-11-02")
    run("sold", "Bob Li", "--product", "Model X", "--amount", "1200", "--on", "2026-11-03")
    run("ask", "Bob Li", "--got", "2", "--on", "2026-11-04")
    rows = {table: rows for table, (_, _, rows) in dump().items()}
    detail = show(run, "Bob Li")

    assert [t["id"] for t in detail["touches"]] == [rows["touch"][0][0]]
    assert [s["id"] for s in detail["sales"]] == [rows["sale"][0][0]]
    assert [a["id"] for a in detail["asks"]] == [rows["referral_ask"][0][0]]
    table = run("show", "Bob Li").stdout
    touch, sale, ask = detail["touches"][0]["id"], detail["sales"][0]["id"], detail["asks"][0]["id"]
    assert f"touch #{touch} (1st): call" in table
    assert f"sale #{sale}: Model X (1,200.00)" in table
    assert f"ask #{ask} for referrals: 2 names" in table


def test_an_id_is_accepted_as_12_or_hash_12(run):
    run("add", "Sue", "--first", "2026-11-02")
    run("touch", "Sue", "--on", "2026-11-02")
    (tid,) = touch_ids(run, "Sue")
    run("edit-touch", str(tid), "--note", "first")
    run("edit-touch", f"#{tid}", "--goal", "a demo")
    (touch,) = show(run, "Sue")["touches"]
    assert (touch["note"], touch["goal"]) == ("first", "a demo")


# ---------------------------------------------------------------- edit-touch


def test_moving_a_touch_resorts_the_history_and_the_count_at_a_loss_follows(run):
    run("add", "Ann", "--first", "2026-11-02")
    for day in ("2026-11-02", "2026-11-04", "2026-11-06"):
        run("touch", "Ann", "--on", day)
    run("lost", "Ann", "--on", "2026-11-07")
    first, second, third = touch_ids(run, "Ann")
    assert bucket(stats(run), "3") == (1, 0)

    out = run("edit-touch", str(first), "--on", "2026-11-08").stdout

    assert f"Updated touch #{first} with" in out and "it is touch 3 of 3" in out
    assert [(t["n"], t["id"], t["date"]) for t in show(run, "Ann")["touches"]] == [
        (1, second, "2026-11-04"),
        (2, third, "2026-11-06"),
        (3, first, "2026-11-08"),
    ]
    assert contact_row(run, "Ann")["last_touch"] == "2026-11-08"
    assert followup(run, "Ann", reason_of(1))["closed_on"] == "2026-11-08"  # done when the touch was
    figures = stats(run)
    assert (bucket(figures, "3"), bucket(figures, "2")) == ((0, 0), (1, 0))  # two touches by the loss now


def test_moving_the_last_touch_moves_the_cadence_touch_it_scheduled(run):
    run("add", "Sue", "--first", "2026-11-02")
    run("touch", "Sue", "--on", "2026-11-02")
    (tid,) = touch_ids(run, "Sue")
    assert open_followups(run, "Sue") == [("touch", "2026-11-03", reason_of(2))]

    out = run("edit-touch", str(tid), "--on", "2026-11-04").stdout

    assert "moved" in out and "2026-11-05" in out
    assert open_followups(run, "Sue") == [("touch", "2026-11-05", reason_of(2))]  # one day after, as before


def test_moving_a_touch_keeps_the_date_the_prospect_asked_for(run):
    run("add", "Sue", "--first", "2026-11-02")
    run("touch", "Sue", "--on", "2026-11-02", "--next", "2026-11-30")
    (tid,) = touch_ids(run, "Sue")
    run("edit-touch", str(tid), "--on", "2026-11-04")
    assert open_followups(run, "Sue") == [("touch", "2026-11-30", reason_of(2) + ", the date they asked for")]


def test_edit_touch_changes_and_clears_its_fields(run):
    run("add", "Sue")
    run(
        "touch", "Sue", "--on", "2026-11-02", "--via", "call", "--outcome", "reached", "--goal", "a demo",
        "--note", "busy",
    )  # fmt: skip
    (tid,) = touch_ids(run, "Sue")

    run(
        "edit-touch", str(tid), "--on", "2026-11-03 15:30", "--via", "visit", "--outcome", "none", "--goal", "",
        "--note", "met the boss",
    )  # fmt: skip
    (touch,) = show(run, "Sue")["touches"]
    assert (touch["date"], touch["time"], touch["via"], touch["outcome"], touch["goal"], touch["note"]) == (
        "2026-11-03", "15:30", "visit", None, None, "met the boss",
    )  # fmt: skip

    run("edit-touch", str(tid), "--on", "2026-11-03", "--outcome", "meeting-set")
    (touch,) = show(run, "Sue")["touches"]
    assert (touch["time"], touch["outcome"]) == (None, "meeting-set")  # a date alone: no time
    assert "nothing to change" in run("edit-touch", str(tid), "--via", "visit").stdout


def test_changing_an_outcome_to_stop_marks_do_not_contact_and_cancels_what_is_open(run):
    run("add", "Sue", "--first", "2026-11-02")
    run("touch", "Sue", "--on", "2026-11-02")
    (tid,) = touch_ids(run, "Sue")

    result = run("edit-touch", str(tid), "--outcome", "stop")

    assert "asked to stop" in result.stderr
    assert show(run, "Sue")["contact"]["do_not_contact"] is True
    assert open_followups(run, "Sue") == []
    assert all(i["contact"] != "Sue" for i in run("due", "--json", "--days", "30").json()["due"])


# ---------------------------------------------------------------- rm-touch


def test_deleting_a_touch_reopens_what_it_completed_and_cancels_the_touch_it_scheduled(run):
    run("add", "Sue", "--first", "2026-11-02")
    run("touch", "Sue", "--on", "2026-11-02")
    run("touch", "Sue", "--on", "2026-11-03")  # completes touch 2, schedules touch 3 for 11-05
    first, second = touch_ids(run, "Sue")
    assert open_followups(run, "Sue") == [("touch", "2026-11-05", reason_of(3))]

    out = run("rm-touch", str(second), "--yes", today="2026-11-04").stdout

    assert f"Deleted touch #{second}" in out and "1 touch now" in out
    assert touch_ids(run, "Sue") == [first]
    reopened = followup(run, "Sue", reason_of(2))
    assert (reopened["status"], reopened["closed_on"]) == ("open", None)
    assert followup(run, "Sue", reason_of(3))["status"] == "cancelled"
    assert open_followups(run, "Sue") == [("touch", "2026-11-03", reason_of(2))]  # exactly one next step
    assert contact_row(run, "Sue")["touches"] == 1
    no_problems(run)


def test_deleting_an_earlier_touch_makes_the_reopened_touch_the_only_next_step(run):
    run("add", "Sue", "--first", "2026-11-02")
    for day in ("2026-11-02", "2026-11-03", "2026-11-05"):
        run("touch", "Sue", "--on", day)
    first, *_ = touch_ids(run, "Sue")

    run("rm-touch", str(first), "--yes", today="2026-11-06")

    # the first cadence touch is open again, numbered after the two touches left
    assert open_followups(run, "Sue") == [("touch", "2026-11-02", reason_of(3))]
    assert followup(run, "Sue", reason_of(4))["status"] == "cancelled"
    no_problems(run)


def test_deleting_a_touch_logged_twice_puts_the_cadence_back_after_the_last_touch(run):
    run("add", "Sue", "--first", "2026-11-02")
    run("touch", "Sue", "--on", "2026-11-02")
    run("touch", "Sue", "--on", "2026-11-02")  # the same call again: touch 3 now due 11-04
    _, twice = touch_ids(run, "Sue")
    assert open_followups(run, "Sue") == [("touch", "2026-11-04", reason_of(3))]

    out = run("rm-touch", str(twice), "--yes", today="2026-11-03").stdout

    assert open_followups(run, "Sue") == [("touch", "2026-11-03", reason_of(2))]
    assert "next #" in out
    no_problems(run)


def test_deleting_a_customers_touch_reopens_the_2_4_8_step_it_completed(run):
    run("add", "Tom")
    run("sold", "Tom", "--on", "2026-11-01")
    run("touch", "Tom", "--on", "2026-11-03")
    (tid,) = touch_ids(run, "Tom")
    assert [k for k, _, _ in open_followups(run, "Tom")] == ["post_sale_4", "post_sale_8", "checkin"]

    run("rm-touch", str(tid), "--yes")

    assert [(k, d) for k, d, _ in open_followups(run, "Tom")] == [
        ("post_sale_2", "2026-11-03"),
        ("post_sale_4", "2026-11-05"),
        ("post_sale_8", "2026-11-09"),
        ("checkin", "2027-11-01"),
    ]


def test_deleting_a_touch_from_before_the_sale_does_not_restart_the_prospect_cadence(run):
    run("add", "Tom", "--first", "2026-11-01")
    run("touch", "Tom", "--on", "2026-11-01")  # completes touch 1 of the cadence
    run("sold", "Tom", "--on", "2026-11-05")
    (tid,) = touch_ids(run, "Tom")

    result = run("rm-touch", str(tid), "--yes")

    assert "a sale ends the prospect cadence" in result.stderr
    assert followup(run, "Tom", reason_of(1))["status"] == "cancelled"
    assert [k for k, _, _ in open_followups(run, "Tom")] == ["post_sale_2", "post_sale_4", "post_sale_8", "checkin"]
    no_problems(run)


def test_deleting_an_earlier_touch_renumbers_the_open_cadence_touch(run):
    run("add", "Dee")
    run("touch", "Dee", "--on", "2026-11-02")
    run("touch", "Dee", "--on", "2026-11-03", "--next", "2026-11-25")
    first, _ = touch_ids(run, "Dee")
    assert open_followups(run, "Dee") == [("touch", "2026-11-25", reason_of(3) + ", the date they asked for")]

    run("rm-touch", str(first), "--yes")

    assert open_followups(run, "Dee") == [("touch", "2026-11-25", reason_of(2) + ", the date they asked for")]


def test_a_2_4_8_step_of_a_deleted_sale_does_not_reopen(run):
    run("add", "Tom")
    run("sold", "Tom", "--on", "2026-11-01")
    run("touch", "Tom", "--on", "2026-11-03")  # completes the day 2 step
    (sale,) = show(run, "Tom")["sales"]
    (tid,) = touch_ids(run, "Tom")
    run("rm-sale", str(sale["id"]), "--yes")
    assert open_followups(run, "Tom") == [("touch", "2026-11-04", reason_of(2))]  # a prospect again

    result = run("rm-touch", str(tid), "--yes")

    assert "no longer has the sale it was for" in result.stderr
    assert open_followups(run, "Tom") == [("touch", TODAY, reason_of(1))]  # no touch left: the first, today
    no_problems(run)


def test_deleting_a_stop_touch_keeps_do_not_contact_and_says_how_to_lift_it(run):
    run("add", "Dan", "--first", "2026-11-02")
    run("touch", "Dan", "--on", "2026-11-02", "--outcome", "stop")
    (tid,) = touch_ids(run, "Dan")
    dan = show(run, "Dan")["contact"]["id"]

    result = run("rm-touch", str(tid), "--yes")

    assert f"followup edit {dan} --allow-contact" in result.stderr
    assert show(run, "Dan")["contact"]["do_not_contact"] is True
    assert open_followups(run, "Dan") == []  # nothing reopens on someone who asked to stop
    no_problems(run)


def test_deleting_a_touch_changes_the_stats(run):
    run("add", "Ann", "--first", "2026-11-02")
    for day in ("2026-11-02", "2026-11-03", "2026-11-05", "2026-11-08"):
        run("touch", "Ann", "--on", day)
    run("lost", "Ann", "--on", "2026-11-10")
    before = stats(run)
    assert (bucket(before, "4"), bucket(before, "3"), before["gave_up_at_3_or_fewer"]) == ((1, 0), (0, 0), 0)

    last = touch_ids(run, "Ann")[-1]
    result = run("rm-touch", str(last), "--yes")

    after = stats(run)
    assert (bucket(after, "4"), bucket(after, "3"), after["gave_up_at_3_or_fewer"]) == ((0, 0), (1, 0), 1)
    assert "not reopened" in result.stderr  # a lost prospect's cadence stays closed
    no_problems(run)


def test_rm_touch_asks_and_no_changes_nothing(cli, run, dump):
    run("add", "Sue", "--first", "2026-11-02")
    run("touch", "Sue", "--on", "2026-11-02")
    (tid,) = touch_ids(run, "Sue")
    before = dump()

    result = run("rm-touch", str(tid), input="n\n")

    assert f"Delete touch #{tid} with" in result.stderr and "opens again" in result.stderr
    assert "nothing deleted" in result.stdout
    assert dump() == before


def test_rm_touch_asks_and_yes_deletes(run):
    run("add", "Sue")
    run("touch", "Sue", "--on", "2026-11-02")
    (tid,) = touch_ids(run, "Sue")
    run("rm-touch", f"#{tid}", input="y\n")
    assert touch_ids(run, "Sue") == []


# ---------------------------------------------------------------- edit-sale and rm-sale


def test_moving_a_sale_moves_its_open_followups_only(run):
    run("add-referral", "Tom", "--from", "Bob Li", "--on", "2026-10-20")
    run("sold", "Tom", "--on", "2026-11-01")
    run("touch", "Tom", "--on", "2026-11-03")  # the 2-4-8 day 2 step is done
    (sale,) = show(run, "Tom")["sales"]

    run("edit-sale", str(sale["id"]), "--on", "2026-11-02")

    assert show(run, "Tom")["sales"][0]["date"] == "2026-11-02"
    assert [(k, d) for k, d, _ in open_followups(run, "Tom")] == [
        ("post_sale_4", "2026-11-06"),
        ("post_sale_8", "2026-11-10"),
        ("checkin", "2027-11-02"),
    ]
    assert (
        followup(run, "Tom", "2-4-8 day 2: check they have started using it, and use it right")["due"] == "2026-11-03"
    )
    assert open_followups(run, "Bob Li") == [("thank_referrer", "2026-11-02", "thank Bob Li: Tom bought")]


def test_editing_a_sale_amount_and_product_changes_the_revenue(run):
    run("add", "Tom")
    run("touch", "Tom", "--on", "2026-11-01")  # first seen that day (else: the day it was added)
    run("sold", "Tom", "--on", "2026-11-01", "--product", "Model X", "--amount", "100")
    (sale,) = show(run, "Tom")["sales"]
    assert stats(run)["revenue"]["not_referred"] == 100

    run("edit-sale", str(sale["id"]), "--amount", "1,250.50", "--product", "Model Y")
    assert [(s["product"], s["amount"]) for s in show(run, "Tom")["sales"]] == [("Model Y", 1250.5)]
    assert stats(run)["revenue"]["not_referred"] == 1250.5

    run("edit-sale", str(sale["id"]), "--amount", "none", "--product", "")
    assert [(s["product"], s["amount"]) for s in show(run, "Tom")["sales"]] == [(None, None)]
    assert stats(run)["revenue"]["not_referred"] == 0


def test_deleting_the_only_sale_turns_the_customer_back_into_a_prospect(run):
    run("add-referral", "Tom", "--from", "Bob Li", "--source", "vendor", "--on", "2026-11-01")
    run("touch", "Tom", "--on", "2026-11-01")
    run("touch", "Tom", "--on", "2026-11-02")
    run("sold", "Tom", "--on", "2026-11-05", "--amount", "100")
    (sale,) = show(run, "Tom")["sales"]
    before = stats(run)
    assert (before["referred"]["decided"], before["referred"]["won"], before["revenue"]["referred"]) == (1, 1, 100)

    out = run("rm-sale", str(sale["id"]), "--yes").stdout

    assert "is a prospect" in out
    assert contact_row(run, "Tom")["status"] == "prospect"
    # the 2-4-8 steps, check-in and thank-you are cancelled; the cadence resumes after touch 2
    assert open_followups(run, "Tom") == [("touch", "2026-11-04", reason_of(3, referred=True))]
    cancelled = {f["kind"] for f in show(run, "Tom")["followups"] if f["status"] == "cancelled"}
    assert {"post_sale_2", "post_sale_4", "post_sale_8", "checkin"} <= cancelled
    # the referrer's coach task, made moot by the sale, is back; the thank-you is gone
    assert [k for k, _, _ in open_followups(run, "Bob Li")] == ["coach"]
    after = stats(run)
    assert (after["referred"]["decided"], after["referred"]["won"], after["revenue"]["referred"]) == (0, 0, 0)
    no_problems(run)


def test_deleting_a_later_sale_makes_a_repeat_customer_a_customer_with_the_first_sales_followups(run):
    run("add", "Tom")
    run("sold", "Tom", "--on", "2026-11-01")
    run("sold", "Tom", "--on", "2026-11-20")
    first, second = show(run, "Tom")["sales"]
    assert contact_row(run, "Tom")["status"] == "repeat"

    run("rm-sale", str(second["id"]), "--yes", today="2026-11-21")

    assert contact_row(run, "Tom")["status"] == "customer"
    assert [s["id"] for s in show(run, "Tom")["sales"]] == [first["id"]]
    assert [(k, d) for k, d, _ in open_followups(run, "Tom")] == [
        ("post_sale_2", "2026-11-03"),
        ("post_sale_4", "2026-11-05"),
        ("post_sale_8", "2026-11-09"),
        ("checkin", "2027-11-01"),
    ]
    no_problems(run)


def test_deleting_the_first_sale_passes_the_thank_you_to_the_next_sale(run):
    run("add-referral", "Tom", "--from", "Bob Li", "--on", "2026-10-20")
    run("sold", "Tom", "--on", "2026-11-01")
    run("sold", "Tom", "--on", "2026-11-10")
    first, _ = show(run, "Tom")["sales"]

    run("rm-sale", str(first["id"]), "--yes")

    assert contact_row(run, "Tom")["status"] == "customer"
    assert open_followups(run, "Bob Li") == [("thank_referrer", "2026-11-10", "thank Bob Li: Tom bought")]


def test_deleting_the_sale_of_a_prospect_closed_as_lost_before_leaves_them_lost(run):
    run("add", "Ann")
    run("touch", "Ann", "--on", "2026-11-01")
    run("lost", "Ann", "--on", "2026-11-02")
    run("sold", "Ann", "--on", "2026-11-05")
    (sale,) = show(run, "Ann")["sales"]

    run("rm-sale", str(sale["id"]), "--yes")

    assert contact_row(run, "Ann")["status"] == "lost"
    assert open_followups(run, "Ann") == []
    no_problems(run)


def test_rm_sale_asks_and_no_changes_nothing(run, dump):
    run("add", "Tom")
    run("sold", "Tom", "--on", "2026-11-01", "--amount", "100")
    (sale,) = show(run, "Tom")["sales"]
    before = dump()

    result = run("rm-sale", str(sale["id"]), input="n\n")

    assert f"Delete sale #{sale['id']} to" in result.stderr and "100.00" in result.stderr
    assert "nothing deleted" in result.stdout
    assert dump() == before


# ---------------------------------------------------------------- edit-ask and rm-ask


@pytest.fixture
def asked(run) -> int:
    """Bob Li bought on 11-01 and was asked once on 11-02, naming Ann and Cy; the ask's id."""
    run("add", "Bob Li")
    run("touch", "Bob Li", "--on", "2026-11-01")  # first seen that day (else: the day it was added)
    run("sold", "Bob Li", "--on", "2026-11-01")
    run("ask", "Bob Li", "--names", "Ann, Cy", "--on", "2026-11-02")
    (ask,) = show(run, "Bob Li")["asks"]
    return ask["id"]


def ask_figures(run) -> tuple:
    figures = stats(run)
    (once,) = [a for a in figures["asks"] if a["times_asked"] == "1"]
    return once["customers"], once["avg_names"], figures["never_asked"]["count"]


def test_editing_an_ask_updates_the_ask_figures(run, asked):
    assert ask_figures(run) == (1, 2.0, 0)

    run("edit-ask", str(asked), "--got", "5", "--on", "2026-11-03")

    (ask,) = show(run, "Bob Li")["asks"]
    assert (ask["got"], ask["date"]) == (5, "2026-11-03")
    assert ask_figures(run) == (1, 5.0, 0)


def test_an_ask_cannot_yield_fewer_names_than_it_named(cli, asked, dump):
    before = dump()
    refused(cli("edit-ask", str(asked), "--got", "1", today=TODAY), "--got 1", "2 names", "Ann, Cy")
    assert dump() == before


def test_deleting_an_ask_updates_the_ask_figures_and_keeps_the_people_it_named(run, asked):
    result = run("rm-ask", str(asked), "--yes")

    assert "asked for referrals 0 times" in result.stdout
    assert ask_figures(run) == (0, None, 1)
    assert {r["name"]: r["referrer"] for r in run("list", "--json").json()} == {
        "Bob Li": None,
        "Ann": "Bob Li",
        "Cy": "Bob Li",
    }


def test_rm_ask_asks_and_no_changes_nothing(run, asked, dump):
    before = dump()
    result = run("rm-ask", str(asked), input="n\n")
    assert "stay referred by Bob Li" in result.stderr and "nothing deleted" in result.stdout
    assert dump() == before


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["edit-touch", "999", "--note", "x"], ["no touch #999", "followup show"]),
        (["rm-touch", "#999", "--yes"], ["no touch #999"]),
        (["rm-touch", "#999"], ["no touch #999"]),  # before asking anything
        (["edit-sale", "999", "--amount", "5"], ["no sale #999"]),
        (["rm-sale", "999", "--yes"], ["no sale #999"]),
        (["edit-ask", "999", "--got", "1"], ["no ask #999"]),
        (["rm-ask", "999"], ["no ask #999"]),
        (["rm-touch", "twelve"], ["'twelve' is not a touch id", "#12"]),
        (["edit-sale", "{sale}", "--amount", "lots"], ["--amount", "lots"]),
        (["edit-sale", "{sale}", "--on", "2026-11-03 10:00"], ["--on", "time of day"]),
        (["edit-touch", "{touch}", "--on", "fribay"], ["--on", "fribay"]),
        (["edit-touch", "{touch}", "--outcome", "maybe"], ["--outcome", "maybe"]),
        (["edit-ask", "{ask}", "--got", "-1"], ["--got"]),
        (["merge", "Sue", "#{sue}"], ["named twice"]),
        (["merge", "Sue", "Nobody", "--yes"], ["Nobody"]),
    ],
)
def test_a_refused_correction_is_one_line_and_changes_nothing(cli, run, dump, args, words):
    run("add", "Sue", "--first", "2026-11-02")
    run("touch", "Sue", "--on", "2026-11-02")
    run("sold", "Sue", "--on", "2026-11-03")
    run("ask", "Sue", "--got", "0", "--on", "2026-11-04")
    detail = show(run, "Sue")
    ids = {
        "sue": detail["contact"]["id"],
        "touch": detail["touches"][0]["id"],
        "sale": detail["sales"][0]["id"],
        "ask": detail["asks"][0]["id"],
    }
    before = dump()
    refused(cli(*[a.format(**ids) for a in args], today=TODAY, input="y\n"), *words)
    assert dump() == before


# ---------------------------------------------------------------- reopen and lift


def test_a_reopened_lost_prospect_restarts_the_cadence_at_its_count(run):
    run("add", "Ann", "--first", "2026-11-01")
    for day in ("2026-11-01", "2026-11-02", "2026-11-04", "2026-11-07"):
        run("touch", "Ann", "--on", day)
    run("lost", "Ann", "--on", "2026-11-08")
    assert open_followups(run, "Ann") == []

    run("edit", "Ann", "--status", "prospect")
    assert contact_row(run, "Ann")["status"] == "prospect"
    assert show(run, "Ann")["contact"]["lost_on"] is None
    out = run("touch", "Ann", "--on", "2026-11-12").stdout

    assert "Logged touch 5 with" in out
    assert open_followups(run, "Ann") == [("touch", "2026-11-17", reason_of(6))]  # the gap after touch 5: 5 days


def test_allow_contact_lifts_do_not_contact(run):
    run("add", "Dan", "--first", "2026-11-02")
    run("touch", "Dan", "--on", "2026-11-02", "--outcome", "stop")
    assert show(run, "Dan")["contact"]["do_not_contact"] is True

    run("edit", "Dan", "--allow-contact")
    assert show(run, "Dan")["contact"]["do_not_contact"] is False
    run("touch", "Dan", "--on", "2026-11-05")

    assert open_followups(run, "Dan") == [("touch", "2026-11-07", reason_of(3))]
    assert [i["contact"] for i in run("due", "--json", "--on", "2026-11-07").json()["due"]] == ["Dan"]


# ---------------------------------------------------------------- merge


def without_ids(value):
    """`value` with every id left out (they differ between two databases of one story)."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k not in ("id", "contact_id", "referrer_id")}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def picture(go) -> dict:
    """What the user sees of Sue Chen and the rest, ids left out; `go(*args)` is a command's JSON."""
    sue = go("show", "Sue Chen", "--json")
    return without_ids(
        {
            "list": go("list", "--json"),
            "stats": go("stats", "--json"),
            "due": go("due", "--json", "--days", "400"),
            "touches": [{k: t[k] for k in ("n", "date", "via")} for t in sue["touches"]],
            "sales": sue["sales"],
            "asks": sue["asks"],
            "referred_by": sue["referred_by"],
            "phones": sue["contact"]["phones"],
            "tags": sue["contact"]["tags"],
            "open": [f for f in sue["followups"] if f["status"] == "open"],
        }
    )


def test_merged_records_are_as_if_one_person_from_the_start(cli, empty_db):
    def run(*args, today="2026-11-01", db=None):
        return ok(cli(*args, today=today, env={"FOLLOWUP_DB": db} if db else None))

    # two records of Sue: referred and touched three times as "Sue Chen"; touched twice and sold to as "Sue C"
    run("add-referral", "Sue Chen", "--from", "Bob Li", "--source", "vendor", "--on", "2026-10-01")
    for day in ("2026-10-01", "2026-10-03", "2026-10-06"):
        run("touch", "Sue Chen", "--on", day)
    run("add", "Sue C", "--phone", "138 0000 0000", "--tag", "vip")
    for day in ("2026-10-10", "2026-10-15"):
        run("touch", "Sue C", "--on", day)
    run("sold", "Sue C", "--on", "2026-10-20", "--amount", "5000")
    run("ask", "Sue Chen", "--got", "2", "--on", "2026-10-25")
    merged = run("merge", "Sue Chen", "Sue C", "--yes").stdout
    assert "(customer, 5 touches)" in merged

    # the same story, one record from the start
    one = empty_db
    run("add-referral", "Sue Chen", "--from", "Bob Li", "--source", "vendor", "--on", "2026-10-01",
        "--phone", "138 0000 0000", db=one)  # fmt: skip
    run("edit", "Sue Chen", "--tag", "vip", db=one)
    for day in ("2026-10-01", "2026-10-03", "2026-10-06", "2026-10-10", "2026-10-15"):
        run("touch", "Sue Chen", "--on", day, db=one)
    run("sold", "Sue Chen", "--on", "2026-10-20", "--amount", "5000", db=one)
    run("ask", "Sue Chen", "--got", "2", "--on", "2026-10-25", db=one)

    as_merged = picture(lambda *args: run(*args).json())
    as_one = picture(lambda *args: run(*args, db=one).json())
    assert as_merged["stats"] == as_one["stats"]
    assert as_merged["list"] == as_one["list"]
    assert as_merged == as_one
    assert [(r["name"], r["touches"]) for r in as_merged["list"]] == [("Bob Li", 0), ("Sue Chen", 5)]
    assert (as_merged["stats"]["won"], as_merged["stats"]["referred"]["won"]) == (1, 1)


@pytest.mark.parametrize("earlier", ["keep", "other"])
def test_merge_moves_referrals_both_ways_and_keeps_the_earlier_referral(run, earlier):
    keep_day, other_day = ("2026-10-01", "2026-10-05") if earlier == "keep" else ("2026-10-05", "2026-10-01")
    run("add-referral", "Sue Chen", "--from", "Bob Li", "--on", keep_day)
    run("add-referral", "Sue C", "--from", "Carol", "--on", other_day)
    run("add-referral", "Ann", "--from", "Sue C", "--on", "2026-10-10")  # Sue C referred Ann
    sue = show(run, "Sue Chen")["contact"]["id"]

    result = run("merge", "Sue Chen", "Sue C", "--yes")

    kept, dropped = ("Bob Li", "Carol") if earlier == "keep" else ("Carol", "Bob Li")
    assert "kept the earlier referral, by " + kept in result.stderr
    referral = show(run, "Sue Chen")["referred_by"]
    assert (referral["referrer"], referral["date"]) == (kept, "2026-10-01")
    ann = show(run, "Ann")["referred_by"]
    assert (ann["referrer"], ann["referrer_id"]) == ("Sue Chen", sue)
    assert [r["name"] for r in show(run, "Sue Chen")["referred"]] == ["Ann"]
    # the coach task of the dropped referral is cancelled; the kept one's is on Sue Chen now
    assert open_followups(run, dropped) == []
    assert [k for k, _, _ in open_followups(run, kept)] == ["coach"]
    # her one cadence touch (the earlier), and the coach task on Ann's referral
    assert [(k, d) for k, d, _ in open_followups(run, "Sue Chen")] == [("touch", "2026-10-01"), ("coach", "2026-10-10")]
    assert "Sue C" not in [r["name"] for r in run("list", "--json").json()]
    no_problems(run)


def test_merge_unites_phones_and_emails_without_duplicates(run):
    run("add", "Sue Chen", "--phone", "mobile: 138 0000 0000", "--email", "sue@acme.com")
    run(
        "add", "Sue C", "--phone", "138-0000-0000", "--phone", "work: 010 1234 5678", "--email", "SUE@acme.com",
        "--email", "sue@home.cn",
    )  # fmt: skip

    result = run("merge", "Sue Chen", "Sue C", "--yes")

    contact = show(run, "Sue Chen")["contact"]
    assert contact["phones"] == [
        {"value": "138 0000 0000", "label": "mobile"},
        {"value": "010 1234 5678", "label": "work"},
    ]
    assert [e["value"] for e in contact["emails"]] == ["sue@acme.com", "sue@home.cn"]
    assert (contact["phone"], contact["email"]) == ("138 0000 0000", "sue@acme.com")
    assert "2 phone(s) or e-mail(s) of Sue C were already Sue Chen's" in result.stderr


STATUS_SETUP = {
    "prospect": [],
    "customer": [["sold", "{name}", "--on", "2026-11-0{n}"]],
    "repeat": [["sold", "{name}", "--on", "2026-11-0{n}"], ["sold", "{name}", "--on", "2026-11-1{n}"]],
    "lost": [["lost", "{name}", "--on", "2026-11-0{n}"]],
}


@pytest.mark.parametrize(
    ("keep", "other", "merged"),
    [
        ("prospect", "customer", "customer"),
        ("customer", "prospect", "customer"),
        ("lost", "prospect", "prospect"),
        ("prospect", "lost", "prospect"),
        ("customer", "customer", "repeat"),  # two sales together
        ("repeat", "lost", "repeat"),
        ("lost", "lost", "lost"),
    ],
)
def test_merged_status_is_the_more_advanced_of_the_two(run, keep, other, merged):
    run("add", "Sue Chen", "--tag", "vip")
    run("add", "Sue C", "--company", "Acme", "--role", "power", "--tag", "VIP", "--tag", "south", "--note", "tea")
    for name, status, n in (("Sue Chen", keep, "1"), ("Sue C", other, "2")):
        for args in STATUS_SETUP[status]:
            run(*[a.format(name=name, n=n) for a in args])

    run("merge", "Sue Chen", "Sue C", "--yes")

    contact = show(run, "Sue Chen")["contact"]
    assert contact["status"] == merged
    assert (contact["company"], contact["role"], contact["tags"], contact["note"]) == (
        "Acme", "power", ["vip", "south"], "tea",
    )  # fmt: skip
    assert contact["lost_on"] == ("2026-11-02" if merged == "lost" else None)  # the later loss stands
    no_problems(run)


def test_merge_keeps_what_keep_already_has(run):
    run("add", "Sue Chen", "--company", "Globex", "--note", "coffee")
    run("add", "Sue C", "--company", "Acme", "--note", "tea")
    run("merge", "Sue Chen", "Sue C", "--yes")
    contact = show(run, "Sue Chen")["contact"]
    assert (contact["company"], contact["note"]) == ("Globex", "coffee")


def test_merging_someone_who_asked_not_to_be_contacted_keeps_the_mark(run):
    run("add", "Sue Chen", "--first", "2026-11-02")
    run("add", "Sue C")
    run("edit", "Sue C", "--do-not-contact")

    run("merge", "Sue Chen", "Sue C", "--yes")

    assert show(run, "Sue Chen")["contact"]["do_not_contact"] is True
    assert open_followups(run, "Sue Chen") == []
    no_problems(run)


def test_merge_keeps_one_open_cadence_touch_the_earliest(run):
    run("add", "Sue Chen", "--first", "2026-11-05")
    run("touch", "Sue Chen", "--on", "2026-11-05")  # touch 2 due 11-06
    run("add", "Sue C")
    run("touch", "Sue C", "--on", "2026-11-01")
    run("touch", "Sue C", "--on", "2026-11-02")  # touch 3 due 11-04

    out = run("merge", "Sue Chen", "Sue C", "--yes").stdout

    assert "3 touches" in out and "cancelled #" in out
    # the earliest, numbered after the three touches together
    assert open_followups(run, "Sue Chen") == [("touch", "2026-11-04", reason_of(4))]
    assert contact_row(run, "Sue Chen")["touches"] == 3
    no_problems(run)


def test_merging_a_referrer_with_the_person_they_referred_drops_the_referral(run):
    run("add-referral", "Sue C", "--from", "Sue Chen", "--on", "2026-11-01")

    result = run("merge", "Sue Chen", "Sue C", "--yes")

    assert "nobody refers themselves" in result.stderr
    detail = show(run, "Sue Chen")
    assert (detail["referred_by"], detail["referred"]) == (None, [])
    assert [k for k, _, _ in open_followups(run, "Sue Chen")] == ["touch"]  # no coach task about herself
    no_problems(run)


def test_merge_asks_and_no_changes_nothing(run, dump):
    run("add", "Sue Chen", "--first", "2026-11-02")
    run("add", "Sue C", "--phone", "138 0000 0000")
    run("touch", "Sue C", "--on", "2026-11-01")
    run("touch", "Sue C", "--on", "2026-11-02")
    before = dump()

    result = run("merge", "Sue Chen", "Sue C", input="n\n")

    question = result.stderr
    assert "Merge #" in question and "Sue C into" in question
    assert "2 touches" in question and "1 phone or e-mail" in question and "then delete" in question
    assert "nothing merged" in result.stdout
    assert dump() == before


# ---------------------------------------------------------------- team mode


TEAM = [
    ["--user", "alice", "add", "Sue", "--first", "2026-11-02"],
    ["--user", "alice", "touch", "Sue", "--on", "2026-11-02"],
    ["--user", "alice", "sold", "Sue", "--on", "2026-11-03"],
    ["--user", "alice", "ask", "Sue", "--got", "1", "--on", "2026-11-04"],
    ["--user", "bob", "add", "Tom"],
]


@pytest.mark.backends("postgresql")  # on a SQLite file every contact is in reach
@pytest.mark.parametrize(
    "args",
    [
        ["edit-touch", "{touch}", "--note", "x"],
        ["rm-touch", "{touch}"],
        ["rm-touch", "{touch}", "--yes"],
        ["edit-sale", "{sale}", "--amount", "1"],
        ["rm-sale", "{sale}", "--yes"],
        ["edit-ask", "{ask}", "--got", "2"],
        ["rm-ask", "{ask}", "--yes"],
        ["merge", "Tom", "#{sue}", "--yes"],
        ["merge", "#{sue}", "Tom", "--yes"],
    ],
    ids=lambda args: "-".join(a for a in args if not a.startswith(("{", "#"))),
)
def test_a_teammates_rows_are_refused_naming_the_owner(cli, seed, dump, args):
    seed(TEAM, today=TODAY)
    detail = ok(cli("--user", "alice", "show", "Sue", "--json", today=TODAY)).json()
    ids = {
        "sue": detail["contact"]["id"],
        "touch": detail["touches"][0]["id"],
        "sale": detail["sales"][0]["id"],
        "ask": detail["asks"][0]["id"],
    }
    before = dump()
    refused(cli("--user", "bob", *[a.format(**ids) for a in args], today=TODAY, input="y\n"), "alice")
    assert dump() == before


# ---------------------------------------------------------------- the services alone


def test_delete_touch_says_what_it_undid(session, settings):
    from followup import services

    sue = services.add_contact(session=session, name="Sue", settings=settings, first=date(2026, 11, 2)).contact
    services.log_touch(session=session, contact=sue, on=date(2026, 11, 2), settings=settings)
    second = services.log_touch(session=session, contact=sue, on=date(2026, 11, 3), settings=settings)

    deleted = services.delete_touch(
        session=session, touch_id=second.touch.id, today=date(2026, 11, 4), settings=settings
    )

    assert deleted.count == 1
    assert (deleted.reopened.id, deleted.reopened.status, deleted.reopened.touch_id) == (
        second.completed.id, "open", None,
    )  # fmt: skip
    assert [f.id for f in deleted.cancelled] == [second.scheduled.id]
    assert (deleted.scheduled, deleted.notes) == (None, [])


def test_merge_plan_counts_what_would_move_and_refuses_one_contact_twice(session, settings):
    from followup import services
    from followup.errors import UserError

    keep = services.add_contact(session=session, name="Sue Chen", settings=settings).contact
    other = services.add_contact(session=session, name="Sue C", settings=settings).contact
    for on in (date(2026, 11, 1), date(2026, 11, 2)):
        services.log_touch(session=session, contact=other, on=on, settings=settings)
    services.record_sale(session=session, contact=other, on=date(2026, 11, 3), settings=settings)

    plan = services.merge_plan(session=session, keep=keep, other=other)

    # touch 2 and 3 of the cadence, then 2-4-8 and the check-in
    assert plan.moving() == ["2 touches", "6 follow-ups", "1 sale"]
    with pytest.raises(UserError, match="named twice"):
        services.merge_plan(session=session, keep=keep, other=keep)
