"""Draw `followup stats`: one Rich panel per topic, your figure beside the field's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.bar import Bar
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .render import printable, say, stdout

if TYPE_CHECKING:
    from .stats import Stats

BAR_WIDTH = 16
FEW = Text("too few to judge", style="dim italic")


def pct(value: float | None) -> str:
    """0.8 -> '80%'; None -> '-'."""
    return "-" if value is None else f"{round(value * 100)}%"


def _bar(fraction: float | None, *, colour: str) -> Bar | Text:
    if fraction is None:
        return Text("")
    return Bar(size=1.0, begin=0.0, end=max(0.0, min(fraction, 1.0)), width=BAR_WIDTH, color=colour)


def _table(*headers: str) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    for header in headers:
        justify = "left" if header in ("", "touches", "source", "week of", "asked") else "right"
        table.add_column(header, justify=justify, no_wrap=True)
    return table


def _rate_cell(row: dict) -> Text:
    text = Text(pct(row["rate"]))
    if row.get("small_sample") and row["decided"]:
        text.append(" *", style="dim")
    return text


def _persistence(d: dict) -> Panel:
    table = _table("touches", "decided", "won", "you", "", "field", "")
    for row in d["by_touches"]:
        table.add_row(
            row["bucket"],
            str(row["decided"]),
            str(row["won"]),
            _rate_cell(row),
            _bar(row["rate"], colour="green"),
            pct(row["benchmark"]),
            _bar(row["benchmark"], colour="grey50"),
        )
    avg = d["avg_touches_to_win"]
    average = Text(
        f"Average touches before a win: {avg:g}" if avg is not None else "Average touches before a win: -"
    ).append(f"   (field: about {d['avg_touches_to_win_benchmark']})", style="dim")
    return Panel(Group(table, average), title="Persistence: close rate by touches", title_align="left")


def _giving_up(d: dict) -> Panel:
    lost = d["lost_by_touches"]
    top = max([1, *(r["lost"] for r in lost)])
    table = _table("touches", "lost", "")
    for row in lost:
        colour = "red" if row["bucket"] in ("1", "2", "3") else "grey50"
        table.add_row(
            row["bucket"], str(row["lost"]), Bar(size=top, begin=0, end=row["lost"], width=BAR_WIDTH, color=colour)
        )
    total = sum(r["lost"] for r in lost)
    note = Text(f"Dropped at 3 touches or fewer: {d['gave_up_at_3_or_fewer']} of {total} lost").append(
        "   (most salespeople stop after 3; 5 to 11 touches close about 80%)", style="dim"
    )
    return Panel(Group(table, note), title="Giving up: lost prospects by touches", title_align="left")


def _referrals(d: dict) -> Panel:
    table = _table("", "decided", "won", "you", "", "field")
    for label, row, bench in (
        ("referred", d["referred"], d["referred"]["benchmark"]),
        ("not referred", d["not_referred"], None),
    ):
        table.add_row(
            label, str(row["decided"]), str(row["won"]), _rate_cell(row), _bar(row["rate"], colour="green"), pct(bench)
        )
    repeat = Text(f"Referred customers who bought again: {pct(d['referred_repeat_rate'])}").append(
        f"   (field: {pct(d['referred_repeat_benchmark'])})", style="dim"
    )
    return Panel(Group(table, repeat), title="Referrals", title_align="left")


def _sources(d: dict) -> Panel:
    if not d["sources"]:
        return Panel(Text("No referrals yet.", style="dim"), title="Sources", title_align="left")
    table = _table("source", "referrals", "decided", "won", "you", "", "expected rank")
    for row in d["sources"]:
        table.add_row(
            row["source"],
            str(row["referrals"]),
            str(row["decided"]),
            str(row["won"]),
            _rate_cell(row),
            _bar(row["rate"], colour="cyan"),
            str(row["expected_rank"]),
        )
    note = Text("Expected order: vendor > customer > declined > exchange > network", style="dim")
    return Panel(Group(table, note), title="Sources, best first", title_align="left")


def _asking(d: dict) -> Panel:
    never = d["never_asked"]
    head = Text(
        f"Customers never asked for a referral: {never['count']} of {never['customers']} ({pct(never['share'])})"
    ).append(f"   (field: {pct(never['benchmark'])} of salespeople never ask)", style="dim")
    table = _table("asked", "customers", "names each", "field")
    for row in d["asks"]:
        avg = "-" if row["avg_names"] is None else f"{row['avg_names']:.2f}"
        table.add_row(f"{row['times_asked']} time(s)", str(row["customers"]), avg, f"{row['benchmark']:.2f}")
    return Panel(Group(head, table), title="Asking for referrals", title_align="left")


def _weekly(d: dict) -> Panel:
    target = d["weekly_target"]
    top = max([target, 1, *(w["count"] for w in d["weekly_referrals"])])
    table = _table("week of", "referrals", "")
    for week in d["weekly_referrals"]:
        colour = "green" if target and week["count"] >= target else "yellow"
        table.add_row(
            week["week_start"],
            str(week["count"]),
            Bar(size=top, begin=0, end=week["count"], width=BAR_WIDTH, color=colour),
        )
    met = sum(1 for w in d["weekly_referrals"] if target and w["count"] >= target)
    note = Text(f"Target: {target} a week; met in {met} of {len(d['weekly_referrals'])} weeks", style="dim")
    return Panel(Group(table, note), title="Weekly referral habit", title_align="left")


def _money(d: dict) -> Panel:
    rev = d["revenue"]
    table = _table("", "revenue")
    table.add_row("referred", f"{rev['referred']:,.2f}")
    table.add_row("not referred", f"{rev['not_referred']:,.2f}")
    for source, amount in rev["by_source"].items():
        table.add_row(Text(f"  from {source}", style="dim"), f"{amount:,.2f}")
    return Panel(table, title="Money won", title_align="left")


def _team(d: dict) -> Panel:
    table = _table("", "prospects", "decided", "won", "close rate", "referrals", "asks", "touches to win")
    for row in d["salespeople"]:
        avg = row["avg_touches_to_win"]
        table.add_row(
            printable(row["name"]),
            str(row["prospects"]),
            str(row["decided"]),
            str(row["won"]),
            _rate_cell(row),
            str(row["referrals"]),
            str(row["asks"]),
            "-" if avg is None else f"{avg:g}",
        )
    note = Text(
        f"Field: 5 to 11 touches close about 80%, referred prospects about {pct(d['referred']['benchmark'])}, "
        f"and a win takes about {d['avg_touches_to_win_benchmark']} touches",
        style="dim",
    )
    return Panel(Group(table, note), title="Per salesperson", title_align="left")


# ---------------------------------------------------------------- lead exchange


def _exchange(d: dict) -> Panel:
    """The give/receive ledger per partner, one-sided exchanges flagged."""
    table = _table("partner", "received", "won", "revenue", "given", "they won", "their revenue", "")
    table.columns[0].justify = "left"
    for row in d["exchange"]:
        flag = Text("")
        if row["one_sided"]:
            flag = Text("one-sided: " + ("you give more" if row["gives_more"] == "you" else "they give more"))
            flag.stylize("yellow")
        table.add_row(
            Text(printable(row["partner"])),
            str(row["received"]),
            str(row["received_won"]),
            f"{row['received_revenue']:,.2f}",
            str(row["given"]),
            str(row["given_won"]),
            f"{row['given_revenue']:,.2f}",
            flag,
        )
    note = Text(
        "Received: exchange referrals and what you won from them; given: leads you handed over (followup gave-lead) "
        "and what the partner won (followup lead-won). One-sided: one side gives at least twice as many, "
        "over 3 leads or more.",
        style="dim",
    )
    return Panel(Group(table, note), title="Lead exchange, per partner", title_align="left")


EMPTY = """Nothing to review yet{since}.

