"""A followup process killed at any moment (SIGKILL: no clean-up, no rollback of its own) leaves
a database that opens, passes SQLite's integrity check, and holds every write that returned
success, and of the write in flight either all or nothing.

The writers are real processes (tests/assets): a loop of committed transactions through the
service layer, printing each id right after its commit returns, and the real `followup sold`
stopped at chosen points of its transaction. Every date is explicit.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from followup.config import DEFAULT_PROSPECT_GAPS, Settings
from followup.db import open_engine, session_scope
from followup.enums import Kind
from followup.models import Contact, FollowUp, Sale, Touch
from followup.services import add_contact, add_referral

ASSETS = Path(__file__).parent / "assets"
ON = date(2026, 11, 2)
TIMEOUT = 30  # seconds any one child may take to reach the point where it is killed


def start(args: list[str], db_path: Path, **popen) -> subprocess.Popen:
    env = {**os.environ, "FOLLOWUP_DB": str(db_path), "FOLLOWUP_TODAY": ON.isoformat()}
    return subprocess.Popen([sys.executable, *args], env=env, **popen)


def read_lines(proc: subprocess.Popen, count: int) -> list[str]:
    """The first `count` lines of the child's stdout, waiting at most TIMEOUT seconds."""
    data, deadline = b"", time.monotonic() + TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while (lines := data.count(b"\n")) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"the writer printed {lines} lines in {TIMEOUT} s, not {count}"
            if selector.select(left):
                chunk = os.read(proc.stdout.fileno(), 65536)
                assert chunk, f"the writer ended (exit {proc.wait(TIMEOUT)}) after {lines} lines"
                data += chunk
    return data.decode().splitlines()


def kill(proc: subprocess.Popen) -> bytes:
    """SIGKILL the child; what it had printed and not yet read."""
    os.kill(proc.pid, signal.SIGKILL)
    rest = proc.communicate(timeout=TIMEOUT)[0]
    assert proc.returncode == -signal.SIGKILL, "the writer ended before it was killed"
    return rest or b""


def write_until_killed(db_path: Path, what: str, prospects: list[int], kill_after: int) -> list[str]:
    """Run tests/assets/crash_writer.py writing `what` for `prospects`, SIGKILL it once it has
    reported `kill_after` committed writes; every line it printed (one id per commit)."""
    proc = start(
        [str(ASSETS / "crash_writer.py"), str(db_path), what, ON.isoformat(), *map(str, prospects)],
        db_path,
        stdout=subprocess.PIPE,
    )
    try:
        lines = read_lines(proc, kill_after)
        return lines + kill(proc).decode().splitlines()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def reopen_and_check(db_path: Path) -> None:
    """The database opens with followup's own `open_engine` and passes `PRAGMA integrity_check`."""
    engine = open_engine(str(db_path))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    finally:
        engine.dispose()


def seed_with_services(db_path: Path, make) -> list[int]:
    engine = open_engine(str(db_path))
    try:
        with session_scope(engine) as session:
            return make(session)
    finally:
        engine.dispose()


# ---------------------------------------------------------------- a loop of committed touches


@pytest.mark.parametrize("kill_after", [5, 37, 120])
def test_sigkill_mid_batch_of_touches_keeps_every_committed_touch(db_path, kill_after):
    """A process logging touches (one committed transaction each, round-robin over 40 prospects)
    is killed with SIGKILL once it has reported `kill_after` of them.

    Proves: the database opens and passes the integrity and foreign-key checks; every touch the
    process reported after its commit is stored; at most the one touch in flight may be there
    unreported; and each touch's writes went in whole or not at all: every prospect's cadence is
    an unbroken chain (step 1 done by its first touch, one cancelled step per later touch, one
    open next touch), never a touch without its follow-up changes or the reverse.
    """
    settings = Settings()
    prospects = seed_with_services(
        db_path,
        lambda s: [
            add_contact(session=s, name=f"Prospect {i}", settings=settings, first=ON).contact.id for i in range(40)
        ],
    )
    reported = [int(line) for line in write_until_killed(db_path, "touch", prospects, kill_after)]

    reopen_and_check(db_path)
    engine = open_engine(str(db_path))
    try:
        with session_scope(engine) as session:
            touches = {t.id: t for t in session.exec(select(Touch)).all()}
            followups = defaultdict(list)
            for fu in session.exec(select(FollowUp).order_by(FollowUp.cadence_step, FollowUp.id)):
                followups[fu.contact_id].append(fu)
    finally:
        engine.dispose()
    assert len(reported) >= kill_after
    assert set(reported) <= set(touches), "a touch that returned success is missing"
    assert len(touches) - len(reported) in (0, 1)
    per_contact = defaultdict(list)
    for t in sorted(touches.values(), key=lambda t: t.id):
        per_contact[t.contact_id].append(t.id)
    for cid in prospects:
        n, fus = len(per_contact[cid]), followups[cid]
        assert [fu.cadence_step for fu in fus] == list(range(1, n + 2)), f"prospect #{cid}"
        assert [fu.status for fu in fus] == (["done"] if n else []) + ["cancelled"] * max(n - 1, 0) + ["open"]
        if n:
            assert fus[0].touch_id == per_contact[cid][0]
            assert fus[-1].due == ON + timedelta(days=DEFAULT_PROSPECT_GAPS[n - 1])


# ---------------------------------------------------------------- a loop of sales, several writes each


