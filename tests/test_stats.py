"""`followup stats` (SPEC section 4): every figure on one scenario with hand-computed answers.

The scenario is built once through the real CLI (`add`, `touch`, `sold`, `lost`, `edit`,
`add-referral`, `ask`) with explicit dates into a template database; each test works on its
own copy. Everything is computed as of ON unless a test says otherwise.

Definitions the expectations follow: a contact is in scope when its first-seen day (referral
date, else first touch) is on or before --on (and on or after --since); only events on or
before --on count. A prospect is decided by its first sale or by `lost`, whichever is earlier
(a tie is won); its touch count is the touches on or before that decision date, at least 1.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import ok
from sqlalchemy import make_url

pytestmark = pytest.mark.backends("sqlite", "postgresql")

ON = "2026-11-25"  # a Wednesday; its week starts Monday 2026-11-23

BUCKETS = ["1", "2", "3", "4", "5-11", "12+"]
BUCKET_BENCHMARKS = [0.02, None, 0.05, 0.10, 0.80, None]
ASK_BUCKETS = ["1", "2", "3+"]
ASK_BENCHMARKS = [1.47, 2.03, 3.28]
SOURCES = ["vendor", "customer", "declined", "exchange", "network"]


def touches(name: str, *days: str) -> list[list[str]]:
    return [["touch", name, "--on", d] for d in days]


def daily(name: str, start: str, n: int) -> list[list[str]]:
    """`n` touches on `n` consecutive days from `start`."""
    first = date.fromisoformat(start)
    return touches(name, *((first + timedelta(days=i)).isoformat() for i in range(n)))


# ---------------------------------------------------------------- the scenario
#
# name  referred (source, date)  touches (dates)               decision            bucket  sales (amount, date)
# Ann   no                       1 (09-01)                     lost 09-02          1 L
# Cal   no                       1 (09-03), +09-07, +09-09     sold 09-05          1 W     1000 09-05
# Ben   vendor 10-06 (Vera)      none                          sold 10-07          1 W     5000 10-07
# Dan   no                       2 (09-01, 09-03)              lost 09-05          2 L
# Eve   no                       2 (09-02, 09-04)              sold 09-06          2 W     2000 09-06
# Lou   no                       2 (09-01, 09-03), +09-10      lost 09-05 < sold   2 L     700 09-15
# Tia   no                       2 (09-08, 09-09)              lost = sold 09-10   2 W     300 09-10
# Gus   no                       3 (09-14..09-16)              sold 09-17          3 W     1200 09-17
# Sal   no                       3 (09-10..09-12), +09-22      sold 09-20 < lost   3 W     800 09-20
# Fay   declined 11-03 (Oli)     3 (11-03..11-05)              lost 11-06          3 L
# Hal   customer 10-13 (Cal)     4 (10-13, 10-14, 10-16, 10-19) lost 10-21         4 L
# Ivy   customer 10-20 (Cal)     4 (10-20..10-23)              sold 10-26          4 W     4000 10-26, 1500.50 11-20
# Jo    no                       5 (09-01..09-05)              sold 09-07          5-11 W  (no amount) 09-07
# Kim   no                       6 (09-01..09-06)              sold 09-08          5-11 W  2500 09-08
# Lee   no                       8 (09-01..09-08)              sold 09-10          5-11 W  3000 09-10
# Max   no                       11 (09-01..09-11)             sold 09-12          5-11 W  3500 09-12
# Oli   no                       7 (09-01..09-07)              lost 09-09          5-11 L
# Pam   exchange 10-04 (Xeno)    12 (10-05..10-16)             sold 10-17          12+ W   6000 10-17, 100 11-28 (after ON)
# Quin  no                       14 (09-01..09-14)             lost 09-16          12+ L
# Stu   no                       2, the second a stop request  none (stop is not a decision)
# Uma   no                       1 (11-20)                     sold 11-28 (after ON): undecided as of ON
# Rex   network 11-17 (Nina)     1 (10-01, before the referral) undecided
# Nell, Ned: customer 11-24, created by `ask Cal --names`; undecided
# Zoe   network 11-27 (Nina): after ON, out of scope
# Vera (vendor), Xeno (exchange), Nina (network): referrers, one touch each in August; undecided
#
# Asks (all after the customer's first sale):
#   Eve 09-20 got 1 | Gus 09-25 got 0 | Cal 10-12 got 1, 11-24 got 2 (Nell, Ned) | Kim 09-20 got 0, 10-20 got 2
#   Ivy 10-28 got 1, 11-05 got 1, 11-21 got 2, 11-26 got 5 (after ON) | Max 09-15 got 0, 09-22 got 1, 10-01 got 0,
#   10-08 got 1

SCENARIO: list[list[str]] = [
    # referrers, first seen in August
    ["add", "Vera", "--company", "Parts Supply"],
    *touches("Vera", "2026-08-03"),
    ["add", "Xeno", "--company", "Partner Co"],
    *touches("Xeno", "2026-08-04"),
    ["add", "Nina"],
    *touches("Nina", "2026-08-05"),
    # bucket 1
    ["add", "Ann"],
    *touches("Ann", "2026-09-01"),
    ["lost", "Ann", "--on", "2026-09-02"],
    ["add", "Cal"],
    *touches("Cal", "2026-09-03"),
    ["sold", "Cal", "--amount", "1000", "--on", "2026-09-05"],
    *touches("Cal", "2026-09-07", "2026-09-09"),  # after the sale: not counted
    # Pam's referral (exchange) is recorded before Ben's (vendor): the vendor > exchange tie-break
    # must come from the expected order, not from insertion or alphabetical order
    ["add-referral", "Pam", "--from", "Xeno", "--source", "exchange", "--on", "2026-10-04"],
    ["add-referral", "Ben", "--from", "Vera", "--source", "vendor", "--on", "2026-10-06"],
    ["sold", "Ben", "--amount", "5000", "--on", "2026-10-07"],  # no touch logged: counts as 1
    # bucket 2
    ["add", "Dan"],
    *touches("Dan", "2026-09-01", "2026-09-03"),
    ["lost", "Dan", "--on", "2026-09-05"],
    ["add", "Eve"],
    *touches("Eve", "2026-09-02", "2026-09-04"),
    ["sold", "Eve", "--amount", "2000", "--on", "2026-09-06"],
    ["add", "Lou"],
    *touches("Lou", "2026-09-01", "2026-09-03"),
    ["lost", "Lou", "--on", "2026-09-05"],
    *touches("Lou", "2026-09-10"),
    ["sold", "Lou", "--amount", "700", "--on", "2026-09-15"],  # the loss came first: lost
    ["add", "Tia"],
    *touches("Tia", "2026-09-08", "2026-09-09"),
    ["lost", "Tia", "--on", "2026-09-10"],
    ["sold", "Tia", "--amount", "300", "--on", "2026-09-10"],  # same day as the loss: won
    # bucket 3
    ["add", "Gus"],
    *touches("Gus", "2026-09-14", "2026-09-15", "2026-09-16"),
    ["sold", "Gus", "--amount", "1200", "--on", "2026-09-17"],
    ["add", "Sal"],
    *touches("Sal", "2026-09-10", "2026-09-11", "2026-09-12"),
    ["sold", "Sal", "--amount", "800", "--on", "2026-09-20"],
    ["edit", "Sal", "--status", "prospect"],
    *touches("Sal", "2026-09-22"),  # after the sale, the decision: not counted
    ["lost", "Sal", "--on", "2026-09-25"],  # the sale came first: won
    # bucket 5-11 (Oli is also the `declined` referrer of Fay)
    ["add", "Jo"],
    *daily("Jo", "2026-09-01", 5),
    ["sold", "Jo", "--on", "2026-09-07"],
    ["add", "Kim"],
    *daily("Kim", "2026-09-01", 6),
    ["sold", "Kim", "--amount", "2500", "--on", "2026-09-08"],
    ["add", "Lee"],
    *daily("Lee", "2026-09-01", 8),
    ["sold", "Lee", "--amount", "3,000", "--on", "2026-09-10"],
    ["add", "Max"],
    *daily("Max", "2026-09-01", 11),
    ["sold", "Max", "--amount", "3500", "--on", "2026-09-12"],
    ["add", "Oli"],
    *daily("Oli", "2026-09-01", 7),
    ["lost", "Oli", "--on", "2026-09-09"],
    # bucket 12+
    *daily("Pam", "2026-10-05", 12),
    ["sold", "Pam", "--amount", "6000", "--on", "2026-10-17"],
    ["sold", "Pam", "--amount", "100", "--on", "2026-11-28"],  # after ON
    ["add", "Quin"],
    *daily("Quin", "2026-09-01", 14),
    ["lost", "Quin", "--on", "2026-09-16"],
    # referred by the customer Cal (bucket 4) and by the declined Oli (bucket 3)
    ["add-referral", "Hal", "--from", "Cal", "--source", "customer", "--on", "2026-10-13"],
    *touches("Hal", "2026-10-13", "2026-10-14", "2026-10-16", "2026-10-19"),
    ["lost", "Hal", "--on", "2026-10-21"],
    ["add-referral", "Ivy", "--from", "Cal", "--source", "customer", "--on", "2026-10-20"],
    *daily("Ivy", "2026-10-20", 4),
    ["sold", "Ivy", "--amount", "4000", "--on", "2026-10-26"],
    ["sold", "Ivy", "--amount", "1500.50", "--on", "2026-11-20"],  # repeat purchase
    ["add-referral", "Fay", "--from", "Oli", "--source", "declined", "--on", "2026-11-03"],
    *touches("Fay", "2026-11-03", "2026-11-04", "2026-11-05"),
    ["lost", "Fay", "--on", "2026-11-06"],
    # never decided
    ["add", "Stu"],
    *touches("Stu", "2026-09-01"),
    ["touch", "Stu", "--outcome", "stop", "--on", "2026-09-03"],
    ["add", "Uma"],
    *touches("Uma", "2026-11-20"),
    ["sold", "Uma", "--amount", "9999", "--on", "2026-11-28"],  # after ON
    ["add", "Rex"],
    *touches("Rex", "2026-10-01"),
    ["add-referral", "Rex", "--from", "Nina", "--source", "network", "--on", "2026-11-17"],
    ["add-referral", "Zoe", "--from", "Nina", "--source", "network", "--on", "2026-11-27"],  # after ON
    # asks
    ["ask", "Eve", "--got", "1", "--on", "2026-09-20"],
    ["ask", "Gus", "--got", "0", "--on", "2026-09-25"],
    ["ask", "Cal", "--got", "1", "--on", "2026-10-12"],
    ["ask", "Cal", "--got", "2", "--names", "Nell, Ned", "--on", "2026-11-24"],
    ["ask", "Kim", "--got", "0", "--on", "2026-09-20"],
    ["ask", "Kim", "--got", "2", "--on", "2026-10-20"],
    ["ask", "Ivy", "--got", "1", "--on", "2026-10-28"],
    ["ask", "Ivy", "--got", "1", "--on", "2026-11-05"],
    ["ask", "Ivy", "--got", "2", "--on", "2026-11-21"],
    ["ask", "Ivy", "--got", "5", "--on", "2026-11-26"],  # after ON
    ["ask", "Max", "--got", "0", "--on", "2026-09-15"],
    ["ask", "Max", "--got", "1", "--on", "2026-09-22"],
    ["ask", "Max", "--got", "0", "--on", "2026-10-01"],
    ["ask", "Max", "--got", "1", "--on", "2026-10-08"],
]


@pytest.fixture(scope="session")
def scenario_template(tmp_path_factory, invoke) -> Path:
    """The scenario's database, built once per run through the CLI."""
    folder = tmp_path_factory.mktemp("stats-scenario")
    path = folder / "template.db"
    env = {
        "FOLLOWUP_DB": str(path),
        "FOLLOWUP_CONFIG": str(folder / "config.toml"),
        "FOLLOWUP_TODAY": "2026-12-31",
        "FOLLOWUP_DEBUG": None,
        "XDG_DATA_HOME": str(folder / "xdg-data"),
        "XDG_CONFIG_HOME": str(folder / "xdg-config"),
        "NO_COLOR": "1",
    }
    for args in SCENARIO:
        run = invoke(args, env=env)
        assert run.exit_code == 0, (args, run.stderr)
    with closing(sqlite3.connect(path)) as con:  # everything from the -wal file into the one file
        busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0
    return path


