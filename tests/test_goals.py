"""Commitment goals and the purposes of touches (issue 8).

`touch --goal TEXT` records the commitment a touch aimed for; `--outcome committed` marks it
achieved. `touch --purpose care/info/deal/service/intel` says what the touch was for; `done ID`
takes both. `show` lists the goals with their results and counts the purposes, saying plainly
when every touch with a purpose was `deal`; `stats` gives the share of touches with a goal and
of goals achieved, the purposes overall and the customers who only ever hear sales pitches,
as of --on and for the prospects first seen since --since. SQLite and PostgreSQL, explicit dates.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers import ok, refused

from followup.errors import UserError
from followup.models import Touch
from followup.services import add_contact, log_touch, purpose_value

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-23"


def shown(cli, who: str) -> dict:
    return ok(cli("show", who, "--json", today=TODAY)).json()


def stats_json(cli, *args: str) -> dict:
    return ok(cli("stats", *args, "--json", today=TODAY)).json()


def touch_rows(dump) -> list[dict]:
    columns, _, data = dump()["touch"]
    return sorted((dict(zip(columns, row, strict=True)) for row in data), key=lambda r: r["id"])


# ---------------------------------------------------------------- logging goals and purposes


def test_touch_records_goal_and_purpose_and_committed_marks_the_goal_achieved(cli, dump):
    ok(cli("add", "Sue Chen", today="2026-11-01"))
    ok(cli("touch", "Sue Chen", "--goal", "a site visit", "--purpose", "deal", "--on", "2026-11-02"))
    ok(cli("touch", "Sue Chen", "--goal", "meet the decision maker", "--outcome", "committed", "--on", "2026-11-05"))
    ok(cli("touch", "Sue Chen", "--purpose", "CARE", "--outcome", "committed", "--on", "2026-11-09"))  # no goal
    assert [(t["goal"], t["purpose"], t["outcome"]) for t in touch_rows(dump)] == [
        ("a site visit", "deal", None),
        ("meet the decision maker", None, "committed"),
        (None, "care", "committed"),
    ]
    detail = shown(cli, "Sue Chen")
    ids = [t["id"] for t in detail["touches"]]
    assert detail["goals"] == [
        {"id": ids[0], "date": "2026-11-02", "goal": "a site visit", "outcome": None, "achieved": False},
        {
            "id": ids[1],
            "date": "2026-11-05",
            "goal": "meet the decision maker",
            "outcome": "committed",
            "achieved": True,
        },
    ]
    assert [t["purpose"] for t in detail["touches"]] == ["deal", None, "care"]

    text = ok(cli("show", "Sue Chen", today=TODAY)).stdout
    assert "Commitment goals" in text
    lines = [line for line in text.splitlines() if "a site visit" in line or "decision maker" in line]
    assert "no outcome logged" in lines[0] and "achieved" in lines[1]


def test_done_passes_goal_and_purpose_to_the_touch_it_logs(cli, dump):
    ok(cli("add", "Sue Chen", "--first", "2026-11-02", today="2026-11-01"))
    [fu] = [f for f in shown(cli, "Sue Chen")["followups"] if f["status"] == "open"]
    ok(cli("done", str(fu["id"]), "--goal", "a trial", "--purpose", "intel", "--on", "2026-11-02", today=TODAY))
    [row] = touch_rows(dump)
    assert (row["goal"], row["purpose"], str(row["day"])) == ("a trial", "intel", "2026-11-02")


@pytest.mark.parametrize(
    "args",
    [["touch", "Sue Chen", "--purpose", "chat", "--on", "2026-11-02"], ["done", "{fu}", "--purpose", "sales"]],
    ids=["touch", "done"],
)
def test_an_unknown_purpose_is_refused_and_nothing_is_written(cli, dump, args):
    ok(cli("add", "Sue Chen", "--first", "2026-11-02", today="2026-11-01"))
    [fu] = [f for f in shown(cli, "Sue Chen")["followups"] if f["status"] == "open"]
    before = dump()
    refused(cli(*[a.format(fu=fu["id"]) for a in args], today=TODAY), args[-1] if args[0] == "done" else "chat", "care")
    assert dump() == before


def test_purpose_value_accepts_the_five_purposes_only(session, settings):
    assert [purpose_value(p) for p in ("care", "Info", " deal ", "service", "intel", None)] == [
        "care",
        "info",
        "deal",
        "service",
        "intel",
        None,
    ]
    with pytest.raises(UserError, match="--purpose: 'pitch' is not one of care, info, deal, service, intel"):
        purpose_value("pitch")
    sue = add_contact(session=session, name="Sue Chen", settings=settings).contact
    logged = log_touch(session=session, contact=sue, on=date(2026, 11, 2), settings=settings, purpose="service")
    assert session.get(Touch, logged.touch.id).purpose == "service"


# ---------------------------------------------------------------- show: purposes


def test_show_counts_purposes_and_says_when_every_one_was_a_sales_pitch(cli):
    ok(cli("add", "Sue Chen", today="2026-11-01"))
    for day in ("2026-11-02", "2026-11-05"):
        ok(cli("touch", "Sue Chen", "--purpose", "deal", "--on", day))
    ok(cli("touch", "Sue Chen", "--on", "2026-11-07"))  # no purpose: not counted either way
    detail = shown(cli, "Sue Chen")
    assert detail["purposes"] == {
        "counts": {"care": 0, "info": 0, "deal": 2, "service": 0, "intel": 0},
        "only_deal": True,
    }
    text = ok(cli("show", "Sue Chen", today=TODAY)).stdout
    assert "purposes: deal 2" in text
    assert "Sue Chen only ever hears sales pitches" in text

    ok(cli("touch", "Sue Chen", "--purpose", "care", "--on", "2026-11-09"))
    assert shown(cli, "Sue Chen")["purposes"]["only_deal"] is False
    text = ok(cli("show", "Sue Chen", today=TODAY)).stdout
    assert "purposes: care 1, deal 2" in text and "sales pitches" not in text


def test_show_without_purposes_or_goals_says_nothing_of_them(cli):
    ok(cli("add", "Sue Chen", today="2026-11-01"))
    ok(cli("touch", "Sue Chen", "--on", "2026-11-02"))
    detail = shown(cli, "Sue Chen")
    assert detail["goals"] == [] and detail["purposes"]["only_deal"] is False
    text = ok(cli("show", "Sue Chen", today=TODAY)).stdout
    assert "purposes" not in text and "Commitment goals" not in text


# ---------------------------------------------------------------- stats

# Sue (first seen 11-02) and Tom (first seen 11-10) buy; Ann stays a prospect hearing only pitches.
BOOK = [
    ["add", "Sue Chen"],
    ["touch", "Sue Chen", "--on", "2026-11-02", "--purpose", "deal", "--goal", "a trial", "--outcome", "committed"],
    ["touch", "Sue Chen", "--on", "2026-11-04", "--purpose", "deal", "--goal", "a site visit"],
    ["sold", "Sue Chen", "--on", "2026-11-05"],
    ["add", "Tom Wu"],
    ["touch", "Tom Wu", "--on", "2026-11-10", "--purpose", "deal", "--goal", "a proposal", "--outcome", "committed"],
    ["sold", "Tom Wu", "--on", "2026-11-12"],
    ["touch", "Tom Wu", "--on", "2026-11-14", "--purpose", "care"],
    ["add", "Ann Lee"],
    ["touch", "Ann Lee", "--on", "2026-11-03", "--purpose", "deal"],
    ["touch", "Ann Lee", "--on", "2026-11-06"],
    ["touch", "Sue Chen", "--on", "2026-11-20", "--purpose", "service", "--goal", "introduce the buyer"],
]


def test_stats_goals_and_purposes(cli, seed):
    seed(BOOK, today="2026-11-01")
    data = stats_json(cli, "--on", "2026-11-25")
    assert data["goals"] == {"touches": 7, "with_goal": 4, "share": 0.5714, "achieved": 2, "achieved_share": 0.5}
    assert data["purposes"]["counts"] == {"care": 1, "info": 0, "deal": 4, "service": 1, "intel": 0}
    assert data["purposes"]["only_deal"] == []  # Sue had a service call, Tom a care call; Ann never bought


def test_stats_as_of_an_earlier_day_counts_only_touches_by_then(cli, seed):
    seed(BOOK, today="2026-11-01")
    data = stats_json(cli, "--on", "2026-11-12")
    assert data["goals"] == {"touches": 5, "with_goal": 3, "share": 0.6, "achieved": 2, "achieved_share": 0.6667}
    assert data["purposes"]["counts"] == {"care": 0, "info": 0, "deal": 4, "service": 0, "intel": 0}
    sue, tom = (shown(cli, name)["contact"]["id"] for name in ("Sue Chen", "Tom Wu"))
    assert data["purposes"]["only_deal"] == [
        {"id": sue, "name": "Sue Chen", "touches": 2},
        {"id": tom, "name": "Tom Wu", "touches": 1},
    ]


def test_stats_since_counts_the_prospects_first_seen_since(cli, seed):
    seed(BOOK, today="2026-11-01")
    data = stats_json(cli, "--on", "2026-11-25", "--since", "2026-11-08")  # Tom only
    assert data["goals"] == {"touches": 2, "with_goal": 1, "share": 0.5, "achieved": 1, "achieved_share": 1.0}
    assert data["purposes"]["counts"] == {"care": 1, "info": 0, "deal": 1, "service": 0, "intel": 0}


def test_stats_shares_are_null_without_touches_or_goals(cli):
    ok(cli("add", "Sue Chen", today="2026-11-01"))
    data = stats_json(cli, "--on", "2026-11-25")
    assert data["goals"] == {"touches": 0, "with_goal": 0, "share": None, "achieved": 0, "achieved_share": None}
    ok(cli("touch", "Sue Chen", "--on", "2026-11-02"))
    assert stats_json(cli, "--on", "2026-11-25")["goals"]["achieved_share"] is None
    assert stats_json(cli, "--on", "2026-11-25")["purposes"] == {
        "counts": {"care": 0, "info": 0, "deal": 0, "service": 0, "intel": 0},
        "only_deal": [],
    }


def test_stats_panels_for_goals_and_purposes(cli, seed):
    seed(BOOK, today="2026-11-01")
    out = ok(cli("stats", "--on", "2026-11-12", today=TODAY)).stdout
    assert "Commitment goals" in out and "Purposes of touches" in out
    goal_lines = [line for line in out.splitlines() if "with a goal" in line or "goal achieved" in line]
    assert "60%" in goal_lines[0] and "67%" in goal_lines[1]
    assert "Customers who only ever hear sales pitches" in out and "Sue Chen (2), Tom Wu (1)" in out
