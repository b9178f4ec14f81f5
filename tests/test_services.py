"""The cadence rules at the service level: followup.services called directly on a fresh database,
once in memory on SQLite and once on PostgreSQL (the `session` fixture).

Every call gets its date explicitly; nothing reads the clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from followup import services
from followup.config import Settings, load_settings
from followup.due import due_report
from followup.enums import Channel, Outcome, Source, Status
from followup.errors import UserError
from followup.models import Contact, FollowUp, Referral
from followup.sql import SessionReader

pytestmark = pytest.mark.backends("sqlite", "postgresql")

GAPS = (1, 2, 3, 4, 5, 7, 7, 10, 14, 14, 21)
D = date(2026, 3, 2)  # a Monday
POST_SALE = ["post_sale_2", "post_sale_4", "post_sale_8", "checkin"]


def day(offset: int = 0, start: date = D) -> date:
    return start + timedelta(days=offset)


def open_(session, contact: Contact) -> list[tuple[str, date, str]]:
    return [(f.kind, f.due, f.reason) for f in services.open_followups(session=session, contact_id=contact.id)]


def with_status(session, contact: Contact, status: str) -> list[tuple[str, date]]:
    rows = session.exec(
        select(FollowUp)
        .where(FollowUp.contact_id == contact.id, FollowUp.status == status)
        .order_by(FollowUp.due, FollowUp.id)
    ).all()
    return [(f.kind, f.due) for f in rows]


def the_open(session, contact: Contact, kind: str) -> FollowUp:
    [fu] = services.open_followups(session=session, contact_id=contact.id)
    assert fu.kind == kind
    return fu


def add(session, settings, name: str = "Sue Chen", first: date | None = None) -> Contact:
    return services.add_contact(session=session, name=name, settings=settings, first=first).contact


def touch(session, settings, contact: Contact, on: date, **kwargs) -> services.Touched:
    return services.log_touch(session=session, contact=contact, on=on, settings=settings, **kwargs)


def touches(session, settings, contact: Contact, count: int, first: date = D) -> date:
    """Log `count` touches, each on the day the previous one scheduled; returns the last touch's day."""
    on = first
    for n in range(1, count + 1):
        touch(session, settings, contact, on)
        if n < count:
            on += timedelta(days=settings.prospect_gaps[n - 1])
    return on


def sell(session, settings, contact: Contact, on: date) -> services.Sold:
    return services.record_sale(session=session, contact=contact, on=on, settings=settings)


def refer(session, settings, prospect: str = "Sue Chen", referrer: str = "Bob Li", on: date = D, **kwargs):
    return services.add_referral(
        session=session, prospect=prospect, referrer=referrer, on=on, settings=settings, **kwargs
    )


# ---------------------------------------------------------------- the twelve-touch prospect cadence


@pytest.mark.parametrize("n", range(1, 12))
def test_touch_n_schedules_the_next_touch_after_gap_n(session, settings, n):
    sue = add(session, settings, first=D)
    last = touches(session, settings, sue, n - 1) if n > 1 else None
    on = D if last is None else last + timedelta(days=GAPS[n - 2])
    result = touch(session, settings, sue, on)
    assert result.count == n
    assert (result.scheduled.kind, result.scheduled.due, result.scheduled.reason) == (
        "touch",
        on + timedelta(days=GAPS[n - 1]),
        f"touch {n + 1} of 12",
    )
    assert result.scheduled.cadence_step == n + 1
    assert open_(session, sue) == [("touch", on + timedelta(days=GAPS[n - 1]), f"touch {n + 1} of 12")]


def test_referred_prospect_touches_say_referral_touch(session, settings):
    sue = refer(session, settings).prospect
    result = touch(session, settings, sue, D)
    assert result.completed.reason == "referral touch 1 of 12"
    assert result.scheduled.reason == "referral touch 2 of 12"


