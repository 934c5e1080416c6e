"""`onegrid case …` and `onegrid sweep`: the operator's essentials on the server itself."""

import getpass
import json
from typing import Annotated

import typer
from rich.console import Console

from onegrid.cases import intake, scheduled, service
from onegrid.cases.flows import STATE_NAMES, Action
from onegrid.cases.models import Channel, State
from onegrid.cases.transitions import transition
from onegrid.core.coordinates import CRS
from onegrid.core.errors import DomainError
from onegrid.core.permissions import Scope, operator
from onegrid.db import session_scope

case_app = typer.Typer(help="Cases: report, list, show, act.")
console = Console(stderr=True)


def _who():
    return operator(f"cli:{getpass.getuser()}")


def _fail(error: DomainError) -> None:
    console.print(f"[red]错误 error:[/red] {error.zh}\n{error.en}")
    raise typer.Exit(code=2)


def _parse_data(pairs: list[str]) -> dict:
    data = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            data[key] = json.loads(value)
        except json.JSONDecodeError:
            data[key] = value
    return data


@case_app.command("report")
def report(
    category: Annotated[str, typer.Option(help="category code")],
    lon: Annotated[float, typer.Option()],
    lat: Annotated[float, typer.Option()],
    description: Annotated[str, typer.Option()],
    crs: Annotated[CRS, typer.Option()] = CRS.WGS84,
    channel: Annotated[Channel, typer.Option()] = Channel.HOTLINE,
    phone: Annotated[str | None, typer.Option(help="the reporter's phone")] = None,
) -> None:
    """Enter a case (e.g. a hotline call) and print its receipt."""
    try:
        with session_scope() as session:
            case = intake.intake(
                session=session,
                report=intake.Report(
                    channel=channel,
                    category_code=category,
                    description=description,
                    lon=lon,
                    lat=lat,
                    crs=crs,
                    reporter_phone=phone,
                ),
                who=_who(),
                source="cli",
            )
            typer.echo(f"{case.id}\t{case.receipt}\t{case.grid_code}")
    except DomainError as error:
        _fail(error)


@case_app.command("list")
def list_cases(
    state: Annotated[State | None, typer.Option()] = None,
    unit: Annotated[str | None, typer.Option(help="street, community or grid code")] = None,
    limit: int = 20,
) -> None:
    """List cases, newest first."""
    with session_scope() as session:
        cases, total = service.list_in_scope(
            session=session,
            scope=Scope.all(),
            limit=limit,
            filters=service.Filters(state=state.value if state else None, unit_code=unit),
        )
        for case in cases:
            typer.echo(
                f"{case.id}\t{case.receipt}\t{case.state:<10}\t{case.category_code}\t"
                f"{case.grid_code}\t{case.received_at:%Y-%m-%d %H:%M}"
            )
        console.print(f"{len(cases)} of {total}")


@case_app.command("show")
def show(receipt: str) -> None:
    """Show one case and its timeline."""
    try:
        with session_scope() as session:
            case = service.get_by_receipt(session=session, receipt=receipt)
            typer.echo(f"{case.receipt}  {STATE_NAMES[State(case.state)]} ({case.state})")
            typer.echo(f"{case.category_code}  {case.grid_code}  {case.description}")
            for event in service.timeline(session=session, case=case):
                typer.echo(
                    f"  {event.seq:>3} {event.at:%Y-%m-%d %H:%M} {event.action:<18} "
                    f"{event.from_state or '-':>10} → {event.to_state:<10} {event.actor} "
                    f"{event.note or ''}"
                )
    except DomainError as error:
        _fail(error)


@case_app.command("act")
def act(
    case_id: int,
    action: Action,
    note: Annotated[str | None, typer.Option()] = None,
    data: Annotated[list[str] | None, typer.Option(help="key=value, repeatable")] = None,
) -> None:
    """Take an action, e.g. `onegrid case act 12 dispatch --data department_code=water`."""
    try:
        with session_scope() as session:
            case = service.get(session=session, case_id=case_id, scope=Scope.all())
            transition(
                session=session,
                case=case,
                action=action,
                who=_who(),
                note=note,
                data=_parse_data(data or []),
                source="cli",
            )
            typer.echo(f"{case.receipt}\t{case.state}")
    except DomainError as error:
        _fail(error)


def sweep() -> None:
    """Escalate overdue cases one level (督办/催办) and notify."""
    with session_scope() as session:
        count = scheduled.sweep(session=session)
    console.print(f"已升级 escalated {count} case(s)")
