"""`followup config`: the settings, where they live, and `config set` / `config unset`; the
default channel of touch, schedule and done."""

from __future__ import annotations

import os
import tomllib
from datetime import date, datetime, time
from pathlib import Path

import pytest
from helpers import ok, refused

from followup.config import KEYS, Settings, load_settings, settings_from, toml_text
from followup.enums import Channel

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-23"


def settings_file() -> Path:
    return Path(os.environ["FOLLOWUP_CONFIG"])  # in the test's folder (tests/conftest.py)


def shown(cli) -> dict:
    """`config --json` as {key: (value, source)}."""
    data = ok(cli("config", "--json")).json()
    assert data["path"] == str(settings_file())
    return {row["key"]: (row["value"], row["source"]) for row in data["settings"]}


# ---------------------------------------------------------------- config: show


def test_config_shows_every_default_and_that_the_file_does_not_exist_yet(cli):
    data = ok(cli("config", "--json")).json()
    assert data["exists"] is False
    assert [row["key"] for row in data["settings"]] == list(KEYS)
    assert {row["key"]: row["value"] for row in data["settings"]} == {
        "cadence.prospect_gaps": [1, 2, 3, 4, 5, 7, 7, 10, 14, 14, 21],
        "cadence.after_sale": [2, 4, 8],
        "cadence.checkin_months": 12,
        "referrals.weekly_target": 1,
        "touch.default_channel": "call",
        "due.max_rows": 40,
        "list.max_rows": 100,
        "calendar.skip_weekends": False,
        "calendar.workdays": ["mon", "tue", "wed", "thu", "fri"],
    }
    assert {row["source"] for row in data["settings"]} == {"default"}
    assert all(row["value"] == row["default"] for row in data["settings"])

    table = ok(cli("config")).stdout
    assert f"Settings file: {settings_file()} (does not exist yet" in table
    assert "due.max_rows" in table and "1,2,3,4,5,7,7,10,14,14,21" in table and "default" in table
    assert not settings_file().exists()  # showing writes nothing


def test_config_says_which_settings_come_from_the_file(cli):
    settings_file().write_text("[cadence]\ncheckin_months = 6\n\n[due]\nmax_rows = 5\n", encoding="utf-8")
    values = shown(cli)
    assert values["cadence.checkin_months"] == (6, "file")
    assert values["due.max_rows"] == (5, "file")
    assert values["list.max_rows"] == (100, "default")
    table = ok(cli("config")).stdout
    assert f"Settings file: {settings_file()}\n" in table and "does not exist" not in table


# ---------------------------------------------------------------- config set / unset


@pytest.mark.parametrize(
    ("key", "typed", "value", "in_file"),
    [
        ("cadence.prospect_gaps", "1,2,3,5,8", [1, 2, 3, 5, 8], {"cadence": {"prospect_gaps": [1, 2, 3, 5, 8]}}),
        ("cadence.prospect_gaps", "[1, 2, 3]", [1, 2, 3], {"cadence": {"prospect_gaps": [1, 2, 3]}}),
        ("cadence.after_sale", " 3, 6 ,9 ", [3, 6, 9], {"cadence": {"after_sale": [3, 6, 9]}}),
        ("cadence.checkin_months", "6", 6, {"cadence": {"checkin_months": 6}}),
        ("referrals.weekly_target", "0", 0, {"referrals": {"weekly_target": 0}}),
        ("touch.default_channel", "Visit", "visit", {"touch": {"default_channel": "visit"}}),
        ("due.max_rows", "0", 0, {"due": {"max_rows": 0}}),
        ("list.max_rows", "25", 25, {"list": {"max_rows": 25}}),
        ("calendar.skip_weekends", "yes", True, {"calendar": {"skip_weekends": True}}),
        ("calendar.workdays", "sun,mon,tue,wed,thu", ["mon", "tue", "wed", "thu", "sun"], None),
        (
            "calendar.workdays",
            '["mon", 2, "wed"]',
            ["mon", "tue", "wed"],
            {"calendar": {"workdays": ["mon", 2, "wed"]}},
        ),
    ],
)
def test_config_set_writes_a_value_the_loader_reads_back(cli, key, typed, value, in_file):
    run = ok(cli("config", "set", key, typed))
    assert f"Set {key} = {typed.strip()} in {settings_file()}." in run.stdout
    assert run.stderr == ""
    assert shown(cli)[key] == (value, "file")
    if in_file is not None:
        assert tomllib.loads(settings_file().read_text(encoding="utf-8")) == in_file
    assert load_settings() != Settings()


