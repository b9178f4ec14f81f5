"""A month in the life of a salesperson, played through the real `followup` command.

    python examples/month.py              # under a minute; prints a shell transcript
    python examples/month.py --keep DIR   # keep the database in DIR to explore it afterwards:
                                          # FOLLOWUP_DB=DIR/followup.db followup show 'Sue Chen'

Every step runs `followup` as a separate process on a throwaway database, with the clock
set to the simulated day (FOLLOWUP_TODAY), from Monday 2 November 2026 to Monday 30
November. Your own database and settings are never touched. The month has referrals from
each kind of source, touches of several kinds, a date the prospect asked for, a sale with
its 2-4-8 follow-ups and the thank-you to the referrer, a repeat sale, a loss and a request
to stop calling. Follow-up ids are read from `followup due --json`, as a script of your own
would do.

Standard library only, besides the installed `followup` package.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path

WIDTH = max(80, min(shutil.get_terminal_size((100, 24)).columns, 120))


class CommandFailed(Exception):
    pass


def cells(text: str) -> int:
    """Terminal columns `text` takes: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, *, first: str, rest: str) -> str:
    """`text` wrapped by words to WIDTH terminal columns (textwrap counts a Chinese character as one)."""
    lines, line = [], first
    for word in text.split():
        if line not in (first, rest) and cells(line) + 1 + cells(word) > WIDTH:
            lines.append(line)
            line = rest
        line = line + word if line in (first, rest) else f"{line} {word}"
    return "\n".join([*lines, line])


