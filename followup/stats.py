"""`followup stats`: the user's own figures beside the field benchmarks (SPEC section 4).

Everything is counted by the database. Each prospect in scope is described once per command
in a temporary table (`stats_scoped`: first seen, referral source, first sale, loss, times
asked...), the decided ones in a second (`stats_decided`: won, decision date, touches at the
decision), and each panel is then a GROUP BY over them, not a re-run of the description per
panel. The SQL is plain text that SQLite and PostgreSQL both run, through a `sql.Reader`: the
stdlib sqlite3 driver on a SQLite file, the command's SQLModel session elsewhere. Nothing here
imports SQLAlchemy; the one dialect difference, the day a row was created, is chosen when the
tables are filled.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .enums import Source
from .people import acting
from .sql import dated_within, one

if TYPE_CHECKING:
    from .people import Salesperson
    from .sql import Reader

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


# ---------------------------------------------------------------- the prospects in scope, once per command

SCOPED = "stats_scoped"  # temporary tables, private to the command's connection and transaction
DECIDED = "stats_decided"

_CREATE_SCOPED = f"""
CREATE TEMPORARY TABLE {SCOPED} (
    id INTEGER PRIMARY KEY,
    owner VARCHAR,
    source VARCHAR,
    referred_on DATE,
    first_seen DATE,
    first_sale DATE,
    sales INTEGER,
    cents BIGINT,
    lost_on DATE,
    times_asked INTEGER,
    names BIGINT
)"""

_CREATE_DECIDED = f"""
CREATE TEMPORARY TABLE {DECIDED} (
    id INTEGER PRIMARY KEY,
    owner VARCHAR,
    source VARCHAR,
    won INTEGER,
    decided_on DATE,
    touches INTEGER
)"""


def _fill_scoped_sql(dialect: str, *, since: bool, owner: bool) -> str:
    """Every contact in reach first seen on or before `:on` (and on or after `:since`): first
    seen is the referral date, else the first touch, else the day the contact was added. The
    first touch is looked up on the (contact_id, day) index of touch, only for the contacts
    without a referral: cheaper than a MIN over every touch grouped by contact."""
    # the UTC day on both: SQLite keeps UTC text, PostgreSQL would cast in its session time zone
    created_day = "date(c.created_at)" if dialect == "sqlite" else "CAST(c.created_at AT TIME ZONE 'UTC' AS DATE)"
    since_clause = "AND p.first_seen >= :since" if since else ""
    owner_clause = "WHERE c.owner = :owner" if owner else ""
    return f"""
    WITH sales AS (
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
               COALESCE(
                   r.referred_on,
                   (SELECT MIN(t.day) FROM touch t WHERE t.contact_id = c.id AND t.day <= :on),
                   {created_day}
               ) AS first_seen,
               s.first_sale,
               COALESCE(s.n, 0) AS sales,
               COALESCE(s.cents, 0) AS cents,
               CASE WHEN c.lost_on <= :on THEN c.lost_on END AS lost_on,
               COALESCE(a.times, 0) AS times_asked,
               COALESCE(a.names, 0) AS names
        FROM contact c
        LEFT JOIN referral r ON r.prospect_id = c.id AND r.referred_on <= :on
        LEFT JOIN sales s ON s.contact_id = c.id
        LEFT JOIN asked a ON a.contact_id = c.id
        {owner_clause}
    )
    INSERT INTO {SCOPED} (id, owner, source, referred_on, first_seen, first_sale, sales, cents, lost_on,
                          times_asked, names)
    SELECT p.id, p.owner, p.source, p.referred_on, p.first_seen, p.first_sale, p.sales, p.cents, p.lost_on,
           p.times_asked, p.names
    FROM people p
    WHERE p.first_seen <= :on {since_clause}
    """


# A prospect is decided by its first sale or its loss, whichever came first; won when that is the
# sale. Its touches are those dated on or before the decision (at least 1: the deciding
# conversation), counted on the (contact_id, day) index of touch.
_FILL_DECIDED = f"""
    INSERT INTO {DECIDED} (id, owner, source, won, decided_on, touches)
    SELECT d.id, d.owner, d.source, d.won, d.decided_on,
           (SELECT CASE WHEN COUNT(*) < 1 THEN 1 ELSE COUNT(*) END
            FROM touch t WHERE t.contact_id = d.id AND t.day <= d.decided_on)
    FROM (
        SELECT w.*, CASE WHEN w.won = 1 THEN w.first_sale ELSE w.lost_on END AS decided_on
        FROM (
            SELECT sc.id, sc.owner, sc.source, sc.first_sale, sc.lost_on,
                   CASE WHEN sc.first_sale IS NOT NULL AND (sc.lost_on IS NULL OR sc.first_sale <= sc.lost_on)
                        THEN 1 ELSE 0 END AS won
            FROM {SCOPED} sc
            WHERE sc.first_sale IS NOT NULL OR sc.lost_on IS NOT NULL
        ) w
    ) d