def test_after_the_twelfth_touch_nothing_is_scheduled_and_the_contact_has_no_next_step(session, settings):
    sue = add(session, settings, first=D)
    last = touches(session, settings, sue, 11)
    twelfth = last + timedelta(days=21)
    result = touch(session, settings, sue, twelfth)
    assert result.count == 12
    assert result.completed.reason == "touch 12 of 12"
    assert result.scheduled is None
    assert open_(session, sue) == []
    report = due_report(reader=SessionReader(session), on=twelfth, days=365)
    assert [(n.contact, n.touches) for n in report.no_next_step] == [("Sue Chen", 12)]


# ---------------------------------------------------------------- what a touch completes


def test_touch_completes_the_earliest_open_followup_of_any_kind(session, settings):
    sue = add(session, settings)
    sell(session, settings, sue, D)
    manual, _ = services.schedule_followup(session=session, contact=sue, due=day(1), on=D, what="send the manual")
    first = touch(session, settings, sue, day(10))
    second = touch(session, settings, sue, day(10))
    assert (first.completed.id, first.completed.kind) == (manual.id, "manual")
    assert second.completed.kind == "post_sale_2"
    assert [k for k, _, _ in open_(session, sue)] == ["post_sale_4", "post_sale_8", "checkin"]


def test_call_on_day_2_after_a_sale_completes_post_sale_2(session, settings):
    sue = add(session, settings)
    sell(session, settings, sue, D)
    result = touch(session, settings, sue, day(2))
    assert (result.completed.kind, result.completed.due, result.completed.touch_id) == (
        "post_sale_2",
        day(2),
        result.touch.id,
    )
    assert result.scheduled is None  # a customer has no prospect cadence


def test_touch_before_anything_is_due_completes_nothing(session, settings):
    sue = add(session, settings, first=day(5))
    result = touch(session, settings, sue, day(1))
    assert result.completed is None
    assert with_status(session, sue, "cancelled") == [("touch", day(5))]
    assert open_(session, sue) == [("touch", day(2), "touch 2 of 12")]


# ---------------------------------------------------------------- never two open cadence touches


def test_referral_of_a_prospect_with_a_scheduled_touch_leaves_one_open_touch(session, settings):
    sue = add(session, settings, first=day(5))
    referred = refer(session, settings, on=D)
    assert referred.prospect.id == sue.id and not referred.prospect_created
    assert open_(session, sue) == [("touch", D, "referral touch 1 of 12")]
    assert with_status(session, sue, "cancelled") == [("touch", day(5))]


def test_touch_next_replaces_the_open_cadence_touch(session, settings):
    sue = add(session, settings, first=D)
    touch(session, settings, sue, D, next_due=day(10))
    result = touch(session, settings, sue, day(3), next_due=day(20))
    assert result.completed is None
    assert [f.due for f in result.cancelled] == [day(10)]
    assert open_(session, sue) == [("touch", day(20), "touch 3 of 12, the date they asked for")]


# ---------------------------------------------------------------- the date they asked for


def test_next_due_schedules_a_touch_on_that_date_instead_of_the_cadence(session, settings):
    sue = add(session, settings, first=D)
    result = touch(session, settings, sue, D, next_due=day(30))
    assert (result.scheduled.kind, result.scheduled.due) == ("touch", day(30))
    assert open_(session, sue) == [("touch", day(30), "touch 2 of 12, the date they asked for")]


def test_no_next_schedules_nothing_and_cancels_the_open_cadence_touch(session, settings):
    sue = add(session, settings, first=day(5))
    result = touch(session, settings, sue, D, no_next=True)
    assert result.scheduled is None
    assert open_(session, sue) == []
    assert with_status(session, sue, "cancelled") == [("touch", day(5))]


# ---------------------------------------------------------------- schedule


def test_schedule_adds_a_manual_followup_that_replaces_the_cadence_touch(session, settings):
    sue = add(session, settings, first=D)
    fu, cancelled = services.schedule_followup(
        session=session, contact=sue, due=day(9), on=D, what="after the budget meeting", via=Channel.visit
    )
    assert (fu.kind, fu.due, fu.action, fu.reason) == ("manual", day(9), "visit", "after the budget meeting")
    assert [(f.kind, f.due, f.status) for f in cancelled] == [("touch", D, "cancelled")]
    assert open_(session, sue) == [("manual", day(9), "after the budget meeting")]


