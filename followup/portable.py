"""followup's own export and its JSON import reader.

JSON round-trips every table: the tables and columns are read from the models' metadata, so a
column or table added later is exported and imported without editing this module. CSV is for
spreadsheets: one table per file (contacts, touches or follow-ups), cells that a spreadsheet
would run as a formula prefixed with an apostrophe.

`import_json` is what `followup import` calls for a .json file: every record is inserted with
new ids, the references between them remapped; a contact already in the database is skipped
with everything that belongs to it, so importing the same export twice adds nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert, select, text
from sqlalchemy import types as sqltypes
from sqlmodel import Session, SQLModel

from . import models  # noqa: F401  (registers every table in SQLModel.metadata)
from .errors import UserError
from .models import Contact, ContactDetail, FollowUp, Referral, Touch
from .services import Salesperson, name_key, same_phone, tag_list
from .sql import chunks

if TYPE_CHECKING:
    from .importer import ImportReport

FORMAT = "followup-export"
VERSION = 1
WHATS = ("contacts", "touches", "followups", "all")
FORMATS = ("json", "csv")
# what --what picks in JSON; the contacts' own tables always come along, as the rest refers to them
CONTACT_TABLES = ("contact", "contact_detail", "referral", "level_change")
WHAT_TABLES = {"contacts": (), "touches": ("touch",), "followups": ("followup",)}
CSV_ALL = "csv holds one table; use --format json or --what contacts/touches/followups"


def schema_step() -> str:
    """The last migration step: the schema the export was written with."""
    from .migrations import MIGRATIONS

    return MIGRATIONS[-1][0]


def model_tables() -> list[Table]:
    """Every model table, each after the tables it refers to."""
    return list(SQLModel.metadata.sorted_tables)


# ---------------------------------------------------------------- columns


def _base_type(column) -> sqltypes.TypeEngine:
    kind = column.type
    return kind.impl if isinstance(kind, sqltypes.TypeDecorator) else kind


INT32 = 2**31 - 1
INT64 = 2**63 - 1


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


def to_json_value(value: Any) -> Any:
    """A column's value as JSON holds it: ISO dates and date-times (UTC), "HH:MM:SS" times."""
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def _references(table: Table) -> list[tuple[str, str, bool]]:
    """(column, table it refers to, whether the record belongs to that one): a NOT NULL
    reference is the record's owner; a nullable one is a mention, dropped when absent."""
    found = []
    for column in table.columns:
        for fk in column.foreign_keys:
            found.append((column.name, fk.column.table.name, not column.nullable))
    return found


def _owning_contact_column(table: Table):
    """The column saying which contact a record belongs to, or None (the contact table itself,
    or a table whose records merely mention a contact)."""
    for name, target, owned in _references(table):
        if target == "contact" and owned:
            return table.c[name]
    return None


def _scoped(table: Table, who: Salesperson):
    """`select(table)` kept to `who`'s records in team mode: their contacts and what belongs to them."""
    query = select(table)
    if "id" in table.c:
        query = query.order_by(table.c.id)
    scope = who.scope()
    if scope is None:
        return query
    if table.name == "contact":
        return query.where(scope)
    owning = _owning_contact_column(table)
    if owning is not None:
        return query.where(owning.in_(select(Contact.id).where(scope)))
    if "owner" in table.c:
        return query.where(who.scope(table.c.owner))
    return query


# ---------------------------------------------------------------- JSON export


def export_json(*, session: Session, who: Salesperson, what: str = "all", exported_at: datetime) -> dict:
    """The export as data: {"format", "version", "schema", "exported_at", "tables": {name: [record]}}."""
    wanted = None if what == "all" else {*CONTACT_TABLES, *WHAT_TABLES[what]}
    tables: dict[str, list[dict]] = {}
    for table in model_tables():
        if wanted is not None and table.name not in wanted:
            continue
        names = [c.name for c in table.columns]
        plain = [_kind_of(c) not in ("date", "datetime", "time") for c in table.columns]
        tables[table.name] = [
            dict(zip(names, [v if keep else to_json_value(v) for v, keep in zip(row, plain, strict=True)], strict=True))
            for row in session.execute(_scoped(table, who))
        ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema": schema_step(),
        "exported_at": _utc(exported_at).isoformat(timespec="seconds"),
        "tables": tables,
    }


