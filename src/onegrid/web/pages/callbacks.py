"""The hotline's callback list at `/callbacks` (command centre): closed 12345 cases whose caller
asked for a call back, the caller masked (revealed with a purpose through POST /pii/reveal),
and the caller's rating entered on their behalf (the evaluate transition, POST
/cases/{id}/transitions): static/js/pages/callbacks.js; the list exported (masked, audited) as
CSV and XLSX. The list: cases/callbacks.py."""

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from onegrid import API_PREFIX
from onegrid.audit import auditing
from onegrid.cases import callbacks
from onegrid.config import get_settings
from onegrid.core import exports
from onegrid.core.access import require
from onegrid.core.permissions import Permission, Principal
from onegrid.db import DbSession, StreamingSession
from onegrid.web import list_exports
from onegrid.web.header import header_context
from onegrid.web.pages.track import COMMENT_MAX, RATING_STRINGS
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import SHARED, Strings, pick

router = APIRouter(include_in_schema=False)
Operator = Annotated[Principal, require(Permission.CASES_COMMAND)]
PAGE_SIZE = 20
_EXCERPT = 80  # characters of the description shown, enough to name the problem on the phone


def _local(at: datetime) -> datetime:
    return at.astimezone(ZoneInfo(get_settings().time_zone))


def _excerpt(text: str) -> str:
    return text if len(text) <= _EXCERPT else text[:_EXCERPT].rstrip() + "…"


def _row(item: callbacks.Callback, lang: str) -> dict:
    closed = _local(item.closed_at)
    category = item.category_name_en if lang == "en" else item.category_name
    return {
        "id": item.case_id,
        "receipt": item.receipt,
        "category": category or item.category_code,
        "description": _excerpt(item.description),
        "closed_at": closed.strftime("%Y-%m-%d %H:%M"),
        "closed_iso": closed.isoformat(),
        "caller_name": item.caller_name,
        "caller_phone": item.caller_phone,
    }


def _pager(request: Request, lang: str, page: int, shown: int, total: int) -> dict:
    first = (page - 1) * PAGE_SIZE + 1
    words = pick(SHARED, lang)["pager_shown"]

    def href(number: int) -> str:
        return f"{root(request)}/callbacks?page={number}&lang={lang}"

    return {
        "shown": words.format(first=first, last=first + shown - 1, total=total),
        "prev_href": href(page - 1) if page > 1 else None,
        "next_href": href(page + 1) if first + shown - 1 < total else None,
    }


