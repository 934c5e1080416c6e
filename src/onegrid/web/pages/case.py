"""The staff case page at `/cases/{id}`: the case, its photos, map, the cases nearby that may
report the same problem, its whole timeline, and a form for each action the reader's role may
take in its state (web/case_actions.py): the field's verify and check, the command centre's,
the department's and the supervisors'.

An action's form posts to `/cases/{id}/actions`, which stores its photos and takes the action in
one transaction through the services the API uses (cases/evidence, cases/flows): a refused
action leaves nothing behind. The page's script sends the form with fetch, so that a refusal
keeps the form as filled (photos too); without the script the page comes back with the reason.
"""

import json
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid import API_PREFIX
from onegrid.accounts.models import User
from onegrid.audit import auditing
from onegrid.cases import evidence as evidence_files
from onegrid.cases import service, tasks
from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.cases.models import Case, CaseEvent, Evidence, State
from onegrid.config import get_settings
from onegrid.core.access import require, source_of
from onegrid.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from onegrid.core.inputs import Id, clean_text
from onegrid.core.permissions import Permission, Principal
from onegrid.core.pii import PiiKind, mask
from onegrid.core.problems import STATUS, domain_response
from onegrid.core.workcalendar import get_calendar
from onegrid.db import DbSession, WritingSession
from onegrid.db.base import utcnow
from onegrid.mediation import service as mediation
from onegrid.territory import service as territory
from onegrid.territory.geometry import from_wkb, to_geojson
from onegrid.territory.models import Department
from onegrid.web import case_actions
from onegrid.web.case_actions import Filled
from onegrid.web.case_display import action_label, clock, state_label
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import ROLE_NAMES, Strings, pick

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, require(Permission.CASES_READ)]
MAX_PHOTOS = 6
_ACTIONS = {a.value for a in Action}