def test_config_set_keeps_the_other_settings_and_tables_it_does_not_know_but_not_comments(cli):
    settings_file().write_text(
        "# my cadence\n[cadence]\nafter_sale = [1, 3, 7]  # faster\n\n"
        '[sync]\nurl = "https://example.com/\\u00e9"\nwhen = 2026-11-23T08:00:00\nlimits = [1.5, 2.0]\n'
        '[[sync.jobs]]\nname = "a"\n[[sync.jobs]]\nname = "b"\n',
        encoding="utf-8",
    )
    before = tomllib.loads(settings_file().read_text(encoding="utf-8"))
    ok(cli("config", "set", "cadence.checkin_months", "3"))
    after = tomllib.loads(settings_file().read_text(encoding="utf-8"))
    assert after == {**before, "cadence": {"after_sale": [1, 3, 7], "checkin_months": 3}}
    assert "#" not in settings_file().read_text(encoding="utf-8")
    assert "comments" in ok(cli("config", "set", "--help")).stdout  # the help says so


def test_config_set_creates_the_folder_of_the_settings_file(cli, tmp_path):
    deep = tmp_path / "a" / "b" / "settings.toml"
    ok(cli("config", "set", "due.max_rows", "7", env={"FOLLOWUP_CONFIG": str(deep)}))
    assert tomllib.loads(deep.read_text(encoding="utf-8")) == {"due": {"max_rows": 7}}


def test_config_unset_puts_a_setting_back_to_its_default(cli):
    ok(cli("config", "set", "due.max_rows", "7"))
    ok(cli("config", "set", "list.max_rows", "9"))
    run = ok(cli("config", "unset", "due.max_rows"))
    assert run.stdout.startswith("due.max_rows is back to its default, 40")
    assert shown(cli)["due.max_rows"] == (40, "default")
    assert tomllib.loads(settings_file().read_text(encoding="utf-8")) == {"list": {"max_rows": 9}}  # no empty [due]
    again = ok(cli("config", "unset", "due.max_rows"))
    assert "was not set" in again.stdout and "it is the default, 40" in again.stdout


def test_config_unset_without_a_settings_file_writes_none(cli):
    assert "was not set" in ok(cli("config", "unset", "cadence.after_sale")).stdout
    assert not settings_file().exists()


@pytest.mark.parametrize(
    ("key", "typed", "words"),
    [
        ("cadence.prospect_gaps", "", ["cadence.prospect_gaps", "whole numbers of days"]),
        ("cadence.prospect_gaps", "1,,2", ["cadence.prospect_gaps", "[1, 2, 3, 4, 5, 7, 7, 10, 14, 14, 21]"]),
        ("cadence.prospect_gaps", "[1, 2", ["is not a list", "1,2,3,4,5,7,7,10,14,14,21"]),
        ("cadence.prospect_gaps", "3661", ["1 to 3660"]),
        ("cadence.after_sale", "2,4", ["cadence.after_sale", "3 whole numbers"]),
        ("cadence.checkin_months", "121", ["cadence.checkin_months", "1 to 120"]),
        ("cadence.checkin_months", "9" * 40, ["cadence.checkin_months"]),
        ("referrals.weekly_target", "-1", ["referrals.weekly_target", "0 or more"]),
        ("referrals.weekly_target", "1.5", ["referrals.weekly_target"]),
        ("touch.default_channel", "fax", ["touch.default_channel", "call, email", "visit"]),
        ("due.max_rows", "1000001", ["due.max_rows", "0 to 1000000", "0: no cap"]),
        ("list.max_rows", "lots", ["list.max_rows", "such as 100"]),
        ("calendar.skip_weekends", "maybe", ["calendar.skip_weekends", "true or false"]),
        ("calendar.workdays", "mon,funday", ["calendar.workdays", "weekday names"]),
        ("calendar.workdays", "", ["calendar.workdays", "at least one day"]),
        ("due.rows", "5", ["'due.rows' is not a setting", "due.max_rows"]),
    ],
)
def test_a_bad_key_or_value_is_refused_with_the_accepted_form_and_the_file_is_untouched(cli, key, typed, words):
    settings_file().write_text("# mine\n[due]\nmax_rows = 12\n", encoding="utf-8")
    before = settings_file().read_bytes()
    refused(cli("config", "set", key, typed), *words)
    assert settings_file().read_bytes() == before
    assert list(settings_file().parent.glob(".config-*")) == []  # no temporary file left behind