def test_cadence_resumes_from_the_next_logged_touch_after_schedule(session, settings):
    sue = add(session, settings, first=D)
    touches(session, settings, sue, 2)  # days 0 and 1
    services.schedule_followup(session=session, contact=sue, due=day(9), on=day(1))
    result = touch(session, settings, sue, day(9))
    assert result.completed.kind == "manual"
    assert open_(session, sue) == [("touch", day(9 + GAPS[2]), "touch 4 of 12")]


# ---------------------------------------------------------------- done, skip, snooze


def test_done_logs_a_touch_with_the_followups_channel_and_completes_exactly_it(session, settings):
    sue = add(session, settings)
    sold = sell(session, settings, sue, D)
    visit = next(f for f in sold.scheduled if f.kind == "post_sale_8")
    result = services.complete_followup(session=session, followup_id=visit.id, on=day(3), settings=settings)
    assert (result.touch.channel, result.touch.day) == ("visit", day(3))
    assert result.completed.id == visit.id
    assert with_status(session, sue, "done") == [("post_sale_8", day(8))]
    assert [k for k, _, _ in open_(session, sue)] == ["post_sale_2", "post_sale_4", "checkin"]


def test_done_on_a_cadence_touch_moves_the_cadence_on_like_touch(session, settings):
    sue = add(session, settings, first=day(5))
    first = the_open(session, sue, "touch")
    result = services.complete_followup(session=session, followup_id=first.id, on=day(2), settings=settings)
    assert result.completed.id == first.id
    assert open_(session, sue) == [("touch", day(2 + GAPS[0]), "touch 2 of 12")]


@pytest.mark.parametrize("step", range(1, 13))
def test_skip_cadence_touch_schedules_the_same_step_after_the_gap_that_led_to_it(session, settings, step):
    sue = add(session, settings, first=D)
    if step > 1:
        touches(session, settings, sue, step - 1)
    pending = the_open(session, sue, "touch")
    assert pending.cadence_step == step
    gap = GAPS[max(step - 2, 0)]
    skipped, again = services.skip_followup(session=session, followup_id=pending.id, on=day(100), settings=settings)
    assert (skipped.id, skipped.status, skipped.closed_on, skipped.touch_id) == (pending.id, "skipped", day(100), None)
    assert (again.kind, again.due, again.reason, again.cadence_step) == (
        "touch",
        day(100 + gap),
        f"touch {step} of 12",
        step,
    )
    assert services.touch_count(session=session, contact_id=sue.id) == step - 1
    assert open_(session, sue) == [("touch", day(100 + gap), f"touch {step} of 12")]


def test_skip_a_post_sale_step_closes_it_without_a_touch_or_a_replacement(session, settings):
    sue = add(session, settings)
    sold = sell(session, settings, sue, D)
    day_4 = next(f for f in sold.scheduled if f.kind == "post_sale_4")
    skipped, again = services.skip_followup(session=session, followup_id=day_4.id, on=day(4), settings=settings)
    assert (skipped.status, again) == ("skipped", None)
    assert [k for k, _, _ in open_(session, sue)] == ["post_sale_2", "post_sale_8", "checkin"]
    assert services.touch_count(session=session, contact_id=sue.id) == 0


def test_snooze_moves_the_due_date(session, settings):
    sue = add(session, settings, first=D)
    pending = the_open(session, sue, "touch")
    fu, before, before_time = services.snooze_followup(session=session, followup_id=pending.id, due=day(7))
    assert (fu.id, before, before_time, fu.due, fu.status) == (pending.id, D, None, day(7), "open")


