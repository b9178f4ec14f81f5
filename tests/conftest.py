"""Shared fixtures: every test gets its own temporary database and explicit dates.

Test modules (or tests) marked `pytest.mark.backends("sqlite", "postgresql")` run every test
that uses the test's database (`cli`, `db_url`, `dump`, `seed`, `session`) once per backend, with the
backend in the test id; unmarked ones stay on SQLite. The PostgreSQL runs use a throwaway
server this session starts itself (`postgres`); where the machine has no server binaries they
are skipped with the reason printed.
"""

from __future__ import annotations

import glob
import itertools
import json
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

BACKENDS = ("sqlite", "postgresql")
NO_POSTGRES = "PostgreSQL server binaries not found: install the postgresql package"


@dataclass
class Run:
    """What one `followup` invocation did."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


CLI = Callable[..., Run]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "backends(*names): run the test once per database backend named (sqlite, postgresql)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`backend` is "sqlite" unless the test or its module asks for more with the `backends` marker."""
    marker = metafunc.definition.get_closest_marker("backends")
    if marker is not None and "backend" in metafunc.fixturenames:
        unknown = set(marker.args) - set(BACKENDS)
        if unknown or not marker.args:
            raise pytest.UsageError(f"backends marker: expected some of {BACKENDS}, got {marker.args}")
        metafunc.parametrize("backend", marker.args, indirect=True)


def pytest_report_header(config: pytest.Config) -> str:
    bin_dir = postgres_bin_dir()
    return f"postgresql: {bin_dir}" if bin_dir else f"postgresql: tests skipped, {NO_POSTGRES}"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the user's real database, settings, clock or terminal."""
    for name in (
        "FOLLOWUP_DB",
        "FOLLOWUP_TODAY",
        "FOLLOWUP_DEBUG",
        "FOLLOWUP_CONFIG",
        "FOLLOWUP_USER",
        "FOLLOWUP_BUSY_TIMEOUT",
    ):
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
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test's CLI runs on: "sqlite", or "postgresql" under the `backends` marker."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_url(backend: str, db_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """What the test's `--db`/`FOLLOWUP_DB` is: the SQLite file `db_path`, or a fresh PostgreSQL
    database (already migrated, dropped after the test)."""
    yield from _database(backend, db_path, request)


@pytest.fixture
def empty_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second database on the test's backend, beside `db_url`: a SQLite file not yet created,
    or another fresh migrated PostgreSQL database."""
    yield from _database(backend, tmp_path / "second.db", request)


def _database(backend: str, path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        yield str(path)
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = server.create_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)


# each table (index NULL) and each index, read from the database's own catalog: SQLAlchemy's
# reflection was most of a dump's time on PostgreSQL
DUMP_CATALOG = {
    "sqlite": "SELECT tbl_name, CASE type WHEN 'index' THEN name END FROM sqlite_master "
    "WHERE type IN ('table', 'index') AND tbl_name NOT LIKE 'sqlite_%'",
    "postgresql": "SELECT tablename, NULL FROM pg_tables WHERE schemaname = current_schema() "
    "UNION ALL SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema()",
}


@pytest.fixture
def dump(db_url: str) -> Iterator[Callable[[], dict]]:
    """`dump()`: the test's database as data, on either backend: per table its columns, its
    indexes and its rows (sorted); compare two dumps to prove a command wrote nothing."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    # one engine for the test's dumps: on PostgreSQL its connection is kept between them (a
    # new one costs as much as the dump); a SQLite file is opened afresh each time
    sqlite = "://" not in db_url
    engine = create_engine(f"sqlite:///{db_url}", poolclass=NullPool) if sqlite else create_engine(db_url)

    def read() -> dict[str, tuple[list[str], list[str], list[tuple]]]:
        with engine.connect() as conn:
            indexes: dict[str, list[str]] = {}
            for table, index in conn.execute(text(DUMP_CATALOG[conn.dialect.name])):
                indexes.setdefault(table, []).extend([index] if index else [])
            tables = {}
            for table in sorted(indexes):
                result = conn.execute(text(f'SELECT * FROM "{table}"'))
                tables[table] = (
                    list(result.keys()),
                    sorted(indexes[table]),
                    sorted((tuple(r) for r in result), key=repr),
                )
            return tables

    yield read
    engine.dispose()


@pytest.fixture(scope="session")
def followup_command():
    """The click command behind the Typer app, built once: Typer's own `CliRunner.invoke`
    rebuilds the whole tree on every call, which doubled the suite's time."""
    import typer.main

    from followup.cli import app

    return typer.main.get_command(app)


