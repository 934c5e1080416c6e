"""Audit records of what a principal did, with the request's source address."""

from fastapi import Request
from sqlalchemy.orm import Session

from onegrid.audit import service as audit
from onegrid.core.permissions import Principal


def _source(request: Request | None) -> str:
    return request.client.host if request is not None and request.client else "cli"


def record(
    session: Session,
    request: Request | None,
    principal: Principal,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    outcome: str = "success",
    detail: dict | None = None,
    district_code: str | None = None,
) -> None:
    """Records an event in the caller's transaction: it commits with the write it describes."""
    audit.record_by(
        session=session,
        who=principal,
        district_code=district_code or principal.scope.district_code or "000000",
        source=_source(request),
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        detail=detail,
    )


def record_refusal(
    session: Session,
    request: Request | None,
    principal: Principal,
    action: str,
    *,
    detail: dict | None = None,
    district_code: str | None = None,
) -> None:
    """Records a refused attempt and commits it, so the request's failure does not undo it.

    Refusals come before the request writes anything, so the commit carries only this record
    (and at most the sign-in's touch of the session's last use).
    """
    record(
        session,
        request,
        principal,
        action,
        outcome="denied",
        detail=detail,
        district_code=district_code,
    )
    session.commit()