def json_text(data: dict) -> str:
    """The export as text: a record a line (json's C encoder: an indented dump is ten times slower)."""

    def dumped(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    head = ",\n".join(f" {dumped(key)}: {dumped(value)}" for key, value in data.items() if key != "tables")
    tables = ",\n".join(
        f"  {dumped(name)}: ["
        + ",".join(f"\n   {dumped(record)}" for record in records)
        + ("\n  ]" if records else "]")
        for name, records in data["tables"].items()
    )
    return "{\n" + head + ',\n "tables": {\n' + tables + "\n }\n}\n"


# ---------------------------------------------------------------- CSV export

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or a tab or carriage
    return) gets an apostrophe first, so `=HYPERLINK(...)` is not run and `+86 ...` stays a
    number as typed; `followup import` strips the apostrophe again."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _detail_cell(value: str, label: str | None) -> str:
    return f"{label}: {value}" if label else value


def _count_of(model, contact_column):
    from sqlalchemy import func

    return select(func.count()).select_from(model).where(contact_column == Contact.id).scalar_subquery()


def csv_contacts(*, session: Session, who: Salesperson) -> tuple[list[str], list[list]]:
    """Name, Company, Phone 1..N, E-mail 1..N, Role, Level, Tags, Note, Referred by, Source,
    Partner, Referred on, Birthday, Wants news, Do not contact, then the read-only Status, Touches, Last
    touch, Next due and Owner; N is the most phones (e-mails) any contact has, at least 1."""
    from sqlalchemy import func

    last_touch = select(func.max(Touch.day)).where(Touch.contact_id == Contact.id).scalar_subquery()
    next_due = (
        select(func.min(FollowUp.due))
        .where(FollowUp.contact_id == Contact.id, FollowUp.status == "open")
        .scalar_subquery()
    )
    query = (
        select(
            Contact,
            Referral.referrer_name,
            Referral.source,
            Referral.partner,
            Referral.referred_on,
            _count_of(Touch, Touch.contact_id),
            last_touch,
            next_due,
        )
        .outerjoin(Referral, Referral.prospect_id == Contact.id)
        .order_by(Contact.id)
    )
    scope = who.scope()
    if scope is not None:
        query = query.where(scope)
    rows = session.execute(query).all()
    details: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"phone": [], "email": []})
    detail_query = select(ContactDetail.contact_id, ContactDetail.kind, ContactDetail.value, ContactDetail.label)
    if scope is not None:
        detail_query = detail_query.where(ContactDetail.contact_id.in_(select(Contact.id).where(scope)))
    detail_query = detail_query.order_by(ContactDetail.contact_id, ContactDetail.position, ContactDetail.id)
    for cid, kind, value, label in session.execute(detail_query):
        details[cid].setdefault(kind, []).append(_detail_cell(value, label))
    phones = max([len(d["phone"]) for d in details.values()] + [1])
    emails = max([len(d["email"]) for d in details.values()] + [1])
    header = [
        "Name",
        "Company",
        *(f"Phone {n}" for n in range(1, phones + 1)),
        *(f"E-mail {n}" for n in range(1, emails + 1)),
        "Role",
        "Level",
        "Tags",
        "Note",
        "Referred by",
        "Source",
        "Partner",
        "Referred on",
        "Birthday",
        "Wants news",
        "Do not contact",
        "Status",
        "Touches",
        "Last touch",
        "Next due",
        "Owner",
    ]
    body = []
    for contact, referrer, source, partner, referred_on, touches, last, nxt in rows:
        mine = details.get(contact.id, {"phone": [], "email": []})
        body.append(
            [
                contact.name,
                contact.company,
                *_padded(mine.get("phone", []), phones),
                *_padded(mine.get("email", []), emails),
                contact.role,
                contact.level,
                ", ".join(tag_list(contact.tags)),
                contact.note,
                referrer,
                source,
                partner,
                _day(referred_on),
                contact.birthday,
                bool(contact.wants_news),
                bool(contact.do_not_contact),
                contact.status,
                touches,
                _day(last),
                _day(nxt),
                contact.owner,
            ]
        )
    return header, body