def _invoke(command, args: list[str], *, env: dict, input: str | None = None) -> Run:
    """One in-process run of the command tree, with its own stdin, stdout, stderr and env."""
    code = 0
    with CliRunner().isolation(input=input, env=env) as (out, err, _):
        try:
            command.main(args=list(args), prog_name="followup")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return Run(code, stdout, stderr)


@pytest.fixture(scope="session")
def invoke(followup_command) -> Callable[..., Run]:
    """`invoke(args, env=...)`: a run on any database, for session-wide templates."""
    return lambda args, *, env, input=None: _invoke(followup_command, args, env=env, input=input)


# the read-only reports, which run on the stdlib sqlite3 driver on an up-to-date SQLite file
# and through SQLAlchemy elsewhere (see followup/sql.py)
REPORTS = {"due", "stats", "list"}


def _command_of(args: list[str]) -> str | None:
    """The command `followup ARGS` runs: `due` when none is named; None for --help/--version."""
    if any(a in ("--help", "-h", "--version") for a in args):
        return None
    given = iter(args)
    for arg in given:
        if arg in ("--db", "--user"):
            next(given, None)
        elif not arg.startswith("-"):
            return arg
    return "due"


def _same_outcome(one: Run, other: Run) -> bool:
    """The same exit status, output and messages; for an unexpected failure (exit 1), whose
    --debug traceback differs with the code that ran, the same last line."""
    if one.exit_code == other.exit_code == 1:
        return one.stdout == other.stdout and one.stderr.splitlines()[-1:] == other.stderr.splitlines()[-1:]
    return one == other


@pytest.fixture
def cli(backend: str, db_url: str, followup_command) -> CLI:
    """Run `followup ARGS...` in-process, as the console script would, on the test's database.

    Keyword `today="YYYY-MM-DD"` sets the clock (FOLLOWUP_TODAY) for forms such as
    `tomorrow` or `fri`; `input` feeds stdin; `env` adds variables.

    On SQLite every `due`, `stats` and `list` runs twice: as users run it (the stdlib sqlite3 read
    path) and again through SQLAlchemy (FOLLOWUP_FAST_READS=0, the path PostgreSQL takes), and
    the two must print the same bytes and exit the same way: every report the suite draws
    checks that the two read paths agree.
    """

    def run(*args: str, input: str | None = None, today: str | None = None, env: dict | None = None) -> Run:
        environment = {"FOLLOWUP_DB": db_url}
        if today:
            environment["FOLLOWUP_TODAY"] = today
        environment.update(env or {})
        result = _invoke(followup_command, list(args), env=environment, input=input)
        if backend == "sqlite" and _command_of(list(args)) in REPORTS and "FOLLOWUP_FAST_READS" not in environment:
            again = _invoke(followup_command, list(args), env={**environment, "FOLLOWUP_FAST_READS": "0"}, input=input)
            assert _same_outcome(again, result), f"followup {' '.join(args)}: the two read paths disagree"
        return result

    return run


@pytest.fixture(scope="session")
def _seed_templates() -> dict:
    return {}


@pytest.fixture
def seed(backend: str, db_path: Path, db_url: str, cli: CLI, _seed_templates: dict, tmp_path_factory, request):
    """`seed(commands)`: the test's database starts as what `commands` (each a list of `followup`
    arguments, each of which must succeed) leave behind. They run through the CLI once per
    run and backend, into a template that each test then copies. `config`: the text of the
    settings file those commands run with (the test's own settings file is left as it is);
    `today`: their clock (FOLLOWUP_TODAY)."""

    def apply(commands: list, *, config: str = "", today: str | None = None) -> None:
        key = (backend, tuple(tuple(args) for args in commands), config, today)
        if key not in _seed_templates:
            folder = tmp_path_factory.mktemp("seed")
            env = {}
            if config:
                (folder / "config.toml").write_text(config, encoding="utf-8")
                env["FOLLOWUP_CONFIG"] = str(folder / "config.toml")
            if backend == "sqlite":
                template = str(folder / "template.db")
            else:
                server = request.getfixturevalue("postgres")
                template = server.create_database()
            env["FOLLOWUP_DB"] = template if backend == "sqlite" else server.url(template)
            for args in commands:
                run = cli(*args, env=env, today=today)
                assert run.exit_code == 0, (args, run.stdout, run.stderr)
            if backend == "sqlite":
                with closing(sqlite3.connect(template)) as con:  # everything from the -wal file into the one file
                    assert con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
            _seed_templates[key] = template
        if backend == "sqlite":
            shutil.copyfile(_seed_templates[key], db_path)
        else:
            from sqlalchemy import make_url

            request.getfixturevalue("postgres").replace_database(make_url(db_url).database, _seed_templates[key])

    return apply


