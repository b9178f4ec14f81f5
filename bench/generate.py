"""Build benchmark databases: N contacts with about 10 touches each, in followup's own schema.

    python bench/generate.py 1000 10000 100000 [--out bench/data]

Each size becomes DIR/followup-SIZE.db, created by followup's own migrations and filled
with SQLAlchemy Core `insert()` executemany (one transaction per table chunk), never ORM
objects and never CLI calls. The data are a fixed-seed mix shaped like a salesperson's
career around a fixed "today" of 2026-11-23 (see bench/README.md for the mix):

- active prospects on the twelve-touch cadence, one open cadence touch each, due
  mostly in the coming days, some today, some overdue; a few have finished the cadence
  and have no next step;
- about 40% of contacts referred (vendor, customer, declined, exchange, network), with
  the coach task on the referrer and a thank-you task when the prospect buys;
- about 20% customers: the sale on the deciding touch, 2-4-8 follow-ups done (open when
  the sale is recent), a yearly check-in open; a quarter of them repeat customers;
- about 15% lost, a few do-not-contact; referral asks on half the customers.

Touches fall in the 18 months before today. Every touch completes the follow-up it was
due for, as `followup touch` would, so the follow-up table is about as big as the touch table.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = date(2026, 11, 23)
WINDOW_START = TODAY - timedelta(days=548)  # 18 months of touches
SEED = 20261123
BLOCK = 5000  # contacts per generated block; each table's rows of a block are one transaction

GAPS = (1, 2, 3, 4, 5, 7, 7, 10, 14, 14, 21)  # followup's default cadence: 12 touches
CADENCE = len(GAPS) + 1
SOURCES = ("vendor", "customer", "declined", "exchange", "network")
SOURCE_WEIGHTS = (10, 35, 10, 15, 30)
CHANNELS = ("call", "email", "sms", "visit", "meeting", "meal", "gift", "demo", "other")
CHANNEL_WEIGHTS = (50, 15, 10, 10, 5, 3, 2, 3, 2)
OUTCOMES = (None, "reached", "no-answer", "left-message", "meeting-set", "committed", "declined")
OUTCOME_WEIGHTS = (30, 25, 15, 15, 8, 3, 4)
AFTER_SALE = (
    ("post_sale_2", 2, "call", "2-4-8 day 2: check they have started using it, and use it right"),
    ("post_sale_4", 4, "call", "2-4-8 day 4: adaptation period"),
    ("post_sale_8", 8, "visit", "2-4-8 day 8: bring another product to offer"),
)


def _words(text: str) -> list[str]:
    """Space-separated words; an underscore joins a name of several words ("Van_der_Berg")."""
    return [w.replace("_", " ") for w in text.split()]


FIRST = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra Donald "
    "Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa "
    "George Deborah Timothy Stephanie Ronald Rebecca Jason Laura Edward Sharon Jeffrey Cynthia Ryan Kathleen "
    "Jacob Amy Gary Angela Nicholas Shirley Eric Anna Jonathan Brenda Stephen Pamela Larry Emma Justin Nicole "
    "Scott Helen Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Frank "
    "Carolyn Patrick Janet Raymond Catherine Jack Maria Dennis Heather Jerry Diane Tyler Ruth José Zoë Chloé "
    "Søren Björn Renée Amélie Łukasz François Sue Tom Ana Ivan Olga Priya Arjun Yuki Hiro Fatima Omar Aisha "
    "Kwame Ngozi Lars Ingrid"
)
LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez "
    "Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker "
    "Hall Rivera Campbell Mitchell Carter Roberts Chen Wang Li Zhang Liu Yang Huang Zhao Wu Zhou Kim Park "
    "Tanaka Suzuki Sato Müller Schmidt Schneider Fischer Weber Dubois Lefèvre Rossi Russo Ferrari Kowalski "
    "Nowak Novák Ivanov Petrov Singh Kumar Patel Shah Okafor Mensah Haddad Nasser O'Brien McCarthy "
    "Van_der_Berg De_Vries"
)
CJK_FAMILY = _words("陈 王 李 张 刘 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗")
CJK_GIVEN = _words("素 伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英")
COMPANY_A = _words(
    "Acme Globex Initech Umbrella Stark Wayne Wonka Hooli Vandelay Soylent Cyberdyne Tyrell Gringotts Oscorp "
    "Aperture Monarch Virtucon Nakatomi Dunder Pied Blue Red Green Silver North South East West Pacific "
    "Atlantic Summit Harbor Pioneer Keystone Liberty Evergreen Granite Cedar Maple Oak Pine River Lake Bay "
    "Valley"
)
COMPANY_B = _words(
    "Trading Logistics Foods Motors Dental Clinic Bakery Printing Builders Electric Plumbing Insurance Realty "
    "Consulting Software Farms Hotels Pharmacy Textiles Furniture Optics Media Security Travel Fitness"
)
COMPANY_C = ("Ltd", "Inc", "LLC", "Co", "GmbH", "Group", "& Sons", "有限公司", "")
TAGS = ("vip", "q4", "expo-2026", "cold-call", "upsell", "wholesale", "retail", "partner", "newsletter")
LOST_REASONS = (None, "went with a competitor", "no budget", "bad timing", "chose to wait", "no reply", "too expensive")
PRODUCTS = (None, "starter plan", "pro plan", "enterprise plan", "service contract", "hardware bundle", "training")
GOALS = ("meet the decision maker", "book a demo", "send a quote", "get a referral", "agree a trial")
NOTES = ("asked to call back after lunch", "budget meeting next month", "prefers e-mail", "met at the trade fair")


def add_months(d: date, months: int) -> date:
    """Same day `months` later, clamped to the month's last day (as followup.clock.add_months)."""
    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise AssertionError(d)