@pytest.fixture(scope="session")
def pg_scenario_template(scenario_template, postgres) -> str:
    """The same scenario in a PostgreSQL database, the template of each test's copy: the rows the
    CLI wrote on SQLite, loaded as they are (the writes themselves run on PostgreSQL in
    test_cadence and test_referrals; here it is the reading that counts, and building the
    scenario twice would cost seconds)."""
    return postgres.load_sqlite(scenario_template, name="stats_scenario")


@pytest.fixture
def scenario(backend, db_path, db_url, request) -> None:
    """The test's database becomes a copy of the scenario."""
    if backend == "sqlite":
        shutil.copyfile(request.getfixturevalue("scenario_template"), db_path)
    else:
        template = request.getfixturevalue("pg_scenario_template")
        request.getfixturevalue("postgres").replace_database(make_url(db_url).database, template)


def near(expected: float):
    """A rate or amount as JSON carries it: fractions may be rounded to 4 decimal places."""
    return pytest.approx(expected, abs=1e-4)


def about(expected: float):
    """An average (touches, names) as JSON carries it: possibly rounded to 2 decimal places."""
    return pytest.approx(expected, abs=0.005)


def stats_json(cli, *args: str) -> dict:
    return ok(cli("stats", "--json", *args)).json()


@pytest.fixture
def report(cli, scenario) -> dict:
    """`stats --json --on ON` on the scenario."""
    return stats_json(cli, "--on", ON)


