"""The `onegrid` command: serve, demo, db, backup/restore, territory import/export, locate…"""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from onegrid.accounts.cli import user_app
from onegrid.audit import auditing
from onegrid.audit import service as audit_service
from onegrid.audit.checkpoints import start_background_checkpoints
from onegrid.audit.cli import audit_app
from onegrid.cases.cli import case_app, import_app, sweep
from onegrid.cases.scheduled import start_background_sweep
from onegrid.config import get_settings
from onegrid.core.commands import acting, fail
from onegrid.core.coordinates import CRS
from onegrid.core.errors import DomainError
from onegrid.core.levels import Level
from onegrid.core.permissions import Scope
from onegrid.db import backup, get_engine, session_scope
from onegrid.db.migrate import upgrade
from onegrid.demo import build_demo
from onegrid.demo.build import DEMO_PASSWORD, DEMO_USERS
from onegrid.open311.cli import open311_app
from onegrid.open311.submissions import start_background_queue
from onegrid.pii.cli import mask_text
from onegrid.reports.cli import report_app
from onegrid.reports.scheduled import start_background_reports
from onegrid.routing import calendar as declared_days
from onegrid.routing.cli import categories_app
from onegrid.territory import geojson, service

app = typer.Typer(help="onegrid — 一网统管: the grid-based closed loop of a city district.")
db_app = typer.Typer(help="Database schema (Alembic migrations).")
territory_app = typer.Typer(help="Territory: GeoJSON import and export.")
app.add_typer(db_app, name="db")
app.add_typer(territory_app, name="territory")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(case_app, name="case")
case_app.command("mask-text")(mask_text)
app.add_typer(import_app, name="import")
app.add_typer(categories_app, name="categories")
app.add_typer(open311_app, name="open311")
app.add_typer(report_app, name="report")
app.command("sweep")(sweep)
console = Console(stderr=True)