def touch_reason(step: int, referred: bool, asked: bool) -> str:
    """As followup.cadence.touch_reason with the default cadence."""
    prefix = "referral touch" if referred else "touch"
    text = f"{prefix} {step} of {CADENCE}" if step <= CADENCE else f"{prefix} {step} (past the cadence of {CADENCE})"
    return f"{text}, the date they asked for" if asked else text


@dataclass
class Plan:
    """One contact's story, decided before ids are given out (ids follow the first day seen)."""

    kind: str  # prospect, idle (cadence finished), lost, dnc, customer, repeat
    days: list[date]  # touch days before any sale (the cadence part)
    open_due: date | None = None  # the open cadence touch, for prospects
    sales: list[date] = field(default_factory=list)
    lost_on: date | None = None
    referred: bool = False
    referred_on: date | None = None
    first_seen: date = TODAY
    id: int = 0
    referrer: tuple[int | None, str] | None = None


class Builder:
    """Turns plans into rows: one list of dicts per table, with explicit ids."""

    def __init__(self, rng: random.Random):
        from followup.config import current_user

        self.rng = rng
        self.next_id = {"touch": 1, "sale": 1, "followup": 1, "referral": 1, "referral_ask": 1}
        self.names: dict[int, str] = {}
        self.status: dict[int, str] = {}
        self.customers: list[int] = []  # ids of customers so far (referrers for source customer)
        self.lost: list[int] = []  # ids of lost contacts so far (referrers for source declined)
        self.dnc: set[int] = set()
        self.owner = current_user()  # one salesperson's book (on SQLite the owner is not filtered on)
        self.companies = [
            " ".join(x for x in (rng.choice(COMPANY_A), rng.choice(COMPANY_B), rng.choice(COMPANY_C)) if x)
            for _ in range(2000)
        ]
        self.reset()

    def reset(self) -> None:
        self.rows: dict[str, list[dict]] = {
            t: [] for t in ("contact", "contact_detail", "touch", "sale", "followup", "referral", "referral_ask")
        }

    def _id(self, table: str) -> int:
        n = self.next_id[table]
        self.next_id[table] = n + 1
        return n

    def _stamp(self, day: date, at: dtime | None = None) -> datetime:
        at = at or dtime(self.rng.randrange(7, 20), self.rng.randrange(60), self.rng.randrange(60))
        return datetime.combine(day, at, tzinfo=UTC)

    def name(self) -> str:
        r = self.rng
        if r.random() < 0.06:
            return r.choice(CJK_FAMILY) + r.choice(CJK_GIVEN)
        return f"{r.choice(FIRST)} {r.choice(LAST)}"

    # ---------------------------------------------------------------- rows

    def followup(self, cid: int, due: date, kind: str, action: str, reason: str, status: str, **extra) -> int:
        fid = self._id("followup")
        closed_on = extra.pop("closed_on", None)
        self.rows["followup"].append(
            {
                "id": fid,
                "contact_id": cid,
                "due": due,
                "kind": kind,
                "action": action,
                "reason": reason,
                "status": status,
                "cadence_step": extra.pop("cadence_step", None),
                "about_contact_id": extra.pop("about_contact_id", None),
                "sale_id": extra.pop("sale_id", None),
                "touch_id": extra.pop("touch_id", None),
                "closed_on": closed_on,
                "created_at": self._stamp(extra.pop("created", due)),
            }
        )
        assert not extra, extra
        return fid

    def touch(self, cid: int, day: date, *, channel: str | None = None, outcome: str | None = "random") -> int:
        r = self.rng
        tid = self._id("touch")
        at = dtime(r.randrange(8, 19), r.choice((0, 15, 30, 45))) if r.random() < 0.5 else None
        self.rows["touch"].append(
            {
                "id": tid,
                "contact_id": cid,
                "day": day,
                "at_time": at,
                "channel": channel or r.choices(CHANNELS, CHANNEL_WEIGHTS)[0],
                "outcome": r.choices(OUTCOMES, OUTCOME_WEIGHTS)[0] if outcome == "random" else outcome,
                "goal": r.choice(GOALS) if r.random() < 0.1 else None,
                "note": r.choice(NOTES) if r.random() < 0.1 else None,
                "created_at": self._stamp(day, at),
            }
        )
        return tid

    def cancelled_next_touch(self, p: Plan, *, closed_on: date) -> None:
        """The cadence touch the last call scheduled, cancelled when the prospect was decided."""
        step = len(p.days) + 1
        if step <= CADENCE:
            self.followup(
                p.id,
                p.days[-1] + timedelta(days=GAPS[step - 2]),
                "touch",
                "call",
                touch_reason(step, p.referred, False),
                "cancelled",
                cadence_step=step,
                closed_on=closed_on,
                created=p.days[-1],
            )

    def cadence_touches(self, p: Plan, *, last_outcome: str | None = "random") -> None:
        """The touches of the cadence part, each completing the cadence follow-up it was due for."""
        due = p.days[0]
        for i, day in enumerate(p.days, start=1):
            outcome = last_outcome if i == len(p.days) else "random"
            tid = self.touch(p.id, day, outcome=outcome)
            asked = i > CADENCE
            self.followup(
                p.id,
                due,
                "touch",
                "call",
                touch_reason(i, p.referred, asked),
                "done",
                cadence_step=i,
                touch_id=tid,
                closed_on=day,
                created=p.days[i - 2] if i > 1 else p.first_seen,
            )
            if i < len(p.days):
                due = p.days[i] if asked or i >= CADENCE else day + timedelta(days=GAPS[i - 1])
                due = min(due, p.days[i])  # late touches complete on the day they happen

    def contact(self, p: Plan) -> None:
        r = self.rng
        name = self.name()
        self.names[p.id] = name
        status = {"customer": "customer", "repeat": "repeat", "lost": "lost"}.get(p.kind, "prospect")
        self.status[p.id] = status
        created = p.referred_on if p.referred else p.first_seen
        self.rows["contact"].append(
            {
                "id": p.id,
                "name": name,
                "name_key": " ".join(name.split()).casefold(),
                "company": r.choice(self.companies) if r.random() < 0.8 else None,
                "phone": f"+1 555 {r.randrange(10**7):07d}" if r.random() < 0.7 else None,
                "email": f"{name.split()[0].lower()}{p.id}@example.com" if r.random() < 0.6 else None,
                "role": r.choice(("acceptor", "dissatisfied", "power")) if r.random() < 0.3 else None,
                "level": r.choice(("acquaintance", "dating", "partner", "ally")) if r.random() < 0.3 else None,
                "tags": ",".join(r.sample(TAGS, r.choice((0, 0, 0, 1, 1, 2)))),
                "note": r.choice(NOTES) if r.random() < 0.15 else None,
                "status": status,
                "do_not_contact": p.kind == "dnc",
                "lost_on": p.lost_on,
                "lost_reason": r.choice(LOST_REASONS) if p.kind == "lost" else None,
                "created_at": self._stamp(created),
                "owner": self.owner,
            }
        )
        contact = self.rows["contact"][-1]
        for kind in ("phone", "email"):  # the contact's phone and e-mail are its first details
            if contact[kind]:
                key = (
                    "".join(ch for ch in contact[kind] if ch.isdigit()) if kind == "phone" else contact[kind].casefold()
                )
                self.rows["contact_detail"].append(
                    {
                        "contact_id": p.id,
                        "kind": kind,
                        "value": contact[kind],
                        "label": "work" if kind == "email" else None,
                        "position": 0,
                        "search_key": key,
                        "created_at": contact["created_at"],
                    }
                )
        if p.kind == "dnc":
            self.dnc.add(p.id)
        if p.referred:
            self.referral(p)

    def referral(self, p: Plan) -> None:
        r = self.rng
        source = r.choices(SOURCES, SOURCE_WEIGHTS)[0]
        pool = self.customers if source == "customer" else self.lost if source == "declined" else None
        referrer_id: int | None
        if pool:
            referrer_id = pool[r.randrange(len(pool))]
        elif p.id > 1:
            referrer_id = r.randrange(1, p.id)
        else:
            referrer_id = None
        if r.random() < 0.03:
            referrer_id = None  # the referrer was deleted; the name stays
        referrer_name = self.names[referrer_id] if referrer_id else self.name()
        self.rows["referral"].append(
            {
                "id": self._id("referral"),
                "prospect_id": p.id,
                "referrer_id": referrer_id,
                "referrer_name": referrer_name,
                "source": source,
                "referred_on": p.referred_on,
                "note": None,
                "created_at": self._stamp(p.referred_on),
            }
        )
        p.referrer = (referrer_id, referrer_name)
        if referrer_id and referrer_id not in self.dnc:
            done = p.referred_on + timedelta(days=r.randrange(3))
            open_ = done >= TODAY
            self.followup(
                referrer_id,
                p.days[0],
                "coach",
                "call",
                f"ask {referrer_name} to confirm {self.names[p.id]}'s buying capacity and introduce you: "
                f"working contact details, permission to say {referrer_name} sent you, a meal or a visit together",
                "open" if open_ else ("done" if r.random() < 0.8 else "cancelled"),
                about_contact_id=p.id,
                closed_on=None if open_ else done,
                created=p.referred_on,
            )

    def sale(self, p: Plan, day: date, *, first: bool) -> int:
        r = self.rng
        sid = self._id("sale")
        self.rows["sale"].append(
            {
                "id": sid,
                "contact_id": p.id,
                "day": day,
                "product": r.choice(PRODUCTS),
                "amount_cents": r.randrange(50, 5000) * 100 if r.random() < 0.85 else None,
                "created_at": self._stamp(day),
            }
        )
        # 2-4-8: done with a touch on the day when that day has passed, else still open
        for kind, days, action, reason in AFTER_SALE:
            due = day + timedelta(days=days)
            if due < TODAY:
                tid = self.touch(p.id, due, channel=action)
                self.followup(
                    p.id, due, kind, action, reason, "done", sale_id=sid, touch_id=tid, closed_on=due, created=day
                )
            else:
                self.followup(p.id, due, kind, action, reason, "open", sale_id=sid, created=day)
        referrer = p.referrer
        if first and referrer and referrer[0] and referrer[0] not in self.dnc:
            done = day + timedelta(days=r.randrange(3))
            open_ = done >= TODAY
            self.followup(
                referrer[0],
                day,
                "thank_referrer",
                "call",
                f"thank {referrer[1]}: {self.names[p.id]} bought",
                "open" if open_ else "done",
                about_contact_id=p.id,
                sale_id=sid,
                closed_on=None if open_ else done,
                created=day,
            )
        return sid

    def build(self, p: Plan) -> None:
        r = self.rng
        self.contact(p)
        if p.kind in ("prospect", "idle"):
            self.cadence_touches(p)
            if p.kind == "prospect":
                step = len(p.days) + 1
                self.followup(
                    p.id,
                    p.open_due,
                    "touch",
                    "call",
                    touch_reason(step, p.referred, asked=step > CADENCE),
                    "open",
                    cadence_step=step,
                    created=p.days[-1],
                )
        elif p.kind == "dnc":
            self.cadence_touches(p, last_outcome="stop")
        elif p.kind == "lost":
            self.cadence_touches(p)
            self.cancelled_next_touch(p, closed_on=p.lost_on)  # cancelled by `followup lost`
            self.lost.append(p.id)
        else:  # customer, repeat: the sale on the deciding touch
            self.cadence_touches(p, last_outcome="committed")
            self.cancelled_next_touch(p, closed_on=p.sales[0])  # cancelled by the sale
            checkin = None
            for n, day in enumerate(p.sales):
                if n:  # a repeat sale: a touch that day, the earlier check-in superseded
                    self.touch(p.id, day, channel=r.choice(("visit", "meeting", "call")), outcome="committed")
                    fu = self.rows["followup"][checkin]
                    fu["status"], fu["closed_on"] = "cancelled", day
                sid = self.sale(p, day, first=n == 0)
                self.followup(
                    p.id, add_months(day, 12), "checkin", "visit", "yearly check-in", "open", sale_id=sid, created=day
                )
                checkin = len(self.rows["followup"]) - 1
            self.asks(p)
            self.customers.append(p.id)

    def asks(self, p: Plan) -> None:
        r = self.rng
        if r.random() < 0.5:
            return  # never asked
        first = p.sales[0]
        span = (TODAY - first).days
        if span < 1:
            return
        times = r.choices((1, 2, 3, 4), (50, 30, 12, 8))[0]
        for _ in range(times):
            got = r.choices((0, 1, 2, 3, 4), (35, 30, 20, 10, 5))[0]
            self.rows["referral_ask"].append(
                {
                    "id": self._id("referral_ask"),
                    "customer_id": p.id,
                    "day": first + timedelta(days=r.randrange(span)),
                    "got": got,
                    "names": ", ".join(self.name() for _ in range(got)) or None,
                    "created_at": self._stamp(first),
                }
            )


