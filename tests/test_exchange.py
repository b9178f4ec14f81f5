"""The lead exchange: `add-referral --partner`, `gave-lead`, `lead-won`, `exchange`, and the
give/receive ledger per partner in `stats`.

The CLI runs on a temporary database, the ledger service on the `session` database; every
date is explicit (November 2026).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from helpers import ok, refused
from sqlmodel import select

from followup import exchange, services
from followup.enums import Source
from followup.models import LeadGiven, Referral

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-23"
FIXTURES = Path(__file__).parent / "fixtures"
LEDGER_KEYS = {
    "partner",
    "received",
    "received_won",
    "received_revenue",
    "given",
    "given_won",
    "given_revenue",
    "one_sided",
}


def run(cli, *args: str, today: str = TODAY, user: str = "sue"):
    return cli(*args, today=today, env={"FOLLOWUP_USER": user})


def referral(cli, name: str) -> dict:
    return ok(run(cli, "show", name, "--json")).json()["referred_by"]


def ledger(cli, *args: str) -> dict[str, dict]:
    """`stats --json`'s exchange rows by partner (as shown)."""
    rows = ok(run(cli, "stats", "--json", *args)).json()["exchange"]
    for row in rows:
        assert set(row) >= LEDGER_KEYS
    return {row["partner"]: row for row in rows}


def leads_given(session) -> list[LeadGiven]:
    session.expire_all()
    return list(session.exec(select(LeadGiven).order_by(LeadGiven.id)).all())


# ---------------------------------------------------------------- add-referral --partner


