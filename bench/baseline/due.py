"""Baseline for `followup due --on DATE`: the same whole answer with stdlib sqlite3 only.

The three sections (due, overdue first, then by kind; coming up; no next step) with the
touch count, the referrer and the hints of each row ("vary the time": a prospect's last three
touches on one weekday and hour band; "consider letting go": a prospect with no next step past
the whole cadence), the footer counts, and the referral nudges under it, read from the file in
$FOLLOWUP_DB and printed as plain text (or as followup's JSON with --json, which is what
`bench/run.py --check` compares).
"""

import json
import os
import shlex
import sqlite3
import sys
import tomllib
from datetime import date, timedelta

KIND_ORDER = [
    "post_sale_2", "post_sale_4", "post_sale_8", "complaint", "learning_phase", "coach", "thank_referrer",
    "birthday", "touch", "manual", "inform", "checkin",
]  # fmt: skip
KIND_RANK = (
    "CASE f.kind " + " ".join(f"WHEN '{k}' THEN {n}" for n, k in enumerate(KIND_ORDER)) + f" ELSE {len(KIND_ORDER)} END"
)
# "vary the time": the prospect's last three touches up to :on on one weekday and, when each has a
# time, in one hour band (morning before 12:00, afternoon to 16:59, evening); at_time is "HH:MM:SS..."
# text in a TIME column (numeric affinity): compared with "12:00", since "12" would be compared as a number
VARY_TIME = """
    CASE WHEN c.status = 'prospect' THEN (
        SELECT CASE WHEN COUNT(*) = 3 AND COUNT(DISTINCT strftime('%w', l.day)) = 1
                     AND (COUNT(l.at_time) < 3 OR COUNT(DISTINCT CASE WHEN l.at_time < '12:00' THEN 0
                                                                     WHEN l.at_time < '17:00' THEN 1 ELSE 2 END) = 1)
                    THEN 'vary_time' END
        FROM (SELECT t.day, t.at_time FROM touch t WHERE t.contact_id = f.contact_id AND t.day <= :on
              ORDER BY t.day DESC, t.at_time DESC NULLS LAST, t.id DESC LIMIT 3) l) END"""
HINT_TEXT = {"vary_time": "vary the time", "let_go": "consider letting go"}
ACTIVE = "('prospect', 'customer', 'repeat')"
POST_SALE = "('post_sale_2', 'post_sale_4', 'post_sale_8')"


def settings() -> tuple[int, int]:
    """The weekly referral target (1) and the cadence length: prospect_gaps plus one (12)."""
    path = os.environ.get("FOLLOWUP_CONFIG")
    try:
        with open(path or os.path.expanduser("~/.config/followup/config.toml"), "rb") as f:
            config = tomllib.load(f)
    except FileNotFoundError:
        return 1, 12
    gaps = config.get("cadence", {}).get("prospect_gaps")
    return int(config.get("referrals", {}).get("weekly_target", 1)), 12 if gaps is None else len(gaps) + 1


def plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def names(shown, total):
    more = total - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def shell_word(name):
    if "'" not in name:
        return f"'{name}'"
    if not any(c in name for c in '"$`\\!'):
        return f'"{name}"'
    return shlex.quote(name)


def nudges(db, on: date, target: int) -> list[str]:
    lines = []
    d = on.isoformat()
    if target > 0:
        monday = (on - timedelta(days=on.weekday())).isoformat()
        made, anyone = db.execute(
            "SELECT (SELECT COUNT(*) FROM referral WHERE referred_on >= ? AND referred_on <= ?),"
            " EXISTS (SELECT 1 FROM contact)",
            (monday, d),
        ).fetchone()
        if anyone and made < target:
            lines.append(f"Referrals this week: {made} of {target}. Ask a happy customer: followup ask NAME")
    rows = db.execute(
        f"""
        SELECT c.name, COUNT(*) OVER () FROM contact c
        WHERE c.status IN ('customer', 'repeat') AND c.do_not_contact = 0
          AND (EXISTS (SELECT 1 FROM followup f8 WHERE f8.contact_id = c.id AND f8.kind = 'post_sale_8' AND f8.due < :on)
               OR EXISTS (SELECT 1 FROM sale s WHERE s.contact_id = c.id AND s.day <= :on
                          AND EXISTS (SELECT 1 FROM followup st WHERE st.contact_id = s.contact_id
                                      AND st.sale_id = s.id AND st.kind IN {POST_SALE})
                          AND NOT EXISTS (SELECT 1 FROM followup u WHERE u.contact_id = s.contact_id
                                          AND u.sale_id = s.id AND u.kind IN {POST_SALE}
                                          AND (u.status = 'open' OR u.closed_on IS NULL OR u.closed_on > :on))))
          AND NOT EXISTS (SELECT 1 FROM referral_ask a WHERE a.customer_id = c.id AND a.day <= :on)
        ORDER BY (SELECT MAX(s.day) FROM sale s WHERE s.contact_id = c.id AND s.day <= :on) DESC, c.id DESC
        LIMIT 3
        """,
        {"on": d},
    ).fetchall()
    if rows:
        total = rows[0][1]
        lines.append(
            f"{plural(total, 'customer')} past their 2-4-8 never asked for a referral: "
            f"{names([r[0] for r in rows], total)}."
        )
    rows = db.execute(
        """
        SELECT c.name, COUNT(*) OVER () FROM contact c
        WHERE c.status = 'lost' AND c.do_not_contact = 0 AND c.lost_on >= :since AND c.lost_on <= :on
          AND (SELECT t.outcome FROM touch t WHERE t.contact_id = c.id AND t.day <= :on
               ORDER BY t.day DESC, t.id DESC LIMIT 1) = 'declined'
          AND NOT EXISTS (SELECT 1 FROM referral_ask a WHERE a.customer_id = c.id AND a.day <= :on
                          AND a.day >= (SELECT t.day FROM touch t WHERE t.contact_id = c.id AND t.day <= :on
                                        ORDER BY t.day DESC, t.id DESC LIMIT 1))
        ORDER BY c.lost_on DESC, c.id DESC LIMIT 3
        """,
        {"on": d, "since": (on - timedelta(days=30)).isoformat()},
    ).fetchall()
    if rows:
        name, total = rows[0]
        line = f"{name} turned you down: ask who else needs what you sell (followup ask {shell_word(name)})"
        if rows[1:]:
            line += f"; so did {names([r[0] for r in rows[1:]], total - 1)}"
        lines.append(line)
    return lines


