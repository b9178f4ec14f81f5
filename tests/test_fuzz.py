"""Bad input, thrown at every command (hypothesis): random argument strings, dates, Unicode
names (Chinese, right-to-left, combining marks, control characters, lone surrogates), huge and
negative numbers, empty strings, unknown options and missing arguments. NUL goes where a user
can type it, on stdin and in the settings file: no command line or environment can hold one.

The property, for every command and every input: no traceback, exit status 0 or 2, and an
exit 2 is one stderr line starting with "Error:" that left the database exactly as it was.

Each command's arguments and options are read from the command tree itself, so a command
added later is fuzzed too. Every example starts from the same seeded database (a copy of a
template) with an explicit FOLLOWUP_TODAY; runs are deterministic and store no examples.
"""

from __future__ import annotations

import datetime
import enum
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup.cli import app
from followup.clock import parse_when
from followup.errors import DateError, UserError
from followup.services import parse_amount

TODAY = "2026-11-23"
COMMAND_TREE = typer.main.get_command(app)
COMMANDS = sorted(COMMAND_TREE.commands)

# A small world for the commands to hit: prospects, a referral, an ask, a sale, a loss, a
# do-not-contact mark, tags, open and closed follow-ups (ids 1 to a dozen or so), and names
# and notes every report must draw: right-to-left, combining marks, emoji, control characters.
RTL, COMBINING, CONTROL = "محمد علي", "Zoe\u0308 Ame\u0301lie", "Bel\x07l \x1b[31mRed\x1b[0m"
SEED = [
    ["add", "Sue Chen", "--company", "Acme", "--tag", "vip", "--first", "2026-11-02"],
    ["add", "陈素", "--phone", "+86 138 0000 0000", "--first", "2026-11-03"],
    ["add", "Bob Li", "--first", "2026-11-01"],
    ["touch", "Sue Chen", "--via", "visit", "--on", "2026-11-02"],
    ["touch", "陈素", "--via", "call", "--outcome", "reached", "--on", "2026-11-03", "--next", "2026-11-20"],
    ["touch", "Bob Li", "--on", "2026-11-01"],
    ["sold", "Bob Li", "--product", "Model X", "--amount", "12,000", "--on", "2026-11-05"],
    ["add-referral", "Tom Wang", "--from", "Bob Li", "--on", "2026-11-06"],
    ["ask", "Bob Li", "--names", "Ann Zhou, 王伟", "--on", "2026-11-07"],
    ["lost", "Ann Zhou", "--reason", "chose a cheaper supplier", "--on", "2026-11-10"],
    ["add", "Dan Wu", "--first", "2026-11-25"],
    ["edit", "Dan Wu", "--do-not-contact"],
    ["schedule", "Sue Chen", "2026-11-30", "--what", "call after their budget meeting"],
    ["add-referral", RTL, "--from", "陈素", "--company", "\u202eemcA", "--on", "2026-11-12"],
    ["touch", RTL, "--note", "line one\nline two\u2028three", "--goal", "\U0001f91d", "--on", "2026-11-13"],
    ["add", COMBINING, "--tag", "ñ,陈", "--note", "\u200f\u200b", "--first", "2026-11-24"],
    ["add", CONTROL, "--company", "\x1b]0;title\x07", "--first", "2026-11-20"],
    ["sold", CONTROL, "--product", "tab\there", "--amount", "0.01", "--on", "2026-11-21"],
]
ENV = {"FOLLOWUP_TODAY": TODAY}

# ------------------------------------------------------------------ what users might type

AWKWARD = (
    "\x01\x07\x08\t\n\r\x0b\x0c\x1b\x7f\x85\xa0\u200b\u200e\u200f\u202a\u202e\u2028\u2029"
    "\u0301\u0308\u20dd\ufeff\ufffd\U0001f600\ud800\udcff\udfff"
    "陈素王李伟العربيةעברית#%_\\,，'\"$€¥-+.:=/ "
)
CHARACTERS = st.one_of(st.characters(exclude_characters="\x00"), st.sampled_from(AWKWARD))
TEXT = st.text(CHARACTERS, max_size=24)
HUGE = "9" * 5000  # beyond Python's 4300-digit limit for int()