# ---------------------------------------------------------------- plans


def _gaps(rng: random.Random, k: int) -> list[int]:
    """The days between k touches: the cadence's gaps, sometimes a few days late; wider past it."""
    gaps = []
    for i in range(1, k):
        if i <= len(GAPS):
            gaps.append(GAPS[i - 1] + (rng.randrange(1, 4) if rng.random() < 0.3 else 0))
        else:
            gaps.append(rng.randrange(14, 36))
    return gaps


def _days_ending(rng: random.Random, k: int, last: date) -> list[date]:
    """k touch days ending on `last`, dropping early touches that would fall before the window."""
    gaps = _gaps(rng, k)
    while gaps and last - timedelta(days=sum(gaps)) < WINDOW_START:
        gaps.pop()
    days = [last]
    for g in reversed(gaps):
        days.append(days[-1] - timedelta(days=g))
    return days[::-1]


# Touches at the decision: most sales come after the fifth touch, most losses before it.
WON_AFTER = (1, 1, 2, 4, 70, 22)
LOST_AFTER = (24, 14, 12, 10, 32, 8)


def _decision_touches(rng: random.Random, weights: tuple[int, ...]) -> int:
    bucket = rng.choices(("1", "2", "3", "4", "5-11", "12+"), weights)[0]
    if bucket == "5-11":
        return rng.randrange(5, 12)
    if bucket == "12+":
        return rng.randrange(12, 17)
    return int(bucket)