_STEPS = {
    "communities": "街道 → 社区 streets → communities",
    "grids": "社区 → 网格 communities → grids",
    "validate": "校验并写入 validate and store",
    "people": "人员与党支部 people and party branches",
    "users": "演示账户 demo accounts",
    "history": "历史案件 case history (days)",
}


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database to the newest schema (or to REVISION)."""
    upgrade(get_engine(), revision)
    console.print(f"database at {revision}: {get_settings().database_url}")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the web application (migrating the database first)."""
    upgrade(get_engine())
    with session_scope() as session:  # the working and rest days the system admin declared
        declared_days.install(session=session)
    console.print(f"onegrid on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    start_background_sweep(get_settings().sweep_interval_seconds)
    start_background_queue(get_settings().open311_batch_interval_seconds)
    start_background_checkpoints(get_settings().audit_checkpoint_interval_seconds)
    start_background_reports(get_settings().reports_interval_seconds)
    uvicorn.run("onegrid.app:create_app", factory=True, host=host, port=port)


@app.command()
def demo(
    build_only: Annotated[bool, typer.Option("--build-only", help="Build, do not serve.")] = False,
    rebuild: Annotated[bool, typer.Option(help="Rebuild the demo district from scratch.")] = False,
    days: Annotated[
        int, typer.Option(help="days of case history to generate (about 1,500 cases a day)")
    ] = 365,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Build the demo district (大东区 Dadong, demo data) and serve it."""
    upgrade(get_engine())
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar, session_scope() as session:
        tasks: dict[str, int] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(_STEPS.get(step, step), total=total)
            bar.update(tasks[step], completed=done, total=total)

        try:
            summary = build_demo(
                session,
                rebuild=rebuild,
                tolerance=get_settings().tiling_tolerance,
                history_days=days,
                commit_each_day=True,
                progress=progress,
            )
        except DomainError as error:
            fail(error)
    if summary.resumed:
        console.print("上次生成中断，已重新生成 the last build was cut off: built again")
    if summary.built:
        units = ", ".join(f"{n} {level}" for level, n in summary.units.items())
        console.print(
            f"演示数据已生成 demo district built: {units}; {summary.people} people, "
            f"{summary.assignments} assignments, {summary.party_branches} party branches, "
            f"{summary.cases} cases"
        )
    else:
        console.print("演示数据已存在 the demo district is already built (--rebuild to start over)")
    _print_demo_accounts()
    if not build_only:
        serve(host=host, port=port)


def _print_demo_accounts() -> None:
    console.print(f"演示账户 demo accounts (password 密码: [bold]{DEMO_PASSWORD}[/bold]):")
    for username, name, role, _, _ in DEMO_USERS:
        console.print(f"  {username:<12} {role.value:<20} {name}")


@app.command("backup")
def backup_(file: Annotated[Path, typer.Argument(help="the backup file to write")]) -> None:
    """Back up the database while it serves (SQLite: online backup API; PostgreSQL: pg_dump)."""
    url = get_settings().database_url
    try:
        with session_scope() as session:  # the backup holds the record of its own making
            for district_code in audit_service.districts(session=session):
                auditing.record(
                    session,
                    None,
                    acting(),
                    "db.backup",
                    object_type="file",
                    object_id=file.name[:64],
                    district_code=district_code,
                )
        backup.backup(url=url, file=file)
    except DomainError as error:
        fail(error)
    console.print(f"备份完成 backed up {url.split('@')[-1]} → {file}")


@app.command("restore")
def restore_(
    file: Annotated[Path, typer.Argument(help="a file written by onegrid backup")],
    force: Annotated[
        bool, typer.Option("--force", help="replace a database that is not empty")
    ] = False,
) -> None:
    """Restore a backup into the configured database (stop the server first)."""
    url = get_settings().database_url
    try:
        backup.restore(url=url, file=file, force=force)
        upgrade(get_engine())  # a backup of an older release is migrated to this one
        with session_scope() as session:
            for district_code in audit_service.districts(session=session):
                auditing.record(
                    session,
                    None,
                    acting(),
                    "db.restore",
                    object_type="file",
                    object_id=file.name[:64],
                    district_code=district_code,
                )
    except DomainError as error:
        fail(error)
    console.print(
        f"恢复完成 restored {file} → {url.split('@')[-1]}; 请运行 onegrid audit verify "
        "核验审计链 run onegrid audit verify to check the audit chain"
    )


@app.command()
def locate(
    lon: Annotated[float, typer.Argument(help="longitude")],
    lat: Annotated[float, typer.Argument(help="latitude")],
    crs: Annotated[CRS, typer.Option(help="coordinate system of LON LAT")] = CRS.WGS84,
) -> None:
    """Print the grid, community, street and district containing a point."""
    with session_scope() as session:
        try:
            found = service.locate(session=session, lon=lon, lat=lat, crs=crs)
        except DomainError as error:
            fail(error)
        for unit in reversed(found.chain):
            typer.echo(f"{unit.level:<10} {unit.code:<16} {unit.name}")


@territory_app.command("import")
def territory_import(
    file: Annotated[Path, typer.Argument(help="GeoJSON FeatureCollection (WGS-84)")],
    tolerance: Annotated[
        float | None, typer.Option(help="gap/overlap tolerance as a fraction of area")
    ] = None,
) -> None:
    """Import units from GeoJSON: all of them, or none if anything is wrong."""
    upgrade(get_engine())
    try:
        with session_scope() as session:
            report = geojson.import_collection(
                session=session,
                document=geojson.read_document(file),
                tolerance=get_settings().tiling_tolerance if tolerance is None else tolerance,
            )
            for district_code in report.districts:
                auditing.record(
                    session,
                    None,
                    acting(),
                    "territory.import",
                    object_type="file",
                    object_id=file.name[:64],
                    district_code=district_code,
                    detail={"created": report.created, "updated": report.updated},
                )
    except DomainError as error:
        fail(error)
    levels = ", ".join(f"{n} {level}" for level, n in report.by_level.items())
    console.print(f"导入完成 imported {levels}: {report.created} created, {report.updated} updated")


@territory_app.command("export")
def territory_export(
    level: Annotated[str | None, typer.Option(help="district, street, community or grid")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file (default stdout)")
    ] = None,
) -> None:
    """Export units as a GeoJSON FeatureCollection (every level unless --level)."""
    chosen = Level(level) if level else None
    with session_scope() as session:
        text = json.dumps(
            geojson.export_collection(session=session, scope=Scope.all(), level=chosen),
            ensure_ascii=False,
        )
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {output}")


def main() -> None:
    """Entry point of the `onegrid` console script."""
    app()
