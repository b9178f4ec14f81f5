"""account: the people of one company, their buying roles and relationship levels."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import app
from .common import JsonOption, salesperson, transaction

PANEL = "Contacts"


@app.command(
    "account",
    rich_help_panel=PANEL,
    epilog="Example: followup account acme    (also: followup account, to see every account and the weak ones; "
    "followup account 'Acme Ltd' --json)",
)
def account(
    ctx: typer.Context,
    company: Annotated[
        str | None,
        typer.Argument(
            metavar="COMPANY",
            help="The company, in any case, or a unique part of its name. Without it: one row per company.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A company's people with role, level and touches; warns when it hangs on one person or has no power contact."""
    from ..accounts import account_report, accounts
    from ..render import print_json, render_account, render_accounts

    with transaction(ctx, write=False) as session:
        who = salesperson(ctx, session)
        if company is None:
            found = accounts(session=session, who=who)
        else:
            one = account_report(session=session, company=company, who=who)
    if company is None:
        if as_json:
            print_json([a.as_json() for a in found])
        else:
            render_accounts(found)
    elif as_json:
        print_json(one.as_json())
    else:
        render_account(one)