@pytest.mark.parametrize("state", ["done", "skipped", "cancelled"])
@pytest.mark.parametrize("action", ["done", "skip", "snooze"])
def test_acting_on_a_closed_followup_is_a_user_error(session, settings, state, action):
    sue = add(session, settings, first=D)
    fid = the_open(session, sue, "touch").id
    if state == "done":
        services.complete_followup(session=session, followup_id=fid, on=D, settings=settings)
    elif state == "skipped":
        services.skip_followup(session=session, followup_id=fid, on=D, settings=settings)
    else:
        services.schedule_followup(session=session, contact=sue, due=day(5), on=D)
    with pytest.raises(UserError, match=f"#{fid} is already {state}"):
        _act(session, settings, action, fid)
    assert session.get(FollowUp, fid).status == state


@pytest.mark.parametrize("action", ["done", "skip", "snooze"])
def test_acting_on_an_unknown_followup_is_a_user_error(session, settings, action):
    with pytest.raises(UserError, match="no follow-up #99"):
        _act(session, settings, action, 99)


def _act(session, settings, action: str, fid: int) -> None:
    if action == "done":
        services.complete_followup(session=session, followup_id=fid, on=day(9), settings=settings)
    elif action == "skip":
        services.skip_followup(session=session, followup_id=fid, on=day(9), settings=settings)
    else:
        services.snooze_followup(session=session, followup_id=fid, due=day(9))


# ---------------------------------------------------------------- sales


def test_sale_cancels_the_cadence_and_schedules_2_4_8_and_a_yearly_checkin(session, settings):
    sue = add(session, settings, first=D)
    touch(session, settings, sue, D)
    sold = sell(session, settings, sue, day(3))
    assert (sue.status, sold.repeat, sold.thank) == ("customer", False, None)
    assert [(f.kind, f.due) for f in sold.cancelled] == [("touch", day(1))]
    assert [(f.kind, f.due, f.action, f.reason) for f in sold.scheduled] == [
        ("post_sale_2", day(5), "call", "2-4-8 day 2: check they have started using it, and use it right"),
        ("post_sale_4", day(7), "call", "2-4-8 day 4: adaptation period"),
        ("post_sale_8", day(11), "visit", "2-4-8 day 8: bring another product to offer"),
        ("checkin", date(2027, 3, 5), "visit", "yearly check-in"),
    ]
    assert all(f.sale_id == sold.sale.id for f in sold.scheduled)


def test_checkin_after_a_sale_on_29_february_falls_on_28_february(session, settings):
    sue = add(session, settings)
    sold = sell(session, settings, sue, date(2028, 2, 29))
    assert [(f.kind, f.due) for f in sold.scheduled][-1] == ("checkin", date(2029, 2, 28))


def test_referred_sale_thanks_the_referrer_on_the_sale_day(session, settings):
    referred = refer(session, settings, on=D)
    sold = sell(session, settings, referred.prospect, day(6))
    assert (sold.thank.contact_id, sold.thank.kind, sold.thank.due, sold.thank.reason) == (
        referred.referrer.id,
        "thank_referrer",
        day(6),
        "thank Bob Li: Sue Chen bought",
    )
    assert sold.thank.about_contact_id == referred.prospect.id


def test_sale_without_a_referral_thanks_nobody(session, settings):
    sue = add(session, settings)
    bob = add(session, settings, "Bob Li")
    sold = sell(session, settings, sue, D)
    assert sold.thank is None
    assert with_status(session, bob, "open") == []


def test_second_sale_makes_a_repeat_customer_with_new_2_4_8_one_checkin_and_no_second_thanks(session, settings):
    referred = refer(session, settings, on=D)
    sue, bob = referred.prospect, referred.referrer
    sell(session, settings, sue, D)
    for n in (2, 4, 8):
        touch(session, settings, sue, day(n))
    again = sell(session, settings, sue, day(60))
    assert (sue.status, again.repeat, again.thank) == ("repeat", True, None)
    assert [(f.kind, f.due) for f in again.cancelled] == [("checkin", date(2027, 3, 2))]
    assert [(k, d) for k, d, _ in open_(session, sue)] == [
        ("post_sale_2", day(62)),
        ("post_sale_4", day(64)),
        ("post_sale_8", day(68)),
        ("checkin", date(2027, 5, 1)),
    ]
    thanks = session.exec(select(FollowUp).where(FollowUp.contact_id == bob.id, FollowUp.kind == "thank_referrer"))
    assert [f.due for f in thanks] == [D]