def by_bucket(data: dict) -> dict[str, dict]:
    return {row["bucket"]: row for row in data["by_touches"]}


def pick(group: dict) -> dict:
    """The contract's keys of a referred/not_referred group (extra keys are allowed)."""
    return {key: group[key] for key in ("decided", "won", "rate", "small_sample")}


def by_times(data: dict) -> dict[str, dict]:
    return {row["times_asked"]: row for row in data["asks"]}


# ---------------------------------------------------------------- the scenario itself


def test_scenario_touch_counts_and_statuses_are_what_the_arithmetic_assumes(cli, scenario):
    """Guards the hand arithmetic below: all touches ever logged (including after decisions and after ON)."""
    rows = {row["name"]: row for row in ok(cli("list", "--status", "all", "--json")).json()}
    expected_touches = {
        "Ann": 1, "Cal": 3, "Ben": 0, "Dan": 2, "Eve": 2, "Lou": 3, "Tia": 2, "Gus": 3, "Sal": 4,
        "Fay": 3, "Hal": 4, "Ivy": 4, "Jo": 5, "Kim": 6, "Lee": 8, "Max": 11, "Oli": 7, "Pam": 12,
        "Quin": 14, "Stu": 2, "Uma": 1, "Rex": 1, "Nell": 0, "Ned": 0, "Zoe": 0, "Vera": 1, "Xeno": 1,
        "Nina": 1,
    }  # fmt: skip
    assert {name: row["touches"] for name, row in rows.items()} == expected_touches
    assert rows["Lou"]["status"] == "customer"  # sold after the loss
    assert rows["Sal"]["status"] == "lost"  # lost after the sale
    assert rows["Ivy"]["status"] == "repeat"
    assert rows["Stu"]["do_not_contact"] is True
    assert rows["Nell"]["referrer"] == rows["Ned"]["referrer"] == "Cal"


