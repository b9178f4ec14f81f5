"""The follow-up rules: the prospect cadence, 2-4-8 after a sale, the yearly check-in.

Pure functions of the settings and dates; the services decide when to apply them.
"""

from __future__ import annotations

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
    """After the `touches`-th touch on `on`, the next cadence touch, or None after the last."""
    gap = settings.gap_after(touches)
    if gap is None:
        return None
    return cadence_touch(step=touches + 1, due=on + timedelta(days=gap), settings=settings, referred=referred)


def skip_gap(step: int, *, settings: Settings) -> int:
    """The gap that led to cadence touch `step`, reused when that touch is skipped."""
    gaps = settings.prospect_gaps
    return gaps[min(max(step - 2, 0), len(gaps) - 1)]


def after_sale_plan(*, sold_on: date, settings: Settings) -> list[Planned]:
    """The 2-4-8 steps and the yearly check-in for a sale on `sold_on`."""
    plan = [
        Planned(kind=kind, due=sold_on + timedelta(days=days), action=action, reason=f"2-4-8 day {days}: {why}")
        for (kind, action, why), days in zip(_AFTER_SALE, settings.after_sale_days, strict=True)
    ]
    plan.append(checkin(due=add_months(sold_on, settings.checkin_months)))
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


def thank_referrer(*, referrer: str, buyer: str, due: date) -> Planned:
    return Planned(kind=Kind.thank_referrer, due=due, action=Channel.call, reason=f"thank {referrer}: {buyer} bought")