def test_exchange_referral_keeps_its_partner_and_a_partner_implies_exchange(cli):
    ok(run(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--source", "exchange", "--partner", " Acme  Ltd "))
    added = ok(run(cli, "add-referral", "Tom Wang", "--from", "Bob Li", "--partner", "Globex", "--on", "2026-11-03"))

    assert "source exchange, partner Globex." in added.stdout
    assert (referral(cli, "Sue Chen")["source"], referral(cli, "Sue Chen")["partner"]) == ("exchange", "Acme Ltd")
    assert (referral(cli, "Tom Wang")["source"], referral(cli, "Tom Wang")["partner"]) == ("exchange", "Globex")


def test_exchange_referral_without_partner_takes_the_referrers_company(cli):
    ok(run(cli, "add", "Bob Li", "--company", "Acme Ltd"))
    ok(run(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--source", "exchange", "--on", "2026-11-02"))
    unknown = ok(
        run(cli, "add-referral", "Tom Wang", "--from", "Ann Lee", "--source", "exchange", "--on", "2026-11-02")
    )
    ok(run(cli, "add-referral", "Max Ma", "--from", "Bob Li", "--source", "customer", "--on", "2026-11-02"))

    assert referral(cli, "Sue Chen")["partner"] == "Acme Ltd"
    assert referral(cli, "Tom Wang")["partner"] is None  # a new referrer: no company known
    assert "No partner company known (Ann Lee has none)" in unknown.stderr
    assert referral(cli, "Max Ma")["partner"] is None  # only an exchange has a partner


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--source", "customer", "--partner", "Acme"], ["--partner", "--source exchange", "customer referral"]),
        (["--source", "network", "--partner", "Acme"], ["--partner", "network referral"]),
        (["--partner", "  "], ["--partner", "partner company's name"]),
        (["--partner", "(Unknown)"], ["--partner", "(unknown)", "name the company"]),
        (["--partner", "x" * 201], ["--partner", "at most 200"]),
    ],
)
def test_add_referral_refuses_a_partner_that_does_not_fit(cli, dump, extra, words):
    ok(run(cli, "add", "Bob Li", "--company", "Acme Ltd"))
    before = dump()

    refused(run(cli, "add-referral", "Sue Chen", "--from", "Bob Li", *extra), *words)

    assert dump() == before


def test_show_gives_the_partner_in_the_referral_chain(cli):
    ok(run(cli, "add-referral", "Bob Li", "--from", "Ann Lee", "--source", "customer", "--on", "2026-11-01"))
    ok(run(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--partner", "Acme Ltd", "--on", "2026-11-02"))

    shown = ok(run(cli, "show", "Sue Chen", "--json")).json()
    text = ok(run(cli, "show", "Sue Chen")).stdout

    assert shown["referred_by"]["partner"] == "Acme Ltd"
    assert [(s["name"], s["source"], s["partner"]) for s in shown["referral_chain"]] == [
        ("Bob Li", "exchange", "Acme Ltd"),
        ("Ann Lee", "customer", None),
    ]
    assert "Sue Chen <- Bob Li (exchange, partner Acme Ltd, 2026-11-02) <- Ann Lee (customer, 2026-11-01)" in text
    assert any(e["what"] == "referred by Bob Li (exchange, partner Acme Ltd)" for e in shown["timeline"])


# ---------------------------------------------------------------- gave-lead


def test_gave_lead_records_the_contact_the_partner_the_day_and_who_gave_it(cli, db_url):
    ok(run(cli, "add", "Tom Wang", "--company", "Foo"))
    given = ok(run(cli, "gave-lead", " ACME  Ltd", "tom", "--on", "2026-11-05", "--note", "needs printers"))
    ok(run(cli, "gave-lead", "Globex", "Li Na of Foo", "--name-only"))

    assert "Lead #1: Tom Wang (#1) given to ACME Ltd on 2026-11-05." in given.stdout
    assert "followup lead-won 1 --amount N" in given.stdout
    data = ok(run(cli, "exchange", "--json")).json()
    assert [
        (g["id"], g["partner"], g["contact_id"], g["contact"], g["date"], g["note"], g["won"])
        for g in data["leads_given"]
    ] == [
        (1, "ACME Ltd", 1, "Tom Wang", "2026-11-05", "needs printers", False),
        (2, "Globex", None, "Li Na of Foo", TODAY, None, False),
    ]
    rows = _lead_rows(db_url)
    assert [(r["partner_key"], r["owner"]) for r in rows] == [("acme ltd", "sue"), ("globex", "sue")]


def _lead_rows(db_url: str) -> list[dict]:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM lead_given ORDER BY id"))]
    finally:
        engine.dispose()


def test_gave_lead_name_only_stores_the_name_as_given_even_when_a_contact_matches(cli, db_url):
    ok(run(cli, "add", "Tom Wang"))

    ok(run(cli, "gave-lead", "Acme", "Tom", "--name-only", "--on", "2026-11-05"))

    [row] = _lead_rows(db_url)
    assert (row["contact_id"], row["contact_name"]) == (None, "Tom")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["gave-lead", "Acme", "Nobody"], ["Nobody"]),
        (["gave-lead", "acme", "Tom Wang"], ["already given to Acme on 2026-11-05 (lead #1)"]),
        (["gave-lead", "ACME", "tom wang", "--name-only"], ["already given"]),  # name-only leads compare too
        (["gave-lead", "Acme", "Dan Wu"], ["Dan Wu", "asked not to be contacted"]),
        (["gave-lead", " ", "Tom Wang"], ["PARTNER", "partner company's name"]),
        (["gave-lead", "(unknown)", "Tom Wang"], ["(unknown)"]),
        (["gave-lead", "Acme", " ", "--name-only"], ["CONTACT", "lead's name"]),
        (["gave-lead", "Acme", "Tom Wang", "--on", "fribay"], ["--on", "YYYY-MM-DD"]),
    ],
)
def test_gave_lead_refuses_bad_input_and_writes_nothing(cli, dump, args, words):
    ok(run(cli, "add", "Tom Wang"))
    ok(run(cli, "add", "Dan Wu"))
    ok(run(cli, "edit", "Dan Wu", "--do-not-contact"))
    ok(run(cli, "gave-lead", "Acme", "Tom Wang", "--on", "2026-11-05"))
    ok(run(cli, "gave-lead", "Acme", "Tom Wang", "--name-only", "--on", "2026-11-05"))
    before = dump()

    refused(run(cli, *args), *words)

    assert dump() == before


# ---------------------------------------------------------------- lead-won


def test_lead_won_marks_the_win_replaces_the_amount_and_undo_clears_it(cli):
    ok(run(cli, "gave-lead", "Acme", "Li Na", "--name-only", "--on", "2026-11-05"))

    def lead() -> dict:
        [row] = ok(run(cli, "exchange", "--json")).json()["leads_given"]
        return {k: row[k] for k in ("won", "amount")}

    assert "won by Acme." in ok(run(cli, "lead-won", "1")).stdout
    assert lead() == {"won": True, "amount": None}
    assert "won by Acme for 8,000.50." in ok(run(cli, "lead-won", "#1", "--amount", "8,000.50")).stdout
    assert "already recorded as won; nothing changed" in ok(run(cli, "lead-won", "1")).stdout
    assert lead() == {"won": True, "amount": 8000.5}  # kept when no amount is given again
    ok(run(cli, "lead-won", "1", "--amount", "9000"))
    assert lead() == {"won": True, "amount": 9000.0}
    assert "no longer counted as won" in ok(run(cli, "lead-won", "1", "--undo")).stdout
    assert lead() == {"won": False, "amount": None}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["lead-won", "9"], ["no lead #9", "followup exchange"]),
        (["lead-won", "abc"], ["abc", "lead id", "#12"]),
        (["lead-won", "1", "--amount", "lots"], ["--amount", "lots"]),
        (["lead-won", "1", "--amount", "5", "--undo"], ["--undo", "--amount"]),
    ],
)
def test_lead_won_refuses_bad_input_and_writes_nothing(cli, dump, args, words):
    ok(run(cli, "gave-lead", "Acme", "Li Na", "--name-only", "--on", "2026-11-05"))
    before = dump()

    refused(run(cli, *args), *words)

    assert dump() == before


