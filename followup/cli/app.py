"""The root command: global options and the one exit path for errors."""

from __future__ import annotations

import os
import re
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import UserError
from .common import State
from .converters import install as install_converters
from .lazy import command_tree, import_help_renderer, summary

TRUE_WORDS = {"1", "true", "yes", "on"}
# a database password in any message that quotes a URL: user:PASSWORD@host, ?password=PASSWORD
_PASSWORD = re.compile(r"(://[^/@:\s]*:)[^\s@]*(?=@)|((?i:[?&][a-z]*password=))[^&\s]*")


def _debug_wanted(args: list[str]) -> bool:
    if os.environ.get("FOLLOWUP_DEBUG", "").strip().lower() in TRUE_WORDS:
        return True
    return "--debug" in args[: args.index("--")] if "--" in args else "--debug" in args


def _help_wanted(args: list[str]) -> bool:
    given = args[: args.index("--")] if "--" in args else args
    return "--help" in given or "-h" in given


def _undecodable(args: list[str]) -> str | None:
    """The first argument that is not text: bytes the locale could not decode reach Python as
    lone surrogates, which no database, terminal or file can hold."""
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return arg
    return None


def _fail(message: str, code: int) -> None:
    """Print one line on stderr, red where stderr is a colour terminal, and exit."""
    colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    line = " ".join(message.split()).replace("Value error, ", "")  # one line, without pydantic's prefix
    line = _PASSWORD.sub(lambda m: (m[1] or m[2]) + "***", line)
    line = "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 else c for c in line)
    sys.stderr.write((f"\x1b[31mError:\x1b[0m {line}" if colour else f"Error: {line}") + "\n")
    sys.exit(code)


# ---------------------------------------------------------------- shell completion

COMPLETE_VAR = "_FOLLOWUP_COMPLETE"  # set by the script `followup --install-completion` installs


class _AsTyped:
    """Stands in for Typer's conversion of a value (a pydantic TypeAdapter) while the shell asks
    for completions: the command line is only parsed then, never run, and the completers read
    the values as typed (--db PATH), so a TAB does not pay for importing pydantic."""

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None and (param.multiple or param.nargs == -1):
            return ()
        return value


@contextmanager
def _values_as_typed() -> Iterator[None]:
    """Every Typer parameter keeps its value as typed, until the block ends (Typer builds its
    converter lazily in `_TyperParameter.get_runtime_param`; without it, completion still
    works, only slower)."""
    import typer.core

    owner = getattr(typer.core, "_TyperParameter", None)
    if owner is None or not hasattr(owner, "get_runtime_param"):
        yield
        return
    original = owner.get_runtime_param
    owner.get_runtime_param = lambda self: _AsTyped()
    try:
        yield
    finally:
        owner.get_runtime_param = original


def _completion_without_a_shell(args: list[str]) -> str | None:
    """`--install-completion` or `--show-completion` when the shell running followup cannot be
    told (Typer would print "Shell None is not supported." and exit 1); None when all is well."""
    given = args[: args.index("--")] if "--" in args else args
    flag = next((a for a in given if a in ("--install-completion", "--show-completion")), None)
    if flag is None or os.environ.get("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"):
        return None  # (with that variable Typer asks for the shell's name instead)
    from typer._completion_shared import _get_shell_name

    return None if _get_shell_name() in ("bash", "zsh", "fish", "powershell", "pwsh") else flag


