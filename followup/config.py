"""Where followup keeps its database and settings, resolved when a command runs."""

from __future__ import annotations

import os
import re
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

from .errors import UserError

APP_NAME = "followup"

DEFAULT_PROSPECT_GAPS = (1, 2, 3, 4, 5, 7, 7, 10, 14, 14, 21)
DEFAULT_AFTER_SALE_DAYS = (2, 4, 8)
DEFAULT_CHECKIN_MONTHS = 12
DEFAULT_WEEKLY_REFERRAL_TARGET = 1
DEFAULT_WORKDAYS = frozenset(range(5))  # Monday to Friday
DEFAULT_CHANNEL = "call"
DEFAULT_DUE_MAX_ROWS = 40
DEFAULT_LIST_MAX_ROWS = 100
MAX_ROWS = 1_000_000
# Ten years: longer waits would run dates off the calendar (and no follow-up waits that long).
MAX_DAYS, MAX_MONTHS = 3660, 120


def _base_dir(kind: str) -> Path:
    """The per-user directory for `data` or `config`, following each platform's custom."""
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    if kind == "data":
        return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")


def data_dir() -> Path:
    return _base_dir("data") / APP_NAME


def default_db_path() -> Path:
    return data_dir() / "followup.db"


MAX_USER_LENGTH = 64


def check_user(name: str, *, option: str = "--user") -> str:
    """A salesperson's name as given to `--user`/`--owner`/FOLLOWUP_USER, trimmed; refused when blank,
    too long or holding control characters."""
    clean = name.strip()
    if not clean or len(clean) > MAX_USER_LENGTH or not clean.isprintable():
        raise UserError(
            f"{option}: {name!r} is not a salesperson's name; give a login or name of 1 to "
            f"{MAX_USER_LENGTH} printable characters, such as alice"
        )
    return clean


def current_user(given: str | None = None) -> str:
    """Who is using followup: `--user`, else FOLLOWUP_USER, else the login name of the account."""
    if given is not None:
        return check_user(given)
    from_env = os.environ.get("FOLLOWUP_USER")
    if from_env is not None:
        return check_user(from_env, option="FOLLOWUP_USER")
    import getpass

    try:
        return check_user(getpass.getuser(), option="the login name")
    except (OSError, KeyError, UserError):  # no login name (some containers): one shared owner
        return "me"


def config_path() -> Path:
    """The settings file: `FOLLOWUP_CONFIG` if set, else config.toml in the user config dir."""
    override = os.environ.get("FOLLOWUP_CONFIG")
    if override:
        return Path(override).expanduser()
    return _base_dir("config") / APP_NAME / "config.toml"


@dataclass(frozen=True)
class Settings:
    """The cadences, the referral habit and the calendar. `prospect_gaps[n-1]` is the wait in days after
    the n-th touch; `weekly_referral_target` is the new referrals a week `due` nudges towards (0: no
    nudge); with `skip_weekends`, automatic follow-ups falling outside `workdays` move to the next
    workday (`cadence.on_workday`)."""

    prospect_gaps: tuple[int, ...] = DEFAULT_PROSPECT_GAPS
    after_sale_days: tuple[int, int, int] = DEFAULT_AFTER_SALE_DAYS
    checkin_months: int = DEFAULT_CHECKIN_MONTHS
    weekly_referral_target: int = DEFAULT_WEEKLY_REFERRAL_TARGET
    # [calendar]: with `skip_weekends`, automatic follow-ups move off days not in `workdays`
    # (weekday numbers as date.weekday() gives them: 0 is Monday)
    skip_weekends: bool = False
    workdays: frozenset[int] = DEFAULT_WORKDAYS
    # [touch] default_channel: the channel of touch/schedule/done when --via is not given
    default_channel: str = DEFAULT_CHANNEL
    # [due] max_rows, [list] max_rows: rows per section of due, and of list/find, before
    # "N more, use --all" (0: no cap; JSON is never capped)
    due_max_rows: int = DEFAULT_DUE_MAX_ROWS
    list_max_rows: int = DEFAULT_LIST_MAX_ROWS

    @property
    def cadence_length(self) -> int:
        """How many touches the prospect cadence schedules (twelve by default)."""
        return len(self.prospect_gaps) + 1

    def gap_after(self, touches: int) -> int | None:
        """Days to wait after the `touches`-th touch, or None once the cadence is complete."""
        if 1 <= touches <= len(self.prospect_gaps):
            return self.prospect_gaps[touches - 1]
        return None