# ---------------------------------------------------------------- the ledger in stats

# Acme sends three leads (spelled three ways; the first spelling, "Acme Ltd", names the line):
# Sue buys twice (1,200 + 300), Tom is lost, Ann is still open. You give Acme one lead, which
# Acme wins for 5,000. Globex gets two leads from you and sends none; a referral recorded without
# a partner counts under (unknown).
LEDGER_BOOK = [
    ["add", "Bob Li", "--company", "Acme Ltd"],
    ["add-referral", "Sue Chen", "--from", "Bob Li", "--source", "exchange", "--on", "2026-11-02"],
    ["add-referral", "Tom Wang", "--from", "Bob Li", "--partner", "ACME LTD", "--on", "2026-11-03"],
    ["add-referral", "Ann Lee", "--from", "Max Ma", "--partner", "acme ltd", "--on", "2026-11-10"],
    ["add-referral", "Zoe Wu", "--from", "Max Ma", "--source", "exchange", "--on", "2026-11-04"],
    ["sold", "Sue Chen", "--amount", "1200", "--on", "2026-11-06"],
    ["sold", "Sue Chen", "--amount", "300", "--on", "2026-11-20"],
    ["lost", "Tom Wang", "--on", "2026-11-07"],
    ["gave-lead", "acme ltd", "Max Ma", "--on", "2026-11-05"],
    ["lead-won", "1", "--amount", "5000"],
    ["gave-lead", "Globex", "Li Na", "--name-only", "--on", "2026-11-04"],
    ["gave-lead", "GLOBEX", "Wu Fei", "--name-only", "--on", "2026-11-12"],
]
LEDGER_BOOK = [["--user", "sue", *args] for args in LEDGER_BOOK]  # one salesperson's book, as `run` is


