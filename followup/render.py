"""All terminal output: Rich tables for people, JSON for programs.

Data goes to stdout; notes, warnings and errors go to stderr. Rich honours NO_COLOR and
drops colour when output is not a terminal; it measures CJK text by display cells, so
Chinese names line up in tables.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from .accounts import Account
    from .contact_list import ContactRow
    from .due import DueItem, DueReport
    from .reports import ContactDetail


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=False, markup=False)  # data is never read as markup


def stderr() -> Console:
    return Console(stderr=True, highlight=False, markup=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# C0 and C1 control characters (ESC among them): a name holding them must not steer the terminal
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))}


def printable(text: str) -> str:
    """`text` as it may reach a terminal: control characters shown as `\\x1b`, not obeyed."""
    return text.translate(_CONTROLS)


def say(console: Console, text: str, *, style: str | None = None) -> None:
    """One line of output: never wrapped, never read as markup, no control characters."""
    console.print(Text(printable(text), style=style or ""), soft_wrap=True)


def warn(text: str) -> None:
    say(stderr(), text, style="yellow")


def _table(title: str | None = None, **kw) -> Table:
    return Table(title=title, title_justify="left", title_style="bold", header_style="bold", **kw)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# ---------------------------------------------------------------- due


# A column: header, Rich options, and the narrowest screen that still shows it. On a narrow
# terminal the least useful columns go first, so the rest stay whole instead of crushed.
Spec = tuple[str, dict, int]


def _fitted(title: str | None, spec: list[Spec], rows: list[tuple], *, width: int) -> Table:
    keep = [i for i, (_, _, narrowest) in enumerate(spec) if width >= narrowest]
    table = _table(title)
    for i in keep:
        table.add_column(spec[i][0], **spec[i][1])
    for row in rows:
        table.add_row(*(printable(row[i]) if isinstance(row[i], str) else row[i] for i in keep))
    return table


PHONE_COLUMN_FROM = 130  # the narrowest screen on which `due` shows each contact's first phone


def _due_table(title: str, items: list[DueItem], *, overdue_column: bool, width: int) -> Table:
    spec: list[Spec] = [
        ("#", {"justify": "right", "style": "dim", "no_wrap": True}, 0),
        ("contact", {"max_width": 20}, 0),
        ("company", {"max_width": 16, "overflow": "ellipsis", "no_wrap": True}, 100),
        ("do", {"no_wrap": True}, 0),  # `15:00 call` when set for a time of day
        ("why", {"ratio": 1}, 0),  # no min_width: Rich would re-widen it past the screen and crop "late"
        ("touches", {"justify": "right", "no_wrap": True}, 72),
        ("mention", {"max_width": 14, "overflow": "ellipsis", "no_wrap": True}, 90),
        ("late" if overdue_column else "due", {"justify": "right", "no_wrap": True}, 0),
    ]
    rows = []
    for i in items:
        if overdue_column:
            when = Text(f"{i.overdue_days}d", style="red") if i.overdue_days else Text("today", style="green")
        else:
            when = Text(i.due)
        do = f"{i.time} {i.action}" if i.time else i.action
        rows.append((str(i.id), i.contact, i.company or "", do, _why(i), str(i.touches), i.referrer or "", when))
    if any(i.phone for i in items):  # the contact's first phone, after the company, where the screen has room
        spec.insert(3, ("phone", {"max_width": 20, "overflow": "fold"}, PHONE_COLUMN_FROM))
        rows = [(*row[:3], i.phone or "", *row[3:]) for row, i in zip(rows, items, strict=True)]
    return _fitted(title, spec, rows, width=width)


def _more(out: Console, shown: int, total: int) -> None:
    """Under a capped table: how many rows it left out."""
    if total > shown:
        say(out, f"{total - shown} more, use --all", style="dim")


def render_due(report: DueReport) -> None:
    out = stdout()
    if report.due:
        out.print(_due_table(f"Due {report.date}", report.due, overdue_column=True, width=out.width))
        _more(out, len(report.due), report.count("due"))
    else:
        say(out, f"Nothing due on {report.date}.", style="green")
    if report.upcoming:
        out.print(
            _due_table(
                f"Coming up, next {_plural(report.days, 'day')}", report.upcoming, overdue_column=False, width=out.width
            )
        )
        _more(out, len(report.upcoming), report.count("upcoming"))
    if report.no_next_step:
        table = _table("No next step")
        table.add_column("#", justify="right", style="dim")
        table.add_column("contact")
        table.add_column("status")
        table.add_column("touches", justify="right")
        hints = any(n.hint for n in report.no_next_step)  # "consider letting go"
        if hints:
            table.add_column("hint")
        for n in report.no_next_step:
            hint = [_hint_text(n.hint)] if hints else []
            table.add_row(str(n.contact_id), printable(n.contact), n.status, str(n.touches), *hint)
        out.print(table)
        _more(out, len(report.no_next_step), report.count("no_next_step"))
    today = report.count("due") - report.overdue
    parts = [f"{report.overdue} overdue", f"{today} due today"]
    if report.days:
        parts.append(f"{report.count('upcoming')} coming up")
    parts.append(f"{report.count('no_next_step')} with no next step")
    say(out, ", ".join(parts) + ".", style="dim")
    for nudge in report.nudges:
        say(out, nudge, style="yellow")


# ---------------------------------------------------------------- list


def render_list(rows: list[ContactRow], *, owners: bool = False, total: int | None = None) -> None:
    """The contact table; `owners` adds whose contact each is (`list --team`); `total`: how many
    match in all, when `rows` are only the first of them (the row cap)."""
    out = stdout()
    if not rows:
        say(out, "No contacts match.")
        return
    spec: list[Spec] = [
        ("#", {"justify": "right", "style": "dim", "no_wrap": True}, 0),
        ("name", {"max_width": 24}, 0),
        ("company", {"max_width": 16, "overflow": "ellipsis", "no_wrap": True}, 80),
        ("status", {"no_wrap": True}, 0),
        ("touches", {"justify": "right", "no_wrap": True}, 0),
        ("last touch", {"no_wrap": True}, 110),
        ("next", {"no_wrap": True}, 0),
        ("referrer", {"max_width": 14, "overflow": "ellipsis", "no_wrap": True}, 90),
    ]
    cells = [
        (
            str(r.id),
            r.name,
            r.company or "",
            Text("stopped", style="red") if r.do_not_contact else Text(r.status),
            str(r.touches),
            r.last_touch or "",
            r.next_due or "",
            r.referrer or "",
        )
        for r in rows
    ]
    if owners:
        spec.append(("owner", {"max_width": 14, "overflow": "ellipsis", "no_wrap": True}, 0))
        cells = [(*row, r.owner) for row, r in zip(cells, rows, strict=True)]
    table = _fitted(None, spec, cells, width=out.width)
    out.print(table)
    total = len(rows) if total is None else total
    _more(out, len(rows), total)
    say(out, _plural(total, "contact") + ".", style="dim")


# ---------------------------------------------------------------- show


def _details(contact: dict) -> list[tuple[str, dict]]:
    """Every phone and e-mail of a `show` contact, as `("phone", {"value", "label"})`."""
    return [("phone", d) for d in contact["phones"]] + [("e-mail", d) for d in contact["emails"]]


def render_show(detail: ContactDetail) -> None:
    out = stdout()
    c = detail.contact
    head = Text(printable(f"#{c['id']} {c['name']}"), style="bold")
    if c["company"]:
        head.append(printable(f", {c['company']}"))
    head.append(f"  {c['status']}", style="cyan")
    if c["do_not_contact"]:
        head.append("  do not contact", style="bold red")
    out.print(head, soft_wrap=True)
    facts = [
        *((word, d["value"] + (f" ({d['label']})" if d["label"] else "")) for word, d in _details(c)),
        ("role", c["role"]),
        ("level", c["level"]),
        ("tags", ", ".join(c["tags"])),
        ("note", c["note"]),
        ("touches", str(len(detail.touches))),
        ("added", c["added"]),
        ("birthday", _birthday(c.get("birthday"))),
        ("news", "agreed to hear of changes (followup announce)" if c.get("wants_news") else None),
    ]
    if detail.referral_chain:
        chain = " <- ".join(
            [c["name"]]
            + [
                f"{step['name']} ({step['source']}"
                + (f", partner {step['partner']}" if step.get("partner") else "")
                + f", {step['date']})"
                for step in detail.referral_chain
            ]
        )
        facts.append(("referral chain", chain))
    for label, value in facts:
        if value:
            say(out, f"  {label}: {value}")
    _relationship(out, detail)
    _after_sale(out, detail)
    if detail.referred:
        table = _table(printable(f"People {c['name']} referred ({c['name']} is their sales coach)"))
        for col in ("#", "name", "source", "referred", "how it ended"):
            table.add_column(col)
        for r in detail.referred:
            ended = {"customer": "bought", "repeat": "bought again", "lost": "lost"}.get(
                r["status"], "still a prospect"
            )
            if r["first_sale"]:
                ended += f" ({r['first_sale']})"
            table.add_row(str(r["id"]), printable(r["name"]), r["source"], r["date"], printable(ended))
        out.print(table)
    table = _table("Timeline")
    table.add_column("date", no_wrap=True)
    table.add_column("what")
    for event in detail.timeline:
        table.add_row(event["date"], printable(event["what"]))
    out.print(table)


# ---------------------------------------------------------------- levels, goals and purposes (show)


def _level_name(level: str | None) -> str:
    return level or "(none)"


def _relationship(out: Console, detail: ContactDetail) -> None:
    """Under a contact's facts: how the relationship level changed, the purposes of the touches
    (plainly said when every one was a sales pitch), and the commitment goals with their results."""
    if detail.levels:
        say(out, "  level story:")
        for change in detail.levels:
            step = _level_name(change["level"])
            if change["previous"] is not None or change["level"] is None:
                step = f"{_level_name(change['previous'])} -> {step}"
            say(out, f"    {change['date']} {step}")
    counts = detail.purposes.get("counts", {})
    if any(counts.values()):
        say(out, "  purposes: " + ", ".join(f"{p} {n}" for p, n in counts.items() if n))
        if detail.purposes.get("only_deal"):
            say(
                out,
                f"  {detail.contact['name']} only ever hears sales pitches: every touch with a purpose was deal. "
                "Call to care, inform or help (--purpose care/info/service).",
                style="yellow",
            )
    if detail.goals:
        table = _table("Commitment goals")
        table.add_column("date", no_wrap=True)
        table.add_column("goal")
        table.add_column("result")
        for g in detail.goals:
            result = Text("achieved", style="green") if g["achieved"] else Text(g["outcome"] or "no outcome logged")
            table.add_row(g["date"], printable(g["goal"]), result)
        out.print(table)


# ---------------------------------------------------------------- complaints and after-sale phases (show)

PHASE_WORDS = {
    "new_toy": "new toy (weeks 1-3 after their complex purchase)",
    "learning": "learning (weeks 3-6: motivation drops, offer help)",
    "effectiveness": "effectiveness (after week 6)",
}


def _after_sale(out: Console, detail: ContactDetail) -> None:
    """The phase of the latest complex sale, and the complaints with whether each loop is closed."""
    from .complaints import complaint_state

    if detail.phase:
        say(out, f"  after-sale phase: {PHASE_WORDS.get(detail.phase, detail.phase)}")
    if not detail.complaints:
        return
    table = _table("Complaints (product problems go back to the company)")
    for col in ("#", "date", "kind", "class", "note", "status"):
        table.add_column(col)
    for c in detail.complaints:
        table.add_row(
            str(c["id"]), c["date"], c["kind"], c["class"], printable(c["note"] or ""), printable(complaint_state(c))
        )
    out.print(table)


# ---------------------------------------------------------------- accounts


def _warning_lines(out: Console, account: Account) -> None:
    for w in account.warnings:
        say(out, f"Warning: {w.text}.", style="yellow")


def render_account(account: Account) -> None:
    """One company: its people with role, level, status, touches, last touch and next follow-up."""
    out = stdout()
    spec: list[Spec] = [
        ("#", {"justify": "right", "style": "dim", "no_wrap": True}, 0),
        ("name", {"min_width": 8, "max_width": 24}, 0),
        ("role", {"max_width": 12}, 0),
        ("level", {"max_width": 12}, 0),
        ("status", {"no_wrap": True}, 0),
        ("touches", {"justify": "right", "no_wrap": True}, 72),
        ("last touch", {"no_wrap": True}, 100),  # on a narrow screen the next follow-up matters more
        ("next", {"no_wrap": True}, 0),
    ]
    rows = [
        (
            str(c.id),
            c.name,
            c.role or "",
            c.level or "",
            Text(c.status, style="dim" if c.status == "lost" else ""),
            str(c.touches),
            c.last_touch or "",
            c.next_due or "",
        )
        for c in account.contacts
    ]
    out.print(_fitted(printable(account.company), spec, rows, width=out.width))
    people = len(account.active)
    lost = len(account.contacts) - people
    say(
        out,
        f"{people} {'person' if people == 1 else 'people'}" + (f" (and {lost} lost)" if lost else "") + ".",
        style="dim",
    )
    _warning_lines(out, account)


def render_accounts(accounts: list[Account]) -> None:
    """One row per company: its people, whether a power contact is known, the last touch and the warnings."""
    out = stdout()
    if not accounts:
        say(out, "No accounts yet: give contacts a company (followup edit CONTACT --company NAME).")
        return
    spec: list[Spec] = [
        ("company", {"min_width": 8, "max_width": 28}, 0),
        ("people", {"justify": "right", "no_wrap": True}, 0),
        ("power", {"no_wrap": True}, 0),
        ("last touch", {"no_wrap": True}, 72),
        ("warnings", {"ratio": 1, "min_width": 12}, 0),
    ]
    short = {"single_contact": "hangs on one person", "no_power": "no power contact"}
    rows = []
    for a in accounts:
        lost = len(a.contacts) - len(a.active)
        rows.append(
            (
                a.company,
                str(len(a.active)) + (f" (+{lost} lost)" if lost else ""),
                Text("yes", style="green") if a.has_power else Text("no", style="yellow"),
                a.last_touch or "",
                Text("; ".join(short.get(w.code, w.code) for w in a.warnings), style="yellow"),
            )
        )
    out.print(_fitted(None, spec, rows, width=out.width))
    weak = sum(1 for a in accounts if a.warnings)
    say(
        out,
        f"{_plural(len(accounts), 'account')}, {weak} with a warning. Details: followup account COMPANY",
        style="dim",
    )


# ---------------------------------------------------------------- not pushy: due's hints, birthdays (show)


def _hint_text(hint: str | None) -> Text:
    from .due import HINT_TEXT

    return Text(HINT_TEXT.get(hint, hint or ""), style="yellow")


def _why(item: DueItem) -> Text:
    """The why column of `due`: the reason, marked "asked for" on a date the contact asked for,
    and "vary the time" when their last three touches fell on one weekday and hour band."""
    why = Text(printable(item.reason))
    if item.asked_for and "asked for" not in item.reason:
        why.append(" · asked for", style="cyan")
    if item.hint:
        why.append(" · ").append(_hint_text(item.hint))
    return why


def _birthday(birthday: str | None) -> str | None:
    """`Dec 3` for "12-03"."""
    if not birthday:
        return None
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{months[int(birthday[:2]) - 1]} {int(birthday[3:])}"
