"""`followup import`: contacts from CSV, vCard and followup's own JSON export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from .enums import Level, Role, Source
from .errors import UserError
from .sql import chunks

if TYPE_CHECKING:
    from sqlmodel import Session

    from .services import Detail, Salesperson


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
    # what the file was read as: "CSV", "vCard" or "JSON"
    format: str = ""
    # CSV columns (or vCard properties) that import does not read, each named once
    ignored: list[str] = field(default_factory=list)
    # (prospect, referrer name, why): referrals recorded by the referrer's name only, because no
    # one contact of that name is there (as for a referrer who was deleted)
    referred_by_name: list[tuple[str, str, str]] = field(default_factory=list)


# A progress callback: (what is being done, done so far, total). The command draws the bar.
Progress = Callable[[str, int, int], None]


# ---------------------------------------------------------------- one contact as a file gives it


@dataclass
class Row:
    """One contact read from a file, checked and normalised, not yet written."""

    line: int
    name: str
    company: str | None = None
    details: list[Detail] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # each detail's search key, computed once
    tags: list[str] = field(default_factory=list)
    note: str | None = None
    role: str | None = None
    level: str | None = None
    birthday: str | None = None
    wants_news: bool = False
    do_not_contact: bool = False
    referred_by: str | None = None
    source: str | None = None
    partner: str | None = None
    referred_on: date | None = None


class BadRow(Exception):
    """What is wrong with one row; the reader reports it with the row's line number."""


def _text(value: str | None) -> str | None:
    """Trimmed text, None for nothing; lines kept (a note may have several)."""
    if value is None:
        return None
    value = value.strip()
    return value or None


_BIRTHDAY = (
    re.compile(r"(?:\d{4}|-)-?(\d{2})-?(\d{2})(?:T.*)?"),  # 1980-03-15, 19800315, --03-15, --0315, 1604-03-15T...
    re.compile(r"(\d{1,2})-(\d{1,2})"),  # 03-15, 3-15
)
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")  # Outlook: 3/15/1980 (month first); 0/0/00 is none


def parse_birthday(text: str | None, *, column: str = "Birthday") -> str | None:
    """A birthday as "MM-DD" from MM-DD, YYYY-MM-DD, the vCard forms (19800315, --0315, --03-15)
    or Outlook's M/D/YYYY; None when empty. Anything else is BadRow."""
    text = (text or "").strip()
    if not text:
        return None
    month = day = None
    if m := _SLASHED.fullmatch(text):
        if m.group(1) == m.group(2) == "0":
            return None  # Outlook's "no birthday"
        month, day = int(m.group(1)), int(m.group(2))
    else:
        for pattern in _BIRTHDAY:
            if m := pattern.fullmatch(text):
                month, day = int(m.group(1)), int(m.group(2))
                break
    if month is None or not _real_day(month, day):
        raise BadRow(f"{column}: {text!r} is not a birthday; give MM-DD or YYYY-MM-DD")
    return f"{month:02d}-{day:02d}"


def _real_day(month: int, day: int) -> bool:
    try:
        date(2000, month, day)  # a leap year: 02-29 is a birthday
    except ValueError:
        return False
    return True


_YES = {"yes", "y", "true", "1", "x", "on", "ja", "oui", "是"}
_NO = {"no", "n", "false", "0", "off", "nein", "non", "否"}


def parse_yes_no(text: str | None, *, column: str) -> bool:
    value = (text or "").strip().casefold()
    if not value or value in _NO:
        return False
    if value in _YES:
        return True
    raise BadRow(f"{column}: {text!r} is not yes or no")


def _choice(text: str | None, enum, *, column: str) -> str | None:
    value = (text or "").strip().casefold()
    if not value:
        return None
    for member in enum:
        if member.value == value:
            return member.value
    raise BadRow(f"{column}: {text!r} is not one of {', '.join(m.value for m in enum)}")


def _label(text: str | None) -> str | None:
    """A detail's label as followup keeps them: letters and single spaces, lower case, at most 40 characters."""
    from .services import MAX_LABEL_LENGTH

    if not text:
        return None
    words = re.sub(r"[^\w ]|[\d_]", " ", text).split()
    label = " ".join(words).casefold()
    return label if label and len(label) <= MAX_LABEL_LENGTH else None


