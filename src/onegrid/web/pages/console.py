"""The console at `/console`: the cases of my scope in queues by stage (受理 … 评价, awaiting
approval, overdue) with their counts, narrowed by filters and a search in Chinese, a keyset
page at a time (cases/queue.py). The command centre ticks cases for the bulk actions (POST
/console/bulk); street offices and communities see their area's queue, the overdue first; a
leader reads. `/console/live` is the same list alone, which htmx fetches every 10 s in its place
(static/js/pages/console.js: keys j/k, Enter, /; no refresh while cases are ticked)."""

from dataclasses import replace
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.audit import auditing
from onegrid.cases import queue, tasks
from onegrid.cases.models import Case, Channel
from onegrid.cases.queue import Queue, QueueFilters
from onegrid.config import get_settings
from onegrid.core.access import require
from onegrid.core.levels import Level
from onegrid.core.permissions import Permission, Principal
from onegrid.core.workcalendar import Light, get_calendar
from onegrid.db import DbSession
from onegrid.db.base import utcnow
from onegrid.routing.models import Category
from onegrid.territory import service as territory
from onegrid.territory.models import TerritoryUnit
from onegrid.web.case_display import LIGHT_LABELS, clock, state_label
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings, pick

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, require(Permission.CASES_READ)]
PAGE_SIZE = 50
REFRESH_SECONDS = 10
_EXCERPT = 60  # characters of the description on a row
_Cursor = Annotated[str | None, Query(max_length=200)]


def default_queue(who: Principal) -> Queue:
    """The command centre starts on intake (受理); an area's staff on its overdue cases."""
    return Queue.RECEIVED if who.can(Permission.CASES_COMMAND) else Queue.OVERDUE


def _filters(request: Request, who: Principal) -> QueueFilters:
    params = {k: v for k, v in request.query_params.items() if k not in ("after", "lang")}
    return QueueFilters.parse(params, default=default_queue(who))


def _href(request: Request, path: str, filters: QueueFilters, lang: str, **more) -> str:
    query = {**filters.params(), "queue": filters.queue.value, "lang": lang, **more}
    return f"{root(request)}{path}?{urlencode(query)}"


def _excerpt(text: str) -> str:
    return text if len(text) <= _EXCERPT else text[:_EXCERPT].rstrip() + "…"


def _row(request: Request, case: Case, names: dict, now: datetime, lang: str) -> dict:
    received = case.received_at.astimezone(ZoneInfo(get_settings().time_zone))
    return {
        "id": case.id,
        "href": f"{root(request)}/cases/{case.id}?lang={lang}",
        "receipt": case.receipt,
        "category": names.get(case.category_code, case.category_code),
        "description": _excerpt(case.description),
        "address": case.address,
        "state": state_label(case.state, lang),
        "clock": clock(case, get_calendar(), now, lang),
        "received": received.strftime("%Y-%m-%d %H:%M"),
        "received_iso": received.isoformat(),
        "escalation": case.escalation_level or 0,
        "pending": case.pending,
    }


def _live(request: Request, session: Session, who: Principal, lang: str, after: str | None):
    """What the list shows: the tabs with their counts, the rows, the next page's link."""
    filters = _filters(request, who)
    found = queue.page(
        session=session, scope=who.scope, filters=filters, after=after, limit=PAGE_SIZE
    )
    counts = queue.counts(session=session, scope=who.scope, filters=filters)
    names = {}
    if found.items:
        names = tasks.category_names(
            session=session,
            district_code=found.items[0].district_code,
            codes={c.category_code for c in found.items},
            lang=lang,
        )
    now = utcnow()
    auditing.record_read(
        session,
        request,
        who,
        "case.list",
        object_type="case",
        detail={
            "page": "console",
            "query": filters.params() | {"queue": filters.queue.value},
            "after": after,
            "count": len(found.items),
        },
    )
    tabs = [
        {
            "key": q.value,
            "count": counts.get(q),  # none for "all": a count of every case would scan
            # A search's closed cases are counted up to one more than SEARCH_COUNTED.
            "count_text": _count_text(counts.get(q), bool(filters.q) and q is Queue.EVALUATE),
            "href": _href(request, "/console", replace(filters, queue=q), lang),
            "current": q is filters.queue,
        }
        for q in queue.Queue
    ]
    return {
        "filters": filters,
        "tabs": tabs,
        "rows": [_row(request, c, names, now, lang) for c in found.items],
        "after": after,
        "first_href": _href(request, "/console", filters, lang) if after else None,
        "next_href": (
            _href(request, "/console", filters, lang, after=found.next_after)
            if found.next_after
            else None
        ),
        "live_href": _href(
            request, "/console/live", filters, lang, **({"after": after} if after else {})
        ),
        "refresh_seconds": REFRESH_SECONDS,
        "can_bulk": who.can(Permission.CASES_COMMAND),
    }


