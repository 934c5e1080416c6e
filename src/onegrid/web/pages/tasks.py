"""A field worker's pages: "my tasks" at `/tasks` (the cases waiting for their verify or check,
due soonest first) and the task map at `/tasks/map` (their grids and open cases)."""

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from onegrid import API_PREFIX
from onegrid.cases import tasks
from onegrid.cases.models import Case
from onegrid.cases.tasks import Waiting
from onegrid.config import get_settings
from onegrid.core.access import require
from onegrid.core.permissions import Permission, Principal
from onegrid.db import DbSession
from onegrid.web import worklist_page
from onegrid.web.case_display import LIGHT_LABELS
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings, pick

router = APIRouter(include_in_schema=False)
FieldWorker = Annotated[Principal, require(Permission.CASES_VERIFY)]
MAP_CASES = 500  # markers on the task map at most: a grid's or a community's open cases
_RECEIPT = re.compile(r"[A-Z0-9-]{1,20}")


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
    size = worklist_page.PAGE_SIZE
    offset = (page - 1) * size
    found = tasks.waiting(session=session, scope=who.scope, tab=tab, limit=size, offset=offset)
    cards = worklist_page.cards(request, session, found.cases, chosen, flags=False)
    worklist_page.record_read(session, request, who, "tasks", tab, offset, count=len(cards))
    context = {
        **header_context(request, session, who, chosen),
        **worklist_page.tabbed_list(
            request,
            "/tasks",
            chosen,
            tabs=(Waiting.VERIFY, Waiting.CHECK, Waiting.ALL),
            tab=tab,
            counts={w.value: n for w, n in found.counts.items()},
            page=page,
            shown=cards,
            exported=False,
        ),
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
    cards = worklist_page.cards(request, session, cases, chosen, flags=False)
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
