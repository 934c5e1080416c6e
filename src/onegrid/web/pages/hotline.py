"""The 12345 operator's call form at `/hotline`: the caller (name, phone), the place (address and
the map point, WGS-84), the category, the description and "callback wanted"; then the receipt,
large, to read out over the phone.

The form is checked by the API's own schema (CaseIn) and opened by the API's intake service on
the hotline channel: a refused call comes back as filled with each problem at its field, and
nothing is written. A saved call redirects (303) to `/hotline?receipt=…`, which shows the case
as stored, the caller masked. The access rule is cases.intake; the hotline channel is checked as
the API checks it (intake.check_channel: only the command centre takes 12345 calls).
"""

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from onegrid.audit import auditing
from onegrid.cases import intake, service
from onegrid.cases.models import Case, Channel
from onegrid.cases.schemas import CaseIn
from onegrid.cases.views import report_of
from onegrid.core.access import require
from onegrid.core.errors import DomainError, Forbidden, NotFound
from onegrid.core.permissions import Permission, Principal
from onegrid.core.pii import PiiKind, mask
from onegrid.db import DbSession, WritingSession
from onegrid.routing import service as routing
from onegrid.routing.attributes import choices
from onegrid.routing.models import Category
from onegrid.web.header import header_context
from onegrid.web.pages.track import normalise
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings, pick

router = APIRouter(include_in_schema=False)
Intaker = Annotated[Principal, require(Permission.CASES_INTAKE)]  # + the hotline channel
# The form's fields, named as CaseIn's; an error of the service names one of these.
FIELDS = (
    "reporter_name",
    "reporter_phone",
    "address",
    "lon",
    "lat",
    "category_code",
    "description",
    "callback_wanted",
)
_ATTRIBUTE = "attr_"  # the prefix of a category attribute's field in the form


@dataclass
class Call:
    """What the operator typed, kept to show the form again, and the problems found in it."""

    values: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str | list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # a problem of the whole call, not of one field


def _hotline_only(who: Principal) -> None:
    # The API's rule for the channel: a citizen or grid worker holds cases.intake, not 12345.
    intake.check_channel(who, Channel.HOTLINE)


def _categories(session: Session, who: Principal, lang: str) -> list[dict]:
    """The active categories in two groups, 部件 (components) and 事件 (events), by code."""
    t = pick(STRINGS, lang)
    groups = {"component": [], "event": []}
    for category in routing.list_categories(session=session, scope=who.scope):
        en = lang == "en"
        major = category.major_name_en if en else category.major_name
        name = category.name_en if en else category.name
        groups.setdefault(category.kind, []).append(
            {"code": category.code, "label": f"{category.code} {major} · {name}"}
        )
    return [
        {"label": t["kind_" + kind], "options": options}
        for kind, options in groups.items()
        if options
    ]


def _attribute_fields(category: Category | None, call: Call, lang: str) -> list[dict]:
    """The chosen category's own attributes as form fields, with what was typed in them."""
    if category is None:
        return []
    en = lang == "en"
    fields = []
    for attribute in category.attributes:
        name = _ATTRIBUTE + attribute.code
        fields.append(
            {
                "name": name,
                "label": attribute.name_en if en else attribute.name,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "choices": choices(attribute),
                "value": call.attributes.get(attribute.code, ""),
                "error": call.errors.get(name),
            }
        )
    return fields


def _chosen_category(session: Session, who: Principal, code: str) -> Category | None:
    if not code:
        return None
    try:
        return routing.get_category(session=session, scope=who.scope, code=code)
    except NotFound:
        return None


def _form(
    request: Request,
    session: Session,
    who: Principal,
    lang: str,
    call: Call,
    status: int = 200,
) -> Response:
    header = header_context(request, session, who, lang)
    category = _chosen_category(session, who, call.values.get("category_code", ""))
    t = pick(STRINGS, lang)
    errors = [
        {"field": name, "label": t.get("label_" + name, name), "text": text}
        for name, text in call.errors.items()
    ]
    context = {
        **header,
        "call": call,
        "values": call.values,
        "errors": call.errors,
        "error_list": errors,
        "groups": _categories(session, who, lang),
        "attribute_fields": _attribute_fields(category, call, lang),
        "action": f"{root(request)}/hotline?lang={lang}",
    }
    script = {"csrfToken": header.get("csrf_token", "")}
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
    context = {**header, "saved": _saved(session, who, case, lang)}
    response = render(request, "hotline_receipt.html", lang, STRINGS, context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _saved(session: Session, who: Principal, case: Case, lang: str) -> dict:
    category = _chosen_category(session, who, case.category_code)
    name = None
    if category is not None:
        name = category.name_en if lang == "en" else category.name
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
    receipt: str | None = None,
) -> Response:
    """An empty call form; with `receipt`, the receipt of the call just saved."""
    _hotline_only(who)
    chosen = language(request, lang)
    if receipt:
        return _receipt(request, session, who, chosen, receipt)
    return _form(request, session, who, chosen, Call(values={"callback_wanted": ""}))


def _read(form: FormData) -> Call:
    """The call as typed: the fields of CaseIn and the category's attributes (attr_<code>)."""
    call = Call()
    for name in FIELDS:
        value = form.get(name, "")
        call.values[name] = value.strip() if isinstance(value, str) else ""
    for name in {k for k in form if k.startswith(_ATTRIBUTE)}:
        given = [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]
        several = len(given) > 1  # a list attribute's ticked values
        call.attributes[name.removeprefix(_ATTRIBUTE)] = given if several else "".join(given)
    return call


