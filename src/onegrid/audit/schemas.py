"""API shapes of the audit log."""

import json
from datetime import datetime

from pydantic import BaseModel, Field

from onegrid.audit.models import AuditRecord


class RecordOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    actor_role: str | None
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str
    source: str | None
    detail: dict | None
    hash: str

    @classmethod
    def of(cls, record: AuditRecord) -> "RecordOut":
        """Returns the API view of a stored record."""
        return cls(
            seq=record.seq,
            at=record.at,
            actor=record.actor,
            actor_role=record.actor_role,
            action=record.action,
            object_type=record.object_type,
            object_id=record.object_id,
            outcome=record.outcome,
            source=record.source,
            detail=json.loads(record.detail) if record.detail else None,
            hash=record.hash,
        )


class VerifyOut(BaseModel):
    ok: bool
    checked: int = Field(description="records whose hash and link were checked")
    head_seq: int
    head_hash: str = Field(description="copy it somewhere outside the database")
    broken_seq: int | None = None
    broken: str | None = Field(None, description="what is wrong with the first broken record")