def main() -> None:
    args = sys.argv[1:]
    on = date.fromisoformat(args[args.index("--on") + 1]) if "--on" in args else date.today()
    days = int(args[args.index("--days") + 1]) if "--days" in args else 0
    target, cadence_length = settings()
    db = sqlite3.connect(os.environ["FOLLOWUP_DB"])
    until = on + timedelta(days=days)
    # overdue first by kind, then by day; within a day, timed first by time, then by kind
    rows = db.execute(
        f"""
        SELECT f.id, f.contact_id, c.name, c.company, f.due, substr(f.at_time, 1, 5), f.kind, f.action, f.reason,
               (SELECT COUNT(*) FROM touch t WHERE t.contact_id = f.contact_id),
               (SELECT r.referrer_name FROM referral r WHERE r.prospect_id = f.contact_id LIMIT 1),
               c.phone, c.email, f.asked_for, {VARY_TIME}
        FROM followup f JOIN contact c ON c.id = f.contact_id
        WHERE f.status = 'open' AND f.due <= :until AND c.do_not_contact = 0
        ORDER BY CASE WHEN f.due < :on THEN 0 ELSE 1 END, CASE WHEN f.due < :on THEN {KIND_RANK} ELSE 0 END,
                 f.due, f.at_time IS NULL, f.at_time, {KIND_RANK}, f.id
        """,
        {"until": until.isoformat(), "on": on.isoformat()},
    ).fetchall()
    fields = ("id", "contact_id", "contact", "company", "due", "time", "kind", "action", "reason", "touches",
              "referrer", "overdue_days", "phone", "email", "asked_for", "hint")  # fmt: skip
    due, upcoming = [], []
    for *row, phone, email, asked, hint in rows:
        overdue_days = max((on - date.fromisoformat(row[4])).days, 0)
        item = dict(zip(fields, (*row, overdue_days, phone, email, bool(asked), hint), strict=True))
        (due if item["due"] <= on.isoformat() else upcoming).append(item)
    upcoming.sort(key=lambda i: i["due"])
    # a birthday greeting is no next step in the sale
    idle = db.execute(
        f"""
        SELECT c.id, c.name, c.status, (SELECT COUNT(*) FROM touch t WHERE t.contact_id = c.id)
        FROM contact c
        WHERE c.status IN {ACTIVE} AND c.do_not_contact = 0
          AND NOT EXISTS (SELECT 1 FROM followup f WHERE f.contact_id = c.id AND f.status = 'open'
                          AND f.kind != 'birthday')
        ORDER BY c.id
        """
    ).fetchall()
    no_next = [
        dict(zip(("contact_id", "contact", "status", "touches", "hint"), r, strict=True))
        for r in ((*r, "let_go" if r[2] == "prospect" and r[3] >= cadence_length else None) for r in idle)
    ]
    if "--json" in args:
        print(json.dumps({"date": on.isoformat(), "due": due, "upcoming": upcoming, "no_next_step": no_next}, indent=2))
        return
    out = [f"Due {on.isoformat()}"]
    for i in due:
        late = f"{i['overdue_days']}d" if i["overdue_days"] else "today"
        out.append(
            f"{i['id']}\t{i['contact']}\t{i['company'] or ''}\t{i['action']}\t{i['reason']}\t"
            f"{i['touches']}\t{i['referrer'] or ''}\t{late}\t{HINT_TEXT.get(i['hint'], '')}"
        )
    if upcoming:
        out.append(f"Coming up, next {plural(days, 'day')}")
        for i in upcoming:
            out.append(
                f"{i['id']}\t{i['contact']}\t{i['company'] or ''}\t{i['action']}\t{i['reason']}\t"
                f"{i['touches']}\t{i['referrer'] or ''}\t{i['due']} {i['time'] or ''}\t{HINT_TEXT.get(i['hint'], '')}"
            )
    if no_next:
        out.append("No next step")
        for n in no_next:
            out.append(
                f"{n['contact_id']}\t{n['contact']}\t{n['status']}\t{n['touches']}\t{HINT_TEXT.get(n['hint'], '')}"
            )
    overdue = sum(1 for i in due if i["overdue_days"] > 0)
    parts = [f"{overdue} overdue", f"{len(due) - overdue} due today"]
    if days:
        parts.append(f"{len(upcoming)} coming up")
    parts.append(f"{len(no_next)} with no next step")
    out.append(", ".join(parts) + ".")
    out.extend(nudges(db, on, target))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