def _body(call: Call, t: dict[str, str]) -> CaseIn | None:
    """The call as the API takes it, or None with each field's problem put in `call.errors`."""
    values = call.values
    if not values["lon"] and not values["lat"]:
        call.errors["lon"] = t["error_point"]
    if not values["category_code"]:  # the list's first line, "choose a category"
        call.errors["category_code"] = t["error_category_code"]
    raw = {
        "category_code": values["category_code"],
        "description": values["description"],
        "lon": values["lon"] or None,
        "lat": values["lat"] or None,
        "address": values["address"] or None,
        "reporter_name": values["reporter_name"] or None,
        "reporter_phone": values["reporter_phone"] or None,
        "attributes": {k: v for k, v in call.attributes.items() if v},
        "channel": Channel.HOTLINE.value,
        "callback_wanted": values["callback_wanted"] == "1",
    }
    try:
        body = CaseIn.model_validate(raw)
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "description"
            if name == "lat" and "lon" in call.errors and not values["lat"]:
                continue  # no point at all: said once, at the point
            call.errors.setdefault(name, t.get("error_" + name, t["error_field"]))
        return None
    return None if call.errors else body


def _place(call: Call, error: DomainError, lang: str) -> None:
    """Puts a refusal of the service at the field it names, or over the whole form."""
    detail = error.detail
    if detail.get("attribute"):
        call.errors[_ATTRIBUTE + str(detail["attribute"])] = error.message(lang)
    elif detail.get("field") in FIELDS:
        call.errors[str(detail["field"])] = error.message(lang)
    else:
        call.problem = error.message(lang)


@router.post("/hotline", response_class=HTMLResponse)
async def take_call(
    request: Request, session: WritingSession, who: Intaker, lang: Lang = None
) -> Response:
    """Saves the call as a 12345 case and shows its receipt; else the form again, as typed."""
    _hotline_only(who)
    chosen = language(request, lang)
    t = pick(STRINGS, lang=chosen)
    call = _read(await request.form())  # read once already by the CSRF check: cached
    body = _body(call, t)
    if body is None:
        return _form(request, session, who, chosen, call, 422)
    entry = intake.Entry(
        report=report_of(body, Channel.HOTLINE),
        who=who,
        source=request.client.host if request.client else None,
    )
    try:
        opened = intake.intake_durably(session=session, entry=entry)
    except Forbidden:
        raise
    except DomainError as error:
        _place(call, error, chosen)
        return _form(request, session, who, chosen, call, 422)
    target = f"{root(request)}/hotline?receipt={quote(opened.case.receipt)}&lang={chosen}"
    return RedirectResponse(target, status_code=303)


STRINGS: Strings = {
    "page_title": ("12345 来电登记", "12345 call"),
    "intro": (
        "边接听边填写：来电人、位置、类别和问题描述。保存后请向来电人读出受理编号。",
        "Fill this in while you take the call: the caller, the place, the category and the "
        "problem. Once saved, read the receipt number out to the caller.",
    ),
    "section_caller": ("来电人", "Caller"),
    "section_place": ("位置", "Place"),
    "section_problem": ("问题", "Problem"),
    "label_reporter_name": ("来电人姓名", "Caller's name"),
    "label_reporter_phone": ("来电人电话", "Caller's phone"),
    "hint_reporter_phone": (
        "11 位手机号或固定电话（如 024-22345678）。保存后只显示部分号码。",
        "An 11-digit mobile or a landline (e.g. 024-22345678). Only part of it is shown once "
        "saved.",
    ),
    "label_address": ("地址", "Address"),
    "hint_address": (
        "来电人说的地址，供处置人员参考。",
        "The address as the caller gives it, for the people who go there.",
    ),
    "label_lon": ("经度", "Longitude"),
    "label_lat": ("纬度", "Latitude"),
    "point_legend": ("位置坐标（必填，WGS-84）", "The point (required, WGS-84)"),
    "point_hint": (
        "案件按坐标确定所属网格，地址不能代替坐标：请在地图上选点，或输入 WGS-84 经纬度"
        "（如 123.4612, 41.8033）。",
        "A case's grid is found from its point, not its address: pick the point on the map or "
        "type its WGS-84 longitude and latitude (e.g. 123.4612, 41.8033).",
    ),
    "label_category_code": ("类别", "Category"),
    "category_filter": ("查找类别", "Find a category"),
    "category_filter_hint": (
        "输入名称或代码以缩小列表，如「路灯」或 0107。",
        "Type a name or a code to narrow the list, e.g. \u201cstreet light\u201d or 0107.",
    ),
    "category_choose": ("请选择类别", "Choose a category"),
    "category_none": ("没有匹配的类别", "No category matches"),
    "kind_component": ("部件", "Components (部件)"),
    "kind_event": ("事件", "Events (事件)"),
    "attributes_legend": ("类别的附加信息", "The category's details"),
    "required_mark": ("（必填）", "(required)"),
    "choose": ("请选择", "Choose"),
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
    "error_lon": ("经度应为 -180 到 180 之间的数字", "The longitude is a number from -180 to 180"),
    "error_lat": ("纬度应为 -90 到 90 之间的数字", "The latitude is a number from -90 to 90"),
    "error_category_code": ("请选择类别", "Choose a category"),
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
    "receipt_label": ("受理编号", "Receipt number"),
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
