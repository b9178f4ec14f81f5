"""Time followup's commands as cold whole processes beside stdlib sqlite3 scripts.

    python bench/run.py [--sizes 1000 10000 100000] [--runs 5] [--check]

Run it with the venv's python (the `followup` console script is looked up next to
sys.executable); build the databases first with bench/generate.py. Progress goes to
stderr; stdout gets one markdown table for the README, then the issue-5 targets.
See bench/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "baseline"
ON = "2026-11-23"  # the generator's "today"
PY = sys.executable
FOLLOWUP = str(Path(PY).parent / "followup")


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- measuring


@dataclass
class Cell:
    """Several runs of one command line: wall times in seconds and peak RSS in KiB."""

    times: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    failed: str | None = None

    @property
    def ok(self) -> bool:
        return self.failed is None and bool(self.times)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000

    @property
    def min_ms(self) -> float:
        return min(self.times) * 1000

    @property
    def rss_mb(self) -> float:
        return max(self.rss) / 1024

    def show(self) -> str:
        if not self.ok:
            return self.failed or "not run"
        n = f" ×{len(self.times)}" if len(self.times) < 3 else ""
        return f"{self.median_ms:,.0f} ({self.min_ms:,.0f}){n}"


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_once(argv: list[str], env: dict, timeout: float) -> tuple[float, int, int, str]:
    """One fresh process, output to /dev/null: (seconds, peak RSS KiB, exit code, last stderr line).

    The peak RSS comes from GNU time's %M: the rusage of a child of this (large) python
    would also count the pages it inherited before exec. Without /usr/bin/time it falls
    back to that rusage, an over-estimate.
    """
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss_file:
        cmd = [TIME, "-f", "%M", "-o", rss_file.name, *argv] if TIME else argv
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )
        killer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        took = time.perf_counter() - started
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode(errors="replace").strip().splitlines()
        measured = rss_file.read().split()
        rss = int(measured[-1]) if TIME and measured and measured[-1].isdigit() else usage.ru_maxrss
    if code != 0 and took >= timeout:
        return took, rss, code, f"> {timeout:.0f} s (killed)"
    return took, rss, code, lines[-1] if lines else ""


def measure(argv: list[str], env: dict, *, runs: int, budget: float, timeout: float, prepare=None) -> Cell:
    """A warm-up run (page cache, .pyc), then up to `runs` timed runs within about `budget` seconds.

    `prepare()` runs before every run, outside the timing (the write gets a fresh copy).
    A command whose warm-up takes 20 s or more is timed by that one run.
    """
    cell = Cell()
    for n in range(runs + 1):
        if prepare:
            prepare()
        took, rss, code, last = run_once(argv, env, timeout)
        if code != 0:
            cell.failed = last if "killed" in last else f"exit {code}: {last[:60]}"
            return cell
        if n == 0 and took < 20:
            continue  # the warm-up
        cell.times.append(took)
        cell.rss.append(rss)
        if sum(cell.times) > budget or took >= 20:
            break
    return cell


# ---------------------------------------------------------------- the machine and the data


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run([FOLLOWUP, "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{platform.machine()}, {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {version or 'followup ?'}, {platform.system()} {platform.release()}"
    )


def touch_target(db: Path) -> int:
    """An active prospect whose open cadence touch is due by ON and not the last: the common write."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT f.contact_id FROM followup f JOIN contact c ON c.id = f.contact_id "
            "WHERE f.status = 'open' AND f.kind = 'touch' AND f.cadence_step BETWEEN 2 AND 12 AND f.due <= ? "
            "AND c.status = 'prospect' AND c.do_not_contact = 0 ORDER BY f.contact_id",
            (ON,),
        ).fetchall()
    if not rows:
        raise SystemExit(f"{db}: no prospect with a cadence touch due by {ON}; rebuild it with bench/generate.py")
    return rows[len(rows) // 2][0]


def environment(tmp: Path) -> dict:
    """The commands' environment. PYTHONDONTWRITEBYTECODE is dropped: an installed followup has
    its modules compiled (pip compiles them on install), and with it set a venv made by
    `pip install -e` would compile followup's sources again in every run; the untimed warm-up
    run writes them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "TASK"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        NO_COLOR="1",
        COLUMNS="120",
        LINES="40",
        FOLLOWUP_TODAY=ON,
        FOLLOWUP_CONFIG=str(tmp / "no-config.toml"),  # missing: the default settings
        XDG_CONFIG_HOME=str(tmp / "config"),
        XDG_DATA_HOME=str(tmp / "data"),
    )
    return env


# ---------------------------------------------------------------- Taskwarrior


def taskwarrior(data: Path, env: dict, args) -> Cell | str:
    """`task next` over 10k pending tasks in its own TASKDATA, loaded once with `task import`."""
    task = shutil.which("task")
    if task is None:
        return "skipped: `task` is not installed (apt-get install -y taskwarrior)"
    home = data / "task-10000"
    rc = home / "taskrc"
    ready = home / "loaded"
    if not ready.exists():
        shutil.rmtree(home, ignore_errors=True)
        (home / "data").mkdir(parents=True)
        rc.write_text(
            f"data.location={home / 'data'}\nconfirmation=off\nhooks=off\nnews.version=2.6.0\n"
            "defaultwidth=120\ndefaultheight=40\n"
        )
        import random
        import uuid

        rng = random.Random(10000)
        tasks = []
        for n in range(10000):
            due = f"2026{rng.randrange(10, 13):02d}{rng.randrange(1, 29):02d}T090000Z"
            tasks.append(
                {
                    "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "status": "pending",
                    "entry": "20260101T090000Z",
                    "description": f"call contact {n} about the quote",
                    "project": rng.choice(("prospects", "customers", "referrals")),
                    "due": due,
                    "tags": rng.sample(["call", "visit", "email", "vip"], rng.randrange(0, 3)),
                }
            )
        source = home / "tasks.json"
        source.write_text("\n".join(json.dumps(t) for t in tasks) + "\n")
        log("  loading 10k tasks into Taskwarrior (once) ...")
        started = time.perf_counter()
        subprocess.run(
            [task, "rc:" + str(rc), "import", str(source)], env=env, check=True, capture_output=True, timeout=1800
        )
        log(f"  loaded in {time.perf_counter() - started:.1f} s")
        ready.write_text("10000\n")
    task_env = {**env, "TASKRC": str(rc), "TASKDATA": str(home / "data")}
    return measure([task, "next"], task_env, runs=args.runs, budget=args.budget, timeout=args.timeout)


# ---------------------------------------------------------------- checking the baselines


def check(db: Path, env: dict, tmp: Path, timeout: float) -> list[str]:
    """Do the sqlite3 scripts give followup's own answers? Compares the JSON, and the touch's rows."""
    problems = []
    e = {**env, "FOLLOWUP_DB": str(db)}

    def out(argv):
        p = subprocess.run(argv, env=e, capture_output=True, text=True, timeout=timeout)
        if p.returncode:
            raise RuntimeError(f"{' '.join(argv[-4:])}: exit {p.returncode}: {p.stderr.strip()[-200:]}")
        return p.stdout

    for name, args in (("due", ["--on", ON]), ("list", ["--status", "prospect"]), ("stats", ["--on", ON])):
        try:
            mine = json.loads(out([FOLLOWUP, name, *args, "--json"]))
            base = json.loads(out([PY, str(BASELINE / f"{name}.py"), *args, "--json"]))
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            problems.append(f"{name}: not compared ({str(exc)[:100]})")
            continue
        if mine != base:
            problems.append(f"{name}: the sqlite3 script's JSON differs from followup {name} --json")
    # due's footer lines (the referral nudges are not in the JSON)
    try:
        mine = out([FOLLOWUP, "due", "--on", ON]).splitlines()
        base = out([PY, str(BASELINE / "due.py"), "--on", ON]).splitlines()
        tail = base[base.index(next(line for line in base if " with no next step." in line)) :]
        if mine[-len(tail) :] != tail:
            problems.append(f"due: footer differs: {mine[-len(tail) :]} != {tail}")
    except (RuntimeError, subprocess.TimeoutExpired, StopIteration) as exc:
        problems.append(f"due footer: not compared ({str(exc)[:100]})")
    # touch: the same rows written
    who = touch_target(db)
    results = []
    for argv in ([FOLLOWUP, "touch", f"#{who}", "--on", ON], [PY, str(BASELINE / "touch.py"), f"#{who}", "--on", ON]):
        copy = tmp / "check.db"
        shutil.copyfile(db, copy)
        p = subprocess.run(argv, env={**e, "FOLLOWUP_DB": str(copy)}, capture_output=True, text=True, timeout=timeout)
        with closing(sqlite3.connect(copy)) as conn:
            rows = conn.execute(
                "SELECT 'touch', id, contact_id, day, at_time, channel, outcome, goal, note, NULL, NULL, NULL "
                "FROM touch WHERE contact_id = ? UNION ALL "
                "SELECT 'followup', id, contact_id, due, kind, action, reason, status, cadence_step, touch_id, "
                "closed_on, about_contact_id FROM followup WHERE contact_id = ? OR about_contact_id = ? ORDER BY 1, 2",
                (who, who, who),
            ).fetchall()
        results.append((p.returncode, p.stdout, rows))
        copy.unlink()
    if results[0] != results[1]:
        problems.append(f"touch #{who}: the sqlite3 script wrote or printed something else than followup touch")
    return problems


# ---------------------------------------------------------------- the table


def ratio(a: Cell | None, b: Cell | None) -> float | None:
    if a is None or b is None or not a.ok or not b.ok:
        return None
    return a.median_ms / b.median_ms


def fmt_ratio(r: float | None) -> str:
    return "–" if r is None else f"{r:.1f}×" if r >= 10 else f"{r:.2f}×"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000], metavar="N")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command, after one warm-up (5)")
    parser.add_argument("--budget", type=float, default=60, help="stop timing a command after this many s (60)")
    parser.add_argument("--timeout", type=float, default=300, help="kill one run after this many s (300)")
    parser.add_argument("--data", type=Path, default=HERE / "data", help="where generate.py put the databases")
    parser.add_argument("--check", action="store_true", help="first check the sqlite3 scripts against followup")
    parser.add_argument("--no-task", action="store_true", help="leave out Taskwarrior")
    parser.add_argument("--only", nargs="+", metavar="CMD", help="only these of: help due list touch stats")
    args = parser.parse_args(argv)

    if not Path(FOLLOWUP).exists():
        raise SystemExit(f"no followup script next to {PY}: run this with the venv's python")
    dbs = {n: args.data / f"followup-{n}.db" for n in args.sizes}
    missing = [str(p) for p in dbs.values() if not p.exists()]
    if missing:
        raise SystemExit(
            f"missing {', '.join(missing)}: build them with `python bench/generate.py {' '.join(map(str, args.sizes))}`"
        )
    only = set(args.only or ("help", "due", "list", "touch", "stats"))
    tmp = Path(tempfile.mkdtemp(prefix="followup-bench-", dir=args.data))
    env = environment(tmp)
    opts = {"runs": args.runs, "budget": args.budget, "timeout": args.timeout}
    the_machine = machine()
    load_before = os.getloadavg()[0]
    log(the_machine)
    rows: list[tuple[str, str, Cell | None, Cell | None]] = []  # what, contacts, followup, baseline
    cells: dict[tuple[str, int | None], tuple[Cell | None, Cell | None]] = {}
    try:
        if args.check:
            for n, db in dbs.items():
                log(f"checking the sqlite3 scripts against followup at {n:,} contacts ...")
                problems = check(db, env, tmp, args.timeout)
                for p in problems:
                    log(f"  {p}")
                log("  same answers" if not problems else f"  {len(problems)} problem(s)")
        for label, code in (
            ("`python -c pass`", "pass"),
            ('`python -c "import typer"`', "import typer"),
            ('`python -c "import typer, rich.table"`', "import typer, rich.table"),
        ):
            log(f"timing {label} ...")
            c = measure([PY, "-c", code], env, **opts)
            cells[(code, None)] = (c, None)
            rows.append((label, "", c, None))
        if "help" in only:
            log("timing followup --help ...")
            c = measure([FOLLOWUP, "--help"], env, **opts)
            cells[("help", None)] = (c, None)
            rows.append(("`followup --help`", "", c, None))
        for n, db in dbs.items():
            e = {**env, "FOLLOWUP_DB": str(db)}
            commands = [
                ("due", f"`followup due --on {ON}`", ["due", "--on", ON], "due.py", ["--on", ON]),
                (
                    "list",
                    "`followup list --status prospect`",
                    ["list", "--status", "prospect"],
                    "list.py",
                    ["--status", "prospect"],
                ),
                ("touch", f"`followup touch '#ID' --on {ON}`", None, "touch.py", None),
                ("stats", f"`followup stats --on {ON}`", ["stats", "--on", ON], "stats.py", ["--on", ON]),
            ]
            for name, label, fargs, script, bargs in commands:
                if name not in only:
                    continue
                log(f"timing {name} at {n:,} contacts ...")
                prepare = None
                cenv = e
                if name == "touch":
                    who = touch_target(db)
                    copy = tmp / "touch.db"
                    fargs = bargs = [f"#{who}", "--on", ON]
                    fargs = ["touch", *fargs]
                    cenv = {**env, "FOLLOWUP_DB": str(copy)}
                    label = label.replace("ID", str(who))

                    def prepare(db=db, copy=copy):
                        for suffix in ("-wal", "-shm"):
                            Path(f"{copy}{suffix}").unlink(missing_ok=True)
                        shutil.copyfile(db, copy)

                f = measure([FOLLOWUP, *fargs], cenv, prepare=prepare, **opts)
                b = measure([PY, str(BASELINE / script), *bargs], cenv, prepare=prepare, **opts)
                log(f"  followup {f.show()} ms, sqlite3 {b.show()} ms")
                cells[(name, n)] = (f, b)
                rows.append((label, f"{n:,}", f, b))
        task = None
        if not args.no_task:
            log("timing Taskwarrior task next over 10k pending tasks ...")
            task = taskwarrior(args.data, env, args)
            if isinstance(task, Cell):
                rows.append(("Taskwarrior `task next`, 10k pending tasks", "10,000", task, None))
            else:
                log(f"  {task}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"Machine: {the_machine}; 1-minute load average {load_before:.2f} before the run, "
        f"{os.getloadavg()[0]:.2f} after (other work on the machine skews the times)\n"
    )
    print(
        f"Cold whole processes, output to /dev/null, NO_COLOR=1 COLUMNS=120; median (min) of up to {args.runs} runs "
        "after one warm-up, in ms; ratio = followup ÷ sqlite3 script. `touch` runs on a fresh copy of the "
        "database each time, so the data set does not drift.\n"
    )
    print(
        "| command | contacts | followup ms | sqlite3 script ms | ratio | followup peak RSS MB | script peak RSS MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, contacts, f, b in rows:
        frss = f"{f.rss_mb:.0f}" if f and f.ok else "–"
        brss = f"{b.rss_mb:.0f}" if b and b.ok else "–"
        bshow = b.show() if b else ""
        print(
            f"| {label} | {contacts} | {f.show() if f else ''} | {bshow} | {fmt_ratio(ratio(f, b))} | {frss} | {brss} |"
        )
    if isinstance(task, str):
        print(f"\nTaskwarrior: {task}")

    # the targets of issue 5, as far as the sizes measured allow
    def get(name, n=None, which=0):
        pair = cells.get((name, n))
        return pair[which] if pair else None

    big, ten, small = max(args.sizes), 10000, min(args.sizes)
    targets = []

    def target(what, value, limit, fmt=fmt_ratio, better="≤"):
        if value is None:
            targets.append((what, "not measured", f"{better} {fmt(limit)}", "–"))
        else:
            met = value <= limit if better == "≤" else value < limit
            targets.append((what, fmt(value), f"{better} {fmt(limit)}", "ok" if met else "MISS"))

    target("`--help` ÷ `import typer`", ratio(get("help"), get("import typer")), 2.5)
    target(f"`due` ÷ sqlite3 at {big:,}", ratio(get("due", big), get("due", big, 1)), 4)
    target(f"`due` at {ten:,} ÷ `import typer, rich.table`", ratio(get("due", ten), get("import typer, rich.table")), 2)
    target(
        f"`due` at {ten:,} ÷ Taskwarrior `task next` (stretch)",
        ratio(get("due", ten), task if isinstance(task, Cell) else None),
        1,
    )
    target(f"`stats` ÷ sqlite3 at {big:,}", ratio(get("stats", big), get("stats", big, 1)), 2)
    s_big, s_small = get("stats", big), get("stats", small)
    target(
        f"`stats` peak RSS {big:,} ÷ {small:,}",
        s_big.rss_mb / s_small.rss_mb if s_big and s_small and s_big.ok and s_small.ok else None,
        1.5,
    )
    t_big = get("touch", big)
    target(
        f"`touch` at {big:,}, ms",
        t_big.median_ms if t_big and t_big.ok else None,
        1200,
        fmt=lambda v: f"{v:,.0f}",
        better="<",
    )
    t_small = get("touch", small)
    targets.append(
        (
            f"`touch` {big:,} ÷ {small:,} (flat)",
            fmt_ratio(ratio(t_big, t_small)),
            "≈ 1×",
            "–",
        )
    )
    print("\n| target (issue 5) | measured | target | |")
    print("|---|---:|---:|---|")
    for row in targets:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
