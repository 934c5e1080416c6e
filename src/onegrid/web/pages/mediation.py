"""评理说事 (mediation) at `/mediation`: the disputes of my area counted by state and by issue
type (a leader sees these counts alone, never a name), my points with their "九个一"
checklist, the latest disputes, and a form to register one; a point's page at
`/mediation/points/{id}` shows and saves its checklist. The dispute's own page:
web/pages/mediation_dispute.py. No script: links, lists and forms."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from onegrid.audit import auditing
from onegrid.core.access import require
from onegrid.core.errors import DomainError, NotFound
from onegrid.core.inputs import Id
from onegrid.core.permissions import Permission, Principal
from onegrid.db import DbSession, WritingSession
from onegrid.mediation import catalogue, records, service
from onegrid.mediation.models import Side
from onegrid.web.admin import errors_of, forget_refused, local
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings

router = APIRouter(include_in_schema=False)
Counter = Annotated[Principal, require(Permission.MEDIATION_COUNT)]
Reader = Annotated[Principal, require(Permission.MEDIATION_READ)]
Writer = Annotated[Principal, require(Permission.MEDIATION_WRITE)]
Text = Annotated[str, Form(max_length=2000)]
Short = Annotated[str, Form(max_length=50)]
# The service names a party's field by its place in the list; the form by its side.
_PARTY_FIELDS = {
    "parties.0.name": "applicant_name",
    "parties.0.phone": "applicant_phone",
    "parties.1.name": "respondent_name",
    "parties.1.phone": "respondent_phone",
}
_FORM_FIELDS = ("point_id", "issue_type", "summary", *_PARTY_FIELDS.values())


def _counts(session: Session, who: Principal, lang: str) -> dict:
    counted = service.counts(session=session, scope=who.scope)
    return {
        "total": counted.total,
        "points": counted.points,
        "by_state": [
            (state, catalogue.label(catalogue.STATE_NAMES, state, lang), n)
            for state, n in counted.by_state.items()
        ],
        "by_type": [
            (issue, catalogue.label(catalogue.ISSUE_TYPES, issue, lang), n)
            for issue, n in counted.by_type.items()
        ],
    }


def dispute_row(request: Request, dispute, lang: str) -> dict:
    """A dispute as a list shows it: no party's name, the summary masked."""
    return {
        "id": dispute.id,
        "href": f"{root(request)}/mediation/disputes/{dispute.id}?lang={lang}",
        "state": dispute.state,
        "state_label": catalogue.label(catalogue.STATE_NAMES, dispute.state, lang),
        "type_label": catalogue.label(catalogue.ISSUE_TYPES, dispute.issue_type, lang),
        "summary": dispute.summary,
        "opened": local(dispute.opened_at)[:10],  # the day on the district's wall clock
    }


def _overview(
    request: Request,
    session: Session,
    who: Principal,
    lang: str,
    errors: dict | None = None,
    values: dict | None = None,
    status: int = 200,
) -> Response:
    context = {**header_context(request, session, who, lang), **_counts(session, who, lang)}
    if who.can(Permission.MEDIATION_READ):
        rows, total = service.list_disputes(session=session, scope=who.scope)
        points = service.list_points(session=session, scope=who.scope)
        context |= {
            "disputes": [dispute_row(request, d, lang) for d in rows],
            "disputes_total": total,
            "point_rows": [
                {
                    "id": p.id,
                    "name": p.name,
                    "done": done,
                    "href": f"{root(request)}/mediation/points/{p.id}?lang={lang}",
                }
                for p, done in points
            ],
        }
        auditing.record_read(
            session, request, who, "mediation.list", detail={"count": len(rows), "page": "list"}
        )
    context |= {
        "can_write": who.can(Permission.MEDIATION_WRITE),
        "issue_types": [
            (k, catalogue.label(catalogue.ISSUE_TYPES, k, lang)) for k in catalogue.ISSUE_TYPES
        ],
        "errors": errors or {},
        "values": values or {},
        "nine": len(catalogue.NINE_ITEMS),
    }
    return render(request, "mediation.html", lang, STRINGS, context, status=status)


@router.get("/mediation", response_class=HTMLResponse)
def overview(request: Request, session: DbSession, who: Counter, lang: Lang = None) -> Response:
    """My area's disputes by state and type; my points and latest disputes if I may read them."""
    return _overview(request, session, who, language(request, lang))


