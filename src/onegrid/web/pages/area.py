"""A street office's or community's area list at `/area` (their start page, street offices;
community staff start on their tasks and reach it from the navigation): the open cases of my
area, overdue and escalated first, then due soonest, each with its light, time left and
escalation level, a link to the case page and one to its 督办 (supervise) form there.

The list: cases/worklists.py. Also the case cards and pager the office lists share (/inbox)."""

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from onegrid.audit import auditing
from onegrid.cases import tasks, worklists
from onegrid.cases.models import Case
from onegrid.cases.worklists import AreaTab
from onegrid.core.access import require
from onegrid.core.permissions import Permission, Principal
from onegrid.core.workcalendar import get_calendar
from onegrid.db import DbSession
from onegrid.db.base import utcnow
from onegrid.territory import service as territory
from onegrid.web.header import header_context
from onegrid.web.pages.tasks import case_card
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import SHARED, Strings, pick

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, require(Permission.CASES_READ)]
PAGE_SIZE = 20

# What a row says beside its light: the level a late case was escalated to, a pending request.
FLAGS: Strings = {
    "level_1": ("已升级至社区", "Escalated to the community"),
    "level_2": ("已升级至街道", "Escalated to the street"),
    "level_3": ("已升级至区级", "Escalated to the district"),
    "pending_extension": ("延期申请待审批", "Extension awaiting approval"),
    "pending_park": ("挂账申请待审批", "Parking awaiting approval"),
    "supervise": ("督办", "Supervise"),
}


def _flags(case: Case, lang: str) -> list[str]:
    words = pick(FLAGS, lang)
    found = []
    if case.escalation_level:
        found.append(words[f"level_{min(case.escalation_level, 3)}"])
    if case.pending in ("extension", "park"):
        found.append(words[f"pending_{case.pending}"])
    return found


def cards(request: Request, session: Session, cases: list[Case], lang: str) -> list[dict]:
    """Returns the case cards of these cases (web/pages/tasks.case_card), with their flags."""
    if not cases:
        return []
    names = tasks.category_names(
        session=session,
        district_code=cases[0].district_code,
        codes={c.category_code for c in cases},
        lang=lang,
    )
    now = utcnow()
    return [
        case_card(request, case, names, now, lang) | {"flags": _flags(case, lang)} for case in cases
    ]


def pager(total: int, page: int, size: int, lang: str, href: Callable[[int], str]) -> dict | None:
    """Returns the pager of a long list (None when it fits on one page)."""
    if total <= size:
        return None
    first, last = (page - 1) * size + 1, min(page * size, total)
    return {
        "shown": pick(SHARED, lang)["pager_shown"].format(first=first, last=last, total=total),
        "prev_href": href(page - 1) if page > 1 else None,
        "next_href": href(page + 1) if last < total else None,
    }


def _export(request: Request, lang: str, tab: AreaTab, format: str) -> str:
    return f"{root(request)}/area/export.{format}?{urlencode({'tab': tab.value, 'lang': lang})}"


def _href(request: Request, lang: str, tab: AreaTab, page: int) -> str:
    query = {"tab": tab.value, "lang": lang} | ({"page": page} if page > 1 else {})
    return f"{root(request)}/area?{urlencode(query)}"


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
    found = worklists.area(
        session=session,
        scope=who.scope,
        tab=tab,
        calendar=get_calendar(),
        now=utcnow(),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    shown = cards(request, session, found.cases, chosen)
    auditing.record_read(
        session,
        request,
        who,
        "case.list",
        object_type="case",
        detail={"page": "area", "tab": tab.value, "offset": (page - 1) * PAGE_SIZE},
    )
    supervise = who.can(Permission.CASES_SUPERVISE)
    for card in shown:
        card["supervise_href"] = f"{card['href']}#actions" if supervise else None
        card["supervise_label"] = pick(FLAGS, chosen)["supervise"]
    context = {
        **header_context(request, session, who, chosen),
        "area": _area_name(session, who),
        "tabs": [
            {
                "key": t.value,
                "label_key": f"tab_{t.value}",
                "count": found.counts[t.value],
                "href": _href(request, chosen, t, 1),
                "current": t is tab,
            }
            for t in AreaTab
        ],
        "tab": tab.value,
        "cards": shown,
        "export_csv": _export(request, chosen, tab, "csv"),
        "export_xlsx": _export(request, chosen, tab, "xlsx"),
        "pager": pager(
            found.counts[tab.value],
            page,
            PAGE_SIZE,
            chosen,
            lambda n: _href(request, chosen, tab, n),
        ),
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
    "list_label": ("案件列表", "Cases"),
    "export": ("导出本页签", "Export this tab"),
    "export_note": (
        "导出本页签的全部案件（不止当前页），个人信息已脱敏。",
        "Every case of this tab (not only this page), personal data masked.",
    ),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export XLSX"),
    "open_tasks": ("我的任务（核实、核查）", "My tasks (verify, check)"),
    "open_console": ("全部案件（筛选、搜索、导出）", "All cases (filter, search, export)"),
}
