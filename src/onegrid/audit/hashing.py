"""Hashing the audit log: a record's canonical form and hash, and following a chain link by link.

Each district has its own chain. A record's hash is HMAC-SHA256, under the audit key its
`key_id` names (onegrid.audit.keys), of the previous record's hash followed by the canonical
JSON of every column but id and hash, so editing, removing or reordering any record breaks
every link after it, and without the key no one can compute the hashes again.

Records written before the chain was keyed (key_id NULL) keep their plain SHA-256 and still
verify as legacy records; the first keyed record chains onto the last of them, so editing one
still breaks a keyed link. Once a chain holds a keyed record, an unkeyed one after it is a break.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.audit.keys import Keyring, keyring
from onegrid.audit.models import AuditRecord
from onegrid.core.jsontext import CachingEncoder

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


# One encoder for every record: json.dumps would build a new one per call with these options.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=str
)


def canonical_json(value: Any) -> str:
    """Returns value as canonical JSON: sorted keys, no whitespace, non-ASCII kept as is."""
    return _CANONICAL.encode(value)


# A record's detail as canonical JSON; the few shapes bulk work repeats are encoded once each.
canonical_detail = CachingEncoder(_CANONICAL)


def timestamp(at: datetime) -> str:
    """Returns the hashed form of a time: ISO 8601 in UTC, with microseconds."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def hashed_fields(values: Mapping[str, Any], at: str | None = None) -> dict[str, Any]:
    """Returns the fields a record's hash covers, its time as text (`at`, when the caller
    has it already: records appended together share one time)."""
    fields = {name: values[name] for name in HASHED_FIELDS}
    if values.get("key_id") is not None:  # legacy records were hashed without it
        fields["key_id"] = values["key_id"]
    if at is not None:
        fields["at"] = at
    elif isinstance(fields["at"], datetime):
        fields["at"] = timestamp(fields["at"])
    return fields


def record_hash(
    values: Mapping[str, Any], at: str | None = None, ring: Keyring | None = None
) -> str | None:
    """Returns the HMAC-SHA256 hex, under the key of the record's key_id, of prev_hash followed
    by the record's canonical JSON (plain SHA-256 for a legacy record, key_id None); None when
    that key is not configured. `at` as for `hashed_fields`."""
    payload = (values["prev_hash"] + canonical_json(hashed_fields(values, at))).encode("utf-8")
    kid = values.get("key_id")
    if kid is None:
        return hashlib.sha256(payload).hexdigest()
    mac = (ring or keyring()).mac(kid)
    if mac is None:
        return None
    mac.update(payload)
    return mac.hexdigest()


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
        self.keyed = False  # a keyed record was seen: no unkeyed one may follow
        self.ring = keyring()

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
        kid = values.get("key_id")
        if kid is None and self.keyed:
            return self.broken(
                seq,
                record_id,
                "记录没有密钥标识，却位于带密钥的记录之后：它被不持有审计密钥者改写过",
                "an unkeyed record after keyed ones: it was rewritten by someone without the "
                "audit key",
            )
        expected_hash = record_hash(values, ring=self.ring)
        if expected_hash is None:
            return self.broken(
                seq,
                record_id,
                f"该记录的审计密钥 {kid} 未配置（ONEGRID_AUDIT_KEY 或 ONEGRID_AUDIT_OLD_KEYS）",
                f"the record's audit key {kid} is not configured (ONEGRID_AUDIT_KEY or "
                "ONEGRID_AUDIT_OLD_KEYS)",
            )
        if expected_hash != values["hash"]:
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
        self.keyed = self.keyed or kid is not None
        self.checked += 1
        return None

    def broken(self, seq: int, record_id: int | None, zh: str, en: str) -> Break:
        """Returns a break of this chain at seq."""
        return Break(self.district_code, seq, record_id, zh, en)


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
