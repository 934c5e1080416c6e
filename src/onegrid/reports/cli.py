"""`onegrid report monthly`: the streets' monthly reports, written as the scheduler writes them."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from onegrid.config import get_settings
from onegrid.core.commands import fail
from onegrid.core.errors import DomainError
from onegrid.db import session_scope
from onegrid.reports import scheduled
from onegrid.reports.monthly import Month

report_app = typer.Typer(help="Reports: each street's monthly report, as XLSX files.")
console = Console(stderr=True)


@report_app.command("monthly")
def monthly(
    month: Annotated[
        str | None, typer.Option(help="YYYY-MM (default: the month that ended last)")
    ] = None,
    street: Annotated[
        list[str] | None, typer.Option(help="a street's code (repeatable; default: every street)")
    ] = None,
    directory: Annotated[
        Path | None, typer.Option(help="where to write (default: ONEGRID_REPORTS_DIR)")
    ] = None,
) -> None:
    """Write the monthly report of every street (a report already written is kept)."""
    try:
        chosen = Month.parse(month) if month else scheduled.ended_month()
        with session_scope() as session:
            written = scheduled.generate(
                session=session,
                month=chosen,
                directory=directory or Path(get_settings().reports_dir),
                streets=street or None,
            )
    except DomainError as error:
        fail(error)
    for path in written:
        typer.echo(path)
    console.print(f"已生成 wrote {len(written)} report(s) for {chosen}")