def test_stats_ledger_counts_both_sides_per_partner(cli, seed):
    seed(LEDGER_BOOK, today=TODAY)

    rows = ok(run(cli, "stats", "--json", "--on", TODAY)).json()["exchange"]

    assert [r["partner"] for r in rows] == ["Acme Ltd", "Globex", "(unknown)"]
    acme, globex, unknown = rows
    assert acme == {
        "partner": "Acme Ltd",
        "received": 3,
        "received_won": 1,
        "received_revenue": 1500.0,
        "given": 1,
        "given_won": 1,
        "given_revenue": 5000.0,
        "one_sided": True,  # 3 received against 1 given
        "gives_more": "partner",
    }
    assert (globex["received"], globex["given"], globex["given_won"], globex["one_sided"]) == (0, 2, 0, False)
    assert (unknown["received"], unknown["given"], unknown["one_sided"]) == (1, 0, False)


def test_stats_ledger_follows_since_and_on(cli, seed):
    seed(LEDGER_BOOK, today=TODAY)

    as_of = ledger(cli, "--on", "2026-11-06")
    since = ledger(cli, "--on", TODAY, "--since", "2026-11-04")

    # by 2026-11-06: Sue and Tom received (Ann came on the 10th), Sue's first sale only; Li Na and
    # Max given (Wu Fei on the 12th)
    assert (as_of["Acme Ltd"]["received"], as_of["Acme Ltd"]["received_revenue"]) == (2, 1200.0)
    assert (as_of["Acme Ltd"]["received_won"], as_of["Acme Ltd"]["given"]) == (1, 1)
    assert as_of["Globex"]["given"] == 1
    # since 2026-11-04: Ann (Acme), Zoe (unknown); given: Max (Acme), Li Na and Wu Fei (Globex)
    assert (since["Acme Ltd"]["received"], since["Acme Ltd"]["received_won"]) == (1, 0)
    assert (since["Acme Ltd"]["given"], since["Globex"]["given"], since["(unknown)"]["received"]) == (1, 2, 1)
    assert since["Acme Ltd"]["one_sided"] is False  # 1 and 1


def test_stats_draws_the_ledger_panel_with_the_one_sided_flag(cli, seed):
    seed(LEDGER_BOOK, today=TODAY)

    text = ok(run(cli, "stats", "--on", TODAY)).stdout

    assert "Lead exchange, per partner" in text
    assert re.search(r"Acme Ltd +3 +1 +1,500\.00 +1 +1 +5,000\.00 +one-sided: they give more", text), text
    assert re.search(r"Globex +0 +0 +0\.00 +2 +0 +0\.00 +│", text), text


