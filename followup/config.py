"""Where followup keeps its database and settings, resolved when a command runs."""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import UserError

APP_NAME = "followup"

DEFAULT_PROSPECT_GAPS = (1, 2, 3, 4, 5, 7, 7, 10, 14, 14, 21)
DEFAULT_AFTER_SALE_DAYS = (2, 4, 8)
DEFAULT_CHECKIN_MONTHS = 12
DEFAULT_WEEKLY_REFERRAL_TARGET = 1
DEFAULT_WORKDAYS = frozenset(range(5))  # Monday to Friday
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
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not valid TOML ({exc})") from None
    settings = _cadence(path, raw.get("cadence", {}), Settings())
    settings = _referrals(path, raw.get("referrals", {}), settings)
    return _calendar(path, raw.get("calendar", {}), settings)


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