class FollowupGroup(TyperGroup):
    """Runs a command and turns every failure into one stderr line and an exit status:
    2 for anything the user typed wrong, 1 for an unexpected failure (traceback with --debug).

    Its commands may be a plain dict (`typer.main.get_command(app)`, as the tests build it) or
    built on demand (`lazy.command_tree(app)`, as the console script does): the help screen and
    the completion of a command's name read only names, panels and short help
    (`lazy.summary`). Option values are converted without pydantic where that is sure to give
    the same result (converters.install)."""

    _summaries_only = False  # set while the group's own help or command-name completion is drawn

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names, in order, without building the commands

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._summaries_only:
            return summary(self.commands, cmd_name)
        return self.commands.get(cmd_name)

    @contextmanager
    def _listing(self) -> Iterator[None]:
        self._summaries_only = True
        try:
            yield
        finally:
            self._summaries_only = False

    def format_help(self, ctx: Any, formatter: Any) -> None:
        import_help_renderer()
        with self._listing():
            super().format_help(ctx, formatter)

    def shell_complete(self, ctx: Any, incomplete: str) -> Any:
        with self._listing():
            return super().shell_complete(ctx, incomplete)

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        extra.pop("standalone_mode", None)
        install_converters()
        if _help_wanted(args):
            import_help_renderer()
        try:
            if (garbled := _undecodable(args)) is not None:
                raise UserError(
                    f"{garbled!r} holds bytes that are not text in the terminal's encoding; "
                    "type it again in a UTF-8 terminal"
                )
            if (flag := _completion_without_a_shell(args)) is not None:
                raise UserError(
                    f"{flag}: completion works in bash, zsh, fish and PowerShell, and none of them runs "
                    "followup here; run it from one of them"
                )
            if os.environ.get(COMPLETE_VAR):  # a TAB in the shell: see _values_as_typed
                with _values_as_typed():
                    code = super().main(args=args, prog_name="followup", standalone_mode=False, **extra)
            else:
                code = super().main(args=args, prog_name=prog_name or "followup", standalone_mode=False, **extra)
        except UserError as exc:
            _fail(str(exc), exc.exit_code)
        except typer.TyperException as exc:  # Typer's usage errors: bad option, missing argument
            hint = ""
            ctx = getattr(exc, "ctx", None)
            if ctx is not None:
                hint = f" (see '{ctx.command_path} --help')"
            _fail(exc.format_message() + hint, 2)
        except typer.Abort:
            _fail("aborted; nothing was changed", 1)
        except KeyboardInterrupt:
            _fail("interrupted; nothing was changed", 130)
        except Exception as exc:  # the one place an unexpected failure is reported
            if _debug_wanted(args):
                traceback.print_exc()
            hint = "" if _debug_wanted(args) else " (run with --debug for the details)"
            # a database error as its driver words it, without the SQL SQLAlchemy adds around it
            driver_error = getattr(exc, "orig", None) if type(exc).__module__.startswith("sqlalchemy") else None
            shown = driver_error if isinstance(driver_error, Exception) else exc
            _fail(f"unexpected failure: {type(shown).__name__}: {shown}{hint}", 1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=FollowupGroup,
    name="followup",
    help="Follow up every prospect, referral and customer, so no sale is lost by giving up too early.",
    epilog="Each morning: followup due. Run 'followup COMMAND --help' for a command's options and an example.",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
    add_completion=True,  # --install-completion / --show-completion: bash, zsh, fish (CONTACT names complete)
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"followup {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH_OR_URL",
            help="Database: a SQLite file path or a URL (postgresql+psycopg://...); also FOLLOWUP_DB. Default: followup.db in your data folder.",
            show_default=False,
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            metavar="NAME",
            help="Who you are on a shared database: your contacts are yours; also FOLLOWUP_USER. Default: your login name.",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an unexpected failure (also FOLLOWUP_DEBUG=1).")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    # FOLLOWUP_DB is read here, when the command runs, not declared as the option's envvar:
    # Typer validates every option value with pydantic, which `--help` must not import.
    ctx.obj = State(db=db or os.environ.get("FOLLOWUP_DB") or None, debug=debug, user=user)
    if ctx.invoked_subcommand is None:
        from .reports import due

        ctx.invoke(due, ctx=ctx)


def main() -> None:
    """The console script: `followup`: the command tree, each command built when it is run."""
    command_tree(app).main(prog_name="followup")