followup stats compares your own results with the field's figures once you have some:
  - close rate by number of touches (1 touch closes about 2%, 5 to 11 about 80%),
  - referred versus not referred prospects (referred close about 54%),
  - which referral sources work best for you, and how asking for referrals pays off,
  - your weekly referral habit (target: one new referral a week) and the money won.

Log touches with followup touch, and close prospects with followup sold or followup lost;
the figures appear as soon as the first prospect is decided."""


def render_stats(stats: Stats) -> None:
    out = stdout()
    d = stats.data
    if stats.empty:
        for line in EMPTY.format(
            since=f" for prospects first seen since {d['since']}" if d["since"] else ""
        ).splitlines():
            say(out, line)  # line by line: `say` shows a control character, a newline too, as \x0a
        if d.get("exchange"):  # leads given before any prospect of your own
            out.print(_exchange(d))
        return
    scope = f"As of {d['date']}" + (f", prospects first seen since {d['since']}" if d["since"] else "")
    if d.get("salesperson"):
        scope += f", {d['salesperson']}'s contacts"
    elif d.get("salespeople") is not None:
        scope += ", the whole team"
    say(out, f"{scope}: {d['prospects']} prospects, {d['decided']} decided, {d['won']} won.", style="bold")
    panels = [_persistence(d), _giving_up(d), _referrals(d), _sources(d), _asking(d), _weekly(d), _money(d)]
    if d.get("salespeople") is not None:
        panels.insert(0, _team(d))
    if d.get("exchange"):
        panels.append(_exchange(d))
    panels += _goals_and_purposes(d)
    panels += _after_sale(d)
    for panel in panels:
        out.print(panel)
    say(out, "* fewer than 5 decided: too few to judge", style="dim")


# ---------------------------------------------------------------- levels, goals and purposes

ONLY_DEAL_SHOWN = 5  # names listed of the customers who only ever hear sales pitches


def _goals_and_purposes(d: dict) -> list[Panel]:
    """The commitment-goal panel, and the purposes panel once a touch has a purpose."""
    panels = []
    goals = d.get("goals")
    if goals:
        table = _table("", "touches", "of", "share", "")
        table.add_row(
            "with a goal",
            str(goals["with_goal"]),
            str(goals["touches"]),
            pct(goals["share"]),
            _bar(goals["share"], colour="cyan"),
        )
        table.add_row(
            "goal achieved",
            str(goals["achieved"]),
            str(goals["with_goal"]),
            pct(goals["achieved_share"]),
            _bar(goals["achieved_share"], colour="green"),
        )
        note = Text(
            "Field: every call should aim for a commitment (meet the decision maker, a trial, a site visit, "
            "a proposal, more people to meet): touch --goal TEXT; --outcome committed marks it achieved",
            style="dim",
        )
        panels.append(Panel(Group(table, note), title="Commitment goals", title_align="left"))
    purposes = d.get("purposes")
    if purposes and any(purposes["counts"].values()):
        counts = purposes["counts"]
        top = max(counts.values())
        table = _table("purpose", "touches", "")
        table.columns[0].justify = "left"
        for purpose, n in counts.items():
            colour = "yellow" if purpose == "deal" else "cyan"
            table.add_row(purpose, str(n), Bar(size=top, begin=0, end=n, width=BAR_WIDTH, color=colour))
        parts: list = [table]
        only = purposes["only_deal"]
        if only:
            names = ", ".join(printable(f"{c['name']} ({c['touches']})") for c in only[:ONLY_DEAL_SHOWN])
            if len(only) > ONLY_DEAL_SHOWN:
                names += f" and {len(only) - ONLY_DEAL_SHOWN} more"
            parts.append(
                Text(f"Customers who only ever hear sales pitches (every touch with a purpose was deal): {names}")
            )
        parts.append(
            Text(
                "Field: customer contact serves five purposes: care, information, deal, service, intelligence",
                style="dim",
            )
        )
        panels.append(Panel(Group(*parts), title="Purposes of touches", title_align="left"))
    return panels


# ---------------------------------------------------------------- complaints and revenue from existing customers


def _after_sale(d: dict) -> list[Panel]:
    """Revenue from existing customers beside the field note; complaints by class, when any."""
    panels = []
    rev = d.get("revenue_existing")
    if rev is not None:
        table = _table("", "revenue", "sales")
        table.add_row("first sales", f"{rev['first_sales']:,.2f}", str(rev["first_sale_count"]))
        table.add_row("existing customers", f"{rev['repeat_sales']:,.2f}", str(rev["repeat_sale_count"]))
        share = Text(f"Share from existing customers: {pct(rev['share_existing'])}")
        bench = rev["benchmark"]
        note = Text(
            f"Field: selling succeeds about {pct(bench['prospects'])} of the time with prospects, "
            f"{pct(bench['new_customers'])} with new customers and {pct(bench['repeat_customers'])} with "
            "repeat customers: keep visiting the ones you have.",
            style="dim",
        )
        panels.append(Panel(Group(table, share, note), title="Revenue from existing customers", title_align="left"))
    complaints = d.get("complaints")
    if complaints and complaints["total"]:
        table = _table("", "complaints")
        for klass in ("product", "service"):
            table.add_row(klass, str(complaints[klass]))
        for kind, n in complaints["by_kind"].items():
            if n:
                table.add_row(Text(f"  {kind}", style="dim"), str(n))
        still = Text(f"Open: {complaints['open']} of {complaints['total']}")
        note = Text(
            "Product problems (missing function, too complex, packaging, inconvenient) go back to the company; "
            "service problems (punctuality, attitude, skill) are yours to fix.",
            style="dim",
        )
        panels.append(Panel(Group(table, still, note), title="Complaints", title_align="left"))
    return panels
