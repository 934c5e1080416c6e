"""A department's inbox at `/inbox` (department handlers; their start page): the cases
dispatched to my department in tabs by light (red, yellow, green), awaiting approval of an
extension or park, parked and returned, each row with its light and working time left and a
link to the case page (/cases/{id}), where the department's actions are; and my department's
figures of this month and this year (the indicators, read from the rollup).

The lists: cases/worklists.py; the figures: onegrid.indicators with the department's scope."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from onegrid import indicators
from onegrid.cases import worklists
from onegrid.cases.worklists import InboxTab
from onegrid.core.access import require
from onegrid.core.permissions import Permission, Principal
from onegrid.db import DbSession
from onegrid.territory.models import Department
from onegrid.web import figures, worklist_page
from onegrid.web.figures import Span
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render
from onegrid.web.strings import Strings, pick
from onegrid.web.worklist_page import LIST_STRINGS

router = APIRouter(include_in_schema=False)
Handler = Annotated[Principal, require(Permission.CASES_HANDLE)]
COUNTS = ("received", "closed", "overdue_now")
RATES = ("on_time_closure_rate", "closure_rate", "rework_rate", "extension_rate")


def _figures(session, who: Principal, lang: str) -> list[dict]:
    day = figures.today()
    spans = []
    for span in (Span.MONTH, Span.YEAR):
        rows = indicators.indicators(
            session=session, scope=who.scope, since=figures.since(span, day)
        )
        spans.append(
            {
                "key": span.value,
                "label": pick(figures.SPAN_LABELS, lang)[span.value],
                "figures": figures.figures(rows[0] if rows else None, COUNTS, RATES, lang),
            }
        )
    return spans


@router.get("/inbox", response_class=HTMLResponse)
def department_inbox(
    request: Request,
    session: DbSession,
    who: Handler,
    tab: InboxTab = InboxTab.RED,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    lang: Lang = None,
) -> Response:
    """My department's dispatched cases in one tab, due soonest first; its figures."""
    chosen = language(request, lang)
    department = session.get(Department, who.scope.department_id or 0)
    name = ""
    if department is not None:
        name = (department.name_en or department.name) if chosen == "en" else department.name
    context = {
        **header_context(request, session, who, chosen),
        "department": name,
        **worklist_page.office_list(
            request,
            session,
            who,
            chosen,
            name="inbox",
            read=worklists.inbox,
            tabs=InboxTab,
            tab=tab,
            page=page,
        ),
        "spans": _figures(session, who, chosen),
    }
    return render(request, "inbox.html", chosen, STRINGS, context)


STRINGS: Strings = {
    "page_title": ("部门待办", "Department inbox"),
    "inbox_heading": ("部门待办", "Department inbox"),
    "tabs_label": ("按红黄绿灯和状态分类", "By light and by state"),
    "tab_red": ("红灯", "Red"),
    "tab_yellow": ("黄灯", "Yellow"),
    "tab_green": ("绿灯", "Green"),
    "tab_pending": ("待审批", "Awaiting approval"),
    "tab_parked": ("挂账", "Parked"),
    "tab_returned": ("已回退", "Returned"),
    "order_note": (
        "派给本部门的案件，剩余时间最少（或已超时最久）的排在最前。点击案件进行反馈、回退、申请延期或挂账。",
        "The cases dispatched to my department, the least time left (or longest overdue) "
        "first. Open a case to report its result, return it, or ask for an extension or to "
        "park it.",
    ),
    "empty_red": ("没有超时的案件。", "No case is overdue."),
    "empty_yellow": ("没有临近时限的案件。", "No case is near its limit."),
    "empty_green": ("没有时限内处置中的案件。", "No case is being handled on time."),
    "empty_pending": (
        "没有等待审批的延期或挂账申请。",
        "No extension or park is awaiting approval.",
    ),
    "empty_parked": ("没有挂账的案件。", "No case is parked."),
    "empty_returned": ("没有回退待重新派遣的案件。", "No returned case awaits redispatch."),
    **LIST_STRINGS,
    "figures_heading": ("本部门指标", "My department's figures"),
    "figures_note": (
        "按受理日期统计派给本部门的案件（见指标说明）。",
        "The cases dispatched to my department, by the day they were received (see the "
        "indicators' definitions).",
    ),
    **figures.STRINGS,
}
