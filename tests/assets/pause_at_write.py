"""Run `followup ARGS...` in this process, and stop it dead at a chosen point of its transaction.

Usage: python pause_at_write.py MARKER POINT ARGS...

POINT is `write:N` (just after the command's N-th INSERT, UPDATE or DELETE has run, not yet
committed), `commit` (every write done, just before COMMIT is sent) or `committed` (just after
the commit has returned). At that point the process writes POINT and the statement into the
file MARKER and sleeps, so that the test can kill it there with SIGKILL. If the command ends
before reaching POINT, it exits as the command did. Used by tests/test_crash.py.
"""

import runpy
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

marker, point, *args = sys.argv[1:]
writes = 0


def pause(what: str) -> None:
    Path(marker).write_text(f"{point}: {what}")
    time.sleep(120)  # killed long before this ends
    sys.exit("pause_at_write: not killed")


@event.listens_for(Engine, "after_cursor_execute")
def _after_execute(_conn, _cursor, statement, _parameters, _context, _executemany):
    global writes
    if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
        writes += 1
        if point == f"write:{writes}":
            pause(statement)


@event.listens_for(Engine, "commit")
def _before_commit(_conn):
    if point == "commit" and writes:
        pause(f"COMMIT after {writes} writes")


@event.listens_for(Session, "after_commit")
def _after_commit(_session):
    if point == "committed" and writes:
        pause(f"committed {writes} writes")


sys.argv = ["followup", *args]
runpy.run_module("followup", run_name="__main__", alter_sys=True)