def plan_contact(rng: random.Random) -> Plan:
    x = rng.random()
    if x < 0.20:  # customers, a quarter of them repeat
        repeat = rng.random() < 0.25
        j = _decision_touches(rng, WON_AFTER)
        if repeat:
            first_sale = TODAY - timedelta(days=rng.randrange(120, 500))
            second = first_sale + timedelta(days=rng.randrange(45, 300))
            sales = [first_sale, min(second, TODAY - timedelta(days=1))]
        else:
            sales = [TODAY - timedelta(days=rng.randrange(1, 381))]
        p = Plan("repeat" if repeat else "customer", _days_ending(rng, j, sales[0]), sales=sales)
        referred_share = 0.6
    elif x < 0.35:  # lost: decided after fewer touches, many given up early
        j = _decision_touches(rng, LOST_AFTER)
        last = TODAY - timedelta(days=rng.randrange(8, 540))
        p = Plan("lost", _days_ending(rng, j, last))
        p.lost_on = min(p.days[-1] + timedelta(days=rng.randrange(8)), TODAY - timedelta(days=1))
        referred_share = 0.25
    elif x < 0.37:  # asked to stop
        p = Plan("dnc", _days_ending(rng, rng.randrange(1, 9), TODAY - timedelta(days=rng.randrange(1, 540))))
        referred_share = 0.2
    else:  # active prospects
        referred_share = 0.38
        if rng.random() < 0.04:  # finished the twelve touches, nothing scheduled
            p = Plan("idle", _days_ending(rng, CADENCE, TODAY - timedelta(days=rng.randrange(1, 90))))
        else:
            k = rng.randrange(1, CADENCE) if rng.random() < 0.68 else rng.randrange(CADENCE, 30)
            gap = GAPS[k - 1] if k <= len(GAPS) else rng.randrange(14, 36)
            y = rng.random()
            if y < 0.12:
                offset = -rng.randrange(1, 46)  # overdue
            elif y < 0.18:
                offset = 0  # due today
            else:
                offset = rng.randrange(1, gap + 1)  # coming up: the last touch was at most today
            due = TODAY + timedelta(days=offset)
            p = Plan("prospect", _days_ending(rng, k, due - timedelta(days=gap)), open_due=due)
    p.referred = rng.random() < referred_share
    p.first_seen = p.days[0]
    if p.referred:
        p.referred_on = p.days[0] - timedelta(days=rng.choice((0, 0, 0, 1, 2)))
        p.first_seen = p.referred_on
    elif rng.random() < 0.5:
        p.first_seen = p.days[0] - timedelta(days=rng.randrange(4))
    return p


