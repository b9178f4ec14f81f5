"""followup.cli.converters converts option values without pydantic, and only where the result is
sure to be Typer's: for every parameter of every command, any value (valid or not) gives the
same result, or the same error message, as the pydantic converter Typer itself builds.
"""

from __future__ import annotations

import enum

import pytest
import typer.core
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer._click.core import Context
from typer._click.exceptions import BadParameter, ClickException
from typer._coercion import build_runtime_param

from followup.cli import app, converters
from followup.cli.converters import QuickConversion

TREE = typer.main.get_command(app)
PARAMS = [
    (f"{name} {param.name}", command, param)
    for name, command in [("followup", TREE), *TREE.commands.items()]
    for param in command.params
    if isinstance(param, typer.core._TyperParameter)
]
IDS = [label for label, _, _ in PARAMS]


def outcome(converter, value, param, command):
    """What converting `value` gives: ("value", type, value) or ("error", message)."""
    try:
        result = converter.coerce(value, param=param, ctx=Context(command))
    except ClickException as exc:
        return ("error", type(exc).__name__, exc.format_message())
    return ("value", type(result), result)


def samples(param) -> list:
    """Values worth trying on this parameter: its own choices (in several cases), numbers in
    and out of range and in odd spellings, text, nothing, lists, and values of the wrong type."""
    values: list = [None, "", " ", "x", "Sue Chen", "陈素", "\udcff", "0", "1", "-1", "07", "+3", " 3", "3_0", "3.0"]
    values += ["1" + "0" * 20, "-0", "365", "366", 3, -5, True, False, 2.5, ("a", "b"), ["a"], (), b"bytes"]
    descriptor = param.type_descriptor
    if isinstance(descriptor.annotation, type) and issubclass(descriptor.annotation, enum.Enum):
        for member in descriptor.annotation:
            text = str(member.value)
            values += [member, text, text.upper(), text.title(), f" {text}", text[:-1]]
    info = descriptor.parameter_info
    for bound in (info.min, info.max):
        if bound is not None:
            values += [bound, bound - 1, bound + 1, str(bound), str(bound - 1), str(bound + 1)]
    return values


@pytest.mark.parametrize(("label", "command", "param"), PARAMS, ids=IDS)
def test_every_parameter_converts_every_sample_as_typer_does(label, command, param):
    quick = QuickConversion(param.type_descriptor, build_runtime_param)
    typers = build_runtime_param(param.type_descriptor)
    for value in samples(param):
        if isinstance(value, str) and (param.multiple or param.nargs == -1):
            value = (value,)
        assert outcome(quick, value, param, command) == outcome(typers, value, param, command), (label, value)


def typical(param):
    """A valid value as a user types it, or None for a flag."""
    descriptor = param.type_descriptor
    annotation = descriptor.annotation
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return str(next(iter(annotation)).value).upper()
    if annotation is int:
        return str(descriptor.parameter_info.min or 1)
    if annotation is bool:
        return None
    return ("vip", "陈") if (param.multiple or param.nargs == -1) else "Sue Chen"


@pytest.mark.parametrize(("label", "command", "param"), PARAMS, ids=IDS)
def test_a_valid_value_as_typed_is_converted_without_typers_converter(label, command, param):
    handed_over = []
    quick = QuickConversion(param.type_descriptor, lambda descriptor: handed_over.append(descriptor))
    value = typical(param)
    if value is None:
        value = param.default
    quick.coerce(value, param=param, ctx=Context(command))
    quick.coerce(param.default, param=param, ctx=Context(command))  # an option left out
    assert handed_over == [], label


NUMBER_LIKE = st.from_regex(r"\A[ +-]{0,2}[0-9_]{0,20}(\.[0-9]{0,3})?[ ]?\Z")
BY_TYPE = {}
for _label, _command, _param in PARAMS:
    BY_TYPE.setdefault(repr(_param.type_descriptor.annotation), (_command, _param))


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(max_size=12), NUMBER_LIKE), which=st.sampled_from(sorted(BY_TYPE)))
def test_any_text_converts_as_typer_converts_it(text, which):
    command, param = BY_TYPE[which]
    value = (text,) if (param.multiple or param.nargs == -1) else text
    quick = QuickConversion(param.type_descriptor, build_runtime_param)
    typers = build_runtime_param(param.type_descriptor)
    assert outcome(quick, value, param, command) == outcome(typers, value, param, command)


def test_a_value_it_is_not_sure_of_goes_to_typers_own_converter():
    """A bad number is refused with pydantic's message, through Typer's converter."""
    command, param = next((c, p) for _, c, p in PARAMS if p.type_descriptor.annotation is int)
    handed_over = []

    def build(descriptor):
        handed_over.append(descriptor)
        return build_runtime_param(descriptor)

    quick = QuickConversion(param.type_descriptor, build)
    assert quick.coerce("12", param=param, ctx=Context(command)) == 12
    assert handed_over == []
    with pytest.raises(BadParameter, match="valid integer"):
        quick.coerce("twelve", param=param, ctx=Context(command))
    assert handed_over == [param.type_descriptor]


def test_it_is_installed_for_every_typer_parameter_once_followup_runs(cli):
    cli("--help")
    assert getattr(typer.core._TyperParameter.get_runtime_param, "followup_quick", False)
    command = typer.main.get_command(app).commands["list"]
    (status,) = [p for p in command.params if p.name == "status"]
    assert isinstance(status.get_runtime_param(), QuickConversion)


def test_without_typers_hook_it_leaves_typer_as_it_is(monkeypatch):
    """A Typer without `typer._coercion.build_runtime_param` converts values its own way."""

    def typers_own(self):
        return "typer's converter"

    monkeypatch.setattr(typer.core._TyperParameter, "get_runtime_param", typers_own)
    monkeypatch.delattr("typer._coercion.build_runtime_param")
    converters.install()
    assert typer.core._TyperParameter.get_runtime_param is typers_own
