"""`followup stats`: the user's own figures beside the field benchmarks (SPEC section 4).

Everything is counted by the database: one common table expression describes each prospect
in scope (first seen, referral source, first sale, loss, decision, touches at the decision),
and each panel is one GROUP BY over it. The same SQL runs on SQLite and PostgreSQL; the only
dialect difference, the day a row was created, is chosen when the query is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, bindparam, text
from sqlmodel import Session

from .enums import Source
from .services import Salesperson, acting

BUCKETS = ("1", "2", "3", "4", "5-11", "12+")
TOUCH_BENCHMARKS = {"1": 0.02, "2": None, "3": 0.05, "4": 0.10, "5-11": 0.80, "12+": None}
ASK_BUCKETS = ("1", "2", "3+")
ASK_BENCHMARKS = {"1": 1.47, "2": 2.03, "3+": 3.28}
AVG_TOUCHES_TO_WIN_BENCHMARK = 12
REFERRED_CLOSE_BENCHMARK = 0.54
REFERRED_REPEAT_BENCHMARK = 0.92
NEVER_ASK_BENCHMARK = 0.70
SMALL_SAMPLE = 5  # fewer decided prospects than this are too few to judge
WEEKS = 8
SOURCE_ORDER = [s.value for s in Source]  # the expected ranking, most effective first


def _people_sql(dialect: str, *, since: bool, owner: bool = False) -> str:
    """The CTEs every panel starts from. `:on` (and `:since`, `:owner`) are bound parameters;
    with `owner`, only that salesperson's contacts are counted."""
    # the UTC day on both: SQLite keeps UTC text, PostgreSQL would cast in its session time zone
    created_day = "date(c.created_at)" if dialect == "sqlite" else "CAST(c.created_at AT TIME ZONE 'UTC' AS DATE)"
    since_clause = "AND first_seen >= :since" if since else ""
    owner_clause = "WHERE c.owner = :owner" if owner else ""
    return f"""
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
        SELECT c.id,
               c.owner,
               r.source,
               r.referred_on,
               COALESCE(r.referred_on, ft.day, {created_day}) AS first_seen,
               s.first_sale,
               COALESCE(s.n, 0) AS sales,
               COALESCE(s.cents, 0) AS cents,
               CASE WHEN c.lost_on <= :on THEN c.lost_on END AS lost_on,
               COALESCE(a.times, 0) AS times_asked,
               COALESCE(a.names, 0) AS names
        FROM contact c
        LEFT JOIN referral r ON r.prospect_id = c.id AND r.referred_on <= :on
        LEFT JOIN first_touch ft ON ft.contact_id = c.id
        LEFT JOIN sales s ON s.contact_id = c.id
        LEFT JOIN asked a ON a.contact_id = c.id
        {owner_clause}
    ),
    scoped AS (
        SELECT * FROM people WHERE first_seen <= :on {since_clause}
    ),
    decisions AS (
        SELECT d.*,
               CASE WHEN d.won = 1 THEN d.first_sale ELSE d.lost_on END AS decided_on
        FROM (
            SELECT sc.*,
                   CASE WHEN sc.first_sale IS NOT NULL AND (sc.lost_on IS NULL OR sc.first_sale <= sc.lost_on)
                        THEN 1 ELSE 0 END AS won
            FROM scoped sc
            WHERE sc.first_sale IS NOT NULL OR sc.lost_on IS NOT NULL
        ) d
    ),
    decided AS (
        SELECT dc.*,
               CASE WHEN t.n IS NULL OR t.n < 1 THEN 1 ELSE t.n END AS touches
        FROM decisions dc
        LEFT JOIN (
            SELECT dd.id, COUNT(t.id) AS n
            FROM decisions dd JOIN touch t ON t.contact_id = dd.id AND t.day <= dd.decided_on
            GROUP BY dd.id
        ) t ON t.id = dc.id
    )
    """


_BUCKET_CASE = """
    CASE WHEN touches <= 1 THEN '1' WHEN touches = 2 THEN '2' WHEN touches = 3 THEN '3'
         WHEN touches = 4 THEN '4' WHEN touches <= 11 THEN '5-11' ELSE '12+' END
"""


def _rate(won: int, decided: int) -> float | None:
    return round(won / decided, 4) if decided else None


def _row(decided: int, won: int, **extra) -> dict:
    return {
        **extra,
        "decided": decided,
        "won": won,
        "rate": _rate(won, decided),
        "small_sample": decided < SMALL_SAMPLE,
    }


def _money(cents) -> float:
    return round(int(cents or 0) / 100, 2)