# ---------------------------------------------------------------- database


def _engine(path: Path):
    from sqlalchemy import event

    from followup.db import make_engine
    from followup.migrations import migrate

    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)

    # a throw-away build: no fsync, a bigger page cache (the schema and data are unaffected)
    @event.listens_for(engine, "connect")
    def _fast(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA synchronous = OFF")
        cur.execute("PRAGMA cache_size = -262144")
        cur.close()

    engine.dispose()
    return engine


def build(size: int, out: Path, *, seed: int = SEED) -> dict[str, int]:
    from followup.models import Contact, ContactDetail, FollowUp, Referral, ReferralAsk, Sale, Touch

    tables = {
        "contact": Contact.__table__,
        "contact_detail": ContactDetail.__table__,
        "touch": Touch.__table__,
        "sale": Sale.__table__,
        "followup": FollowUp.__table__,
        "referral": Referral.__table__,
        "referral_ask": ReferralAsk.__table__,
    }
    order = ("contact", "contact_detail", "touch", "sale", "followup", "referral", "referral_ask")  # parents first
    path = out / f"followup-{size}.db"
    engine = _engine(path)
    rng = random.Random(seed + size)
    plans = [plan_contact(rng) for _ in range(size)]
    plans.sort(key=lambda p: p.first_seen)  # ids in the order people were met
    for n, p in enumerate(plans, start=1):
        p.id = n
    builder = Builder(rng)
    counts = dict.fromkeys(order, 0)
    for start in range(0, size, BLOCK):
        for p in plans[start : start + BLOCK]:
            builder.build(p)
        for name in order:
            rows = builder.rows[name]
            if rows:
                with engine.begin() as conn:
                    conn.execute(tables[name].insert(), rows)
                counts[name] += len(rows)
        builder.reset()
    engine.dispose()
    import sqlite3

    with closing(sqlite3.connect(path)) as db:  # fold the write-ahead log into the file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", type=int, metavar="SIZE", help="number of contacts, e.g. 1000 10000")
    parser.add_argument("--out", type=Path, default=HERE / "data", help="folder for followup-SIZE.db (bench/data)")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (fixed by default)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        started = time.perf_counter()
        counts = build(size, args.out, seed=args.seed)
        took = time.perf_counter() - started
        path = args.out / f"followup-{size}.db"
        per = counts["touch"] / max(size, 1)
        print(
            f"{size:>7} contacts: {took:6.1f} s  {path} ({path.stat().st_size / 2**20:.0f} MiB; "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            + f"; {per:.1f} touches a contact)",
            flush=True,
        )


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
