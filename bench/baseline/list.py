"""Baseline for `followup list --status STATUS`: the same rows with stdlib sqlite3 only.

Each contact with its status, touch count, last touch, next open follow-up and referrer,
ordered by id, from the file in $FOLLOWUP_DB; plain text, or followup's JSON with --json.

`MIN(+f.due)`: the unary plus keeps SQLite's min/max optimisation from walking
ix_followup_status_due (every open follow-up, for each contact) instead of looking the
contact up by its contact index; on an early schema without ix_followup_contact_status_due
a plain MIN(f.due) took ~60 s at 10k contacts on a database that was never ANALYZEd.
`followup list` writes the same look-up as `ORDER BY f.due LIMIT 1`, which PostgreSQL
runs too (see bench/README.md).
"""

import json
import os
import sqlite3
import sys

FILTERS = {
    "all": "",
    "customer": "WHERE c.status IN ('customer', 'repeat')",
}


def main() -> None:
    args = sys.argv[1:]
    status = args[args.index("--status") + 1] if "--status" in args else "all"
    where, params = FILTERS.get(status), ()
    if where is None:
        where, params = "WHERE c.status = ?", (status,)
    db = sqlite3.connect(os.environ["FOLLOWUP_DB"])
    rows = db.execute(
        f"""
        SELECT c.id, c.name, c.company, c.status,
               (SELECT COUNT(*) FROM touch t WHERE t.contact_id = c.id),
               (SELECT MAX(t.day) FROM touch t WHERE t.contact_id = c.id),
               (SELECT MIN(+f.due) FROM followup f WHERE f.contact_id = c.id AND f.status = 'open'),
               (SELECT r.referrer_name FROM referral r WHERE r.prospect_id = c.id LIMIT 1),
               c.do_not_contact
        FROM contact c {where}
        ORDER BY c.id
        """,
        params,
    ).fetchall()
    if "--json" in args:
        keys = ("id", "name", "company", "status", "touches", "last_touch", "next_due", "referrer", "do_not_contact")
        print(json.dumps([dict(zip(keys, (*r[:8], bool(r[8])), strict=True)) for r in rows], indent=2))
        return
    out = []
    for cid, name, company, st, touches, last, nxt, referrer, dnc in rows:
        out.append(
            f"{cid}\t{name}\t{company or ''}\t{st}{', stopped' if dnc else ''}\t{touches}\t"
            f"{last or ''}\t{nxt or ''}\t{referrer or ''}"
        )
    out.append(f"{len(rows)} contact{'' if len(rows) == 1 else 's'}.")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
