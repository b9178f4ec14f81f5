"""gave-lead, lead-won, exchange: the lead exchange with partner companies.

Leads received are referrals with `--source exchange --partner COMPANY` (add-referral); these
commands record the leads handed the other way and what the partner won with them, and list
both sides. `stats` shows the give/receive ledger per partner.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .app import app
from .common import (
    JsonOption,
    OnOption,
    complete_contact,
    contact,
    day,
    record_id,
    salesperson,
    today,
    transaction,
)

PANEL = "Referrals"


def _lead_id(text: str) -> int:
    return record_id(text, what="lead", where="that followup exchange lists (lead #12)")


def _money(amount: float | None) -> str:
    return "" if amount is None else f"{amount:,.2f}"


@app.command(
    "gave-lead",
    rich_help_panel=PANEL,
    epilog="Example: followup gave-lead 'Acme Ltd' 'Tom Wang' --on yesterday    "
    "(also: followup gave-lead Acme 'Li Na of Foo Corp' --name-only --note 'needs printers')",
)
def gave_lead(
    ctx: typer.Context,
    partner: Annotated[
        str,
        typer.Argument(
            metavar="PARTNER",
            help="The partner company you handed the lead to (compared ignoring case).",
            show_default=False,
        ),
    ],
    who: Annotated[
        str,
        typer.Argument(
            metavar="CONTACT",
            help="The lead: #ID, the exact name, or a unique part of the name of one of your contacts "
            "(with --name-only, any name).",
            show_default=False,
            autocompletion=complete_contact,
        ),
    ],
    name_only: Annotated[
        bool,
        typer.Option("--name-only", help="The lead is not in your contacts: record CONTACT as the name given."),
    ] = False,
    on: OnOption = None,
    note: Annotated[str | None, typer.Option(metavar="TEXT", help="A note on the lead.")] = None,
) -> None:
    """Record a lead you handed to an exchange partner; the ledger in stats weighs it against theirs."""
    from ..exchange import give_lead
    from ..render import say, stdout

    on_day = day("--on", on)
    with transaction(ctx) as session:
        given = give_lead(
            session=session,
            partner=partner,
            on=on_day,
            contact=None if name_only else contact(ctx, session, who),
            name=who if name_only else None,
            note=note,
            who=salesperson(ctx, session),
        )
    lead = given.lead
    person = f"{lead.contact_name} (#{lead.contact_id})" if lead.contact_id is not None else lead.contact_name
    say(stdout(), f"Lead #{lead.id}: {person} given to {lead.partner} on {lead.day.isoformat()}.")
    say(stdout(), f"  When {lead.partner} wins with it: followup lead-won {lead.id} --amount N")


@app.command(
    "lead-won",
    rich_help_panel=PANEL,
    epilog="Example: followup lead-won 12 --amount 8,000    (also: followup lead-won 12 --undo)",
)
def lead_won(
    ctx: typer.Context,
    lead: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="The lead's id, 12 or #12 (gave-lead and exchange show it).", show_default=False
        ),
    ],
    amount: Annotated[
        str | None,
        typer.Option(
            metavar="N",
            help="What the partner sold with the lead, such as 8000 or 8,000.50. Given again, it replaces the amount.",
            show_default=False,
        ),
    ] = None,
    undo: Annotated[
        bool, typer.Option("--undo", help="It was not won after all: clear the win and its amount.")
    ] = False,
) -> None:
    """Record that a partner won business with a lead you gave them (and for how much)."""
    from ..exchange import lead_won as mark
    from ..render import say, stdout
    from ..services import parse_amount

    number = _lead_id(lead)
    cents = parse_amount(amount)
    with transaction(ctx) as session:
        won = mark(session=session, lead_id=number, amount_cents=cents, undo=undo, who=salesperson(ctx, session))
    row = won.lead
    what = f"Lead #{row.id} ({row.contact_name}, given to {row.partner} on {row.day.isoformat()})"
    if not won.changed:
        state = "won" if row.won else "not won"
        say(stdout(), f"{what} was already recorded as {state}; nothing changed.")
    elif row.won:
        amount_text = f" for {row.won_amount_cents / 100:,.2f}" if row.won_amount_cents is not None else ""
        say(stdout(), f"{what}: won by {row.partner}{amount_text}.")
    else:
        say(stdout(), f"{what}: no longer counted as won.")


@app.command(
    "exchange",
    rich_help_panel=PANEL,
    epilog="Example: followup exchange    (also: followup exchange acme --json)",
)
def exchange(
    ctx: typer.Context,
    partner: Annotated[
        str | None,
        typer.Argument(
            metavar="PARTNER",
            help="One partner: the name ignoring case, or a unique part of it; (unknown) for exchange referrals "
            "without a partner. Default: every partner.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The leads you gave to and received from each partner, with the give/receive ledger."""
    from ..exchange import find_partner, leads
    from ..render import print_json

    with transaction(ctx, write=False) as session:
        who = salesperson(ctx, session)
        key = find_partner(session=session, ref=partner, who=who)[0] if partner is not None else None
        data = leads(session=session, on=today(), partner=key, who=who)
    if as_json:
        print_json(data)
    else:
        _render(data)