# ---------------------------------------------------------------- lost


def test_lost_cancels_everything_open_and_keeps_the_touch_count(session, settings):
    sue = add(session, settings, first=D)
    touches(session, settings, sue, 3)  # days 0, 1, 3; touch 4 due day 6
    services.schedule_followup(session=session, contact=sue, due=day(9), on=day(3))  # replaces touch 4
    lost = services.mark_lost(session=session, contact=sue, on=day(8), reason="chose a cheaper supplier")
    assert (lost.touches, sue.status, sue.lost_on, sue.lost_reason) == (3, "lost", day(8), "chose a cheaper supplier")
    assert [(f.kind, f.status) for f in lost.cancelled] == [("manual", "cancelled")]
    assert open_(session, sue) == []


def test_lost_referrer_loses_their_coach_task(session, settings):
    bob = refer(session, settings, on=D).referrer
    lost = services.mark_lost(session=session, contact=bob, on=day(1), reason=None)
    assert [f.kind for f in lost.cancelled] == ["coach"]


def test_touch_on_a_lost_contact_is_logged_and_schedules_nothing(session, settings):
    sue = add(session, settings, first=D)
    touch(session, settings, sue, D)
    services.mark_lost(session=session, contact=sue, on=day(1), reason=None)
    plain = touch(session, settings, sue, day(5))
    asked = touch(session, settings, sue, day(6), next_due=day(9))
    assert (plain.count, plain.completed, plain.scheduled) == (2, None, None)
    assert (asked.count, asked.scheduled) == (3, None)
    assert "lost" in asked.note
    assert open_(session, sue) == []


def test_reopened_lost_prospect_restarts_the_cadence_at_its_count(session, settings):
    sue = add(session, settings, first=D)
    touches(session, settings, sue, 3)
    services.mark_lost(session=session, contact=sue, on=day(4), reason="no budget")
    services.edit_contact(session=session, contact=sue, on=day(20), status=Status.prospect)
    assert (sue.status, sue.lost_on, sue.lost_reason) == ("prospect", None, None)
    result = touch(session, settings, sue, day(20))
    assert (result.count, result.scheduled.due, result.scheduled.reason) == (4, day(20 + GAPS[3]), "touch 5 of 12")


@pytest.mark.parametrize("sales", [1, 2])
def test_lost_on_a_customer_is_a_user_error(session, settings, sales):
    sue = add(session, settings)
    for n in range(sales):
        sell(session, settings, sue, day(n))
    with pytest.raises(UserError, match="only a prospect can be closed as lost"):
        services.mark_lost(session=session, contact=sue, on=day(5), reason=None)
    assert sue.status in ("customer", "repeat") and sue.lost_on is None


# ---------------------------------------------------------------- stop


def test_stop_marks_do_not_contact_and_cancels_everything_open(session, settings):
    sue = add(session, settings)
    sell(session, settings, sue, D)
    services.schedule_followup(session=session, contact=sue, due=day(20), on=D)
    result = touch(session, settings, sue, day(1), outcome=Outcome.stop, next_due=day(9))
    assert sue.do_not_contact is True
    assert (result.completed, result.scheduled) == (None, None)
    assert sorted(f.kind for f in result.cancelled) == sorted([*POST_SALE, "manual"])
    assert open_(session, sue) == []


