"""import, export, calendar: contacts in and out of followup.

Each command keeps to its own section below ("# ---- import", "# ---- export", "# ---- calendar").
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from .app import app

PANEL = "Import and export"


# ---- import

SHOWN = 10  # names listed under each heading of the summary; the rest are counted


@app.command(
    "import",
    rich_help_panel=PANEL,
    epilog="Example: followup import contacts.csv --dry-run    (then without --dry-run; also .vcf and followup's .json export)",
)
def import_contacts(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A CSV file whose first line names the columns (Google Contacts, Outlook, a spreadsheet, "
            "followup export), a vCard file (.vcf) from a phone or address book, or followup's JSON export.",
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added, linked and skipped; write nothing.")
    ] = False,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad", help="Import the good rows and list the bad ones; without it any bad row stops the import."
        ),
    ] = False,
) -> None:
    """Import contacts from CSV, vCard or followup's JSON export: duplicates skipped, referrals linked.

    A row with the same name and the same phone or e-mail as a contact you have (or an earlier row) is skipped, so importing a file twice adds nothing; the same name alone is imported and reported. A "Referred by" column naming a contact links the referral. New contacts get no follow-up: they show under "no next step" in followup due. All or nothing: one bad row stops the import unless --skip-bad.
    """  # one paragraph per line: Rich keeps the line breaks of a help text
    from pathlib import Path

    from ..importer import import_file
    from .common import salesperson, today, transaction

    path = Path(file).expanduser()
    with _ProgressBar() as progress, transaction(ctx) as session:
        report = import_file(
            session=session,
            who=salesperson(ctx, session),
            path=path,
            on=today(),
            skip_bad=skip_bad,
            dry_run=dry_run,
            progress=progress,
        )
        if dry_run:
            session.rollback()
    _render_import(report, file=file, dry_run=dry_run)


class _ProgressBar:
    """A Rich progress bar on stderr for a file of more than a few hundred rows, when stderr is a terminal;
    otherwise nothing is drawn."""

    MIN_ROWS = 300

    def __enter__(self):
        import sys

        self._progress = None
        self._task = None
        if not sys.stderr.isatty():
            return None
        return self._update

    def _update(self, what: str, done: int, total: int) -> None:
        if total <= self.MIN_ROWS:
            return
        if self._progress is None:
            from rich.progress import Progress

            from ..render import stderr

            self._progress = Progress(console=stderr(), transient=True)
            self._progress.start()
            self._task = self._progress.add_task(what, total=total)
        self._progress.update(self._task, description=what, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _render_import(report, *, file: str, dry_run: bool) -> None:
    from ..render import say, stdout

    out = stdout()
    linked = len(report.linked) + len(report.referred_by_name)
    parts = [
        f"{'would add' if dry_run else 'added'} {_plural(len(report.added), 'contact')}",
        f"{'would link' if dry_run else 'linked'} {_plural(linked, 'referral')}",
        f"{_plural(len(report.duplicates), 'duplicate')} skipped",
        f"{_plural(len(report.possible_duplicates), 'possible duplicate')}",
        f"{_plural(len(report.bad), 'bad row')}" + (" skipped" if report.bad else ""),
    ]
    records = ", ".join(f"{n} {table}" for table, n in report.records.items() if n)
    head = f"{'Dry run, nothing written: ' if dry_run else ''}{file} ({report.format}): " + ", ".join(parts)
    say(out, head + (f"; also records: {records}" if records else "") + ".")
    where = "record" if report.format == "JSON" else "line"

    def section(title: str, lines: list[str]) -> None:
        if not lines:
            return
        say(out, title, style="bold")
        for line in lines[:SHOWN]:
            say(out, f"  {line}")
        if len(lines) > SHOWN:
            say(out, f"  ... and {len(lines) - SHOWN} more")

    section("Would add:" if dry_run else "Added:", report.added)
    section(
        "Referrals:",
        [f"{prospect}, referred by {referrer}" for prospect, referrer in report.linked]
        + [f"{prospect}, referred by {name} (by name only: {why})" for prospect, name, why in report.referred_by_name],
    )
    section("Duplicates skipped:", [f"{where} {line}: {name}: {why}" for line, name, why in report.duplicates])
    section(
        "Possible duplicates (imported; a contact of the same name was already there):",
        [f"{where} {line}: {name}, like #{ident}" for line, name, ident in report.possible_duplicates],
    )
    section("Bad rows (not imported):", [f"{where} {line}: {what}" for line, what in report.bad])
    if report.ignored:
        what = "vCard properties" if report.format == "vCard" else "Columns"
        say(out, f"{what} not imported: {', '.join(report.ignored)}.")


# ---- export


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


class ExportWhat(StrEnum):
    contacts = "contacts"
    touches = "touches"
    followups = "followups"
    all = "all"


OutputOption = Annotated[
    str | None,
    typer.Option(
        "-o",
        "--output",
        metavar="FILE",
        help="Write to FILE (readable by you only) instead of the screen; '-' is the screen.",
        show_default=False,
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]


def _database_files(session) -> list:
    """The SQLite database's own file, which -o must never replace."""
    from pathlib import Path

    url = session.get_bind().url
    return [Path(url.database)] if url.get_backend_name() == "sqlite" and url.database else []


