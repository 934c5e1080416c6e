"""The 12345 operator's call form at `/hotline`: the caller (name, phone), the place (an
address, and the point, required: picked on the map or typed with its coordinate system), the
category with its attributes, the description and "callback wanted"; then the receipt, large,
to read out over the phone. The place and category are the report form's parts
(web/report_form.py, components/report_form.html), as on /report and /patrol.

The form is checked by the API's own schema (CaseIn) and saved by the API's service
(submissions, with the form's Idempotency-Key: a call sent twice is saved once) on the hotline
channel: a refused call comes back as typed with each problem at its field, and nothing is
written. A saved call redirects (303) to `/hotline?receipt=…`, the case as stored, the caller
masked. The access rule is cases.intake; the hotline channel is checked as the API checks it
(intake.check_channel: only the command centre takes 12345 calls).
"""

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import quote
from uuid import uuid4

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from onegrid import API_PREFIX
from onegrid.audit import auditing
from onegrid.cases import intake, service, submissions
from onegrid.cases.models import Case, Channel
from onegrid.cases.schemas import CaseIn
from onegrid.core.access import require, source_of
from onegrid.core.coordinates import CRS
from onegrid.core.errors import DomainError, Forbidden, Invalid, NotFound
from onegrid.core.permissions import Permission, Principal
from onegrid.core.pii import PiiKind, mask
from onegrid.db import DbSession, WritingSession
from onegrid.routing.models import Category
from onegrid.web import report_form
from onegrid.web.header import header_context
from onegrid.web.pages.track import normalise
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings, pick

router = APIRouter(include_in_schema=False)
Intaker = Annotated[Principal, require(Permission.CASES_INTAKE)]  # + the hotline channel
# The caller's and the problem's fields of the form, named as CaseIn's; the place is the map
# picker's (lon, lat, crs, address: an error about the point is the field "location"), the
# category's attributes are "attr.<code>" (web/report_form.py).
FIELDS = ("reporter_name", "reporter_phone", "category_code", "description", "callback_wanted")
_PLACE = ("lon", "lat", "crs", "address")
# Where the list of problems at the top links to, for a field whose input has another id.
_ANCHORS = {"location": "report-lon", "category_code": "category-code", "address": "report-address"}


@dataclass
class Call:
    """What the operator typed, kept to show the form again, and the problems found in it."""

    values: dict[str, str] = field(default_factory=dict)
    attributes: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # a problem of the whole call, not of one field
    key: str = field(default_factory=lambda: str(uuid4()))  # the form's Idempotency-Key


def _hotline_only(who: Principal) -> None:
    # The API's rule for the channel: a citizen or grid worker holds cases.intake, not 12345.
    intake.check_channel(who, Channel.HOTLINE)


def _error_list(call: Call, t: dict[str, str]) -> list[dict]:
    def label(name: str) -> str:
        if name.startswith(report_form.ATTRIBUTE_PREFIX):
            return t["label_attributes"]
        return t.get("label_" + name, name)

    def anchor(name: str) -> str:
        if name.startswith(report_form.ATTRIBUTE_PREFIX):
            return "category"
        return _ANCHORS.get(name, name)

    return [
        {"anchor": anchor(name), "label": label(name), "text": text}
        for name, text in call.errors.items()
    ]


def _form(
    request: Request,
    session: Session,
    who: Principal,
    lang: str,
    call: Call,
    status: int = 200,
) -> Response:
    header = header_context(request, session, who, lang)
    t = pick(STRINGS, lang)
    context = {
        **header,
        "call": call,
        "values": call.values,
        "attributes": call.attributes,
        "errors": call.errors,
        "error_list": _error_list(call, t),
        "groups": report_form.category_groups(session, lang, t),
        "map": report_form.map_settings(session),
        "crs_choices": report_form.crs_choices(t),
        "description_max": intake.MAX_DESCRIPTION,
        "action": f"{root(request)}/hotline?lang={lang}",
    }
    script = {"api": root(request) + API_PREFIX}
    response = render(request, "hotline.html", lang, STRINGS, context, status, script=script)
    response.headers["Cache-Control"] = "no-store"  # a caller's data, and the CSRF token
    return response


