"""Reporting a problem: the citizen's `/report` (no account) and the grid worker's `/patrol`,
one form (components/report_form.html), then the receipt at `/report/{receipt}`.

Both hand the report to cases/submissions.py, as the API does (POST /api/v1/public/cases and
/api/v1/cases): the case, its idempotency key and its photos in one transaction. The form is
sent by fetch with an Idempotency-Key (static/js/report/queue.js keeps it in the browser while
offline) or, without script, as a plain multipart post carrying the key in a hidden field.
"""

import io
import uuid
from typing import Annotated

import segno
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from onegrid.cases import evidence, intake, public, service, submissions
from onegrid.cases.models import Channel
from onegrid.cases.schemas import CaseIn
from onegrid.config import get_settings
from onegrid.core.access import public as anyone
from onegrid.core.access import require, source_of
from onegrid.core.errors import DomainError, Invalid, NotFound
from onegrid.core.permissions import Permission, Principal
from onegrid.core.pii import PiiKind, mask
from onegrid.core.problems import STATUS, domain_response
from onegrid.db import DbSession, WritingSession
from onegrid.web import report_form
from onegrid.web.header import header_context
from onegrid.web.pages.track import normalise
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings, pick

router = APIRouter(include_in_schema=False)
Anyone = Annotated[Principal, anyone()]
Patroller = Annotated[Principal, require(Permission.CASES_INTAKE)]  # and the grid_worker channel

# The fields of CaseIn a refusal of its checks names, as the form's fields.
_FIELDS = {"lon": "location", "lat": "location", "crs": "location"}

STRINGS: Strings = report_form.FORM_STRINGS | {
    "page_title": ("我要报告", "Report a problem"),
    "patrol_title": ("巡查上报", "Patrol report"),
    "intro": (
        "发现城市管理问题？在地图上标出位置，选择类别，描述问题，可附照片。无需注册。",
        "Seen a problem in the city? Mark the place on the map, choose the category, describe "
        "it, add photos if you like. No account needed.",
    ),
    "patrol_intro": (
        "巡查发现的问题：已按手机定位标出位置，请核对后选择类别并描述。",
        "A problem found on patrol: the place is taken from your phone's position; check it, "
        "choose the category and describe it.",
    ),
    "description": ("问题描述", "Description"),
    "description_hint": ("最多 {n} 字", "At most {n} characters"),
    "reporter_legend": ("联系方式", "Your contact"),
    "anonymous": ("匿名报告（不留姓名和电话）", "Report anonymously (no name or phone)"),
    "reporter_name": ("姓名", "Name"),
    "reporter_phone": ("手机或电话", "Mobile or phone"),
    "reporter_hint": (
        "仅用于处理部门联系您；保存后以掩码显示",
        "Only for the department to contact you; shown masked once saved",
    ),
    "submit": ("提交报告", "Send the report"),
    "sending": ("正在发送…", "Sending…"),
    "form_error": (
        "报告未保存：请修改标出的内容",
        "The report was not saved: see the marked field",
    ),
    "queue_count": ("{n} 条待发送", "{n} unsent"),
    "queue_count_one": ("1 条待发送", "1 unsent"),
    "queue_saved": (
        "网络不可用：报告已保存在本机，联网后自动发送",
        "No network: the report is kept on this device and sent once you are online",
    ),
    "queue_sent": (
        "已发送待发报告，受理号 {receipt}",
        "An unsent report was sent: receipt {receipt}",
    ),
    "queue_refused": ("待发报告被拒绝：{message}", "An unsent report was refused: {message}"),
    "track_link_text": ("查看进度", "Track it"),
    "invalid_description": (
        "问题描述须为 1 至 2000 字",
        "the description takes 1 to 2000 characters",
    ),
    "invalid_address": ("地址不能超过 200 字", "the address is at most 200 characters"),
    "invalid_reporter_name": ("姓名不能超过 50 字", "the name is at most 50 characters"),
    "invalid_reporter_phone": ("电话号码过长", "the phone number is too long"),
    "invalid_attributes": ("补充信息过多", "too much in the details"),
    "invalid_form": ("报告内容不正确", "the report is not valid"),
    # the receipt
    "done_title": ("报告已受理", "Report received"),
    "receipt_label": ("受理号", "Receipt number"),
    "receipt_keep": (
        "请保存受理号：凭它查询进度并在办结后评价，无需账号。",
        "Keep the receipt number: with it you follow the case and rate it once closed, "
        "without an account.",
    ),
    "qr_label": ("扫码查询进度", "Scan to track"),
    "duplicate": (
        "已有人报告过附近的同类问题，我们会一并处理。",
        "Someone has already reported this nearby: the two are handled together.",
    ),
    "contact_masked": (
        "处理部门如需联系，将致电 {phone}",
        "If needed, the department calls {phone}",
    ),
    "anonymous_done": ("匿名报告", "Reported anonymously"),
    "open_case": ("打开案件页", "Open the case page"),
    "back_tasks": ("返回我的任务", "Back to my tasks"),
    "new_patrol": ("再报一件", "Report another"),
    "new_report": ("再报告一个问题", "Report another problem"),
    "missing": ("没有此受理号的报告", "No report has this receipt number"),
}


