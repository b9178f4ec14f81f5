"""Keeping people informed: `--wants-news` on add/edit, and `announce` scheduling an inform
follow-up for everyone who agreed to hear of product, price or rule changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import ok, refused

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-23"  # a Monday
NEWS = "prices rise 5% on Jan 1"


def show(cli, who: str) -> dict:
    return ok(cli("show", who, "--json")).json()


def informs(cli, who: str, status: str = "open") -> list[tuple[str, str, str]]:
    return [
        (f["due"], f["action"], f["reason"])
        for f in show(cli, who)["followups"]
        if f["kind"] == "inform" and f["status"] == status
    ]


def told(cli, on: str = TODAY, days: int = 30) -> list[str]:
    report = ok(cli("due", "--on", on, "--days", str(days), "--json")).json()
    return sorted(i["contact"] for i in report["due"] + report["upcoming"] if i["kind"] == "inform")


@pytest.fixture
def people(seed):
    """Who wants news and who does not, of every status, with tags."""
    seed(
        [
            ["add", "Pam Prospect", "--wants-news", "--tag", "north"],
            ["add", "Cal Customer", "--wants-news", "--tag", "south"],
            ["sold", "Cal Customer", "--on", "2026-11-01"],
            ["add", "Rae Repeat", "--wants-news", "--tag", "North"],
            ["sold", "Rae Repeat", "--on", "2026-10-01"],
            ["sold", "Rae Repeat", "--on", "2026-11-01"],
            ["add", "Lou Lost", "--wants-news", "--tag", "north"],
            ["lost", "Lou Lost", "--on", "2026-11-02"],
            ["add", "Dan Stop", "--wants-news", "--tag", "north"],
            ["edit", "Dan Stop", "--do-not-contact"],
            ["add", "Ned Nonews", "--tag", "north"],
            ["add", "Wes Was", "--wants-news"],
            ["edit", "Wes Was", "--no-news"],
        ],
        today=TODAY,
    )


def test_wants_news_is_set_by_add_and_edit_and_shown(cli, people):
    assert show(cli, "Pam Prospect")["contact"]["wants_news"] is True
    assert show(cli, "Ned Nonews")["contact"]["wants_news"] is False
    assert show(cli, "Wes Was")["contact"]["wants_news"] is False  # --no-news took it back
    assert "news: agreed to hear of changes" in ok(cli("show", "Pam Prospect")).stdout
    run = ok(cli("edit", "Ned Nonews", "--wants-news"))
    assert "wants_news" in run.stdout
    assert show(cli, "Ned Nonews")["contact"]["wants_news"] is True


def test_announce_tells_everyone_who_wants_news_and_may_be_contacted(cli, people):
    run = ok(cli("announce", NEWS, today=TODAY))
    assert f"Scheduled 'inform: {NEWS}' for 3 contacts, due {TODAY}." in run.stdout
    assert told(cli) == ["Cal Customer", "Pam Prospect", "Rae Repeat"]  # not lost, stopped or unwilling
    assert informs(cli, "Pam Prospect") == [(TODAY, "call", f"inform: {NEWS}")]
    for name in ("Lou Lost", "Dan Stop", "Ned Nonews", "Wes Was"):
        assert informs(cli, name) == []


@pytest.mark.parametrize(
    ("status", "names"),
    [
        ("prospect", ["Pam Prospect"]),
        ("customer", ["Cal Customer", "Rae Repeat"]),  # repeat customers are customers
        ("repeat", ["Rae Repeat"]),
        ("all", ["Cal Customer", "Pam Prospect", "Rae Repeat"]),
        ("Customer", ["Cal Customer", "Rae Repeat"]),
    ],
)
def test_announce_status_chooses_whom_to_tell(cli, people, status, names):
    ok(cli("announce", NEWS, "--status", status, today=TODAY))
    assert told(cli) == names


@pytest.mark.parametrize(
    ("tags", "names"),
    [
        (["north"], ["Pam Prospect", "Rae Repeat"]),  # tags match in any case
        (["south"], ["Cal Customer"]),
        (["north", "south"], ["Cal Customer", "Pam Prospect", "Rae Repeat"]),  # any of them
        (["west"], []),
    ],
)
def test_announce_tag_chooses_whom_to_tell(cli, people, tags, names):
    args = [arg for tag in tags for arg in ("--tag", tag)]
    ok(cli("announce", NEWS, *args, today=TODAY))
    assert told(cli) == names


def test_announce_on_a_later_day(cli, people):
    ok(cli("announce", NEWS, "--status", "prospect", "--on", "fri", today=TODAY))
    assert informs(cli, "Pam Prospect") == [("2026-11-27", "call", f"inform: {NEWS}")]
    assert told(cli, on=TODAY, days=0) == []  # not due yet


def test_announce_never_schedules_a_second_open_inform_with_the_same_text(cli, people):
    ok(cli("announce", NEWS, "--status", "prospect", today=TODAY))
    run = ok(cli("announce", "  prices rise 5%   on Jan 1 ", today=TODAY))  # the same news, spaced out
    assert "for 2 contacts" in run.stdout
    assert "already to be told" in run.stdout and "Pam Prospect" in run.stdout
    assert len(informs(cli, "Pam Prospect")) == 1
    # other news is other news
    ok(cli("announce", "new warranty terms", "--status", "prospect", today=TODAY))
    assert len(informs(cli, "Pam Prospect")) == 2


def test_once_told_the_same_news_may_be_announced_again(cli, people):
    ok(cli("announce", NEWS, "--status", "prospect", today=TODAY))
    [fid] = [f["id"] for f in show(cli, "Pam Prospect")["followups"] if f["kind"] == "inform"]
    run = ok(cli("done", str(fid), "--on", TODAY))
    assert f"done #{fid}: inform: {NEWS}" in run.stdout
    ok(cli("announce", NEWS, "--status", "prospect", "--on", "2026-12-01", today=TODAY))
    assert informs(cli, "Pam Prospect") == [("2026-12-01", "call", f"inform: {NEWS}")]


def test_announce_dry_run_names_them_and_writes_nothing(cli, dump, people):
    before = dump()
    run = ok(cli("announce", NEWS, "--tag", "north", "--dry-run", today=TODAY))
    assert "Would schedule" in run.stdout and "for 2 contacts" in run.stdout
    assert "Pam Prospect" in run.stdout and "Rae Repeat" in run.stdout and "Cal Customer" not in run.stdout
    assert dump() == before


def test_announce_with_nobody_to_tell_says_so(cli, people):
    run = ok(cli("announce", NEWS, "--tag", "west", today=TODAY))
    assert "Nobody to tell" in run.stdout


def test_announce_uses_the_default_channel_of_the_settings(cli, people):
    Path(os.environ["FOLLOWUP_CONFIG"]).write_text('[touch]\ndefault_channel = "email"\n', encoding="utf-8")
    ok(cli("announce", NEWS, "--status", "prospect", today=TODAY))
    assert informs(cli, "Pam Prospect") == [(TODAY, "email", f"inform: {NEWS}")]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["   "], ["TEXT"]),
        (["x" * 201], ["200"]),
        ([NEWS, "--status", "lost"], ["--status", "never told"]),
        ([NEWS, "--status", "everyone"], ["--status", "'everyone'", "prospect"]),
        ([NEWS, "--on", "2026-11-20"], ["--on", "before today"]),
        ([NEWS, "--on", "someday"], ["--on", "YYYY-MM-DD"]),
        ([NEWS, "--tag", ","], ["--tag"]),
    ],
)
def test_announce_bad_input_is_refused_and_writes_nothing(cli, dump, people, args, words):
    before = dump()
    refused(cli("announce", *args, today=TODAY), *words)
    assert dump() == before


def test_an_inform_follow_up_is_listed_in_due_as_kind_inform(cli, people):
    ok(cli("announce", NEWS, "--status", "repeat", today=TODAY))
    report = ok(cli("due", "--on", TODAY, "--json")).json()
    [item] = [i for i in report["due"] if i["kind"] == "inform"]
    assert (item["contact"], item["reason"], item["action"], item["asked_for"]) == (
        "Rae Repeat",
        f"inform: {NEWS}",
        "call",
        False,
    )