EDGES = st.sampled_from(["", " ", "\t", "-", "--", "#", "0", "-1", HUGE, "\udcff", "caf\udce9", "ab\u0301"])
NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(
        [
            "-0", "+5", "1,200.50", "$99", "€1.5", "1.005", "0.001", "12,34,5", "1_000", "0x10",
            "1e309", "inf", "-inf", "nan", "１２００", "٣", "½", "9" * 19, "9" * 40, f"{HUGE}.99", "-" + HUGE,
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)  # fmt: skip
DATES = st.one_of(
    st.sampled_from(
        [
            "today", "tomorrow", "yesterday", "fri", "Friday", "none", "2026-11-20", "2024-02-29",
            "2026-02-29", "2026-02-30", "2026-13-01", "1899-12-31", "1900-01-01", "2999-12-31",
            "3000-01-01", "0000-00-00", "0001-01-01", "9999-12-31", "+3d", "-1d", "+0d", "+1y",
            "-99999999999d", "+99999999999w", "+1000000y", "+99999m", f"+{HUGE}d", "+d", "++3d",
            "Dec 3", "3 December 2026", "3/4/2026", "mon dec 4", "Feb 29", "Feb 30", "2026-11-20 15:30",
            "yesterday 25:00", "today 9:61", "today 13pm", "today 0am", "3pm", "at 15:00", "2026/12/03",
            "20261203", "2026-11-20T10:00", "2026-11-20 10:00+08:00", "12月3日", "١٢/٣/٢٠٢٦",
            "15:" + "9" * 30, "at 15:" + "9" * 30, "dec 3 1:1e400", "3 at 1." + "9" * 30,
        ]
    ),
    st.dates().map(str),
    st.builds(lambda n, unit: f"{n:+d}{unit}", st.integers(-(10**7), 10**7), st.sampled_from("dwmy")),
)  # fmt: skip
REFS = st.one_of(
    st.sampled_from(
        [
            "Sue Chen", "Sue", "sue", "SUE CHEN", "  Sue   Chen ", "陈素", "陈", "Bob Li", "Tom", "Ann Zhou",
            "王伟", "Dan Wu", "Li", "n", "#1", "1", "#3", "#0", "#-1", "-1", "#2147483648", "2147483647",
            "#" + "9" * 18, "#" + "9" * 19, "%", "_", "\\", "'", "Sue Chen\x01", "Sue\u0301",
            RTL, "محمد", COMBINING, "Zoe\u0308", "Zoë", CONTROL, "Bel\x07l", "\x1b",
        ]
    ),
    st.integers(-5, 30).map(lambda n: f"#{n}"),
)  # fmt: skip
IDS = st.one_of(st.integers(-3, 40).map(str), st.integers(0, 40).map(lambda n: f"#{n}"), NUMBERS, REFS)
WORDS = st.sampled_from(
    [
        "none", "prospect", "customer", "repeat", "lost", "all", "acceptor", "dissatisfied", "power",
        "acquaintance", "dating", "partner", "ally", "call", "visit", "stop", "declined", "network",
        "PROSPECT", "Lost ", "vip", "vip,new", ",", " , ",
    ]
)  # fmt: skip


# Paths for a command that writes a file (a backup): relative, so inside the test's folder
# (the database itself is followup.db there), or in the home of a user who does not exist.
PATH_SAMPLES = [
    "", ".", "copy.db", "missing/folder/copy.db", "followup.db", "陈素.db", "~nosuchuser/copy.db", "a" * 300, "a/" * 3000,
]  # fmt: skip
PATHS = st.one_of(st.sampled_from(PATH_SAMPLES), TEXT.map(lambda t: t.replace("/", "").lstrip(".") or "x"))

COMPLETION = ("install_completion", "show_completion")
DATE_NAMES = {"on", "first", "next", "since", "date", "due", "when", "until", "before", "after"}
CONTACT_NAMES = {"who", "contact", "customer", "prospect", "referrer", "from_", "target", "owner"}


# Spliced into an otherwise sensible value: `Sue\udcff`, `2026-11-20\x1b[31m`, `12,000\u202e`.
SPLICES = st.sampled_from(
    ["\x01", "\udcff", "\ud800", "\u202e", "\u200f", "\u0301", "\n", "\r\n", "\x1b[31m", "\x7f", "陈", "\U0001f600", "9" * 30]
)  # fmt: skip


def awkward(domain: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A value of the right kind, the same with something awkward spliced in, any text, or an edge."""
    spliced = st.builds(lambda text, bit, at: text[:at] + bit + text[at:], domain, SPLICES, st.integers(0, 30))
    return st.one_of(domain, spliced, TEXT, EDGES)


def value_strategy(param) -> st.SearchStrategy[str]:
    """What to type for one argument or option, judged from its type, name and metavar."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    metavar = (param.metavar or "").upper()
    name = (param.name or "").lower()
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        values = [str(member.value) for member in annotation]
        return awkward(st.one_of(st.sampled_from(values), st.sampled_from(values).map(str.upper), WORDS))
    if annotation is int or name in {"amount", "got", "days", "per_day"}:
        return awkward(NUMBERS)
    if name in DATE_NAMES or "DATE" in metavar:
        return awkward(DATES)
    if name == "names":
        return awkward(st.lists(st.one_of(REFS, TEXT), max_size=4).map(", ".join))
    if name in CONTACT_NAMES or metavar in {"CONTACT", "CUSTOMER", "REFERRER", "PROSPECT"}:
        return awkward(REFS)
    if metavar == "ID" or name in {"id", "ident", "followup_id"}:
        return awkward(IDS)
    if "path" in name or "PATH" in metavar or name in {"to", "target_path", "destination"}:
        return st.one_of(PATHS, EDGES.filter(lambda text: "/" not in text))
    return awkward(st.one_of(WORDS, REFS))


def is_help(param) -> bool:
    return any(opt in ("--help", "-h") for opt in param.opts)


@st.composite
def invocation(draw, name: str) -> list[str]:
    """One `followup [ROOT OPTIONS] NAME ...` command line, from the command's own parameters."""
    command = COMMAND_TREE.commands[name]
    args: list[str] = []
    for param in COMMAND_TREE.params:
        # --db stays the test's database; --version and --help print and exit (covered elsewhere), and
        # so do --install-completion, which writes the shell's setup in HOME, and --show-completion
        # (tests/test_completion.py)
        if param.param_type_name != "option" or is_help(param) or param.name in ("db", "version", *COMPLETION):
            continue
        if draw(st.integers(0, 4)) == 0:
            args += option_tokens(draw, param)
    args.append(name)
    options: list[list[str]] = []
    positionals: list[str] = []
    for param in command.params:
        if is_help(param):
            continue
        if param.param_type_name == "argument":
            if draw(st.integers(0, 19)):  # now and then a required argument is left out
                positionals += [draw(value_strategy(param)) for _ in range(max(param.nargs, 1))]
        elif (param.required and draw(st.integers(0, 19))) or draw(st.booleans()):
            options.append(option_tokens(draw, param))
    junk = draw(st.sampled_from([[]] * 12 + [["--bogus"], ["extra"], ["--bogus=1"], ["-x"]]))
    if draw(st.booleans()):
        # `--` lets a positional start with a dash, such as -1 or -1d
        return [*args, *(token for group in options for token in group), *junk, "--", *positionals]
    groups = draw(st.permutations([*options, *([p] for p in positionals)]))
    return [*args, *(token for group in groups for token in group), *junk]


def option_tokens(draw, param) -> list[str]:
    if getattr(param, "is_flag", False) or getattr(param, "is_bool_flag", False):
        return [draw(st.sampled_from(param.opts + param.secondary_opts))]
    tokens: list[str] = []
    for _ in range(draw(st.integers(1, 3)) if param.multiple else 1):
        opt = draw(st.sampled_from(param.opts))
        value = draw(value_strategy(param))
        tokens += [f"{opt}={value}"] if opt.startswith("--") and draw(st.booleans()) else [opt, value]
    return tokens


# ------------------------------------------------------------------ the property

EXAMPLES = 60  # per test: the whole file takes about 15 s of CPU
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples on every run
    database=None,  # and none stored in the repository
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Answers to rm's question; NUL is one a user can type there.
ANSWERS = st.sampled_from(["y\n", "n\n", "\x00\ny\n", "陈\nn\n"])


@pytest.fixture
def fresh(seed, db_path: Path, tmp_path: Path, monkeypatch):
    """`fresh()`: the test's database is the seeded one again, as if nothing had run."""
    monkeypatch.chdir(tmp_path)  # a command that writes a file (a backup) writes it here

    def reset() -> None:
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        seed(SEED, today=TODAY)

    return reset


# What runs after a command that succeeded: every report still reads what it left, and
# `check` finds nothing contradictory in it.
READS = st.sampled_from(
    [["list"], ["list", "--json"], ["due", "--days", "400"], ["due", "--json"], ["stats"], ["stats", "--json"]]
    + [["show", f"#{n}"] for n in range(1, 13)]
    + ([["check"]] if "check" in COMMANDS else [])
)


def shown(args: list[str], env: dict, result) -> str:
    return (
        f"followup {' '.join(map(repr, args))}\nenv {env!r}\nexit {result.exit_code}\n"
        f"stdout: {result.stdout!r}\nstderr: {result.stderr!r}"
    )


def assert_refusal(result, what: str) -> None:
    assert result.stderr.startswith("Error: "), what
    assert result.stderr.endswith("\n") and len(result.stderr.splitlines()) == 1, what


@pytest.fixture
def checked(cli, fresh, dump):
    """`checked(args, env=..., input=..., then=...)`: run `followup ARGS` on a freshly seeded
    database and assert the property; after a success, run the report `then` too."""
    fresh()
    seeded = dump()

    def run(args: list[str], *, env: dict, input: str = "n\n", then: list[str] | None = None) -> None:
        fresh()
        result = cli(*args, env=env, input=input)
        what = shown(args, env, result)
        assert "Traceback" not in result.stdout + result.stderr, what
        assert result.exit_code in (0, 2), what
        if result.exit_code == 2:
            assert_refusal(result, what)
            assert dump() == seeded, what
        elif then:
            after = cli(*then, env=ENV)  # today's clock and settings: the data is what is tested
            what = f"after {shown(args, env, result)}\n{shown(then, ENV, after)}"
            assert "Traceback" not in after.stdout + after.stderr, what
            # a report reads any database a command left; only `show #N` may find no #N
            assert after.exit_code == 0 or (after.exit_code == 2 and then[0] == "show"), what
            if after.exit_code == 2:
                assert_refusal(after, what)

    return run


@pytest.mark.parametrize("name", COMMANDS)
def test_bad_input_exits_0_or_2_and_a_refusal_changes_nothing(name, checked):
    @FUZZ
    @given(args=invocation(name), answer=ANSWERS, then=READS)
    def property_holds(args: list[str], answer: str, then: list[str]) -> None:
        checked(args, env=ENV, input=answer, then=then)

    property_holds()


def test_every_command_is_fuzzed():
    """The contract's commands are all in the tree the fuzzing reads (and so all fuzzed)."""
    assert {
        "add", "edit", "rm", "list", "show", "add-referral", "ask", "touch", "schedule",
        "done", "skip", "snooze", "sold", "lost", "due", "stats",
    } <= set(COMMANDS)  # fmt: skip


# Commands that read the clock or the settings, with sensible arguments.
SENSIBLE = st.sampled_from(
    [
        ["due", "--days", "7"],
        ["stats"],
        ["list"],
        ["show", "Sue"],
        ["touch", "Sue", "--next", "tomorrow"],
        ["touch", "陈素", "--outcome", "reached"],
        ["add", "Eve", "--first", "+1m"],
        ["add-referral", "Eve", "--from", "Bob Li"],
        ["ask", "Bob Li", "--names", "Eve"],
        ["sold", "Sue"],
        ["sold", "Bob Li", "--amount", "5"],
        ["lost", "Sue"],
        ["done", "1"],
        ["skip", "2"],
        ["snooze", "2", "+2w"],
        ["snooze", "2", "mon 9:30"],
        ["snooze", "--overdue", "mon", "--per-day", "2"],
        ["schedule", "Sue", "thu 15:00"],
        ["schedule", "Sue", "fri"],
        ["edit", "Dan Wu", "--allow-contact"],
        ["edit", "Ann Zhou", "--status", "prospect"],
    ]
)


def environment_text(text: str) -> bool:
    """Whether a process environment can hold `text` (no NUL; lone surrogates only as the
    undecodable bytes Python reads them as)."""
    try:
        os.fsencode(text)
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def test_any_clock_date_exits_0_or_2_and_a_refusal_changes_nothing(checked):
    """FOLLOWUP_TODAY set to any text or date, the first and last days of the calendar too."""

    @FUZZ
    @given(today=st.one_of(DATES, st.dates().map(str), TEXT).filter(environment_text), args=SENSIBLE, then=READS)
    def property_holds(today: str, args: list[str], then: list[str]) -> None:
        checked(args, env={"FOLLOWUP_TODAY": today}, input="y\n", then=then)

    property_holds()


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(repr(value), repr(value))
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string, \u escapes included
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return str(value)


NUMBERS_IN_SETTINGS = st.one_of(
    st.integers(-3, 40),
    st.integers(-(2**70), 2**70),
    st.sampled_from([3660, 3661, 120, 121, 2**31, 2**63 - 1]),
)
SETTING_VALUES = st.one_of(
    NUMBERS_IN_SETTINGS,
    st.lists(NUMBERS_IN_SETTINGS, max_size=14),
    st.floats(),
    st.booleans(),
    st.text(st.one_of(CHARACTERS, st.just("\x00")), max_size=6),
    st.lists(st.one_of(st.floats(), st.text(max_size=3)), max_size=3),
)
SETTING = st.tuples(
    st.sampled_from(["cadence", "referrals", "cadence", "colour", "calendar"]),
    st.sampled_from(
        ["prospect_gaps", "after_sale", "checkin_months", "weekly_target", "gaps", "skip_weekends", "workdays"]
    ),
    st.one_of(SETTING_VALUES, st.lists(st.sampled_from(["mon", "Sun", "fri", "friday", "x", 0, 7, 8]), max_size=8)),
)
SETTINGS_FILES = st.one_of(
    st.lists(SETTING, max_size=4).map(
        lambda settings: "".join(f"[{table}]\n{key} = {toml_value(value)}\n" for table, key, value in settings)
    ),
    st.text(st.one_of(CHARACTERS, st.sampled_from("\x00[]=\"'\n")), max_size=40),
)


def test_any_settings_file_exits_0_or_2_and_a_refusal_changes_nothing(checked, tmp_path):
    """The settings file holding any cadence or referral values (huge, negative, fractions,
    text, NUL) or any text at all."""
    settings_file = tmp_path / "fuzzed.toml"

    @FUZZ
    @given(text=SETTINGS_FILES, args=SENSIBLE, then=READS)
    def property_holds(text: str, args: list[str], then: list[str]) -> None:
        settings_file.write_text(text, encoding="utf-8", errors="surrogatepass")
        checked(args, env={**ENV, "FOLLOWUP_CONFIG": str(settings_file)}, input="y\n", then=then)

    property_holds()


# ------------------------------------------------------------------ the parsers alone, many more inputs

DATE_WORDS = st.sampled_from(
    [
        "dec", "december", "mon", "fri", "at", "am", "pm", "a.m.", "of", "the", "st", "th", "+", "-", ":",
        ".", "/", ",", " ", "T", "Z", "UTC", "+08:00", "today", "tomorrow", "d", "w", "m", "y", "1e400",
        "9" * 40, "0", "15", "29", "31", "2026", "1899", "3000", "½", "٣", "１２", "\u3000", "年", "月", "日",
    ]
)  # fmt: skip
DATE_TEXTS = st.one_of(
    DATES, st.lists(DATE_WORDS, max_size=8).map("".join), st.lists(DATE_WORDS, max_size=8).map(" ".join), TEXT
)
ANY_DAY = st.dates(datetime.date(1900, 1, 1), datetime.date(2999, 12, 31))
PARSERS = settings(max_examples=400, derandomize=True, database=None, deadline=None)


@PARSERS
@given(text=DATE_TEXTS, today=ANY_DAY, future=st.booleans(), allow_time=st.booleans())
def test_a_date_is_read_within_the_years_followup_keeps_or_refused_in_one_line(text, today, future, allow_time):
    try:
        when = parse_when(text, today=today, future=future, allow_time=allow_time)
    except DateError as exc:
        assert str(exc).startswith(repr(text.strip())) and "\n" not in str(exc), str(exc)
    else:
        assert 1900 <= when.day.year <= 2999


@PARSERS
@given(
    text=st.one_of(
        NUMBERS,
        st.lists(st.sampled_from(["1", "0", "9" * 25, ",", ".", "$", " ", "-", "e"]), max_size=8).map("".join),
        TEXT,
    )
)
def test_an_amount_is_read_in_range_or_refused(text):
    try:
        cents = parse_amount(text)
    except UserError as exc:
        assert str(exc).startswith("--amount: "), str(exc)
    else:
        assert 0 <= cents <= 2**63 - 1


# ------------------------------------------------------------------ what the fuzzing found, pinned


def assert_one_error_line(run, *words: str) -> None:
    assert run.exit_code == 2, run
    assert run.stderr.startswith("Error: ") and len(run.stderr.splitlines()) == 1, run.stderr
    for word in words:
        assert word in run.stderr, run.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["add", "caf\udce9"],
        ["edit", "Sue", "--note", "\udcff"],
        ["show", "\udcff"],
        ["touch", "Sue", "--note", "ok", "--goal", "\ud800"],
        ["--user", "\udcff", "list"],
    ],
    ids=["add", "edit-note", "show", "touch-goal", "user"],
)
def test_bytes_the_terminal_cannot_decode_are_refused_and_nothing_is_written(cli, fresh, dump, args):
    """Bytes that are not text in the locale (Python reads them as lone surrogates) used to
    reach the database and fail there with exit 1."""
    fresh()
    before = dump()
    assert_one_error_line(cli(*args, env=ENV), "not text in the terminal's encoding")
    assert dump() == before