def test_a_bad_value_is_refused_when_there_is_no_file_yet_and_none_is_made(cli):
    refused(cli("config", "set", "due.max_rows", "-5"), "due.max_rows")
    refused(cli("config", "unset", "nothing"), "not a setting")
    assert not settings_file().exists()


# ---------------------------------------------------------------- a settings file with an error


def test_a_file_that_is_not_toml_is_reported_by_every_command_and_config_set_leaves_it_alone(cli):
    settings_file().write_text("[cadence\nafter_sale = [2, 4, 8]\n", encoding="utf-8")
    before = settings_file().read_bytes()
    for args in (["due", "--on", TODAY], ["config"], ["config", "--json"]):
        refused(cli(*args), str(settings_file()), "not valid TOML")
    refused(cli("config", "set", "due.max_rows", "5"), "not valid TOML", "fix it by hand or remove it")
    refused(cli("config", "unset", "due.max_rows"), "not valid TOML")
    assert settings_file().read_bytes() == before


def test_config_set_repairs_a_file_with_a_bad_value_and_says_what_is_still_wrong(cli):
    """Decided: set and unset write a good value even into a file that has another bad one (so a
    broken file can be put right with the commands), and warn about what is still wrong; every
    other command keeps refusing the broken file, as before."""
    settings_file().write_text("[cadence]\ncheckin_months = 0\n\n[referrals]\nweekly_target = -2\n", encoding="utf-8")
    refused(cli("due", "--on", TODAY), str(settings_file()), "cadence.checkin_months")

    first = ok(cli("config", "set", "cadence.checkin_months", "6"))
    assert "Set cadence.checkin_months = 6" in first.stdout
    assert first.stderr.startswith("Note: the settings file still has a problem")
    assert "referrals.weekly_target" in first.stderr
    refused(cli("due", "--on", TODAY), "referrals.weekly_target")

    second = ok(cli("config", "unset", "referrals.weekly_target"))
    assert second.stderr == ""
    ok(cli("due", "--on", TODAY))
    assert tomllib.loads(settings_file().read_text(encoding="utf-8")) == {"cadence": {"checkin_months": 6}}


def test_a_table_that_is_not_a_table_is_refused_by_set(cli):
    settings_file().write_text("due = 3\n", encoding="utf-8")
    refused(cli("config", "set", "due.max_rows", "5"), "[due] must be a table")
    assert settings_file().read_text(encoding="utf-8") == "due = 3\n"


# ---------------------------------------------------------------- the settings take effect


def test_the_cadence_set_by_config_set_schedules_the_next_touch(cli):
    ok(cli("add", "Sue", "--first", "2026-11-20", today="2026-11-19"))
    ok(cli("config", "set", "cadence.prospect_gaps", "9,9"))
    touched = ok(cli("touch", "Sue", "--on", "2026-11-20", today=TODAY))
    assert "2026-11-29: touch 2 of 3" in touched.stdout