# ---------------------------------------------------------------- close rate by touches


# bucket -> (decided, won, rate), as of ON
BY_TOUCHES = {
    # Ann lost at 1; Cal won at 1 (his 2 touches after the sale do not count); Ben won with no touch -> 1
    # won 2 of decided 3 -> 2/3
    "1": (3, 2, 2 / 3),
    # Dan lost at 2; Eve won at 2; Lou lost at 2 (loss 09-05 before the sale 09-15; the 09-10 touch is after);
    # Tia won at 2 (loss and sale the same day: won) -> won 2 of decided 4 -> 0.5
    "2": (4, 2, 0.5),
    # Gus won at 3; Sal won at 3 (sale 09-20 before the loss 09-25; the 09-22 touch is after); Fay lost at 3
    # -> won 2 of decided 3 -> 2/3
    "3": (3, 2, 2 / 3),
    # Hal lost at 4; Ivy won at 4 -> won 1 of decided 2 -> 0.5
    "4": (2, 1, 0.5),
    # Jo 5, Kim 6, Lee 8, Max 11 won; Oli lost at 7 -> won 4 of decided 5 -> 0.8
    "5-11": (5, 4, 0.8),
    # Pam won at 12; Quin lost at 14 -> won 1 of decided 2 -> 0.5
    # (Stu asked to stop: not decided; Uma's sale is after ON: not decided)
    "12+": (2, 1, 0.5),
}


def test_by_touches_lists_all_six_buckets_in_order_with_benchmarks(report):
    assert [row["bucket"] for row in report["by_touches"]] == BUCKETS
    assert [row["benchmark"] for row in report["by_touches"]] == [
        None if b is None else near(b) for b in BUCKET_BENCHMARKS
    ]


@pytest.mark.parametrize("bucket", BUCKETS)
def test_by_touches_counts_touches_on_or_before_the_decision(report, bucket):
    decided, won, rate = BY_TOUCHES[bucket]
    row = by_bucket(report)[bucket]
    assert (row["decided"], row["won"]) == (decided, won)
    assert row["rate"] == near(rate)
    assert row["small_sample"] is (decided < 5)


def test_avg_touches_to_win_is_the_mean_touch_count_of_won_prospects(report):
    # won: Cal 1, Ben 1, Eve 2, Tia 2, Gus 3, Sal 3, Ivy 4, Jo 5, Kim 6, Lee 8, Max 11, Pam 12
    # 1+1+2+2+3+3+4+5+6+8+11+12 = 58 over 12 wins -> 4.8333
    assert report["avg_touches_to_win"] == about(58 / 12)


def test_gave_up_at_3_or_fewer_counts_losses_by_touches_at_the_loss(report):
    # lost prospects: Ann 1, Dan 2, Lou 2 (lost before he later bought), Fay 3, Hal 4, Oli 7, Quin 14
    # <= 3: Ann, Dan, Lou, Fay -> 4 (Sal, lost after a sale, is a win; Stu's stop is not a loss)
    assert report["gave_up_at_3_or_fewer"] == 4


# ---------------------------------------------------------------- referrals


def test_referred_close_rate(report):
    # referred and decided: Ben W, Ivy W, Pam W, Hal L, Fay L -> won 3 of decided 5 -> 0.6
    # (Rex, Nell, Ned undecided; Zoe referred after ON)
    assert pick(report["referred"]) == {"decided": 5, "won": 3, "rate": near(0.6), "small_sample": False}


def test_not_referred_close_rate(report):
    # decided 19 in all (3+4+3+2+5+2), 5 referred -> 14 not referred
    # won 12 in all (2+2+2+1+4+1), 3 referred -> 9 not referred: Cal, Eve, Tia, Gus, Sal, Jo, Kim, Lee, Max
    # -> 9/14
    expected = {"decided": 14, "won": 9, "rate": near(9 / 14), "small_sample": False}
    assert pick(report["not_referred"]) == expected


def test_referred_repeat_rate_counts_sales_on_or_before_on(report):
    # referred contacts with a sale: Ben (1), Ivy (2: 10-26 and 11-20), Pam (1; her 11-28 sale is after ON)
    # two or more: Ivy -> 1 of 3
    assert report["referred_repeat_rate"] == near(1 / 3)


# ---------------------------------------------------------------- sources


