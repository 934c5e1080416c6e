"""What every `onegrid` command shares: its error output, who it acts as, the district option."""

import getpass
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from onegrid.core.errors import DomainError
from onegrid.core.permissions import Principal, operator

console = Console(stderr=True)

District = Annotated[
    str | None, typer.Option(help="district code (needed when several are stored)")
]


def fail(error: DomainError) -> NoReturn:
    """Prints the error in Chinese and English and ends the command with exit code 2."""
    console.print(f"[red]错误 error:[/red] {error.zh}\n{error.en}")
    raise typer.Exit(code=2)


def actor() -> str:
    """The name a command's actions are recorded under: cli:<the system user>."""
    return f"cli:{getpass.getuser()}"


def acting() -> Principal:
    """The principal a command acts as: the machine's operator, named after its user."""
    return operator(actor())
