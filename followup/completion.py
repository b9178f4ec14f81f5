"""Shell completion of contact names for CONTACT arguments (bash, zsh, fish through Typer's own
`followup --install-completion`).

The shell runs `followup` on every TAB, so this path stays light: on SQLite the names are read
with the stdlib `sqlite3` module, read-only, without SQLModel, SQLAlchemy or pydantic; a shared
PostgreSQL database is read with SQLAlchemy Core, the salesperson's own contacts only. Whatever
goes wrong (no database yet, a broken file, a server that does not answer) gives no
completions, never an error: a TAB must not print a traceback into the command line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

MAX_COMPLETIONS = 100  # more than a screen of names helps nobody; type a few more letters
TIMEOUT_S = 2  # a busy database or a slow server: give up and complete nothing


def contact_names(ctx: Any, incomplete: str) -> list[str]:
    """The names of contacts that begin with `incomplete`, on the database the command line
    names (--db, FOLLOWUP_DB or the default file)."""
    try:
        return matching(_names(_root_value(ctx, "db") or os.environ.get("FOLLOWUP_DB"), ctx), incomplete)
    except Exception:  # see the module docstring: never an error on TAB
        return []


def matching(names: list[str], incomplete: str) -> list[str]:
    """`names` that begin with `incomplete`, in alphabetical order, without repeats, at most
    MAX_COMPLETIONS. As typed, case included: Typer and the shells keep only the candidates that
    start with the word being completed, since the shell puts the candidate in its place."""
    return sorted({name for name in names if name.startswith(incomplete)}, key=str.casefold)[:MAX_COMPLETIONS]


def _root_value(ctx: Any, name: str) -> str | None:
    """A global option (`--db`, `--user`) as typed before the command."""
    root = ctx.find_root() if ctx is not None else None
    value = root.params.get(name) if root is not None else None
    return value if isinstance(value, str) and value else None


def _names(db: str | None, ctx: Any) -> list[str]:
    if db and "://" in db:
        if db.startswith("sqlite:///"):
            return _sqlite_names(Path(db.removeprefix("sqlite:///")))
        if db.startswith("sqlite:"):
            return []  # an in-memory database holds nobody
        return _server_names(db, ctx)
    if db:
        return _sqlite_names(Path(db).expanduser())
    from .config import default_db_path

    return _sqlite_names(default_db_path())


def _sqlite_names(path: Path) -> list[str]:
    """Every contact's name in the SQLite file, opened read-only: on SQLite every contact is in
    reach (team mode is PostgreSQL's)."""
    import sqlite3
    from urllib.parse import quote

    if not path.is_file():
        return []
    conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=TIMEOUT_S)
    try:
        return [name for (name,) in conn.execute("SELECT name FROM contact") if isinstance(name, str)]
    finally:
        conn.close()


def _server_names(url: str, ctx: Any) -> list[str]:
    """The names of the salesperson's own contacts on a shared database (SQLAlchemy Core only)."""
    from sqlalchemy import create_engine, text

    from .config import current_user

    engine = create_engine(url, connect_args={"connect_timeout": TIMEOUT_S} if "postgresql" in url else {})
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT name FROM contact WHERE owner = :owner"), {"owner": current_user(_root_value(ctx, "user"))}
            )
            return [name for (name,) in rows]
    finally:
        engine.dispose()