def test_sources_ranked_by_close_rate_ties_in_expected_order_nulls_last(report):
    # vendor: Ben W -> referrals 1, won 1 of 1 -> 1.0
    # exchange: Pam W -> referrals 1, won 1 of 1 -> 1.0 (tie with vendor: vendor ranks first)
    # customer: Hal L, Ivy W, Nell and Ned (from `ask --names`, undecided) -> referrals 4, won 1 of 2 -> 0.5
    # declined: Fay L -> referrals 1, won 0 of 1 -> 0.0
    # network: Rex (undecided; Zoe is after ON) -> referrals 1, decided 0 -> null, last
    expected = [
        ("vendor", 1, 1, 1, 1.0),
        ("exchange", 1, 1, 1, 1.0),
        ("customer", 4, 2, 1, 0.5),
        ("declined", 1, 1, 0, 0.0),
        ("network", 1, 0, 0, None),
    ]
    got = [(r["source"], r["referrals"], r["decided"], r["won"], r["rate"]) for r in report["sources"]]
    assert got == expected
    assert all(row["small_sample"] is True for row in report["sources"])  # every source has fewer than 5 decided


# ---------------------------------------------------------------- asking


# times asked -> (customers, avg_names), as of ON
ASKS = {
    # Eve (got 1), Gus (got 0) -> 2 customers, 1 name -> 1/2 = 0.5
    "1": (2, 0.5),
    # Cal (1 + 2), Kim (0 + 2) -> 2 customers, 5 names -> 5/2 = 2.5
    "2": (2, 2.5),
    # Ivy 3 asks by ON (1 + 1 + 2; the 11-26 ask is after ON), Max 4 asks (0 + 1 + 0 + 1)
    # -> 2 customers, 6 names -> 6/2 = 3.0
    "3+": (2, 3.0),
}


@pytest.mark.parametrize(("times", "benchmark"), list(zip(ASK_BUCKETS, ASK_BENCHMARKS, strict=True)))
def test_asks_average_names_per_customer_by_times_asked(report, times, benchmark):
    assert [row["times_asked"] for row in report["asks"]] == ASK_BUCKETS
    customers, avg_names = ASKS[times]
    row = by_times(report)[times]
    assert row["customers"] == customers
    assert row["avg_names"] == about(avg_names)
    assert row["benchmark"] == near(benchmark)


def test_never_asked_counts_customers_with_a_sale_and_no_ask(report):
    # customers (a sale on or before ON): Cal, Ben, Eve, Lou, Tia, Gus, Sal, Ivy, Jo, Kim, Lee, Max, Pam = 13
    # (Uma's only sale is after ON); asked: Eve, Gus, Cal, Kim, Ivy, Max = 6
    # never asked: Ben, Lou, Tia, Sal, Jo, Lee, Pam = 7 -> share 7/13
    assert report["never_asked"]["count"] == 7
    assert report["never_asked"]["share"] == near(7 / 13)


# ---------------------------------------------------------------- weekly habit


def test_weekly_referrals_eight_monday_weeks_ending_with_the_week_of_on(report):
    # ON 2026-11-25 is a Wednesday: the last week starts Monday 11-23, the first 7 weeks earlier, 10-05.
    # Pam 10-04 (Sunday) falls just outside; Zoe 11-27 is in ON's week but after ON: not counted.
    expected = [
        ("2026-10-05", 1),  # Ben 10-06
        ("2026-10-12", 1),  # Hal 10-13
        ("2026-10-19", 1),  # Ivy 10-20
        ("2026-10-26", 0),
        ("2026-11-02", 1),  # Fay 11-03
        ("2026-11-09", 0),
        ("2026-11-16", 1),  # Rex 11-17
        ("2026-11-23", 2),  # Nell, Ned 11-24 (from `ask Cal --names`)
    ]
    assert [(w["week_start"], w["count"]) for w in report["weekly_referrals"]] == expected


# ---------------------------------------------------------------- money


def test_revenue_referred_not_referred_and_by_source(report):
    revenue = report["revenue"]
    # referred: Ben 5000 + Ivy 4000 + 1500.50 + Pam 6000 (her 100 on 11-28 is after ON) = 16500.5
    assert revenue["referred"] == near(16500.5)
    # not referred: Cal 1000 + Eve 2000 + Lou 700 + Tia 300 + Gus 1200 + Sal 800 + Jo (no amount) 0
    # + Kim 2500 + Lee 3000 + Max 3500 = 15000 (Uma's 9999 is after ON)
    assert revenue["not_referred"] == near(15000)
    by_source = revenue["by_source"]
    # vendor: Ben 5000; customer: Ivy 4000 + 1500.50 = 5500.5; exchange: Pam 6000; declined, network: nothing
    assert by_source["vendor"] == near(5000)
    assert by_source["customer"] == near(5500.5)
    assert by_source["exchange"] == near(6000)
    assert set(by_source) <= set(SOURCES)
    assert all(by_source[s] == 0 for s in set(by_source) - {"vendor", "customer", "exchange"})


# ---------------------------------------------------------------- single rules, each on its own


