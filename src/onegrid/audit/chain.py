"""Verifying the hash chains: nothing was edited, removed, reordered or added behind onegrid.

`verify` walks a district's chain from its archive checkpoint (or, given the archive
directory, from the first record ever written); see onegrid.audit.hashing for the hashing.
Given the directory of signed checkpoints (onegrid.audit.checkpoints), it also requires every
checkpointed record to be there with its hash, which catches a tail removed and the head
moved back.
"""

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from onegrid.audit import checkpoints
from onegrid.audit.archive_files import check_archive
from onegrid.audit.hashing import Break, Link, stream
from onegrid.audit.models import GENESIS, AuditHead, AuditRecord
from onegrid.core.errors import NotFound

_LOG = AuditRecord.__table__
_HEAD = AuditHead.__table__


@dataclass
class DistrictCheck:
    """What verify found in one district's chain."""

    district_code: str
    checked: int = 0
    archived_checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    checkpoints: int = 0
    broken: Break | None = None


@dataclass
class VerifyReport:
    """What verify found: per district, the records checked and the first break, if any."""

    districts: list[DistrictCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(d.broken is None for d in self.districts)

    @property
    def first_broken(self) -> Break | None:
        return next((d.broken for d in self.districts if d.broken), None)

    @property
    def checked(self) -> dict[str, int]:
        return {d.district_code: d.checked + d.archived_checked for d in self.districts}


def verify(
    *,
    session: Session,
    district_code: str | None = None,
    archive_dir: Path | None = None,
    checkpoint_dir: Path | None = None,
) -> VerifyReport:
    """Returns the check of every district's chain (or one's), from the archive when given,
    against the signed checkpoints when their directory is given."""
    # Read before the heads: a checkpoint written meanwhile must not be ahead of them.
    points, bad = checkpoints.load(checkpoint_dir) if checkpoint_dir else ({}, {})
    heads = select(_HEAD).order_by(_HEAD.c.district_code)
    logged = select(_LOG.c.district_code).distinct()
    if district_code is not None:
        heads = heads.where(_HEAD.c.district_code == district_code)
        logged = logged.where(_LOG.c.district_code == district_code)
    found = {row.district_code: row for row in session.execute(heads)}
    codes = set(found) | set(session.scalars(logged))
    codes = sorted(codes | {c for c in points if district_code in (None, c) and points[c]})
    if district_code is not None and not codes:
        raise NotFound(
            f"区 {district_code} 没有审计记录", f"district {district_code} has no audit records"
        )
    report = VerifyReport()
    for code in codes:
        check = _verify_district(session, code, found.get(code), archive_dir)
        if check.broken and code in found:
            # An archive run that committed meanwhile moved the checkpoint: start from the new one.
            again = session.execute(select(_HEAD).where(_HEAD.c.district_code == code)).first()
            if again and again.archived_through_seq != found[code].archived_through_seq:
                check = _verify_district(session, code, again, archive_dir)
        if checkpoint_dir is not None and check.broken is None:
            check.broken = bad.get(code) or _against_checkpoints(
                session, points.get(code, []), found.get(code)
            )
            check.checkpoints = len(points.get(code, []))
        report.districts.append(check)
    return report


def _against_checkpoints(
    session: Session, points: list[checkpoints.Checkpoint], head: Row | None
) -> Break | None:
    if not points:
        return None
    return checkpoints.check(
        session,
        points,
        head_seq=head.seq if head else 0,
        archived_through=head.archived_through_seq if head else 0,
    )


def _verify_district(
    session: Session, code: str, head: Row | None, archive_dir: Path | None
) -> DistrictCheck:
    if head is None:
        first = session.execute(
            select(_LOG.c.id, _LOG.c.seq).where(_LOG.c.district_code == code).order_by(_LOG.c.seq)
        ).first()
        if first is None:  # only its checkpoints are left: they tell what was removed
            return DistrictCheck(code)
        return DistrictCheck(
            code,
            broken=Break(
                code,
                first.seq,
                first.id,
                "该区有审计记录却没有链头：记录不是经由本系统写入的",
                "the district has records but no chain head: they were not written by onegrid",
            ),
        )
    result = DistrictCheck(code, head_seq=head.seq, head_hash=head.hash)
    if archive_dir is not None:
        link = Link(code, seq=0, hash=GENESIS)
        result.broken = check_archive(
            link=link,
            directory=archive_dir,
            through_seq=head.archived_through_seq,
            through_hash=head.archived_hash,
        )
        result.archived_checked = link.checked
        if result.broken:
            return result
    link = Link(code, seq=head.archived_through_seq, hash=head.archived_hash)
    # Only up to the head read above: records appended since then are checked next time.
    for values in stream(session, code, after=-1, through=head.seq):
        result.broken = link.check(values)
        if result.broken:
            break
    result.checked = link.checked
    result.broken = result.broken or _check_head(session, link, head)
    return result


def _check_head(session: Session, link: Link, head: Row) -> Break | None:
    if link.seq < head.seq:
        return link.broken(
            link.seq + 1,
            None,
            f"链头与最后一条记录不符：末尾的记录被删除（链头 seq {head.seq}，最后一条 seq "
            f"{link.seq}）",
            f"head does not match the last record: records were removed from the end (head "
            f"seq {head.seq}, last record seq {link.seq})",
        )
    if link.hash != head.hash:
        return link.broken(
            head.seq,
            None,
            "链头与最后一条记录不符：链头或最后一条记录被替换过",
            "head does not match the last record: the head or the last record was replaced",
        )
    beyond = session.execute(
        select(_LOG.c.id, _LOG.c.seq)
        .where(_LOG.c.district_code == link.district_code, _LOG.c.seq > head.seq)
        .order_by(_LOG.c.seq)
    ).first()
    # Read the head again: a record and its head move in one transaction, so a record beyond
    # the fresh head was not appended by onegrid.
    fresh = session.scalar(select(_HEAD.c.seq).where(_HEAD.c.district_code == link.district_code))
    if beyond is not None and (fresh is None or beyond.seq > fresh):
        return link.broken(
            beyond.seq,
            beyond.id,
            "记录位于链头之后：它不是经由本系统写入的",
            "the record lies beyond the chain head: it was not written by onegrid",
        )
    return None
