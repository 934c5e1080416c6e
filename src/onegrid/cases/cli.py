"""`onegrid case …` and `onegrid sweep`: the operator's essentials on the server itself."""

import csv
import gc
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from onegrid.audit import auditing
from onegrid.cases import intake, scheduled, search, service
from onegrid.cases.bulk import importing
from onegrid.cases.flows import transition
from onegrid.cases.machine import STATE_NAMES, Action
from onegrid.cases.models import Channel, State
from onegrid.core.commands import District, acting, fail
from onegrid.core.coordinates import CRS
from onegrid.core.errors import DomainError
from onegrid.core.permissions import Scope
from onegrid.db import begin_writing, session_scope
from onegrid.routing import calendar as declared_days

case_app = typer.Typer(help="Cases: report, list, show, act.")
console = Console(stderr=True)


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
                who=acting(),
                source="cli",
            )
            typer.echo(f"{case.id}\t{case.receipt}\t{case.grid_code}")
    except DomainError as error:
        fail(error)


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
            auditing.record_read(
                session,
                None,
                acting(),
                "case.read",
                object_type="case",
                object_id=case.id,
                detail={"receipt": case.receipt},
                district_code=case.district_code,
            )
    except DomainError as error:
        fail(error)


@case_app.command("reindex")
def reindex() -> None:
    """Segment every case's description and address again for the full-text search (after
    the segmenter or its dictionary changed); the migration and every intake fill it otherwise."""
    with session_scope() as session:
        begin_writing(session)
        count = search.reindex(session)
    typer.echo(f"{count} cases indexed")


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
                who=acting(),
                note=note,
                data=_parse_data(data or []),
                source="cli",
            )
            typer.echo(f"{case.receipt}\t{case.state}")
    except DomainError as error:
        fail(error)


def sweep() -> None:
    """Escalate overdue cases one level (督办/催办) and notify."""
    with session_scope() as session:
        count = scheduled.sweep(session=session)
    console.print(f"已升级 escalated {count} case(s)")


import_app = typer.Typer(help="Bulk imports: cases from CSV or JSON Lines.")


@import_app.command("cases")
def import_cases(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv or .jsonl")],
    district: District = None,
    batch_size: Annotated[
        int,
        typer.Option(
            help="rows written together, or not at all; online writes wait while a batch is "
            "written (seconds for 10,000), so use fewer for a store in use"
        ),
    ] = 10_000,
    from_line: Annotated[int, typer.Option(help="start at this line of the file")] = 1,
    check: Annotated[bool, typer.Option("--check", help="check every row, write none")] = False,
    report: Annotated[Path | None, typer.Option(help="write the rejected rows to this CSV")] = None,
) -> None:
    """Import cases through the full intake (and their steps), batch by batch, all-or-nothing."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    bar = Progress(*columns, TimeElapsedColumn(), console=console)
    task = bar.add_task("导入 importing", total=None)

    def show(now: importing.Progress) -> None:
        bar.start()  # at the first report: the district is known, the file counted
        bar.update(task, total=now.total, completed=now.rows)

    # What is loaded by now (the modules) lasts the whole import: frozen, the collector does
    # not scan it again and again (a tenth of the work a case, measured) while the batches'
    # objects come and go.
    with session_scope() as session:  # the days the system admin declared count here too
        declared_days.install(session=session)
    gc.freeze()
    try:
        try:
            done = importing.import_path(
                path=file,
                who=acting(),
                district=district,
                batch_size=batch_size,
                from_line=from_line,
                check=check,
                progress=show,
            )
        finally:
            bar.stop()
    except DomainError as error:
        fail(error)
    _print_import(done, check, report)


def _print_import(done: importing.ImportReport, check: bool, report: Path | None) -> None:
    if not check:
        console.print(
            f"已导入 imported {done.cases} case(s) with {done.events} timeline event(s) "
            f"in {done.batches} batch(es)"
        )
    if not done.rejected:
        if check:
            console.print(f"全部 {done.rows} 行无误 all {done.rows} rows are good")
        return
    for bad in done.rejected[:20]:
        console.print(f"  第 {bad.line} 行 line {bad.line}: {bad.zh} / {bad.en}")
    if len(done.rejected) > 20:
        console.print(f"  … 另有 and {len(done.rejected) - 20} more")
    if report is not None:
        with report.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "problem", "problem_en"])
            writer.writerows((bad.line, bad.zh, bad.en) for bad in done.rejected)
        console.print(f"被拒绝的行已写入 rejected rows written to {report}")
    if not check:
        console.print(
            f"[red]第 {done.stopped_at} 行起的一批有错误，未写入；之后的行也未导入。[/red]\n"
            f"The batch from line {done.stopped_at} has bad rows and was not written, nor "
            f"anything after it. Fix them and go on with --from-line {done.stopped_at}."
        )
    raise typer.Exit(code=1)