SOLD_AFTER_TOUCH = [["add", "Pat"], *touches("Pat", "2026-11-02"), ["sold", "Pat", "--on", "2026-11-03"]]
SOLD_THEN_LOST = [
    ["add", "Pat"],
    *touches("Pat", "2026-11-02", "2026-11-03"),
    ["sold", "Pat", "--on", "2026-11-04"],
    ["edit", "Pat", "--status", "prospect"],
    *touches("Pat", "2026-11-06", "2026-11-07"),
    ["lost", "Pat", "--on", "2026-11-09"],
]
LOST_THEN_SOLD = [
    ["add", "Pat"],
    *touches("Pat", "2026-11-02"),
    ["lost", "Pat", "--on", "2026-11-03"],
    *touches("Pat", "2026-11-06", "2026-11-08", "2026-11-09"),
    ["sold", "Pat", "--on", "2026-11-10"],
]
LOST_AND_SOLD_SAME_DAY = [
    ["add", "Pat"],
    *touches("Pat", "2026-11-02", "2026-11-03", "2026-11-04"),
    ["lost", "Pat", "--on", "2026-11-05"],
    ["sold", "Pat", "--on", "2026-11-05"],
]

RULES = [
    pytest.param(
        [["add-referral", "Pat", "--from", "Bob", "--on", "2026-11-02"], ["sold", "Pat", "--on", "2026-11-03"]],
        "1",
        True,
        id="a-sale-with-no-touch-counts-as-one",
    ),
    pytest.param(
        [["add", "Pat"], *touches("Pat", "2026-11-02", "2026-11-03"), ["sold", "Pat", "--on", "2026-11-03"]],
        "2",
        True,
        id="a-touch-on-the-decision-day-counts",
    ),
    pytest.param(
        [*SOLD_AFTER_TOUCH, *touches("Pat", "2026-11-05", "2026-11-07", "2026-11-11")],
        "1",
        True,
        id="touches-after-the-sale-do-not-count",
    ),
    pytest.param(SOLD_THEN_LOST, "2", True, id="a-sale-then-a-loss-is-won-at-the-sale"),
    pytest.param(LOST_THEN_SOLD, "1", False, id="a-loss-then-a-sale-is-lost-at-the-loss"),
    pytest.param(LOST_AND_SOLD_SAME_DAY, "3", True, id="a-sale-and-a-loss-the-same-day-is-won"),
]


@pytest.mark.parametrize(("commands", "bucket", "won"), RULES)
def test_decision_rule(cli, commands, bucket, won):
    for args in commands:
        ok(cli(*args))
    rows = by_bucket(stats_json(cli, "--on", "2026-11-20"))
    assert {b: (r["decided"], r["won"]) for b, r in rows.items() if r["decided"]} == {bucket: (1, int(won))}


@pytest.mark.parametrize(
    "commands",
    [
        pytest.param(
            [
                ["add", "Pat"],
                *touches("Pat", "2026-11-02"),
                ["touch", "Pat", "--outcome", "stop", "--on", "2026-11-04"],
            ],
            id="a-stop-request",
        ),
        pytest.param(
            [["add", "Pat"], *touches("Pat", "2026-11-02", "2026-11-03"), ["sold", "Pat", "--on", "2026-11-21"]],
            id="a-sale-after-on",
        ),
        pytest.param(
            [["add", "Pat"], *touches("Pat", "2026-11-02"), ["lost", "Pat", "--on", "2026-11-21"]],
            id="a-loss-after-on",
        ),
    ],
)
def test_not_a_decision_as_of_on(cli, commands):
    for args in commands:
        ok(cli(*args))
    data = stats_json(cli, "--on", "2026-11-20")
    assert [(r["decided"], r["won"], r["rate"]) for r in data["by_touches"]] == [(0, 0, None)] * 6
    assert data["gave_up_at_3_or_fewer"] == 0
    assert data["not_referred"]["decided"] == 0


# ---------------------------------------------------------------- --on and --since