@app.command(
    "export",
    rich_help_panel=PANEL,
    epilog="Example: followup export -o followup.json    (also: followup export --format csv --what contacts -o contacts.csv)",
)
def export(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            case_sensitive=False,
            help="json: every table, for followup import; csv: one table, for spreadsheets.",
        ),
    ] = ExportFormat.json,
    what: Annotated[
        ExportWhat | None,
        typer.Option(
            "--what",
            case_sensitive=False,
            help="Which records. json: all (default), or contacts with their touches or follow-ups; "
            "csv: contacts (default), touches or followups.",
            show_default=False,
        ),
    ] = None,
    output_path: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Export your contacts, touches and follow-ups as JSON (re-importable) or CSV (for spreadsheets).

    JSON holds every table and round-trips through followup import. CSV cells starting with = + - @ get an apostrophe first, so a spreadsheet shows them instead of running them; followup import strips it again.
    """  # one paragraph per line: Rich keeps the line breaks of a help text
    from datetime import UTC, datetime

    from ..errors import UserError
    from ..portable import CSV_ALL, export_csv, export_json, json_text, target_file, write_private
    from ..render import say, stdout
    from .common import salesperson, transaction

    chosen = (what or (ExportWhat.all if fmt is ExportFormat.json else ExportWhat.contacts)).value
    if fmt is ExportFormat.csv and chosen == "all":
        raise UserError(CSV_ALL)
    to_screen = output_path in (None, "-")
    with transaction(ctx, write=False) as session:
        path = None if to_screen else target_file(output_path, force=force, protect=_database_files(session))
        who = salesperson(ctx, session)
        if fmt is ExportFormat.json:
            data = export_json(session=session, who=who, what=chosen, exported_at=datetime.now(UTC))
            body = json_text(data)
            counts = {name: len(rows) for name, rows in data["tables"].items()}
            rows = 0
        else:
            body, rows = export_csv(session=session, who=who, what=chosen)
            counts = None
    if path is None:
        sys.stdout.write(body)
        return
    # a spreadsheet reads UTF-8 CSV (Chinese names) only when the file starts with a byte order mark
    write_private(path, body.encode("utf-8-sig" if fmt is ExportFormat.csv else "utf-8"), force=force)
    if counts is not None:
        say(stdout(), f"Exported {_export_counts(counts)} to {path}.")
    else:
        say(stdout(), f"Exported {rows} {_CSV_ROWS[chosen][rows == 1]} to {path}.")


_CSV_ROWS = {
    "contacts": ("contacts", "contact"),
    "touches": ("touches", "touch"),
    "followups": ("follow-ups", "follow-up"),
}
_NAMED = {
    "contact": ("contacts", "contact"),
    "touch": ("touches", "touch"),
    "followup": ("follow-ups", "follow-up"),
    "sale": ("sales", "sale"),
}


def _export_counts(counts: dict[str, int]) -> str:
    """Such as: 12 contacts, 30 touches, 41 follow-ups, 3 sales and 25 other records."""
    parts = [f"{counts[t]} {_NAMED[t][counts[t] == 1]}" for t in _NAMED if t in counts]
    rest = sum(n for t, n in counts.items() if t not in _NAMED)
    if rest:
        parts.append(f"{rest} other record{'s' if rest != 1 else ''}")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


# ---- calendar


@app.command(
    "calendar",
    rich_help_panel=PANEL,
    epilog="Example: followup calendar -o ~/followup.ics --days 14    (then import followup.ics into your calendar)",
)
def calendar(
    ctx: typer.Context,
    output_path: OutputOption = None,
    days: Annotated[
        int, typer.Option("--days", min=0, max=3660, metavar="N", help="Follow-ups due up to N days ahead.")
    ] = 30,
    on: Annotated[
        str | None,
        typer.Option(
            "--on", metavar="DATE", help="The calendar's first day; overdue follow-ups land on it. Default: today."
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Open follow-ups as an iCalendar (.ics) file, one event a follow-up, for a phone or desktop calendar.

    Each event says what to do, whom, and why; overdue follow-ups land on the first day. Event ids stay the same from file to file, so importing a newer file updates the events instead of adding them twice.
    """  # one paragraph per line: Rich keeps the line breaks of a help text
    from datetime import UTC, datetime, timedelta

    from ..calendar_ics import calendar_entries, calendar_ics, database_token
    from ..portable import target_file, write_private
    from ..render import say, stdout
    from .common import day, salesperson, transaction

    first = day("--on", on)
    to_screen = output_path in (None, "-")
    with transaction(ctx, write=False) as session:
        path = None if to_screen else target_file(output_path, force=force, protect=_database_files(session))
        entries = calendar_entries(session=session, who=salesperson(ctx, session), until=first + timedelta(days=days))
        body = calendar_ics(entries, on=first, token=database_token(session), stamp=datetime.now(UTC))
    if path is None:
        sys.stdout.write(body.decode("utf-8"))
        return
    write_private(path, body, force=force)
    say(stdout(), f"Wrote {len(entries)} follow-up{'s' if len(entries) != 1 else ''} to {path}.")
