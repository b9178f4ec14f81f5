"""The follow-up rules: the prospect cadence, 2-4-8 after a sale, the yearly check-in.

Pure functions of the settings and dates; the services decide when to apply them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from .clock import add_months
from .config import Settings
from .enums import Channel, Kind


@dataclass(frozen=True)
class Planned:
    """A follow-up to create: what kind, when, what to do and why."""

    kind: Kind
    due: date
    action: Channel
    reason: str
    cadence_step: int | None = None


_AFTER_SALE = (
    (Kind.post_sale_2, Channel.call, "check they have started using it, and use it right"),
    (Kind.post_sale_4, Channel.call, "adaptation period"),
    (Kind.post_sale_8, Channel.visit, "bring another product to offer"),
)


def touch_reason(step: int, *, settings: Settings, referred: bool, asked: bool = False) -> str:
    """`referral touch 4 of 12`, `touch 13 (past the cadence)`, `..., the date they asked for`."""
    prefix = "referral touch" if referred else "touch"
    total = settings.cadence_length
    text = f"{prefix} {step} of {total}" if step <= total else f"{prefix} {step} (past the cadence of {total})"
    return f"{text}, the date they asked for" if asked else text


def cadence_touch(*, step: int, due: date, settings: Settings, referred: bool, asked: bool = False) -> Planned:
    return Planned(
        kind=Kind.touch,
        due=due,
        action=Channel.call,
        reason=touch_reason(step, settings=settings, referred=referred, asked=asked),
        cadence_step=step,
    )


def next_cadence_touch(*, touches: int, on: date, settings: Settings, referred: bool) -> Planned | None:
    """After the `touches`-th touch on `on`, the next cadence touch, or None after the last.

    The gap counts from `on`; the day it lands on moves to a workday (see `on_workday`)."""
    gap = settings.gap_after(touches)
    if gap is None:
        return None
    due = on_workday(on + timedelta(days=gap), settings=settings)
    return cadence_touch(step=touches + 1, due=due, settings=settings, referred=referred)


def skip_gap(step: int, *, settings: Settings) -> int:
    """The gap that led to cadence touch `step`, reused when that touch is skipped."""
    gaps = settings.prospect_gaps
    return gaps[min(max(step - 2, 0), len(gaps) - 1)]


def after_sale_plan(*, sold_on: date, settings: Settings) -> list[Planned]:
    """The 2-4-8 steps and the yearly check-in for a sale on `sold_on`.

    Each counts from the sale day; the day it lands on moves to a workday (see `on_workday`)."""
    plan = [
        Planned(
            kind=kind,
            due=on_workday(sold_on + timedelta(days=days), settings=settings),
            action=action,
            reason=f"2-4-8 day {days}: {why}",
        )
        for (kind, action, why), days in zip(_AFTER_SALE, settings.after_sale_days, strict=True)
    ]
    plan.append(checkin(due=on_workday(add_months(sold_on, settings.checkin_months), settings=settings)))
    return plan


def checkin(*, due: date) -> Planned:
    return Planned(
        kind=Kind.checkin,
        due=due,
        action=Channel.visit,
        reason="yearly check-in",
    )


def coach_task(*, referrer: str, prospect: str, due: date) -> Planned:
    """The referrer as sales coach: what to ask them before the first call on the prospect."""
    return Planned(
        kind=Kind.coach,
        due=due,
        action=Channel.call,
        reason=(
            f"ask {referrer} to confirm {prospect}'s buying capacity and introduce you "
            "(contact details, say who sent you, meet together)"
        ),
    )


def thank_referrer(*, referrer: str, buyer: str, due: date, settings: Settings) -> Planned:
    """Thank the referrer on the sale day `due` (moved to a workday, see `on_workday`)."""
    return Planned(
        kind=Kind.thank_referrer,
        due=on_workday(due, settings=settings),
        action=Channel.call,
        reason=f"thank {referrer}: {buyer} bought",
    )


# ---------------------------------------------------------------- weekends and workdays


def on_workday(day: date, *, settings: Settings) -> date:
    """The day an automatically scheduled follow-up falls due: `day` itself, or, when the
    `skip_weekends` setting is on and `day` is not one of the `workdays`, the next workday.

    Every automatic plan goes through here (cadence touches, 2-4-8, the check-in, the
    thank-you, a referral's first touch on the referral day, with its coach task, a skipped
    touch coming back); dates the user gives are never moved. Gaps still count from the real
    date: from the touch, the sale or the skip, never from a day moved to."""
    if not settings.skip_weekends:
        return day
    for ahead in range(7):
        candidate = day + timedelta(days=ahead)
        if candidate.weekday() in settings.workdays:
            return candidate
    return day  # no workday at all: the settings refuse an empty list, so this is never reached


def workdays_from(first: date, *, settings: Settings) -> Iterator[date]:
    """`first`, then each later day that is a workday (every day when `skip_weekends` is off):
    the days a bulk move spreads follow-ups over. `first` is the user's and is kept as given."""
    yield first
    day = first
    while True:
        day = on_workday(day + timedelta(days=1), settings=settings)
        yield day


def referral_first_touch(*, step: int, on: date, first: date | None, settings: Settings) -> Planned:
    """A referral's first touch: on `first` when the user gave it (kept as given), else on the
    referral day `on` moved to a workday."""
    due = first if first is not None else on_workday(on, settings=settings)
    return cadence_touch(step=step, due=due, settings=settings, referred=True)


def skipped_touch_again(*, step: int, on: date, action: Channel, settings: Settings, referred: bool) -> Planned:
    """A cadence touch skipped on `on` comes back after the gap that led to it (from `on`,
    moved to a workday)."""
    due = on_workday(on + timedelta(days=skip_gap(step, settings=settings)), settings=settings)
    return Planned(Kind.touch, due, action, touch_reason(step, settings=settings, referred=referred), cadence_step=step)