@dataclass
class Stats:
    """The figures, as `--json` prints them; `render_stats` draws the panels from the same dict."""

    data: dict

    @property
    def empty(self) -> bool:
        return self.data["prospects"] == 0


def week_starts(on: date, weeks: int = WEEKS) -> list[date]:
    """The Mondays of the `weeks` weeks ending with the week holding `on`, oldest first."""
    monday = on - timedelta(days=on.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def compute_stats(
    *,
    session: Session,
    on: date,
    since: date | None = None,
    weekly_target: int = 1,
    who: Salesperson | None = None,
    per_salesperson: bool = False,
) -> Stats:
    """Every figure of `followup stats` as of `on`: in team mode (`who.only_own`) of `who`'s
    contacts, else of all; `per_salesperson` adds a row per owner (`stats --team`)."""
    who = acting(who)
    conn = session.connection()
    base = _people_sql(conn.dialect.name, since=since is not None, owner=who.only_own)
    params: dict = {"on": on}
    if since is not None:
        params["since"] = since
    if who.only_own:
        params["owner"] = who.name

    def query(sql: str, extra: dict | None = None):
        values = {**params, **(extra or {})}
        dates = [bindparam(name, type_=Date) for name, value in values.items() if isinstance(value, date)]
        return conn.execute(text(base + sql).bindparams(*dates), values).all()

    (prospects,) = query("SELECT COUNT(*) FROM scoped")[0]

    # close rate by touches at the decision, and where prospects were given up
    counts = {
        bucket: (decided, won, lost)
        for bucket, decided, won, lost in query(
            f"SELECT {_BUCKET_CASE} AS bucket, COUNT(*), SUM(won), SUM(1 - won) FROM decided GROUP BY 1"
        )
    }
    by_touches = []
    lost_by_touches = []
    for bucket in BUCKETS:
        decided, won, lost = (int(x or 0) for x in counts.get(bucket, (0, 0, 0)))
        by_touches.append(_row(decided, won, bucket=bucket) | {"benchmark": TOUCH_BENCHMARKS[bucket]})
        lost_by_touches.append({"bucket": bucket, "lost": lost})
    avg_win, gave_up, decided_total, won_total = query(
        "SELECT AVG(CASE WHEN won = 1 THEN touches END), "
        "       SUM(CASE WHEN won = 0 AND touches <= 3 THEN 1 ELSE 0 END), COUNT(*), SUM(won) FROM decided"
    )[0]

    # referred versus not, and repeat purchases of referred customers
    referred = {
        bool(is_referred): (int(decided), int(won or 0))
        for is_referred, decided, won in query(
            "SELECT CASE WHEN source IS NULL THEN 0 ELSE 1 END, COUNT(*), SUM(won) FROM decided GROUP BY 1"
        )
    }
    buyers, repeaters = query(
        "SELECT COUNT(*), SUM(CASE WHEN sales >= 2 THEN 1 ELSE 0 END) FROM scoped "
        "WHERE source IS NOT NULL AND sales >= 1"
    )[0]

    # sources: referrals, decided, won, ranked by close rate
    per_source = {
        source: (int(n), int(dec or 0), int(won or 0))
        for source, n, dec, won in query(
            "SELECT sc.source, COUNT(*), SUM(CASE WHEN d.id IS NULL THEN 0 ELSE 1 END), SUM(COALESCE(d.won, 0)) "
            "FROM scoped sc LEFT JOIN decided d ON d.id = sc.id WHERE sc.source IS NOT NULL GROUP BY sc.source"
        )
    }
    sources = [
        _row(dec, won, source=source, referrals=n) | {"expected_rank": _expected_rank(source)}
        for source, (n, dec, won) in per_source.items()
    ]
    sources.sort(key=lambda s: (s["rate"] is None, -(s["rate"] or 0), s["expected_rank"]))

    # asking: customers by times asked, and the never-asked
    ask_rows = {
        bucket: (int(customers), int(names or 0))
        for bucket, customers, names in query(
            "SELECT CASE WHEN times_asked = 1 THEN '1' WHEN times_asked = 2 THEN '2' ELSE '3+' END, "
            "COUNT(*), SUM(names) FROM scoped WHERE sales >= 1 AND times_asked >= 1 GROUP BY 1"
        )
    }
    asks = []
    for bucket in ASK_BUCKETS:
        customers, names = ask_rows.get(bucket, (0, 0))
        avg = round(names / customers, 2) if customers else None
        asks.append(
            {"times_asked": bucket, "customers": customers, "avg_names": avg, "benchmark": ASK_BENCHMARKS[bucket]}
        )
    customers_total, never = query(
        "SELECT COUNT(*), SUM(CASE WHEN times_asked = 0 THEN 1 ELSE 0 END) FROM scoped WHERE sales >= 1"
    )[0]
    never = int(never or 0)

    # the weekly referral habit: one SUM(CASE) per week, in one row
    starts = week_starts(on)
    week_params = {}
    columns = []
    for n, start in enumerate(starts):
        week_params[f"w{n}a"], week_params[f"w{n}b"] = start, start + timedelta(days=6)
        columns.append(f"SUM(CASE WHEN referred_on BETWEEN :w{n}a AND :w{n}b THEN 1 ELSE 0 END)")
    week_counts = query(f"SELECT {', '.join(columns)} FROM scoped WHERE referred_on IS NOT NULL", week_params)[0]
    weekly = [{"week_start": s.isoformat(), "count": int(c or 0)} for s, c in zip(starts, week_counts, strict=True)]

    # money: revenue won, referred versus not and by source
    money = query("SELECT COALESCE(source, ''), SUM(cents) FROM scoped WHERE sales >= 1 GROUP BY COALESCE(source, '')")
    by_source = {src: _money(cents) for src, cents in money if src}
    revenue = {
        "referred": round(float(sum(by_source.values())), 2),
        "not_referred": next((_money(c) for src, c in money if not src), 0.0),
        "by_source": {s: by_source[s] for s in sorted(by_source, key=_expected_rank)},
    }

    salespeople = None
    if per_salesperson:
        salespeople = [
            _row(int(dec or 0), int(won or 0), name=name, prospects=int(n))
            | {
                "referrals": int(referrals or 0),
                "asks": int(asks or 0),
                "avg_touches_to_win": round(float(avg), 2) if avg is not None else None,
            }
            for name, n, dec, won, referrals, asks, avg in query(
                "SELECT sc.owner, COUNT(*), COUNT(d.id), SUM(COALESCE(d.won, 0)), "
                "       SUM(CASE WHEN sc.source IS NULL THEN 0 ELSE 1 END), SUM(sc.times_asked), "
                "       AVG(CASE WHEN d.won = 1 THEN d.touches END) "
                "FROM scoped sc LEFT JOIN decided d ON d.id = sc.id GROUP BY sc.owner ORDER BY sc.owner"
            )
        ]

    # the lead exchange: give/receive ledger per partner (followup.exchange)
    from .exchange import ledger

    exchange = ledger(session=session, on=on, since=since, who=who)

    data = {
        "date": on.isoformat(),
        "since": since.isoformat() if since else None,
        "prospects": int(prospects),
        "decided": int(decided_total or 0),
        "won": int(won_total or 0),
        "by_touches": by_touches,
        "avg_touches_to_win": round(float(avg_win), 2) if avg_win is not None else None,
        "avg_touches_to_win_benchmark": AVG_TOUCHES_TO_WIN_BENCHMARK,
        "gave_up_at_3_or_fewer": int(gave_up or 0),
        "lost_by_touches": lost_by_touches,
        "referred": _row(*referred.get(True, (0, 0))) | {"benchmark": REFERRED_CLOSE_BENCHMARK},
        "not_referred": _row(*referred.get(False, (0, 0))),
        "referred_repeat_rate": _rate(int(repeaters or 0), int(buyers)),
        "referred_repeat_benchmark": REFERRED_REPEAT_BENCHMARK,
        "sources": sources,
        "asks": asks,
        "never_asked": {
            "count": never,
            "share": _rate(never, int(customers_total)),
            "customers": int(customers_total),
            "benchmark": NEVER_ASK_BENCHMARK,
        },
        "weekly_referrals": weekly,
        "weekly_target": weekly_target,
        "revenue": revenue,
        "salesperson": who.name if who.only_own else None,
        "salespeople": salespeople,
        **goals_and_purposes(query),  # commitment goals and touch purposes
        "exchange": exchange,
        **after_sale_figures(query, since=since),  # complaints, revenue from existing customers
    }
    return Stats(data)


def _expected_rank(source: str) -> int:
    return SOURCE_ORDER.index(source) + 1 if source in SOURCE_ORDER else len(SOURCE_ORDER) + 1


# ---------------------------------------------------------------- levels, goals and purposes


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def goals_and_purposes(query) -> dict:
    """`goals` and `purposes`: the touches of the prospects in scope dated on or before `:on`, with
    their commitment goals (achieved: outcome `committed`) and purposes; and the customers (a sale
    on or before `:on`) whose every touch with a purpose was `deal`. `query` runs SQL after the
    common table expressions of `_people_sql`."""
    from .enums import Outcome, Purpose

    touches = with_goal = achieved = 0
    counts = {p.value: 0 for p in Purpose}
    for purpose, n, goals, committed in query(  # one pass over the touches: per purpose, with the goals
        "SELECT t.purpose, COUNT(*), "
        "       SUM(CASE WHEN t.goal IS NOT NULL THEN 1 ELSE 0 END), "
        "       SUM(CASE WHEN t.goal IS NOT NULL AND t.outcome = :committed THEN 1 ELSE 0 END) "
        "FROM touch t WHERE t.day <= :on AND t.contact_id IN (SELECT id FROM scoped) GROUP BY t.purpose",
        {"committed": Outcome.committed.value},
    ):
        touches, with_goal, achieved = touches + int(n), with_goal + int(goals or 0), achieved + int(committed or 0)
        if purpose in counts:
            counts[purpose] = int(n)
    only_deal = [
        {"id": int(cid), "name": name, "touches": int(n)}
        for cid, name, n in query(
            "SELECT c.id, c.name, COUNT(*) FROM touch t JOIN scoped sc ON sc.id = t.contact_id "
            "JOIN contact c ON c.id = sc.id "
            "WHERE t.day <= :on AND t.purpose IS NOT NULL AND sc.sales >= 1 "
            "GROUP BY c.id, c.name HAVING SUM(CASE WHEN t.purpose = :deal THEN 0 ELSE 1 END) = 0 "
            "ORDER BY COUNT(*) DESC, c.id",
            {"deal": Purpose.deal.value},
        )
    ]
    return {
        "goals": {
            "touches": touches,
            "with_goal": with_goal,
            "share": _share(with_goal, touches),
            "achieved": achieved,
            "achieved_share": _share(achieved, with_goal),
        },
        "purposes": {"counts": counts, "only_deal": only_deal},
    }


# ---------------------------------------------------------------- complaints and revenue from existing customers

# Selling succeeds about 6% of the time to prospects, 15% to new customers, 50% to repeat customers.
SELLING_BENCHMARKS = {"prospects": 0.06, "new_customers": 0.15, "repeat_customers": 0.5}


def after_sale_figures(query, *, since: date | None) -> dict:
    """`complaints`: complaints dated within --since/--on, of the contacts in reach, by class and
    kind, and how many are still open as of --on. `revenue_existing`: the revenue of the
    prospects in scope split into first sales and the sales after a contact's first sale."""
    from .enums import ComplaintKind, complaint_class

    since_clause = "AND k.day >= :since" if since is not None else ""
    rows = query(
        "SELECT k.kind, COUNT(*), "
        "       SUM(CASE WHEN k.status = 'open' OR k.closed_on IS NULL OR k.closed_on > :on THEN 1 ELSE 0 END) "
        f"FROM complaint k JOIN people p ON p.id = k.contact_id WHERE k.day <= :on {since_clause} GROUP BY k.kind"
    )
    by_kind = {k.value: 0 for k in ComplaintKind}
    classes = {"product": 0, "service": 0}
    still_open = 0
    for kind, n, opened in rows:
        by_kind[kind] = by_kind.get(kind, 0) + int(n)
        classes[complaint_class(kind)] += int(n)
        still_open += int(opened or 0)
    total = sum(classes.values())
    complaints = {**classes, "open": still_open, "closed": total - still_open, "total": total, "by_kind": by_kind}

    first, repeat, first_n, repeat_n = query(
        "SELECT COALESCE(SUM(CASE WHEN s.id = f.first_id THEN s.amount_cents END), 0), "
        "       COALESCE(SUM(CASE WHEN s.id = f.first_id THEN NULL ELSE s.amount_cents END), 0), "
        "       SUM(CASE WHEN s.id = f.first_id THEN 1 ELSE 0 END), "
        "       SUM(CASE WHEN s.id = f.first_id THEN 0 ELSE 1 END) "
        "FROM scoped sc "
        "JOIN (SELECT s1.contact_id, MIN(s1.id) AS first_id FROM sale s1 "
        "      JOIN sales sa ON sa.contact_id = s1.contact_id AND s1.day = sa.first_sale "
        "      GROUP BY s1.contact_id) f ON f.contact_id = sc.id "
        "JOIN sale s ON s.contact_id = sc.id AND s.day <= :on"
    )[0]
    first_sales, repeat_sales = _money(first), _money(repeat)
    whole = first_sales + repeat_sales
    revenue_existing = {
        "first_sales": first_sales,
        "repeat_sales": repeat_sales,
        "share_existing": round(repeat_sales / whole, 4) if whole else None,
        "first_sale_count": int(first_n or 0),
        "repeat_sale_count": int(repeat_n or 0),
        "benchmark": dict(SELLING_BENCHMARKS),
    }
    return {"complaints": complaints, "revenue_existing": revenue_existing}
