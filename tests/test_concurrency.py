"""Several followup processes writing to one database at once lose nothing and double nothing.

A salesperson may run `followup` from two terminals, a script and a cron job at once; a team
points every member's `followup` at one PostgreSQL database. These tests start real
processes that write at the same moment and then check the whole database against what a
one-at-a-time history must leave: every touch present, each contact's touches counted once
each (the counts the processes were told form 1..n), the cadence follow-ups forming one
unbroken chain with exactly one open next step, and no error of any kind (in particular no
"database is locked") reaching a process.

Every touch is logged on one explicit day, so the expected final state does not depend on
the order in which the processes happened to commit. On PostgreSQL this holds because every
write transaction first takes followup's writers' lock (`followup.db`); without it, two
touches on one contact at once counted the same touches and scheduled two next touches.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from followup.clock import add_months
from followup.config import DEFAULT_PROSPECT_GAPS, Settings
from followup.db import make_engine, open_engine, session_scope
from followup.enums import Kind
from followup.models import Contact, FollowUp, Touch
from followup.services import add_contact, log_touch, mark_lost, record_sale

ASSETS = Path(__file__).parent / "assets"
ON = date(2026, 11, 2)  # the day of every touch
SOLD_ON = date(2026, 10, 20)  # the shared customer's sale: its 2-4-8 follow-ups are all due by ON
# a cadence longer than any contact's touches here, so every active prospect still expects a
# next touch at the end, and a lost or doubled step of the chain shows in the final state
LONG_GAPS = tuple(i % 7 + 1 for i in range(299))

WORKERS = 8
TOUCHES_PER_WORKER = 200
OWN_TOUCHES = 40  # on each of a worker's two own prospects
SHARED_PROSPECT_TOUCHES = 30  # by each worker on each of the three shared prospects
SHARED_OTHER_TOUCHES = 15  # by each worker on the lost prospect and on the customer


def followup_command() -> list[str]:
    """The installed console script next to this Python, else `python -m followup`."""
    script = shutil.which("followup", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "followup"]


# ---------------------------------------------------------------- the service layer, 8 x 200


def seed_contacts(db: str, settings: Settings) -> dict:
    """Two own prospects per worker, three shared prospects, a shared lost prospect and a shared
    customer whose 2-4-8 follow-ups are all due. Each prospect's first touch is due on ON."""
    engine = open_engine(db)
    try:
        with session_scope(engine) as session:

            def prospect(name: str) -> int:
                return add_contact(session=session, name=name, settings=settings, first=ON).contact.id

            own = [[prospect(f"Own {w}-{i}") for i in range(2)] for w in range(WORKERS)]
            shared = [prospect(f"Shared {i}") for i in range(3)]
            lost = add_contact(session=session, name="Gone Wu", settings=settings).contact
            mark_lost(session=session, contact=lost, on=SOLD_ON, reason="chose another supplier")
            customer = add_contact(session=session, name="Cora Lee", settings=settings).contact
            record_sale(session=session, contact=customer, on=SOLD_ON, settings=settings, amount_cents=120_000)
            return {"own": own, "shared": shared, "lost": lost.id, "customer": customer.id}
    finally:
        engine.dispose()


def worker_plans(ids: dict) -> list[list[list]]:
    """For each worker, its 200 touches [contact_id, day, unique note], in a fixed shuffled order."""
    plans = []
    for w in range(WORKERS):
        targets = [cid for cid in ids["own"][w] for _ in range(OWN_TOUCHES)]
        targets += [cid for cid in ids["shared"] for _ in range(SHARED_PROSPECT_TOUCHES)]
        targets += [ids["lost"], ids["customer"]] * SHARED_OTHER_TOUCHES
        random.Random(w).shuffle(targets)
        plans.append([[cid, ON.isoformat(), f"w{w}-{i:03d}"] for i, cid in enumerate(targets)])
    assert all(len(p) == TOUCHES_PER_WORKER for p in plans)
    return plans


