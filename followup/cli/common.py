"""What every command shares: the state of the global options, the database, dates."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from ..errors import UserError

if TYPE_CHECKING:
    from datetime import date

    from sqlmodel import Session

    from ..clock import When
    from ..config import Settings
    from ..models import Contact
    from ..people import Salesperson
    from ..sql import Reader


@dataclass
class State:
    db: str | None
    debug: bool
    user: str | None = None  # --user as given; FOLLOWUP_USER or the login name when None


def _state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State(db=os.environ.get("FOLLOWUP_DB"), debug=False)


def user(ctx: typer.Context) -> str:
    """The salesperson running the command: --user, FOLLOWUP_USER, or the login name."""
    from ..config import current_user

    return current_user(_state(ctx).user)


def salesperson(ctx: typer.Context, session: Session, *, team: bool = False) -> Salesperson:
    """Who the command acts for. On a shared PostgreSQL database each salesperson works among
    their own contacts (all of them with `team`); on SQLite every contact is in reach."""
    return _acting_on(ctx, session.get_bind().dialect.name, team=team)


def reader_salesperson(ctx: typer.Context, reader: Reader, *, team: bool = False) -> Salesperson:
    """`salesperson` for a report that reads through `reading`."""
    return _acting_on(ctx, reader.dialect, team=team)


def _acting_on(ctx: typer.Context, dialect: str, *, team: bool) -> Salesperson:
    from ..people import Salesperson

    return Salesperson(user(ctx), only_own=not team and dialect == "postgresql")


@contextmanager
def transaction(ctx: typer.Context, *, write: bool = True) -> Iterator[Session]:
    """A session on the chosen database, one transaction: all of a command's writes or none.

    `write=False` for a command that only reads: it then never holds up one that writes."""
    from ..db import open_engine, session_scope

    engine = open_engine(_state(ctx).db, write=write, user=user(ctx))
    try:
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def reading(ctx: typer.Context) -> Iterator[Reader]:
    """One read transaction for a report, on the cheapest driver: the stdlib sqlite3 module on
    an up-to-date SQLite file (no SQLAlchemy to import), else the SQLModel session of
    `transaction(ctx, write=False)`, which also migrates or explains a database it cannot use."""
    from ..schema import STEPS
    from ..sql import SessionReader, fast_reader

    with fast_reader(_state(ctx).db, steps=STEPS) as fast:
        if fast is not None:
            yield fast
            return
    with transaction(ctx, write=False) as session:
        yield SessionReader(session)


def settings() -> Settings:
    from ..config import load_settings

    return load_settings()


def today() -> date:
    from ..clock import today as clock_today

    return clock_today()


def when(option: str, text: str | None, *, future: bool = False, allow_time: bool = False) -> When | None:
    """Read a date option; the error names the option. None stays None."""
    if text is None:
        return None
    from ..clock import parse_when
    from ..errors import DateError

    try:
        return parse_when(text, today=today(), future=future, allow_time=allow_time)
    except DateError as exc:
        raise DateError(f"{option}: {exc}") from None


def day(option: str, text: str | None, *, future: bool = False) -> date:
    """A date option, today when not given."""
    parsed = when(option, text, future=future)
    return parsed.day if parsed else today()


def due_at(fu) -> str:
    """A follow-up's due date as the user reads it: `2026-12-03`, or `2026-12-03 15:00` when set for a time."""
    return fu.due.isoformat() + (f" {fu.at_time.strftime('%H:%M')}" if fu.at_time else "")


def contact(ctx: typer.Context, session: Session, ref: str) -> Contact:
    """The contact CONTACT names, among the user's own in team mode."""
    from ..services import resolve_contact

    return resolve_contact(session=session, ref=ref, who=salesperson(ctx, session))


E = TypeVar("E", bound=Enum)


def choice(option: str, value: str | None, enum: type[E], *, allow_none: bool = False) -> E | str | None:
    """A value of `enum` given as text (or 'none' to clear, where allowed)."""
    if value is None:
        return None
    text = value.strip().lower()
    if allow_none and text in ("none", ""):
        return ""
    for member in enum:
        if member.value == text:
            return member
    accepted = ", ".join(m.value for m in enum) + (", none" if allow_none else "")
    raise UserError(f"{option}: {value!r} is not one of {accepted}")


def record_id(text: str, *, what: str, where: str) -> int:
    """The id of a row the user names by number, `12` or `#12`; the error says `where` to find it."""
    cleaned = text.strip().lstrip("#")
    if not (cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 18):
        raise UserError(f"{text!r} is not a {what} id; give the number {where}, such as 12 or #12")
    return int(cleaned)


def followup_id(text: str) -> int:
    return record_id(text, what="follow-up", where="from the first column of followup due")


def logged_id(text: str, what: str) -> int:
    """The id of a logged touch, sale or ask (`what`), as `followup show` lists them."""
    return record_id(text, what=what, where=f"that followup show CONTACT gives it ({what} #12)")


# Options shared by several commands, declared once.
OnOption = Annotated[
    str | None,
    typer.Option(
        "--on", metavar="DATE", help="When it happened: YYYY-MM-DD, today, yesterday, fri, -2d... Default: today."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
AllOption = Annotated[
    bool,
    typer.Option(
        "--all",
        help="Every row: no 'N more' cap (due.max_rows / list.max_rows of followup config; JSON is never capped).",
    ),
]
TeamOption = Annotated[
    bool, typer.Option("--team", help="Everyone's contacts on a shared database, not only yours (see --user).")
]


def complete_contact(ctx: typer.Context, incomplete: str) -> list[str]:
    """TAB on a CONTACT argument: the matching contact names (see followup/completion.py)."""
    from ..completion import contact_names

    return contact_names(ctx, incomplete)


ContactArg = Annotated[
    str,
    typer.Argument(
        metavar="CONTACT",
        help="#ID, the exact name, or a unique part of the name.",
        show_default=False,
        autocompletion=complete_contact,
    ),
]

# Contact details: each phone or e-mail may carry a label, the word(s) before the first colon.
PhonesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--phone",
        metavar="PHONE",
        help="Phone number, with a label first if you like, the word(s) before a colon: "
        "'mobile: +86 138 0000 0000'; repeat for more, the first is the main one.",
    ),
]
EmailsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--email",
        metavar="EMAIL",
        help="E-mail address, with a label first if you like: 'work: sue@acme.com'; "
        "repeat for more, the first is the main one.",
    ),
]
