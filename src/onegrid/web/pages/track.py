"""Following a case by its receipt, without an account, at `/track`: the steps in plain words,
the departments, the photos of the result; the rating once it is closed (cases/public.py)."""

import re
import unicodedata
from datetime import datetime
from typing import Annotated
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from onegrid.cases import evidence as evidence_files
from onegrid.cases import public
from onegrid.config import get_settings
from onegrid.core.access import public as anyone
from onegrid.core.access import source_of
from onegrid.core.errors import DomainError, NotFound
from onegrid.core.inputs import Id
from onegrid.core.permissions import Principal
from onegrid.db import DbSession, WritingSession
from onegrid.web.case_display import action_label, state_label
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings, pick

router = APIRouter(include_in_schema=False)
Anyone = Annotated[Principal, anyone()]

# What a receipt may be: intake's 7KQ2-M9XD-4HTP, or what an import brought (bulk/importing.py).
_RECEIPT = re.compile(r"[0-9A-Z-]{4,20}")
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u30fc\uff70]")  # ‐ – — − ー typed for "-"
_SPACES = re.compile(r"\s+")
_GROUP = 4
COMMENT_MAX = 500  # as POST /api/v1/receipts/{receipt}/rating takes it
RATINGS = ("1", "2", "3", "4", "5")  # the stars of the form (components/rating.html)
_STATUS = {"not_found": 404, "invalid": 422, "conflict": 409}


def normalise(text: str) -> str:
    """Returns a receipt as stored: capitals, no spaces, full-width letters made plain, and
    12 letters grouped by dashes (7kq2 m9xd4htp → 7KQ2-M9XD-4HTP)."""
    plain = _DASHES.sub("-", unicodedata.normalize("NFKC", text))
    squeezed = _SPACES.sub("", plain).upper()
    letters = squeezed.replace("-", "")
    if len(letters) == 3 * _GROUP and letters.isascii() and letters.isalnum():
        return "-".join(letters[i : i + _GROUP] for i in range(0, len(letters), _GROUP))
    return squeezed


def _is_receipt(text: str) -> bool:
    return bool(_RECEIPT.fullmatch(text))


def _local(at: datetime) -> datetime:
    return at.astimezone(ZoneInfo(get_settings().time_zone))


def _href(request: Request, lang: str, **query: str) -> str:
    return f"{root(request)}/track?{urlencode({**query, 'lang': lang})}"


def _step(step: public.Step, photo_base: str, t: dict[str, str], lang: str) -> dict:
    at = _local(step.at)
    department = step.department and (step.department.en if lang == "en" else step.department.zh)
    title = action_label(step.action, lang)
    return {
        "title": title,
        "at": at.strftime("%Y-%m-%d %H:%M"),
        "iso": at.isoformat(),
        "detail": t["step_department"].format(name=department) if department else "",
        "photos": [
            {"href": f"{photo_base}/{photo}", "alt": t["photo_alt"].format(step=title, n=n)}
            for n, photo in enumerate(step.photos, 1)
        ],
    }


def _case_context(request: Request, view: public.PublicCase, receipt: str, lang: str) -> dict:
    t = pick(STRINGS, lang)
    photo_base = f"{root(request)}/track/{quote(receipt)}/photos"
    return {
        "state": state_label(view.state, lang),
        "category": view.category.en if lang == "en" else view.category.zh,
        "received_at": _local(view.received_at).strftime("%Y-%m-%d %H:%M"),
        "reported_before": view.reported_before,
        "rating": view.rating,
        "can_rate": view.can_rate,
        "steps": [_step(s, photo_base, t, lang) for s in view.steps],
    }


def _page(
    request: Request,
    session: Session,
    who: Principal,
    lang: str,
    receipt: str = "",
    status: int = 200,
    **context,
) -> Response:
    """The page: the receipt box, and the case if `case` is given; never stored by a cache
    (the progress changes, and the receipt is in its address)."""
    header = header_context(request, session, who, lang)
    # The receipt: for the header's language switch to keep it (track.js).
    script = {"commentMax": COMMENT_MAX, "receipt": receipt if "case" in context else ""}
    full = {
        **header,
        "receipt": receipt,
        "comment_max": COMMENT_MAX,
        "comment": "",
        **context,
    }
    response = render(request, "track.html", lang, STRINGS, full, status, script=script)
    response.headers["Cache-Control"] = "no-store"
    return response


def _with_case(
    request: Request, session: Session, who: Principal, lang: str, receipt: str, **context
) -> Response:
    """The page with the receipt's case, or saying that no case has this receipt."""
    t = pick(STRINGS, lang)
    if not _is_receipt(receipt):
        return _page(request, session, who, lang, receipt, 422, error=t["error_format"])
    try:
        view = public.view(session=session, receipt=receipt)
    except NotFound:
        return _page(request, session, who, lang, receipt, 404, error=t["error_unknown"])
    case = _case_context(request, view, receipt, lang)
    return _page(request, session, who, lang, receipt, case=case, **context)


@router.get("/track", response_class=HTMLResponse)
def track(
    request: Request,
    session: DbSession,
    who: Anyone,
    lang: Lang = None,
    receipt: str | None = None,
    rated: str | None = None,
) -> Response:
    """The receipt box; with a receipt, its case's progress (and the rating form once closed)."""
    chosen = language(request, lang)
    if receipt is None or not receipt.strip():
        return _page(request, session, who, chosen)
    wanted = normalise(receipt)
    if wanted != receipt and _is_receipt(wanted):  # one address per receipt, as printed
        return RedirectResponse(_href(request, chosen, receipt=wanted), 303)
    notice = pick(STRINGS, chosen)["rated_notice"] if rated == "1" else None
    return _with_case(request, session, who, chosen, wanted, notice=notice)


