"""Complaints: `followup complaint` records one with a follow-up that closes the loop; `done`
on it closes the complaint, `skip` leaves it open; `show` lists them, `stats` counts them by
class and kind; merge, rm and check stay consistent. On SQLite and PostgreSQL, explicit dates.
"""

from __future__ import annotations

import pytest
from helpers import ok, refused

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-23"  # a Monday


@pytest.fixture
def run(cli):
    def go(*args: str, today: str = TODAY):
        return ok(cli(*args, today=today))

    return go


def show(run, who: str, today: str = TODAY) -> dict:
    return run("show", who, "--json", today=today).json()


def complaint_followups(run, who: str) -> list[dict]:
    return [f for f in show(run, who)["followups"] if f["kind"] == "complaint"]


def test_complaint_is_recorded_open_with_a_follow_up_the_next_day(run):
    run("add", "Sue")
    run("sold", "Sue", "--on", "2026-11-02")

    out = run("complaint", "Sue", "--kind", "packaging", "--note", "box arrived crushed", "--on", "2026-11-20").stdout

    assert "Complaint #" in out and "packaging (a product problem)" in out
    assert "take it back to the company" in out
    (fu,) = complaint_followups(run, "Sue")
    assert (fu["due"], fu["action"], fu["reason"], fu["status"]) == (
        "2026-11-21",
        "call",
        "complaint (packaging): close the loop",
        "open",
    )
    (c,) = show(run, "Sue")["complaints"]
    assert {k: c[k] for k in ("date", "kind", "class", "note", "status", "closed_on")} == {
        "date": "2026-11-20",
        "kind": "packaging",
        "class": "product",
        "note": "box arrived crushed",
        "status": "open",
        "closed_on": None,
    }
    due = run("due", "--json", "--on", "2026-11-21").json()
    assert [(i["kind"], i["reason"]) for i in due["due"] if i["kind"] == "complaint"] == [
        ("complaint", "complaint (packaging): close the loop")
    ]


def test_service_complaint_is_classed_service_and_any_contact_may_complain(run):
    run("add", "Pat")  # a prospect

    out = run("complaint", "Pat", "--kind", "punctuality").stdout

    assert "punctuality (a service problem)" in out and "company" not in out
    (c,) = show(run, "Pat")["complaints"]
    assert (c["class"], c["date"]) == ("service", TODAY)
    assert [f["due"] for f in complaint_followups(run, "Pat")] == ["2026-11-24"]


def test_done_on_the_complaint_follow_up_closes_the_complaint(run):
    run("add", "Sue")
    run("sold", "Sue", "--on", "2026-11-02")
    run("complaint", "Sue", "--kind", "skill", "--on", "2026-11-20")
    (fu,) = complaint_followups(run, "Sue")

    run("done", str(fu["id"]), "--on", "2026-11-22")

    (c,) = show(run, "Sue")["complaints"]
    assert (c["status"], c["closed_on"]) == ("closed", "2026-11-22")
    assert "closed 2026-11-22" in run("show", "Sue").stdout


def test_a_touch_that_completes_the_complaint_follow_up_closes_the_complaint(run):
    run("add", "Sue")
    run("complaint", "Sue", "--kind", "attitude", "--on", "2026-11-20")

    run("touch", "Sue", "--via", "call", "--on", "2026-11-21")

    (c,) = show(run, "Sue")["complaints"]
    assert (c["status"], c["closed_on"]) == ("closed", "2026-11-21")


def test_skip_closes_the_follow_up_and_leaves_the_complaint_open(run):
    run("add", "Sue")
    run("complaint", "Sue", "--kind", "too-complex", "--on", "2026-11-20")
    (fu,) = complaint_followups(run, "Sue")

    run("skip", str(fu["id"]), "--on", "2026-11-21")

    (c,) = show(run, "Sue")["complaints"]
    assert (c["status"], c["closed_on"]) == ("open", None)
    assert complaint_followups(run, "Sue")[0]["status"] == "skipped"
    assert f"follow-up #{fu['id']} skipped: the loop is not closed" in run("show", "Sue").stdout


