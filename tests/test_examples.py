"""examples/month.py runs from start to end and tells the month it promises.

The example drives the real CLI in about fifty subprocesses, so the first test takes
tens of seconds; it runs the script once and checks both its transcript and the
database it leaves behind (--keep).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "month.py"


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    kept = tmp_path_factory.mktemp("month")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--keep", str(kept)],
        env={**os.environ, "COLUMNS": "100"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    return done, kept


def test_month_example_runs_to_the_end(month):
    done, _ = month
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == ""
    assert "Traceback" not in done.stdout
    ran = int(re.search(r"^(\d+) followup commands run\.", done.stdout, re.MULTILINE).group(1))
    assert 30 <= ran <= 60
    assert len(done.stdout.splitlines()) < 360


def test_month_example_tells_the_sale_and_its_2_4_8(month):
    out = month[0].stdout
    assert "Sale to #2 Sue Chen on 2026-11-09; now a customer." in out
    assert "thank Bob Li: Sue Chen bought" in out
    for step in (
        "done #12: 2-4-8 day 2: check they have started using it, and use it right",
        "2-4-8 day 4: adaptation period",
        "2-4-8 day 8: bring another product to offer",
    ):
        assert step in out
    assert "Sale to #2 Sue Chen on 2026-11-17; now a repeat customer." in out


def test_month_example_shows_sources_loss_stop_and_asked_dates(month):
    out = month[0].stdout
    for source in ("customer", "vendor", "declined", "exchange", "network"):
        assert re.search(rf"^.* referred .* source {source}\.$", out, re.MULTILINE), source
    assert "王强 (#3, new) referred 陈素 (#4, new) on 2026-11-02, source vendor." in out
    assert "referral touch 2 of 12, the date they asked for" in out
    assert "closed as lost after 2 touch" in out
    assert "Amy Wu asked to stop: marked do-not-contact" in out
    assert re.search(r"^\$ followup skip \d+$", out, re.MULTILINE)
    assert re.search(r"^Moved #\d+ from 2026-11-25 to 2026-11-27: 2-4-8 day 8", out, re.MULTILINE)
    assert out.count("$ followup due\n") + out.count("$ followup due --days 7\n") >= 3


def test_month_example_leaves_the_month_in_the_database(month, cli):
    done, kept = month
    assert done.returncode == 0, done.stderr[-2000:]
    db = str(kept / "followup.db")
    rows = {r["name"]: r for r in cli("list", "--json", env={"FOLLOWUP_DB": db}).json()}
    assert {name: rows[name]["status"] for name in ("Bob Li", "Sue Chen", "Tom Wu", "陈素")} == {
        "Bob Li": "customer",
        "Sue Chen": "repeat",
        "Tom Wu": "lost",
        "陈素": "prospect",
    }
    assert rows["Amy Wu"]["do_not_contact"] is True
    assert rows["陈素"]["referrer"] == "王强"

    sue = cli("show", "Sue Chen", "--json", env={"FOLLOWUP_DB": db}).json()
    assert [(s["date"], s["amount"]) for s in sue["sales"]] == [("2026-11-09", 24000.0), ("2026-11-17", 3600.0)]
    steps = [(f["kind"], f["status"], f["closed_on"]) for f in sue["followups"] if f["kind"].startswith("post_sale")]
    assert steps == [
        ("post_sale_2", "done", "2026-11-11"),
        ("post_sale_4", "done", "2026-11-13"),
        ("post_sale_8", "done", "2026-11-17"),
        ("post_sale_2", "done", "2026-11-19"),
        ("post_sale_4", "done", "2026-11-23"),
        ("post_sale_8", "done", "2026-11-27"),
    ]

    due = cli("due", "--on", "2026-11-30", "--json", env={"FOLLOWUP_DB": db}).json()
    people = {i["contact"] for i in due["due"] + due["upcoming"]} | {n["contact"] for n in due["no_next_step"]}
    assert "Amy Wu" not in people
    assert "Tom Wu" not in people


def _load_example():
    spec = importlib.util.spec_from_file_location("month_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_month_example_stops_with_exit_1_on_a_failing_command(tmp_path, capsys):
    month = _load_example()

    def story(m):
        m.run("add-referral", "Sue Chen", "--from", "Bob Li")
        m.run("touch", "Nobody at all")
        m.run("due")  # never reached

    assert month.main(["--keep", str(tmp_path / "kept")], story=story) == 1
    captured = capsys.readouterr()
    assert "$ followup touch 'Nobody at all'" in captured.out
    assert "$ followup due" not in captured.out
    assert "Error:" in captured.err
    assert "stopped: `followup touch 'Nobody at all'` failed with exit code 2" in captured.err