def _local(moment, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _photo_href(request: Request, case: Case, row: Evidence) -> str:
    return f"{root(request)}{API_PREFIX}/cases/{case.id}/evidence/{row.id}"


def _photos(request: Request, case: Case, rows: list[Evidence], t: dict) -> list[dict]:
    return [
        {
            "href": _photo_href(request, case, row),
            "alt": t["photo_alt"].format(n=n, name=row.filename),
            "image": row.content_type.startswith("image/"),
            "name": row.filename,
        }
        for n, row in enumerate(rows, 1)
    ]


def _step_detail(event: CaseEvent, names: dict[int, str], lang: str, t: dict) -> str:
    roles = pick(ROLE_NAMES, lang)
    role = roles.get(event.actor_role or "", event.actor_role or "")
    # Staff see who did it: the role, and the account's name (the operator's, the sweep's).
    parts = [f"{role} {names.get(event.actor_id or 0, event.actor)}".strip()]
    if event.action == Action.VERIFY.value and event.data:
        valid = json.loads(event.data).get("valid") is True
        parts.append(t["verified_valid"] if valid else t["verified_invalid"])
    if event.note:
        parts.append(t["note_said"].format(note=event.note))
    return " · ".join(parts)


def _timeline(request: Request, session: Session, case: Case, lang: str, t: dict) -> list[dict]:
    zone = ZoneInfo(get_settings().time_zone)
    rows = service.evidence(session=session, case=case)
    by_event: dict[int, list[Evidence]] = {}
    for row in rows:
        if row.event_id is not None:
            by_event.setdefault(row.event_id, []).append(row)
    events = service.timeline(session=session, case=case)
    ids = {e.actor_id for e in events if e.actor_id is not None}
    query = select(User.id, User.display_name).where(User.id.in_(sorted(ids)))
    names = {user_id: name for user_id, name in session.execute(query) if name}
    return [
        {
            "title": action_label(event.action, lang),
            "at": _local(event.at, zone),
            "iso": event.at.isoformat(),
            "detail": _step_detail(event, names, lang, t),
            "photos": [
                p for p in _photos(request, case, by_event.get(event.id, []), t) if p["image"]
            ],
        }
        for event in events
    ]


def _grid_shape(session: Session, who: Principal, case: Case) -> dict | None:
    try:
        unit = territory.get_by_code(session=session, code=case.grid_code, scope=who.scope)
    except NotFound:
        return None
    return {"name": unit.name, "geometry": to_geojson(from_wkb(unit.geometry))}


def _facts(session: Session, case: Case, lang: str, t: dict) -> dict:
    names = tasks.category_names(
        session=session, district_code=case.district_code, codes={case.category_code}, lang=lang
    )
    # Intake's routing only proposes a department: it is the case's once dispatched.
    sent = case.department_id is not None and case.dispatched_at is not None
    department = session.get(Department, case.department_id) if sent else None
    zone = ZoneInfo(get_settings().time_zone)
    anonymous = case.anonymous or not (case.reporter_name or case.reporter_phone)
    return {
        "receipt": case.receipt,
        "state": state_label(case.state, lang),
        "category": names.get(case.category_code, case.category_code),
        "category_code": case.category_code,
        "received_at": _local(case.received_at, zone),
        "description": case.description,
        "address": case.address,
        "grid_code": case.grid_code,
        "department": (department.name_en if lang == "en" else department.name)
        if department
        else None,
        "reporter": t["anonymous"] if anonymous else (case.reporter_name or ""),
        "phone": None if anonymous else mask(PiiKind.PHONE, case.reporter_phone),
        "clock": clock(case, get_calendar(), utcnow(), lang),
    }


def _show(
    request: Request,
    session: Session,
    who: Principal,
    case_id: int,
    lang: str,
    filled: Filled | None = None,
    status: int = 200,
    done: str | None = None,
) -> Response:
    header = header_context(request, session, who, lang)
    try:
        case = service.get(session=session, case_id=case_id, scope=who.scope)
    except NotFound as error:  # outside the scope too, as the API: nothing tells them apart
        context = {**header, "missing": error.message(lang), "back": _back(request, who, lang)}
        return render(request, "case.html", lang, STRINGS, context, status=404)
    t = pick(STRINGS, lang)
    forms = case_actions.forms(case, who, filled)
    names = {f["name"] for f in forms}
    context = {
        **header,
        "case_id": case.id,
        "case_version": case.version,
        "facts": _facts(session, case, lang, t),
        "photos": _photos(request, case, service.evidence(session=session, case=case), t),
        "steps": _timeline(request, session, case, lang, t),
        "forms": forms,
        # A refusal of a form the page no longer offers (the state moved on): said on top.
        "refused": filled if filled and filled.form not in names else None,
        "options": case_actions.options(session, case, who, names, lang),
        "duplicate_of": service.receipt_if_readable(
            session=session, who=who, case_id=case.duplicate_of_id
        ),
        "dispute": _dispute_link(request, session, who, case, lang),
        "done": action_label(done, lang) if done in _ACTIONS else None,
        "can_reveal": who.can(Permission.PII_REVEAL) and bool(case.reporter_phone),
        "state_names": {s.value: state_label(s.value, lang) for s in State},
        "action_url": f"{root(request)}/cases/{case.id}/actions?lang={lang}",
        "back": _back(request, who, lang),
        "max_photos": MAX_PHOTOS,
        "filled": filled,
    }
    settings = get_settings()
    script = {
        "api": root(request) + API_PREFIX,
        "csrfToken": header.get("csrf_token", ""),
        "tileUrl": settings.tile_url,
        "tileAttribution": settings.tile_attribution,
        "point": {"lon": case.lon, "lat": case.lat},
        "grid": _grid_shape(session, who, case),
        "maxPhotos": MAX_PHOTOS,
        "caseId": case.id,
    }
    auditing.record_read(
        session,
        request,
        who,
        "case.read",
        object_type="case",
        object_id=case.id,
        detail={"receipt": case.receipt, "page": "case"},
        district_code=case.district_code,
    )
    return render(request, "case.html", lang, STRINGS, context, status=status, script=script)


def _dispute_link(
    request: Request, session: Session, who: Principal, case: Case, lang: str
) -> dict | None:
    """The 评理说事 dispute this case was referred from, if the reader may read it."""
    if not who.can(Permission.MEDIATION_READ):
        return None
    dispute = mediation.dispute_of_case(session=session, case_id=case.id, scope=who.scope)
    if dispute is None:
        return None
    return {
        "href": f"{root(request)}/mediation/disputes/{dispute.id}?lang={lang}",
        "label": pick(STRINGS, lang)["dispute_label"].format(id=dispute.id),
    }


def _back(request: Request, who: Principal, lang: str) -> dict:
    if who.can(Permission.CASES_VERIFY):
        return {"href": f"{root(request)}/tasks?lang={lang}", "label_key": "back_to_tasks"}
    if who.can(Permission.CASES_COMMAND):
        return {"href": f"{root(request)}/console?lang={lang}", "label_key": "back_to_console"}
    if who.can(Permission.CASES_HANDLE):
        return {"href": f"{root(request)}/inbox?lang={lang}", "label_key": "back_to_inbox"}
    return {"href": f"{root(request)}/?lang={lang}", "label_key": "back_to_map"}


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    case_id: Id,
    request: Request,
    session: DbSession,
    who: Reader,
    lang: Lang = None,
    done: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """One case for staff: its facts, photos, timeline and the actions open to the reader."""
    return _show(request, session, who, case_id, language(request, lang), done=done)


def _uploads(photos: list[UploadFile]) -> list[evidence_files.Upload]:
    chosen = [p for p in photos if p.filename or p.size]
    if len(chosen) > MAX_PHOTOS:
        raise Invalid(
            f"最多上传 {MAX_PHOTOS} 张照片", f"at most {MAX_PHOTOS} photos", field="photos"
        )
    limit = get_settings().evidence_max_bytes
    return [
        evidence_files.prepare(filename=p.filename or "", data=p.file.read(limit + 1))
        for p in chosen
    ]


def _take(
    session: Session,
    request: Request,
    who: Principal,
    case_id: int,
    filled: Filled,
    inputs: case_actions.Inputs,
    version: int | None,
    photos: list[UploadFile],
) -> Case:
    """Stores the photos and takes the chosen action, all or nothing."""
    note = clean_text(filled.note, "说明", "the note").strip()
    action, data = case_actions.action_and_data(filled.choice, note, inputs)
    uploads = _uploads(photos)  # decoded before the write lock is taken: it takes a while
    case = service.get(session=session, case_id=case_id, scope=who.scope, to_change=True)
    if version is not None and version != case.version:
        raise Conflict(
            "案件刚被他人更新，请刷新后重试",
            "the case was changed meanwhile: reload it and try again",
            changed=True,
        )
    # All or nothing: a refused action takes its photos (and their audit records) with it.
    try:
        with session.begin_nested():
            stored = [
                evidence_files.store(session=session, case=case, upload=upload, who=who)
                for upload in uploads
            ]
            transition(
                session=session,
                case=case,
                action=action,
                who=who,
                note=note or None,
                data=data,
                evidence_ids=[row.id for row in stored],
                source=source_of(request),
            )
    except DomainError as error:
        raise case_actions.about_input(error, action, note) from error
    return case


@router.post("/cases/{case_id}/actions", response_class=HTMLResponse)
def take_action(
    case_id: Id,
    request: Request,
    session: WritingSession,
    who: Reader,
    choice: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    version: Annotated[int | None, Form(ge=0, le=2**31 - 1)] = None,
    photos: Annotated[list[UploadFile] | None, File()] = None,
    category_code: Annotated[str, Form(max_length=16)] = "",
    department_code: Annotated[str, Form(max_length=32)] = "",
    into: Annotated[str, Form(max_length=32)] = "",
    duration: Annotated[str, Form(max_length=8)] = "",
    rating: Annotated[str, Form(max_length=1)] = "",
    lang: Lang = None,
) -> Response:
    """Takes the chosen action with its note, inputs and photos; answers JSON to the page's
    script, else redirects to where the reader goes next (the case, or their tasks)."""
    chosen = language(request, lang)
    wants_json = request.headers.get("accept", "").startswith("application/json")
    inputs = case_actions.Inputs(category_code, department_code, into, duration, rating)
    filled = Filled(case_actions.form_of(choice), choice, note, "", values=inputs.values())
    try:
        case = _take(session, request, who, case_id, filled, inputs, version, photos or [])
    except DomainError as error:
        # Not the reader's case, or not their role's action: the error page says so.
        if wants_json:
            return domain_response(request, error)
        if isinstance(error, NotFound | Forbidden):
            raise  # the error page, in the reader's language (web/pages/errors.py)
        filled.error = error.message(chosen)
        filled.conflict = isinstance(error, Conflict)
        filled.field = error.detail.get("field")
        status = STATUS.get(error.kind, 400)
        return _show(request, session, who, case_id, chosen, filled, status)
    field_work = filled.form in ("verify", "check") and who.can(Permission.CASES_VERIFY)
    action = case_actions.CHOICES[choice][0].value
    target = (
        f"{root(request)}/tasks?done={case.receipt}&lang={chosen}"
        if field_work
        else f"{root(request)}/cases/{case.id}?done={action}&lang={chosen}"
    )
    if wants_json:
        return JSONResponse({"receipt": case.receipt, "state": case.state, "redirect": target})
    return RedirectResponse(target, status_code=303)


STRINGS: Strings = {
    "page_title": ("案件 {receipt}", "Case {receipt}"),
    "missing_title": ("找不到案件", "Case not found"),
    "missing_hint": (
        "该案件不存在，或不在您的管辖范围内。",
        "The case does not exist, or it lies outside your scope.",
    ),
    "back_to_tasks": ("返回我的任务", "Back to my tasks"),
    "back_to_map": ("返回地图", "Back to the map"),
    "facts_title": ("案件信息", "The case"),
    "fact_receipt": ("受理编号", "Receipt"),
    "fact_state": ("状态", "State"),
    "fact_category": ("问题类别", "Category"),
    "fact_received": ("受理时间", "Received"),
    "fact_description": ("问题描述", "Description"),
    "fact_address": ("地址", "Address"),
    "fact_grid": ("所在网格", "Grid"),
    "fact_department": ("处置部门", "Department"),
    "fact_reporter": ("报告人", "Reporter"),
    "anonymous": ("匿名", "anonymous"),
    "no_address": ("未填写", "not given"),
    "map_title": ("位置", "Where"),
    "map_label": ("案件位置地图", "Map of the case's place"),
    "photos_title": ("照片", "Photos"),
    "photo_alt": ("照片 {n}：{name}", "Photo {n}: {name}"),
    "no_photos": ("暂无照片", "No photos yet"),
    "timeline_title": ("办理过程", "Timeline"),
    "verified_valid": ("核实结果：属实", "found valid"),
    "verified_invalid": ("核实结果：不属实", "found not valid"),
    "note_said": ("说明：{note}", "note: {note}"),
    "actions_title": ("可执行的操作", "What you can do"),
    "no_actions": (
        "在案件当前状态下，您的角色没有可执行的操作。",
        "Your role has no action to take on the case in its present state.",
    ),
    "action_done": ("已完成：{action}", "Done: {action}"),
    "back_to_console": ("返回指挥中心工作台", "Back to the console"),
    "back_to_inbox": ("返回部门待办", "Back to the inbox"),
    "fact_duplicate_of": ("疑似重复", "Possibly the same as"),
    "fact_dispute": ("来自评理说事", "Referred from mediation"),
    "dispute_label": ("纠纷 #{id}", "Dispute #{id}"),
    "nearby_title": ("附近的同类案件", "Same category nearby"),
    "no_nearby": (
        "附近同一时段没有同类的未结案件。",
        "No open case of this category nearby at about this time.",
    ),
    "reveal_button": ("查看完整号码", "Show the number"),
    "reveal_purpose_placeholder": ("例如：联系报告人核实现场情况", "e.g. call the reporter back"),
    "reveal_error": ("无法查看：{detail}", "Not shown: {detail}"),
    "form_verify": ("现场核实", "Verify on site"),
    "form_check": ("现场核查", "Check on site"),
    "form_request_verify": ("派网格员核实", "Ask a grid worker to verify"),
    "form_open": ("立案", "Open the case"),
    "form_dispatch": ("派遣", "Dispatch"),
    "form_extension": ("审批延期申请", "Decide on the extension"),
    "form_park": ("审批挂账申请", "Decide on parking"),
    "form_unpark": ("恢复处置", "Resume handling"),
    "form_feedback": ("反馈处置结果", "Report the handling"),
    "form_return": ("回退", "Return to the command centre"),
    "form_request_extension": ("申请延期", "Ask for an extension"),
    "form_request_park": ("申请挂账", "Ask to park"),
    "form_evaluate": ("代为评价", "Rate for the caller"),
    "form_merge": ("合并到其他案件", "Merge into another case"),
    "form_void": ("作废", "Void"),
    "form_supervise": ("督办", "Supervise"),
    "result_verify": ("核实结果", "Result of the verification"),
    "result_check": ("核查结果", "Result of the check"),
    "result_extension": ("审批结果", "Decision"),
    "result_park": ("审批结果", "Decision"),
    "choice_verify_valid": ("属实：问题存在", "Valid: the problem is there"),
    "choice_verify_invalid": ("不属实：问题不存在", "Not valid: there is no such problem"),
    "choice_check_pass": ("通过：已处置好，结案", "Pass: handled well, close it"),
    "choice_check_fail": ("不通过：返工", "Fail: back to the department"),
    "choice_approve_extension": ("批准延期", "Approve the extension"),
    "choice_reject_extension": ("驳回延期", "Refuse the extension"),
    "choice_approve_park": ("批准挂账", "Approve parking"),
    "choice_reject_park": ("驳回挂账", "Refuse parking"),
    "note_label": ("说明", "Note"),
    "note_void": ("作废原因", "Why it is voided"),
    "note_return": ("回退原因", "Why it comes back"),
    "note_feedback": ("处置结果", "What was done"),
    "note_request_extension": ("延期理由", "Why more time is needed"),
    "note_request_park": ("挂账理由", "Why it must wait"),
    "note_supervise": ("督办意见", "What to hurry"),
    "note_evaluate": ("来电人的意见", "The caller's words"),
    "required": ("（必填）", "(required)"),
    "note_hint_check": ("不通过时请说明返工原因。", "If it fails, say why it must be redone."),
    "category_label": ("问题类别", "Category"),
    "department_label": ("处置部门", "Department"),
    "proposed": ("（按派遣规则）", "(routing table)"),
    "proposal_hint": (
        "已按派遣规则预选处置部门，可改选。",
        "The routing table's department is chosen: change it if it is wrong.",
    ),
    "into_label": ("并入案件的受理编号", "Receipt of the case to merge into"),
    "into_hint": (
        "可从附近的同类案件中选择，或直接填写编号。",
        "Pick one of the cases nearby, or type a receipt.",
    ),
    "into_hint_none": ("请填写要并入案件的受理编号。", "Type the receipt to merge into."),
    "duration_label": ("延期时长", "Extension"),
    "duration_days": ("{n} 个工作日", "{n} working days"),
    "rating_label": ("评价", "Rating"),
    "rating_5": ("5 分 · 非常满意", "5 · very satisfied"),
    "rating_4": ("4 分 · 满意", "4 · satisfied"),
    "rating_3": ("3 分 · 一般", "3 · fair"),
    "rating_2": ("2 分 · 不满意", "2 · dissatisfied"),
    "rating_1": ("1 分 · 非常不满意", "1 · very dissatisfied"),
    "photos_label": ("现场照片（最多 {n} 张）", "Photos on site (at most {n})"),
    "submit_verify": ("提交核实", "Send the verification"),
    "submit_check": ("提交核查", "Send the check"),
    "submit_request_verify": ("派网格员核实", "Send to verify"),
    "submit_open": ("立案", "Open"),
    "submit_dispatch": ("派遣", "Dispatch"),
    "submit_extension": ("提交审批", "Send the decision"),
    "submit_park": ("提交审批", "Send the decision"),
    "submit_unpark": ("恢复处置", "Resume"),
    "submit_feedback": ("提交处置结果", "Send the result"),
    "submit_return": ("回退", "Return"),
    "submit_request_extension": ("申请延期", "Ask for more time"),
    "submit_request_park": ("申请挂账", "Ask to park"),
    "submit_evaluate": ("提交评价", "Send the rating"),
    "submit_merge": ("合并", "Merge"),
    "submit_void": ("作废", "Void"),
    "submit_supervise": ("督办", "Supervise"),
    "sending": ("正在提交…", "Sending…"),
    "preparing": ("正在处理照片…", "Preparing the photos…"),
    "too_many_photos": ("最多上传 {n} 张照片", "At most {n} photos"),
    "reload": ("重新加载", "Reload"),
    "changed_meanwhile": (
        "案件已被他人更新：请重新加载页面查看最新状态。",
        "The case was changed meanwhile: reload the page to see where it stands now.",
    ),
    "failed": ("提交失败：{detail}", "Not sent: {detail}"),
    "map_error": ("地图加载失败", "Could not draw the map"),
}