def test_close_complaint_closes_one_whose_follow_up_was_skipped(run):
    run("add", "Sue")
    run("complaint", "Sue", "--kind", "too-complex", "--on", "2026-11-20")
    (fu,) = complaint_followups(run, "Sue")
    run("skip", str(fu["id"]), "--on", "2026-11-21")
    (c,) = show(run, "Sue")["complaints"]

    out = run("close-complaint", f"#{c['id']}", "--on", "2026-11-22").stdout

    assert f"Closed complaint #{c['id']} (too-complex) from #" in out and "on 2026-11-22" in out
    (c,) = show(run, "Sue")["complaints"]
    assert (c["status"], c["closed_on"]) == ("closed", "2026-11-22")
    assert complaint_followups(run, "Sue")[0]["status"] == "skipped"  # left as it was
    stats = run("stats", "--on", "2026-11-23", "--json").json()["complaints"]
    assert (stats["open"], stats["closed"]) == (0, 1)


def test_close_complaint_cancels_its_open_follow_up_and_today_is_the_default(run):
    run("add", "Sue")
    run("complaint", "Sue", "--kind", "attitude", "--on", "2026-11-20")
    (c,) = show(run, "Sue")["complaints"]

    out = run("close-complaint", str(c["id"])).stdout

    (fu,) = complaint_followups(run, "Sue")
    assert f"cancelled #{fu['id']}: complaint (attitude): close the loop" in out
    assert fu["status"] == "cancelled"
    (c,) = show(run, "Sue")["complaints"]
    assert (c["status"], c["closed_on"]) == ("closed", TODAY)
    assert [i["kind"] for i in run("due", "--on", "2026-11-23", "--json").json()["due"]] == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["close-complaint", "99"], ["no complaint #99", "followup show"]),
        (["close-complaint", "abc"], ["'abc' is not a complaint id"]),
        (["close-complaint", "1", "--on", "2026-11-19"], ["before the complaint", "2026-11-20"]),
        (["close-complaint", "1", "--on", "fribay"], ["--on", "'fribay'"]),
    ],
    ids=["unknown", "not-an-id", "before-the-complaint", "bad-date"],
)
def test_close_complaint_refuses_bad_input_and_writes_nothing(run, cli, dump, args, words):
    run("add", "Sue")
    run("complaint", "Sue", "--kind", "skill", "--on", "2026-11-20")
    before = dump()

    refused(cli(*args, today=TODAY), *words)

    assert dump() == before


def test_a_closed_complaint_is_not_closed_twice(run, cli, dump):
    run("add", "Sue")
    run("complaint", "Sue", "--kind", "skill", "--on", "2026-11-20")
    (c,) = show(run, "Sue")["complaints"]
    run("close-complaint", str(c["id"]), "--on", "2026-11-21")
    before = dump()

    refused(cli("close-complaint", str(c["id"]), today=TODAY), "already", "2026-11-21")

    assert dump() == before


def test_deleting_the_touch_that_closed_the_complaint_opens_it_again(run):
    run("add", "Sue")
    run("complaint", "Sue", "--kind", "inconvenient", "--on", "2026-11-20")
    (fu,) = complaint_followups(run, "Sue")
    run("done", str(fu["id"]), "--on", "2026-11-21")
    (touch,) = show(run, "Sue")["touches"]

    run("rm-touch", str(touch["id"]), "--yes")

    (c,) = show(run, "Sue")["complaints"]
    assert (c["status"], c["closed_on"]) == ("open", None)
    assert complaint_followups(run, "Sue")[0]["status"] == "open"


def test_complaint_for_a_do_not_contact_customer_is_recorded_without_a_follow_up(run, cli):
    run("add", "Sue")
    run("touch", "Sue", "--outcome", "stop", "--on", "2026-11-20")

    result = run("complaint", "Sue", "--kind", "attitude")

    assert "no follow-up is scheduled" in result.stderr
    assert [c["status"] for c in show(run, "Sue")["complaints"]] == ["open"]
    assert complaint_followups(run, "Sue") == []
    assert ok(cli("check", "--json")).json()["problems"] == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["complaint", "Sue", "--kind", "rude"], ["--kind", "'rude'", "missing-function", "skill"]),
        (["complaint", "Sue"], ["--kind", "packaging", "punctuality"]),
        (["complaint", "Nobody", "--kind", "packaging"], ["Nobody"]),
        (["complaint", "Sue", "--kind", "packaging", "--on", "2026-02-30"], ["2026-02-30"]),
        (["complaint", "Sue", "--kind", "packaging", "--on", "2026-11-20 10:00"], ["time of day"]),
    ],
    ids=["unknown-kind", "no-kind", "unknown-contact", "impossible-date", "date-with-time"],
)
def test_bad_complaint_input_is_refused_and_writes_nothing(run, cli, dump, args, words):
    run("add", "Sue")
    before = dump()

    refused(cli(*args, today=TODAY), *words)

    assert dump() == before


