"""Cases API: intake, lists and one case, transitions, timeline, evidence, receipts."""

import json
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, File, Header, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from onegrid.audit import auditing
from onegrid.cases import batch, exporting, intake, queue, service, submissions
from onegrid.cases import evidence as evidence_files
from onegrid.cases import public as public_view
from onegrid.cases.flows import transition
from onegrid.cases.machine import STATE_NAMES, Action
from onegrid.cases.models import Case, Channel, State
from onegrid.cases.schemas import (
    BulkError,
    BulkIn,
    BulkOut,
    BulkResult,
    CaseIn,
    CaseList,
    CaseOut,
    EventOut,
    EvidenceOut,
    PublicCaseOut,
    RatingIn,
    Receipt,
    TransitionIn,
)
from onegrid.config import get_settings
from onegrid.core import exports
from onegrid.core.access import public, require, source_of
from onegrid.core.errors import Invalid, NotFound
from onegrid.core.i18n import pick_language
from onegrid.core.inputs import Id
from onegrid.core.permissions import Permission, Principal
from onegrid.core.pii import PiiKind, mask
from onegrid.core.problems import request_language
from onegrid.core.workcalendar import get_calendar
from onegrid.db import DbSession, StreamingSession, WritingSession
from onegrid.db.base import utcnow
from onegrid.territory.models import Department

router = APIRouter(tags=["cases"])
Anyone = Annotated[Principal, public()]
Intaker = Annotated[Principal, require(Permission.CASES_INTAKE)]
Reader = Annotated[Principal, require(Permission.CASES_READ)]
Commander = Annotated[Principal, require(Permission.CASES_COMMAND)]


def _receipt_of(session: Session, who: Principal, case_id: int | None) -> str | None:
    return service.receipt_if_readable(session=session, who=who, case_id=case_id)


def case_out(session: Session, case: Case, who: Principal) -> CaseOut:
    """Returns the staff view of a case: personal data masked, the receipts of other cases
    only if the reader may read them."""
    department = session.get(Department, case.department_id) if case.department_id else None
    light = None
    if case.stage_deadline is not None:
        light = get_calendar().light(case.stage_started_at, case.stage_deadline, utcnow()).value
    return CaseOut(
        id=case.id,
        receipt=case.receipt,
        state=case.state,
        state_name=STATE_NAMES[State(case.state)],
        channel=case.channel,
        category_code=case.category_code,
        description=case.description,
        address=case.address,
        lon=case.lon,
        lat=case.lat,
        grid_code=case.grid_code,
        department=department.code if department else None,
        received_at=case.received_at,
        stage=case.stage,
        stage_deadline=case.stage_deadline,
        light=light,
        escalation_level=case.escalation_level,
        overdue=case.overdue,
        pending=case.pending,
        rating=case.rating,
        callback_wanted=case.callback_wanted,
        duplicate_of=_receipt_of(session, who, case.duplicate_of_id),
        merged_into=_receipt_of(session, who, case.merged_into_id),
        reporter_name=case.reporter_name,
        reporter_phone=mask(PiiKind.PHONE, case.reporter_phone),
        attributes=json.loads(case.attributes) if case.attributes else None,
    )


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="a key of your own (e.g. a UUID) for this report: sent again with the same"
        " report it answers 200 with the first receipt, with another report 409",
    ),
]


def _enter(
    session: Session,
    report: intake.Report,
    who: Principal,
    request: Request,
    response: Response,
    key: str | None,
    *,
    public: bool,
) -> Receipt:
    """Opens the case (or answers again what the key opened) and returns its receipt once
    the case is on disk (submissions.submit)."""
    entry = intake.Entry(report=report, who=who, source=source_of(request), public=public)
    submission = submissions.Submission(key=submissions.check_key(key), entry=entry)
    submitted = submissions.submit(session=session, submission=submission)
    if submitted.replayed:
        response.status_code = 200
    return submitted.receipt


_ENTERED = {200: {"description": "the same report sent again with its Idempotency-Key"}}


@router.post(
    "/cases",
    response_model=Receipt,
    status_code=201,
    responses=_ENTERED,
    summary="Enter a case (staff)",
)
def create_case(
    body: CaseIn,
    request: Request,
    response: Response,
    session: WritingSession,
    who: Intaker,
    idempotency_key: IdempotencyKey = None,
) -> Receipt:
    channel = body.channel or intake.default_channel(who)
    report = intake.report_of(body, channel)
    return _enter(session, report, who, request, response, idempotency_key, public=False)


@router.post(
    "/public/cases",
    response_model=Receipt,
    status_code=201,
    responses=_ENTERED,
    summary="Report a problem (citizen)",
)
def report_case(
    body: CaseIn,
    request: Request,
    response: Response,
    session: WritingSession,
    who: Anyone,
    idempotency_key: IdempotencyKey = None,
) -> Receipt:
    report = intake.report_of(body, Channel.CITIZEN)
    return _enter(session, report, who, request, response, idempotency_key, public=True)


