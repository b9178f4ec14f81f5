"""The command tree, built one command at a time.

`typer.main.get_command(app)` turns every registered command into a click command with all
its parameters (reading each function's signature and type hints) on every run: about 30 ms
for 37 commands, paid before the one command typed even starts. `command_tree(app)` builds the
same root group, with the same options, sub-groups and settings, but holds the commands in a
`LazyCommands` mapping that builds a command the first time it is looked up, with Typer's own
`get_command_from_info`.

`followup --help` needs only each command's name, panel and short help: `LazyCommands.summary`
gives a command carrying those and no parameters, so the help screen is drawn without building
any parameter (tests/test_lazy_tree.py pins it to the fully built tree's help, character for
character). Everything else (running a command, `followup COMMAND --help`, completion of its
options, iterating `.commands.items()`) gets the real, fully built command.

Typer internals relied on (checked by the tests): `Typer.registered_commands` holding
`typer.models.CommandInfo`, `typer.main.get_command_from_info`, and `TyperGroup.commands`
being the mapping the group looks commands up in.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer
    from typer._click.core import Command
    from typer.models import CommandInfo


def command_name(info: CommandInfo) -> str:
    """The name Typer gives the command (as `typer.main.get_command_from_info` does)."""
    import typer.main

    return info.name or typer.main.get_command_name(info.callback.__name__)


class LazyCommands(MutableMapping[str, "Command"]):
    """A group's commands by name, in registration order, each built when first looked up."""

    def __init__(
        self, infos: list[CommandInfo], built: dict[str, Command], *, rich_markup_mode: Any, short: bool
    ) -> None:
        self._pending: dict[str, CommandInfo] = {}
        for info in infos:  # a later registration of a name replaces the earlier, as in Typer
            self._pending[command_name(info)] = info
        self._built: dict[str, Command] = {}
        self._order: dict[str, None] = dict.fromkeys([*self._pending, *built])
        for name, command in built.items():  # sub-groups come after the commands, as in Typer
            self._pending.pop(name, None)
            self._built[name] = command
        self._summaries: dict[str, Command] = {}
        self._rich_markup_mode = rich_markup_mode
        self._short = short

    def __getitem__(self, name: str) -> Command:
        if name in self._built:
            return self._built[name]
        info = self._pending[name]  # KeyError for an unknown name, as a dict
        import typer.main

        command = typer.main.get_command_from_info(
            info, pretty_exceptions_short=self._short, rich_markup_mode=self._rich_markup_mode
        )
        del self._pending[name]
        self._built[name] = command
        self._summaries.pop(name, None)
        return command

    def __setitem__(self, name: str, command: Command) -> None:
        self._pending.pop(name, None)
        self._summaries.pop(name, None)
        self._built[name] = command
        self._order[name] = None

    def __delitem__(self, name: str) -> None:
        if name not in self._order:
            raise KeyError(name)
        self._pending.pop(name, None)
        self._built.pop(name, None)
        self._summaries.pop(name, None)
        del self._order[name]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._order

    def built(self) -> list[str]:
        """The names of the commands built so far."""
        return [name for name in self._order if name in self._built]

    def summary(self, name: str) -> Command | None:
        """The command as a help screen lists it: name, panel, short help, hidden, deprecated,
        without its parameters (the real command when it is already built)."""
        if name in self._built:
            return self._built[name]
        info = self._pending.get(name)
        if info is None:
            return None
        if name not in self._summaries:
            from typer.core import TyperCommand

            helptext = inspect.getdoc(info.callback) if info.help is None else inspect.cleandoc(info.help)
            self._summaries[name] = (info.cls or TyperCommand)(
                name=name,
                context_settings=info.context_settings,
                help=helptext,
                epilog=info.epilog,
                short_help=info.short_help,
                options_metavar=info.options_metavar,
                add_help_option=info.add_help_option,
                no_args_is_help=info.no_args_is_help,
                hidden=info.hidden,
                deprecated=info.deprecated,
                rich_markup_mode=self._rich_markup_mode,
                rich_help_panel=info.rich_help_panel,
            )
        return self._summaries[name]


def command_tree(app: typer.Typer) -> Command:
    """The root click group of `app`, as `typer.main.get_command(app)` builds it, with its
    commands built on demand. Falls back to the fully built tree if the group does not keep its
    commands in a `commands` dict (a Typer that works differently)."""
    import typer.main

    infos = list(app.registered_commands)
    if not infos:
        return typer.main.get_command(app)
    shell = copy.copy(app)  # the same app without its commands: the root group, its options, sub-groups
    shell.registered_commands = []
    group = typer.main.get_command(shell)
    built = getattr(group, "commands", None)
    if not isinstance(built, dict):
        return typer.main.get_command(app)
    group.commands = LazyCommands(
        infos, built, rich_markup_mode=app.rich_markup_mode, short=app.pretty_exceptions_short
    )
    return group


def summary(commands: Any, name: str) -> Command | None:
    """The command `name` as a help screen lists it, from a lazy or a plain mapping."""
    if isinstance(commands, LazyCommands):
        return commands.summary(name)
    return commands.get(name)


# ---------------------------------------------------------------- the help screen's imports

# typer.rich_utils, which draws every help screen, imports at its top rich.markdown (which
# loads markdown_it and pygments) and rich.traceback: about 28 ms, a fifth of `followup --help`.
# It uses Markdown only with rich_markup_mode="markdown" and Traceback only for pretty
# exceptions; followup uses "rich" markup and turns pretty exceptions off.
_HELP_NEVER_USES = (("rich.markdown", "Markdown"), ("rich.traceback", "Traceback"))


class _ImportedOnUse(type):
    """A stand-in for a Rich class: calling it or reading an attribute imports the real one."""

    def _real(cls) -> Any:
        import importlib

        return getattr(importlib.import_module(cls._module), cls.__name__)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._real()(*args, **kwargs)

    def __getattr__(cls, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(cls._real(), attr)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, cls._real())


def import_help_renderer() -> None:
    """Import typer.rich_utils with stand-ins for the two Rich modules it never needs here.

    The stand-ins are in sys.modules only while typer.rich_utils is imported: any later
    `import rich.markdown` gets the real module, and so does typer.rich_utils the first time it
    calls Markdown or Traceback. If this Typer imports more from them than the stand-ins hold,
    typer.rich_utils is imported as it comes."""
    import importlib
    import sys
    from types import ModuleType

    if "typer.rich_utils" in sys.modules:
        return
    stand_ins: dict[str, ModuleType] = {}
    for module, name in _HELP_NEVER_USES:
        if module not in sys.modules:
            stand_ins[module] = ModuleType(module)
            setattr(stand_ins[module], name, _ImportedOnUse(name, (), {"_module": module}))
    sys.modules.update(stand_ins)
    try:
        importlib.import_module("typer.rich_utils")
    except ImportError:
        pass  # imported below, without stand-ins
    finally:
        for module, stand_in in stand_ins.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]
    importlib.import_module("typer.rich_utils")
