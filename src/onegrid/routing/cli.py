"""`onegrid categories …`: the category catalogue from the server's command line."""

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from onegrid.audit import auditing
from onegrid.core.commands import District, acting, fail
from onegrid.core.errors import DomainError
from onegrid.core.permissions import Scope
from onegrid.db import get_engine, session_scope
from onegrid.db.migrate import upgrade
from onegrid.routing import service
from onegrid.territory import service as territory

categories_app = typer.Typer(help="Categories: import the catalogue from CSV, list it.")
console = Console(stderr=True)


@categories_app.command("import")
def import_catalogue(
    file: Annotated[Path, typer.Argument(help="categories CSV (see routing/data/README.md)")],
    attributes: Annotated[
        Path | None, typer.Option(help="attributes CSV (default: attributes.csv beside FILE)")
    ] = None,
    district: District = None,
) -> None:
    """Import categories and their attributes: every row, or none if any is wrong."""
    upgrade(get_engine())
    try:
        with session_scope() as session:
            code = territory.district_code(session=session, given=district)
            report = service.load_catalogue(
                session=session, district_code=code, path=file, attributes_path=attributes
            )
            auditing.record(
                session,
                None,
                acting(),
                "categories.import",
                object_type="file",
                object_id=file.name[:64],
                district_code=code,
                detail=asdict(report),
            )
    except DomainError as error:
        fail(error)
    console.print(
        f"导入完成 imported: {report.created} created, {report.updated} updated, "
        f"{report.attributes} attributes"
    )


@categories_app.command("list")
def list_catalogue(
    district: District = None,
    all_: Annotated[bool, typer.Option("--all", help="include inactive categories")] = False,
) -> None:
    """List the categories with their department and time limits (verify/dispatch/handle/check)."""
    scope = Scope(district_code=district) if district else Scope.all()
    with session_scope() as session:
        for c in service.list_categories(session=session, scope=scope, include_inactive=all_):
            limits = "/".join((c.verify_limit, c.dispatch_limit, c.handle_limit, c.check_limit))
            state = "" if c.active else "  (inactive)"
            typer.echo(
                f"{c.code:<6} {c.kind:<9} {c.default_department_code:<18} {limits:<14} "
                f"{c.name}{state}"
            )
