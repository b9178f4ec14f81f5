"""`followup import`: contacts from CSV, vCard and followup's own JSON export."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """What an import added, linked and skipped; filled by each format's reader, printed by the command.

    Lines are the file's line numbers (CSV, vCard) or record positions (JSON), counted from 1.
    """

    added: list[str] = field(default_factory=list)  # names of the contacts added
    # (prospect, referrer): referrals linked from a "Referred by" value or the export
    linked: list[tuple[str, str]] = field(default_factory=list)
    # (line, name, why): rows not imported because the contact is already there
    duplicates: list[tuple[int, str, str]] = field(default_factory=list)
    # (line, name, existing contact id): imported, but a contact of the same name was already there
    possible_duplicates: list[tuple[int, str, int]] = field(default_factory=list)
    # (line, what was wrong): malformed rows; any of these fails the import unless --skip-bad
    bad: list[tuple[int, str]] = field(default_factory=list)
    # other records a JSON import brought in, by table: {"touch": 120, "sale": 3, ...}
    records: dict[str, int] = field(default_factory=dict)
