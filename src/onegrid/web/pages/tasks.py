"""A field worker's pages: "my tasks" at `/tasks` (the cases waiting for their verify or check,
due soonest first) and the task map at `/tasks/map` (their grids and open cases)."""

import re
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from onegrid import API_PREFIX
from onegrid.audit import auditing
from onegrid.cases import tasks
from onegrid.cases.models import Case
from onegrid.cases.tasks import Waiting
from onegrid.config import get_settings
from onegrid.core.access import require
from onegrid.core.permissions import Permission, Principal
from onegrid.core.workcalendar import get_calendar
from onegrid.db import DbSession
from onegrid.db.base import utcnow
from onegrid.web.case_display import LIGHT_LABELS, clock, state_label
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import SHARED, Strings, pick

router = APIRouter(include_in_schema=False)
FieldWorker = Annotated[Principal, require(Permission.CASES_VERIFY)]
PAGE_SIZE = 20
MAP_CASES = 500  # markers on the task map at most: a grid's or a community's open cases
_RECEIPT = re.compile(r"[A-Z0-9-]{1,20}")


def case_card(request: Request, case: Case, names: dict, now: datetime, lang: str) -> dict:
    """Returns what the case_card component shows of a case (web/case_display says it)."""
    return {
        "href": f"{root(request)}/cases/{case.id}?lang={lang}",
        "receipt": case.receipt,
        "category": names.get(case.category_code, case.category_code),
        "address": case.address,
        "state": state_label(case.state, lang),
        "clock": clock(case, get_calendar(), now, lang),
    }


def _cards(request: Request, session: Session, cases: list[Case], lang: str) -> list[dict]:
    if not cases:
        return []
    names = tasks.category_names(
        session=session,
        district_code=cases[0].district_code,
        codes={c.category_code for c in cases},
        lang=lang,
    )
    now = utcnow()
    return [case_card(request, case, names, now, lang) for case in cases]


def _href(request: Request, lang: str, tab: Waiting, page: int) -> str:
    query = {"tab": tab.value, "lang": lang} | ({"page": page} if page > 1 else {})
    return f"{root(request)}/tasks?{urlencode(query)}"


def _pager(request: Request, lang: str, tab: Waiting, page: int, total: int) -> dict | None:
    if total <= PAGE_SIZE:
        return None
    first = (page - 1) * PAGE_SIZE + 1
    last = min(page * PAGE_SIZE, total)
    shown = pick(SHARED, lang)["pager_shown"].format(first=first, last=last, total=total)
    return {
        "shown": shown,
        "prev_href": _href(request, lang, tab, page - 1) if page > 1 else None,
        "next_href": _href(request, lang, tab, page + 1) if last < total else None,
    }


@router.get("/tasks", response_class=HTMLResponse)
def my_tasks(
    request: Request,
    session: DbSession,
    who: FieldWorker,
    tab: Waiting = Waiting.ALL,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    done: Annotated[str | None, Query(max_length=40)] = None,
    lang: Lang = None,
) -> Response:
    """The cases in my scope waiting for my verify or check, the one due soonest first."""
    chosen = language(request, lang)
    found = tasks.waiting(
        session=session,
        scope=who.scope,
        tab=tab,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    cards = _cards(request, session, found.cases, chosen)
    auditing.record_read(
        session,
        request,
        who,
        "case.list",
        object_type="case",
        detail={
            "page": "tasks",
            "tab": tab.value,
            "offset": (page - 1) * PAGE_SIZE,
            "count": len(cards),
        },
    )
    context = {
        **header_context(request, session, who, chosen),
        "tabs": [
            {
                "key": w.value,
                "label_key": f"tab_{w.value}",
                "count": found.counts[w],
                "href": _href(request, chosen, w, 1),
                "current": w is tab,
            }
            for w in (Waiting.VERIFY, Waiting.CHECK, Waiting.ALL)
        ],
        "tab": tab.value,
        "cards": cards,
        "pager": _pager(request, chosen, tab, page, found.counts[tab]),
        "done": done if done and _RECEIPT.fullmatch(done) else None,
        "map_href": f"{root(request)}/tasks/map?lang={chosen}",
    }
    return render(request, "tasks.html", chosen, STRINGS, context)


def _marker(request: Request, card: dict, case: Case) -> dict:
    return {
        "receipt": case.receipt,
        "href": card["href"],
        "lon": case.lon,
        "lat": case.lat,
        "category": card["category"],
        "state": card["state"],
        "light": card["clock"].light,
        "lightLabel": card["clock"].light_label,
        "timeLeft": card["clock"].time_left,
    }


@router.get("/tasks/map", response_class=HTMLResponse)
def task_map(request: Request, session: DbSession, who: FieldWorker, lang: Lang = None) -> Response:
    """A map of my grids with the open cases of my scope, coloured by their light."""
    chosen = language(request, lang)
    cases = tasks.open_cases(session=session, scope=who.scope, limit=MAP_CASES)
    cards = _cards(request, session, cases, chosen)
    header = header_context(request, session, who, chosen)
    settings = get_settings()
    script = {
        "api": root(request) + API_PREFIX,
        "tileUrl": settings.tile_url,
        "tileAttribution": settings.tile_attribution,
        "cases": [_marker(request, card, case) for card, case in zip(cards, cases, strict=True)],
    }
    context = {
        **header,
        "cards": cards,
        "truncated": len(cases) >= MAP_CASES,
        "tasks_href": f"{root(request)}/tasks?lang={chosen}",
        "legend": pick(LIGHT_LABELS, chosen),
    }
    return render(request, "tasks_map.html", chosen, STRINGS, context, script=script)


STRINGS: Strings = {
    "page_title": ("我的任务", "My tasks"),
    "tasks_heading": ("我的任务", "My tasks"),
    "tabs_label": ("任务分类", "Kinds of task"),
    "tab_verify": ("待核实", "To verify"),
    "tab_check": ("待核查", "To check"),
    "tab_all": ("全部", "All"),
    "order_note": (
        "按时限排列：剩余时间最少（或已超时最久）的排在最前。",
        "Due soonest first: the case with the least time left (or the longest overdue) is at "
        "the top.",
    ),
    "done_notice": ("已提交：{receipt}", "Done: {receipt}"),
    "empty_verify": ("没有等待您现场核实的案件。", "No case is waiting for you to verify."),
    "empty_check": ("没有等待您现场核查的案件。", "No case is waiting for you to check."),
    "empty_all": (
        "没有等待您核实或核查的案件。",
        "No case is waiting for you to verify or check.",
    ),
    "open_map": ("任务地图", "Task map"),
    "list_label": ("任务列表", "Tasks"),
    "map_title": ("任务地图", "Task map"),
    "map_label": ("我的网格与未结案件地图", "Map of my grids and their open cases"),
    "map_list_title": ("未结案件", "Open cases"),
    "map_list_note": (
        "地图上的点按红黄绿灯着色，点击查看案件。",
        "The dots are coloured by their light: select one to open its case.",
    ),
    "map_truncated": (
        "仅显示时限最紧迫的 {n} 件。",
        "Only the {n} cases due soonest are shown.",
    ),
    "map_empty": ("您的范围内没有未结案件。", "No open case in your scope."),
    "back_to_tasks": ("返回任务列表", "Back to my tasks"),
    "map_loading": ("正在加载网格…", "Loading the grids…"),
    "map_error": ("网格加载失败：{detail}", "Could not load the grids: {detail}"),
    "open_case": ("打开案件", "Open the case"),
    "legend_title": ("图例", "Legend"),
    "legend_none": ("无时限（如挂账）", "No clock running (e.g. parked)"),
}