@router.get("/callbacks", response_class=HTMLResponse)
def callback_list(
    request: Request,
    session: DbSession,
    who: Operator,
    lang: Lang = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The callers waiting for a call back, oldest closed first, a page at a time."""
    chosen = language(request, lang)
    total = callbacks.count(session=session, scope=who.scope)
    if total and (page - 1) * PAGE_SIZE >= total:  # past the end (the list grew shorter)
        return RedirectResponse(f"{root(request)}/callbacks?lang={chosen}", 303)
    items = callbacks.waiting(
        session=session, scope=who.scope, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    auditing.record_read(  # the callers' masked names and phones
        session,
        request,
        who,
        "case.callbacks",
        object_type="case",
        detail={"page": page, "count": len(items)},
    )
    header = header_context(request, session, who, chosen)
    context = {
        **header,
        "rows": [_row(item, chosen) for item in items],
        "total": total,
        "page": _pager(request, chosen, page, len(items), total) if items else None,
        "comment_max": COMMENT_MAX,
        "export_csv": f"{root(request)}/callbacks/export.csv?lang={chosen}",
        "export_xlsx": f"{root(request)}/callbacks/export.xlsx?lang={chosen}",
    }
    script = {
        "api": root(request) + API_PREFIX,
        "csrfToken": header.get("csrf_token", ""),
        "canReveal": who.can(Permission.PII_REVEAL),
        "commentMax": COMMENT_MAX,
        "hasNextPage": bool(context["page"] and context["page"]["next_href"]),
    }
    response = render(request, "callbacks.html", chosen, STRINGS, context, script=script)
    response.headers["Cache-Control"] = "no-store"  # callers' data, and the CSRF token
    return response


_BATCH = 500  # callers read at a time for the export


def _every(session, who: Principal):
    """Yields every caller of the list, oldest closed first, a batch at a time."""
    offset = 0
    while batch := callbacks.waiting(session=session, scope=who.scope, limit=_BATCH, offset=offset):
        yield from batch
        offset += len(batch)


@router.get("/callbacks/export.csv")
@router.get("/callbacks/export.xlsx")
def callbacks_export(
    request: Request, session: StreamingSession, who: Operator, lang: Lang = None
) -> Response:
    """Every caller waiting for a call back, as CSV or XLSX, the callers masked."""
    return list_exports.stream(
        request,
        session,
        who,
        lang,
        columns=COLUMNS,
        rows=_every(session, who),
        name="callbacks",
        audited_as="case",
        query={"page": "callbacks"},
    )


# The list's columns: the callers as the list shows them, masked (a number is revealed one at a
# time, with a purpose, on the page alone).
COLUMNS = [
    exports.Column("receipt", "受理编号", "receipt", 16),
    exports.Column(
        "category",
        "类别",
        "category",
        14,
        lambda c: c.category_name or c.category_code,
        lambda c: c.category_name_en or c.category_code,
    ),
    exports.Column("description", "描述（已脱敏）", "description (masked)", 48),
    exports.Column("closed_at", "结案时间", "closed at", 20),
    exports.Column("caller_name", "来电人（已脱敏）", "caller (masked)", 12),
    exports.Column("caller_phone", "电话（已脱敏）", "phone (masked)", 14),
]


STRINGS: Strings = {
    **RATING_STRINGS,
    "page_title": ("回访列表", "Callbacks"),
    "intro": (
        "已结案、来电人希望回访且尚未评价的 12345 来电，最早结案的在前。"
        "请致电来电人，说明处理结果，并代为记录其评价。",
        "Closed 12345 calls whose caller asked to be called back and has not rated the "
        "result yet, oldest closed first. Call the caller, tell them the result, and enter "
        "their rating for them.",
    ),
    "waiting_count": ("{n} 位来电人等待回访", "{n} callers waiting for a call"),
    "waiting_count_one": ("{n} 位来电人等待回访", "{n} caller waiting for a call"),
    "empty": ("目前没有等待回访的来电。", "Nobody is waiting for a call back."),
    "list_label": ("等待回访的来电", "Callers waiting for a call"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export XLSX"),
    "closed_at": ("结案时间", "Closed"),
    "caller": ("来电人", "Caller"),
    "caller_unnamed": ("未留姓名", "no name given"),
    "phone": ("电话", "Phone"),
    "no_phone": ("未留电话", "no phone given"),
    "reveal_button": ("查看电话", "Show number"),
    "reveal_title": (
        "查看来电人的完整电话（将记入审计日志）",
        "Show the caller's full phone number (recorded in the audit log)",
    ),
    "reveal_purpose_default": (
        "电话回访来电人，记录其对处理结果的评价",
        "Call the caller back to record their rating of the result",
    ),
    "reveal_error": ("查看失败：{detail}", "Could not show the number: {detail}"),
    "rating_on_behalf": ("来电人对处理结果满意吗？", "Is the caller satisfied with the result?"),
    "comment_label": ("来电人的意见（选填）", "The caller's comment (optional)"),
    "rate_button": ("记录评价", "Record the rating"),
    "rate_pending": ("正在记录…", "Recording…"),
    "error_rating": ("请选择 1 到 5 星的评价", "Choose a rating from 1 to 5 stars"),
    "error_comment": ("意见最多 {n} 字", "The comment may have at most {n} characters"),
    "rate_failed": ("评价未能记录：{detail}", "The rating was not recorded: {detail}"),
    "rated": (
        "已记录回执 {receipt} 的评价：{n} 星。该来电已移出列表。",
        "Recorded the rating of receipt {receipt}: {n} stars. The call has left the list.",
    ),
}
