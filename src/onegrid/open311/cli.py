"""`onegrid open311 …`: API keys for Open311 clients, and the batch queue, from the server."""

from typing import Annotated

import typer
from rich.console import Console

from onegrid.audit import auditing
from onegrid.config import get_settings
from onegrid.core.commands import District, acting, actor, fail
from onegrid.core.errors import DomainError
from onegrid.db import get_engine, session_scope
from onegrid.db.migrate import upgrade
from onegrid.open311 import keys, submissions
from onegrid.territory import service as territory

open311_app = typer.Typer(help="Open311 GeoReport v2: API keys, the batch queue.")
key_app = typer.Typer(help="API keys: create (shown once), list, revoke.")
open311_app.add_typer(key_app, name="key")
console = Console(stderr=True)


def _audit(session, action: str, name: str, district_code: str, detail: dict | None = None):
    auditing.record(
        session,
        None,
        acting(),
        action,
        object_type="open311_key",
        object_id=name[:64],
        district_code=district_code,
        detail=detail,
    )


@key_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="who the key is for, e.g. an app's name")],
    rate: Annotated[
        int | None, typer.Option(help="requests a minute (default ONEGRID_OPEN311_RATE_PER_MINUTE)")
    ] = None,
    district: District = None,
) -> None:
    """Create a key and print it: it is shown this once and kept only as a hash."""
    upgrade(get_engine())
    per_minute = rate if rate is not None else get_settings().open311_rate_per_minute
    try:
        with session_scope() as session:
            code = territory.district_code(session=session, given=district)
            issued = keys.create(
                session=session,
                district_code=code,
                name=name,
                rate_per_minute=per_minute,
                created_by=actor(),
            )
            _audit(session, "open311.key.create", name, code, {"rate_per_minute": per_minute})
    except DomainError as error:
        fail(error)
    console.print(
        f"已创建密钥 created key {name} for district {code} ({per_minute}/min); "
        "仅显示这一次 it is shown this once:"
    )
    typer.echo(issued.key)


@key_app.command("list")
def list_keys(district: District = None) -> None:
    """List the keys: district, name, start of the key, rate, created, revoked."""
    with session_scope() as session:
        for row in keys.list_keys(session=session, district_code=district):
            revoked = row.revoked_at.date().isoformat() if row.revoked_at else "-"
            rate = f"{row.rate_per_minute}/min"
            typer.echo(
                f"{row.district_code} {row.name:<24} {row.key_prefix}…  {rate:>9}"
                f"  created {row.created_at.date().isoformat()}  revoked {revoked}"
            )


@key_app.command("revoke")
def revoke(name: str, district: District = None) -> None:
    """Revoke a key: requests posted with it are refused from now on (HTTP 403)."""
    try:
        with session_scope() as session:
            code = territory.district_code(session=session, given=district)
            keys.revoke(session=session, district_code=code, name=name)
            _audit(session, "open311.key.revoke", name, code)
    except DomainError as error:
        fail(error)
    console.print(f"已吊销 revoked {name}")


@open311_app.command("process")
def process() -> None:
    """Open the requests waiting in the batch queue now (`serve` does it every few seconds)."""
    total = submissions.run_queue()
    console.print(f"已立案 opened {total} queued request(s)")
