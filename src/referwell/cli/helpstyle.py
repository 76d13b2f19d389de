"""How every command's `--help` reads: whole paragraphs and plain metavars.

Every Typer app of the CLI is an `App`, whose commands are `Command`s and whose groups
are `Group`s. They join each paragraph of a docstring into one line, so that Rich wraps
it to the terminal's width instead of keeping the source's line breaks; they show an
option's value as a plain word (`FILE`, `URL`, `DATE`, `N`; an option may name its own
with `metavar=`) and nothing after a flag, where Typer would show `<bool>`, `<str>` or
`<list[Path]>`; and they write arguments as `CASE...`, not `{cases}...`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.models import CommandFunctionType

MARKUP_MODE = "rich"


def whole_paragraphs(text: str | None) -> str | None:
    """`text` with each paragraph (lines between blank lines) joined into one line."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


class PlainArgument(TyperArgument):
    """An argument shown by its metavar alone: `CASE...` in the usage and its panel."""

    def display_type_rich(self, ctx: Any) -> str | None:
        del ctx
        return None

    def _usage_display_name(self) -> str:
        label = self.display_name_raw
        return label if self.required else f"[{label}]"


def _argument_label(param: TyperArgument) -> str:
    label = param.metavar or (param.name or "").upper()
    if param.nargs != 1 and not label.endswith("..."):
        label += "..."
    return label


def _option_metavar(param: TyperOption) -> str:
    """A plain word for what an option takes, from its type; empty for a flag."""
    if param.is_flag or param.count:
        return ""
    descriptor = param.type_descriptor
    if descriptor.choices:
        return "|".join(str(getattr(choice, "value", choice)) for choice in descriptor.choices)
    if descriptor.is_path:
        return "PATH"
    annotation = descriptor.annotation
    if annotation is int:
        return "N"
    if annotation is float:
        return "NUMBER"
    return "TEXT"


def plain_params(command: Any) -> None:
    """Give each parameter of `command` its plain label (in place)."""
    for param in command.params:
        if isinstance(param, TyperArgument):
            param.metavar = _argument_label(param)
            param.__class__ = PlainArgument
        elif isinstance(param, TyperOption) and param.metavar is None:
            param.metavar = _option_metavar(param)


class Command(TyperCommand):
    """A command whose help reads in whole paragraphs with plain metavars."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = whole_paragraphs(self.help)
        self.short_help = whole_paragraphs(self.short_help)
        plain_params(self)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


class Group(TyperGroup):
    """A group of commands whose help reads like theirs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = whole_paragraphs(self.help)
        plain_params(self)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


class App(typer.Typer):
    """A Typer app whose commands are `Command`s and whose group is a `Group`, each command
    answering a fault of its surroundings in one line and exit 2 (`faults.one_line`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", Group)
        kwargs.setdefault("rich_markup_mode", MARKUP_MODE)
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("add_completion", False)
        super().__init__(**kwargs)

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        register = super().command(name, cls=cls or Command, **kwargs)

        def decorator(function: CommandFunctionType) -> CommandFunctionType:
            from referwell.cli.faults import one_line

            register(one_line(function))
            return function

        return decorator