def _padded(values: list[str], n: int) -> list[str | None]:
    return [*values, *([None] * (n - len(values)))]


def _day(value) -> str | None:
    if value is None:
        return None
    return value[:10] if isinstance(value, str) else value.isoformat()  # SQLite: aggregates of dates as text


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def csv_touches(*, session: Session, who: Salesperson) -> tuple[list[str], list[list]]:
    header = ["Contact", "Company", "Date", "Time", "Via", "Outcome", "Purpose", "Inbound", "Goal", "Note"]
    query = select(Touch, Contact.name, Contact.company).join(Contact, Contact.id == Touch.contact_id)
    scope = who.scope()
    if scope is not None:
        query = query.where(scope)
    body = [
        [name, company, t.day, _hhmm(t.at_time), t.channel, t.outcome, t.purpose, bool(t.inbound), t.goal, t.note]
        for t, name, company in session.execute(query.order_by(Touch.day, Touch.at_time, Touch.id))
    ]
    return header, body


def csv_followups(*, session: Session, who: Salesperson) -> tuple[list[str], list[list]]:
    header = [
        "ID",
        "Contact",
        "Company",
        "Due",
        "Time",
        "Kind",
        "Action",
        "Reason",
        "Status",
        "Closed on",
        "Asked for",
    ]
    query = select(FollowUp, Contact.name, Contact.company).join(Contact, Contact.id == FollowUp.contact_id)
    scope = who.scope()
    if scope is not None:
        query = query.where(scope)
    body = [
        [
            f.id,
            name,
            company,
            f.due,
            _hhmm(f.at_time),
            f.kind,
            f.action,
            f.reason,
            f.status,
            f.closed_on,
            bool(f.asked_for),
        ]
        for f, name, company in session.execute(query.order_by(FollowUp.due, FollowUp.id))
    ]
    return header, body


CSV_TABLES = {"contacts": csv_contacts, "touches": csv_touches, "followups": csv_followups}


def export_csv(*, session: Session, who: Salesperson, what: str) -> tuple[str, int]:
    """One table as CSV text (comma-separated, quoted where needed, CRLF line ends), and its rows."""
    if what not in CSV_TABLES:
        raise UserError(CSV_ALL)
    header, body = CSV_TABLES[what](session=session, who=who)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([csv_cell(v) for v in row] for row in body)
    return out.getvalue(), len(body)


# ---------------------------------------------------------------- writing a file


def _clipped(text: str) -> str:
    return repr(text) if len(text) <= 80 else repr(text[:77] + "...")


def target_file(text: str, *, force: bool, protect: Sequence[Path] = ()) -> Path:
    """Where -o FILE writes, checked before anything is read: a plain name in an existing
    folder, not a folder, not the database (`protect`), and not a file that exists unless `force`."""
    if not text or not text.isprintable():
        raise UserError(f"-o: {_clipped(text)} is not a file name; give a plain file name such as followup.json")
    try:
        path = Path(text).expanduser()
        if path.is_dir():
            raise UserError(f"-o: {path} is a folder; give a file name in it")
        if not path.parent.is_dir():
            raise UserError(f"-o: folder {path.parent} does not exist; give a file in an existing folder")
        exists = path.exists()
        if exists and any(p.exists() and path.samefile(p) for p in protect):
            raise UserError(f"-o: {path} is the database itself; give another file name")
    except OSError as exc:  # a name too long for the filesystem, ~nobody
        raise UserError(f"-o: cannot write to {_clipped(text)} ({exc.strerror or exc})") from None
    except RuntimeError as exc:  # ~nosuchuser/file
        raise UserError(f"-o: cannot write to {_clipped(text)} ({exc})") from None
    if exists and not force:
        raise UserError(f"-o: {path} already exists; give another file name, or --force to replace it")
    return path