class Month:
    """Runs `followup` on one database, one simulated day at a time, and narrates it."""

    def __init__(self, folder: Path) -> None:
        self.db = folder / "followup.db"
        self.env = dict(os.environ)
        self.env.pop("FORCE_COLOR", None)
        self.env.update(
            FOLLOWUP_DB=str(self.db),
            # a file that does not exist: the default cadences, whatever the reader's settings say
            FOLLOWUP_CONFIG=str(folder / "no-settings.toml"),
            NO_COLOR="1",
            COLUMNS=str(WIDTH),
            PYTHONIOENCODING="utf-8",
            FOLLOWUP_TODAY="2026-11-02",
        )
        self.commands = 0

    def day(self, when: date, story: str) -> None:
        self.env["FOLLOWUP_TODAY"] = when.isoformat()
        print()
        print(wrap(f"{when:%a} {when.day} {when:%b}: {story}", first="=== ", rest="    "))

    def say(self, text: str) -> None:
        print(wrap(text, first="# ", rest="# "))

    def _run(self, args: tuple[str, ...]) -> subprocess.CompletedProcess:
        self.commands += 1
        done = subprocess.run(
            [sys.executable, "-m", "followup", *args],
            env=self.env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
        if done.returncode != 0:
            sys.stdout.write(done.stdout)
            sys.stdout.flush()
            sys.stderr.write(done.stderr)
            raise CommandFailed(
                f"`followup {shlex.join(args)}` failed with exit code {done.returncode} "
                f"(FOLLOWUP_TODAY={self.env['FOLLOWUP_TODAY']}, FOLLOWUP_DB={self.db})"
            )
        return done

    def run(self, *args: str) -> str:
        """Run one command, print it like a shell transcript with its output, return stdout."""
        print(f"$ followup {shlex.join(args)}")
        done = self._run(args)
        sys.stdout.write(done.stdout)
        sys.stdout.write(done.stderr)  # notes and warnings; the command succeeded
        sys.stdout.flush()
        return done.stdout

    def followup_id(self, contact: str, kind: str, *, days: int = 0) -> str:
        """The id of `contact`'s open follow-up of `kind`, due by today (or `days` later), from `due --json`."""
        args = ("due", "--json", "--days", str(days)) if days else ("due", "--json")
        done = self._run(args)
        report = json.loads(done.stdout)
        items = report["due"] + report["upcoming"]
        found = [i for i in items if i["contact"] == contact and i["kind"] == kind]
        if not found:
            listed = ", ".join(f"#{i['id']} {i['contact']} {i['kind']}" for i in items) or "nothing"
            raise CommandFailed(f"`followup {shlex.join(args)}` lists no {kind} follow-up for {contact} ({listed})")
        item = found[0]
        print(f"$ followup {shlex.join(args)}   # -> #{item['id']}: {item['contact']}, {item['reason']}")
        return str(item["id"])


def play(m: Month) -> None:
    m.day(
        date(2026, 11, 2),
        "Bob Li of Li Hardware, a happy customer since spring, refers Sue Chen of Acme Tools. "
        "王强, the distributor your company pays in the south, refers 陈素 of 华光贸易.",
    )
    m.run("add", "Bob Li", "--company", "Li Hardware", "--level", "partner", "--note", "bought 12 units in April")
    m.run("edit", "Bob Li", "--status", "customer")
    m.run("add-referral", "Sue Chen", "--from", "Bob Li", "--source", "customer", "--company", "Acme Tools")
    m.run("add-referral", "陈素", "--from", "王强", "--source", "vendor", "--company", "华光贸易")
    m.run("due")
    m.say("Bob calls Sue to say you will ring; you tick his coach task off by its id.")
    m.run("done", m.followup_id("Bob Li", "coach"))
    m.say("Sue asks you to come by on Thursday: the date she asked for wins over the cadence.")
    m.run("touch", "Sue", "--outcome", "meeting-set", "--goal", "visit her workshop", "--next", "thu")
    m.say("Lunch with 王强, who vouches for 陈素's budget. He is a partner, not a buyer: no next step for him.")
    m.run(
        "touch", "王强", "--via", "meal", "--outcome", "committed", "--goal", "introduce me to 陈素", "--next", "none"
    )

    m.day(
        date(2026, 11, 3),
        "陈素 wants a call after her budget meeting on 16 Nov. Tom Wu, met at a fair, is a cold prospect.",
    )
    m.run("touch", "陈素", "--outcome", "reached", "--goal", "a site visit", "--note", "mentioned 王强")
    m.run("schedule", "陈素", "Nov 16", "--what", "call after their budget meeting")
    m.run("add", "Tom Wu", "--company", "Wu Logistics", "--role", "power", "--first", "today")
    m.run("touch", "Tom Wu", "--via", "visit", "--outcome", "reached", "--goal", "book a demo")

    m.day(date(2026, 11, 5), "The visit Sue asked for: she wants a proposal for 20 units.")
    m.run("touch", "Sue Chen", "--via", "visit", "--outcome", "committed", "--goal", "send a proposal")

    m.day(
        date(2026, 11, 9),
        "Sue signs; Bob gets a thank-you gift. Tom Wu buys elsewhere but names his cousin Amy Wu.",
    )
    m.run("due")
    m.run("touch", "Sue Chen", "--outcome", "committed", "--goal", "signed order")
    m.run("sold", "Sue Chen", "--product", "Model X, 20 units", "--amount", "24,000")
    m.run("touch", "Bob Li", "--via", "gift", "--note", "tea set and a card: thank you for Sue")
    m.run("touch", "Tom Wu", "--via", "demo", "--outcome", "declined", "--goal", "trial of Model X")
    m.run("lost", "Tom Wu", "--reason", "chose a cheaper supplier")
    m.say("No --source: a referral from a lost prospect counts as 'declined'.")
    m.run("add-referral", "Amy Wu", "--from", "Tom Wu", "--company", "Wu Freight", "--first", "tomorrow")

    m.day(date(2026, 11, 10), "Tom tells Amy to expect you. Amy asks you never to call again: you stop at once.")
    m.run("touch", "Tom Wu", "--outcome", "reached", "--note", "will tell Amy I am calling")
    m.run("touch", "Amy Wu", "--outcome", "stop", "--note", "not interested")

    m.day(
        date(2026, 11, 11),
        "2-4-8 day 2 at Acme. Priya Nair of Nair Systems swaps leads with you: Mark Diaz.",
    )
    m.run("done", m.followup_id("Sue Chen", "post_sale_2"))
    m.run("add-referral", "Mark Diaz", "--from", "Priya Nair", "--source", "exchange", "--company", "Diaz Print")
    m.run("touch", "Mark Diaz", "--via", "email", "--outcome", "reached", "--note", "sent the Model X brochure")

    m.day(
        date(2026, 11, 13),
        "2-4-8 day 4 at Acme. You catch up with Priya; Mark is out, so you skip his touch.",
    )
    m.run("touch", "Sue Chen", "--outcome", "reached", "--note", "two operators struggle; sent the setup guide")
    m.run("touch", "Priya Nair", "--outcome", "committed", "--goal", "meet the owner of Diaz Print", "--next", "none")
    m.run("skip", m.followup_id("Mark Diaz", "touch"))

    m.day(
        date(2026, 11, 16),
        "陈素 agrees to a site visit. At the Rotary club your friend 张伟 refers 刘洋.",
    )
    m.run("touch", "陈素", "--outcome", "meeting-set", "--goal", "site visit with the general manager")
    m.run("add-referral", "刘洋", "--from", "张伟", "--source", "network", "--company", "洋帆物流")
    m.run(
        "touch", "张伟", "--via", "meal", "--outcome", "committed", "--goal", "introduce me to 刘洋", "--next", "none"
    )

    m.day(date(2026, 11, 17), "2-4-8 day 8: you visit Sue with another product to offer; she buys it.")
    m.run("done", m.followup_id("Sue Chen", "post_sale_8"))
    m.run("sold", "Sue Chen", "--product", "service kit", "--amount", "3,600")

    m.day(date(2026, 11, 19), "2-4-8 day 2 after Sue's second purchase.")
    m.run("done", m.followup_id("Sue Chen", "post_sale_2"))

    m.day(
        date(2026, 11, 23),
        "The week ahead. Mark has gone quiet; the list keeps him in front of you. "
        "With 王强 at 华光贸易, 陈素 asks for a trial. 刘洋 answers and wants a demo on Thursday.",
    )
    m.run("due", "--days", "7")
    m.run("touch", "Sue Chen", "--outcome", "reached", "--note", "kit in use, no complaints")
    m.run("touch", "陈素", "--via", "visit", "--outcome", "committed", "--goal", "five-unit trial")
    m.run("touch", "刘洋", "--outcome", "meeting-set", "--goal", "demo at 洋帆物流", "--next", "thu")
    m.say("Sue will be at a trade show on Wednesday: you move the day-8 visit to Friday.")
    m.run("snooze", m.followup_id("Sue Chen", "post_sale_8", days=7), "fri")

    m.day(date(2026, 11, 27), "The day-8 visit to Sue, on the day that suits her.")
    m.run("touch", "Sue Chen", "--via", "visit", "--outcome", "reached", "--note", "happy with the kit")
    m.say("While she is happy, ask Sue who else could use it: two names, one of them Li Na at Acme Parts.")
    m.run("ask", "Sue Chen", "--names", "Li Na", "--got", "2")

    m.day(date(2026, 11, 30), "Month end: everyone you know, and your month beside the field's figures.")
    m.run("list", "--status", "all")
    m.run("stats")


def main(argv: list[str] | None = None, *, story: Callable[[Month], None] = play) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", metavar="DIR", type=Path, help="keep the database in DIR (DIR/followup.db)")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    if args.keep is not None:
        folder = args.keep
        folder.mkdir(parents=True, exist_ok=True)
        if (folder / "followup.db").exists():
            print(f"month.py: {folder / 'followup.db'} exists; give --keep an empty or new folder", file=sys.stderr)
            return 2
    else:
        folder = Path(tempfile.mkdtemp(prefix="followup-month-"))
    m = Month(folder)
    try:
        story(m)
    except CommandFailed as failed:
        hint = "" if args.keep is not None else "; run with --keep DIR to look at the database afterwards"
        print(f"\nmonth.py: stopped: {failed}{hint}", file=sys.stderr)
        return 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print()
    print(f"{m.commands} followup commands run.", end=" ")
    if args.keep is not None:
        print(f"Explore further with: FOLLOWUP_DB={shlex.quote(str(m.db))} followup show '陈素'")
    else:
        print("The database was temporary and is gone; run with --keep DIR to keep it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
