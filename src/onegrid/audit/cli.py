"""`onegrid audit`: verify the chain, write signed checkpoints, archive old records, list them.

Exit codes: 0 the chain is intact (or the command did its job), 1 the chain is broken,
2 a usage, data or database error.
"""

import getpass
import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from onegrid.audit import archive as archiving
from onegrid.audit import chain, checkpoints, service
from onegrid.config import Settings, get_settings
from onegrid.core.errors import DomainError
from onegrid.core.levels import DISTRICT_DIGITS
from onegrid.db import session_scope
from onegrid.db.base import utcnow

audit_app = typer.Typer(help="Audit log: verify the hash chain, archive old records, list them.")
console = Console(stderr=True)


def _fail(zh: str, en: str) -> None:
    console.print(f"[red]错误 error:[/red] {zh}\n{en}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as error:
        _fail("配置有误", f"bad settings: {error}")


def _cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # a container user with no passwd entry
        return f"cli:uid-{os.getuid()}"


@audit_app.command("verify")
def verify(
    district: Annotated[
        str | None, typer.Option(help=f"only this district ({DISTRICT_DIGITS} digits)")
    ] = None,
    archive: Annotated[
        Path | None, typer.Option("--archive", help="also verify the archive files in DIR")
    ] = None,
    checkpoint_dir: Annotated[
        Path | None,
        typer.Option(
            "--checkpoints",
            help="signed checkpoints in DIR (default: the configured one)",
        ),
    ] = None,
) -> None:
    """Prove the audit chain untouched, or name its first broken record."""
    if archive is not None and not archive.is_dir():
        _fail(f"归档目录不存在：{archive}", f"no such archive directory: {archive}")
    if checkpoint_dir is not None and not checkpoint_dir.is_dir():
        _fail(
            f"检查点目录不存在：{checkpoint_dir}", f"no such checkpoint directory: {checkpoint_dir}"
        )
    settings = _settings()
    checkpoint_dir = checkpoint_dir or Path(settings.audit_checkpoint_dir)
    if not checkpoint_dir.is_dir():
        console.print(
            f"没有检查点目录 {checkpoint_dir}：未对照签名检查点核验 "
            f"no checkpoint directory {checkpoint_dir}: not checked against signed checkpoints"
        )
        checkpoint_dir = None
    try:
        with session_scope() as session:
            report = chain.verify(
                session=session,
                district_code=district,
                archive_dir=archive,
                checkpoint_dir=checkpoint_dir,
            )
    except DomainError as error:
        _fail(error.zh, error.en)
    except Exception as error:  # exit code 1 must only ever mean "broken"
        _fail("核验未能完成", f"verification could not finish: {error!r}")
    for check in report.districts:
        archived = f" (+{check.archived_checked} 已归档 archived)" if archive else ""
        points = f"; {check.checkpoints} 个检查点 checkpoints" if checkpoint_dir else ""
        typer.echo(
            f"{check.district_code}: 已核验 {check.checked} 条记录 records checked{archived}; "
            f"链头 head seq {check.head_seq} {check.head_hash}{points}"
        )
    broken = report.first_broken
    if broken is None:
        typer.echo("审计链完整 audit chain intact")
        return
    where = f" in {broken.file}" if broken.file else ""
    typer.echo(
        f"审计链被破坏 audit chain broken: district {broken.district_code}, seq {broken.seq}, "
        f"id {broken.record_id if broken.record_id is not None else '-'}{where}\n"
        f"  {broken.zh}\n  {broken.en}"
    )
    raise typer.Exit(code=1)


@audit_app.command("checkpoint")
def checkpoint(
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="checkpoint directory (default: ONEGRID_AUDIT_CHECKPOINT_DIR)"),
    ] = None,
) -> None:
    """Write a signed checkpoint of every chain's head outside the database."""
    directory = directory or Path(_settings().audit_checkpoint_dir)
    try:
        with session_scope() as session:
            written = checkpoints.write(session=session, directory=directory)
    except (SQLAlchemyError, OSError) as error:
        _fail("检查点写入失败", f"writing the checkpoints failed: {error}")
    for point in written:
        typer.echo(f"{point.district_code}: seq {point.seq} {point.hash} → {directory}")
    typer.echo(f"已写入 {len(written)} 个检查点 wrote {len(written)} checkpoints")


