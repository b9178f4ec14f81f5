"""Shared fixtures: every test gets its own temporary database and explicit dates."""

from __future__ import annotations

import json
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


@pytest.fixture
def cli(db_path: Path) -> CLI:
    """Run `followup ARGS...` through Typer's CliRunner on the test's database.

    Keyword `today="YYYY-MM-DD"` sets the clock (FOLLOWUP_TODAY) for forms such as
    `tomorrow` or `fri`; `input` feeds stdin; `env` adds variables.
    """
    from followup.cli import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None, today: str | None = None, env: dict | None = None) -> Run:
        environment = {"FOLLOWUP_DB": str(db_path)}
        if today:
            environment["FOLLOWUP_TODAY"] = today
        environment.update(env or {})
        result = runner.invoke(app, list(args), input=input, env=environment, catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

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
