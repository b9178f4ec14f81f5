"""Fast start (STYLE habit 4): help and version import neither the database nor the date libraries.

Each probe runs `python -m followup ...` in a fresh interpreter through tests/assets/print_modules.py
and looks at what landed in sys.modules.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from followup.cli import app

PRINT_MODULES = Path(__file__).parent / "assets" / "print_modules.py"
DATABASE_AND_DATES = {"sqlalchemy", "sqlmodel", "dateutil"}
MARKDOWN = {"markdown_it", "pygments"}  # rich.markdown's, which typer.rich_utils imports (followup.cli.lazy)
COMMANDS = list(typer.main.get_command(app).commands)  # every registered command


def probe(*runs: list[str], db: Path) -> tuple[list[dict], str]:
    """Run each argument list in turn in one fresh interpreter; per run: args, exit, modules it imported."""
    args = [arg for run in runs for arg in (*run, "::")][:-1]
    env = {**os.environ, "FOLLOWUP_DB": str(db)}
    proc = subprocess.run(
        [sys.executable, str(PRINT_MODULES), *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["args"] for r in results] == list(runs)
    for r in results:
        r["top"] = {name.split(".")[0] for name in r["new"]}
    return results, proc.stderr


def leaks(results: list[dict], names: set[str]) -> dict[str, list[str]]:
    """Which run first imported which of `names`."""
    return {" ".join(r["args"]): sorted(r["top"] & names) for r in results if r["top"] & names}


@pytest.mark.parametrize(("args", "shown"), [(["--help"], "Usage: followup"), (["--version"], "followup 0.")])
def test_root_help_and_version_import_no_heavy_library(args, shown, tmp_path):
    db = tmp_path / "followup.db"
    (result,), output = probe(args, db=db)
    assert result["exit"] == 0, output
    assert shown in output
    assert leaks([result], DATABASE_AND_DATES | {"pydantic"} | MARKDOWN) == {}
    assert not {"rich.markdown", "rich.traceback", "typer._adapters"} & set(result["new"])
    assert not db.exists()


@pytest.fixture(scope="module")
def command_help(tmp_path_factory) -> tuple[list[dict], str, Path]:
    db = tmp_path_factory.mktemp("startup") / "followup.db"
    results, output = probe(*([command, "--help"] for command in COMMANDS), db=db)
    return results, output, db


def test_every_command_help_imports_no_database_or_date_library(command_help):
    results, output, db = command_help
    assert [r["exit"] for r in results] == [0] * len(COMMANDS), output
    assert output.count("Usage: followup ") == len(COMMANDS)
    assert leaks(results, DATABASE_AND_DATES | {"pydantic"} | MARKDOWN) == {}
    assert not db.exists()


# Typer 0.29 converts every non-flag option value (the root --db included, and the help option
# Typer makes on the fly) with a pydantic TypeAdapter; followup.cli.converters converts the
# plain valid ones itself, so no help screen loads pydantic either.


def test_the_probe_sees_a_real_command_import_them(tmp_path):
    """The control: the same probe reports the libraries when a command opens the database."""
    (result,), output = probe(["due", "--on", "Nov 5 2026"], db=tmp_path / "followup.db")
    assert result["exit"] == 0, output
    assert "Nothing due on 2026-11-05" in output
    assert leaks([result], DATABASE_AND_DATES) == {"due --on Nov 5 2026": sorted(DATABASE_AND_DATES)}


# ---------------------------------------------------------------- a command run: the Typer layer


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("small") / "followup.db"
    env = {**os.environ, "FOLLOWUP_DB": str(db), "FOLLOWUP_TODAY": "2026-11-23"}
    for args in (["add", "Sue Chen", "--first", "2026-11-20"], ["add", "Tom Li", "--first", "2026-11-24"]):
        subprocess.run([sys.executable, "-m", "followup", *args], env=env, check=True, capture_output=True, timeout=60)
    return db


@pytest.mark.parametrize(
    ("args", "shown"), [(["list", "--status", "prospect"], "Sue Chen"), (["due", "--days", "3"], "Tom Li")]
)
def test_a_command_run_converts_its_options_without_pydantic(small_book, args, shown, monkeypatch):
    """The options of a run are converted by followup.cli.converters: Typer builds no pydantic
    converter (typer._adapters), and `due`, whose own code needs no pydantic, loads none."""
    monkeypatch.setenv("FOLLOWUP_TODAY", "2026-11-23")
    (result,), output = probe(args, db=small_book)
    assert result["exit"] == 0, output
    assert shown in output
    assert "typer._adapters" not in result["new"]
    if args[0] == "due":
        assert leaks([result], {"pydantic"} | MARKDOWN) == {}


def test_rich_markdown_is_the_real_module_after_the_help_screen():
    """The stand-ins typer.rich_utils is imported with (followup.cli.lazy.import_help_renderer)
    leave sys.modules as they found it: a later import gets the real rich.markdown, and
    typer.rich_utils still draws Markdown when asked to."""
    script = (
        "import sys\n"
        "from followup.cli.lazy import import_help_renderer\n"
        "import_help_renderer()\n"
        "assert 'typer.rich_utils' in sys.modules and 'rich.markdown' not in sys.modules\n"
        "import rich.markdown, typer.rich_utils\n"
        "assert type(typer.rich_utils.Markdown('*x*')) is rich.markdown.Markdown\n"
        "assert isinstance(rich.markdown.Markdown('x'), typer.rich_utils.Markdown)\n"
        "assert typer.rich_utils.Traceback.from_exception.__self__.__module__ == 'rich.traceback'\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (0, "ok\n"), proc.stderr


# ---------------------------------------------------------------- shell completion


def test_completing_a_contact_name_imports_no_database_library_or_pydantic(tmp_path):
    """A TAB runs `followup` with _FOLLOWUP_COMPLETE set: on SQLite the names are read with the
    stdlib sqlite3 module, and the command line is parsed without Typer's pydantic conversion."""
    db = tmp_path / "followup.db"
    env = {**os.environ, "FOLLOWUP_DB": str(db), "FOLLOWUP_TODAY": "2026-11-23"}
    for args in (["add", "Sue Chen"], ["add", "Sue Allen"]):
        subprocess.run([sys.executable, "-m", "followup", *args], env=env, check=True, capture_output=True, timeout=60)
    for words, expected in (
        ("followup touch Sue", "Sue Allen\nSue Chen"),
        (f"followup --db {db} --user me show Sue", "Sue Allen\nSue Chen"),
        ("followup touch Sue --via v", "visit"),
    ):
        completing = {
            **env,
            "_FOLLOWUP_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        }
        proc = subprocess.run(
            [sys.executable, str(PRINT_MODULES)], capture_output=True, text=True, env=completing, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        (result,) = [json.loads(line) for line in proc.stdout.splitlines()]
        assert result["exit"] == 0
        assert expected in proc.stderr, proc.stderr  # print_modules.py sends the command's output there
        top = {name.split(".")[0] for name in result["new"]}
        assert top & (DATABASE_AND_DATES | {"pydantic"}) == set(), words