def _count_text(count: int | None, capped: bool) -> str | None:
    if count is None:
        return None
    return f"{queue.SEARCH_COUNTED}+" if capped and count > queue.SEARCH_COUNTED else str(count)


def _choices(session: Session, who: Principal, lang: str) -> dict:
    """The filters' options within the scope: streets, communities, categories, departments."""
    en = lang == "en"
    departments = territory.list_departments(session=session, scope=who.scope)
    # Codes and names only: a unit's row holds its polygon too.
    units = {
        level: session.execute(
            select(TerritoryUnit.code, TerritoryUnit.name)
            .where(
                TerritoryUnit.level == level.value,
                who.scope.unit_clause(TerritoryUnit.code),
                who.scope.district_clause(TerritoryUnit.district_code),
            )
            .order_by(TerritoryUnit.code)
        ).all()
        for level in (Level.STREET, Level.COMMUNITY)
    }
    return {
        "streets": [(code, name) for code, name in units[Level.STREET]],
        "communities": [(code, name) for code, name in units[Level.COMMUNITY]],
        "categories": [
            (code, f"{code} {name_en if en and name_en else name}")
            for code, name, name_en in session.execute(
                # Codes and names only: a whole category (25 columns) costs 0.25 ms to build.
                select(Category.code, Category.name, Category.name_en)
                .where(Category.active.is_(True), who.scope.district_clause(Category.district_code))
                .order_by(Category.district_code, Category.code)
            )
        ],
        "departments": [
            (str(d.id), d.name_en if en and d.name_en else d.name) for d in departments
        ],
        "department_codes": [
            (d.code, d.name_en if en and d.name_en else d.name) for d in departments
        ],
        "channels": [(c.value, pick(CHANNEL_LABELS, lang)[c.value]) for c in Channel],
        "lights": [(light.value, pick(LIGHT_LABELS, lang)[light.value]) for light in Light],
    }


@router.get("/console", response_class=HTMLResponse)
def console(
    request: Request, session: DbSession, who: Reader, after: _Cursor = None, lang: Lang = None
) -> Response:
    """My scope's cases in queues, narrowed by filters and a search, a page at a time."""
    chosen = language(request, lang)
    live = _live(request, session, who, chosen, after)
    filters = live["filters"]
    context = {
        **header_context(request, session, who, chosen),
        **live,
        "choices": _choices(session, who, chosen),
        "values": {**filters.params(), "queue": filters.queue.value},
        "reset_href": f"{root(request)}/console?lang={chosen}",
        "export_csv": _href(request, "/console/export.csv", filters, chosen),
        "export_xlsx": _href(request, "/console/export.xlsx", filters, chosen),
        "switch_query": "&" + urlencode({**filters.params(), "queue": filters.queue.value}),
    }
    return render(request, "console.html", chosen, STRINGS, context)


@router.get("/console/live", response_class=HTMLResponse)
def console_live(
    request: Request, session: DbSession, who: Reader, after: _Cursor = None, lang: Lang = None
) -> Response:
    """The console's list alone (tabs, counts, rows), for htmx to swap in every 10 s."""
    chosen = language(request, lang)
    live = _live(request, session, who, chosen, after)
    return render(request, "console_live.html", chosen, STRINGS, live)