def _days_list(path: Path, key: str, value: object, *, length: int | None = None) -> tuple:
    ok = (
        isinstance(value, list)
        and value
        and all(isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_DAYS for v in value)
        and (length is None or len(value) == length)
    )
    if not ok:
        size = f"{length} " if length else ""
        raise UserError(
            f"{path}: cadence.{key} must be a list of {size}whole numbers of days from 1 to {MAX_DAYS}, "
            f"such as {list(DEFAULT_AFTER_SALE_DAYS if length else DEFAULT_PROSPECT_GAPS)}"
        )
    return tuple(value)


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file; a missing file means the defaults."""
    path = path or config_path()
    raw = read_table(path)
    return settings_from(raw, path) if raw is not None else Settings()


def read_table(path: Path) -> dict | None:
    """The settings file as TOML data; None when it does not exist."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:  # a folder, or no permission to read it
        raise UserError(f"{path}: cannot read the settings file ({exc.strerror or exc})") from None


def settings_from(raw: dict, path: Path | str) -> Settings:
    """The settings a settings file's data gives; errors name `path` (the file, or what was typed)."""
    settings = _cadence(path, raw.get("cadence", {}), Settings())
    settings = _referrals(path, raw.get("referrals", {}), settings)
    settings = _calendar(path, raw.get("calendar", {}), settings)
    return _rows_and_channel(path, raw, settings)


