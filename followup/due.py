"""`followup due`, the morning list, as plain data.

A few portable SQL queries (see `sql`) run through a `Reader`: on an up-to-date SQLite file
the stdlib sqlite3 driver, so the command every salesperson runs each morning never pays
for importing SQLAlchemy; on PostgreSQL the same text through SQLAlchemy. `render` draws the
result as tables or JSON. Only the stdlib and light modules of followup are imported here.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, time, timedelta

from .config import DEFAULT_WEEKLY_REFERRAL_TARGET
from .enums import KIND_ORDER, POST_SALE_KINDS, Channel, FollowupStatus, Kind, Outcome, Status
from .people import Salesperson
from .sql import Reader, as_bool, as_date, as_time, chunks, one

OPEN = FollowupStatus.open.value
ACTIVE_STATUSES = (Status.prospect.value, Status.customer.value, Status.repeat.value)
CUSTOMERS = (Status.customer.value, Status.repeat.value)


@dataclass
class DueItem:
    id: int
    contact_id: int
    contact: str
    company: str | None
    due: str
    time: str | None  # "15:00" when the follow-up was set for a time of day
    kind: str
    action: str
    reason: str
    touches: int
    referrer: str | None
    overdue_days: int
    phone: str | None = None  # the contact's first phone and e-mail
    email: str | None = None
    asked_for: bool = False  # due on the date the contact asked for (`touch --next`, `schedule`)
    hint: str | None = None  # "vary_time": their last three touches were on one weekday and hour band


@dataclass
class NoNextStep:
    contact_id: int
    contact: str
    status: str
    touches: int
    hint: str | None = None  # "let_go": a prospect past the whole cadence with no sale


@dataclass
class DueReport:
    date: str
    due: list[DueItem]
    upcoming: list[DueItem]
    no_next_step: list[NoNextStep]
    days: int
    # short lines for people under the footer (the referral habit); not part of the JSON contract
    nudges: list[str] = field(default_factory=list)
    # with a row cap (`max_rows`): how many there are in all, where the lists hold only the first
    # rows: keys "overdue", "today", "upcoming", "no_next_step"; None when the lists are whole
    totals: dict[str, int] | None = None

    @property
    def overdue(self) -> int:
        if self.totals is not None:
            return self.totals["overdue"]
        return sum(1 for item in self.due if item.overdue_days > 0)

    def count(self, section: str) -> int:
        """How many follow-ups `due` (overdue and today), `upcoming`, or contacts `no_next_step`
        there are, the rows a cap left out included."""
        if self.totals is None:
            return len(getattr(self, section))
        if section == "due":
            return self.totals["overdue"] + self.totals["today"]
        return self.totals[section]

    def as_json(self) -> dict:
        return {
            "date": self.date,
            "due": [asdict(i) for i in self.due],
            "upcoming": [asdict(i) for i in self.upcoming],
            "no_next_step": [asdict(n) for n in self.no_next_step],
        }


# the order of kinds among overdue follow-ups, and among untimed ones of a day (enums.KIND_ORDER)
KIND_RANK = (
    "CASE f.kind "
    + " ".join(f"WHEN '{kind.value}' THEN {rank}" for kind, rank in KIND_ORDER.items())
    + f" ELSE {len(KIND_ORDER)} END"
)

# the open follow-ups `due` lists: up to :until, of contacts one may contact
_OPEN_UP_TO = """
    FROM followup f JOIN contact c ON c.id = f.contact_id
    WHERE f.status = :open AND f.due <= :until AND NOT c.do_not_contact{scope}"""

# the follow-ups in `due`'s order, picked first (and capped) by their sort keys alone, so the
# touch counts and referrers are looked up only for the rows shown
_ITEMS = f"""
    SELECT f.id, f.contact_id, c.name, c.company, f.due, f.at_time, f.kind, f.action, f.reason,
           (SELECT COUNT(*) FROM touch t WHERE t.contact_id = f.contact_id),
           (SELECT r.referrer_name FROM referral r WHERE r.prospect_id = f.contact_id LIMIT 1),
           c.phone, c.email, f.asked_for
    FROM (SELECT f.id AS id,
                 CASE WHEN f.due < :on THEN 0 ELSE 1 END AS late,
                 CASE WHEN f.due < :on THEN {KIND_RANK} ELSE 0 END AS late_rank,
                 f.due AS due,
                 CASE WHEN f.at_time IS NULL THEN 1 ELSE 0 END AS untimed,
                 f.at_time AS at_time,
                 {KIND_RANK} AS kind_rank
          {_OPEN_UP_TO}{{section}}
          ORDER BY late, late_rank, due, untimed, at_time, kind_rank, id{{limit}}) AS pick
    JOIN followup f ON f.id = pick.id
    JOIN contact c ON c.id = f.contact_id
    ORDER BY pick.late, pick.late_rank, pick.due, pick.untimed, pick.at_time, pick.kind_rank, pick.id"""

# active contacts with no open follow-up (a birthday greeting is no next step in the sale)
_NO_NEXT_STEP = """
    FROM contact c
    WHERE c.status IN (:active) AND NOT c.do_not_contact{scope}
      AND NOT EXISTS (SELECT 1 FROM followup f
                      WHERE f.contact_id = c.id AND f.status = :open AND f.kind <> :birthday)"""


def due_report(
    *,
    reader: Reader,
    on: date,
    days: int = 0,
    weekly_referral_target: int = DEFAULT_WEEKLY_REFERRAL_TARGET,
    with_nudges: bool = True,
    who: Salesperson | None = None,
    max_rows: int | None = None,
    cadence_length: int | None = None,
) -> DueReport:
    """Open follow-ups due on or before `on`, the next `days` days, the active contacts with
    nothing scheduled, and the referral nudges (see `nudges`); in team mode only those of
    `who`'s contacts. With `max_rows`, each of the three lists holds only its first `max_rows`
    rows (in the same order) and `totals` counts them all: the database does the counting.

    Order: overdue first, by kind (2-4-8, coach and thank-you, touches, check-ins), then by
    day, a time of day only breaking ties (it has passed). Then, for today and each day
    coming up, the follow-ups set for a time of day by time, then those without one by kind."""
    until = on + timedelta(days=days)
    scope, params = who.scope_sql() if who is not None else ("", {})
    params = {**params, "on": on, "until": until, "open": OPEN}
    if max_rows is None:
        rows = reader.rows(_ITEMS.format(scope=scope, section="", limit=""), params)
    else:  # ---- row cap: each section's first rows, in the same order, and counts of them all
        capped = {**params, "limit": max_rows}
        rows = reader.rows(_ITEMS.format(scope=scope, section=" AND f.due <= :on", limit=" LIMIT :limit"), capped)
        if days:
            rows += reader.rows(_ITEMS.format(scope=scope, section=" AND f.due > :on", limit=" LIMIT :limit"), capped)
    due, upcoming = [], []
    for fid, cid, name, company, day, at, kind, action, reason, touches, referrer, phone, email, asked in rows:
        day = as_date(day)
        item = DueItem(
            fid,
            cid,
            name,
            company,
            day.isoformat(),
            _hh_mm(as_time(at)),
            kind,
            action,
            reason,
            touches,
            referrer,
            max((on - day).days, 0),
            phone=phone,
            email=email,
            asked_for=as_bool(asked),
        )
        (due if day <= on else upcoming).append(item)
    upcoming.sort(key=lambda i: i.due)  # stable: within a day, still by time, then kind
    _vary_time_hints(reader, due + upcoming, on=on)
    idle_params = {**params, "active": ACTIVE_STATUSES, "birthday": Kind.birthday.value}
    idle = reader.rows(
        "SELECT c.id, c.name, c.status" + _NO_NEXT_STEP.format(scope=scope) + " ORDER BY c.id", idle_params
    )
    shown = idle if max_rows is None else idle[:max_rows]
    touches = touch_counts(reader, [cid for cid, _, _ in shown])
    no_next_step = [NoNextStep(cid, name, status, touches.get(cid, 0)) for cid, name, status in shown]
    return DueReport(
        on.isoformat(),
        due,
        upcoming,
        _let_go_hints(no_next_step, cadence_length=cadence_length),
        days,
        nudges(reader=reader, on=on, weekly_referral_target=weekly_referral_target, who=who) if with_nudges else [],
        None if max_rows is None else {**_due_totals(reader, scope=scope, params=params), "no_next_step": len(idle)},
    )


def _due_totals(reader: Reader, *, scope: str, params: dict) -> dict[str, int]:
    """How many follow-ups are overdue, due today and coming up (for a capped report)."""
    overdue, today, upcoming = one(
        reader,
        f"""SELECT COUNT(CASE WHEN f.due < :on THEN 1 END),
                   COUNT(CASE WHEN f.due = :on THEN 1 END),
                   COUNT(CASE WHEN f.due > :on THEN 1 END)
            {_OPEN_UP_TO.format(scope=scope)}""",
        params,
    )
    return {"overdue": overdue, "today": today, "upcoming": upcoming}


def touch_counts(reader: Reader, contact_ids: Sequence[int]) -> dict[int, int]:
    """How many touches each of these contacts has had (those with none are left out)."""
    counts: dict[int, int] = {}
    for chunk in chunks(contact_ids):
        sql = "SELECT t.contact_id, COUNT(*) FROM touch t WHERE t.contact_id IN (:ids) GROUP BY t.contact_id"
        counts.update(reader.rows(sql, {"ids": chunk}))
    return counts


def _hh_mm(t: time | None) -> str | None:
    return t.strftime("%H:%M") if t else None


# ---------------------------------------------------------------- nudges


def _shell_word(name: str) -> str:
    """A name as one shell word for a suggested command: 'Tom Wu', "O'Neil"."""
    if "'" not in name:
        return f"'{name}'"
    if not any(c in name for c in '"$`\\!'):
        return f'"{name}"'
    return shlex.quote(name)


def _names(names: list[str], total: int) -> str:
    more = total - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# customers past their 2-4-8 (the day-8 step behind :on, or every after-sale step of a sale
# closed by :on) and never asked for a referral; each follow-up test names the contact, so it
# runs on the (contact_id, status) index
_NEVER_ASKED = """
    SELECT c.name, COUNT(*) OVER ()
    FROM contact c
    WHERE c.status IN (:customers) AND NOT c.do_not_contact{scope}
      AND (EXISTS (SELECT 1 FROM followup d8
                   WHERE d8.contact_id = c.id AND d8.kind = :post_sale_8 AND d8.due < :on)
           OR EXISTS (SELECT 1 FROM sale s
                      WHERE s.contact_id = c.id AND s.day <= :on
                        AND EXISTS (SELECT 1 FROM followup st
                                    WHERE st.contact_id = s.contact_id AND st.sale_id = s.id
                                      AND st.kind IN (:post_sale))
                        AND NOT EXISTS (SELECT 1 FROM followup u
                                        WHERE u.contact_id = s.contact_id AND u.sale_id = s.id
                                          AND u.kind IN (:post_sale)
                                          AND (u.status = :open OR u.closed_on IS NULL OR u.closed_on > :on))))
      AND NOT EXISTS (SELECT 1 FROM referral_ask a WHERE a.customer_id = c.id AND a.day <= :on)
    ORDER BY (SELECT MAX(s.day) FROM sale s WHERE s.contact_id = c.id AND s.day <= :on) DESC, c.id DESC
    LIMIT 3"""

# prospects lost in the 30 days up to :on whose last touch was declined, not asked since
_LAST_TOUCH = """(SELECT t.{column} FROM touch t WHERE t.contact_id = c.id AND t.day <= :on
                  ORDER BY t.day DESC, t.id DESC LIMIT 1)"""
_DECLINED = f"""
    SELECT c.name, COUNT(*) OVER ()
    FROM contact c
    WHERE c.status = :lost AND NOT c.do_not_contact{{scope}}
      AND c.lost_on >= :month_ago AND c.lost_on <= :on
      AND {_LAST_TOUCH.format(column="outcome")} = :declined
      AND NOT EXISTS (SELECT 1 FROM referral_ask a
                      WHERE a.customer_id = c.id AND a.day <= :on
                        AND a.day >= {_LAST_TOUCH.format(column="day")})
    ORDER BY c.lost_on DESC, c.id DESC
    LIMIT 3"""


def nudges(
    *,
    reader: Reader,
    on: date,
    weekly_referral_target: int = DEFAULT_WEEKLY_REFERRAL_TARGET,
    who: Salesperson | None = None,
) -> list[str]:
    """At most three short lines for the foot of `due`, each only when it applies, as of `on`
    (in team mode, about `who`'s contacts):

    - the weekly referral habit: new referrals in the Monday-based week up to `on`, against
      the target (0 turns it off; an empty database is not nagged);
    - customers past their 2-4-8 (a sale whose day-8 step is behind `on`, or whose after-sale
      follow-ups are all closed) who were never asked for a referral;
    - prospects lost in the 30 days before `on` whose last touch was `declined`, not asked since.
    """
    scope, params = who.scope_sql() if who is not None else ("", {})
    params = {**params, "on": on, "open": OPEN}
    lines: list[str] = []
    if weekly_referral_target > 0:
        made, anyone = one(
            reader,
            f"""SELECT (SELECT COUNT(*) FROM referral r JOIN contact c ON c.id = r.prospect_id
                        WHERE r.referred_on >= :monday AND r.referred_on <= :on{scope}),
                       (SELECT COUNT(*) FROM (SELECT 1 FROM contact c WHERE 1 = 1{scope} LIMIT 1) AS one_contact)""",
            {**params, "monday": on - timedelta(days=on.weekday())},
        )
        if anyone and made < weekly_referral_target:
            lines.append(
                f"Referrals this week: {made} of {weekly_referral_target}. Ask a happy customer: followup ask NAME"
            )

    never_asked = reader.rows(
        _NEVER_ASKED.format(scope=scope),
        {
            **params,
            "customers": CUSTOMERS,
            "post_sale_8": Kind.post_sale_8.value,
            "post_sale": [k.value for k in POST_SALE_KINDS],
        },
    )
    if never_asked:
        total = never_asked[0][1]
        lines.append(
            f"{_plural(total, 'customer')} past their 2-4-8 never asked for a referral: "
            f"{_names([name for name, _ in never_asked], total)}."
        )

    declined = reader.rows(
        _DECLINED.format(scope=scope),
        {
            **params,
            "lost": Status.lost.value,
            "month_ago": on - timedelta(days=30),
            "declined": Outcome.declined.value,
        },
    )
    if declined:
        name, total = declined[0]
        line = f"{name} turned you down: ask who else needs what you sell (followup ask {_shell_word(name)})"
        others = [other for other, _ in declined[1:]]
        if others:
            line += f"; so did {_names(others, total - 1)}"
        lines.append(line)
    return lines


# ---------------------------------------------------------------- not pushy: the hints of due

VARY_TIME, LET_GO = "vary_time", "let_go"
HINT_TEXT = {VARY_TIME: "vary the time", LET_GO: "consider letting go"}


def hour_band(at: time) -> str:
    """morning (before 12:00), afternoon (12:00 to 16:59) or evening (17:00 on)."""
    return "morning" if at.hour < 12 else "afternoon" if at.hour < 17 else "evening"


def same_time_every_time(touches: Sequence[tuple[date, time | None]]) -> bool:
    """Whether three touches fell on the same weekday and, when each has a time, in the same
    hour band (when any has no time, the weekday alone is compared)."""
    if len(touches) < 3:
        return False
    if len({day.weekday() for day, _ in touches}) != 1:
        return False
    if any(at is None for _, at in touches):
        return True
    return len({hour_band(at) for _, at in touches}) == 1


_LAST_THREE = """
    SELECT contact_id, day, at_time FROM (
        SELECT t.contact_id, t.day, t.at_time,
               ROW_NUMBER() OVER (PARTITION BY t.contact_id
                                  ORDER BY t.day DESC, t.at_time IS NULL, t.at_time DESC, t.id DESC) AS n
        FROM touch t JOIN contact c ON c.id = t.contact_id
        WHERE t.contact_id IN (:ids) AND t.day <= :on AND c.status = :prospect
    ) AS recent
    WHERE n <= 3"""


def vary_time_contacts(*, reader: Reader, contact_ids: Sequence[int], on: date) -> set[int]:
    """Of these contacts, the prospects whose last three touches up to `on` were on the same
    weekday and in the same hour band: `due` tells the user to vary the time."""
    ids = sorted(set(contact_ids))
    flagged: set[int] = set()
    for chunk in chunks(ids):
        last: dict[int, list[tuple[date, time | None]]] = {}
        params = {"ids": chunk, "on": on, "prospect": Status.prospect.value}
        for cid, day, at in reader.rows(_LAST_THREE, params):
            last.setdefault(cid, []).append((as_date(day), as_time(at)))
        flagged |= {cid for cid, touches in last.items() if same_time_every_time(touches)}
    return flagged


def _vary_time_hints(reader: Reader, items: list[DueItem], *, on: date) -> None:
    """`hint` "vary_time" on the items of prospects whose last three touches (up to `on`) were
    on the same weekday and in the same hour band (see `same_time_every_time`)."""
    if not items:
        return
    flagged = vary_time_contacts(reader=reader, contact_ids=[i.contact_id for i in items], on=on)
    for item in items:
        if item.contact_id in flagged:
            item.hint = VARY_TIME


def _let_go_hints(rows: list[NoNextStep], *, cadence_length: int | None) -> list[NoNextStep]:
    """`hint` "let_go" on the prospects with no next step who have had every touch of the
    cadence (twelve by default) and bought nothing: consider letting them go."""
    from .config import Settings

    length = cadence_length if cadence_length is not None else Settings().cadence_length
    for row in rows:
        if row.status == Status.prospect.value and row.touches >= length:
            row.hint = LET_GO
    return rows


# ---------------------------------------------------------------- the yearly visit: the cheap read before due

_MISSING_YEARLY_VISIT = """
    SELECT c.id FROM contact c
    WHERE c.status IN (:customers) AND NOT c.do_not_contact{scope}
      AND NOT EXISTS (SELECT 1 FROM followup f
                      WHERE f.contact_id = c.id AND f.status = :open AND f.kind = :checkin)
      AND NOT EXISTS (SELECT 1 FROM touch t
                      WHERE t.contact_id = c.id AND t.channel = :visit AND t.day >= :year_ago)
      AND (EXISTS (SELECT 1 FROM touch t WHERE t.contact_id = c.id AND t.channel = :visit)
           OR EXISTS (SELECT 1 FROM sale s WHERE s.contact_id = c.id AND s.day < :year_ago)){ids}
    ORDER BY c.id{limit}"""


def year_before(day: date) -> date:
    """The same day a year earlier; 29 February gives the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def missing_yearly_visit(
    *,
    reader: Reader,
    today: date,
    who: Salesperson | None = None,
    contact_ids: Sequence[int] | None = None,
    limit: int | None = None,
) -> list[int]:
    """The customers (of `contact_ids`, when given) missing their yearly visit, by id: customers
    and repeat customers one may contact, with no check-in open, whose last visit (else their
    first sale) is over a year before `today`; `complaints.top_up_yearly_visits` schedules it."""
    scope, params = who.scope_sql() if who is not None else ("", {})
    params |= {
        "customers": CUSTOMERS,
        "open": OPEN,
        "checkin": Kind.checkin.value,
        "visit": Channel.visit.value,
        "year_ago": year_before(today),
        "ids": list(contact_ids or []),
        "limit": limit,
    }
    sql = _MISSING_YEARLY_VISIT.format(
        scope=scope,
        ids="" if contact_ids is None else " AND c.id IN (:ids)",
        limit="" if limit is None else " LIMIT :limit",
    )
    return [cid for (cid,) in reader.rows(sql, params)]


def yearly_visits_missing(*, reader: Reader, today: date, who: Salesperson | None = None) -> bool:
    """A cheap read before `due`: is any customer missing their yearly visit?"""
    return bool(missing_yearly_visit(reader=reader, today=today, who=who, limit=1))