def write_private(path: Path, data: bytes, *, force: bool) -> None:
    """Write `data` to `path` readable by its owner only (0600: it holds people's phones and
    e-mails), whole or not at all: a temporary file beside it, synced, then moved into place;
    without `force` a file that appeared meanwhile is never replaced."""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:200]}.", suffix=".part")
    except OSError as exc:
        raise UserError(f"-o: cannot write in {path.parent} ({exc.strerror or exc})") from None
    part = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if force:
            os.replace(part, path)
        else:
            try:
                os.link(part, path)  # fails if the file appeared meanwhile
            except FileExistsError:
                raise UserError(
                    f"-o: {path} already exists; give another file name, or --force to replace it"
                ) from None
            except OSError:  # a filesystem without hard links
                if path.exists():
                    raise UserError(
                        f"-o: {path} already exists; give another file name, or --force to replace it"
                    ) from None
                os.replace(part, path)
    except OSError as exc:
        raise UserError(f"-o: cannot write {path} ({exc.strerror or exc})") from None
    finally:
        part.unlink(missing_ok=True)


# ---------------------------------------------------------------- JSON import


@dataclass
class _Column:
    name: str
    kind: str  # int, bigint, bool, date, datetime, time, str
    nullable: bool
    default: Any  # a callable giving the model's default, or None when the record must say


def _kind_of(column) -> str:
    base = _base_type(column)
    if isinstance(base, sqltypes.Boolean):
        return "bool"
    if isinstance(base, sqltypes.BigInteger):
        return "bigint"
    if isinstance(base, sqltypes.Integer):
        return "int"
    if isinstance(base, sqltypes.DateTime):
        return "datetime"
    if isinstance(base, sqltypes.Date):
        return "date"
    if isinstance(base, sqltypes.Time):
        return "time"
    return "str"