def run_workers(tmp_path: Path, db: str, plans: list, *, env: dict, timeout: float) -> list[dict]:
    """Start one `touch_worker.py` process per plan, let them all start writing at once, and
    return what each reported; fails (and kills them) if they are not all done in `timeout` s."""
    go = tmp_path / "go"
    procs: list[subprocess.Popen] = []
    deadline = time.monotonic() + timeout
    try:
        for i, touches in enumerate(plans):
            plan = tmp_path / f"plan-{i}.json"
            plan.write_text(
                json.dumps({"db": db, "ready": str(tmp_path / f"ready-{i}"), "go": str(go), "touches": touches})
            )
            procs.append(
                subprocess.Popen(
                    [sys.executable, str(ASSETS / "touch_worker.py"), str(plan)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=env,
                )
            )
        while not all((tmp_path / f"ready-{i}").exists() for i in range(len(plans))):
            for proc in procs:
                if proc.poll() is not None:
                    pytest.fail(f"a worker exited before starting (exit {proc.returncode}): {proc.stderr.read()}")
            assert time.monotonic() < deadline, "the workers did not all start in time"
            time.sleep(0.01)
        go.touch()
        reports = []
        for proc in procs:
            try:
                out, err = proc.communicate(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                pytest.fail(f"the workers did not finish within {timeout} s")
            assert proc.returncode == 0, err
            reports.append(json.loads(out))
        return reports
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def check_cadence_chain(fus: list[FollowUp], *, touches: int, first_touch_id: int, gaps: tuple) -> None:
    """A prospect seeded with its first touch due on ON, then touched `touches` times on ON,
    one after the other: cadence steps 1..touches+1 each exactly once; step 1 done by its first
    touch, the steps in between cancelled (each replaced by the next), the last one open."""
    assert all(fu.kind == Kind.touch for fu in fus), [fu.kind for fu in fus]
    assert [fu.cadence_step for fu in fus] == list(range(1, touches + 2)), "a cadence step lost or doubled"
    first, *between, last = fus
    assert (first.status, first.touch_id, first.closed_on) == ("done", first_touch_id, ON)
    assert {(fu.status, fu.closed_on, fu.touch_id) for fu in between} == {("cancelled", ON, None)}
    assert (last.status, last.due) == ("open", ON + timedelta(days=gaps[touches - 1]))


def check_after_concurrent_touches(db: str, ids: dict, plans: list, reports: list[dict], gaps: tuple) -> None:
    failures = [failure for report in reports for failure in report["failed"]]
    assert failures == [], f"{len(failures)} touches failed, such as {failures[:3]}"
    done = [touch for report in reports for touch in report["done"]]
    planned = {note: cid for plan in plans for cid, _, note in plan}
    assert len(done) == len(planned) == WORKERS * TOUCHES_PER_WORKER

    engine = open_engine(db)
    try:
        with session_scope(engine) as session:
            stored = {t.note: (t.id, t.contact_id, t.day) for t in session.exec(select(Touch)).all()}
            followups = defaultdict(list)
            for fu in session.exec(select(FollowUp).order_by(FollowUp.cadence_step, FollowUp.due, FollowUp.id)):
                followups[fu.contact_id].append(fu)
            contacts = {c.id: c for c in session.exec(select(Contact)).all()}
    finally:
        engine.dispose()

    # every touch that returned success is there, once, on its contact and day; nothing else is
    assert stored == {t["note"]: (t["touch"], t["contact"], ON) for t in done}
    assert set(stored) == set(planned)
    # each contact's touches were counted one after the other: the counts are exactly 1..n
    counts = defaultdict(list)
    for t in done:
        counts[t["contact"]].append(t["count"])
    for cid, touches in Counter(planned.values()).items():
        assert sorted(counts[cid]) == list(range(1, touches + 1)), f"contact #{cid}: touch counts repeat or skip"
    # no follow-up was completed by two touches
    completed = [t["completed"] for t in done if t["completed"] is not None]
    assert len(completed) == len(set(completed))

    first_touch = {t["contact"]: t["touch"] for t in done if t["count"] == 1}
    by_contact = Counter(planned.values())
    for cid in [c for own in ids["own"] for c in own] + ids["shared"]:
        assert contacts[cid].status == "prospect"
        check_cadence_chain(followups[cid], touches=by_contact[cid], first_touch_id=first_touch[cid], gaps=gaps)
    # the lost prospect: every touch logged, nothing ever scheduled
    assert contacts[ids["lost"]].status == "lost"
    assert followups[ids["lost"]] == []
    # the customer: its first three touches completed the three 2-4-8 follow-ups, in order;
    # the yearly check-in stays open, and no cadence touch was scheduled for a customer
    by_count = {t["count"]: t["touch"] for t in done if t["contact"] == ids["customer"]}
    got = sorted(((fu.kind, fu.status, fu.touch_id, fu.due) for fu in followups[ids["customer"]]), key=str)
    assert got == sorted(
        [
            (Kind.post_sale_2, "done", by_count[1], SOLD_ON + timedelta(days=2)),
            (Kind.post_sale_4, "done", by_count[2], SOLD_ON + timedelta(days=4)),
            (Kind.post_sale_8, "done", by_count[3], SOLD_ON + timedelta(days=8)),
            (Kind.checkin, "open", None, add_months(SOLD_ON, 12)),
        ],
        key=str,
    )


@pytest.mark.backends("sqlite", "postgresql")
def test_eight_processes_logging_touches_at_once_lose_and_double_nothing(db_url, tmp_path):
    """8 processes each log 200 touches through the service layer (`log_touch`, one
    `session_scope` transaction per touch, on an engine each process opens with `open_engine`)
    into one database at the same moment: on the same contacts (three shared prospects, a lost
    prospect, a customer) and on their own.

    Proves: no touch fails (no "database is locked" or any other error); all 1600 touches are
    stored, each once; each contact's touches were counted one after the other (the counts
    returned are exactly 1..n, so cadence steps are neither skipped nor repeated); every active
    prospect ends with one unbroken cadence chain and exactly one open next touch; the lost
    prospect gets nothing scheduled; the customer's 2-4-8 follow-ups are each completed by one
    touch, in order, and nothing else is scheduled for them.
    """
    config = tmp_path / "cadence.toml"
    config.write_text(f"[cadence]\nprospect_gaps = {list(LONG_GAPS)}\n")
    settings = Settings(prospect_gaps=LONG_GAPS)
    ids = seed_contacts(db_url, settings)
    plans = worker_plans(ids)
    reports = run_workers(tmp_path, db_url, plans, env={**os.environ, "FOLLOWUP_CONFIG": str(config)}, timeout=180)
    check_after_concurrent_touches(db_url, ids, plans, reports, LONG_GAPS)


@pytest.mark.backends("postgresql")
def test_a_touch_on_postgresql_waits_for_another_write_in_progress(db_url):
    """Two touches on one contact at once, held in step: the first one's transaction is still
    open (touch written, next cadence step scheduled, nothing committed) when the second starts.

    Proves: the second touch waits for the first to commit and then builds on it (it is touch 3,
    not a second touch 2), so the contact ends with one unbroken cadence chain and one open
    next touch. On PostgreSQL's READ COMMITTED, without the writers' lock of `followup.db`,
    the second counted the same touches as the first and both scheduled a next touch.
    """
    settings = Settings()
    engine = open_engine(db_url)
    watcher = make_engine(db_url, write=False)
    try:
        with session_scope(engine) as session:
            contact_id = add_contact(session=session, name="Sue Chen", settings=settings, first=ON).contact.id
        with session_scope(engine) as session:
            log_touch(session=session, contact=session.get(Contact, contact_id), on=ON, settings=settings)

        def touch() -> int:
            other = open_engine(db_url)
            try:
                with session_scope(other) as session:
                    contact = session.get(Contact, contact_id)
                    return log_touch(session=session, contact=contact, on=ON, settings=settings).count
            finally:
                other.dispose()

        with ThreadPoolExecutor(1) as pool, session_scope(engine) as first:
            first_count = log_touch(
                session=first, contact=first.get(Contact, contact_id), on=ON, settings=settings
            ).count
            second = pool.submit(touch)
            deadline = time.monotonic() + 20
            with watcher.connect() as conn:  # until the second touch waits on a lock held by the first
                query = text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                while conn.execute(query).scalar() == 0:
                    assert time.monotonic() < deadline and not second.done(), "the second touch did not wait"
                    time.sleep(0.02)
                    conn.rollback()
        second_count = second.result(timeout=20)
        with session_scope(engine) as session:
            fus = session.exec(select(FollowUp).order_by(FollowUp.cadence_step, FollowUp.id)).all()
            first_touch = session.exec(select(Touch.id).order_by(Touch.id)).first()
    finally:
        engine.dispose()
        watcher.dispose()
    assert (first_count, second_count) == (2, 3)
    check_cadence_chain(list(fus), touches=3, first_touch_id=first_touch, gaps=settings.prospect_gaps)


# ---------------------------------------------------------------- the real command, 4 x 20


def test_four_streams_of_followup_touch_commands_at_once(cli, db_path, tmp_path):
    """4 streams, side by side, each running 20 `followup touch` commands (the installed console
    script, a new process each) on one SQLite file, with FOLLOWUP_DB and FOLLOWUP_TODAY set:
    10 on the stream's own prospect and 5 on each of two prospects all streams share.

    Proves: every command exits 0 with its "Logged touch" line and nothing on stderr but the
    cadence's end from a contact's 12th touch on (no "database is locked" reaches the user); all 80 touches are stored; the counts the commands
    reported for each contact are exactly 1..n; the default cadence is kept on each contact:
    an own prospect (10 touches) has exactly one open next touch (step 11, 14 days on), a shared
    prospect (20 touches, past the 12-touch cadence) has none, and no cadence step is doubled.
    """
    streams, on = 4, ON.isoformat()
    own = [f"Anna Stream{s}" for s in range(streams)]
    shared = ["Ben Shared", "Cleo Shared"]
    for name in own + shared:
        assert cli("add", name, "--first", on, today=on).exit_code == 0
    env = {**os.environ, "FOLLOWUP_DB": str(db_path), "FOLLOWUP_TODAY": on}
    command = followup_command()

    deadline = (
        time.monotonic() + 240
    )  # for all 80 (about 20 s on an idle 2-core machine); a command still running past it is killed

    def stream(s: int) -> list[tuple[str, str, subprocess.CompletedProcess]]:
        names = [own[s]] * 10 + shared * 5
        random.Random(s).shuffle(names)
        runs = []
        for i, name in enumerate(names):
            note = f"s{s}-{i:02d}"
            args = [*command, "touch", name, "--via", "call", "--note", note]
            left = max(deadline - time.monotonic(), 0.1)
            runs.append((name, note, subprocess.run(args, capture_output=True, text=True, env=env, timeout=left)))
        return runs

    with ThreadPoolExecutor(streams) as pool:
        runs = [run for result in pool.map(stream, range(streams)) for run in result]

    counts = defaultdict(list)
    for name, note, run in runs:
        assert run.returncode == 0, (name, note, run.stderr)
        assert run.stdout.startswith("Logged touch "), run.stdout
        count = int(run.stdout.split()[2])
        counts[name].append(count)
        # stderr holds nothing but the cadence's end, from the 12th touch on
        ended = f"{name} has had all 12 touches of the cadence; nothing more is scheduled (schedule one, or let go)\n"
        assert run.stderr == (ended if count >= 12 else ""), (name, note, run.stderr)
    assert len(runs) == 80
    for name in own:
        assert sorted(counts[name]) == list(range(1, 11)), name
    for name in shared:
        assert sorted(counts[name]) == list(range(1, 21)), name

    engine = open_engine(str(db_path))
    try:
        with session_scope(engine) as session:
            touch_ids = dict(session.exec(select(Touch.note, Touch.id)).all())
            rows = session.exec(
                select(Contact.name, FollowUp)
                .join(FollowUp, FollowUp.contact_id == Contact.id)
                # the first step, made by `add --first`, before the others
                .order_by(FollowUp.cadence_step, FollowUp.id)
            ).all()
    finally:
        engine.dispose()
    assert set(touch_ids) == {note for _, note, _ in runs}
    first_touch = {name: touch_ids[note] for name, note, run in runs if run.stdout.startswith("Logged touch 1 ")}
    chains = defaultdict(list)
    for name, fu in rows:
        chains[name].append(fu)
    for name in own:
        check_cadence_chain(chains[name], touches=10, first_touch_id=first_touch[name], gaps=DEFAULT_PROSPECT_GAPS)
    for name in shared:  # the cadence's 12 steps, each once, and nothing open after the 12th touch
        fus = chains[name]
        assert [fu.cadence_step for fu in fus] == list(range(1, 13)), name
        assert [fu.status for fu in fus] == ["done"] + ["cancelled"] * 11, name
