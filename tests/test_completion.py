"""Shell completion: Typer's own --show-completion / --install-completion, and contact names for
CONTACT arguments, driven through Typer's completion protocol in a real `followup` process
(_FOLLOWUP_COMPLETE=complete_bash with COMP_WORDS and COMP_CWORD, as the installed script runs it)."""

from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.backends("sqlite", "postgresql")

SEED = [
    ["--user", "alice", "add", "Sue Chen", "--first", "2026-11-20"],
    ["--user", "alice", "add", "Sue Allen"],
    ["--user", "alice", "add", "Susan Wu"],
    ["--user", "alice", "add", "陈素"],
    ["--user", "alice", "add", "陈素芳"],
    ["--user", "alice", "add", "Tom Li"],
    ["--user", "bob", "add", "Sue Bob's"],  # another salesperson's contact
]


def followup(*env_pairs: tuple[str, str], args: list[str] | None = None, env: dict | None = None, home: Path):
    """One `python -m followup` process with a clean environment plus `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "_FOLLOWUP", "COMP_", "_TYPER"))}
    base.update(HOME=str(home), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "followup", *(args or [])], capture_output=True, text=True, env=base, timeout=60
    )


def complete(words: str, *, db: str | None, home: Path, user: str = "alice", shell: str = "bash", extra=None):
    """What the shell gets for TAB after `words` (the last word is the one being completed)."""
    env = {"_FOLLOWUP_COMPLETE": f"complete_{shell}", "FOLLOWUP_USER": user, **(extra or {})}
    if db is not None:
        env["FOLLOWUP_DB"] = db
    if shell == "bash":
        # bash's words, a quoted name being one of them; the last may be empty (TAB after a space)
        parts = shlex.split(words) + ([""] if words.endswith(" ") else [])
        env.update(COMP_WORDS=words, COMP_CWORD=str(len(parts) - 1))
    else:
        env["_TYPER_COMPLETE_ARGS"] = words
    run = followup(env=env, home=home)
    assert run.returncode == 0, run
    assert run.stderr == "", run.stderr
    return run.stdout.rstrip("\n")  # bash gets one empty line for no completion


@pytest.fixture
def book(seed, tmp_path):
    seed(SEED, today="2026-11-19")
    return tmp_path


def test_tab_on_a_contact_lists_the_names_that_begin_with_the_word(book, db_url, backend):
    names = complete("followup touch Sue", db=db_url, home=book).splitlines()
    bobs = ["Sue Bob's"] if backend == "sqlite" else []  # team mode: only alice's own on a shared database
    assert names == sorted(["Sue Allen", "Sue Chen", *bobs])
    assert complete("followup show 陈", db=db_url, home=book).splitlines() == ["陈素", "陈素芳"]
    assert complete("followup sold T", db=db_url, home=book).splitlines() == ["Tom Li"]
    assert complete("followup lost Zed", db=db_url, home=book) == ""
    assert complete("followup edit ", db=db_url, home=book).count("\n") == (6 if backend == "postgresql" else 7) - 1


def test_every_contact_argument_completes(book, db_url):
    for command in (
        "touch", "schedule", "sold", "lost", "show", "edit", "rm", "ask", "add-referral", "merge", "complaint"
    ):  # fmt: skip
        assert "Tom Li" in complete(f"followup {command} To", db=db_url, home=book), command
    assert "Tom Li" in complete("followup gave-lead 'Nair Systems' To", db=db_url, home=book)
    assert "Tom Li" in complete("followup merge 'Sue Chen' To", db=db_url, home=book)
    assert "Tom Li" in complete("followup add-referral Eve --from To", db=db_url, home=book)


def test_the_database_given_with_db_is_the_one_read(book, db_url, tmp_path):
    elsewhere = tmp_path / "none.db"
    assert complete(f"followup --db {db_url} touch Su", db=str(elsewhere), home=book).splitlines()[0] == "Sue Allen"
    assert complete(f"followup --db {elsewhere} touch Su", db=db_url, home=book) == ""
    assert not elsewhere.exists()  # completion never creates a database


def test_zsh_and_fish_get_the_names_too(book, db_url):
    assert "Sue Chen" in complete("followup touch Sue", db=db_url, home=book, shell="zsh")
    assert "Sue Chen" in complete("followup touch Sue", db=db_url, home=book, shell="fish", extra={
        "_TYPER_COMPLETE_FISH_ACTION": "get-args"
    })  # fmt: skip


def test_settings_keys_complete(book):
    assert complete("followup config set due", db=None, home=book).splitlines() == ["due.max_rows"]
    assert complete("followup config unset cadence.a", db=None, home=book).splitlines() == ["cadence.after_sale"]


@pytest.mark.backends("sqlite")
def test_a_missing_or_broken_database_completes_nothing_and_says_nothing(tmp_path, backend):
    assert complete("followup touch Sue", db=str(tmp_path / "missing.db"), home=tmp_path) == ""
    assert complete("followup touch Sue", db=None, home=tmp_path) == ""  # the default file does not exist yet
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    assert complete("followup touch Sue", db=str(garbage), home=tmp_path) == ""
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # a SQLite file without followup's tables
    assert complete("followup touch Sue", db=str(empty), home=tmp_path) == ""
    server = "postgresql+psycopg://nobody@127.0.0.1:1/nothing"  # no server listens on port 1
    assert complete("followup touch Sue", db=server, home=tmp_path) == ""
    assert not (tmp_path / "missing.db").exists()
    assert not list((tmp_path / "xdg-data").glob("**/*.db")) if (tmp_path / "xdg-data").exists() else True


@pytest.mark.backends("sqlite")
def test_completion_reads_the_database_without_writing_it(book, db_path, backend):
    before = db_path.read_bytes()
    assert "Sue Chen" in complete("followup touch Sue", db=str(db_path), home=book)
    assert db_path.read_bytes() == before
    assert not Path(f"{db_path}-journal").exists()


def test_show_completion_prints_the_script_for_each_shell(tmp_path):
    for shell, marker in (("bash", "complete_bash"), ("zsh", "complete_zsh"), ("fish", "complete_fish")):
        run = followup(
            args=["--show-completion", shell], env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}, home=tmp_path
        )
        assert run.returncode == 0, run
        assert "_FOLLOWUP_COMPLETE" in run.stdout and marker in run.stdout


def test_install_completion_writes_the_script_into_the_users_shell_setup(tmp_path):
    run = followup(
        args=["--install-completion", "bash"], env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}, home=tmp_path
    )
    assert run.returncode == 0, run
    assert "bash completion installed" in run.stdout
    script = tmp_path / ".bash_completions" / "followup.sh"
    assert "_FOLLOWUP_COMPLETE=complete_bash" in script.read_text()
    assert str(script) in (tmp_path / ".bashrc").read_text()


def test_help_lists_the_completion_options(tmp_path):
    run = followup(args=["--help"], home=tmp_path)
    assert run.returncode == 0
    assert "--install-completion" in run.stdout and "--show-completion" in run.stdout


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("flag", ["--install-completion", "--show-completion"])
def test_completion_from_a_shell_it_does_not_support_is_one_error_line(tmp_path, flag, backend):
    """Run from plain sh, Typer would print "Shell sh is not supported." and exit 1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("_TYPER", "_FOLLOWUP"))}
    env["HOME"] = str(tmp_path / "home")
    run = subprocess.run(
        ["/bin/sh", "-c", f'"{sys.executable}" -m followup {flag}; exit $?'],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 2, run
    assert run.stdout == ""
    assert run.stderr.startswith(f"Error: {flag}: completion works in bash, zsh, fish and PowerShell")
    assert run.stderr.count("\n") == 1
    assert not (tmp_path / "home").exists()  # nothing installed