def _check_search(filters: service.Filters) -> None:
    if filters.q is not None and len(filters.q) > queue.MAX_QUERY:
        raise Invalid(
            f"搜索词最多 {queue.MAX_QUERY} 个字",
            f"q holds at most {queue.MAX_QUERY} characters",
            field="q",
        )


@router.get("/cases", response_model=CaseList, summary="Cases in your scope")
def list_cases(
    request: Request,
    session: DbSession,
    who: Reader,
    filters: Annotated[service.Filters, Depends()],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    after: Annotated[
        str | None,
        Query(max_length=200, description="the next_after of the page before (keyset paging)"),
    ] = None,
) -> CaseList:
    if after and offset:
        raise Invalid(
            "after 与 offset 不能同时使用", "give after or offset, not both", field="after"
        )
    _check_search(filters)
    keyset = queue.after_clause(after) if after else None
    cases, total = service.list_in_scope(
        session=session, scope=who.scope, filters=filters, limit=limit, offset=offset, after=keyset
    )
    seen = (offset if not after else 0) + len(cases)
    more = len(cases) == limit and (after is not None or seen < total)
    page = CaseList(
        items=[case_out(session, c, who) for c in cases],
        total=total,
        limit=limit,
        offset=offset,
        next_after=queue.cursor_of(cases[-1]) if more and cases else None,
    )
    query = {k: v for k, v in asdict(filters).items() if v is not None}
    auditing.record_read(
        session,
        request,
        who,
        "case.list",
        object_type="case",
        detail={
            "query": query,
            "limit": limit,
            "offset": offset,
            "after": after,
            "count": len(page.items),
        },
    )
    return page


_EXPORTED = {
    200: {
        "description": "the file, streamed: CSV (UTF-8 with BOM) or XLSX; personal data masked",
        "content": {media: {} for media in exports.MEDIA_TYPES.values()},
    }
}


@router.get("/cases/export", summary="Export the cases in your scope", responses=_EXPORTED)
def export_cases(
    request: Request,
    session: StreamingSession,
    who: Reader,
    filters: Annotated[service.Filters, Depends()],
    format: Annotated[exports.Format, Query(description="csv or xlsx")],
    lang: Annotated[str | None, Query(pattern="^(zh|en)$")] = None,
):
    """Every case `GET /cases` would list with these filters, as one file, in its order."""
    _check_search(filters)
    query = {k: str(v) for k, v in asdict(filters).items() if v is not None}
    return exports.stream(
        columns=exporting.COLUMNS,
        rows=exporting.rows(session=session, scope=who.scope, filters=filters),
        format=format,
        name=exports.filename("cases", exports.scope_name(who.scope), exports.today(), format),
        lang=pick_language(lang, request.headers.get("accept-language")),
        sheet="cases",
        finished=auditing.export_recorder(
            session, request, who, "case", query=query, format=format.value
        ),
    )


@router.get("/cases/{case_id}", response_model=CaseOut, summary="One case")
def get_case(case_id: Id, request: Request, session: DbSession, who: Reader) -> CaseOut:
    case = service.get(session=session, case_id=case_id, scope=who.scope)
    out = case_out(session, case, who)
    _read(session, request, who, "case.read", case)
    return out


def _read(session: Session, request: Request, who: Principal, action: str, case: Case, **detail):
    """Records that this response carries the case's personal data (its reporter, notes)."""
    auditing.record_read(
        session,
        request,
        who,
        action,
        object_type="case",
        object_id=case.id,
        detail={"receipt": case.receipt, **detail},
        district_code=case.district_code,
    )


@router.get("/cases/{case_id}/timeline", response_model=list[EventOut], summary="Its timeline")
def get_timeline(case_id: Id, request: Request, session: DbSession, who: Reader) -> list[EventOut]:
    case = service.get(session=session, case_id=case_id, scope=who.scope)
    events = [
        EventOut(
            id=e.id,
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            actor_role=e.actor_role,
            action=e.action,
            from_state=e.from_state,
            to_state=e.to_state,
            note=e.note,
            data=_readable(session, who, json.loads(e.data)) if e.data else None,
        )
        for e in service.timeline(session=session, case=case)
    ]
    _read(session, request, who, "case.timeline.read", case, events=len(events))
    return events


# An event's data naming another case by its receipt: a suggested duplicate, a merge's target.
_OTHER_CASE = ("duplicate_of", "into")


def _readable(session: Session, who: Principal, data):
    """The event's data, another case's receipt left out unless the reader may read it."""
    if isinstance(data, dict):
        for key in _OTHER_CASE:
            if isinstance(data.get(key), str):
                data[key] = service.receipt_if_readable(session=session, who=who, receipt=data[key])
    return data


@router.post(
    "/cases/{case_id}/transitions", response_model=CaseOut, summary="Take an action on a case"
)
def take_action(
    case_id: Id, body: TransitionIn, request: Request, session: WritingSession, who: Reader
) -> CaseOut:
    case = service.get(session=session, case_id=case_id, scope=who.scope, to_change=True)
    transition(
        session=session,
        case=case,
        action=body.action,
        who=who,
        note=body.note,
        data=body.data,
        evidence_ids=body.evidence_ids,
        source=source_of(request),
    )
    return case_out(session, case, who)