"""


def _drop_tables(reader: Reader) -> None:
    for table in (DECIDED, SCOPED):
        reader.execute(f"DROP TABLE IF EXISTS {table}")


@contextmanager
def prospect_tables(reader: Reader, *, on: date, since: date | None, who: Salesperson) -> Iterator[None]:
    """Fill `stats_scoped` and `stats_decided` for the prospects in scope as of `on` (first seen
    on or after `since`; `who`'s own contacts in team mode) for the queries run inside the
    block; they are dropped after it. On an error the transaction is rolled back, which takes
    them away on both databases."""
    params: dict = {"on": on}
    if since is not None:
        params["since"] = since
    owner_clause, owner_params = who.scope_sql("c.owner")
    params.update(owner_params)
    _drop_tables(reader)  # left by an earlier report in the same transaction
    reader.execute(_CREATE_SCOPED)
    reader.execute(_CREATE_DECIDED)
    reader.execute(_fill_scoped_sql(reader.dialect, since=since is not None, owner=bool(owner_clause)), params)
    reader.execute(_FILL_DECIDED)
    yield
    _drop_tables(reader)


# ---------------------------------------------------------------- the figures

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
    reader: Reader,
    on: date,
    since: date | None = None,
    weekly_target: int = 1,
    who: Salesperson | None = None,
    per_salesperson: bool = False,
) -> Stats:
    """Every figure of `followup stats` as of `on`: in team mode (`who.only_own`) of `who`'s
    contacts, else of all; `per_salesperson` adds a row per owner (`stats --team`)."""
    who = acting(who)
    with prospect_tables(reader, on=on, since=since, who=who):
        return Stats(
            _figures(reader, on=on, since=since, weekly_target=weekly_target, who=who, per_salesperson=per_salesperson)
        )


def _figures(
    reader: Reader, *, on: date, since: date | None, weekly_target: int, who: Salesperson, per_salesperson: bool
) -> dict:
    (prospects,) = one(reader, f"SELECT COUNT(*) FROM {SCOPED}")

    # close rate by touches at the decision, and where prospects were given up
    counts = {
        bucket: (decided, won, lost)
        for bucket, decided, won, lost in reader.rows(
            f"SELECT {_BUCKET_CASE} AS bucket, COUNT(*), SUM(won), SUM(1 - won) FROM {DECIDED} GROUP BY 1"
        )
    }
    by_touches = []
    lost_by_touches = []
    for bucket in BUCKETS:
        decided, won, lost = (int(x or 0) for x in counts.get(bucket, (0, 0, 0)))
        by_touches.append(_row(decided, won, bucket=bucket) | {"benchmark": TOUCH_BENCHMARKS[bucket]})
        lost_by_touches.append({"bucket": bucket, "lost": lost})
    avg_win, gave_up, decided_total, won_total = one(
        reader,
        "SELECT AVG(CASE WHEN won = 1 THEN touches END), "
        f"       SUM(CASE WHEN won = 0 AND touches <= 3 THEN 1 ELSE 0 END), COUNT(*), SUM(won) FROM {DECIDED}",
    )

    # referred versus not, and repeat purchases of referred customers
    referred = {
        bool(is_referred): (int(decided), int(won or 0))
        for is_referred, decided, won in reader.rows(
            f"SELECT CASE WHEN source IS NULL THEN 0 ELSE 1 END, COUNT(*), SUM(won) FROM {DECIDED} GROUP BY 1"
        )
    }
    buyers, repeaters = one(
        reader,
        f"SELECT COUNT(*), SUM(CASE WHEN sales >= 2 THEN 1 ELSE 0 END) FROM {SCOPED} "
        "WHERE source IS NOT NULL AND sales >= 1",
    )

    # sources: referrals, decided, won, ranked by close rate
    per_source = {
        source: (int(n), int(dec or 0), int(won or 0))
        for source, n, dec, won in reader.rows(
            "SELECT sc.source, COUNT(*), SUM(CASE WHEN d.id IS NULL THEN 0 ELSE 1 END), SUM(COALESCE(d.won, 0)) "
            f"FROM {SCOPED} sc LEFT JOIN {DECIDED} d ON d.id = sc.id WHERE sc.source IS NOT NULL GROUP BY sc.source"
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
        for bucket, customers, names in reader.rows(
            "SELECT CASE WHEN times_asked = 1 THEN '1' WHEN times_asked = 2 THEN '2' ELSE '3+' END, "
            f"COUNT(*), SUM(names) FROM {SCOPED} WHERE sales >= 1 AND times_asked >= 1 GROUP BY 1"
        )
    }
    asks = []
    for bucket in ASK_BUCKETS:
        customers, names = ask_rows.get(bucket, (0, 0))
        avg = round(names / customers, 2) if customers else None
        asks.append(
            {"times_asked": bucket, "customers": customers, "avg_names": avg, "benchmark": ASK_BENCHMARKS[bucket]}
        )
    customers_total, never = one(
        reader, f"SELECT COUNT(*), SUM(CASE WHEN times_asked = 0 THEN 1 ELSE 0 END) FROM {SCOPED} WHERE sales >= 1"
    )
    never = int(never or 0)

    # the weekly referral habit: one SUM(CASE) per week, in one row
    starts = week_starts(on)
    week_params = {}
    columns = []
    for n, start in enumerate(starts):
        week_params[f"w{n}a"], week_params[f"w{n}b"] = start, start + timedelta(days=6)
        columns.append(f"SUM(CASE WHEN referred_on BETWEEN :w{n}a AND :w{n}b THEN 1 ELSE 0 END)")
    week_counts = one(reader, f"SELECT {', '.join(columns)} FROM {SCOPED} WHERE referred_on IS NOT NULL", week_params)
    weekly = [{"week_start": s.isoformat(), "count": int(c or 0)} for s, c in zip(starts, week_counts, strict=True)]

    # money: revenue won, referred versus not and by source
    money = reader.rows(
        f"SELECT COALESCE(source, ''), SUM(cents) FROM {SCOPED} WHERE sales >= 1 GROUP BY COALESCE(source, '')"
    )
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
            for name, n, dec, won, referrals, asks, avg in reader.rows(
                "SELECT sc.owner, COUNT(*), COUNT(d.id), SUM(COALESCE(d.won, 0)), "
                "       SUM(CASE WHEN sc.source IS NULL THEN 0 ELSE 1 END), SUM(sc.times_asked), "
                "       AVG(CASE WHEN d.won = 1 THEN d.touches END) "
                f"FROM {SCOPED} sc LEFT JOIN {DECIDED} d ON d.id = sc.id GROUP BY sc.owner ORDER BY sc.owner"
            )
        ]

    # the lead exchange: give/receive ledger per partner (followup/ledger.py)
    from .ledger import exchange_ledger

    exchange = exchange_ledger(reader, on=on, since=since, who=who, tables_ready=True)

    return {
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
        **goals_and_purposes(reader, on=on),  # commitment goals and touch purposes
        "exchange": exchange,
        **after_sale_figures(reader, on=on, since=since, who=who),  # complaints, revenue from existing customers
    }


def _expected_rank(source: str) -> int:
    return SOURCE_ORDER.index(source) + 1 if source in SOURCE_ORDER else len(SOURCE_ORDER) + 1


# ---------------------------------------------------------------- levels, goals and purposes


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def goals_and_purposes(reader: Reader, *, on: date) -> dict:
    """`goals` and `purposes`: the touches of the prospects in scope dated on or before `on`, with
    their commitment goals (achieved: outcome `committed`) and purposes; and the customers (a sale
    on or before `on`) whose every touch with a purpose was `deal`. Reads `stats_scoped`."""
    from .enums import Outcome, Purpose

    purposes = [p.value for p in Purpose]
    params = {"on": on, "committed": Outcome.committed.value} | {f"p{i}": p for i, p in enumerate(purposes)}
    # one pass over the touches, in one row: no sort of every touch by purpose
    touches, with_goal, achieved, *per_purpose = one(
        reader,
        "SELECT COUNT(*), COUNT(t.goal), COUNT(CASE WHEN t.goal IS NOT NULL AND t.outcome = :committed THEN 1 END), "
        + ", ".join(f"COUNT(CASE WHEN t.purpose = :p{i} THEN 1 END)" for i in range(len(purposes)))
        + f" FROM touch t WHERE t.day <= :on AND t.contact_id IN (SELECT id FROM {SCOPED})",
        params,
    )
    # grouped by the customers in scope, so that SQLite starts from them, not from every contact
    only_deal = [
        {"id": int(cid), "name": name, "touches": int(n)}
        for cid, name, n in reader.rows(
            f"SELECT sc.id, c.name, COUNT(*) FROM {SCOPED} sc JOIN touch t ON t.contact_id = sc.id "
            "JOIN contact c ON c.id = sc.id "
            "WHERE sc.sales >= 1 AND t.day <= :on AND t.purpose IS NOT NULL "
            "GROUP BY sc.id, c.name HAVING SUM(CASE WHEN t.purpose = :deal THEN 0 ELSE 1 END) = 0 "
            "ORDER BY COUNT(*) DESC, sc.id",
            {"on": on, "deal": Purpose.deal.value},
        )
    ]
    touches, with_goal, achieved = int(touches), int(with_goal or 0), int(achieved or 0)
    return {
        "goals": {
            "touches": touches,
            "with_goal": with_goal,
            "share": _share(with_goal, touches),
            "achieved": achieved,
            "achieved_share": _share(achieved, with_goal),
        },
        "purposes": {
            "counts": {p: int(n or 0) for p, n in zip(purposes, per_purpose, strict=True)},
            "only_deal": only_deal,
        },
    }


# ---------------------------------------------------------------- complaints and revenue from existing customers

# Selling succeeds about 6% of the time to prospects, 15% to new customers, 50% to repeat customers.
SELLING_BENCHMARKS = {"prospects": 0.06, "new_customers": 0.15, "repeat_customers": 0.5}


def after_sale_figures(reader: Reader, *, on: date, since: date | None, who: Salesperson) -> dict:
    """`complaints`: complaints dated within --since/--on, of the contacts in reach, by class and
    kind, and how many are still open as of --on. `revenue_existing`: the revenue of the
    prospects in scope split into first sales and the sales after a contact's first sale.
    Reads `stats_scoped`."""
    from .enums import ComplaintKind, complaint_class

    within, params = dated_within("k.day", on=on, since=since)
    owner_clause, owner_params = who.scope_sql("c.owner")
    rows = reader.rows(
        "SELECT k.kind, COUNT(*), "
        "       SUM(CASE WHEN k.status = 'open' OR k.closed_on IS NULL OR k.closed_on > :on THEN 1 ELSE 0 END) "
        "FROM complaint k JOIN contact c ON c.id = k.contact_id "
        f"WHERE {within}{owner_clause} GROUP BY k.kind",
        params | owner_params,
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

    # a contact's first sale: the lowest id on the day of its first sale; the rest are repeat sales
    first, first_n, cents, sales = one(
        reader,
        f"SELECT COALESCE(SUM(s.amount_cents), 0), COUNT(*), SUM(sc.cents), SUM(sc.sales) FROM {SCOPED} sc "
        "JOIN sale s ON s.id = (SELECT MIN(s1.id) FROM sale s1 WHERE s1.contact_id = sc.id AND s1.day = sc.first_sale) "
        "WHERE sc.sales >= 1",
    )
    repeat, repeat_n = int(cents or 0) - int(first), int(sales or 0) - int(first_n)
    first_sales, repeat_sales = _money(first), _money(repeat)
    whole = first_sales + repeat_sales
    revenue_existing = {
        "first_sales": first_sales,
        "repeat_sales": repeat_sales,
        "share_existing": round(repeat_sales / whole, 4) if whole else None,
        "first_sale_count": int(first_n or 0),
        "repeat_sale_count": int(repeat_n),
        "benchmark": dict(SELLING_BENCHMARKS),
    }
    return {"complaints": complaints, "revenue_existing": revenue_existing}
