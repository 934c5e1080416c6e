"""A dispute's page at `/mediation/disputes/{id}`: its facts, parties (masked), sessions and
outcome, the case it was referred to with that case's state, and for community staff the
forms that record a session, the outcome, or refer it to a department (one case in the loop,
linked both ways). Each form posts, takes its step through the services the API uses, and
comes back to the page: refused, with the reason and nothing saved. No script."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from onegrid.cases import service as cases
from onegrid.core.access import require
from onegrid.core.errors import DomainError, Invalid, NotFound
from onegrid.core.inputs import Id
from onegrid.core.permissions import Permission, Principal
from onegrid.core.pii import PiiKind, mask
from onegrid.db import DbSession, WritingSession
from onegrid.mediation import catalogue, records, service
from onegrid.mediation.flows import ENDS, Event, refer, transition
from onegrid.mediation.models import Dispute, DisputeState
from onegrid.web.admin import errors_of, forget_refused, local
from onegrid.web.case_display import state_label
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings, pick

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, require(Permission.MEDIATION_READ)]
Writer = Annotated[Principal, require(Permission.MEDIATION_WRITE)]
Text = Annotated[str, Form(max_length=2000)]
Short = Annotated[str, Form(max_length=50)]
_FIELDS = ("mediator", "note", "outcome", "outcome_note", "category_code")
_DONE = {"session", "agree", "fail", "refer"}


def _case(request: Request, session: Session, who: Principal, dispute: Dispute, lang: str):
    if dispute.case_id is None:
        return None
    try:
        case = cases.get(session=session, case_id=dispute.case_id, scope=who.scope)
    except NotFound:
        return None
    return {
        "receipt": case.receipt,
        "state": case.state,
        "state_label": state_label(case.state, lang),
        "href": f"{root(request)}/cases/{case.id}?lang={lang}"
        if who.can(Permission.CASES_READ)
        else None,
    }


def _show(
    request: Request,
    session: Session,
    who: Principal,
    dispute_id: int,
    lang: str,
    errors: dict | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    dispute = service.get_dispute(session=session, dispute_id=dispute_id, scope=who.scope)
    point = service.get_point(session=session, point_id=dispute.point_id, scope=who.scope)
    state = DisputeState(dispute.state)
    t = pick(STRINGS, lang)
    context = {
        **header_context(request, session, who, lang),
        "dispute": dispute,
        "point": point,
        "state_label": catalogue.label(catalogue.STATE_NAMES, dispute.state, lang),
        "type_label": catalogue.label(catalogue.ISSUE_TYPES, dispute.issue_type, lang),
        "opened": local(dispute.opened_at),
        "closed": local(dispute.closed_at) if dispute.closed_at else None,
        "parties": [
            {
                "side": catalogue.label(catalogue.SIDE_NAMES, p.side, lang),
                "name": p.name,
                "phone": mask(PiiKind.PHONE, p.phone),
            }
            for p in service.parties(session=session, dispute=dispute)
        ],
        "sittings": [
            {"at": local(s.held_at), "mediator": s.mediator, "note": s.note}
            for s in service.sessions(session=session, dispute=dispute)
        ],
        "case": _case(request, session, who, dispute, lang),
        "can_write": who.can(Permission.MEDIATION_WRITE) and state not in ENDS,
        "can_agree": state == DisputeState.MEDIATING,
        # A failed mediation may still go to a department.
        "can_refer": who.can(Permission.MEDIATION_WRITE)
        and state != DisputeState.AGREED
        and state != DisputeState.REFERRED,
        "default_category": catalogue.REFERRAL_CATEGORY.get(dispute.issue_type) or "",
        "errors": errors or {},
        "done": t[f"done_{done}"] if done in _DONE else None,
        "action": f"{root(request)}/mediation/disputes/{dispute.id}",
        "back": f"{root(request)}/mediation?lang={lang}",
    }
    records.read(session, request, who, dispute, page="dispute")
    return render(request, "mediation_dispute.html", lang, STRINGS, context, status=status)


@router.get("/mediation/disputes/{dispute_id}", response_class=HTMLResponse)
def dispute_page(
    dispute_id: Id,
    request: Request,
    session: DbSession,
    who: Reader,
    lang: Lang = None,
    done: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """One dispute: its parties (masked), sessions, outcome and the case it was referred to."""
    return _show(request, session, who, dispute_id, language(request, lang), done=done)


def _step(request: Request, session: Session, who: Principal, dispute_id: int, lang, step, done):
    """Takes a form's step on the dispute and comes back to its page, or shows why not."""
    try:
        dispute = service.get_dispute(
            session=session, dispute_id=dispute_id, scope=who.scope, to_change=True
        )
        step(dispute)
    except DomainError as error:
        if isinstance(error, NotFound) and "field" not in error.detail:
            raise  # outside the scope too: the error page, as for a dispute that does not exist
        forget_refused(session)
        errors = errors_of(error, lang, _FIELDS)
        return _show(request, session, who, dispute_id, lang, errors=errors, status=422)
    href = f"{root(request)}/mediation/disputes/{dispute_id}?lang={lang}&done={done}"
    return RedirectResponse(href, status_code=303)


