"""Signed checkpoints: each chain's head (seq, hash, time) written outside the database.

Anyone holding the database could delete the newest records and move the head back: the
chain that is left still links. A checkpoint is a line of `audit-checkpoints-<district>.jsonl`
in ONEGRID_AUDIT_CHECKPOINT_DIR (best on another machine or append-only storage), signed with
Ed25519 under ONEGRID_AUDIT_CHECKPOINT_KEY; `verify` then requires every checkpointed record
to be there with its hash. Lines are only ever appended, one when a head has moved.

Rotating the signing key: add the current public key (`onegrid audit public-key`) to
ONEGRID_AUDIT_CHECKPOINT_OLD_PUBLIC_KEYS, then set a new ONEGRID_AUDIT_CHECKPOINT_KEY.
"""

import base64
import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.audit.hashing import Break, canonical_json
from onegrid.audit.models import AuditHead, AuditRecord
from onegrid.config import get_settings
from onegrid.db import session_scope
from onegrid.db.base import utcnow

logger = logging.getLogger("onegrid.audit.checkpoints")

_LOG = AuditRecord.__table__
_HEAD = AuditHead.__table__
_SIGNED = ("district_code", "seq", "hash", "at")


@dataclass(frozen=True)
class Checkpoint:
    """A chain's head as it was at a time, and the line of the file that holds it."""

    district_code: str
    seq: int
    hash: str
    at: str
    line: int = 0


def file_name(district_code: str) -> str:
    """Returns the name of the district's checkpoint file."""
    return f"audit-checkpoints-{district_code}.jsonl"


def public_key() -> str:
    """Returns the public key of the signing key, base64url: what verifies its checkpoints."""
    return base64.urlsafe_b64encode(_signer().public_key().public_bytes_raw()).decode()


def write(*, session: Session, directory: Path) -> list[Checkpoint]:
    """Appends a signed checkpoint for every district whose head moved; returns them."""
    directory.mkdir(parents=True, exist_ok=True)
    signer = _signer()
    kid = _key_id(signer.public_key().public_bytes_raw())
    written = []
    for head in session.execute(select(_HEAD).order_by(_HEAD.c.district_code)):
        path = directory / file_name(head.district_code)
        last = _last_line(path)
        if last is not None and last.get("seq") == head.seq and last.get("hash") == head.hash:
            continue
        point = Checkpoint(head.district_code, head.seq, head.hash, utcnow().isoformat())
        body = {name: getattr(point, name) for name in _SIGNED}
        signature = signer.sign(canonical_json(body).encode("utf-8"))
        line = {**body, "key": kid, "signature": base64.urlsafe_b64encode(signature).decode()}
        _append(path, canonical_json(line) + "\n")
        written.append(point)
    return written


def load(directory: Path) -> tuple[dict[str, list[Checkpoint]], dict[str, Break]]:
    """Returns each district's checkpoints with a valid signature, and the districts whose file
    holds a line that is not one (a break)."""
    found: dict[str, list[Checkpoint]] = {}
    bad: dict[str, Break] = {}
    if not directory.is_dir():
        return found, bad
    keys = _public_keys()
    for path in sorted(directory.glob("audit-checkpoints-*.jsonl")):
        code = path.name.removeprefix("audit-checkpoints-").removesuffix(".jsonl")
        points = found.setdefault(code, [])
        with open(path, encoding="utf-8") as lines:
            for number, text in enumerate(lines, start=1):
                point = _checked(code, text, number, keys)
                if isinstance(point, Break):
                    bad.setdefault(code, point)
                    break
                points.append(point)
    return found, bad


def check(
    session: Session, points: list[Checkpoint], *, head_seq: int, archived_through: int
) -> Break | None:
    """Returns how the district's chain departs from its checkpoints, or None."""
    live = {}
    for point in points:
        if point.seq > head_seq:
            return _break(
                point,
                f"链头（seq {head_seq}）落后于签名检查点（seq {point.seq}）：末尾的记录被删除，"
                "链头被回拨",
                f"the head (seq {head_seq}) is behind a signed checkpoint (seq {point.seq}): "
                "records were removed from the end and the head moved back",
            )
        if point.seq > archived_through:
            live[point.seq] = point
    seqs = sorted(live)
    for start in range(0, len(seqs), 500):
        chunk = seqs[start : start + 500]
        stored = dict(
            session.execute(
                select(_LOG.c.seq, _LOG.c.hash).where(
                    _LOG.c.district_code == points[0].district_code, _LOG.c.seq.in_(chunk)
                )
            ).all()
        )
        for seq in chunk:
            if stored.get(seq) != live[seq].hash:
                return _break(
                    live[seq],
                    f"seq {seq} 的记录与签名检查点不符：记录被删除或链被改写",
                    f"the record at seq {seq} does not match its signed checkpoint: it was "
                    "removed or the chain was rewritten",
                )
    return None


def start_background_checkpoints(interval_seconds: float) -> threading.Event:
    """Writes checkpoints every interval in a daemon thread; set the returned event to stop."""
    stop = threading.Event()
    directory = Path(get_settings().audit_checkpoint_dir)

    def loop() -> None:
        while True:  # one at once, then one each interval
            try:
                with session_scope() as session:
                    write(session=session, directory=directory)
            except Exception:  # the next round tries again; the server keeps serving
                logger.exception("writing the audit checkpoints failed")
            if stop.wait(interval_seconds):
                return

    threading.Thread(target=loop, name="onegrid-audit-checkpoints", daemon=True).start()
    return stop


def _signer() -> Ed25519PrivateKey:
    seed, _old = get_settings().checkpoint_keys
    return Ed25519PrivateKey.from_private_bytes(seed)


def _key_id(public: bytes) -> str:
    return hashlib.sha256(public).hexdigest()[:16]


def _public_keys() -> dict[str, Ed25519PublicKey]:
    seed, old = get_settings().checkpoint_keys
    raw = [Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw(), *old]
    return {_key_id(key): Ed25519PublicKey.from_public_bytes(key) for key in raw}


def _checked(
    code: str, text: str, number: int, keys: dict[str, Ed25519PublicKey]
) -> Checkpoint | Break:
    try:
        line = json.loads(text)
        body = {name: line[name] for name in _SIGNED}
        key = keys.get(line["key"])
        if key is None or body["district_code"] != code:
            raise InvalidSignature
        key.verify(
            base64.urlsafe_b64decode(line["signature"]), canonical_json(body).encode("utf-8")
        )
        return Checkpoint(code, int(body["seq"]), body["hash"], body["at"], number)
    except (ValueError, KeyError, TypeError, InvalidSignature):
        return Break(
            code,
            0,
            None,
            f"检查点文件第 {number} 行的签名无效（或其密钥未配置）：检查点被伪造或改动",
            f"line {number} of the checkpoint file has no valid signature (or its key is not "
            "configured): the checkpoint was forged or changed",
            file=file_name(code),
        )


def _break(point: Checkpoint, zh: str, en: str) -> Break:
    return Break(point.district_code, point.seq, None, zh, en, file=file_name(point.district_code))


def _last_line(path: Path) -> dict | None:
    if not path.exists():
        return None
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() - 4096))
        tail = handle.read().decode("utf-8", errors="replace").strip().splitlines()
    try:
        return json.loads(tail[-1]) if tail else None
    except ValueError:
        return None


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
