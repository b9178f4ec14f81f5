"""add, edit, rm, list, show."""

from __future__ import annotations

from typing import Annotated

import typer

from ..enums import Level, Role, Status, StatusFilter
from .app import app
from .common import (
    AllOption,
    ContactArg,
    EmailsOption,
    JsonOption,
    PhonesOption,
    TeamOption,
    choice,
    contact,
    salesperson,
    settings,
    today,
    transaction,
    when,
)

PANEL = "Contacts"

# not pushy: who agreed to hear of changes (`announce`), and birthdays
NewsOption = Annotated[
    bool | None,
    typer.Option(
        "--wants-news/--no-news",
        help="They agreed to hear of product, price or rule changes (followup announce), or no longer.",
        show_default=False,
    ),
]
BirthdayOption = Annotated[
    str | None,
    typer.Option(
        "--birthday",
        metavar="MM-DD",
        help="Birthday, such as 12-03 (02-29 is fine); a follow-up falls due a few days before it each year. "
        "none clears it.",
        show_default=False,
    ),
]


@app.command(
    "add",
    rich_help_panel=PANEL,
    epilog="Example: followup add 'Sue Chen' --company Acme --phone '+86 138 0000 0000' --role power --first tomorrow",
)
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The contact's name, any text (陈素 is fine).", show_default=False)],
    company: Annotated[str | None, typer.Option(help="Company or organisation.")] = None,
    phone: PhonesOption = None,
    email: EmailsOption = None,
    role: Annotated[Role | None, typer.Option(case_sensitive=False, help="Buying role.")] = None,
    level: Annotated[Level | None, typer.Option(case_sensitive=False, help="Relationship level.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", metavar="TAG", help="A tag; repeat for more.")] = None,
    note: Annotated[str | None, typer.Option(help="Anything worth remembering.")] = None,
    first: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Schedule the first touch of the cadence on DATE (tomorrow, mon, +3d...), a time may follow ('tomorrow 10:00').",
        ),
    ] = None,
    wants_news: NewsOption = None,
    birthday: BirthdayOption = None,
) -> None:
    """Add a contact (a prospect); nothing is scheduled until --first gives the first touch."""
    from ..render import say, stdout, warn
    from ..services import add_contact
    from .common import due_at

    first_day = when("--first", first, future=True, allow_time=True)
    with transaction(ctx) as session:
        added = add_contact(
            session=session,
            name=name,
            settings=settings(),
            company=company,
            phones=phone or [],
            emails=email or [],
            role=role.value if role else None,
            level=level.value if level else None,
            tags=tag or [],
            note=note,
            first=first_day.day if first_day else None,
            first_at=first_day.time if first_day else None,
            who=salesperson(ctx, session),
            on=today(),
            wants_news=bool(wants_news),
            birthday=birthday,
        )
    c = added.contact
    if added.namesakes:
        warn(
            f"Note: {', '.join(f'#{n.id}' for n in added.namesakes)} also named {c.name}; use #{c.id} to name this one."
        )
    line = f"Added #{c.id} {c.name}"
    if added.first_touch:
        line += f"; first touch #{added.first_touch.id} due {due_at(added.first_touch)}"
    else:
        line += "; no touch scheduled yet (it shows under 'no next step' in followup due)"
    say(stdout(), line + ".")
    if added.birthday:
        fu = added.birthday
        say(stdout(), f"  birthday follow-up #{fu.id} due {due_at(fu)}: {fu.reason}.")