@router.post("/mediation/disputes", response_class=HTMLResponse)
def register(
    request: Request,
    session: WritingSession,
    who: Writer,
    point_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    issue_type: Short = "",
    summary: Text = "",
    applicant_name: Short = "",
    applicant_phone: Short = "",
    respondent_name: Short = "",
    respondent_phone: Short = "",
    lang: Lang = None,
) -> Response:
    """Registers a dispute at one of my points and opens its page, or shows the form's error."""
    chosen = language(request, lang)
    parties = [service.NewParty(Side.APPLICANT, applicant_name, applicant_phone or None)]
    if respondent_name.strip():
        parties.append(service.NewParty(Side.RESPONDENT, respondent_name, respondent_phone or None))
    try:
        point = service.get_point(session=session, point_id=point_id, scope=who.scope)
        dispute = service.create_dispute(
            session=session, point=point, issue_type=issue_type, summary=summary, parties=parties
        )
    except DomainError as error:
        if isinstance(error, NotFound):
            raise  # a point outside the scope: as one that does not exist
        forget_refused(session)
        field = error.detail.get("field")
        error.detail["field"] = _PARTY_FIELDS.get(field, field)
        errors = errors_of(error, chosen, _FORM_FIELDS)
        values = {"point_id": point_id, "issue_type": issue_type, "summary": summary}
        return _overview(request, session, who, chosen, errors, values, status=422)
    records.created(session, request, who, dispute, len(parties))
    href = f"{root(request)}/mediation/disputes/{dispute.id}?lang={chosen}"
    return RedirectResponse(href, status_code=303)


def _point_page(request, session, who, point_id: int, lang: str, done: bool = False) -> Response:
    point = service.get_point(session=session, point_id=point_id, scope=who.scope)
    items = service.checklist(session=session, point=point)
    context = {
        **header_context(request, session, who, lang),
        "point": point,
        "items": [
            (item, catalogue.label(catalogue.NINE_ITEMS, item, lang), ok)
            for item, ok in items.items()
        ],
        "items_done": sum(items.values()),
        "nine": len(items),
        "can_write": who.can(Permission.MEDIATION_WRITE),
        "saved": done,
        "back": f"{root(request)}/mediation?lang={lang}",
    }
    return render(request, "mediation_point.html", lang, STRINGS, context)


@router.get("/mediation/points/{point_id}", response_class=HTMLResponse)
def point_page(
    point_id: Id, request: Request, session: DbSession, who: Reader, lang: Lang = None
) -> Response:
    """A point and its "九个一" checklist."""
    return _point_page(request, session, who, point_id, language(request, lang))


@router.post("/mediation/points/{point_id}/checklist", response_class=HTMLResponse)
def save_checklist(
    point_id: Id,
    request: Request,
    session: WritingSession,
    who: Writer,
    done: Annotated[list[str], Form(max_length=16)] = [],  # noqa: B006 (FastAPI reads it)
    lang: Lang = None,
) -> Response:
    """Saves which of the point's nine items are done."""
    chosen = language(request, lang)
    point = service.get_point(session=session, point_id=point_id, scope=who.scope)
    changed = {}
    for item in catalogue.NINE_ITEMS:
        before = service.set_item(session=session, point=point, item=item, done=item in done)
        if before != (item in done):
            changed[item] = item in done
    records.checklist(session, request, who, point, changed)
    return _point_page(request, session, who, point_id, chosen, done=True)


STRINGS: Strings = {
    "page_title": ("评理说事", "Mediation"),
    "heading": ("评理说事", "Mediation (评理说事)"),
    "motto": ("群众说事一扇门，干部解题一条龙", "One door for residents, one line of help"),
    "counts_heading": ("纠纷统计", "Disputes counted"),
    "counts_total": ("纠纷总数", "All disputes"),
    "counts_points": ("评理说事点", "Mediation points"),
    "by_state": ("按状态", "By state"),
    "by_type": ("按类型", "By type"),
    "points_heading": ("我的评理说事点", "My mediation points"),
    "items_done": ("“九个一”完成 {done}/{nine}", "九个一 checklist: {done} of {nine} done"),
    "disputes_heading": ("最近的纠纷", "Latest disputes"),
    "disputes_total": ("共 {n} 件", "{n} in all"),
    "no_disputes": ("暂无纠纷。", "No dispute yet."),
    "new_heading": ("登记纠纷", "Register a dispute"),
    "point": ("评理说事点", "Mediation point"),
    "issue_type": ("纠纷类型", "Issue type"),
    "summary": ("纠纷概要", "Summary"),
    "applicant_name": ("申请人姓名", "Applicant's name"),
    "applicant_phone": ("申请人电话", "Applicant's phone"),
    "respondent_name": ("被申请人姓名（可选）", "Respondent's name (optional)"),
    "respondent_phone": ("被申请人电话（可选）", "Respondent's phone (optional)"),
    "register": ("登记", "Register"),
    "checklist_heading": ("“九个一”标准", "The 九个一 standard"),
    "checklist_note": ("勾选已具备的项目后保存。", "Tick what the point has, then save."),
    "save": ("保存", "Save"),
    "saved": ("已保存", "Saved"),
    "back": ("返回评理说事", "Back to mediation"),
    "done_yes": ("已具备", "in place"),
    "done_no": ("未具备", "missing"),
}
