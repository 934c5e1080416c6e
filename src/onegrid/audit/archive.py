"""Archiving: records past the retention period move, still chained, to gzip JSON Lines files.

A file `audit-<district>-<first seq>-<last seq>.jsonl.gz` holds one record a line (canonical
JSON, hashes included). The district's head keeps the last archived seq and hash, so the live
chain starts from it and the files link into each other and into the live chain.
"""

import gzip
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.orm import Session

from onegrid.audit import service
from onegrid.audit.archive_files import archive_files, file_name
from onegrid.audit.hashing import Break, Link, canonical_json, hashed_fields, stream
from onegrid.audit.models import AuditHead, AuditRecord
from onegrid.config import get_settings
from onegrid.core.errors import Conflict, Invalid
from onegrid.db.base import utcnow

_LOG = AuditRecord.__table__
_HEAD = AuditHead.__table__


@dataclass(frozen=True)
class ArchivedSegment:
    """Records of one district moved to one file."""

    district_code: str
    first_seq: int
    last_seq: int
    path: Path

    @property
    def count(self) -> int:
        return self.last_seq - self.first_seq + 1


@dataclass
class ArchiveReport:
    """What archive moved: the cut and one segment per district that had records before it."""

    before: datetime
    segments: list[ArchivedSegment] = field(default_factory=list)

    @property
    def archived(self) -> int:
        return sum(s.count for s in self.segments)


def archive(
    *,
    session: Session,
    before: datetime,
    directory: Path,
    actor: str = "system",
    source: str | None = None,
) -> ArchiveReport:
    """Moves every district's records older than `before` to archive files, chain verified."""
    retention = get_settings().audit_retention_days
    latest = utcnow() - timedelta(days=retention)
    if before.tzinfo is None:
        raise Invalid("归档截止时间须带时区", "the archive cut must be a timezone-aware time")
    if before > latest:
        raise Invalid(
            f"审计记录至少保留 {retention} 天：只能归档 {latest:%Y-%m-%d %H:%M} UTC 之前的记录",
            f"audit records are kept at least {retention} days: only records before "
            f"{latest:%Y-%m-%d %H:%M} UTC can be archived",
        )
    directory.mkdir(parents=True, exist_ok=True)
    report = ArchiveReport(before=before)
    for head in session.execute(select(_HEAD).order_by(_HEAD.c.district_code)).all():
        segment = _archive_district(session, head, before, directory)
        if segment is None:
            continue
        report.segments.append(segment)
        # The chain itself records that its start moved to a file.
        service.record(
            session=session,
            district_code=segment.district_code,
            actor=actor,
            action="audit.archive",
            object_type="audit_log",
            object_id=f"{segment.first_seq}-{segment.last_seq}",
            source=source,
            detail={"file": segment.path.name, "records": segment.count},
        )
    return report


def _archive_district(
    session: Session, head: Row, before: datetime, directory: Path
) -> ArchivedSegment | None:
    code, start = head.district_code, head.archived_through_seq
    # Only an unbroken run from the checkpoint moves: a record stamped later (another server's
    # clock) ends the run even if older ones follow it.
    newer = session.scalar(
        select(func.min(_LOG.c.seq)).where(
            _LOG.c.district_code == code, _LOG.c.seq > start, _LOG.c.at >= before
        )
    )
    cut = head.seq if newer is None else min(newer - 1, head.seq)
    if cut <= start:
        return None
    _remove_stale(directory, code, start)
    path = directory / file_name(code, start + 1, cut)
    link = Link(code, seq=start, hash=head.archived_hash)
    _write(path, _checked(session, link, cut))
    moved = session.execute(
        update(_HEAD)
        .where(_HEAD.c.district_code == code, _HEAD.c.archived_through_seq == start)
        .values(archived_through_seq=cut, archived_hash=link.hash)
    )
    if moved.rowcount != 1:
        path.unlink(missing_ok=True)
        raise Conflict(
            f"区 {code} 的审计记录正由另一个归档进程处理，请稍后重试",
            f"another archive run moved district {code}'s checkpoint: try again",
        )
    # The delete trigger allows this now that the checkpoint has moved past these records.
    session.execute(
        delete(AuditRecord).where(
            AuditRecord.district_code == code, AuditRecord.seq > start, AuditRecord.seq <= cut
        )
    )
    return ArchivedSegment(code, start + 1, cut, path)


def _checked(session: Session, link: Link, cut: int) -> Iterator[dict[str, Any]]:
    # Archive only a chain that proves itself: a broken one is evidence, left where it is.
    for values in stream(session, link.district_code, after=link.seq, through=cut):
        broken = link.check(values)
        if broken:
            raise _refusal(broken)
        yield {"id": values["id"], "hash": values["hash"], **hashed_fields(values)}
    if link.seq != cut:
        raise _refusal(
            link.broken(
                link.seq + 1, None, f"seq {link.seq + 1} 缺失", f"seq {link.seq + 1} missing"
            )
        )


def _refusal(broken: Break) -> Invalid:
    return Invalid(
        f"区 {broken.district_code} 的审计链在 seq {broken.seq} 处被破坏（{broken.zh}），拒绝归档；"
        "请运行 onegrid audit verify",
        f"district {broken.district_code}'s audit chain is broken at seq {broken.seq} "
        f"({broken.en}): refusing to archive it; run onegrid audit verify",
    )


def _write(path: Path, records: Iterator[dict[str, Any]]) -> None:
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as raw:
            with gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
                for values in records:
                    gz.write((canonical_json(values) + "\n").encode("utf-8"))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    # The rename is durable only once the directory itself is synced.
    descriptor = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_stale(directory: Path, district_code: str, start: int) -> None:
    # Files starting past the checkpoint come from a run whose transaction never committed:
    # their records are still in the table, and this run writes them again.
    for first, _last, path in archive_files(directory, district_code):
        if first > start:
            path.unlink()