def _rating_error(rating: str, comment: str, t: dict[str, str]) -> str | None:
    if rating not in RATINGS:
        return t["error_rating"]
    if len(comment) > COMMENT_MAX:
        return t["error_comment"].format(n=COMMENT_MAX)
    return None


def _forget_refused(session: Session) -> None:
    """Keeps nothing of a refused rating. The machine refuses before it changes anything (a
    case not closed, a rating out of range); a racing change is refused by the database, and
    only then is there a transaction to roll back."""
    if session.dirty or session.new or session.deleted or not session.is_active:
        session.rollback()


@router.post("/track/{receipt}/rating", response_class=HTMLResponse)
def rate(
    receipt: str,
    request: Request,
    session: WritingSession,
    who: Anyone,
    rating: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    lang: Lang = None,
) -> Response:
    """Rates the closed case (the same transition as POST /api/v1/receipts/{receipt}/rating),
    then shows the page with the rating; or the form again, saying what is wrong."""
    chosen = language(request, lang)
    wanted = normalise(receipt)
    comment = comment.strip()
    error = _rating_error(rating, comment, pick(STRINGS, chosen))
    if error is None and _is_receipt(wanted):
        try:
            source = source_of(request)
            public.rate(
                session=session,
                receipt=wanted,
                rating=int(rating),
                comment=comment or None,
                who=who,
                source=source,
            )
            rated = _href(request, chosen, receipt=wanted, rated="1") + "#track-rated"
            return RedirectResponse(rated, 303)
        except DomainError as refused:
            _forget_refused(session)
            if isinstance(refused, NotFound):
                return _with_case(request, session, who, chosen, wanted)
            error = refused.message(chosen)
            status = _STATUS.get(refused.kind, 422)
    else:
        status = 422
    response = _with_case(
        request,
        session,
        who,
        chosen,
        wanted,
        rating_error=error,
        comment=comment,
        chosen_rating=rating,
    )
    if response.status_code == 200:
        response.status_code = status
    return response


@router.get("/track/{receipt}/photos/{evidence_id}")
def photo(receipt: str, evidence_id: Id, session: DbSession, who: Anyone) -> Response:
    """A photo of the result of the receipt's case (its feedback's, its closing check's), served
    as the staff's evidence route serves it; 404 for any other file."""
    row = public.result_photo(session=session, receipt=normalise(receipt), evidence_id=evidence_id)
    content = evidence_files.read(row)
    headers = evidence_files.download_headers(row)
    return Response(content, media_type=row.content_type, headers=headers)


# The rating of a result, in words: the citizen's form here, the operator's on /callbacks.
RATING_STRINGS: Strings = {
    "rating_legend": ("您对处理结果满意吗？", "Are you satisfied with the result?"),
    "rating_5": ("非常满意", "Very satisfied"),
    "rating_4": ("满意", "Satisfied"),
    "rating_3": ("一般", "Neither satisfied nor dissatisfied"),
    "rating_2": ("不满意", "Dissatisfied"),
    "rating_1": ("非常不满意", "Very dissatisfied"),
    "rating_stars": ("（{n} 星）", " ({n} stars)"),
    "rating_stars_one": ("（{n} 星）", " ({n} star)"),
    "rated_value": ("{n} 星（满分 5 星）", "{n} of 5 stars"),
}

STRINGS: Strings = {
    **RATING_STRINGS,
    "page_title": ("查询办理进度", "Follow your report"),
    "intro": (
        "输入提交问题时得到的回执编号，查看办理进度。无需登录。",
        "Enter the receipt number you were given when you reported the problem to see how "
        "it is going. No account is needed.",
    ),
    "receipt_label": ("回执编号", "Receipt number"),
    "receipt_hint": (
        "如 7KQ2-M9XD-4HTP，大小写、空格和短横线均可",
        "e.g. 7KQ2-M9XD-4HTP; capitals, spaces and dashes do not matter",
    ),
    "lookup_button": ("查询", "Look up"),
    "error_format": (
        "这不是有效的回执编号：回执编号由 12 位字母和数字组成，如 7KQ2-M9XD-4HTP",
        "This is not a receipt number: a receipt has 12 letters and digits, e.g. 7KQ2-M9XD-4HTP",
    ),
    "error_unknown": (
        "没有找到这个回执编号对应的问题，请核对后重试",
        "No report has this receipt number; check it and try again",
    ),
    "case_heading": ("回执", "Receipt"),
    "category": ("问题类别", "Problem"),
    "received_at": ("提交时间", "Reported"),
    "state": ("当前状态", "Now"),
    "reported_before": (
        "已有人报告了同一问题，我们会一并处理。",
        "Someone has reported this already; we handle them together.",
    ),
    "progress_heading": ("办理进度", "Progress"),
    "step_department": ("处置部门：{name}", "Department: {name}"),
    "photo_alt": ("{step}：结果照片 {n}", "{step}: photo {n} of the result"),
    "rating_heading": ("评价处理结果", "Rate the result"),
    "comment_label": ("意见（选填）", "Comment (optional)"),
    "comment_hint": (
        "最多 {n} 字，请勿填写电话等个人信息",
        "At most {n} characters; please leave out phone numbers and other personal details",
    ),
    "comment_left": ("还可输入 {n} 字", "{n} characters left"),
    "rate_button": ("提交评价", "Send my rating"),
    "rate_pending": ("正在提交…", "Sending…"),
    "error_rating": ("请选择 1 到 5 星的评价", "Choose a rating from 1 to 5 stars"),
    "error_comment": ("意见最多 {n} 字", "The comment may have at most {n} characters"),
    "rated_heading": ("您的评价", "Your rating"),
    "rated_notice": ("感谢您的评价！", "Thank you for your rating!"),
}