def test_an_earlier_on_drops_everything_after_it(cli, scenario):
    data = stats_json(cli, "--on", "2026-10-10")  # a Saturday; its week starts Monday 10-05
    # decisions by 10-10: Pam's sale (10-17), Hal's loss (10-21), Ivy's sale (10-26), Fay's loss (11-06) are later
    assert [(r["bucket"], r["decided"], r["won"]) for r in data["by_touches"]] == [
        ("1", 3, 2),  # Ann L, Cal W, Ben W (sold 10-07)
        ("2", 4, 2),  # Dan L, Eve W, Lou L, Tia W
        ("3", 2, 2),  # Gus W, Sal W (Fay not yet referred)
        ("4", 0, 0),  # Hal, Ivy not yet decided
        ("5-11", 5, 4),  # Jo, Kim, Lee, Max W; Oli L
        ("12+", 1, 0),  # Quin L; Pam (6 touches by 10-10) not yet decided
    ]
    assert by_bucket(data)["4"]["rate"] is None  # decided 0 -> no rate
    # referred and decided by 10-10: Ben W -> won 1 of 1
    assert (data["referred"]["decided"], data["referred"]["won"]) == (1, 1)
    # sources with a referral by 10-10: Pam (exchange, 10-04, undecided), Ben (vendor, won)
    # vendor 1.0 first, exchange null last
    assert [(r["source"], r["referrals"], r["decided"], r["won"]) for r in data["sources"]] == [
        ("vendor", 1, 1, 1),
        ("exchange", 1, 0, 0),
    ]
    # customers by 10-10: Cal, Ben, Eve, Lou, Tia, Gus, Sal, Jo, Kim, Lee, Max = 11 (not Ivy, not Pam)
    # asks by 10-10: Eve 1 (got 1), Gus 1 (0), Kim 1 (0; her 10-20 ask is later), Max 4 (0+1+0+1); Cal's are later
    asks = by_times(data)
    assert (asks["1"]["customers"], asks["1"]["avg_names"]) == (3, about(1 / 3))  # 1 name / 3
    assert (asks["2"]["customers"], asks["2"]["avg_names"]) == (0, None)
    assert (asks["3+"]["customers"], asks["3+"]["avg_names"]) == (1, about(2.0))  # 2 names / 1
    # never asked: 11 - 4 = 7 (Cal, Ben, Lou, Tia, Sal, Jo, Lee) -> 7/11
    assert data["never_asked"]["count"] == 7
    assert data["never_asked"]["share"] == near(7 / 11)
    # eight weeks ending with the week of 10-05: 08-17 .. 10-05; Pam 10-04 is in the week of 09-28, Ben 10-06 in 10-05
    weeks = [(w["week_start"], w["count"]) for w in data["weekly_referrals"]]
    assert weeks == [
        ("2026-08-17", 0),
        ("2026-08-24", 0),
        ("2026-08-31", 0),
        ("2026-09-07", 0),
        ("2026-09-14", 0),
        ("2026-09-21", 0),
        ("2026-09-28", 1),
        ("2026-10-05", 1),
    ]
    # revenue by 10-10: referred Ben 5000; not referred all 15000 (every such sale is in September)
    assert data["revenue"]["referred"] == near(5000)
    assert data["revenue"]["not_referred"] == near(15000)
    assert {s: a for s, a in data["revenue"]["by_source"].items() if a} == {"vendor": near(5000)}


def test_since_filters_on_first_seen_the_referral_date_before_the_first_touch(cli, scenario):
    data = stats_json(cli, "--since", "2026-10-20", "--on", ON)
    # first seen on or after 10-20: Ivy (referred 10-20, the boundary day), Fay (11-03), Uma (touch 11-20),
    # Rex (referred 11-17: the referral date, not his 10-01 touch), Nell and Ned (11-24)
    # out: everyone first seen in August/September, Pam (10-04), Ben (10-06), Hal (10-13)
    assert [(r["bucket"], r["decided"], r["won"]) for r in data["by_touches"]] == [
        ("1", 0, 0),
        ("2", 0, 0),
        ("3", 1, 0),  # Fay L
        ("4", 1, 1),  # Ivy W
        ("5-11", 0, 0),
        ("12+", 0, 0),
    ]
    assert (data["referred"]["decided"], data["referred"]["won"]) == (2, 1)  # Ivy W, Fay L
    assert data["referred"]["rate"] == near(0.5)
    assert (data["not_referred"]["decided"], data["not_referred"]["rate"]) == (0, None)  # Uma's sale is after ON
    # customer: Ivy W, Nell, Ned -> referrals 3, won 1 of 1 -> 1.0; declined: Fay -> 0 of 1 -> 0.0;
    # network: Rex -> decided 0 -> null; vendor (Ben) and exchange (Pam) have no referral in scope
    assert [(r["source"], r["referrals"], r["decided"], r["won"]) for r in data["sources"]] == [
        ("customer", 3, 1, 1),
        ("declined", 1, 1, 0),
        ("network", 1, 0, 0),
    ]
    # customers in scope: Ivy only (asked 3 times by ON, 4 names) -> never asked 0 of 1
    assert (by_times(data)["3+"]["customers"], by_times(data)["3+"]["avg_names"]) == (1, about(4.0))
    assert (data["never_asked"]["count"], data["never_asked"]["share"]) == (0, near(0.0))
    # revenue: Ivy 4000 + 1500.50, all referred (customer)
    assert data["revenue"]["referred"] == near(5500.5)
    assert data["revenue"]["not_referred"] == near(0)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--on", "fribay"), ("--on", "2026-02-30"), ("--since", "not a date"), ("--since", "2026-13-01")],
)
def test_bad_date_is_one_error_line_and_exit_2(cli, scenario, option, value):
    run = cli("stats", option, value, "--on", ON) if option == "--since" else cli("stats", option, value)
    assert run.exit_code == 2, (run.stdout, run.stderr)
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stderr.startswith("Error: ") and run.stderr.count("\n") == 1, run.stderr
    assert option in run.stderr
    assert "YYYY-MM-DD" in run.stderr  # names the accepted forms


# ---------------------------------------------------------------- empty database


def test_empty_database_explains_in_one_screen_and_exits_0(cli):
    run = ok(cli("stats", "--on", ON))
    assert run.stdout.strip()
    assert len(run.stdout.splitlines()) <= 25  # one screen
    text = run.stdout.lower()
    assert "touch" in text and ("sale" in text or "sold" in text)  # says what to log
    assert "Traceback" not in run.stdout + run.stderr