@app.command(
    "edit",
    rich_help_panel=PANEL,
    epilog="Example: followup edit 'Sue Chen' --add-phone 'work: 010 6500 1234' --level dating --tag vip"
    "    (also: followup edit Sue --level partner --on 2026-10-01, the day the relationship changed)",
)
def edit(
    ctx: typer.Context,
    who: ContactArg,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    company: Annotated[str | None, typer.Option(help="Company ('' clears it).")] = None,
    phone: Annotated[
        list[str] | None,
        typer.Option(
            "--phone",
            metavar="PHONE",
            help="Replace all phones with this one, a label first if you like ('mobile: +86 138 0000 0000'); "
            "repeat for several, the first is the main one; '' clears them.",
        ),
    ] = None,
    add_phone: Annotated[
        list[str] | None,
        typer.Option(
            "--add-phone",
            metavar="PHONE",
            help="Add a phone after the others ('work: 010 6500 1234'); repeat for more.",
        ),
    ] = None,
    rm_phone: Annotated[
        list[str] | None,
        typer.Option("--rm-phone", metavar="PHONE", help="Remove a phone, matched by its digits; repeat for more."),
    ] = None,
    email: Annotated[
        list[str] | None,
        typer.Option(
            "--email",
            metavar="EMAIL",
            help="Replace all e-mails with this one, a label first if you like ('work: sue@acme.com'); "
            "repeat for several; '' clears them.",
        ),
    ] = None,
    add_email: Annotated[
        list[str] | None,
        typer.Option("--add-email", metavar="EMAIL", help="Add an e-mail after the others; repeat for more."),
    ] = None,
    rm_email: Annotated[
        list[str] | None, typer.Option("--rm-email", metavar="EMAIL", help="Remove an e-mail; repeat for more.")
    ] = None,
    role: Annotated[str | None, typer.Option(metavar="ROLE", help="acceptor, dissatisfied, power, or none.")] = None,
    level: Annotated[
        str | None, typer.Option(metavar="LEVEL", help="acquaintance, dating, partner, ally, or none.")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", metavar="TAG", help="Add a tag; repeat for more.")] = None,
    untag: Annotated[list[str] | None, typer.Option("--untag", metavar="TAG", help="Remove a tag.")] = None,
    note: Annotated[str | None, typer.Option(help="Note ('' clears it).")] = None,
    status: Annotated[
        str | None,
        typer.Option(metavar="STATUS", help="prospect (reopens a lost prospect), customer, repeat or lost."),
    ] = None,
    do_not_contact: Annotated[
        bool | None,
        typer.Option(
            "--do-not-contact/--allow-contact",
            help="Mark do-not-contact (cancels what is open), or lift it.",
            show_default=False,
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Hand the contact, with all its history, over to another salesperson."),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="DATE",
            help="The day the change happened (a new --level, --status or do-not-contact mark): "
            "2026-10-01, yesterday, -2w... Default: today.",
        ),
    ] = None,
    wants_news: NewsOption = None,
    birthday: BirthdayOption = None,
) -> None:
    """Change a contact's details, tags, status, do-not-contact mark or owner."""
    from ..config import check_user
    from ..errors import UserError
    from ..render import say, stdout
    from ..services import edit_contact
    from .common import day

    new_owner = check_user(owner, option="--owner") if owner is not None else None
    role_value = choice("--role", role, Role, allow_none=True)
    level_value = choice("--level", level, Level, allow_none=True)
    status_value = choice("--status", status, Status)
    if on is not None and level is None and status is None and do_not_contact is None:
        raise UserError(
            "--on dates a change of --level, --status or --do-not-contact/--allow-contact; give one of them with it"
        )
    on_day = day("--on", on)
    with transaction(ctx) as session:
        edited = edit_contact(
            session=session,
            contact=contact(ctx, session, who),
            on=on_day,
            name=name,
            company=company,
            phones=phone,
            add_phones=add_phone or [],
            remove_phones=rm_phone or [],
            emails=email,
            add_emails=add_email or [],
            remove_emails=rm_email or [],
            note=note,
            role=getattr(role_value, "value", role_value),
            level=getattr(level_value, "value", level_value),
            add_tags=tag or [],
            remove_tags=untag or [],
            status=status_value,
            do_not_contact=do_not_contact,
            owner=new_owner,
            wants_news=wants_news,
            birthday=birthday,
        )
    c = edited.contact
    if not edited.changed:
        say(stdout(), f"#{c.id} {c.name}: nothing to change (see followup edit --help).")
        return
    line = f"Updated #{c.id} {c.name}: {', '.join(edited.changed)}"
    if "owner" in edited.changed:
        line += f" (now {c.owner}'s contact)"
    if edited.cancelled:
        line += f"; cancelled {len(edited.cancelled)} open follow-up(s)"
    say(stdout(), line + ".")
    for fu in edited.scheduled:  # a birthday follow-up
        say(stdout(), f"  birthday follow-up #{fu.id} due {fu.due.isoformat()}: {fu.reason}.")


@app.command("rm", rich_help_panel=PANEL, epilog="Example: followup rm '#12' --yes")
def rm(
    ctx: typer.Context,
    who: ContactArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a contact and what only belongs to them; the people they referred stay referred."""
    from ..render import say, stdout
    from ..services import delete_contact, referred_by, touch_count

    with transaction(ctx, write=False) as session:
        target = contact(ctx, session, who)
        target_id, target_name = target.id, target.name
        touches = touch_count(session=session, contact_id=target_id)
        referred = len(referred_by(session=session, contact_id=target_id))
    if not yes:
        question = f"Delete #{target_id} {target_name} with {touches} touch{'' if touches == 1 else 'es'}, their follow-ups and sales?"
        if referred:
            question += f" The {referred} {'person' if referred == 1 else 'people'} they referred stay referred."
        if not typer.confirm(question, err=True):
            say(stdout(), f"Kept #{target_id} {target_name}; nothing deleted.")
            return
    with transaction(ctx) as session:
        deleted = delete_contact(session=session, contact=contact(ctx, session, f"#{target_id}"))
    line = f"Deleted #{target_id} {deleted.name} ({deleted.touches} touches, {deleted.followups} follow-ups, {deleted.sales} sales)"
    if deleted.referrals_kept:
        line += f"; {deleted.referrals_kept} referral(s) they made are kept under their name"
    say(stdout(), line + ".")


@app.command("list", rich_help_panel=PANEL, epilog="Example: followup list --status prospect --tag vip")
def list_(
    ctx: typer.Context,
    status: Annotated[
        StatusFilter, typer.Option(case_sensitive=False, help="Which contacts; customer includes repeat customers.")
    ] = StatusFilter.all,
    tag: Annotated[str | None, typer.Option(metavar="TAG", help="Only contacts with this tag.")] = None,
    team: TeamOption = False,
    all_: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """Contacts with status, touch count, last touch, next follow-up and referrer."""
    from ..contact_list import capped_contact_rows, contact_rows
    from .common import reader_salesperson, reading

    cap = _row_cap(all_=all_, as_json=as_json)
    total = None
    with reading(ctx) as reader:  # the stdlib sqlite3 driver on a SQLite file: no SQLAlchemy to import
        who = reader_salesperson(ctx, reader, team=team)
        if cap is None:
            rows = contact_rows(reader=reader, status=status.value, tag=tag, who=who)
        else:  # only the rows drawn are computed; the rest are counted
            rows, total = capped_contact_rows(reader=reader, max_rows=cap, status=status.value, tag=tag, who=who)
    _print_rows(rows, team=team, as_json=as_json, total=total)


def _row_cap(*, all_: bool, as_json: bool) -> int | None:
    """How many rows `list` and `find` draw: list.max_rows of the settings; None for all of them
    (--all, --json, or a cap of 0)."""
    if all_ or as_json:
        return None
    return settings().list_max_rows or None


def _print_rows(rows, *, team: bool, as_json: bool, total: int | None = None) -> None:
    """The contact rows of `list` and `find`: JSON as SPEC section 2 gives it (with --team each
    row also says whose contact it is), else the table (`total`: how many match in all, when
    `rows` are only the first of them)."""
    from ..render import print_json, render_list

    if as_json:  # a ContactRow holds only plain values: its fields, in order, without asdict's deep copy
        print_json([dict(vars(r)) if team else {k: v for k, v in vars(r).items() if k != "owner"} for r in rows])
    else:
        render_list(rows, owners=team, total=total)


@app.command(
    "find",
    rich_help_panel=PANEL,
    epilog="Example: followup find acme    (also: followup find '138 0000 0000', followup find 陈 --status prospect --json)",
)
def find(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(
            metavar="TEXT",
            help="Any part of a name, company, phone, e-mail, tag or note, in any case. A phone is found by its "
            "digits, whatever the spaces, dashes, brackets or country code. Several words: each must appear.",
            show_default=False,
        ),
    ],
    status: Annotated[
        StatusFilter, typer.Option(case_sensitive=False, help="Which contacts; customer includes repeat customers.")
    ] = StatusFilter.all,
    tag: Annotated[str | None, typer.Option(metavar="TAG", help="Only contacts with this tag.")] = None,
    team: TeamOption = False,
    all_: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """Search names, companies, phones, e-mails, tags and notes; matches are listed as in list."""
    from ..render import say, stdout
    from ..search import find_contacts

    with transaction(ctx, write=False) as session:
        rows = find_contacts(
            session=session, text=text, status=status.value, tag=tag, who=salesperson(ctx, session, team=team)
        )
    cap = _row_cap(all_=all_, as_json=as_json)
    if rows or as_json:
        _print_rows(rows if cap is None else rows[:cap], team=team, as_json=as_json, total=len(rows))
    else:
        say(
            stdout(),
            f"No contact matches {' '.join(text.split())!r} in names, companies, phones, e-mails, tags or notes.",
        )


@app.command("show", rich_help_panel=PANEL, epilog="Example: followup show 'Sue' --json")
def show(ctx: typer.Context, who: ContactArg, as_json: JsonOption = False) -> None:
    """One contact's story: details, referral chain, touches, follow-ups and sales."""
    from ..render import print_json, render_show
    from ..reports import contact_detail

    with transaction(ctx, write=False) as session:
        detail = contact_detail(session=session, contact=contact(ctx, session, who))
    if as_json:
        print_json(detail.as_json())
    else:
        render_show(detail)
