"""Log touches through the service layer, one transaction each, as one of several processes at once.

Usage: python touch_worker.py PLAN.json

PLAN: {"db": URL or path, "ready": path, "go": path, "touches": [[contact_id, "YYYY-MM-DD", note], ...]}.
The worker imports everything, creates `ready`, and waits (at most 60 s) for `go` to exist, so
that every worker starts writing at the same moment. Then, for each touch, it does what a
`followup touch` does: logs the touch with `services.log_touch` in one `session_scope`
transaction, on an engine the worker opened once with `open_engine`. Settings
come from FOLLOWUP_CONFIG. What each call returned is recorded after its commit; an exception
is recorded as a failure and the worker goes on with the next touch.

Prints one JSON object on stdout:
{"done": [{"note", "contact", "touch", "count", "completed", "scheduled"}...], "failed": [{"note", "error"}...]}.
Used by tests/test_concurrency.py.
"""

import json
import sys
import time
from datetime import date
from pathlib import Path

from followup.config import load_settings
from followup.db import open_engine, session_scope
from followup.enums import Channel
from followup.models import Contact
from followup.services import log_touch

plan = json.loads(Path(sys.argv[1]).read_text())
settings = load_settings()
Path(plan["ready"]).touch()
deadline = time.monotonic() + 60
while not Path(plan["go"]).exists():
    if time.monotonic() > deadline:
        sys.exit("touch_worker: no go signal within 60 s")
    time.sleep(0.005)

done, failed = [], []
engine = open_engine(plan["db"])  # once, as a long-running caller would; one transaction per touch
for contact_id, day, note in plan["touches"]:
    try:
        with session_scope(engine) as session:
            contact = session.get(Contact, contact_id)
            touched = log_touch(
                session=session,
                contact=contact,
                on=date.fromisoformat(day),
                via=Channel.call,
                note=note,
                settings=settings,
            )
        # the transaction has committed: this is a write that returned success
        done.append(
            {
                "note": note,
                "contact": contact_id,
                "touch": touched.touch.id,
                "count": touched.count,
                "completed": touched.completed.id if touched.completed else None,
                "scheduled": touched.scheduled.id if touched.scheduled else None,
            }
        )
    except Exception as exc:  # reported to the test, which fails on any
        failed.append({"note": note, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"})
engine.dispose()

print(json.dumps({"done": done, "failed": failed}), flush=True)