CHANNEL_LABELS: Strings = {
    "citizen": ("市民上报", "Citizen report"),
    "grid_worker": ("网格员上报", "Grid worker"),
    "hotline": ("12345 热线", "12345 hotline"),
    "api": ("系统接口", "API"),
    "open311": ("Open311", "Open311"),
}

STRINGS: Strings = {
    "page_title": ("案件工作台", "Case console"),
    "console_heading": ("案件工作台", "Case console"),
    "tabs_label": ("案件队列", "Queues"),
    "queue_received": ("受理", "Received"),
    "queue_verify": ("核实", "Verify"),
    "queue_open": ("立案", "Open"),
    "queue_dispatch": ("派遣", "Dispatch"),
    "queue_handle": ("处置", "Handling"),
    "queue_check": ("核查", "Check"),
    "queue_evaluate": ("评价", "Evaluate"),
    "queue_approval": ("待审批", "Approval"),
    "queue_overdue": ("超时", "Overdue"),
    "queue_all": ("全部", "All"),
    "more_filters": ("更多筛选条件", "More filters"),
    "search_label": ("搜索描述和地址", "Search descriptions and addresses"),
    "search_placeholder": ("如：井盖 北海街", "e.g. manhole cover"),
    "search_help": (
        "按词搜索，所有词都须出现；一个词也可只输入开头几个字（如“井”可找到“井盖”）。",
        "Searches words, all of them required; a word may be given by its first characters "
        "(井 finds 井盖).",
    ),
    "street": ("街道", "Street"),
    "community": ("社区", "Community"),
    "grid": ("网格编码", "Grid code"),
    "grid_help": ("15 位网格编码", "the grid's 15-digit code"),
    "category": ("类别", "Category"),
    "department": ("处置部门", "Department"),
    "channel": ("来源", "Channel"),
    "light": ("亮灯", "Light"),
    "received_from": ("受理日期从", "Received from"),
    "received_to": ("至", "to"),
    "any": ("全部", "Any"),
    "apply": ("筛选", "Apply"),
    "reset": ("清除筛选", "Clear filters"),
    "list_label": ("案件列表", "Cases"),
    "select_case": ("选择 {receipt}", "Select {receipt}"),
    "received_at": ("受理", "Received"),
    "escalated": ("已升级 {level} 级", "Escalated {level} level(s)"),
    "pending_extension": ("申请延期", "Extension asked"),
    "pending_park": ("申请挂账", "Park asked"),
    "bulk_legend": ("批量处理所选案件", "Act on the selected cases"),
    "bulk_department": ("派遣到", "Dispatch to"),
    "bulk_department_routed": ("按路由表为每件案件选择", "Each case's routing proposal"),
    "bulk_into": ("合并到（受理号）", "Merge into (receipt)"),
    "bulk_note": ("说明（作废须写理由）", "Note (a void needs the reason)"),
    "bulk_dispatch": ("批量派遣", "Dispatch"),
    "bulk_void": ("批量作废", "Void"),
    "bulk_merge": ("批量合并", "Merge"),
    "first_page": ("回到第一页", "First page"),
    "next_page": ("下一页", "Next page"),
    "export": ("导出", "Export"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export XLSX"),
    "export_note": (
        "导出当前筛选下的全部案件（个人信息已遮盖）。",
        "Exports every case of these filters (personal data masked).",
    ),
    "empty": ("此队列中没有符合条件的案件。", "No case of this queue matches."),
    "order_received": ("最新受理的在前。", "Newest first."),
    "order_deadline": (
        "时限最紧迫（或超时最久）的在前；无时限的在后。",
        "Due soonest (or longest overdue) first; those without a clock last.",
    ),
    "order_closed": ("最近结案的在前。", "Latest closed first."),
    "keys_title": ("键盘操作：", "Keyboard: "),
    "keys_help": (
        "j / ↓ 下一条，k / ↑ 上一条，Enter 打开案件，x 勾选，/ 搜索。",
        "j / ↓ next case, k / ↑ previous, Enter opens it, x ticks it, / searches.",
    ),
    "live_note": (
        "每 {n} 秒自动刷新；勾选案件时暂停。",
        "Refreshed every {n} s; paused while cases are ticked.",
    ),
}