def test_touch_and_schedule_use_the_default_channel_when_via_is_not_given(cli):
    ok(cli("add", "Sue", "--first", "2026-11-20", today="2026-11-19"))
    assert "(call, 2026-11-20)" in ok(cli("touch", "Sue", "--on", "2026-11-20", today=TODAY)).stdout
    ok(cli("config", "set", "touch.default_channel", "visit"))
    assert "(visit, 2026-11-21)" in ok(cli("touch", "Sue", "--on", "2026-11-21", today=TODAY)).stdout
    assert "(email, 2026-11-22)" in ok(cli("touch", "Sue", "--via", "email", "--on", "2026-11-22", today=TODAY)).stdout
    scheduled = ok(cli("schedule", "Sue", "2026-12-03", today=TODAY))
    assert "(visit)" in scheduled.stdout
    scheduled = ok(cli("schedule", "Sue", "2026-12-04", "--via", "meal", today=TODAY))
    assert "(meal)" in scheduled.stdout
    timeline = ok(cli("show", "Sue", "--json", today=TODAY)).json()["timeline"]
    logged = {e["date"]: e["what"] for e in timeline if e["what"].startswith("touch #")}
    assert [logged[d].split(";")[0] for d in ("2026-11-20", "2026-11-21", "2026-11-22")] == [
        "touch #1 (1st): call",
        "touch #2 (2nd): visit",
        "touch #3 (3rd): email",
    ]


def test_done_logs_the_follow_ups_channel_or_the_one_given_with_via(cli):
    ok(cli("add", "Sue", "--first", "2026-11-20", today="2026-11-19"))
    ok(cli("config", "set", "touch.default_channel", "visit"))
    due = ok(cli("due", "--on", "2026-11-20", "--json")).json()["due"]
    assert due[0]["action"] == "call"  # the cadence's own channel
    assert "(call, 2026-11-20)" in ok(cli("done", str(due[0]["id"]), "--on", "2026-11-20", today=TODAY)).stdout
    nxt = ok(cli("due", "--on", "2026-11-21", "--json")).json()["due"][0]
    run = ok(cli("done", str(nxt["id"]), "--via", "meal", "--on", "2026-11-21", today=TODAY))
    assert "(meal, 2026-11-21)" in run.stdout


def test_done_on_a_follow_up_without_a_channel_logs_the_default_channel(session):
    """A follow-up whose action is not a channel (none made today; older data may hold one)."""
    from followup.services import add_contact, complete_followup, schedule_followup

    sue = add_contact(session=session, name="Sue", settings=Settings()).contact
    fu, _ = schedule_followup(session=session, contact=sue, due=date(2026, 11, 25), on=date(2026, 11, 23), what="x")
    fu.action = "ring"
    session.add(fu)
    session.flush()
    done = complete_followup(
        session=session, followup_id=fu.id, on=date(2026, 11, 25), settings=Settings(default_channel="demo")
    )
    assert done.touch.channel == Channel.demo.value


def test_the_loader_knows_the_default_channel_of_every_channel():
    for channel in Channel:
        assert settings_from({"touch": {"default_channel": channel.value}}, "x").default_channel == channel.value


# ---------------------------------------------------------------- the TOML writer


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"top": 1, "cadence": {"prospect_gaps": [1, 2]}},
        {"a": {"b": {"c": {"d": "deep"}}}, "e": []},
        {"text": 'quote " back \\ tab \t nl \n del \x7f bell \x07 陈素 \u202e', "k e y": {"ü": True}},
        {"when": datetime(2026, 11, 23, 8, 30), "day": date(2026, 11, 23), "at": time(9, 15), "f": -0.5},
        {"inf": float("inf"), "ninf": float("-inf"), "mixed": [1, "a", [2, 3], {"x": 1}]},
        {"jobs": [{"name": "a", "sub": {"x": 1}}, {"name": "b"}], "empty": {}},
    ],
)
def test_the_settings_writer_writes_back_what_toml_reads(raw):
    assert tomllib.loads(toml_text(raw)) == raw


def test_a_settings_path_that_is_a_folder_is_refused_in_one_line(cli, tmp_path):
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    env = {"FOLLOWUP_CONFIG": str(folder)}
    refused(cli("config", env=env), str(folder), "cannot read the settings file")
    refused(cli("due", "--on", TODAY, env=env), "cannot read the settings file")
    refused(cli("config", "set", "due.max_rows", "5", env=env), "cannot read the settings file")
    assert list(folder.iterdir()) == []
