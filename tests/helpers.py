"""Assertions the CLI tests share: a run that succeeded, a run refused with one error line."""

from __future__ import annotations


def ok(run):
    """The run exited 0; returned for chaining (`ok(cli(...)).json()`)."""
    assert run.exit_code == 0, (run.stdout, run.stderr)
    return run


def refused(run, *words: str) -> str:
    """Exit 2, one stderr line starting "Error:" that says each of `words`, nothing on stdout."""
    assert run.exit_code == 2, (run.stdout, run.stderr)
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), run.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]