def test_a_command_line_of_undecodable_bytes_is_one_error_line(fresh, db_path):
    """The same through a real process: `followup add $'caf\\xe9'` in a UTF-8 locale."""
    fresh()
    env = {**os.environ, "FOLLOWUP_DB": str(db_path), "FOLLOWUP_TODAY": TODAY, "LC_ALL": "C.UTF-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "followup", "add", b"caf\xe9"], capture_output=True, env=env, timeout=60
    )
    assert proc.returncode == 2, proc
    assert proc.stderr.startswith(b"Error: 'caf\\udce9' holds bytes") and proc.stderr.count(b"\n") == 1, proc.stderr


def test_an_amount_of_thousands_of_digits_is_too_large_not_a_failure(cli, fresh, dump):
    """Python refuses to convert a number of more than 4300 digits; that was exit 1."""
    fresh()
    before = dump()
    assert_one_error_line(cli("sold", "Sue", "--amount", "9" * 5000, env=ENV), "--amount", "too large")
    assert dump() == before
    assert parse_amount("0" * 5000 + "12.50") == 1250
    assert parse_amount("92,233,720,368,547,758.07") == 2**63 - 1


@pytest.mark.parametrize("clock", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
def test_a_clock_outside_the_years_followup_keeps_is_refused(cli, fresh, dump, clock):
    """FOLLOWUP_TODAY=9999-12-31 ran date arithmetic off the calendar (exit 1)."""
    fresh()
    before = dump()
    for args in (["due"], ["stats"], ["touch", "Sue"], ["add", "Eve", "--first", "tomorrow"]):
        assert_one_error_line(cli(*args, env={"FOLLOWUP_TODAY": clock}), "FOLLOWUP_TODAY", "1900 to 2999")
    assert dump() == before


@pytest.mark.parametrize("clock", ["1900-01-01", "2999-12-31"])
def test_the_first_and_last_days_followup_keeps_work_as_the_clock(cli, fresh, clock):
    fresh()
    for args in (["touch", "Sue"], ["sold", "Bob Li"], ["due", "--days", "3660"], ["stats"], ["list"]):
        run = cli(*args, env={"FOLLOWUP_TODAY": clock})
        assert run.exit_code == 0, (args, run)


@pytest.mark.parametrize("text", ["15:" + "9" * 30, "at 15:" + "9" * 30, "dec 3 15:" + "9" * 30])
def test_a_time_with_a_huge_number_of_minutes_is_not_a_date(cli, fresh, dump, text):
    """dateutil raises a decimal error for such minutes; that was exit 1."""
    fresh()
    before = dump()
    assert_one_error_line(cli("touch", "Sue", "--on", text, env=ENV), "--on", "is not a date")
    assert dump() == before


@pytest.mark.parametrize(
    "config",
    [
        "[cadence]\nprospect_gaps = [99999999999]\n",
        "[cadence]\nprospect_gaps = [3661]\n",
        "[cadence]\nafter_sale = [2, 4, 100000000000000000]\n",
        "[cadence]\ncheckin_months = 999999999\n",
        "[cadence]\ncheckin_months = 121\n",
    ],
)
def test_cadence_settings_beyond_ten_years_are_refused(cli, fresh, dump, tmp_path, config):
    """A gap of billions of days ran the next follow-up off the calendar (exit 1)."""
    fresh()
    before = dump()
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    for args in (["touch", "Sue"], ["sold", "Sue"], ["add", "Eve", "--first", "today"]):
        assert_one_error_line(cli(*args, env=ENV), "config.toml", "cadence.")
    assert dump() == before


def test_cadence_settings_of_ten_years_are_kept(cli, fresh, tmp_path):
    fresh()
    config = "[cadence]\nprospect_gaps = [3660]\nafter_sale = [2, 4, 3660]\ncheckin_months = 120\n"
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    touched = cli("touch", "Tom Wang", env=ENV)  # touch 1 of 2, the next ten years on
    assert touched.exit_code == 0 and "2036-11-30: referral touch 2 of 2" in touched.stdout, touched
    sold = cli("sold", "Sue", env=ENV)
    assert sold.exit_code == 0 and "2036-11-30 visit: 2-4-8" in sold.stdout, sold
    assert "2036-11-23 visit: yearly check-in" in sold.stdout, sold


@pytest.mark.parametrize("path", ["a" * 300, "a/" * 3000 + "copy.db", "~nosuchuser/copy.db"])
def test_a_backup_path_no_file_can_have_is_one_error_line(cli, fresh, tmp_path, path):
    """A name too long for the filesystem, or the home of a user who does not exist, was exit 1."""
    fresh()
    run = cli("backup", path, env=ENV)
    assert_one_error_line(run, "cannot write the copy")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".db")) == ["followup.db"]
