"""The audit admin's API: read the district's log and check its hash chain."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request

from onegrid.audit import auditing, chain, service
from onegrid.audit.schemas import RecordOut, VerifyOut
from onegrid.config import get_settings
from onegrid.core.access import require
from onegrid.core.errors import NotFound
from onegrid.core.i18n import pick_language
from onegrid.core.inputs import Moment
from onegrid.core.permissions import Permission, Principal
from onegrid.db import DbSession

router = APIRouter(tags=["audit"])
Auditor = Annotated[Principal, require(Permission.AUDIT_READ)]


@router.get("/audit", response_model=list[RecordOut], summary="The district's audit records")
def list_records(
    request: Request,
    session: DbSession,
    who: Auditor,
    action: str | None = None,
    actor: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[RecordOut]:
    records = service.list_records(
        session=session,
        district_code=who.scope.district_code,
        since=since,
        until=until,
        action=action,
        actor=actor,
        limit=limit,
        offset=offset,
    )
    result = [RecordOut.of(r) for r in records]
    # Reading the log is itself a sensitive read.
    auditing.record_read(
        session,
        request,
        who,
        "audit.read",
        object_type="audit_log",
        detail={"action": action, "actor": actor, "count": len(result)},
    )
    return result


@router.get("/audit/verify", response_model=VerifyOut, summary="Check the hash chain")
def verify(request: Request, session: DbSession, who: Auditor) -> VerifyOut:
    try:
        report = chain.verify(
            session=session,
            district_code=who.scope.district_code,
            checkpoint_dir=Path(get_settings().audit_checkpoint_dir),
        )
    except NotFound:  # nothing recorded yet: an empty chain is intact
        return VerifyOut(ok=True, checked=0, head_seq=0, head_hash="0" * 64)
    lang = pick_language(request.query_params.get("lang"), request.headers.get("accept-language"))
    district = report.districts[0] if report.districts else None
    broken = report.first_broken
    return VerifyOut(
        ok=report.ok,
        checked=district.checked if district else 0,
        head_seq=district.head_seq if district else 0,
        head_hash=district.head_hash if district else "0" * 64,
        broken_seq=broken.seq if broken else None,
        broken=(broken.en if lang == "en" else broken.zh) if broken else None,
    )
