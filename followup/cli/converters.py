"""Converting option values without pydantic, for the plain valid cases: THE one place that does it.

Typer 0.29 converts every parameter value through a pydantic TypeAdapter, built on first use
in `typer.core._TyperParameter.get_runtime_param()`, which returns `self._runtime_param` once
set. Building it imports pydantic (~47 ms) and builds the adapter, on every run of any command
with an option that is not a flag, even an option left out.

`install()` makes that method give each parameter a `QuickConversion` as its `_runtime_param`
instead. It converts the values it is sure of exactly as Typer's adapter would:

  - str: a str, as it is;
  - bool: a bool;
  - int: an int, or a plain decimal numeral (`-?(0|[1-9][0-9]*)`, up to 18 digits), within the
    option's min/max (no clamp);
  - an Enum: a member of it, or a str naming one of its values the way Typer compares them
    (`typer._param_types.normalize_choice_value`: the value's text, casefolded unless the option
    is case-sensitive; not with a context `token_normalize_func`);
  - list[str] (a repeatable option): a list or tuple of str, as a list;
  - None: () for a repeatable option, else None (as Typer's RuntimeParam.coerce).

Everything else, and EVERY value it does not accept (a bad number, an unknown choice, a parser,
a path, a file, a date...), goes to the converter Typer would have built
(`typer._coercion.build_runtime_param`), so each value it rejects is rejected with Typer's own
message, word for word. When those internals are absent (another Typer), `install` does nothing
and Typer converts as it always did.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, get_args, get_origin

_NOT_SURE = object()
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")


def _builder() -> Any:
    """Typer's own converter factory, or None when this Typer has none."""
    try:
        from typer._coercion import build_runtime_param
    except ImportError:  # pragma: no cover - another Typer
        return None
    return build_runtime_param


def quick_value(descriptor: Any, value: Any, *, many: bool, ctx: Any) -> Any:
    """`value` converted as Typer would, or _NOT_SURE to leave it to Typer."""
    info = descriptor.parameter_info
    if info.parser is not None or descriptor.file_annotation is not None:
        return _NOT_SURE
    annotation = descriptor.annotation
    if many:
        if (
            get_origin(annotation) is list
            and get_args(annotation) == (str,)
            and isinstance(value, (list, tuple))
            and all(type(item) is str for item in value)
        ):
            return list(value)
        return _NOT_SURE
    if annotation is str:
        return value if type(value) is str else _NOT_SURE
    if annotation is bool:
        return value if type(value) is bool else _NOT_SURE
    if annotation is int:
        if type(value) is int:
            number = value
        elif type(value) is str and _INT.fullmatch(value):
            number = int(value)
        else:
            return _NOT_SURE
        if info.clamp or (info.min is not None and number < info.min) or (info.max is not None and number > info.max):
            return _NOT_SURE
        return number
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if isinstance(value, annotation):
            return value
        if type(value) is not str or (ctx is not None and ctx.token_normalize_func is not None):
            return _NOT_SURE
        sensitive = info.case_sensitive
        wanted = value if sensitive else value.casefold()
        for member in annotation:
            text = str(member.value)
            if (text if sensitive else text.casefold()) == wanted:
                return member
    return _NOT_SURE


class QuickConversion:
    """Stands in for Typer's converter of one parameter (its RuntimeParam): converts the plain
    valid values itself and hands every other value to the converter Typer builds."""

    __slots__ = ("_build", "_descriptor", "_typer")

    def __init__(self, descriptor: Any, build: Any) -> None:
        self._descriptor = descriptor
        self._build = build
        self._typer: Any = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        many = param.multiple or param.nargs == -1
        if value is None:
            return () if many else None
        if not (many and isinstance(value, str)):
            quick = quick_value(self._descriptor, value, many=many, ctx=ctx)
            if quick is not _NOT_SURE:
                return quick
        if self._typer is None:
            self._typer = self._build(self._descriptor)
        return self._typer.coerce(value, param=param, ctx=ctx)


def install() -> None:
    """From now on, each Typer parameter without a converter gets a QuickConversion (standing
    in for the pydantic one Typer would build in `_TyperParameter.get_runtime_param`), the help
    options Typer makes on the fly included. Idempotent; does nothing on a Typer without that
    hook or without `typer._coercion.build_runtime_param`."""
    import typer.core

    owner = getattr(typer.core, "_TyperParameter", None)
    typers_own = getattr(owner, "get_runtime_param", None)
    build = _builder()
    if typers_own is None or build is None or getattr(typers_own, "followup_quick", False):
        return

    def get_runtime_param(self: Any) -> Any:
        descriptor = getattr(self, "type_descriptor", None)
        if getattr(self, "_runtime_param", None) is None and descriptor is not None:
            self._runtime_param = QuickConversion(descriptor, build)
            return self._runtime_param
        return typers_own(self)

    get_runtime_param.followup_quick = True  # type: ignore[attr-defined]
    owner.get_runtime_param = get_runtime_param
