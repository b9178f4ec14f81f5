"""Baseline for `followup stats --on DATE [--since DATE]`: every figure of its JSON, stdlib sqlite3 only.

The prospects in scope and the decided ones are described by the same SQL as
followup/stats.py (first seen, source, first sale, loss, decision, touches at the
decision), but each is computed once into a temporary table and every panel is then a
GROUP BY over it, instead of re-running the common table expressions for each panel.
The panels added since (goals and purposes, complaints, revenue from existing customers,
and the lead-exchange ledger of followup/exchange.py) are a query each in the same way.
Prints the same JSON as `followup stats --json` (what `bench/run.py --check` compares), for
a single-user SQLite file: every contact in reach, no `--team`.
"""

import json
import os
import sqlite3
import sys
import tomllib
from datetime import date, timedelta

BUCKETS = ("1", "2", "3", "4", "5-11", "12+")
TOUCH_BENCHMARKS = {"1": 0.02, "2": None, "3": 0.05, "4": 0.10, "5-11": 0.80, "12+": None}
ASK_BUCKETS = ("1", "2", "3+")
ASK_BENCHMARKS = {"1": 1.47, "2": 2.03, "3+": 3.28}
SOURCE_ORDER = ["vendor", "customer", "declined", "exchange", "network"]
SMALL_SAMPLE = 5
PURPOSES = ("care", "info", "deal", "service", "intel")
COMPLAINT_KINDS = ("missing-function", "too-complex", "packaging", "inconvenient", "punctuality", "attitude", "skill")
PRODUCT_COMPLAINTS = COMPLAINT_KINDS[:4]
SELLING_BENCHMARKS = {"prospects": 0.06, "new_customers": 0.15, "repeat_customers": 0.5}
UNKNOWN_PARTNER = "(unknown)"
ONE_SIDED_RATIO, ONE_SIDED_MIN_LEADS = 2, 3

SCOPED = """
CREATE TEMP TABLE scoped AS
WITH first_touch AS (
    SELECT contact_id, MIN(day) AS day FROM touch WHERE day <= :on GROUP BY contact_id
),
sales AS (
    SELECT contact_id, MIN(day) AS first_sale, COUNT(*) AS n, COALESCE(SUM(amount_cents), 0) AS cents
    FROM sale WHERE day <= :on GROUP BY contact_id
),
asked AS (
    SELECT customer_id AS contact_id, COUNT(*) AS times, COALESCE(SUM(got), 0) AS names
    FROM referral_ask WHERE day <= :on GROUP BY customer_id
),
people AS (
    SELECT c.id, r.source, r.referred_on,
           COALESCE(r.referred_on, ft.day, date(c.created_at)) AS first_seen,
           s.first_sale, COALESCE(s.n, 0) AS sales, COALESCE(s.cents, 0) AS cents,
           CASE WHEN c.lost_on <= :on THEN c.lost_on END AS lost_on,
           COALESCE(a.times, 0) AS times_asked, COALESCE(a.names, 0) AS names
    FROM contact c
    LEFT JOIN referral r ON r.prospect_id = c.id AND r.referred_on <= :on
    LEFT JOIN first_touch ft ON ft.contact_id = c.id
    LEFT JOIN sales s ON s.contact_id = c.id
    LEFT JOIN asked a ON a.contact_id = c.id
)
SELECT * FROM people WHERE first_seen <= :on {since}
"""

DECIDED = """
CREATE TEMP TABLE decided AS
WITH decisions AS (
    SELECT d.*, CASE WHEN d.won = 1 THEN d.first_sale ELSE d.lost_on END AS decided_on
    FROM (
        SELECT sc.*,
               CASE WHEN sc.first_sale IS NOT NULL AND (sc.lost_on IS NULL OR sc.first_sale <= sc.lost_on)
                    THEN 1 ELSE 0 END AS won
        FROM temp.scoped sc
        WHERE sc.first_sale IS NOT NULL OR sc.lost_on IS NOT NULL
    ) d
)
SELECT dc.*, CASE WHEN t.n IS NULL OR t.n < 1 THEN 1 ELSE t.n END AS touches
FROM decisions dc
LEFT JOIN (
    SELECT dd.id, COUNT(t.id) AS n
    FROM decisions dd JOIN touch t ON t.contact_id = dd.id AND t.day <= dd.decided_on
    GROUP BY dd.id
) t ON t.id = dc.id
"""

BUCKET_CASE = """
    CASE WHEN touches <= 1 THEN '1' WHEN touches = 2 THEN '2' WHEN touches = 3 THEN '3'
         WHEN touches = 4 THEN '4' WHEN touches <= 11 THEN '5-11' ELSE '12+' END
"""