def test_stats_counts_complaints_by_class_and_kind_within_since_and_on(run):
    run("add", "Sue")
    run("sold", "Sue", "--on", "2026-10-01", "--amount", "100")
    run("add", "Tom")
    run("complaint", "Sue", "--kind", "packaging", "--on", "2026-09-15")  # before --since
    run("complaint", "Sue", "--kind", "packaging", "--on", "2026-10-05")
    run("complaint", "Sue", "--kind", "missing-function", "--on", "2026-10-06")
    run("complaint", "Tom", "--kind", "attitude", "--on", "2026-10-07")
    run("complaint", "Tom", "--kind", "skill", "--on", "2026-12-01")  # after --on
    closing = [f for f in complaint_followups(run, "Tom") if f["reason"].startswith("complaint (attitude)")]
    run("done", str(closing[0]["id"]), "--on", "2026-10-08")

    figures = run("stats", "--json", "--since", "2026-10-01", "--on", "2026-11-01", today="2026-12-02").json()

    complaints = figures["complaints"]
    assert {k: complaints[k] for k in ("product", "service", "open")} == {"product": 2, "service": 1, "open": 2}
    assert complaints["by_kind"] == {
        "missing-function": 1,
        "too-complex": 0,
        "packaging": 1,
        "inconvenient": 0,
        "punctuality": 0,
        "attitude": 1,
        "skill": 0,
    }
    # as of a date before the loop was closed, the attitude complaint was still open
    earlier = run("stats", "--json", "--since", "2026-10-01", "--on", "2026-10-07", today="2026-12-02").json()
    assert earlier["complaints"]["open"] == 3
    panel = run("stats", "--since", "2026-10-01", "--on", "2026-11-01", today="2026-12-02").stdout
    assert "Complaints" in panel and "go back to the company" in panel


def test_merge_moves_complaints_and_rm_deletes_them(run, cli):
    run("add", "Sue Chen")
    run("add", "S. Chen")
    run("complaint", "S. Chen", "--kind", "packaging", "--on", "2026-11-20")
    run("complaint", "Sue Chen", "--kind", "skill", "--on", "2026-11-21")

    run("merge", "Sue Chen", "S. Chen", "--yes")

    kinds = [c["kind"] for c in show(run, "Sue Chen")["complaints"]]
    assert kinds == ["packaging", "skill"]
    assert ok(cli("check", "--json")).json()["problems"] == []
    run("rm", "Sue Chen", "--yes")
    assert ok(cli("check", "--json")).json()["problems"] == []
    assert ok(cli("stats", "--json", "--on", TODAY)).json()["complaints"]["open"] == 0


def test_check_names_an_open_complaint_whose_follow_up_is_gone(run, cli, db_url):
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    run("add", "Sue")
    run("complaint", "Sue", "--kind", "packaging", "--on", "2026-11-20")
    engine = create_engine(f"sqlite:///{db_url}" if "://" not in db_url else db_url, poolclass=NullPool)
    with engine.begin() as conn:  # what no command does: the follow-up row removed by hand
        conn.execute(text("UPDATE complaint SET followup_id = NULL"))
        conn.execute(text("DELETE FROM followup WHERE kind = 'complaint'"))
    engine.dispose()

    run_ = cli("check", "--json")

    assert run_.exit_code == 1  # check found a problem
    report = run_.json()

    (problem,) = [p for p in report["problems"] if p["check"] == "complaint_without_followup"]
    assert "packaging" in problem["message"] and "Sue" in problem["message"]


def test_complaint_help_has_an_example_and_lists_the_kinds(cli):
    out = ok(cli("complaint", "--help")).stdout
    assert "Example: followup complaint" in out
    for kind in ("missing-function", "too-complex", "packaging", "inconvenient", "punctuality", "attitude", "skill"):
        assert kind in out


@pytest.mark.backends("postgresql")  # on a shared database each salesperson closes their own
def test_a_teammates_complaint_is_not_closed(cli, dump):
    ok(cli("--user", "alice", "add", "Sue", today=TODAY))
    ok(cli("--user", "alice", "complaint", "Sue", "--kind", "skill", "--on", "2026-11-20", today=TODAY))
    before = dump()

    refused(cli("--user", "bob", "close-complaint", "1", today=TODAY), "a contact of alice", "--user alice")

    assert dump() == before
    ok(cli("--user", "alice", "close-complaint", "1", today=TODAY))
