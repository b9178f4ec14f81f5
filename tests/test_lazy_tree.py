"""The command tree the console script runs (followup.cli.lazy.command_tree) builds a command only
when it is looked up, yet prints exactly what the fully built tree (typer.main.get_command)
prints: the same help screens, character for character, the same commands in the same order,
the same completions of command names.
"""

from __future__ import annotations

import sys

import pytest
import typer.main
from typer.testing import CliRunner

from followup.cli import app
from followup.cli.lazy import LazyCommands, command_tree
from tests.helpers import ok

SUB_GROUPS = {info.name for info in app.registered_groups}  # built with the root group (config)


def run(command, args: list[str], **env: str) -> tuple[int, str, str]:
    """One in-process run of `command` (a click group) with `args`, at a fixed terminal width."""
    code = 0
    with CliRunner().isolation(env={"COLUMNS": "100", "NO_COLOR": "1", **env}) as (out, err, _):
        try:
            command.main(args=args, prog_name="followup")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return code, out.getvalue().decode(), err.getvalue().decode()


@pytest.fixture(scope="module")
def full():
    return typer.main.get_command(app)


def built(tree) -> set[str]:
    assert isinstance(tree.commands, LazyCommands)
    return set(tree.commands.built()) - SUB_GROUPS


@pytest.mark.parametrize("columns", ["80", "100", "200"])
def test_root_help_is_the_fully_built_trees_help_and_builds_no_command(full, columns):
    tree = command_tree(app)
    lazy_help = run(tree, ["--help"], COLUMNS=columns)
    assert lazy_help == run(full, ["--help"], COLUMNS=columns)
    assert lazy_help[0] == 0 and "Usage: followup" in lazy_help[1] and "touch" in lazy_help[1]
    assert built(tree) == set()
    assert run(tree, ["-h"], COLUMNS=columns) == lazy_help
    assert built(tree) == set()


def test_every_command_help_is_the_same_and_builds_only_that_command(full):
    tree = command_tree(app)
    for name in full.commands:
        assert run(tree, [name, "--help"]) == run(full, [name, "--help"]), name
        if name not in SUB_GROUPS:
            assert name in built(tree)
    assert built(tree) == set(full.commands) - SUB_GROUPS


def test_the_same_commands_in_the_same_order_each_fully_built_when_read(full):
    tree = command_tree(app)
    assert list(tree.commands) == list(full.commands)
    assert len(tree.commands) == len(full.commands)
    assert "touch" in tree.commands and "no-such-command" not in tree.commands
    assert built(tree) == set()
    for (name, lazy), (_, eager) in zip(tree.commands.items(), full.commands.items(), strict=True):
        assert type(lazy) is type(eager), name
        assert [p.name for p in lazy.params] == [p.name for p in eager.params], name
        assert (lazy.help, lazy.short_help, lazy.hidden, lazy.rich_help_panel) == (
            eager.help,
            eager.short_help,
            eager.hidden,
            eager.rich_help_panel,
        )
    assert tree.commands["touch"] is tree.commands["touch"]  # built once


def test_running_a_command_builds_that_command_only(tmp_path):
    tree = command_tree(app)
    env = {"FOLLOWUP_DB": str(tmp_path / "followup.db"), "FOLLOWUP_TODAY": "2026-11-23"}
    code, out, err = run(tree, ["add", "Sue Chen", "--first", "2026-11-20"], **env)
    assert (code, err) == (0, ""), out
    assert built(tree) == {"add"}
    code, out, err = run(tree, ["list", "--status", "prospect"], **env)
    assert code == 0 and "Sue Chen" in out, err
    assert built(tree) == {"add", "list"}


def test_a_mistyped_command_is_refused_with_the_same_suggestion(full):
    tree = command_tree(app)
    refused = run(tree, ["tuoch", "Sue"])
    assert refused == run(full, ["tuoch", "Sue"])
    assert refused[0] == 2 and "Did you mean 'touch'" in refused[2]
    assert built(tree) == set()


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completing_a_command_name_lists_the_same_names_and_help_and_builds_nothing(full, shell):
    words = "followup to"
    env = {"_FOLLOWUP_COMPLETE": f"complete_{shell}"}
    env.update({"COMP_WORDS": words, "COMP_CWORD": "1"} if shell == "bash" else {"_TYPER_COMPLETE_ARGS": words})
    tree = command_tree(app)
    completed = run(tree, [], **env)
    assert completed == run(full, [], **env)
    assert "touch" in completed[1] and "today" not in completed[1]
    if shell == "zsh":  # zsh gets each command's short help too
        assert '"touch":"Log a call, visit' in completed[1]
    assert built(tree) == set()


def test_the_lazy_tree_prints_what_the_suites_tree_prints(cli, db_url):
    """The `cli` fixture runs the fully built tree (conftest's followup_command); the console
    script's lazy tree prints the same on the same database."""
    ok(cli("add", "Sue Chen", "--first", "2026-11-20", today="2026-11-23"))
    for args in (["list", "--status", "prospect"], ["show", "Sue Chen"], ["due", "--days", "3"]):
        expected = cli(*args, today="2026-11-23")
        got = run(command_tree(app), args, FOLLOWUP_DB=db_url, FOLLOWUP_TODAY="2026-11-23", COLUMNS="200")
        assert got == (expected.exit_code, expected.stdout, expected.stderr), args