def _detail(kind: str, text: str, *, column: str, label: str | None = None) -> Detail | None:
    """A phone or e-mail cell ('label: value' accepted, as `add --phone`), labelled by its column when the
    cell gives none; None for an empty cell."""
    from .services import Detail, parse_detail

    try:
        detail = parse_detail(kind, text, option=column)
    except UserError as exc:
        raise BadRow(str(exc)) from None
    if detail is not None and detail.label is None and label:
        detail = Detail(detail.kind, detail.value, label)
    return detail


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def joined_name(given: str | None, middle: str | None, family: str | None) -> str:
    """A name from its parts: 'Sue Ann Chen'; Chinese, Japanese and Korean names family name first, unspaced: '陈素'."""
    parts = [p.strip() for p in (given, middle, family) if p and p.strip()]
    if parts and all(_CJK.search(p) for p in parts):
        return "".join([family.strip()] if family and family.strip() else []) + "".join(
            p.strip() for p in (given, middle) if p and p.strip()
        )
    return " ".join(parts)


def _with_details(row: Row, details: Iterable[Detail]) -> Row:
    """`row` with `details`, one per number or address (a phone also when written with and without a
    country code); a repeat lends its label to the first when that has none."""
    from .services import PHONE, Detail, detail_key, same_phone

    kept: list[Detail] = []
    keys: list[str] = []
    for detail in details:
        key = detail_key(detail.kind, detail.value)
        for i, have in enumerate(kept):
            if have.kind == detail.kind and (keys[i] == key or (detail.kind == PHONE and same_phone(keys[i], key))):
                if have.label is None and detail.label:
                    kept[i] = Detail(have.kind, have.value, detail.label)
                break
        else:
            kept.append(detail)
            keys.append(key)
    row.details, row.keys = kept, keys
    return row


# ---------------------------------------------------------------- reading a file


