"""Reveal API: the clear value of one masked field, for a stated purpose, always audited."""

from typing import Annotated

from fastapi import APIRouter, Request, Response

from onegrid.audit import auditing
from onegrid.core.access import require
from onegrid.core.errors import NotFound
from onegrid.core.permissions import Permission, Principal
from onegrid.db import WritingSession
from onegrid.pii import service
from onegrid.pii.schemas import RevealIn, RevealOut

router = APIRouter(tags=["pii"])


@router.post(
    "/pii/reveal",
    response_model=RevealOut,
    summary="Reveal one masked personal field, for a stated purpose (audited)",
    responses={404: {"description": "no such object within your scope"}},
)
def reveal(
    body: RevealIn,
    request: Request,
    response: Response,
    session: WritingSession,
    who: Annotated[Principal, require(Permission.PII_REVEAL)],
) -> RevealOut:
    detail = {"field": body.field, "purpose": body.purpose}
    try:
        if body.object_type.startswith("mediation_") and not who.can(Permission.MEDIATION_READ):
            # As for an object outside the scope: nothing tells them apart.
            raise NotFound(f"没有编号为 {body.object_id} 的记录", f"no record {body.object_id}")
        revealed = service.reveal(
            session=session,
            scope=who.scope,
            object_type=body.object_type,
            object_id=body.object_id,
            field=body.field,
        )
    except NotFound:
        auditing.record_refusal(
            session,
            request,
            who,
            "pii.reveal",
            detail={**detail, "object_type": body.object_type, "object_id": body.object_id},
        )
        raise
    auditing.record(
        session,
        request,
        who,
        "pii.reveal",
        object_type=body.object_type,
        object_id=str(body.object_id),
        detail=detail,
        district_code=revealed.district_code,
    )
    response.headers["Cache-Control"] = "no-store"
    return RevealOut(
        object_type=body.object_type,
        object_id=body.object_id,
        field=body.field,
        value=revealed.value,
        masked=revealed.masked,
    )
