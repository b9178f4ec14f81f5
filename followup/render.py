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
    from .reports import ContactDetail, ContactRow, DueItem, DueReport


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False)


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
        rows.append((str(i.id), i.contact, i.company or "", do, i.reason, str(i.touches), i.referrer or "", when))
    if any(i.phone for i in items):  # the contact's first phone, after the company, where the screen has room
        spec.insert(3, ("phone", {"max_width": 20, "overflow": "fold"}, PHONE_COLUMN_FROM))
        rows = [(*row[:3], i.phone or "", *row[3:]) for row, i in zip(rows, items, strict=True)]
    return _fitted(title, spec, rows, width=width)


def render_due(report: DueReport) -> None:
    out = stdout()
    if report.due:
        out.print(_due_table(f"Due {report.date}", report.due, overdue_column=True, width=out.width))
    else:
        say(out, f"Nothing due on {report.date}.", style="green")
    if report.upcoming:
        out.print(
            _due_table(
                f"Coming up, next {_plural(report.days, 'day')}", report.upcoming, overdue_column=False, width=out.width
            )
        )
    if report.no_next_step:
        table = _table("No next step")
        table.add_column("#", justify="right", style="dim")
        table.add_column("contact")
        table.add_column("status")
        table.add_column("touches", justify="right")
        for n in report.no_next_step:
            table.add_row(str(n.contact_id), printable(n.contact), n.status, str(n.touches))
        out.print(table)
    today = len(report.due) - report.overdue
    parts = [f"{report.overdue} overdue", f"{today} due today"]
    if report.days:
        parts.append(f"{len(report.upcoming)} coming up")
    parts.append(f"{len(report.no_next_step)} with no next step")
    say(out, ", ".join(parts) + ".", style="dim")
    for nudge in report.nudges:
        say(out, nudge, style="yellow")


# ---------------------------------------------------------------- list


def render_list(rows: list[ContactRow], *, owners: bool = False) -> None:
    """The contact table; `owners` adds whose contact each is (`list --team`)."""
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
    say(out, _plural(len(rows), "contact") + ".", style="dim")


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
    ]
    if detail.referral_chain:
        chain = " <- ".join(
            [c["name"]] + [f"{step['name']} ({step['source']}, {step['date']})" for step in detail.referral_chain]
        )
        facts.append(("referral chain", chain))
    for label, value in facts:
        if value:
            say(out, f"  {label}: {value}")
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