@pytest.fixture
def session(backend: str, request: pytest.FixtureRequest) -> Iterator:
    """A SQLModel session on a fresh database, migrated like a real one: in memory on SQLite;
    under the `backends` marker also a new database of the `postgres` server, dropped after."""
    from sqlalchemy.pool import StaticPool
    from sqlmodel import Session, create_engine

    from followup.db import _tune_sqlite, make_engine
    from followup.migrations import migrate

    server, name = None, None
    if backend == "sqlite":
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        _tune_sqlite(engine)
        migrate(engine)
    else:
        server = request.getfixturevalue("postgres")
        name = server.create_database()
        engine = make_engine(server.url(name))
    try:
        with Session(engine, expire_on_commit=False) as s:
            yield s
    finally:
        engine.dispose()
        if server is not None:
            server.drop_database(name)


@pytest.fixture
def settings():
    from followup.config import Settings

    return Settings()


# ---------------------------------------------------------------- PostgreSQL


def postgres_bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).resolve().parent == Path(pg_ctl).resolve().parent:
        return Path(initdb).resolve().parent

    def version(path: str) -> tuple:
        name = Path(path).parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit())

    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temporary folder, on 127.0.0.1 and a free port.

    `create_database()` hands out a fresh database, a copy of the migrated template; the next
    one is made in the background while a test runs (CREATE DATABASE is most of a short
    test's cost), and `drop_database()` drops in the background too. One worker thread with
    its own connection runs all of this, in order. As root, the server runs as an
    unprivileged user.
    """

    TEMPLATE = "followup_template"
    SUPERUSER = "followup"
    # far from UTC, where most users are: nothing may depend on the server's time zone
    TIME_ZONE = "Asia/Shanghai"

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.folder = Path()
        self.port = 0
        self.run_as: list[str] = []
        self._names = itertools.count(1)
        self._admin = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-admin")
        self._spare: Future | None = None
        self._force = ""
        self._strategy = ""
        self._pending: list[Future] = []
        self._started = False

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    @staticmethod
    def _scratch() -> str | None:
        """/dev/shm when it has room: creating a database there is ten times faster than on
        a disk (CREATE DATABASE creates a few hundred files, slow on some filesystems)."""
        shm = "/dev/shm"
        try:
            roomy = shutil.disk_usage(shm).free >= 1 << 30
        except OSError:
            return None
        return shm if roomy and os.access(shm, os.W_OK | os.X_OK) else None

    def _unprivileged_prefix(self) -> list[str]:
        """`runuser -u postgres --` (or nobody) when running as root, else nothing."""
        if os.geteuid() != 0:
            return []
        for user in ("postgres", "nobody"):
            try:
                entry = pwd.getpwnam(user)
            except KeyError:
                continue
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            if shutil.which("runuser"):
                return ["runuser", "-u", user, "--"]
            if shutil.which("setpriv"):
                return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups", "--"]
            break
        raise RuntimeError("running as root, and no unprivileged user or runuser/setpriv to run PostgreSQL as")

    def _run(self, tool: str, *args: str) -> None:
        command = [*self.run_as, str(self.bin_dir / tool), *args]
        proc = subprocess.run(command, cwd=self.folder, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}{log}")

    def start(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="followup-pg-", dir=self._scratch()))
        self.run_as = self._unprivileged_prefix()
        self._run(
            "initdb",
            *("-D", str(self.data), "-U", self.SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C"),
            "--no-sync",
        )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        options = (
            f"-F -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c timezone={self.TIME_ZONE}"
        )
        self._started = True  # from here on, stop() stops whatever did start
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-s", "-o", options, "start")
        import psycopg

        self._admin = psycopg.connect(self.dsn("postgres"), autocommit=True)
        self._force = " WITH (FORCE)" if self._admin.info.server_version >= 130000 else ""
        # 15+ copies a template through the WAL by default; copying its files makes and later
        # drops these small databases in half the time
        self._strategy = " STRATEGY FILE_COPY" if self._admin.info.server_version >= 150000 else ""
        self._admin.execute(f'CREATE DATABASE "{self.TEMPLATE}"')
        from sqlalchemy import create_engine

        from followup.migrations import migrate

        engine = create_engine(self.url(self.TEMPLATE))
        try:
            migrate(engine)
        finally:
            engine.dispose()

    def stop(self) -> None:
        try:
            for job in [*self._pending, *([self._spare] if self._spare else [])]:
                job.exception()  # wait for it; a failure no longer matters
            self._worker.shutdown()
            if self._admin is not None:
                self._admin.close()
            if self._started:
                try:
                    self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-s", "stop")
                except RuntimeError:
                    if (self.data / "postmaster.pid").exists():  # still running: say so
                        raise
        finally:
            if self.folder.name.startswith("followup-pg-"):
                shutil.rmtree(self.folder, ignore_errors=True)

    def dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={self.SUPERUSER} dbname={database}"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _submit(self, *statements: str, result: str | None = None) -> Future:
        """Run `statements` on the worker, in order after what is already queued; the future
        holds `result` once they ran."""

        def run() -> str | None:
            for sql in statements:
                self._admin.execute(sql)
            return result

        return self._worker.submit(run)

    def _create_sql(self, name: str, template: str) -> str:
        return f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self._strategy}'

    def _drop_sql(self, name: str) -> str:
        return f'DROP DATABASE IF EXISTS "{name}"{self._force}'

    def create_database(self, template: str | None = None, *, name: str | None = None) -> str:
        """A new database copied from `template` (default: the migrated one; "template0": empty)."""
        if template is None and name is None:
            if self._spare is None:
                self._spare = self._make_spare()
            spare, self._spare = self._spare, None
            made = spare.result()
            self._spare = self._make_spare()
            return made
        name = name or f"t{next(self._names)}"
        self._submit(self._create_sql(name, template or self.TEMPLATE)).result()
        return name

    def _make_spare(self) -> Future:
        name = f"t{next(self._names)}"
        return self._submit(self._create_sql(name, self.TEMPLATE), result=name)

    def replace_database(self, name: str, template: str) -> None:
        """Database `name` starts again as a copy of `template`."""
        self._submit(self._drop_sql(name), self._create_sql(name, template)).result()

    def drop_database(self, name: str) -> None:
        """Dropped in the background; the worker's order keeps it before any later use of the name."""
        for job in self._pending:
            if job.done():
                job.result()  # an earlier drop that failed fails this test's teardown
        self._pending = [job for job in self._pending if not job.done()]
        self._pending.append(self._submit(self._drop_sql(name)))

    def load_sqlite(self, path: Path, *, name: str) -> str:
        """A new database holding every row of the SQLite followup database at `path`, ids
        included, its sequences moved past them."""
        from sqlalchemy import create_engine, insert, select, text
        from sqlmodel import SQLModel

        import followup.models  # noqa: F401  (registers the tables)

        self.create_database(self.TEMPLATE, name=name)
        source, target = create_engine(f"sqlite:///{path}"), create_engine(self.url(name))
        try:
            with source.connect() as src, target.begin() as dst:
                for table in SQLModel.metadata.sorted_tables:
                    rows = [dict(row._mapping) for row in src.execute(select(table))]
                    if rows:
                        dst.execute(insert(table), rows)
                    dst.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f'COALESCE(MAX(id), 0) + 1, false) FROM "{table.name}"'
                        )
                    )
        finally:
            source.dispose()
            target.dispose()
        return name


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server, started on first use; the tests that need it are skipped
    (reason printed in the summary) where no server binaries exist."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip(NO_POSTGRES)
    try:
        import psycopg  # noqa: F401
    except ModuleNotFoundError:
        pytest.skip("psycopg is not installed: pip install -e '.[test]'")
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