@router.post("/mediation/disputes/{dispute_id}/sessions", response_class=HTMLResponse)
def add_session(
    dispute_id: Id,
    request: Request,
    session: WritingSession,
    who: Writer,
    mediator: Short = "",
    note: Text = "",
    lang: Lang = None,
) -> Response:
    """Records a mediation session (the first starts the mediation)."""

    def step(dispute: Dispute) -> None:
        service.record_session(
            session=session, dispute=dispute, who=who, mediator=mediator, note=note
        )

    return _step(request, session, who, dispute_id, language(request, lang), step, "session")


@router.post("/mediation/disputes/{dispute_id}/outcome", response_class=HTMLResponse)
def outcome(
    dispute_id: Id,
    request: Request,
    session: WritingSession,
    who: Writer,
    outcome: Short = "",
    outcome_note: Text = "",
    lang: Lang = None,
) -> Response:
    """Records an agreement (协议) or a failure."""
    events = {"agreed": Event.AGREE, "failed": Event.FAIL}

    def step(dispute: Dispute) -> None:
        if outcome not in events:
            raise Invalid("请选择调解结果", "choose the outcome", field="outcome")
        note = outcome_note.strip() or None
        transition(session=session, dispute=dispute, event=events[outcome], who=who, note=note)

    done = events[outcome].value if outcome in events else "none"
    return _step(request, session, who, dispute_id, language(request, lang), step, done)


@router.post("/mediation/disputes/{dispute_id}/refer", response_class=HTMLResponse)
def refer_dispute(
    dispute_id: Id,
    request: Request,
    session: WritingSession,
    who: Writer,
    category_code: Short = "",
    lang: Lang = None,
) -> Response:
    """Refers the dispute to a department: one case in the loop, linked both ways."""

    def step(dispute: Dispute) -> None:
        refer(session=session, dispute=dispute, who=who, category_code=category_code or None)

    return _step(request, session, who, dispute_id, language(request, lang), step, "refer")


STRINGS: Strings = {
    "title": ("纠纷 #{id}", "Dispute #{id}"),
    "back": ("返回评理说事", "Back to mediation"),
    "fact_point": ("评理说事点", "Mediation point"),
    "fact_type": ("纠纷类型", "Issue type"),
    "fact_summary": ("纠纷概要", "Summary"),
    "fact_opened": ("登记时间", "Registered"),
    "fact_closed": ("办结时间", "Closed"),
    "fact_outcome": ("调解结果说明", "Outcome"),
    "fact_case": ("转办案件", "Referred case"),
    "case_state": ("案件状态：{state}", "case state: {state}"),
    "parties_heading": ("当事人", "Parties"),
    "sessions_heading": ("调解记录", "Mediation sessions"),
    "no_sessions": ("尚未调解。", "No session yet."),
    "session_heading": ("记录一次调解", "Record a session"),
    "mediator": ("调解员", "Mediator"),
    "note": ("调解情况", "What was said and agreed"),
    "record": ("记录", "Record"),
    "outcome_heading": ("调解结果", "Outcome"),
    "outcome": ("结果", "Outcome"),
    "outcome_agreed": ("达成协议", "Agreement reached"),
    "outcome_failed": ("调解不成", "Mediation failed"),
    "outcome_note": ("协议内容或说明（可选）", "The agreement or a note (optional)"),
    "save_outcome": ("保存结果", "Save the outcome"),
    "refer_heading": ("需要部门解决", "Needs a department"),
    "refer_note": (
        "转为案件进入闭环处置，由指挥中心派遣部门；纠纷与案件互相关联。",
        "Opens a case in the loop for the command centre to dispatch; the dispute and the "
        "case link to each other.",
    ),
    "category_code": ("案件类别代码", "Case category code"),
    "refer": ("转为案件", "Refer as a case"),
    "done_session": ("已记录调解", "Session recorded"),
    "done_agree": ("已记录：达成协议", "Recorded: agreement reached"),
    "done_fail": ("已记录：调解不成", "Recorded: mediation failed"),
    "done_refer": ("已转为案件", "Referred as a case"),
}