def _render(data: dict) -> None:
    from rich.table import Table
    from rich.text import Text

    from ..render import printable, say, stdout

    out = stdout()
    if not data["partners"]:
        say(
            out,
            "No leads exchanged yet. Record a lead a partner sent you with "
            "followup add-referral NAME --from REFERRER --partner COMPANY, "
            "and one you gave with followup gave-lead COMPANY CONTACT.",
        )
        return
    ledger = Table(title="Per partner", title_justify="left", title_style="bold", header_style="bold")
    for column in ("partner", "received", "won", "revenue", "given", "they won", "their revenue", ""):
        ledger.add_column(column, justify="left" if column in ("partner", "") else "right", no_wrap=True)
    for row in data["partners"]:
        flag = ""
        if row["one_sided"]:
            flag = "one-sided: " + ("you give more" if row["gives_more"] == "you" else "they give more")
        ledger.add_row(
            printable(row["partner"]),
            str(row["received"]),
            str(row["received_won"]),
            _money(row["received_revenue"]),
            str(row["given"]),
            str(row["given_won"]),
            _money(row["given_revenue"]),
            Text(flag, style="yellow"),
        )
    out.print(ledger)
    if data["leads_given"]:
        given = Table(title="Leads you gave", title_justify="left", title_style="bold", header_style="bold")
        for column in ("lead", "date", "partner", "contact", "won", "amount", "note"):
            given.add_column(column, justify="right" if column == "amount" else "left", no_wrap=column != "note")
        for lead in data["leads_given"]:
            person = lead["contact"] + (f" (#{lead['contact_id']})" if lead["contact_id"] is not None else "")
            given.add_row(
                f"#{lead['id']}",
                lead["date"],
                printable(lead["partner"]),
                printable(person),
                "won" if lead["won"] else "",
                _money(lead["amount"]),
                printable(lead["note"] or ""),
            )
        out.print(given)
    if data["leads_received"]:
        received = Table(title="Leads you received", title_justify="left", title_style="bold", header_style="bold")
        for column in ("date", "partner", "contact", "referrer", "status", "revenue"):
            received.add_column(column, justify="right" if column == "revenue" else "left", no_wrap=True)
        for lead in data["leads_received"]:
            received.add_row(
                lead["date"],
                printable(lead["partner"]),
                printable(f"{lead['contact']} (#{lead['contact_id']})"),
                printable(lead["referrer"]),
                lead["status"] + (" (won)" if lead["won"] else ""),
                _money(lead["revenue"]) if lead["revenue"] else "",
            )
        out.print(received)
    say(out, f"As of {data['date']}. Mark a lead the partner won with: followup lead-won ID --amount N", style="dim")
