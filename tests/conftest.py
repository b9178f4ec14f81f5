"""Shared fixtures: every test gets its own temporary database and explicit dates."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner


@dataclass
class Run:
    """What one `followup` invocation did."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


CLI = Callable[..., Run]


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the user's real database, settings, clock or terminal."""
    for name in ("FOLLOWUP_DB", "FOLLOWUP_TODAY", "FOLLOWUP_DEBUG", "FOLLOWUP_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FOLLOWUP_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "followup.db"


@pytest.fixture(scope="session")
def followup_command():
    """The click command behind the Typer app, built once: Typer's own `CliRunner.invoke`
    rebuilds the whole tree on every call, which doubled the suite's time."""
    import typer.main

    from followup.cli import app

    return typer.main.get_command(app)


@pytest.fixture
def cli(db_path: Path, followup_command) -> CLI:
    """Run `followup ARGS...` in-process, as the console script would, on the test's database.

    Keyword `today="YYYY-MM-DD"` sets the clock (FOLLOWUP_TODAY) for forms such as
    `tomorrow` or `fri`; `input` feeds stdin; `env` adds variables.
    """
    runner = CliRunner()

    def run(*args: str, input: str | None = None, today: str | None = None, env: dict | None = None) -> Run:
        environment = {"FOLLOWUP_DB": str(db_path)}
        if today:
            environment["FOLLOWUP_TODAY"] = today
        environment.update(env or {})
        code = 0
        with runner.isolation(input=input, env=environment) as (out, err, _):
            try:
                followup_command.main(args=list(args), prog_name="followup")
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
        return Run(code, stdout, stderr)

    return run


@pytest.fixture
def session() -> Iterator:
    """A SQLModel session on a fresh in-memory database, migrated like a real one."""
    from sqlalchemy.pool import StaticPool
    from sqlmodel import Session, create_engine

    from followup.db import _tune_sqlite
    from followup.migrations import migrate

    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    _tune_sqlite(engine)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()


@pytest.fixture
def settings():
    from followup.config import Settings

    return Settings()
