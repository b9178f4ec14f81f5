"""Baseline for `followup touch '#ID' --on DATE`: the same one write with stdlib sqlite3 only.

In one BEGIN IMMEDIATE transaction, as followup's log_touch does for a call with no
outcome: log the touch, complete the contact's earliest open follow-up due by DATE, and
for an active prospect replace the open cadence touch with the next one (the default
cadence, or cadence.prospect_gaps from $FOLLOWUP_CONFIG). Prints the same lines.
"""

import os
import sqlite3
import sys
import tomllib
from datetime import UTC, date, datetime, timedelta

GAPS = (1, 2, 3, 4, 5, 7, 7, 10, 14, 14, 21)


def gaps() -> tuple[int, ...]:
    path = os.environ.get("FOLLOWUP_CONFIG")
    try:
        with open(path or os.path.expanduser("~/.config/followup/config.toml"), "rb") as f:
            return tuple(tomllib.load(f).get("cadence", {}).get("prospect_gaps", GAPS))
    except FileNotFoundError:
        return GAPS


def main() -> None:
    args = sys.argv[1:]
    ref = args[0]
    on = date.fromisoformat(args[args.index("--on") + 1]) if "--on" in args else date.today()
    day = on.isoformat()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    db = sqlite3.connect(os.environ["FOLLOWUP_DB"], isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA synchronous = NORMAL")
    out, notes = [], []  # notes go to stderr, as followup's warnings do
    db.execute("BEGIN IMMEDIATE")
    try:
        row = db.execute(
            "SELECT id, name, status, do_not_contact FROM contact WHERE id = ?", (int(ref.lstrip("#")),)
        ).fetchone()
        if row is None:
            sys.exit(f"Error: no contact {ref}")
        cid, name, status, dnc = row
        touch_id = db.execute(
            "INSERT INTO touch (contact_id, day, at_time, channel, outcome, goal, note, created_at) "
            "VALUES (?, ?, NULL, 'call', NULL, NULL, NULL, ?)",
            (cid, day, now),
        ).lastrowid
        done = db.execute(
            "SELECT id, kind, reason FROM followup WHERE contact_id = ? AND status = 'open' AND due <= ? "
            "ORDER BY due, id LIMIT 1",
            (cid, day),
        ).fetchone()
        if done:
            db.execute(
                "UPDATE followup SET status = 'done', closed_on = ?, touch_id = ? WHERE id = ?",
                (day, touch_id, done[0]),
            )
        (count,) = db.execute("SELECT COUNT(*) FROM touch WHERE contact_id = ?", (cid,)).fetchone()
        out.append(f"Logged touch {count} with #{cid} {name} (call, {day}).")
        if done:
            out.append(f"  done #{done[0]}: {done[2]}")
        referral_task = done is not None and done[1] in ("coach", "thank_referrer")
        if status == "prospect" and not dnc and not referral_task:
            cadence = gaps()
            referred = db.execute("SELECT 1 FROM referral WHERE prospect_id = ?", (cid,)).fetchone() is not None
            cancelled = [
                r[0]
                for r in db.execute(
                    "UPDATE followup SET status = 'cancelled', closed_on = ? "
                    "WHERE contact_id = ? AND status = 'open' AND kind = 'touch' RETURNING id",
                    (day, cid),
                ).fetchall()
            ]
            if 1 <= count <= len(cadence):
                step, total = count + 1, len(cadence) + 1
                prefix = "referral touch" if referred else "touch"
                reason = (
                    f"{prefix} {step} of {total}" if step <= total else f"{prefix} {step} (past the cadence of {total})"
                )
                due = (on + timedelta(days=cadence[count - 1])).isoformat()
                fid = db.execute(
                    "INSERT INTO followup (contact_id, due, kind, action, reason, status, cadence_step, closed_on, "
                    "created_at) VALUES (?, ?, 'touch', 'call', ?, 'open', ?, NULL, ?)",
                    (cid, due, reason, step, now),
                ).lastrowid
                out.append(f"  next #{fid} {due}: {reason}")
            if cancelled:
                out.append(f"  cancelled {', '.join(f'#{i}' for i in sorted(cancelled))}")
            if not 1 <= count <= len(cadence):
                notes.append(
                    f"{name} has had all {len(cadence) + 1} touches of the cadence; "
                    "nothing more is scheduled (schedule one, or let go)"
                )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    sys.stdout.write("\n".join(out) + "\n")
    if notes:
        sys.stderr.write("\n".join(notes) + "\n")


if __name__ == "__main__":
    main()