def _values(form: FormData | None) -> dict:
    """The form's text fields as posted (to show the form again)."""
    if form is None:
        return {"crs": "wgs84"}
    keys = ("lon", "lat", "crs", "address", "category_code", "description")
    keys += ("reporter_name", "reporter_phone", "anonymous", "idempotency_key")
    return {k: str(form.get(k) or "") for k in keys}


def _form_page(
    request: Request,
    session: Session,
    who: Principal,
    lang: str,
    *,
    patrol: bool,
    form: FormData | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    t = pick(STRINGS, lang)
    header = header_context(request, session, who, lang)
    values = _values(form)
    groups = report_form.category_groups(session, lang, t)
    choice = report_form.find_choice(groups, values.get("category_code", ""))
    path = "/patrol" if patrol else "/report"
    context = {
        **header,
        "patrol": patrol,
        "values": values,
        "attributes": report_form.attribute_values(form, choice) if form else {},
        "errors": errors or {},
        "groups": groups,
        "map": report_form.map_settings(session),
        "crs_choices": report_form.crs_choices(t),
        "key": values.get("idempotency_key") or str(uuid.uuid4()),
        "action": f"{root(request)}{path}?lang={lang}",
        "max_photos": report_form.MAX_PHOTOS,
        "photo_side": report_form.PHOTO_SIDE,
        "description_max": intake.MAX_DESCRIPTION,
    }
    script = {
        "api": root(request) + "/api/v1",
        "queue": path,
        "patrol": patrol,
        "csrfToken": header.get("csrf_token", ""),  # the queue sends it with a kept report
    }
    response = render(request, "report.html", lang, STRINGS, context, status, script=script)
    response.headers["Cache-Control"] = "no-store"  # the form carries a key (and a CSRF token)
    return response


def _patrols(who: Principal) -> bool:
    return who.can(Permission.CASES_INTAKE) and Channel.GRID_WORKER in intake.channels_of(who)


def _check_patrol(who: Principal) -> None:
    intake.check_channel(who, Channel.GRID_WORKER)


@router.get("/report", response_class=HTMLResponse)
def report_form_page(
    request: Request, session: DbSession, who: Anyone, lang: Lang = None
) -> Response:
    """The citizen's report form: anyone, no account."""
    return _form_page(request, session, who, language(request, lang), patrol=False)


@router.get("/patrol", response_class=HTMLResponse)
def patrol_form_page(
    request: Request, session: DbSession, who: Patroller, lang: Lang = None
) -> Response:
    """The grid worker's patrol report: located by GPS on load, on the grid_worker channel."""
    _check_patrol(who)
    return _form_page(request, session, who, language(request, lang), patrol=True)


async def _files(form: FormData) -> list[tuple[str, bytes]]:
    """The photos' names and bytes (at most the size limit and one byte more: refused later)."""
    limit = get_settings().evidence_max_bytes
    files = [f for f in form.getlist("photos") if isinstance(f, UploadFile) and f.filename]
    if len(files) > report_form.MAX_PHOTOS:
        raise submissions.too_many_photos()
    return [(f.filename or "photo", await f.read(limit + 1)) for f in files]


@router.post("/report", response_class=HTMLResponse)
async def send_report(
    request: Request, session: WritingSession, who: Anyone, lang: Lang = None
) -> Response:
    """Opens the case of a citizen's report; the form again with the field named if refused."""
    return await _send(request, session, who, language(request, lang), patrol=False)


@router.post("/patrol", response_class=HTMLResponse)
async def send_patrol(
    request: Request, session: WritingSession, who: Patroller, lang: Lang = None
) -> Response:
    """Opens the case of a patrol report (the grid_worker channel)."""
    _check_patrol(who)
    return await _send(request, session, who, language(request, lang), patrol=True)


async def _send(
    request: Request, session: Session, who: Principal, lang: str, *, patrol: bool
) -> Response:
    form = await request.form()
    try:
        files = await _files(form)
    except DomainError as error:
        return _refused(request, session, who, lang, patrol, form, error)
    # Decoding photos and waiting for the write lock: in a worker thread, as a sync route's.
    return await run_in_threadpool(_submit, request, session, who, lang, patrol, form, files)


def _wants_json(request: Request) -> bool:
    return request.headers.get("accept", "").startswith("application/json")


def _refused(
    request: Request,
    session: Session,
    who: Principal,
    lang: str,
    patrol: bool,
    form: FormData,
    error: DomainError,
) -> Response:
    field = report_form.field_of(error)
    if _wants_json(request):
        error.detail.setdefault("field", field)
        return domain_response(request, error)
    status = STATUS.get(error.kind, 422)
    errors = {field: error.message(lang)}
    return _form_page(
        request, session, who, lang, patrol=patrol, form=form, errors=errors, status=status
    )


def _submit(
    request: Request,
    session: Session,
    who: Principal,
    lang: str,
    patrol: bool,
    form: FormData,
    files: list[tuple[str, bytes]],
) -> Response:
    try:
        submission = _submission(request, session, who, lang, patrol, form, files)
        submitted = submissions.submit(session=session, submission=submission)
    except DomainError as error:
        return _refused(request, session, who, lang, patrol, form, error)
    target = f"{root(request)}/report/{submitted.receipt.receipt}?lang={lang}"
    if _wants_json(request):
        body = {**submitted.receipt.model_dump(), "href": target}
        return JSONResponse(body, status_code=200 if submitted.replayed else 201)
    return RedirectResponse(target, 303)


def _invalid(t: dict, field: str) -> Invalid:
    key = f"invalid_{field}" if f"invalid_{field}" in t else "invalid_form"
    zh, en = STRINGS[key]
    return Invalid(zh, en, field=field)


def _submission(
    request: Request,
    session: Session,
    who: Principal,
    lang: str,
    patrol: bool,
    form: FormData,
    files: list[tuple[str, bytes]],
) -> submissions.Submission:
    """The form as the API's CaseIn (its checks) and the photos checked; raises DomainError
    naming the field."""
    t = pick(STRINGS, lang)
    key = submissions.check_key(
        request.headers.get("Idempotency-Key") or str(form.get("idempotency_key") or "") or None
    )
    code = str(form.get("category_code") or "").strip()
    if not code:
        zh, en = STRINGS["category_missing"]
        raise Invalid(zh, en, field="category_code")
    lon, lat, crs = report_form.parse_point(form)
    groups = report_form.category_groups(session, lang, t)
    choice = report_form.find_choice(groups, code)
    anonymous = not patrol and form.get("anonymous") == "on"
    personal = not patrol and not anonymous
    try:
        body = CaseIn(
            category_code=code,
            description=str(form.get("description") or ""),
            lon=lon,
            lat=lat,
            crs=crs,
            address=str(form.get("address") or "").strip() or None,
            attributes=report_form.attribute_values(form, choice),
            reporter_name=str(form.get("reporter_name") or "").strip() or None
            if personal
            else None,
            reporter_phone=str(form.get("reporter_phone") or "").strip() or None
            if personal
            else None,
            anonymous=anonymous,
        )
    except ValidationError as error:
        where = str(error.errors()[0]["loc"][0]) if error.errors()[0]["loc"] else "form"
        raise _invalid(t, _FIELDS.get(where, where)) from None
    photos = tuple(_photo(name, data) for name, data in files)
    report = intake.report_of(body, Channel.GRID_WORKER if patrol else Channel.CITIZEN)
    source = source_of(request)
    entry = intake.Entry(report=report, who=who, source=source, public=not patrol)
    return submissions.Submission(key=key, entry=entry, photos=submissions.check_photos(photos))


def _photo(name: str, data: bytes) -> evidence.Upload:
    try:
        return evidence.prepare(filename=name, data=data)
    except DomainError as error:
        error.detail.setdefault("field", "photos")
        raise


def qr_svg(url: str) -> str:
    """Returns a QR code of the address as an inline SVG (segno), coloured by the stylesheet."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out,
        kind="svg",
        scale=4,
        border=2,
        xmldecl=False,
        svgns=True,
        svgclass="qr__code",
        lineclass="qr__line",
        omitsize=True,
        dark="#000",
        light=None,
    )
    return out.getvalue().decode()


@router.get("/report/{receipt}", response_class=HTMLResponse)
def receipt_page(
    receipt: str, request: Request, session: DbSession, who: Anyone, lang: Lang = None
) -> Response:
    """The receipt of a report, large, with the link and QR code to follow it; never the
    reporter (a phone masked at most), and only this receipt's own (after a merge the case
    followed is another reporter's)."""
    chosen = language(request, lang)
    header = header_context(request, session, who, chosen)
    wanted = normalise(receipt)
    try:
        view = public.view(session=session, receipt=wanted)
        case = service.get_by_receipt(session=session, receipt=wanted, follow_merge=False)
    except NotFound:
        context = {**header, "missing": True, "receipt": wanted}
        return render(request, "report_done.html", chosen, STRINGS, context, 404)
    track = f"{root(request)}/track?receipt={wanted}&lang={chosen}"
    absolute = str(request.base_url).rstrip("/") + f"/track?receipt={wanted}"
    case_href = None
    if who.can(Permission.CASES_READ):
        try:
            service.get(session=session, case_id=case.id, scope=who.scope)
            case_href = f"{root(request)}/cases/{case.id}?lang={chosen}"
        except NotFound:
            pass
    context = {
        **header,
        "receipt": wanted,
        "track_href": track,
        "qr": qr_svg(absolute),
        "duplicate": view.reported_before,
        "phone": None if case.anonymous else mask(PiiKind.PHONE, case.reporter_phone),
        "anonymous": case.anonymous,
        "case_href": case_href,
        "tasks_href": f"{root(request)}/tasks?lang={chosen}"
        if who.can(Permission.CASES_VERIFY)
        else None,
        "again_href": f"{root(request)}/{'patrol' if _patrols(who) else 'report'}?lang={chosen}",
    }
    response = render(request, "report_done.html", chosen, STRINGS, context)
    response.headers["Cache-Control"] = "no-store"
    return response