def read_text(path: Path) -> str:
    """The file's text: UTF-8 with or without a BOM, or UTF-16 (as Outlook on Windows writes it) by its BOM."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{str(path)!r} does not exist; give the path of a .csv, .vcf or .json file") from None
    except IsADirectoryError:
        raise UserError(f"{str(path)!r} is a folder; give the path of a .csv, .vcf or .json file") from None
    except OSError as exc:
        raise UserError(f"{str(path)!r} cannot be read: {exc.strerror or exc}") from None
    except ValueError:  # a NUL in the path
        raise UserError(f"{str(path)!r} is not a file name; give the path of a .csv, .vcf or .json file") from None
    try:
        utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))  # Outlook on Windows writes UTF-16 with a BOM
        text = data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:  # no database keeps a NUL in text; UTF-16 without its BOM is full of them
        raise UserError(
            f"{str(path)!r} is not UTF-8 or UTF-16 text; save it from the spreadsheet or address book as UTF-8"
        )
    return text


def file_format(path: Path, text: str) -> str:
    """What the file holds, "JSON", "vCard" or "CSV": by the content where it tells, else by the extension."""
    start = text.lstrip()[:20].upper()
    if start.startswith("{"):
        return "JSON"
    if start.startswith("BEGIN:VCARD"):
        return "vCard"
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "JSON"
    if suffix in (".vcf", ".vcard"):
        return "vCard"
    return "CSV"


# ---------------------------------------------------------------- CSV

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def unescape_cell(cell: str) -> str:
    """A cell as it was before the export escaped it: "'+86 138..." -> "+86 138..."."""
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_START else cell


def _header_key(header: str) -> str:
    key = " ".join(header.replace("_", " ").split()).casefold()
    return key.replace("e-mail", "email").replace("e mail", "email")


# Phone columns named for what they are: the column gives the label.
_PHONE_COLUMNS = {
    "phone": None,
    "phones": None,
    "telephone": None,
    "phone number": None,
    "tel": None,
    "mobile": "mobile",
    "mobile phone": "mobile",
    "mobile number": "mobile",
    "cell": "mobile",
    "cell phone": "mobile",
    "business phone": "work",
    "business phone 2": "work",
    "work phone": "work",
    "company main phone": "main",
    "primary phone": "main",
    "home phone": "home",
    "home phone 2": "home",
    "other phone": "other",
    "car phone": "car",
    "assistant's phone": "assistant",
    "pager": "pager",
    "pager number": "pager",
}
_EMAIL_COLUMNS = {
    "email": None,
    "emails": None,
    "email address": None,
    "primary email": None,
    "secondary email": None,
    "work email": "work",
    "home email": "home",
}
_SINGLE = {
    "name": "name",
    "full name": "name",
    "display name": "name",
    "contact name": "name",
    "first name": "given",
    "given name": "given",
    "middle name": "middle",
    "additional name": "middle",
    "last name": "family",
    "family name": "family",
    "surname": "family",
    "company": "company",
    "company name": "company",
    "organization": "company",
    "organisation": "company",
    "organization name": "company",
    "organization 1 - name": "company",
    "referred by": "referred_by",
    "referrer": "referred_by",
    "referred on": "referred_on",
    "source": "source",
    "partner": "partner",
    "tags": "tags",
    "tag": "tags",
    "labels": "tags",
    "group membership": "tags",
    "categories": "tags",
    "notes": "note",
    "note": "note",
    "role": "role",
    "level": "level",
    "birthday": "birthday",
    "wants news": "wants_news",
    "do not contact": "do_not_contact",
}
# followup's own export: read-only columns that import leaves to followup to work out
_READ_ONLY = {"status", "touches", "last touch", "next due", "owner", "id"}
_NUMBERED = re.compile(r"(phone|email) ?(\d+)(?: address| - value)?")  # Phone 1, E-mail 2 Address, Phone 1 - Value
_NUMBERED_TYPE = re.compile(r"(phone|email) ?(\d+) - (?:type|label)")  # Google: Phone 1 - Type, E-mail 1 - Label
_GOOGLE_SEPARATOR = " ::: "
_SYSTEM_GROUPS = {"mycontacts", "starred"}  # Google's groups every contact is in: not tags


@dataclass
class _Columns:
    """What each column of a CSV header holds."""

    single: dict[str, list[int]] = field(default_factory=dict)  # field -> column indexes, first wins
    # (kind, column index, column label, index of the column giving the label or None, header)
    details: list[tuple[str, int, str | None, int | None, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _columns(header: list[str]) -> _Columns:
    from .services import EMAIL, PHONE

    cols = _Columns()
    types: dict[tuple[str, str], int] = {}
    numbered: list[tuple[str, str, int, str]] = []
    for i, raw in enumerate(header):
        key = _header_key(raw)
        if not key:
            continue
        if key in _SINGLE:
            cols.single.setdefault(_SINGLE[key], []).append(i)
        elif key in _PHONE_COLUMNS:
            cols.details.append((PHONE, i, _PHONE_COLUMNS[key], None, raw.strip()))
        elif key in _EMAIL_COLUMNS:
            cols.details.append((EMAIL, i, _EMAIL_COLUMNS[key], None, raw.strip()))
        elif m := _NUMBERED_TYPE.fullmatch(key):
            types[(m.group(1), m.group(2))] = i
        elif m := _NUMBERED.fullmatch(key):
            numbered.append((m.group(1), m.group(2), i, raw.strip()))
        elif key not in _READ_ONLY:
            cols.ignored.append(raw.strip())
    for kind, number, i, raw in numbered:
        cols.details.append((PHONE if kind == "phone" else EMAIL, i, None, types.pop((kind, number), None), raw))
    cols.details.sort(key=lambda d: d[1])  # the file's column order: the first is the main one
    cols.ignored += [header[i].strip() for i in types.values()]  # a type column without its values
    if not any(f in cols.single for f in ("name", "given", "middle", "family", "company")):
        raise UserError(
            "the CSV header has no name column; the first line must name the columns, "
            "with Name (or Full Name, or First Name and Last Name) among them"
        )
    return cols


def _delimiter(text: str) -> str:
    """The delimiter among , ; and tab: the one the header line holds most of (outside quotes)."""
    first = re.sub(r'"[^"]*"', "", text.split("\n", 1)[0])
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _cell_tags(key: str, value: str) -> list[str]:
    """The tags of a tags cell: Google's "* myContacts ::: Friends", Outlook's "A;B", followup's "a, b"."""
    if _GOOGLE_SEPARATOR.strip() in value:
        parts = value.split(":::")
    elif key == "categories" or (";" in value and "," not in value):
        parts = value.split(";")
    else:
        parts = value.split(",")
    tags = []
    for part in parts:
        part = part.strip()
        if part.startswith("* "):  # Google's system groups
            part = part[2:].strip()
            if part.casefold() in _SYSTEM_GROUPS:
                continue
        if part:
            tags.append(part)
    return tags


