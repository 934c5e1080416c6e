"""The hash chain: a record's canonical form and hash, and the check that nothing was changed.

Each district has its own chain. A record's hash is SHA-256 over the previous record's hash
followed by the canonical JSON of every column but id and hash, so editing, removing or
reordering any record breaks every link after it. `verify` walks a chain from its archive
checkpoint (or, given the archive directory, from the first record ever written).
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from onegrid.audit.models import GENESIS, AuditHead, AuditRecord
from onegrid.core.errors import NotFound

HASHED_FIELDS = (
    "district_code",
    "seq",
    "at",
    "actor_id",
    "actor",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "source",
    "detail",
    "prev_hash",
)
# Rows fetched per round trip while streaming a chain: memory stays flat at any length.
BATCH = 1000

_LOG = AuditRecord.__table__
_HEAD = AuditHead.__table__


def canonical_json(value: Any) -> str:
    """Returns value as canonical JSON: sorted keys, no whitespace, non-ASCII kept as is."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=str,
    )


def timestamp(at: datetime) -> str:
    """Returns the hashed form of a time: ISO 8601 in UTC, with microseconds."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def hashed_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Returns the fields a record's hash covers, its time as text."""
    fields = {name: values[name] for name in HASHED_FIELDS}
    if isinstance(fields["at"], datetime):
        fields["at"] = timestamp(fields["at"])
    return fields


def record_hash(values: Mapping[str, Any]) -> str:
    """Returns the SHA-256 hex of prev_hash followed by the record's canonical JSON."""
    payload = values["prev_hash"] + canonical_json(hashed_fields(values))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first record at which a chain stops proving itself, and why."""

    district_code: str
    seq: int
    record_id: int | None
    zh: str
    en: str
    file: str | None = None  # the archive file, when the break lies in the archive


class Link:
    """Follows one district's chain record by record from a checkpoint (seq, hash)."""

    def __init__(self, district_code: str, *, seq: int, hash: str) -> None:
        self.district_code = district_code
        self.seq = seq
        self.hash = hash
        self.checked = 0

    def check(self, values: Mapping[str, Any]) -> Break | None:
        """Returns why this next record breaks the chain, or None and moves on to it."""
        seq, record_id, expected = values["seq"], values.get("id"), self.seq + 1
        if seq > expected:
            return self.broken(
                expected,
                None,
                f"seq {expected} 缺失：有记录被删除（其后为 seq {seq}，id {record_id}）",
                f"seq {expected} missing: a record was deleted (the next one is seq {seq}, "
                f"id {record_id})",
            )
        if seq < expected:
            return self.broken(
                seq,
                record_id,
                f"seq {seq} 顺序错乱：应为 seq {expected}",
                f"seq {seq} out of order: seq {expected} was expected",
            )
        if record_hash(values) != values["hash"]:
            return self.broken(
                seq, record_id, "哈希不符：该记录被修改过", "hash mismatch: the record was edited"
            )
        if values["prev_hash"] != self.hash:
            return self.broken(
                seq,
                record_id,
                "prev_hash 与上一条记录不衔接：上一条记录被修改或替换过",
                "prev_hash does not link: the previous record was edited or replaced",
            )
        self.seq, self.hash = seq, values["hash"]
        self.checked += 1
        return None

    def broken(self, seq: int, record_id: int | None, zh: str, en: str) -> Break:
        """Returns a break of this chain at seq."""
        return Break(self.district_code, seq, record_id, zh, en)


@dataclass
class DistrictCheck:
    """What verify found in one district's chain."""

    district_code: str
    checked: int = 0
    archived_checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
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


def stream(session: Session, district_code: str, *, after: int, through: int):
    """Yields the district's records with after < seq <= through, in seq order, as rows."""
    query = (
        select(_LOG)
        .where(_LOG.c.district_code == district_code, _LOG.c.seq > after, _LOG.c.seq <= through)
        .order_by(_LOG.c.seq)
        .execution_options(yield_per=BATCH)
    )
    result = session.execute(query)
    try:
        for row in result:
            yield row._mapping
    finally:
        # A caller that stops at a break must not leave a server-side cursor open.
        result.close()


def verify(
    *, session: Session, district_code: str | None = None, archive_dir: Path | None = None
) -> VerifyReport:
    """Returns the check of every district's chain (or one's), from the archive when given."""
    heads = select(_HEAD).order_by(_HEAD.c.district_code)
    logged = select(_LOG.c.district_code).distinct()
    if district_code is not None:
        heads = heads.where(_HEAD.c.district_code == district_code)
        logged = logged.where(_LOG.c.district_code == district_code)
    found = {row.district_code: row for row in session.execute(heads)}
    codes = sorted(set(found) | set(session.scalars(logged)))
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
        report.districts.append(check)
    return report


def _verify_district(
    session: Session, code: str, head: Row | None, archive_dir: Path | None
) -> DistrictCheck:
    if head is None:
        first = session.execute(
            select(_LOG.c.id, _LOG.c.seq).where(_LOG.c.district_code == code).order_by(_LOG.c.seq)
        ).first()
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
        # Imported here because archive builds on this module.
        from onegrid.audit.archive import check_archive

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
