"""backup, check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .app import app
from .common import _state, today

if TYPE_CHECKING:
    from ..maintenance import Checked

PANEL = "Maintenance"


def _url(ctx: typer.Context) -> str:
    from ..db import resolve_url

    return resolve_url(_state(ctx).db)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


@app.command(
    "backup",
    rich_help_panel=PANEL,
    epilog="Example: followup backup ~/Dropbox/followup-backups    (writes followup-YYYY-MM-DD.db in that folder)",
)
def backup(
    ctx: typer.Context,
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="PATH",
            help="The copy: a file, or a folder to write followup-YYYY-MM-DD.db in. "
            "Default: followup-YYYY-MM-DD.db next to the database.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
) -> None:
    """Copy the SQLite database to a file, safely even while followup is in use.

    The copy is readable by you only, and replaces a file that exists only with --force. A shared PostgreSQL database is backed up with pg_dump: on one, this command shows how.
    """  # one paragraph per line: Rich keeps the line breaks of a help text
    from ..maintenance import backup_database
    from ..render import say, stdout, warn

    done = backup_database(url=_url(ctx), target=path, on=today(), force=force)
    say(
        stdout(),
        f"Backed up {_plural(done.contacts, 'contact')} and {_plural(done.touches, 'touch', 'touches')} to {done.path}.",
    )
    if done.damage:
        warn(f"The database is damaged, and so is the copy (SQLite: {done.damage}); run followup check.")
        raise typer.Exit(1)


@app.command("check", rich_help_panel=PANEL, epilog="Example: followup check    (also: followup check --json)")
def check(
    ctx: typer.Context,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the findings as JSON: database, ok, contacts, touches, problem_count, problems."
        ),
    ] = False,
) -> None:
    """Check the database for damage and for records that contradict each other.

    Runs SQLite's integrity and foreign key checks, then followup's own rules: nothing open for a lost or do-not-contact contact, one cadence touch per contact, no record pointing at a deleted contact, values followup knows. Changes nothing.

    Exit status: 0 when no problem is found; 1 when problems are found (each is listed); 2 when the database cannot be checked (no database there, a wrong --db).
    """  # one paragraph per line: Rich keeps the line breaks of a help text
    from ..maintenance import check_database
    from ..render import print_json

    report = check_database(url=_url(ctx))
    if as_json:
        print_json(report.as_json())
    else:
        _render_check(report)
    if not report.ok:
        raise typer.Exit(1)


def _render_check(report: Checked) -> None:
    from ..render import say, stdout

    out = stdout()
    counted = ""
    if report.contacts is not None:
        counted = f" in {_plural(report.contacts, 'contact')}, {_plural(report.touches or 0, 'touch', 'touches')}"
    if report.ok:
        say(out, f"No problems found{counted}.")
        return
    say(out, f"Checked {report.database}:")
    for problem in report.problems:
        say(out, f"  - {problem.message}")
    say(out, f"{_plural(report.problem_count, 'problem')} found{counted}.")