def test_stats_without_exchange_has_an_empty_ledger_and_no_panel(cli):
    ok(run(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--source", "customer", "--on", "2026-11-02"))
    ok(run(cli, "sold", "Sue Chen", "--on", "2026-11-04"))

    assert ok(run(cli, "stats", "--json")).json()["exchange"] == []
    assert "Lead exchange" not in ok(run(cli, "stats")).stdout


def test_stats_shows_leads_given_before_any_prospect_of_your_own(cli):
    ok(run(cli, "gave-lead", "Acme", "Li Na", "--name-only", "--on", "2026-11-05"))

    text = ok(run(cli, "stats")).stdout

    assert text.startswith("Nothing to review yet")
    assert "Lead exchange, per partner" in text


@pytest.mark.parametrize(
    ("received", "given", "one_sided", "gives_more"),
    [
        (0, 2, False, None),  # fewer than 3 leads
        (0, 3, True, "you"),
        (1, 2, True, "you"),  # twice as many
        (2, 3, False, None),
        (2, 2, False, None),
        (4, 2, True, "partner"),
        (5, 3, False, None),
    ],
)
def test_one_sided_means_at_least_twice_as_many_over_3_leads_or_more(
    session, settings, received, given, one_sided, gives_more
):
    on = date(2026, 11, 2)
    for n in range(received):
        services.add_referral(
            session=session,
            prospect=f"In {n}",
            referrer="Bob Li",
            on=on,
            settings=settings,
            source=Source.exchange,
            partner="Acme",
        )
    for n in range(given):
        exchange.give_lead(session=session, partner="Acme", name=f"Out {n}", on=on)

    [row] = exchange.ledger(session=session, on=on)

    assert (row["partner"], row["received"], row["given"]) == ("Acme", received, given)
    assert (row["one_sided"], row["gives_more"]) == (one_sided, gives_more)


def test_partner_shows_with_its_first_spelling_across_both_sides(session, settings):
    exchange.give_lead(session=session, partner="ACME ltd", name="Out", on=date(2026, 11, 1))
    services.add_referral(
        session=session,
        prospect="In",
        referrer="Bob Li",
        on=date(2026, 11, 2),
        settings=settings,
        partner="Acme Ltd",
    )

    [row] = exchange.ledger(session=session, on=date(2026, 11, 30))

    assert (row["partner"], row["received"], row["given"]) == ("ACME ltd", 1, 1)


# ---------------------------------------------------------------- merge and rm keep the ledger


def test_merge_keeps_the_referral_partner_and_moves_leads_given(cli, db_url):
    ok(run(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--partner", "Acme", "--on", "2026-11-02"))
    ok(run(cli, "add", "Sue C"))
    ok(run(cli, "gave-lead", "Globex", "Sue C", "--on", "2026-11-03"))

    sue = ok(run(cli, "show", "Sue Chen", "--json")).json()["contact"]["id"]

    ok(run(cli, "merge", "Sue Chen", "Sue C", "--yes"))

    assert referral(cli, "Sue Chen")["partner"] == "Acme"
    [row] = _lead_rows(db_url)
    assert (row["contact_id"], row["contact_name"]) == (sue, "Sue C")  # the name it was given under
    assert ledger(cli)["Globex"]["given"] == 1


def test_rm_keeps_the_partner_of_referrals_made_and_the_leads_given(cli, db_url):
    ok(run(cli, "add", "Bob Li", "--company", "Acme"))
    ok(run(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--source", "exchange", "--on", "2026-11-02"))
    ok(run(cli, "gave-lead", "Acme", "Bob Li", "--on", "2026-11-03"))

    ok(run(cli, "rm", "Bob Li", "--yes"))

    assert referral(cli, "Sue Chen") | {"referrer_id": None} == {
        "referrer_id": None,
        "referrer": "Bob Li",
        "source": "exchange",
        "date": "2026-11-02",
        "partner": "Acme",
    }
    [row] = _lead_rows(db_url)
    assert (row["contact_id"], row["contact_name"]) == (None, "Bob Li")
    assert {k: v for k, v in ledger(cli)["Acme"].items() if k in ("received", "given")} == {"received": 1, "given": 1}


# ---------------------------------------------------------------- followup exchange


def test_exchange_lists_both_sides_and_one_partner_by_part_of_its_name(cli, seed):
    seed(LEDGER_BOOK, today=TODAY)

    everyone = ok(run(cli, "exchange", "--json")).json()
    acme = ok(run(cli, "exchange", "acme", "--json")).json()
    text = ok(run(cli, "exchange", "GLOB")).stdout

    assert [p["partner"] for p in everyone["partners"]] == ["Acme Ltd", "Globex", "(unknown)"]
    assert len(everyone["leads_given"]) == 3 and len(everyone["leads_received"]) == 4
    assert [p["partner"] for p in acme["partners"]] == ["Acme Ltd"]
    assert [(r["contact"], r["partner"], r["won"], r["revenue"]) for r in acme["leads_received"]] == [
        ("Sue Chen", "Acme Ltd", True, 1500.0),
        ("Tom Wang", "ACME LTD", False, 0.0),
        ("Ann Lee", "acme ltd", False, 0.0),
    ]
    assert [(g["contact"], g["won"], g["amount"]) for g in acme["leads_given"]] == [("Max Ma", True, 5000.0)]
    assert "Li Na" in text and "Wu Fei" in text and "Sue Chen" not in text
    unknown = ok(run(cli, "exchange", "(unknown)", "--json")).json()
    assert [r["contact"] for r in unknown["leads_received"]] == ["Zoe Wu"] and unknown["leads_given"] == []


def test_exchange_refuses_an_unknown_or_ambiguous_partner(cli, seed):
    seed(
        [*LEDGER_BOOK, ["--user", "sue", "gave-lead", "Acme Labs", "Kai", "--name-only", "--on", "2026-11-05"]],
        today=TODAY,
    )

    refused(run(cli, "exchange", "Initech"), "no leads exchanged with 'Initech'", "Acme Ltd", "Globex")
    refused(run(cli, "exchange", "acme"), "more than one partner", "Acme Labs", "Acme Ltd")


def test_exchange_on_an_empty_book_says_how_to_start(cli):
    text = ok(run(cli, "exchange")).stdout

    assert text.startswith("No leads exchanged yet.")
    assert ok(run(cli, "exchange", "--json")).json() == {
        "date": TODAY,
        "partners": [],
        "leads_given": [],
        "leads_received": [],
    }


# ---------------------------------------------------------------- team mode and older databases


@pytest.mark.backends("postgresql")
def test_on_a_shared_database_each_salesperson_sees_their_own_exchange(cli):
    ok(run(cli, "gave-lead", "Acme", "Li Na", "--name-only", "--on", "2026-11-05", user="alice"))
    ok(run(cli, "add-referral", "Sue Chen", "--from", "Bob Li", "--partner", "Acme", "--on", "2026-11-02", user="bob"))

    alice = ok(run(cli, "stats", "--json", user="alice")).json()["exchange"]
    bob = ok(run(cli, "exchange", "--json", user="bob")).json()
    team = ok(run(cli, "stats", "--json", "--team", user="bob")).json()["exchange"]

    assert [(r["received"], r["given"]) for r in alice] == [(0, 1)]
    assert bob["leads_given"] == [] and [r["contact"] for r in bob["leads_received"]] == ["Sue Chen"]
    assert [(r["received"], r["given"]) for r in team] == [(1, 1)]
    refused(run(cli, "lead-won", "1", user="bob"), "lead #1 was given by alice")


@pytest.mark.backends("sqlite")  # the file written by the release before the lead exchange
def test_exchange_referrals_from_an_older_release_count_under_unknown(cli, tmp_path):
    db = tmp_path / "m006.db"
    shutil.copy(FIXTURES / "schema_m006.db", db)
    with sqlite3.connect(db) as conn:
        (prospect,) = conn.execute("SELECT prospect_id FROM referral ORDER BY id LIMIT 1").fetchone()
        conn.execute("UPDATE referral SET source = 'exchange' WHERE prospect_id = ?", (prospect,))
    conn.close()

    rows = ok(cli("stats", "--json", env={"FOLLOWUP_DB": str(db), "FOLLOWUP_USER": "sue"}, today=TODAY)).json()

    assert [(r["partner"], r["received"], r["given"]) for r in rows["exchange"]] == [("(unknown)", 1, 0)]


def test_services_record_the_referral_partner_and_the_lead_with_its_key(session, settings):
    services.add_referral(
        session=session,
        prospect="Sue Chen",
        referrer="Bob Li",
        on=date(2026, 11, 2),
        settings=settings,
        partner="  Acme   Ltd",
    )
    given = exchange.give_lead(session=session, partner="ACME LTD", name="Li Na", on=date(2026, 11, 3))

    [ref] = session.exec(select(Referral)).all()
    assert (ref.source, ref.partner) == ("exchange", "Acme Ltd")
    assert (given.lead.partner, given.lead.partner_key, given.lead.contact_id) == ("ACME LTD", "acme ltd", None)
    assert leads_given(session)[0].contact_name == "Li Na"