@router.post(
    "/cases/bulk",
    response_model=BulkOut,
    summary="Take one action on many cases (dispatch, void, merge)",
    description="Each case in its own transaction: one refused leaves the others taken;"
    " the answer names what became of each.",
)
def take_bulk(body: BulkIn, request: Request, session: WritingSession, who: Commander) -> BulkOut:
    action = Action(body.action)
    outcomes = batch.take(
        session=session,
        who=who,
        case_ids=body.case_ids,
        action=action,
        note=body.note,
        data=batch.data_of(action, body.department_code, body.into),
        source=source_of(request),
    )
    lang = request_language(request)
    results = [
        BulkResult(
            case_id=o.case_id,
            receipt=o.receipt,
            ok=o.ok,
            state=o.state,
            error=BulkError(kind=o.error.kind, message=o.error.message(lang)) if o.error else None,
        )
        for o in outcomes
    ]
    taken = sum(r.ok for r in results)
    return BulkOut(results=results, taken=taken, refused=len(results) - taken)


def _evidence_out(row) -> EvidenceOut:
    return EvidenceOut(
        id=row.id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        uploaded_at=row.uploaded_at,
    )


@router.post(
    "/cases/{case_id}/evidence",
    response_model=EvidenceOut,
    status_code=201,
    summary="Attach a photo or PDF",
)
async def upload_evidence(
    case_id: Id, session: WritingSession, who: Reader, file: Annotated[UploadFile, File()]
) -> EvidenceOut:
    data = await file.read(get_settings().evidence_max_bytes + 1)
    # The database part in a worker thread, as a sync route's: waiting for the write lock
    # must not hold up the server's event loop.
    return await run_in_threadpool(_store_evidence, session, who, case_id, file.filename, data)


def _store_evidence(
    session: Session, who: Principal, case_id: int, filename: str | None, data: bytes
) -> EvidenceOut:
    # Checked and re-encoded before the write lock is taken: decoding a photo takes a while.
    upload = evidence_files.prepare(filename=filename or "", data=data)
    case = service.get(session=session, case_id=case_id, scope=who.scope, to_change=True)
    return _evidence_out(evidence_files.store(session=session, case=case, upload=upload, who=who))


@router.get("/cases/{case_id}/evidence", response_model=list[EvidenceOut], summary="Its files")
def list_evidence(case_id: Id, session: DbSession, who: Reader) -> list[EvidenceOut]:
    case = service.get(session=session, case_id=case_id, scope=who.scope)
    return [_evidence_out(r) for r in service.evidence(session=session, case=case)]


@router.get("/cases/{case_id}/evidence/{evidence_id}", summary="One file")
def get_evidence(
    case_id: Id, evidence_id: Id, request: Request, session: DbSession, who: Reader
) -> Response:
    case = service.get(session=session, case_id=case_id, scope=who.scope)
    row = next(
        (r for r in service.evidence(session=session, case=case) if r.id == evidence_id), None
    )
    if row is None:
        raise NotFound(f"没有证据 {evidence_id}", f"no evidence {evidence_id}")
    content = evidence_files.read(row)
    _read(session, request, who, "case.evidence.read", case, evidence_id=row.id)
    return Response(
        content, media_type=row.content_type, headers=evidence_files.download_headers(row)
    )


def _public(view: public_view.PublicCase) -> PublicCaseOut:
    """The receipt's view as the API gives it: the receipt asked about (after a merge, never
    the surviving case's, which is another reporter's) and the steps the public sees."""
    return PublicCaseOut(
        receipt=view.receipt,
        state=view.state,
        state_name=STATE_NAMES[State(view.state)],
        category_code=view.category_code,
        received_at=view.received_at,
        closed_at=view.closed_at,
        rating=view.rating,
        can_rate=view.can_rate,
        reported_before=view.reported_before,
        steps=[
            {
                "action": step.action,
                "at": step.at.isoformat(),
                "state": step.state,
                "department": step.department and step.department.zh,
                "department_en": step.department and step.department.en,
            }
            for step in view.steps
        ],
    )


@router.get("/receipts/{receipt}", response_model=PublicCaseOut, summary="Follow a case")
def follow(receipt: str, session: DbSession, who: Anyone) -> PublicCaseOut:
    return _public(public_view.view(session=session, receipt=receipt))


@router.post("/receipts/{receipt}/rating", response_model=PublicCaseOut, summary="Rate a case")
def rate(
    receipt: str, body: RatingIn, request: Request, session: WritingSession, who: Anyone
) -> PublicCaseOut:
    public_view.rate(
        session=session,
        receipt=receipt,
        rating=body.rating,
        comment=body.comment,
        who=who,
        source=source_of(request),
    )
    return _public(public_view.view(session=session, receipt=receipt))