def test_empty_database_json_has_zero_counts_and_null_rates(cli):
    data = stats_json(cli, "--on", ON)
    assert [(r["bucket"], r["decided"], r["won"], r["rate"], r["small_sample"]) for r in data["by_touches"]] == [
        (bucket, 0, 0, None, True) for bucket in BUCKETS
    ]
    assert data["avg_touches_to_win"] is None
    assert data["gave_up_at_3_or_fewer"] == 0
    for group in ("referred", "not_referred"):
        assert (data[group]["decided"], data[group]["won"], data[group]["rate"]) == (0, 0, None)
    assert data["referred_repeat_rate"] is None
    assert data["sources"] == []
    assert [(r["times_asked"], r["customers"], r["avg_names"]) for r in data["asks"]] == [
        (times, 0, None) for times in ASK_BUCKETS
    ]
    assert (data["never_asked"]["count"], data["never_asked"]["share"]) == (0, None)
    assert [(w["week_start"], w["count"]) for w in data["weekly_referrals"]] == [
        ((date(2026, 10, 5) + timedelta(weeks=i)).isoformat(), 0) for i in range(8)
    ]
    assert data["revenue"]["referred"] == 0
    assert data["revenue"]["not_referred"] == 0
    assert not any(data["revenue"]["by_source"].values())


# ---------------------------------------------------------------- the JSON shape


def test_json_shape_key_by_key(report):
    top = {
        "by_touches",
        "avg_touches_to_win",
        "gave_up_at_3_or_fewer",
        "referred",
        "not_referred",
        "referred_repeat_rate",
        "sources",
        "asks",
        "never_asked",
        "weekly_referrals",
        "revenue",
    }
    assert top <= set(report)  # extra keys are welcome
    assert len(report["by_touches"]) == 6
    for row in report["by_touches"]:
        assert {"bucket", "decided", "won", "rate", "benchmark", "small_sample"} <= set(row)
        assert isinstance(row["bucket"], str)
        assert isinstance(row["decided"], int) and isinstance(row["won"], int)
        assert row["rate"] is None or isinstance(row["rate"], float)
        assert isinstance(row["small_sample"], bool)
    assert isinstance(report["avg_touches_to_win"], int | float)
    assert isinstance(report["gave_up_at_3_or_fewer"], int)
    for group in ("referred", "not_referred"):
        assert {"decided", "won", "rate", "small_sample"} <= set(report[group])
    assert isinstance(report["referred_repeat_rate"], float)
    for row in report["sources"]:
        assert {"source", "referrals", "decided", "won", "rate", "small_sample"} <= set(row)
        assert row["source"] in SOURCES
    assert len(report["asks"]) == 3
    for row in report["asks"]:
        assert {"times_asked", "customers", "avg_names", "benchmark"} <= set(row)
        assert isinstance(row["times_asked"], str)
    assert {"count", "share"} <= set(report["never_asked"])
    assert len(report["weekly_referrals"]) == 8
    for week in report["weekly_referrals"]:
        assert {"week_start", "count"} <= set(week)
        assert date.fromisoformat(week["week_start"]).weekday() == 0  # a Monday
    assert {"referred", "not_referred", "by_source"} <= set(report["revenue"])
    assert isinstance(report["revenue"]["by_source"], dict)


def test_rates_are_fractions_not_percents(report):
    rates = [r["rate"] for r in report["by_touches"] + report["sources"] if r["rate"] is not None]
    rates += [report["referred"]["rate"], report["not_referred"]["rate"], report["never_asked"]["share"]]
    assert rates and all(0 <= rate <= 1 for rate in rates)


# ---------------------------------------------------------------- human output


def test_human_output_panels_whole_percents_and_small_sample_marker(cli, scenario):
    out = ok(cli("stats", "--on", ON)).stdout
    # a panel per topic: persistence, giving up, referrals, sources, asking, weekly habit, money
    assert out.count("╭") >= 7
    assert "Giving up" in out
    # whole percents: bucket 1 won 2 of 3 -> 67%; bucket 5-11 won 4 of 5 -> 80%; referred 3 of 5 -> 60%
    for percent in ("67%", "80%", "60%"):
        assert percent in out
    assert "66.7" not in out and "0.67" not in out
    # rows with fewer than 5 decided are marked, not hidden: 12+ (2 decided) is, 5-11 (5 decided) is not
    assert "too few" in out.lower()
    lines = out.splitlines()
    start = next(n for n, line in enumerate(lines) if "Persistence" in line)
    end = next(n for n in range(start, len(lines)) if lines[n].startswith("╰"))
    rows = {line.strip("│ ").split()[0]: line for line in lines[start:end] if line.startswith("│ ")}
    assert "80%" in rows["5-11"] and "*" not in rows["5-11"]
    assert "50%" in rows["12+"] and "*" in rows["12+"]


def test_stats_on_an_empty_book_explains_itself_in_plain_lines(cli):
    run = cli("stats", "--on", "2026-11-23")
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "Nothing to review yet."
    assert "  - referred versus not referred prospects (referred close about 54%)," in lines
    assert "\\x0a" not in run.stdout
