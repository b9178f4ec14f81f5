"""Write to a followup database in a loop, one committed transaction at a time, until killed.

Usage: python crash_writer.py DB touch|sale YYYY-MM-DD CONTACT_ID...

`touch`: logs touches with `services.log_touch` on the contacts in turn, round and round.
`sale`: records a sale with `services.record_sale` on each contact once (several writes each:
the sale, the contact's status, cancelled follow-ups, the 2-4-8 follow-ups, the check-in, the
thank-you to the referrer), then stops.

Each write is one `session_scope` transaction, all on the given day; right after its commit
returns, the id of the touch or sale is printed on a line of its own and flushed, so every
id the parent reads is a write that returned success. Used by tests/test_crash.py, which
kills this process with SIGKILL part-way.
"""

import sys
from datetime import date
from itertools import cycle, islice

from followup.config import load_settings
from followup.db import open_engine, session_scope
from followup.models import Contact
from followup.services import log_touch, record_sale

db, mode, day, *ids = sys.argv[1:]
on = date.fromisoformat(day)
settings = load_settings()
contact_ids = [int(i) for i in ids]
engine = open_engine(db)
# a bound, should the parent never kill it: 100,000 touches, or each contact's sale once
targets = islice(cycle(contact_ids), 100_000) if mode == "touch" else contact_ids
for contact_id in targets:
    with session_scope(engine) as session:
        contact = session.get(Contact, contact_id)
        if mode == "touch":
            written = log_touch(session=session, contact=contact, on=on, settings=settings).touch.id
        else:
            written = record_sale(
                session=session, contact=contact, on=on, settings=settings, amount_cents=99_00
            ).sale.id
    print(written, flush=True)