def test_stopped_contact_never_appears_in_due_again(session, settings):
    sue = add(session, settings, first=D)
    touch(session, settings, sue, D, outcome=Outcome.stop)
    with pytest.raises(UserError, match="--force"):  # no call to them, and no date to call on
        touch(session, settings, sue, day(3), next_due=day(5))
    later = touch(session, settings, sue, day(3), force=True)  # they called back: logged only
    assert (later.count, later.scheduled, later.touch.inbound) == (2, None, True)
    for on in (D, day(5), day(400)):
        report = due_report(reader=SessionReader(session), on=on, days=30)
        assert (report.due, report.upcoming, report.no_next_step) == ([], [], [])


def test_schedule_on_a_stopped_contact_is_a_user_error(session, settings):
    sue = add(session, settings, first=D)
    touch(session, settings, sue, D, outcome=Outcome.stop)
    with pytest.raises(UserError, match="asked not to be contacted"):
        services.schedule_followup(session=session, contact=sue, due=day(9), on=day(1))
    assert open_(session, sue) == []


# ---------------------------------------------------------------- add


def test_add_without_first_schedules_nothing_and_shows_no_next_step(session, settings):
    added = services.add_contact(session=session, name="Sue Chen", settings=settings)
    assert added.first_touch is None
    assert with_status(session, added.contact, "open") == []
    report = due_report(reader=SessionReader(session), on=D, days=365)
    assert [(n.contact, n.status, n.touches) for n in report.no_next_step] == [("Sue Chen", "prospect", 0)]


def test_add_with_first_schedules_touch_1_of_12_on_that_date(session, settings):
    added = services.add_contact(session=session, name="Sue Chen", settings=settings, first=day(3))
    fu = added.first_touch
    assert (fu.kind, fu.due, fu.reason, fu.cadence_step) == ("touch", day(3), "touch 1 of 12", 1)
    assert open_(session, added.contact) == [("touch", day(3), "touch 1 of 12")]


# ---------------------------------------------------------------- add-referral


def test_referral_schedules_first_touch_and_coach_task_on_the_referral_day(session, settings):
    r = refer(session, settings, on=day(2))
    assert (r.prospect_created, r.referrer_created) == (True, True)
    assert open_(session, r.prospect) == [("touch", day(2), "referral touch 1 of 12")]
    assert open_(session, r.referrer) == [
        (
            "coach",
            day(2),
            (
                "ask Bob Li to confirm Sue Chen's buying capacity and introduce you "
                "(contact details, say who sent you, meet together)"
            ),
        )
    ]
    assert r.coach_task.about_contact_id == r.prospect.id


def test_referral_first_moves_the_first_touch_and_the_coach_task(session, settings):
    r = refer(session, settings, on=D, first=day(4))
    assert r.referral.referred_on == D
    assert (r.first_touch.due, r.coach_task.due) == (day(4), day(4))


def test_referral_matches_an_existing_referrer_by_unique_substring(session, settings):
    bob = add(session, settings, "Bob Li")
    r = refer(session, settings, referrer="bob")
    assert (r.referrer.id, r.referrer_created) == (bob.id, False)
    assert (r.referral.referrer_id, r.referral.referrer_name) == (bob.id, "Bob Li")


def test_referral_with_an_ambiguous_referrer_is_a_user_error(session, settings):
    add(session, settings, "Bob Li")
    add(session, settings, "Bob Wang")
    with pytest.raises(UserError, match="matches several contacts"):
        refer(session, settings, referrer="bob")
    assert session.exec(select(Referral)).all() == []


@pytest.mark.parametrize("ref", ["Sue Chen", "sue chen", "#1", "1"])
def test_referral_matches_an_existing_prospect_by_exact_name_or_id(session, settings, ref):
    sue = add(session, settings)
    assert sue.id == 1
    r = refer(session, settings, prospect=ref)
    assert (r.prospect.id, r.prospect_created) == (sue.id, False)


def test_referral_prospect_named_by_part_of_a_name_is_a_new_person(session, settings):
    sue = add(session, settings)
    r = refer(session, settings, prospect="Sue")
    assert r.prospect_created and r.prospect.id != sue.id and r.prospect.name == "Sue"


