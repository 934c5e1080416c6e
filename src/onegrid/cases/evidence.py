"""Evidence files: photos and documents, checked by content and kept by their SHA-256."""

import hashlib
import os
from pathlib import Path

from sqlalchemy.orm import Session

from onegrid.audit import service as audit
from onegrid.cases.models import Case, Evidence
from onegrid.config import get_settings
from onegrid.core.errors import Invalid
from onegrid.core.permissions import Principal
from onegrid.db.base import utcnow

# Judged by the file's first bytes, not by its name or the type the client claims.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


def sniff(data: bytes) -> str | None:
    """Returns the content type the bytes really are (JPEG, PNG, WebP, PDF), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), None)


def path_for(sha256: str) -> Path:
    """Returns where the file with this hash is kept."""
    return Path(get_settings().evidence_dir) / sha256[:2] / sha256


def store(*, session: Session, case: Case, filename: str, data: bytes, who: Principal) -> Evidence:
    """Checks and keeps a file for the case, or raises Invalid naming what is wrong."""
    limit = get_settings().evidence_max_bytes
    if not data:
        raise Invalid("文件为空", "the file is empty")
    if len(data) > limit:
        raise Invalid(
            f"文件超过 {limit // 1_000_000} MB 上限",
            f"the file is over the {limit // 1_000_000} MB limit",
        )
    kind = sniff(data)
    if kind is None:
        raise Invalid(
            "只接受 JPEG、PNG、WebP 图片或 PDF 文件",
            "only JPEG, PNG or WebP images and PDF files are accepted",
        )
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before the case says it has it
        partial.replace(target)
    row = Evidence(
        district_code=case.district_code,
        case_id=case.id,
        filename=Path(filename or "evidence").name[:200],
        content_type=kind,
        size=len(data),
        sha256=digest,
        uploaded_at=utcnow(),
        uploaded_by=who.username,
    )
    session.add(row)
    session.flush()
    audit.record_by(
        session=session,
        who=who,
        district_code=case.district_code,
        action="case.evidence",
        object_type="case",
        object_id=case.receipt,
        detail={"evidence": row.id, "sha256": digest, "size": len(data), "type": kind},
    )
    return row


def read(evidence: Evidence) -> bytes:
    """Returns the bytes of a stored evidence file."""
    return path_for(evidence.sha256).read_bytes()