def rate(won, decided):
    return round(won / decided, 4) if decided else None


def row(decided, won, **extra):
    return {**extra, "decided": decided, "won": won, "rate": rate(won, decided), "small_sample": decided < SMALL_SAMPLE}


def money(cents):
    return round(int(cents or 0) / 100, 2)


def rank(source):
    return SOURCE_ORDER.index(source) + 1 if source in SOURCE_ORDER else len(SOURCE_ORDER) + 1


def share(part, whole):
    return round(part / whole, 4) if whole else None


def partner_key(name):
    return " ".join(name.split()).casefold()


def weekly_target() -> int:
    path = os.environ.get("FOLLOWUP_CONFIG")
    try:
        with open(path or os.path.expanduser("~/.config/followup/config.toml"), "rb") as f:
            return int(tomllib.load(f).get("referrals", {}).get("weekly_target", 1))
    except FileNotFoundError:
        return 1


def main() -> None:
    args = sys.argv[1:]
    on = date.fromisoformat(args[args.index("--on") + 1]) if "--on" in args else date.today()
    since = date.fromisoformat(args[args.index("--since") + 1]) if "--since" in args else None
    db = sqlite3.connect(os.environ["FOLLOWUP_DB"])
    params = {"on": on.isoformat(), "since": since.isoformat() if since else None}
    db.execute(SCOPED.format(since="AND first_seen >= :since" if since else ""), params)
    db.execute(DECIDED)

    def q(sql, extra=()):
        return db.execute(sql, extra).fetchall()

    (prospects,) = q("SELECT COUNT(*) FROM scoped")[0]
    counts = {
        b: (d, w, lost)
        for b, d, w, lost in q(
            f"SELECT {BUCKET_CASE} AS bucket, COUNT(*), SUM(won), SUM(1 - won) FROM decided GROUP BY 1"
        )
    }
    by_touches, lost_by_touches = [], []
    for b in BUCKETS:
        d, w, lost = (int(x or 0) for x in counts.get(b, (0, 0, 0)))
        by_touches.append(row(d, w, bucket=b) | {"benchmark": TOUCH_BENCHMARKS[b]})
        lost_by_touches.append({"bucket": b, "lost": lost})
    avg_win, gave_up, decided_total, won_total = q(
        "SELECT AVG(CASE WHEN won = 1 THEN touches END), SUM(CASE WHEN won = 0 AND touches <= 3 THEN 1 ELSE 0 END),"
        " COUNT(*), SUM(won) FROM decided"
    )[0]
    referred = {
        bool(r): (int(d), int(w or 0))
        for r, d, w in q(
            "SELECT CASE WHEN source IS NULL THEN 0 ELSE 1 END, COUNT(*), SUM(won) FROM decided GROUP BY 1"
        )
    }
    buyers, repeaters = q(
        "SELECT COUNT(*), SUM(CASE WHEN sales >= 2 THEN 1 ELSE 0 END) FROM scoped WHERE source IS NOT NULL AND sales >= 1"
    )[0]
    per_source = {
        s: (int(n), int(d or 0), int(w or 0))
        for s, n, d, w in q(
            "SELECT sc.source, COUNT(*), SUM(CASE WHEN d.id IS NULL THEN 0 ELSE 1 END), SUM(COALESCE(d.won, 0)) "
            "FROM scoped sc LEFT JOIN decided d ON d.id = sc.id WHERE sc.source IS NOT NULL GROUP BY sc.source"
        )
    }
    sources = [row(d, w, source=s, referrals=n) | {"expected_rank": rank(s)} for s, (n, d, w) in per_source.items()]
    sources.sort(key=lambda s: (s["rate"] is None, -(s["rate"] or 0), s["expected_rank"]))
    ask_rows = {
        b: (int(c), int(n or 0))
        for b, c, n in q(
            "SELECT CASE WHEN times_asked = 1 THEN '1' WHEN times_asked = 2 THEN '2' ELSE '3+' END, "
            "COUNT(*), SUM(names) FROM scoped WHERE sales >= 1 AND times_asked >= 1 GROUP BY 1"
        )
    }
    asks = []
    for b in ASK_BUCKETS:
        c, n = ask_rows.get(b, (0, 0))
        asks.append(
            {
                "times_asked": b,
                "customers": c,
                "avg_names": round(n / c, 2) if c else None,
                "benchmark": ASK_BENCHMARKS[b],
            }
        )
    customers_total, never = q(
        "SELECT COUNT(*), SUM(CASE WHEN times_asked = 0 THEN 1 ELSE 0 END) FROM scoped WHERE sales >= 1"
    )[0]
    never = int(never or 0)
    monday = on - timedelta(days=on.weekday())
    starts = [monday - timedelta(weeks=n) for n in range(7, -1, -1)]
    week_params, columns = {}, []
    for n, start in enumerate(starts):
        week_params[f"w{n}a"], week_params[f"w{n}b"] = start.isoformat(), (start + timedelta(days=6)).isoformat()
        columns.append(f"SUM(CASE WHEN referred_on BETWEEN :w{n}a AND :w{n}b THEN 1 ELSE 0 END)")
    week_counts = q(f"SELECT {', '.join(columns)} FROM scoped WHERE referred_on IS NOT NULL", week_params)[0]
    weekly = [{"week_start": s.isoformat(), "count": int(c or 0)} for s, c in zip(starts, week_counts, strict=True)]
    cash = q("SELECT COALESCE(source, ''), SUM(cents) FROM scoped WHERE sales >= 1 GROUP BY COALESCE(source, '')")
    by_source = {s: money(c) for s, c in cash if s}
    revenue = {
        "referred": round(float(sum(by_source.values())), 2),
        "not_referred": next((money(c) for s, c in cash if not s), 0.0),
        "by_source": {s: by_source[s] for s in sorted(by_source, key=rank)},
    }
    # goals and purposes: the touches of the prospects in scope, one row (followup groups by purpose, a sort of
    # every touch); then the customers whose every touch with a purpose was `deal`, grouped by sc.id so that
    # SQLite starts from the customers in scope, not from every contact
    touches, with_goal, achieved, *per_purpose = q(
        "SELECT COUNT(*), COUNT(t.goal), COUNT(CASE WHEN t.goal IS NOT NULL AND t.outcome = 'committed' THEN 1 END), "
        + ", ".join(f"COUNT(CASE t.purpose WHEN '{p}' THEN 1 END)" for p in PURPOSES)
        + " FROM touch t WHERE t.day <= :on AND t.contact_id IN (SELECT id FROM scoped)",
        params,
    )[0]
    only_deal = [
        {"id": int(i), "name": name, "touches": int(n)}
        for i, name, n in q(
            "SELECT c.id, c.name, COUNT(*) FROM scoped sc JOIN touch t ON t.contact_id = sc.id "
            "JOIN contact c ON c.id = sc.id WHERE sc.sales >= 1 AND t.day <= :on AND t.purpose IS NOT NULL "
            "GROUP BY sc.id HAVING SUM(CASE WHEN t.purpose = 'deal' THEN 0 ELSE 1 END) = 0 ORDER BY COUNT(*) DESC, c.id",
            params,
        )
    ]
    # complaints of every contact dated within --since/--on, by kind; open as of --on
    by_kind, classes, still_open = dict.fromkeys(COMPLAINT_KINDS, 0), {"product": 0, "service": 0}, 0
    for kind, n, opened in q(
        "SELECT k.kind, COUNT(*), "
        "SUM(CASE WHEN k.status = 'open' OR k.closed_on IS NULL OR k.closed_on > :on THEN 1 ELSE 0 END) "
        "FROM complaint k JOIN contact c ON c.id = k.contact_id WHERE k.day <= :on "
        f"{'AND k.day >= :since' if since else ''} GROUP BY k.kind",
        params,
    ):
        by_kind[kind] = by_kind.get(kind, 0) + int(n)
        classes["product" if kind in PRODUCT_COMPLAINTS else "service"] += int(n)
        still_open += int(opened or 0)
    total = sum(classes.values())
    # revenue of the prospects in scope: first sales (the lowest id on the first sale's day) and the rest
    first, first_n, cents, sales = q(
        "SELECT COALESCE(SUM(s.amount_cents), 0), COUNT(*), SUM(sc.cents), SUM(sc.sales) FROM scoped sc "
        "JOIN sale s ON s.id = (SELECT MIN(s1.id) FROM sale s1 WHERE s1.contact_id = sc.id AND s1.day = sc.first_sale) "
        "WHERE sc.sales >= 1"
    )[0]
    repeat, repeat_n = int(cents or 0) - int(first), int(sales or 0) - int(first_n)
    first_sales, repeat_sales = money(first), money(repeat)
    whole = first_sales + repeat_sales
    # the lead exchange: leads received (exchange referrals in scope) and given, per partner
    names = {}  # partner key -> the spelling it was first written with (all time)
    for side, sql in enumerate(
        (
            "SELECT r.partner, MIN(r.referred_on), MIN(r.id) FROM referral r JOIN contact c ON c.id = r.prospect_id "
            "WHERE r.partner IS NOT NULL GROUP BY r.partner",
            "SELECT partner, MIN(day), MIN(id) FROM lead_given GROUP BY partner",
        )
    ):
        for spelling, day, ident in q(sql):
            key, seen = partner_key(spelling), (day, side, ident, spelling)
            names[key] = min(names.get(key, seen), seen)
    names = {key: seen[-1] for key, seen in names.items()}
    lines = {}  # key -> [partner, received, received_won, received_cents, given, given_won, given_cents]

    def line(spelling):
        key = partner_key(spelling) if spelling else ""
        return lines.setdefault(key, [names.get(key, spelling) if spelling else UNKNOWN_PARTNER, 0, 0, 0, 0, 0, 0])

    for offset, rows in (
        (
            1,
            q(
                "SELECT r.partner, COUNT(*), SUM(COALESCE(d.won, 0)), SUM(sc.cents) FROM scoped sc "
                "JOIN referral r ON r.prospect_id = sc.id LEFT JOIN decided d ON d.id = sc.id "
                "WHERE sc.source = 'exchange' GROUP BY r.partner"
            ),
        ),
        (
            4,
            q(
                "SELECT partner, COUNT(*), SUM(CASE WHEN won THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN won THEN COALESCE(won_amount_cents, 0) ELSE 0 END) FROM lead_given "
                f"WHERE day <= :on {'AND day >= :since' if since else ''} GROUP BY partner",
                params,
            ),
        ),
    ):
        for spelling, *figures in rows:
            entry = line(spelling)
            for i, x in enumerate(figures):
                entry[offset + i] += int(x or 0)
    exchange = []
    for partner, r, r_won, r_cents, g, g_won, g_cents in sorted(
        lines.values(), key=lambda e: (e[0] == UNKNOWN_PARTNER, -(e[1] + e[4]), e[0].casefold())
    ):
        one_sided = r + g >= ONE_SIDED_MIN_LEADS and max(r, g) >= ONE_SIDED_RATIO * min(r, g)
        exchange.append(
            {
                "partner": partner,
                "received": r,
                "received_won": r_won,
                "received_revenue": money(r_cents),
                "given": g,
                "given_won": g_won,
                "given_revenue": money(g_cents),
                "one_sided": one_sided,
                "gives_more": ("you" if g > r else "partner") if one_sided else None,
            }
        )
    data = {
        "date": on.isoformat(),
        "since": since.isoformat() if since else None,
        "prospects": int(prospects),
        "decided": int(decided_total or 0),
        "won": int(won_total or 0),
        "by_touches": by_touches,
        "avg_touches_to_win": round(float(avg_win), 2) if avg_win is not None else None,
        "avg_touches_to_win_benchmark": 12,
        "gave_up_at_3_or_fewer": int(gave_up or 0),
        "lost_by_touches": lost_by_touches,
        "referred": row(*referred.get(True, (0, 0))) | {"benchmark": 0.54},
        "not_referred": row(*referred.get(False, (0, 0))),
        "referred_repeat_rate": rate(int(repeaters or 0), int(buyers)),
        "referred_repeat_benchmark": 0.92,
        "sources": sources,
        "asks": asks,
        "never_asked": {
            "count": never,
            "share": rate(never, int(customers_total)),
            "customers": int(customers_total),
            "benchmark": 0.70,
        },
        "weekly_referrals": weekly,
        "weekly_target": weekly_target(),
        "revenue": revenue,
        "salesperson": None,
        "salespeople": None,
        "goals": {
            "touches": touches,
            "with_goal": with_goal,
            "share": share(with_goal, touches),
            "achieved": achieved,
            "achieved_share": share(achieved, with_goal),
        },
        "purposes": {"counts": dict(zip(PURPOSES, per_purpose, strict=True)), "only_deal": only_deal},
        "exchange": exchange,
        "complaints": {**classes, "open": still_open, "closed": total - still_open, "total": total, "by_kind": by_kind},
        "revenue_existing": {
            "first_sales": first_sales,
            "repeat_sales": repeat_sales,
            "share_existing": round(repeat_sales / whole, 4) if whole else None,
            "first_sale_count": int(first_n or 0),
            "repeat_sale_count": int(repeat_n or 0),
            "benchmark": dict(SELLING_BENCHMARKS),
        },
    }
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