@pytest.mark.parametrize(
    ("sales", "lost", "expected"),
    [(0, False, Source.network), (1, False, Source.customer), (2, False, Source.customer), (0, True, Source.declined)],
    ids=["prospect", "customer", "repeat", "lost"],
)
def test_referral_default_source_follows_the_referrers_status(session, settings, sales, lost, expected):
    bob = add(session, settings, "Bob Li")
    for n in range(sales):
        sell(session, settings, bob, day(n))
    if lost:
        services.mark_lost(session=session, contact=bob, on=D, reason=None)
    r = refer(session, settings, on=day(3))
    assert r.referral.source == expected.value


def test_referral_from_a_new_referrer_defaults_to_network_and_explicit_source_wins(session, settings):
    assert refer(session, settings, "Sue Chen", "Bob Li").referral.source == "network"
    assert refer(session, settings, "Ann Wu", "Bob Li", source=Source.vendor).referral.source == "vendor"


def test_second_referral_of_the_same_prospect_is_a_user_error(session, settings):
    refer(session, settings, on=D)
    with pytest.raises(UserError, match="already referred by Bob Li on 2026-03-02"):
        refer(session, settings, referrer="Ann Wu", on=day(1))


# ---------------------------------------------------------------- settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_settings_file_means_the_default_cadences(tmp_path):
    assert load_settings(tmp_path / "absent.toml") == Settings()
    assert Settings().prospect_gaps == GAPS
    assert Settings().cadence_length == 12


def test_settings_file_sets_all_three_cadences(tmp_path):
    path = write(tmp_path, "[cadence]\nprospect_gaps = [3, 5]\nafter_sale = [1, 3, 7]\ncheckin_months = 6\n")
    assert load_settings(path) == Settings(prospect_gaps=(3, 5), after_sale_days=(1, 3, 7), checkin_months=6)


def test_short_prospect_cadence_from_settings(session):
    short = Settings(prospect_gaps=(3, 5))
    sue = add(session, short, first=D)
    assert open_(session, sue) == [("touch", D, "touch 1 of 3")]
    assert touch(session, short, sue, D).scheduled.due == day(3)
    assert touch(session, short, sue, day(3)).scheduled.due == day(8)
    last = touch(session, short, sue, day(8))
    assert (last.completed.reason, last.scheduled) == ("touch 3 of 3", None)


def test_skip_uses_the_gaps_from_settings(session):
    short = Settings(prospect_gaps=(3, 5))
    sue = add(session, short, first=D)
    touch(session, short, sue, D)
    _, again = services.skip_followup(
        session=session, followup_id=the_open(session, sue, "touch").id, on=day(10), settings=short
    )
    assert (again.due, again.reason) == (day(13), "touch 2 of 3")


def test_after_sale_days_and_checkin_months_from_settings(session):
    custom = Settings(after_sale_days=(1, 3, 7), checkin_months=6)
    sue = add(session, custom)
    sold = sell(session, custom, sue, D)
    assert [(f.kind, f.due) for f in sold.scheduled] == [
        ("post_sale_2", day(1)),
        ("post_sale_4", day(3)),
        ("post_sale_8", day(7)),
        ("checkin", date(2026, 9, 2)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "[cadence]\nprospect_gaps = [0]\n",
        "[cadence]\nprospect_gaps = [-1, 2]\n",
        "[cadence]\nprospect_gaps = []\n",
        "[cadence]\nprospect_gaps = [true]\n",
        "[cadence]\nprospect_gaps = 3\n",
        "[cadence]\nafter_sale = [2, 4]\n",
        "[cadence]\nafter_sale = [2, 4, 8, 16]\n",
        "[cadence]\ncheckin_months = 0\n",
        "[cadence]\ncheckin_months = 1.5\n",
        "cadence = 3\n",
        "[cadence]\nprospect_gap = [1]\n",
        "[cadence\n",
        "[cadence]\nprospect_gaps = [1, 2\n",
    ],
)
def test_bad_settings_are_a_user_error_naming_the_file(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(UserError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message.strip()
