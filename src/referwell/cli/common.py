"""What every command shares: consoles, the exit status for bad input, error printing."""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from rich.console import Console

from referwell.domain.errors import InvalidInput

BAD_INPUT = 2

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_invalid(exc: InvalidInput, name: str = "") -> None:
    """Every error, one a line, each naming the field by its path (and the file, if several)."""
    prefix = f"{name}: " if name else ""
    for error in exc.errors:
        err.print(f"{prefix}{error}", markup=False)


def refuse(exc: InvalidInput, name: str = "") -> NoReturn:
    print_invalid(exc, name)
    raise typer.Exit(BAD_INPUT)


def fail(message: str) -> NoReturn:
    err.print(message, markup=False)
    raise typer.Exit(BAD_INPUT)


def progress_bar(total: int | None, *, shown_from: int = 20) -> Any:
    """A progress bar on stderr for long runs: only on a terminal, and only from
    `shown_from` items (an unknown total always shows)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=(total is not None and total < shown_from) or not err.is_terminal,
    )