def sale_state(session, prospect_id: int) -> tuple:
    """What a sale to this referred prospect changes: its status, its sales, its follow-ups and
    those on its referrer about it, as (kind, status) pairs."""
    contact = session.get(Contact, prospect_id)
    sales = session.exec(select(Sale.id).where(Sale.contact_id == prospect_id)).all()
    own = session.exec(select(FollowUp.kind, FollowUp.status).where(FollowUp.contact_id == prospect_id)).all()
    about = session.exec(select(FollowUp.kind, FollowUp.status).where(FollowUp.about_contact_id == prospect_id)).all()
    return contact.status, len(sales), sorted(own), sorted(about)


AFTER_SALE = [
    (Kind.post_sale_2, "open"),
    (Kind.post_sale_4, "open"),
    (Kind.post_sale_8, "open"),
    (Kind.checkin, "open"),
]
UNSOLD = ("prospect", 0, [(Kind.touch, "open")], [(Kind.coach, "open")])
SOLD = (
    "customer",
    1,
    sorted([(Kind.touch, "cancelled"), *AFTER_SALE]),
    [(Kind.coach, "cancelled"), (Kind.thank_referrer, "open")],
)


@pytest.mark.parametrize("kill_after", [3, 30])
def test_sigkill_mid_batch_of_sales_leaves_each_sale_whole_or_absent(db_path, kill_after):
    """A process recording sales to 240 referred prospects (each sale one transaction of about
    ten writes: the sale, the status, cancelled cadence touch and coach task, 2-4-8, check-in,
    thank-you) is killed with SIGKILL once it has reported `kill_after` sales.

    Proves: the database opens and passes the integrity checks; every reported sale is there
    with all its follow-ups; every other prospect is exactly as before, untouched; at most the
    one sale in flight is there unreported, and then whole.
    """
    settings = Settings()

    def referred(session) -> list[int]:
        return [
            add_referral(
                session=session, prospect=f"Buyer {i:03d}", referrer=f"Coach {i:03d}", on=ON, settings=settings
            ).prospect.id
            for i in range(240)
        ]

    prospects = seed_with_services(db_path, referred)
    reported = {int(line) for line in write_until_killed(db_path, "sale", prospects, kill_after)}

    reopen_and_check(db_path)
    engine = open_engine(str(db_path))
    try:
        with session_scope(engine) as session:
            sales = dict(session.exec(select(Sale.id, Sale.contact_id)).all())
            states = {cid: sale_state(session, cid) for cid in prospects}
    finally:
        engine.dispose()
    assert len(reported) >= kill_after
    assert reported <= set(sales), "a sale that returned success is missing"
    assert len(sales) - len(reported) in (0, 1)
    for cid in prospects:
        assert states[cid] == (SOLD if cid in sales.values() else UNSOLD), f"prospect #{cid}"


# ---------------------------------------------------------------- `followup sold`, stopped at chosen points

SOLD_SEED = [
    ["add-referral", "Sue Chen", "--from", "Bob Li", "--on", "2026-11-02"],
    ["touch", "Sue Chen", "--on", "2026-11-03"],
]


@pytest.mark.parametrize(
    "point, kept",
    [("write:1", False), ("write:4", False), ("commit", False), ("committed", True)],
    ids=["after-first-write", "after-fourth-write", "before-commit", "after-commit"],
)
def test_sigkill_during_followup_sold_keeps_all_or_nothing(seed, dump, db_path, tmp_path, point, kept):
    """The real `followup sold` (a referred prospect: about ten writes in one transaction) is
    stopped at a chosen point and killed with SIGKILL: after its first write, after its fourth,
    with every write done but COMMIT not yet sent, and just after the commit returned.

    Proves: the database opens and passes the integrity checks each time; killed before its
    commit, the command left nothing at all (the whole database is as before, row for row);
    killed after it, the sale is there whole (status, 2-4-8, check-in, thank-you, cancelled
    cadence touch and coach task).
    """
    seed(SOLD_SEED)
    before = dump()
    marker = tmp_path / "paused"
    proc = start(
        [
            str(ASSETS / "pause_at_write.py"),
            str(marker),
            point,
            "sold",
            "Sue Chen",
            "--amount",
            "1200",
            "--on",
            "2026-11-10",
        ],
        db_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not marker.exists():
            if proc.poll() is not None:
                pytest.fail(f"`followup sold` ended (exit {proc.returncode}) before {point}: {proc.stderr.read()}")
            assert time.monotonic() < deadline, f"`followup sold` did not reach {point} in {TIMEOUT} s"
            time.sleep(0.01)
        kill(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    reopen_and_check(db_path)
    if not kept:
        assert dump() == before
        return
    engine = open_engine(str(db_path))
    try:
        with session_scope(engine) as session:
            sue = session.exec(select(Contact).where(Contact.name == "Sue Chen")).one()
            state = sale_state(session, sue.id)
            sale = session.exec(select(Sale)).one()
    finally:
        engine.dispose()
    assert (sale.day, sale.amount_cents) == (date(2026, 11, 10), 120_000)
    assert state[:2] == ("customer", 1)
    assert state[2] == sorted([(Kind.touch, "done"), (Kind.touch, "cancelled"), *AFTER_SALE])
    assert state[3] == [(Kind.coach, "cancelled"), (Kind.thank_referrer, "open")]
