"""config: show the settings and where they live; config set / unset change them."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import app
from .common import JsonOption

PANEL = "Settings"

config_app = typer.Typer(
    name="config",
    help="Show the settings and the file they live in; config set KEY VALUE and config unset KEY change them.",
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
)
app.add_typer(
    config_app,
    name="config",
    rich_help_panel=PANEL,
    epilog="Example: followup config    (also: followup config set due.max_rows 20, followup config --json)",
)


def _complete_key(incomplete: str) -> list[str]:
    from ..config import KEYS

    return [key for key in KEYS if key.startswith(incomplete)]


KeyArg = Annotated[
    str,
    typer.Argument(
        metavar="KEY",
        autocompletion=_complete_key,
        help="cadence.prospect_gaps, cadence.after_sale, cadence.checkin_months, referrals.weekly_target, "
        "touch.default_channel, due.max_rows, list.max_rows, calendar.skip_weekends or calendar.workdays.",
        show_default=False,
    ),
]


@config_app.callback(invoke_without_command=True)
def config(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every setting: its value, whether the settings file sets it or it is the default, and the file."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from ..config import KEYS, Settings, config_path, read_table, settings_from, shown_value
    from ..render import print_json, printable, say, stdout

    path = config_path()
    raw = read_table(path)
    current = settings_from(raw, path) if raw is not None else Settings()
    rows = []
    for key in KEYS.values():
        table = (raw or {}).get(key.table)
        rows.append(
            {
                "key": key.key,
                "value": shown_value(key, current),
                "source": "file" if isinstance(table, dict) and key.name in table else "default",
                "default": shown_value(key, Settings()),
            }
        )
    if as_json:
        print_json({"path": str(path), "exists": raw is not None, "settings": rows})
        return
    out = stdout()
    where = f"Settings file: {path}"
    if raw is None:
        where += " (does not exist yet: every setting is the default; followup config set KEY VALUE creates it)"
    say(out, where)
    grid = Table(header_style="bold")
    grid.add_column("key", no_wrap=True)
    grid.add_column("value")
    grid.add_column("from", no_wrap=True)
    described = out.width >= 110  # what each setting does, where the screen has room
    if described:
        grid.add_column("what it does", style="dim")
    for row, key in zip(rows, KEYS.values(), strict=True):
        grid.add_row(row["key"], printable(_text(row["value"])), row["source"], *([key.help] if described else []))
    out.print(grid)


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


@config_app.command(
    "set",
    context_settings={"ignore_unknown_options": True},  # `-1` is a VALUE (refused by the check), not an option
    epilog="Example: followup config set cadence.prospect_gaps 1,2,3,5,8,13    "
    "(also: followup config set touch.default_channel visit, followup config set calendar.workdays sun,mon,tue,wed,thu)",
)
def set_(
    key: KeyArg,
    value: Annotated[
        str,
        typer.Argument(
            metavar="VALUE",
            help="The new value: days as 1,2,3 or [1, 2, 3]; a whole number; true or false; a channel "
            "(call, email, visit...); weekdays as mon,tue,wed. 0 for a max_rows setting: no cap.",
            show_default=False,
        ),
    ],
) -> None:
    """Change a setting in the settings file (created if needed; its other settings are kept, its comments are not)."""
    from ..config import find_key, parsed_value, set_setting
    from ..render import say, stdout, warn

    found = find_key(key)
    change = set_setting(found, parsed_value(found, value))
    say(stdout(), f"Set {found.key} = {value.strip()} in {change.path}.")
    if change.problem:
        warn(f"Note: the settings file still has a problem, which every command reports: {change.problem}")


@config_app.command("unset", epilog="Example: followup config unset due.max_rows")
def unset(key: KeyArg) -> None:
    """Put a setting back to its default (removes it from the settings file; comments are not kept)."""
    from ..config import Settings, find_key, shown_value, unset_setting
    from ..render import say, stdout, warn

    found = find_key(key)
    change = unset_setting(found)
    default = _text(shown_value(found, Settings()))
    if change.written:
        say(stdout(), f"{found.key} is back to its default, {default} ({change.path}).")
    else:
        say(stdout(), f"{found.key} was not set in {change.path}; it is the default, {default}.")
    if change.problem:
        warn(f"Note: the settings file still has a problem, which every command reports: {change.problem}")