def _receipt(request: Request, session: Session, who: Principal, lang: str, text: str) -> Response:
    """The receipt of a call just saved, to read out: the case as stored, the caller masked."""
    receipt = normalise(text)
    try:
        case = service.get_by_receipt(session=session, receipt=receipt)
        case = service.get(session=session, case_id=case.id, scope=who.scope)
    except NotFound:
        missing = Call(problem=pick(STRINGS, lang)["no_receipt"])
        return _form(request, session, who, lang, missing, 404)
    auditing.record_read(
        session,
        request,
        who,
        "case.read",
        object_type="case",
        object_id=case.id,
        detail={"receipt": case.receipt, "page": "hotline"},
        district_code=case.district_code,
    )
    header = header_context(request, session, who, lang)
    # The other language shows the same receipt.
    switch = f"&receipt={quote(case.receipt)}"
    context = {**header, "saved": _saved(session, case, lang), "switch_query": switch}
    response = render(request, "hotline_receipt.html", lang, STRINGS, context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _saved(session: Session, case: Case, lang: str) -> dict:
    column = Category.name_en if lang == "en" else Category.name
    name = session.scalar(  # deactivated since, it still names the case's category
        select(column).where(
            Category.district_code == case.district_code, Category.code == case.category_code
        )
    )
    return {
        "receipt": case.receipt,
        "groups": case.receipt.split("-"),
        "category": f"{case.category_code} {name or ''}".strip(),
        "address": case.address,
        "caller_name": case.reporter_name,
        "caller_phone": mask(PiiKind.PHONE, case.reporter_phone),
        "callback_wanted": case.callback_wanted,
    }


@router.get("/hotline", response_class=HTMLResponse)
def hotline_form(
    request: Request,
    session: DbSession,
    who: Intaker,
    lang: Lang = None,
    receipt: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """An empty call form; with `receipt`, the receipt of the call just saved."""
    _hotline_only(who)
    chosen = language(request, lang)
    if receipt:
        return _receipt(request, session, who, chosen, receipt)
    return _form(request, session, who, chosen, Call())


def _read(session: Session, form: FormData, lang: str) -> Call:
    """The call as typed: CaseIn's fields, the place, the category's attributes, the key."""
    call = Call()
    for name in (*FIELDS, *_PLACE):
        value = form.get(name, "")
        call.values[name] = value.strip() if isinstance(value, str) else ""
    key = form.get("idempotency_key")
    call.key = key if isinstance(key, str) and key else call.key
    groups = report_form.category_groups(session, lang, pick(STRINGS, lang))
    choice = report_form.find_choice(groups, call.values["category_code"])
    call.attributes = report_form.attribute_values(form, choice)
    return call


def _body(call: Call, form: FormData, t: dict[str, str], lang: str) -> CaseIn | None:
    """The call as the API takes it, or None with each field's problem put in `call.errors`."""
    values = call.values
    point = None
    try:
        point = report_form.parse_point(form)
    except Invalid as error:
        missing = not values["lon"] and not values["lat"]
        call.errors["location"] = t["error_point"] if missing else error.message(lang)
    if not values["category_code"]:  # the list's first line, "choose a category"
        call.errors["category_code"] = t["category_missing"]
    lon, lat, crs = point or (0.0, 0.0, CRS.WGS84.value)
    raw = {
        "category_code": values["category_code"],
        "description": values["description"],
        "lon": lon,
        "lat": lat,
        "crs": crs,
        "address": values["address"] or None,
        "reporter_name": values["reporter_name"] or None,
        "reporter_phone": values["reporter_phone"] or None,
        "attributes": call.attributes,
        "channel": Channel.HOTLINE.value,
        "callback_wanted": values["callback_wanted"] == "1",
    }
    try:
        body = CaseIn.model_validate(raw)
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "description"
            call.errors.setdefault(name, t.get("error_" + name, t["error_field"]))
        return None
    return None if call.errors else body


def _place(call: Call, error: DomainError, lang: str) -> None:
    """Puts a refusal of the service at the field it names, or over the whole form."""
    name = report_form.field_of(error)
    known = name in FIELDS or name in ("location", "address")
    if known or name.startswith(report_form.ATTRIBUTE_PREFIX):
        call.errors[name] = error.message(lang)
    else:
        call.problem = error.message(lang)


@router.post("/hotline", response_class=HTMLResponse)
async def take_call(
    request: Request, session: WritingSession, who: Intaker, lang: Lang = None
) -> Response:
    """Saves the call as a 12345 case and shows its receipt; else the form again, as typed.

    The form's Idempotency-Key (made when it was opened) saves a call sent twice once."""
    _hotline_only(who)
    form = await request.form()  # read once already by the CSRF check: cached
    # The rest reads and writes the database: in a thread, never on the event loop.
    return await run_in_threadpool(_save_call, request, session, who, language(request, lang), form)


def _save_call(
    request: Request, session: Session, who: Principal, chosen: str, form: FormData
) -> Response:
    t = pick(STRINGS, chosen)
    call = _read(session, form, chosen)
    body = _body(call, form, t, chosen)
    if body is None:
        return _form(request, session, who, chosen, call, 422)
    source = source_of(request)
    entry = intake.Entry(report=intake.report_of(body, Channel.HOTLINE), who=who, source=source)
    try:
        submission = submissions.Submission(key=submissions.check_key(call.key), entry=entry)
        submitted = submissions.submit(session=session, submission=submission)
    except Forbidden:
        raise
    except DomainError as error:
        _place(call, error, chosen)
        return _form(request, session, who, chosen, call, 422)
    receipt = quote(submitted.receipt.receipt)
    return RedirectResponse(f"{root(request)}/hotline?receipt={receipt}&lang={chosen}", 303)


STRINGS: Strings = report_form.FORM_STRINGS | {
    "page_title": ("12345 来电登记", "12345 call"),
    "intro": (
        "边接听边填写：来电人、位置、类别和问题描述。保存后请向来电人读出受理编号。",
        "Fill this in while you take the call: the caller, the place, the category and the "
        "problem. Once saved, read the receipt number out to the caller.",
    ),
    "section_caller": ("来电人", "Caller"),
    "section_place": ("位置", "Place"),
    "section_problem": ("问题", "Problem"),
    "label_location": ("位置坐标", "The point"),
    "label_attributes": ("类别的补充信息", "The category's details"),
    "label_reporter_name": ("来电人姓名", "Caller's name"),
    "label_reporter_phone": ("来电人电话", "Caller's phone"),
    "hint_reporter_phone": (
        "11 位手机号或固定电话（如 024-22345678）。保存后只显示部分号码。",
        "An 11-digit mobile or a landline (e.g. 024-22345678). Only part of it is shown once "
        "saved.",
    ),
    "label_address": ("地址", "Address"),
    "point_hint": (
        "案件按坐标确定所属网格，地址不能代替坐标：请在地图上选点，或输入 WGS-84 经纬度"
        "（如 123.4612, 41.8033）。",
        "A case's grid is found from its point, not its address: pick the point on the map or "
        "type its WGS-84 longitude and latitude (e.g. 123.4612, 41.8033).",
    ),
    "label_category_code": ("类别", "Category"),
    "label_description": ("问题描述", "Description"),
    "label_callback_wanted": ("来电人希望结案后回访", "The caller wants a call back once closed"),
    "hint_callback_wanted": (
        "结案后该来电会出现在回访列表中。",
        "Once closed, the call appears on the callback list.",
    ),
    "save_button": ("保存并生成受理编号", "Save and give the receipt"),
    "errors_heading": (
        "请修改以下内容，来电尚未保存：",
        "Correct these; the call is not saved yet:",
    ),
    "error_field": ("此项无效", "This is not valid"),
    "error_point": (
        "请在地图上选点或输入经纬度（WGS-84）",
        "Pick the point on the map or type its longitude and latitude (WGS-84)",
    ),
    "error_description": (
        "请描述问题（最多 2000 字）",
        "Describe the problem (2,000 characters at most)",
    ),
    "error_reporter_name": ("姓名最多 50 字", "The name has 50 characters at most"),
    "error_reporter_phone": ("电话最多 30 个字符", "The phone has 30 characters at most"),
    "error_address": ("地址最多 200 字", "The address has 200 characters at most"),
    "no_receipt": ("没有找到该受理编号的来电", "No call has this receipt number"),
    "receipt_title": ("来电已保存", "The call is saved"),
    "receipt_read_out": ("请向来电人读出受理编号：", "Read the receipt number out to the caller:"),
    "receipt_track": (
        "来电人可凭此编号在「查询进度」页面查看处理进度并评价。",
        "With this number the caller follows the case and rates it on the \u201cTrack\u201d page.",
    ),
    "saved_category": ("类别", "Category"),
    "saved_address": ("地址", "Address"),
    "saved_caller": ("来电人", "Caller"),
    "saved_phone": ("电话", "Phone"),
    "saved_callback": ("回访", "Call back"),
    "callback_yes": ("结案后回访", "once closed"),
    "callback_no": ("不需要", "not wanted"),
    "unnamed": ("未留姓名", "no name given"),
    "no_phone": ("未留电话", "no phone given"),
    "new_call": ("登记新来电", "New call"),
}