def _csv_row(line: int, cells: list[str], cols: _Columns, header: list[str]) -> Row:
    def cell(i: int) -> str:
        return unescape_cell(cells[i]) if i < len(cells) else ""

    def first(name: str) -> str | None:
        for i in cols.single.get(name, []):
            if value := _text(cell(i)):
                return value
        return None

    def column(name: str) -> str:
        return header[cols.single[name][0]].strip() if name in cols.single else name

    company = first("company")
    name = first("name") or joined_name(first("given"), first("middle"), first("family")) or company
    name = " ".join((name or "").split())
    if not name:
        raise BadRow("no name")
    details: list[Detail] = []
    for kind, i, label, type_index, head in cols.details:
        value = cell(i)
        if not value.strip():
            continue
        given_label = label
        if type_index is not None:
            given_label = _label(cell(type_index).replace("*", " ")) or label
        for part in value.split(":::") if _GOOGLE_SEPARATOR.strip() in value else [value]:
            if detail := _detail(kind, part, column=head, label=given_label):
                details.append(detail)
    tags: list[str] = []
    for i in cols.single.get("tags", []):
        tags += _cell_tags(_header_key(header[i]), cell(i))
    notes = [n for n in (_text(cell(i)) for i in cols.single.get("note", [])) if n]
    row = Row(
        line=line,
        name=name,
        company=company,
        tags=tags,
        note="\n".join(notes) or None,
        role=_choice(first("role"), Role, column=column("role")),
        level=_choice(first("level"), Level, column=column("level")),
        birthday=parse_birthday(first("birthday"), column=column("birthday")),
        wants_news=parse_yes_no(first("wants_news"), column=column("wants_news")),
        do_not_contact=parse_yes_no(first("do_not_contact"), column=column("do_not_contact")),
    )
    _with_details(row, details)
    _referral_fields(
        row,
        referred_by=first("referred_by"),
        source=first("source"),
        partner=first("partner"),
        referred_on=first("referred_on"),
        columns=(column("source"), column("partner"), column("referred_on")),
    )
    return row


def _referral_fields(
    row: Row,
    *,
    referred_by: str | None,
    source: str | None,
    partner: str | None,
    referred_on: str | None,
    columns: tuple[str, str, str],
) -> None:
    source_column, partner_column, on_column = columns
    row.referred_by = " ".join(referred_by.split()) if referred_by else None
    if row.referred_by is None:
        for value, column in ((source, source_column), (partner, partner_column), (referred_on, on_column)):
            if value:
                raise BadRow(f"{column}: {value!r} given, but no Referred by names who referred {row.name}")
        return
    from .services import name_key

    if name_key(row.referred_by) == name_key(row.name):
        raise BadRow(f"{row.name} cannot refer themselves; Referred by names the person who referred them")
    from .services import exchange_partner

    row.source = _choice(source, Source, column=source_column)
    try:  # a partner company means a lead exchange, as `add-referral --partner`
        partner, exchange = exchange_partner(partner, Source(row.source) if row.source else None)
    except UserError as exc:
        raise BadRow(str(exc).replace("--partner", partner_column).replace("--source", source_column)) from None
    row.partner, row.source = partner, exchange.value if exchange else None
    if referred_on:
        try:
            row.referred_on = date.fromisoformat(referred_on)
        except ValueError:
            raise BadRow(f"{on_column}: {referred_on!r} is not a date; give YYYY-MM-DD") from None