@audit_app.command("public-key")
def public_key() -> None:
    """Print the public key verifying the checkpoints (keep it when rotating the key)."""
    _settings()
    typer.echo(checkpoints.public_key())


@audit_app.command("archive")
def archive_(
    before: Annotated[
        str | None,
        typer.Option(
            help="archive records older than this date, YYYY-MM-DD in local time "
            "(default: the retention limit)"
        ),
    ] = None,
    directory: Annotated[
        Path | None, typer.Option(help="archive directory (default: ONEGRID_AUDIT_ARCHIVE_DIR)")
    ] = None,
) -> None:
    """Move records past the retention period to gzip files, chain verified first."""
    settings = _settings()
    if before is None:
        cut = utcnow() - timedelta(days=settings.audit_retention_days)
    else:
        try:
            day = date.fromisoformat(before)
        except ValueError:
            _fail(f"日期应为 YYYY-MM-DD：{before}", f"a date is YYYY-MM-DD: {before}")
        cut = datetime.combine(day, time(), ZoneInfo(settings.time_zone)).astimezone(UTC)
    try:
        with session_scope() as session:
            report = archiving.archive(
                session=session,
                before=cut,
                directory=directory or Path(settings.audit_archive_dir),
                actor=_cli_actor(),
                source="cli",
            )
    except DomainError as error:
        _fail(error.zh, error.en)
    except (SQLAlchemyError, OSError) as error:
        _fail("归档失败", f"archiving failed: {error}")
    for segment in report.segments:
        typer.echo(
            f"{segment.district_code}: seq {segment.first_seq}–{segment.last_seq} "
            f"({segment.count}) → {segment.path}"
        )
    typer.echo(
        f"已归档 {report.archived} 条 {cut:%Y-%m-%d %H:%M} UTC 之前的记录 "
        f"archived {report.archived} records older than {cut:%Y-%m-%d %H:%M} UTC"
    )


@audit_app.command("list")
def list_(
    district: Annotated[str | None, typer.Option(help="district code (default: all)")] = None,
    limit: Annotated[int, typer.Option(help="records per district, newest first")] = 20,
    action: Annotated[str | None, typer.Option(help="only this action, e.g. user.create")] = None,
    actor: Annotated[str | None, typer.Option(help="only this actor")] = None,
) -> None:
    """List the newest audit records (the reading is itself recorded)."""
    zone = ZoneInfo(_settings().time_zone)
    try:
        with session_scope() as session:
            codes = service.districts(session=session)
            if district is not None:
                if district not in codes:
                    _fail(
                        f"区 {district} 没有审计记录", f"district {district} has no audit records"
                    )
                codes = [district]
            for code in codes:
                records = service.list_records(
                    session=session, district_code=code, action=action, actor=actor, limit=limit
                )
                for r in records:
                    role = f"({r.actor_role})" if r.actor_role else ""
                    target = f"{r.object_type}:{r.object_id}" if r.object_type else "-"
                    typer.echo(
                        f"{r.district_code} {r.seq:>8} {r.at.astimezone(zone):%Y-%m-%d %H:%M:%S%z} "
                        f"{r.actor}{role} {r.action} {target} {r.outcome} {r.source or '-'}"
                    )
                # Reading the audit log is a sensitive read like any other.
                service.record(
                    session=session,
                    district_code=code,
                    actor=_cli_actor(),
                    action="audit.read",
                    object_type="audit_log",
                    source="cli",
                    detail={"action": action, "actor": actor, "limit": limit},
                )
    except DomainError as error:
        _fail(error.zh, error.en)
    except SQLAlchemyError as error:
        _fail("数据库错误", f"database error: {error}")
