"""Time `followup import` of a generated CSV file as a cold whole process.

    python bench/import_csv.py [--rows 50000] [--db URL] [--keep]

Run it with the venv's python (the `followup` console script is looked up next to
sys.executable). It writes a CSV of ROWS contacts in the layout `followup export` writes
(name, company, two phones, an e-mail, tags, a note, a referrer for one row in ten, named
earlier or later in the file), imports it into a fresh SQLite file (or the empty database
--db names), then imports it again: the second run finds every row a duplicate and adds
nothing. Prints one line per run with the wall time; the target is 50k rows under 30 s.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
FOLLOWUP = str(Path(PY).parent / "followup")
ON = "2026-11-23"
GIVEN = ["Sue", "Tom", "Ann", "Bob", "Li", "Wei", "Maria", "José", "Jürgen", "Aiko", "素", "伟", "娜"]
FAMILY = ["Chen", "Li", "Wang", "Zhang", "Müller", "García", "Smith", "Tanaka", "陈", "王", "张"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "华为", "Stark Industries", "Wayne, Inc."]
TAGS = ["vip", "beijing", "trade fair", "golf", "retail", "wholesale"]


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    names = [f"{rnd.choice(GIVEN)} {rnd.choice(FAMILY)} {i}" for i in range(rows)]
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(
            ["Name", "Company", "Phone 1", "Phone 2", "E-mail 1", "Role", "Level", "Tags", "Note", "Referred by"]
        )
        for i, name in enumerate(names):
            referrer = names[rnd.randrange(rows)] if i % 10 == 0 else ""
            out.writerow(
                [
                    name,
                    rnd.choice(COMPANIES),
                    f"'+86 138 {i // 10000:04d} {i % 10000:04d}",
                    f"work: 010 {rnd.randrange(10**7, 10**8)}",
                    f"contact{i}@example.com",
                    rnd.choice(["", "acceptor", "dissatisfied", "power"]),
                    rnd.choice(["", "acquaintance", "dating", "partner", "ally"]),
                    ", ".join(rnd.sample(TAGS, 2)),
                    "met at the spring trade fair" if i % 3 == 0 else "",
                    referrer if referrer != name else "",
                ]
            )


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and the process's CPU time (user + system: steadier on a busy machine), in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([FOLLOWUP, *args], env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        sys.exit(f"followup {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    print(f"    {done.stdout.splitlines()[0]}", file=sys.stderr)
    return took, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--db", help="an empty database URL (default: a new SQLite file)")
    parser.add_argument("--keep", action="store_true", help="keep the CSV and the database, print where")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="followup-import-bench-"))
    source = work / "contacts.csv"
    write_csv(source, opts.rows)
    env = {**os.environ, "FOLLOWUP_TODAY": ON, "FOLLOWUP_DB": opts.db or str(work / "followup.db"), "NO_COLOR": "1"}
    load = os.getloadavg()[0]
    for what, args in (
        (f"import of {opts.rows} rows into an empty database", ["import", str(source)]),
        ("the same file again (every row a duplicate)", ["import", str(source)]),
    ):
        wall, cpu = run(args, env)
        print(f"{what}: {wall:.1f} s wall, {cpu:.1f} s CPU in followup")
    print(f"(load average when it started: {load:.1f} on {os.cpu_count()} cores)")
    if opts.keep:
        print(f"kept in {work}")
    else:
        for p in work.iterdir():
            p.unlink()
        work.rmdir()


if __name__ == "__main__":
    main()