def _whole(value: object, *, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _cadence(path: Path, cadence: object, settings: Settings) -> Settings:
    if not isinstance(cadence, dict):
        raise UserError(f"{path}: [cadence] must be a table")
    unknown = sorted(set(cadence) - {"prospect_gaps", "after_sale", "checkin_months"})
    if unknown:
        raise UserError(
            f"{path}: unknown setting cadence.{unknown[0]}; known: prospect_gaps, after_sale, checkin_months"
        )
    if "prospect_gaps" in cadence:
        settings = replace(settings, prospect_gaps=_days_list(path, "prospect_gaps", cadence["prospect_gaps"]))
    if "after_sale" in cadence:
        settings = replace(settings, after_sale_days=_days_list(path, "after_sale", cadence["after_sale"], length=3))
    if "checkin_months" in cadence:
        months = cadence["checkin_months"]
        if not _whole(months, least=1) or months > MAX_MONTHS:
            raise UserError(f"{path}: cadence.checkin_months must be a whole number from 1 to {MAX_MONTHS}, such as 12")
        settings = replace(settings, checkin_months=months)
    return settings


def _referrals(path: Path, referrals: object, settings: Settings) -> Settings:
    if not isinstance(referrals, dict):
        raise UserError(f"{path}: [referrals] must be a table")
    unknown = sorted(set(referrals) - {"weekly_target"})
    if unknown:
        raise UserError(f"{path}: unknown setting referrals.{unknown[0]}; known: weekly_target")
    if "weekly_target" in referrals:
        target = referrals["weekly_target"]
        if not _whole(target, least=0):
            raise UserError(
                f"{path}: referrals.weekly_target must be a whole number of 0 or more, such as 1 (0 turns the nudge off)"
            )
        settings = replace(settings, weekly_referral_target=target)
    return settings


# ---------------------------------------------------------------- calendar: weekends and workdays

WORKDAYS_FORM = (
    "a list of weekday names or numbers (1 = Monday ... 7 = Sunday, 0 also Sunday), "
    'such as ["mon", "tue", "wed", "thu", "fri"] or ["sun", "mon", "tue", "wed", "thu"]'
)


def _weekday_number(value: object) -> int | None:
    """A weekday as date.weekday() numbers it (0 = Monday), from `"mon"`, `"Monday"`, 1..7 or 0; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value - 1) % 7 if 0 <= value <= 7 else None
    if isinstance(value, str):
        from .clock import weekday_number

        return weekday_number(value)
    return None


def _calendar(path: Path, calendar: object, settings: Settings) -> Settings:
    if not isinstance(calendar, dict):
        raise UserError(f"{path}: [calendar] must be a table")
    unknown = sorted(set(calendar) - {"skip_weekends", "workdays"})
    if unknown:
        raise UserError(f"{path}: unknown setting calendar.{unknown[0]}; known: skip_weekends, workdays")
    if "skip_weekends" in calendar:
        skip = calendar["skip_weekends"]
        if not isinstance(skip, bool):
            raise UserError(f"{path}: calendar.skip_weekends must be true or false, such as skip_weekends = true")
        settings = replace(settings, skip_weekends=skip)
    if "workdays" in calendar:
        given = calendar["workdays"]
        days = [_weekday_number(v) for v in given] if isinstance(given, list) else [None]
        if not days:
            raise UserError(f"{path}: calendar.workdays must name at least one day; give {WORKDAYS_FORM}")
        if None in days:
            raise UserError(f"{path}: calendar.workdays must be {WORKDAYS_FORM}")
        settings = replace(settings, workdays=frozenset(days))
    return settings


# ---------------------------------------------------------------- default channel and row caps


def channels() -> tuple[str, ...]:
    from .enums import Channel

    return tuple(c.value for c in Channel)


def _table(path: Path | str, raw: dict, name: str, known: tuple[str, ...]) -> dict:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise UserError(f"{path}: [{name}] must be a table")
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise UserError(f"{path}: unknown setting {name}.{unknown[0]}; known: {', '.join(known)}")
    return table


def _max_rows(path: Path | str, table: dict, name: str, default: int) -> int:
    if "max_rows" not in table:
        return default
    rows = table["max_rows"]
    if not _whole(rows, least=0) or rows > MAX_ROWS:
        raise UserError(
            f"{path}: {name}.max_rows must be a whole number from 0 to {MAX_ROWS}, such as {default} (0: no cap)"
        )
    return rows


def _rows_and_channel(path: Path | str, raw: dict, settings: Settings) -> Settings:
    touch = _table(path, raw, "touch", ("default_channel",))
    if "default_channel" in touch:
        channel = touch["default_channel"]
        if not isinstance(channel, str) or channel.strip().lower() not in channels():
            raise UserError(f'{path}: touch.default_channel must be one of {", ".join(channels())}, such as "visit"')
        settings = replace(settings, default_channel=channel.strip().lower())
    due = _table(path, raw, "due", ("max_rows",))
    listing = _table(path, raw, "list", ("max_rows",))
    return replace(
        settings,
        due_max_rows=_max_rows(path, due, "due", DEFAULT_DUE_MAX_ROWS),
        list_max_rows=_max_rows(path, listing, "list", DEFAULT_LIST_MAX_ROWS),
    )


# ---------------------------------------------------------------- `followup config`: the settings file as keys


@dataclass(frozen=True)
class Key:
    """One setting `followup config` shows and changes: `table.name` in the file, the Settings
    field holding it, what its VALUE is on the command line, and an example of one."""

    table: str
    name: str
    field: str
    kind: str  # days (list of days), weekdays, whole, bool, channel
    example: str
    help: str

    @property
    def key(self) -> str:
        return f"{self.table}.{self.name}"


KEYS = {
    k.key: k
    for k in (
        Key("cadence", "prospect_gaps", "prospect_gaps", "days", "1,2,3,4,5,7,7,10,14,14,21",
            "days to wait after each touch of a prospect's cadence (one number fewer than its touches)"),
        Key("cadence", "after_sale", "after_sale_days", "days", "2,4,8", "the three after-sale follow-ups, days after the sale"),
        Key("cadence", "checkin_months", "checkin_months", "whole", "12", "months from a sale to the check-in"),
        Key("referrals", "weekly_target", "weekly_referral_target", "whole", "1",
            "new referrals a week that due nudges you towards (0: no nudge)"),
        Key("touch", "default_channel", "default_channel", "channel", "visit",
            "the channel of touch, schedule and done when --via is not given"),
        Key("due", "max_rows", "due_max_rows", "whole", "40", "rows per section of due before 'N more, use --all' (0: no cap)"),
        Key("list", "max_rows", "list_max_rows", "whole", "100", "rows of list and find before 'N more, use --all' (0: no cap)"),
        Key("calendar", "skip_weekends", "skip_weekends", "bool", "true",
            "move automatic follow-ups off days that are not workdays"),
        Key("calendar", "workdays", "workdays", "weekdays", "mon,tue,wed,thu,fri", "the days you work"),
    )
}  # fmt: skip
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def find_key(text: str) -> Key:
    key = KEYS.get(text.strip().lower())
    if key is None:
        raise UserError(f"{text!r} is not a setting; known: {', '.join(KEYS)}")
    return key


def shown_value(key: Key, settings: Settings):
    """A setting's value as `config --json` gives it: a list, a number, true/false or a word."""
    value = getattr(settings, key.field)
    if key.kind == "weekdays":
        return [WEEKDAY_NAMES[d] for d in sorted(value)]
    return list(value) if isinstance(value, tuple) else value


_WHOLE = re.compile(r"[+-]?\d{1,18}")


def _item(text: str) -> int | str:
    text = text.strip()
    return int(text) if _WHOLE.fullmatch(text) else text


def parsed_value(key: Key, text: str):
    """VALUE as typed after `config set KEY`, as the settings file would hold it (checked later by
    the same loader that reads the file): "1,2,3" or "[1, 2, 3]" for a list, "12", "true", "visit"."""
    text = text.strip()
    if key.kind in ("days", "weekdays"):
        if text.startswith("["):
            try:
                return tomllib.loads(f"value = {text}")["value"]
            except tomllib.TOMLDecodeError:
                raise UserError(
                    f"{key.key}: {text!r} is not a list; give it as {key.example} or [{key.example.replace(',', ', ')}]"
                ) from None
        return [_item(part) for part in text.split(",")] if text else []
    if key.kind == "whole":
        return _item(text)
    if key.kind == "bool":
        words = {
            "true": True,
            "yes": True,
            "on": True,
            "1": True,
            "false": False,
            "no": False,
            "off": False,
            "0": False,
        }
        return words.get(text.lower(), text)
    return text.lower()


class Change(NamedTuple):
    """What `config set`/`unset` did: the file, whether it was written, and a problem the rest of
    the file still has (another key's bad value), if any."""

    path: Path
    written: bool
    problem: str | None = None


def _editable_table(path: Path) -> dict:
    try:
        raw = read_table(path)
    except UserError as exc:
        raise UserError(f"{exc}; fix it by hand or remove it: config set rewrites only a file it can read") from None
    return raw or {}


def set_setting(key: Key, value, *, path: Path | None = None) -> Change:
    """Write `key = value` into the settings file, keeping its other settings (not its comments).

    The value is checked by the loader first; the file is then written (atomically) even when
    another of its keys is wrong, so that set and unset can repair a file step by step; that
    other problem comes back in `Change.problem`."""
    path = path or config_path()
    settings_from({key.table: {key.name: value}}, "config set")
    raw = _editable_table(path)
    table = raw.setdefault(key.table, {})
    if not isinstance(table, dict):
        raise UserError(f"{path}: [{key.table}] must be a table; fix it by hand")
    table[key.name] = value
    return _write(path, raw)


def unset_setting(key: Key, *, path: Path | None = None) -> Change:
    """Remove `key` from the settings file: it is back to its default."""
    path = path or config_path()
    raw = _editable_table(path)
    table = raw.get(key.table)
    if not isinstance(table, dict) or key.name not in table:
        return Change(path, False, _problem(raw, path))
    del table[key.name]
    if not table:
        del raw[key.table]
    return _write(path, raw)


def _problem(raw: dict, path: Path) -> str | None:
    try:
        settings_from(raw, path)
    except UserError as exc:
        return str(exc)
    return None


def _write(path: Path, raw: dict) -> Change:
    import tempfile

    text = toml_text(raw)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    except OSError as exc:
        raise UserError(f"{path}: cannot write the settings file ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise UserError(f"{path}: cannot write the settings file ({exc.strerror or exc})") from None
    return Change(path, True, _problem(raw, path))


# A small TOML writer: tomllib only reads. Enough for every value TOML can hold, so that keys
# of the file followup does not know survive a `config set` (comments and layout do not).

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    out = ['"']
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return "".join(out) + '"'


def _toml_value(value) -> str:
    import datetime as dt
    import math

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _is_table_list(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def toml_text(raw: dict, prefix: str = "") -> str:
    """`raw` as a TOML document: plain values first, then each table under its [header]."""
    lines = [
        f"{_toml_key(k)} = {_toml_value(v)}"
        for k, v in raw.items()
        if not isinstance(v, dict) and not _is_table_list(v)
    ]
    blocks = ["\n".join(lines) + "\n"] if lines else []
    for k, v in raw.items():
        name = f"{prefix}{_toml_key(k)}"
        if isinstance(v, dict):
            blocks.append(f"[{name}]\n" + toml_text(v, f"{name}.").lstrip("\n"))
        elif _is_table_list(v):
            blocks += [f"[[{name}]]\n" + toml_text(item, f"{name}.").lstrip("\n") for item in v]
    return "\n".join(blocks)