def read_csv(text: str, report: ImportReport) -> list[Row]:
    """The contacts of a CSV file whose first line names the columns; bad rows go to `report.bad`."""
    # lines end at a newline only, as editors count them: a lone carriage return stays inside its cell
    reader = csv.reader(io.StringIO(text, newline="\n"), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
        if header is None:
            raise UserError("the file is empty; a CSV file's first line names the columns (Name, Company, Phone...)")
        cols = _columns(header)
        report.ignored += cols.ignored
        rows: list[Row] = []
        end = reader.line_num
        for cells in reader:
            line, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            try:
                rows.append(_csv_row(line, cells, cols, header))
            except BadRow as exc:
                report.bad.append((line, str(exc)))
    except csv.Error as exc:
        raise UserError(f"line {reader.line_num}: the CSV cannot be read ({exc})") from None
    return rows


# ---------------------------------------------------------------- vCard

_TEL_LABELS = {
    "cell": "mobile",
    "mobile": "mobile",
    "iphone": "iphone",
    "work": "work",
    "home": "home",
    "main": "main",
    "fax": "fax",
    "pager": "pager",
    "car": "car",
    "other": "other",
}
_EMAIL_LABELS = {"work": "work", "home": "home", "other": "other"}
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")  # X-ABLabel:_$!<Mobile>!$_
# what a vCard holds that import reads, or that says nothing about the contact
_VCARD_READ = {"VERSION", "FN", "N", "ORG", "TEL", "EMAIL", "NOTE", "CATEGORIES", "BDAY"}
_VCARD_SILENT = {"PRODID", "UID", "REV", "X-ABLABEL", "X-ABUID", "KIND", "SORT-STRING", "CLASS", "SOURCE", "NAME"}


def _vcard_blocks(text: str) -> Iterator[tuple[int, str]]:
    """(line of BEGIN:VCARD, the card's text) for each card, with vCard 2.1's quoted-printable soft
    line breaks (a line ending in "=") joined, which the parser does not do."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start, block = None, []
    i = 0
    while i < len(lines):
        line = lines[i]
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD" and start is None:
            start, block = i + 1, [line.strip()]
        elif start is not None:
            head = line.split(":", 1)[0].upper()
            while "QUOTED-PRINTABLE" in head and line.endswith("=") and i + 1 < len(lines):
                i += 1
                line = line[:-1] + lines[i]
            block.append(line)
            if upper == "END:VCARD":
                yield start, "\r\n".join(block) + "\r\n"
                start = None
        i += 1
    if start is not None:
        yield start, "\r\n".join(block) + "\r\n"  # no END:VCARD: the parser says so


def _types(prop) -> list[str]:
    """A property's TYPE values, lower case: TYPE=CELL,VOICE and vCard 2.1's bare TEL;CELL;PREF alike."""
    found = []
    for value in [*prop.params.get("TYPE", []), *getattr(prop, "singletonparams", [])]:
        found += [t.strip().strip('"').casefold() for t in str(value).split(",")]
    return found


def _vcard_label(prop, labels: dict[str, str], apple: dict[str, str]) -> str | None:
    if prop.group and prop.group.casefold() in apple:
        return apple[prop.group.casefold()]
    types = _types(prop)
    found = [labels[t] for t in types if t in labels]
    if "fax" in found and len(found) > 1:
        return " ".join(sorted(set(found), key=found.index))
    return found[0] if found else None


def _vcard_row(line: int, text: str, ignored: set[str]) -> Row:
    import vobject

    from .services import EMAIL, PHONE

    try:
        card = vobject.readOne(text, ignoreUnreadable=True)
    except Exception as exc:  # vobject raises its ParseError and, on some input, plain errors
        raise BadRow(f"the vCard cannot be read ({str(exc).strip() or type(exc).__name__})") from None
    props = list(card.getChildren())
    apple = {}
    for prop in props:
        if prop.name == "X-ABLABEL" and prop.group:
            m = _APPLE_LABEL.fullmatch(str(prop.value).strip())
            if label := _label(m.group(1) if m else str(prop.value)):
                apple[prop.group.casefold()] = label
    values: dict[str, list] = {}
    for prop in props:
        if prop.name not in _VCARD_READ:
            if prop.name not in _VCARD_SILENT and not prop.name.startswith("X-"):
                ignored.add(prop.name)
            continue
        values.setdefault(prop.name, []).append(prop)

    def first_text(name: str) -> str | None:
        for prop in values.get(name, []):
            value = prop.value
            if isinstance(value, list):
                value = value[0] if value else ""
            if found := _text(str(value)):
                return found
        return None

    company = first_text("ORG")
    name = first_text("FN")
    if not name and values.get("N"):
        n = values["N"][0].value
        name = joined_name(
            _str(getattr(n, "given", "")), _str(getattr(n, "additional", "")), _str(getattr(n, "family", ""))
        )
    name = " ".join((name or company or "").split())
    if not name:
        raise BadRow("no name (FN or N)")
    details: list[Detail] = []
    for kind, prop_name, labels in ((PHONE, "TEL", _TEL_LABELS), (EMAIL, "EMAIL", _EMAIL_LABELS)):
        for prop in values.get(prop_name, []):
            value = str(prop.value).strip()
            if prop_name == "EMAIL" and value.casefold().startswith("mailto:"):
                value = value[7:]
            if detail := _detail(kind, value, column=prop_name, label=_vcard_label(prop, labels, apple)):
                details.append(detail)
    tags: list[str] = []
    for prop in values.get("CATEGORIES", []):
        value = prop.value
        for tag in value if isinstance(value, list) else str(value).split(","):
            if tag.strip() and tag.strip().casefold() not in _SYSTEM_GROUPS:  # Google: CATEGORIES:myContacts
                tags.append(tag.strip())
    notes = [n for n in (_text(str(p.value)) for p in values.get("NOTE", [])) if n]
    bday = first_text("BDAY")
    row = Row(
        line=line,
        name=name,
        company=company,
        tags=tags,
        note="\n".join(notes) or None,
        birthday=parse_birthday(bday, column="BDAY") if bday else None,
    )
    return _with_details(row, details)


def _str(value) -> str:
    return " ".join(value) if isinstance(value, list) else str(value or "")


def read_vcard(text: str, report: ImportReport) -> list[Row]:
    """The contacts of a vCard file (2.1, 3.0, 4.0); bad cards go to `report.bad` by their BEGIN line."""
    import logging

    rows: list[Row] = []
    ignored: set[str] = set()
    blocks = list(_vcard_blocks(text))
    if not blocks:
        raise UserError("the file holds no vCard (no BEGIN:VCARD line)")
    # the parser logs each line it cannot read and skips it; the command's output says what it skipped
    log = logging.getLogger("vobject.base")
    disabled, log.disabled = log.disabled, True
    try:
        for line, block in blocks:
            try:
                rows.append(_vcard_row(line, block, ignored))
            except BadRow as exc:
                report.bad.append((line, str(exc)))
    finally:
        log.disabled = disabled
    report.ignored += sorted(ignored)
    return rows


# ---------------------------------------------------------------- writing: checks against indexes built once


@dataclass
class _Known:
    """A contact as the duplicate check sees it: one already there, or one this import adds."""

    id: int | None
    name: str
    line: int | None  # the file's line, for a contact this import adds
    company: str | None
    phones: list[str]
    emails: set[str]
    status: str = "prospect"

    @property
    def company_key(self) -> str:
        return _company_key(self.company)

    @property
    def has_details(self) -> bool:
        return bool(self.phones or self.emails)

    def named(self) -> str:
        return f"#{self.id}" if self.line is None else f"line {self.line}"


def _company_key(company: str | None) -> str:
    return " ".join((company or "").split()).casefold()


class _Index:
    """The contacts the duplicate check compares with, indexed by name and each phone, e-mail and
    company, so a row costs a few dictionary look-ups however many namesakes there are."""

    TAIL = 6  # same_phone's shortest match: numbers that match share their last 6 digits

    def __init__(self) -> None:
        self.names: dict[str, list[_Known]] = {}
        self.emails: dict[tuple[str, str], _Known] = {}
        self.phones: dict[tuple[str, str], _Known] = {}
        self.tails: dict[tuple[str, str], list[tuple[str, _Known]]] = {}
        self.bare: dict[tuple[str, str], _Known] = {}  # no phone, no e-mail: by company

    def add(self, key: str, known: _Known) -> None:
        self.names.setdefault(key, []).append(known)
        for email in known.emails:
            self.emails.setdefault((key, email), known)
        for phone in known.phones:
            self.phones.setdefault((key, phone), known)
            if len(tail := phone.lstrip("0")) >= self.TAIL:
                self.tails.setdefault((key, tail[-self.TAIL :]), []).append((phone, known))
        if not known.has_details:
            self.bare.setdefault((key, known.company_key), known)

    def same(self, key: str, phones: list[str], emails: set[str], company: str | None) -> str | None:
        """Why a row of this name, phones, e-mails and company is a contact already indexed, or None
        when it may be another person of that name (`add` still reports namesakes)."""
        from .services import same_phone

        for email in emails:
            if (known := self.emails.get((key, email))) is not None:
                return f"same name and e-mail as {known.named()}"
        for phone in phones:
            known = self.phones.get((key, phone))
            if known is None and len(tail := phone.lstrip("0")) >= self.TAIL:
                known = next(
                    (k for p, k in self.tails.get((key, tail[-self.TAIL :]), []) if same_phone(phone, p)), None
                )
            if known is not None:
                return f"same name and phone as {known.named()}"
        if not phones and not emails and (known := self.bare.get((key, _company_key(company)))) is not None:
            what = f"company {company}" if company else "no company"
            return f"same name, {what}, no phone or e-mail, as {known.named()}"
        return None


def _existing(session: Session, who: Salesperson) -> _Index:
    """The contacts already in reach, by name key, with their phone and e-mail keys: two queries."""
    from sqlmodel import select

    from .models import Contact, ContactDetail
    from .services import PHONE

    scope = who.scope()
    query = select(Contact.id, Contact.name, Contact.name_key, Contact.company, Contact.status)
    if scope is not None:
        query = query.where(scope)
    by_id: dict[int, tuple[str, _Known]] = {}
    for ident, name, key, company, status in session.exec(query.order_by(Contact.id)):
        by_id[ident] = (key, _Known(ident, name, None, company, [], set(), status))
    details = select(ContactDetail.contact_id, ContactDetail.kind, ContactDetail.search_key)
    if scope is not None:
        details = details.join(Contact, Contact.id == ContactDetail.contact_id).where(scope)
    for contact_id, kind, search_key in session.exec(details):
        if (found := by_id.get(contact_id)) is not None:
            (found[1].phones.append if kind == PHONE else found[1].emails.add)(search_key)
    index = _Index()
    for key, known in by_id.values():
        index.add(key, known)
    return index


CHUNK = 2000  # rows per INSERT statement batch


def _new_ids(session: Session, table, count: int) -> list[int] | None:
    """`count` fresh ids for `table` from its sequence, in one query, on PostgreSQL; None elsewhere
    (SQLite hands ids out through INSERT ... RETURNING)."""
    from sqlalchemy import text

    if session.get_bind().dialect.name != "postgresql" or not count:
        return None
    query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")
    return list(session.execute(query, {"table": table.name, "n": count}).scalars())


def _bulk_insert(session: Session, table, rows: list[dict], tick: Callable[[int], None] | None = None) -> None:
    """Insert `rows` (dicts with the same keys) into `table`: COPY on PostgreSQL, which takes
    50k contacts in a second where many-row INSERTs take tens; INSERTs of CHUNK rows on SQLite."""
    from sqlalchemy import insert

    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        columns = list(rows[0])
        raw = session.connection().connection.driver_connection
        listed = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({listed}) FROM STDIN') as copy:
            for n, row in enumerate(rows, 1):
                copy.write_row([row[c] for c in columns])
                if tick and n % CHUNK == 0:
                    tick(n)
    else:
        done = 0
        for chunk in chunks(rows, CHUNK):
            session.execute(insert(table), chunk)
            done += len(chunk)
            if tick:
                tick(done)
    if tick:
        tick(len(rows))


def import_rows(
    *,
    session: Session,
    who: Salesperson,
    rows: list[Row],
    report: ImportReport,
    on: date,
    progress: Progress | None = None,
) -> None:
    """Add `rows` as `who`'s prospects, skipping duplicates, and link their referrals; fills `report`.

    Duplicates are found against the contacts in reach (`who`'s own in team mode) and the
    earlier rows, in indexes built once; contacts, details and referrals go in as bulk INSERTs.
    Nothing is scheduled: the new contacts show under "no next step" in `followup due`.
    """
    from sqlalchemy import insert

    from .courtesy import birthday_plan
    from .models import Contact, ContactDetail, FollowUp, LevelChange, Referral
    from .services import EMAIL, PHONE, default_source, name_key, normalise_tags

    tick = progress or (lambda _what, _done, _total: None)
    index = _existing(session, who)
    new: list[tuple[Row, _Known]] = []
    namesakes: list[tuple[Row, _Known]] = []
    for n, row in enumerate(rows, 1):
        key = name_key(row.name)
        if len(row.keys) != len(row.details):  # a Row made by hand
            _with_details(row, list(row.details))
        pairs = list(zip(row.details, row.keys, strict=True))
        keys = ([k for d, k in pairs if d.kind == PHONE], {k for d, k in pairs if d.kind == EMAIL})
        why = index.same(key, keys[0], keys[1], _text(row.company))
        if why:
            report.duplicates.append((row.line, row.name, why))
            continue
        known = _Known(None, " ".join(row.name.split()), row.line, _text(row.company), keys[0], keys[1])
        if same := index.names.get(key):
            namesakes.append((row, same[0]))
        index.add(key, known)
        new.append((row, known))
        if n % 500 == 0:
            tick("Checking", n, len(rows))
    tick("Checking", len(rows), len(rows))

    created = datetime.now(UTC)
    contact_table = Contact.__table__
    statement = insert(contact_table).returning(contact_table.c.id, sort_by_parameter_order=True)
    ids = _new_ids(session, contact_table, len(new))
    if ids is not None:
        for (_row, known), ident in zip(new, ids, strict=True):
            known.id = ident
    values = []
    for row, known in new:
        phones = [d for d in row.details if d.kind == PHONE]
        emails = [d for d in row.details if d.kind == EMAIL]
        values.append(
            {
                "name": known.name,
                "name_key": name_key(known.name),
                "company": _text(row.company),
                "phone": phones[0].value if phones else None,
                "email": emails[0].value if emails else None,
                "role": row.role,
                "level": row.level,
                "tags": normalise_tags(row.tags),
                "note": _text(row.note),
                "status": "prospect",
                "do_not_contact": row.do_not_contact,
                "created_at": created,
                "owner": who.name,
                "wants_news": row.wants_news,
                "birthday": row.birthday,
            }
        )
        if known.id is not None:
            values[-1]["id"] = known.id
    if ids is not None:
        _bulk_insert(session, contact_table, values, lambda n: tick("Adding contacts", n, len(new)))
    else:
        done = 0
        for chunk, rows_of_chunk in zip(chunks(values, CHUNK), chunks(new, CHUNK), strict=True):
            for (_row, known), ident in zip(rows_of_chunk, session.execute(statement, chunk).scalars(), strict=True):
                known.id = ident
            done += len(chunk)
            tick("Adding contacts", done, len(new))

    details = []
    for row, known in new:
        positions = {PHONE: 0, EMAIL: 0}
        for d, key in zip(row.details, row.keys, strict=True):
            details.append(
                {
                    "contact_id": known.id,
                    "kind": d.kind,
                    "value": d.value,
                    "label": d.label,
                    "position": positions[d.kind],
                    "search_key": key,
                    "created_at": created,
                }
            )
            positions[d.kind] += 1
    _bulk_insert(session, ContactDetail.__table__, details)

    referrals = []
    for row, known in new:
        report.added.append(known.name)
        if row.referred_by is None:
            continue
        namesakes_of_referrer = index.names.get(name_key(row.referred_by), [])
        candidates = list(islice((k for k in namesakes_of_referrer if k is not known), 2))  # one, or several
        referrer = candidates[0] if len(candidates) == 1 else None
        if referrer is None:
            why = "several contacts have that name" if candidates else "not a contact"
            report.referred_by_name.append((known.name, row.referred_by, why))
        else:
            report.linked.append((known.name, referrer.name))
        source = row.source or (default_source(_status_only(referrer.status)).value if referrer else "network")
        partner = row.partner
        if source == Source.exchange.value and partner is None and referrer is not None:
            partner = " ".join((referrer.company or "").split()) or None  # as services.company_as_partner
        referrals.append(
            {
                "prospect_id": known.id,
                "referrer_id": referrer.id if referrer else None,
                "referrer_name": referrer.name if referrer else row.referred_by,
                "source": source,
                "referred_on": row.referred_on or on,
                "note": None,
                "created_at": created,
                "partner": partner,
            }
        )
    _bulk_insert(session, Referral.__table__, referrals)

    # as `add` does: a level starts the relationship's story, a birthday gets its greeting follow-up
    # (the one follow-up an import schedules: courtesy keeps one open for each birthday one may greet)
    levels, greetings = [], []
    for row, known in new:
        if row.level:
            levels.append(
                {"contact_id": known.id, "level": row.level, "previous": None, "day": on, "created_at": created}
            )
        if row.birthday and not row.do_not_contact:
            plan = birthday_plan(row.birthday, on=on)
            greetings.append(
                {
                    "contact_id": known.id,
                    "due": plan.due,
                    "kind": plan.kind.value,
                    "action": plan.action.value,
                    "reason": plan.reason,
                    "status": "open",
                    "cadence_step": plan.cadence_step,
                    "created_at": created,
                    "asked_for": False,
                }
            )
    _bulk_insert(session, LevelChange.__table__, levels)
    _bulk_insert(session, FollowUp.__table__, greetings)
    for row, known in namesakes:
        report.possible_duplicates.append((row.line, row.name, known.id))
    session.flush()


def _status_only(status: str):
    """What `default_source` reads of a referrer: its status."""
    from types import SimpleNamespace

    return SimpleNamespace(status=status)


# ---------------------------------------------------------------- the import as the command runs it


def read_rows(path: Path, text: str, kind: str, report: ImportReport) -> list[Row]:
    """The rows of a CSV or vCard file; bad ones are in `report.bad`."""
    report.format = kind
    return read_vcard(text, report) if kind == "vCard" else read_csv(text, report)


def import_file(
    *,
    session: Session,
    who: Salesperson,
    path: Path,
    on: date,
    skip_bad: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the contacts in `path` (CSV, vCard, or followup's JSON export) as `who`'s, in the caller's
    transaction. A bad row is a UserError naming the first one and the count, unless `skip_bad`;
    the caller rolls the transaction back for a dry run (the report is the same)."""
    report = ImportReport()
    text = read_text(path)
    kind = file_format(path, text)
    if kind == "JSON":
        _import_json(session=session, who=who, text=text, report=report, dry_run=dry_run)
    else:
        rows = read_rows(path, text, kind, report)
        if report.bad and not skip_bad:
            raise _bad_rows_error(report)
        import_rows(session=session, who=who, rows=rows, report=report, on=on, progress=progress)
    if report.bad and not skip_bad:
        raise _bad_rows_error(report)
    return report


def _bad_rows_error(report: ImportReport) -> UserError:
    line, what = report.bad[0]
    count = len(report.bad)
    more = f" (and {count - 1} more bad {'row' if count == 2 else 'rows'})" if count > 1 else ""
    where = "record" if report.format == "JSON" else "line"
    return UserError(
        f"{where} {line}: {what}{more}; nothing was imported: fix the file, or give --skip-bad to import the rest"
    )


def _import_json(*, session: Session, who: Salesperson, text: str, report: ImportReport, dry_run: bool) -> None:
    import json

    report.format = "JSON"
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UserError(f"the JSON cannot be read ({exc})") from None
    if not isinstance(data, dict):
        raise UserError("the JSON is not a followup export (an object with the tables)")
    try:
        from .portable import import_json
    except ImportError:
        raise UserError("this followup cannot read JSON exports; import a CSV or vCard file") from None
    import_json(session, who, data, report, dry_run=dry_run)
