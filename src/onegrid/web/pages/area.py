"""A street office's or community's area list at `/area` (their start page, street offices;
community staff start on their tasks and reach it from the navigation): the open cases of my
area, overdue and escalated first, then due soonest, each with its light, time left and
escalation level, a link to the case page and one to its 督办 (supervise) form there.

The list: cases/worklists.py; its tabs, cards and pager: web/worklist_page.py."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from onegrid.cases import worklists
from onegrid.cases.worklists import AreaTab
from onegrid.core.access import require
from onegrid.core.permissions import Permission, Principal
from onegrid.db import DbSession
from onegrid.territory import service as territory
from onegrid.web import worklist_page
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings, pick
from onegrid.web.worklist_page import FLAGS, LIST_STRINGS

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, require(Permission.CASES_READ)]


def _area_name(session: Session, who: Principal) -> str:
    codes = who.scope.unit_codes
    if len(codes) != 1:
        return ""
    return territory.names(session=session, codes=codes, scope=who.scope).get(codes[0], "")


@router.get("/area", response_class=HTMLResponse)
def area_list(
    request: Request,
    session: DbSession,
    who: Reader,
    tab: AreaTab = AreaTab.URGENT,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    lang: Lang = None,
) -> Response:
    """The open cases of my area, overdue and escalated first."""
    chosen = language(request, lang)
    listed = worklist_page.office_list(
        request,
        session,
        who,
        chosen,
        name="area",
        read=worklists.area,
        tabs=AreaTab,
        tab=tab,
        page=page,
    )
    supervise = who.can(Permission.CASES_SUPERVISE)
    for card in listed["cards"]:
        card["supervise_href"] = f"{card['href']}#actions" if supervise else None
        card["supervise_label"] = pick(FLAGS, chosen)["supervise"]
    context = {
        **header_context(request, session, who, chosen),
        "area": _area_name(session, who),
        **listed,
        "console_href": f"{root(request)}/console?lang={chosen}",
        "tasks_href": (
            f"{root(request)}/tasks?lang={chosen}" if who.can(Permission.CASES_VERIFY) else None
        ),
    }
    return render(request, "area.html", chosen, STRINGS, context)


STRINGS: Strings = {
    "page_title": ("辖区案件", "My area's cases"),
    "area_heading": ("辖区案件", "My area's cases"),
    "tabs_label": ("案件分类", "Kinds of case"),
    "tab_urgent": ("超时与升级", "Overdue or escalated"),
    "tab_overdue": ("已超时", "Overdue"),
    "tab_escalated": ("已升级", "Escalated"),
    "tab_open": ("全部在办", "All open"),
    "order_note": (
        "辖区内未结案件：已超时的在前，其次是已升级的（层级高的在前），再按剩余时间排列。",
        "The open cases of my area: overdue first, then escalated (the highest level first), "
        "then the least time left.",
    ),
    "empty_urgent": ("辖区内没有超时或升级的案件。", "No case of my area is overdue or escalated."),
    "empty_overdue": ("辖区内没有超时的案件。", "No case of my area is overdue."),
    "empty_escalated": ("辖区内没有升级的案件。", "No case of my area is escalated."),
    "empty_open": ("辖区内没有未结案件。", "My area has no open case."),
    **LIST_STRINGS,
    "open_tasks": ("我的任务（核实、核查）", "My tasks (verify, check)"),
    "open_console": ("全部案件（筛选、搜索、导出）", "All cases (filter, search, export)"),
}