def _models_by_table() -> dict[str, type[SQLModel]]:
    found = {}
    pending = list(SQLModel.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        table = getattr(cls, "__table__", None)
        if table is not None:
            found[table.name] = cls
    return found


def _columns(table: Table, model: type[SQLModel] | None) -> dict[str, _Column]:
    fields = model.model_fields if model is not None else {}
    found = {}
    for column in table.columns:
        field = fields.get(column.name)
        default = None
        if field is not None and not field.is_required():
            default = field.default_factory or (lambda value=field.default: value)
        found[column.name] = _Column(column.name, _kind_of(column), bool(column.nullable), default)
    return found


def _bad(table: str, position: int, message: str) -> UserError:
    return UserError(f"the export's {table} record {position}: {message}; the file is damaged or not a followup export")


def _value(column: _Column, value: Any, *, table: str, position: int) -> Any:
    """A JSON value as the column holds it, or an error naming the record."""
    if value is None:
        if not column.nullable:
            raise _bad(table, position, f"{column.name} is empty")
        return None
    kind = column.kind
    if kind == "str" and value.__class__ is str and not _NOT_TEXT.search(value):
        return value  # the common case first
    shown = repr(value)[:60]
    if kind == "bool":
        if not isinstance(value, bool):
            raise _bad(table, position, f"{column.name} {shown} is not true or false")
        return value
    if kind in ("int", "bigint"):
        limit = INT64 if kind == "bigint" else INT32
        if isinstance(value, bool) or not isinstance(value, int) or not -limit <= value <= limit:
            raise _bad(table, position, f"{column.name} {shown} is not a whole number the database holds")
        return value
    if not isinstance(value, str):
        raise _bad(table, position, f"{column.name} {shown} is not text")
    if _NOT_TEXT.search(value):
        raise _bad(table, position, f"{column.name} holds characters that are not text")
    if kind == "str":
        return value
    try:
        if kind == "date":
            return date.fromisoformat(value)
        if kind == "time":
            return time.fromisoformat(value)
        parsed = datetime.fromisoformat(value)
        return _utc(parsed)
    except ValueError:
        expected = {"date": "YYYY-MM-DD", "time": "HH:MM:SS", "datetime": "an ISO date-time"}[kind]
        raise _bad(table, position, f"{column.name} {shown} is not {expected}") from None


# NUL, which PostgreSQL text cannot hold, and a lone surrogate (from a "\\ud800" escape), which no
# database can store
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


ACCEPTED = f'a followup export: a JSON object with "format": "{FORMAT}" and "version": {VERSION}'


def read_export(data: Any) -> dict[str, list[dict]]:
    """The tables of an export, checked: the format, the version, the schema, the tables."""
    from .migrations import MIGRATIONS

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError(f"this JSON file is not a followup export; followup imports {ACCEPTED}")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise UserError(f"the export has no version number; followup imports {ACCEPTED}")
    if version > VERSION:
        raise UserError(
            f"the export is version {version}, written by a newer release of followup; this one reads "
            f"version {VERSION}: upgrade followup to import it"
        )
    if version < 1:
        raise UserError(f"the export's version {version} is not one followup wrote; followup imports {ACCEPTED}")
    schema = data.get("schema")
    if schema is not None and schema not in {name for name, _ in MIGRATIONS}:
        raise UserError(
            f"the export was written with schema step {str(schema)[:60]!r}, by a newer release of followup; "
            "upgrade followup to import it"
        )
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise UserError('the export has no "tables" object; the file is damaged or not a followup export')
    known = {t.name for t in model_tables()}
    unknown = sorted(str(name)[:40] for name in tables if name not in known)
    if unknown:
        raise UserError(
            f"the export holds tables followup does not know ({', '.join(unknown[:5])}); "
            "it was written by a newer release: upgrade followup to import it"
        )
    for name, records in tables.items():
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise UserError(f"the export's {name} table is not a list of records; the file is damaged")
    return tables


def _converted(table: Table, columns: dict[str, _Column], records: list[dict]) -> list[dict]:
    rows = []
    seen: set[int] = set()
    for position, record in enumerate(records, 1):
        if record.keys() - columns.keys():
            extra = sorted(str(k)[:40] for k in record if k not in columns)
            raise _bad(table.name, position, f"unknown field {extra[0]!r}")
        if table.name == "contact" and isinstance(record.get("name"), str):
            record = {**record, "name_key": name_key(record["name"])}  # computed here, whatever the file says
        row = {}
        for name, column in columns.items():
            if name in record:
                row[name] = _value(column, record[name], table=table.name, position=position)
            elif column.default is not None:
                row[name] = column.default()
            elif column.nullable:
                row[name] = None
            else:
                raise _bad(table.name, position, f"{name} is missing")
        if "id" in columns:
            if row.get("id") is None:
                raise _bad(table.name, position, "id is missing")
            if row["id"] in seen:
                raise _bad(table.name, position, f"id {row['id']} appears twice")
            seen.add(row["id"])
        rows.append(row)
    return rows


def _same_moment(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and b is not None and _utc(a) == _utc(b)


def _duplicates(
    session: Session, who: Salesperson, contacts: list[dict], details: list[dict]
) -> tuple[dict[int, tuple[int, str]], dict[int, int]]:
    """The file's contacts already in the database, {file id: (existing id, why)}, and the file's
    contacts that only share a name with one there, {file id: existing id}.

    The same contact: the same name (any case) added at the same moment (this export, imported
    before), or the same name and a shared phone or e-mail."""
    wanted = {name_key(c["name"]) for c in contacts}
    query = select(Contact.id, Contact.name_key, Contact.created_at)
    scope = who.scope()
    if scope is not None:
        query = query.where(scope)
    by_name: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    keys = sorted(wanted)
    for chunk in chunks(keys):
        for cid, key, created in session.execute(query.where(Contact.name_key.in_(chunk))):
            by_name[key].append((cid, created))
    if not by_name:
        return {}, {}
    theirs: dict[int, set[tuple[str, str]]] = defaultdict(set)
    ids = [cid for found in by_name.values() for cid, _ in found]
    for chunk in chunks(ids):
        for cid, kind, key in session.execute(
            select(ContactDetail.contact_id, ContactDetail.kind, ContactDetail.search_key).where(
                ContactDetail.contact_id.in_(chunk)
            )
        ):
            theirs[cid].add((kind, key))
    ours: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for row in details:
        ours[row["contact_id"]].add((row["kind"], row["search_key"]))
    same: dict[int, tuple[int, str]] = {}
    namesakes: dict[int, int] = {}
    for contact in contacts:
        found = by_name.get(name_key(contact["name"]))
        if not found:
            continue
        moment = next((cid for cid, created in found if _same_moment(created, contact["created_at"])), None)
        if moment is not None:
            same[contact["id"]] = (moment, "already imported (same name, added at the same moment)")
            continue
        shared = next((cid for cid, _ in found if _share_a_detail(theirs[cid], ours[contact["id"]])), None)
        if shared is not None:
            same[contact["id"]] = (shared, "same name and a shared phone or e-mail")
            continue
        namesakes[contact["id"]] = found[0][0]
    return same, namesakes


def _share_a_detail(a: set[tuple[str, str]], b: set[tuple[str, str]]) -> bool:
    """Whether two contacts share an e-mail, or a phone number (with or without the country code)."""
    if a & b:
        return True
    phones = [key for kind, key in b if kind == "phone"]
    return any(same_phone(key, other) for kind, key in a if kind == "phone" for other in phones)


def _already_there(session: Session, table: Table, who: Salesperson, rows: list[dict]) -> set[int]:
    """For a table whose records belong to no contact (a lead given to a partner, whose contact
    may be gone): the file's records that are there already, equal in every column but the id,
    the references and the owner (the same moment of creation among them). Such tables are small."""
    compared = [c.name for c in table.columns if c.name != "id" and c.name != "owner" and not c.foreign_keys]
    query = select(*(table.c[name] for name in compared))
    if "owner" in table.c and who.scope(table.c.owner) is not None:
        query = query.where(who.scope(table.c.owner))

    def key(values) -> tuple:
        return tuple(_utc(v) if isinstance(v, datetime) else v for v in values)

    there = {key(row) for row in session.execute(query)}
    return {row["id"] for row in rows if key(row[name] for name in compared) in there}


def import_json(session: Session, who: Salesperson, data: dict, report: ImportReport, *, dry_run: bool) -> None:
    """Insert an export's records with new ids, contacts first, then each table after those it
    refers to (the models' foreign keys give the order), the references remapped.

    The contacts become `who`'s (any `owner` column is `who.name`). A contact already in the
    database is skipped with every record that belongs to it (report.duplicates); a mention of
    it elsewhere (a referrer, the other person of a coach task) points at the one there. A
    mention of a record the file does not hold (a referrer who was not exported) is left empty;
    a referral keeps the referrer's name. With `dry_run` nothing is written; the report says
    what would be. A damaged record raises UserError naming it, before anything is written."""
    tables = read_export(data)
    models_ = _models_by_table()
    order = [t for t in model_tables() if t.name in tables]
    rows = {t.name: _converted(t, _columns(t, models_.get(t.name)), tables[t.name]) for t in order}
    contacts = rows.get("contact", [])
    for position, contact in enumerate(contacts, 1):
        if not contact["name"].strip():
            raise _bad("contact", position, "the name is empty")
    same, namesakes = _duplicates(session, who, contacts, rows.get("contact_detail", []))
    names = {c["id"]: c["name"] for c in contacts}

    new_ids: dict[str, dict[int, int]] = defaultdict(dict)
    skipped: dict[str, set[int]] = defaultdict(set)
    fake = iter(range(-1, -(2**62), -1))
    for table in order:
        refs = _references(table)
        keep: list[dict] = []
        belongs_to_none = table.name != "contact" and _owning_contact_column(table) is None and "id" in table.c
        there = _already_there(session, table, who, rows[table.name]) if belongs_to_none else set()
        for position, row in enumerate(rows[table.name], 1):
            if row.get("id") in there:
                skipped[table.name].add(row["id"])
                continue
            if table.name == "contact" and row["id"] in same:
                existing, why = same[row["id"]]
                report.duplicates.append((position, row["name"], f"{why}: #{existing}"))
                skipped["contact"].add(row["id"])
                continue
            if not _remap(table, row, refs, new_ids, skipped, same, position=position):
                if "id" in row:
                    skipped[table.name].add(row["id"])
                continue
            if "owner" in table.c:
                row["owner"] = who.name
            if table.name == "contact":
                if row["id"] in namesakes:
                    report.possible_duplicates.append((position, row["name"], namesakes[row["id"]]))
                report.added.append(row["name"])
            elif table.name == "referral":
                referrer = row["referrer_name"]
                report.linked.append((names.get(_old(row, "prospect_id"), ""), referrer))
            keep.append(row)
        if table.name != "contact" and keep:
            report.records[table.name] = report.records.get(table.name, 0) + len(keep)
        if not keep:
            continue
        olds = [row.pop("id") for row in keep] if "id" in table.c else []
        for row in keep:
            row.pop("_old", None)
        fresh = [next(fake) for _ in olds] if dry_run else _reserve_ids(session, table, len(olds))
        if not dry_run:
            for row, new in zip(keep, fresh, strict=False):
                row["id"] = new
            for chunk in chunks(keep, 5000):
                session.execute(insert(table), chunk)  # executemany: batched, no RETURNING
        new_ids[table.name].update(zip(olds, fresh, strict=True))


def _reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """`count` new ids for `table`, taken before the rows are inserted with them (a bulk insert
    with RETURNING runs row by row on SQLite). PostgreSQL hands them out from the column's
    sequence, safe beside any other writer; on SQLite the import holds the write lock
    (BEGIN IMMEDIATE), so the ids after the largest one are free."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")
        return sorted(session.execute(query, {"table": table.name, "count": count}).scalars())
    from sqlalchemy import func

    largest = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar()
    return list(range(largest + 1, largest + 1 + count))


def _old(row: dict, column: str) -> Any:
    return row.get("_old", {}).get(column)


def _remap(
    table: Table,
    row: dict,
    refs: list[tuple[str, str, bool]],
    new_ids: dict[str, dict[int, int]],
    skipped: dict[str, set[int]],
    same: dict[int, tuple[int, str]],
    *,
    position: int,
) -> bool:
    """Point `row`'s references at the new ids; False when the record belongs to one not imported."""
    old: dict[str, Any] = {}
    for column, target, owned in refs:
        value = row[column]
        old[column] = value
        if value is None:
            continue
        if value in new_ids[target]:
            row[column] = new_ids[target][value]
        elif value in skipped[target]:
            if owned:
                return False
            row[column] = same[value][0] if target == "contact" and value in same else None
        elif owned:
            raise _bad(table.name, position, f"{column} {value} names no {target} record in the file")
        else:
            row[column] = None  # a mention of a record that was not exported
    row["_old"] = old
    return True
