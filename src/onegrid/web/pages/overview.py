"""The leader's overview at `/overview` (read-only; the leader's start page): the indicators of
docs/indicators.md for a unit of my scope, the units below it with their main figures (a
breadcrumb up, a link down: district → street → community → grid), the worst of them by the
on-time closure rate, and the longest-overdue open cases, each linking to its case page where
督办 (supervise) is. Counts and rates come from the rollup (onegrid.indicators), never a scan;
cases show what the case page shows a leader: receipt, category, place, no reporter."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from onegrid import indicators
from onegrid.audit import auditing
from onegrid.cases import queue
from onegrid.core.access import require
from onegrid.core.levels import UNIT_CODE_PATTERN, Level, level_of
from onegrid.core.permissions import Permission, Principal, Scope
from onegrid.db import DbSession
from onegrid.indicators import INDICATORS, GroupBy
from onegrid.territory import service as territory
from onegrid.web import figures
from onegrid.web.figures import Span
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings, pick
from onegrid.web.worklist_page import cards

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, require(Permission.CASES_READ)]
BY_LEVEL = {
    Level.STREET: GroupBy.STREET,
    Level.COMMUNITY: GroupBy.COMMUNITY,
    Level.GRID: GroupBy.GRID,
}
COUNTS = ("received", "closed", "overdue_now")
TABLE_RATES = ("on_time_closure_rate", "closure_rate", "rework_rate")
WORST_BY = "on_time_closure_rate"
WORST = 5
OVERDUE_CASES = 10


def _top(session: Session, who: Principal) -> str:
    """The code of the unit the reader's scope is: their one unit, else their district."""
    codes = who.scope.unit_codes
    return codes[0] if len(codes) == 1 else who.scope.district_code


def _href(request: Request, lang: str, span: Span, unit: str | None) -> str:
    query = ({"unit": unit} if unit else {}) | {"span": span.value, "lang": lang}
    return f"{root(request)}/overview?{urlencode(query)}"


def _value(row, code: str) -> dict:
    value = row.values[code] if row else None
    return {"text": figures.percent(value), "fraction": value.value if value else None}


def _unit_rows(request, lang, span, children, rows) -> list[dict]:
    by_code = {row.key: row for row in rows}
    out = []
    for child in children:
        row = by_code.get(child.code)
        out.append(
            {
                "code": child.code,
                "name": child.name,
                "href": _href(request, lang, span, child.code),
                "received": row.counts["received"] if row else 0,
                "closed": row.counts["closed"] if row else 0,
                "overdue": figures.overdue_now(row),
                "rates": [_value(row, code) for code in TABLE_RATES],
                "worst_value": row.values[WORST_BY] if row else None,
            }
        )
    return out


def _worst(units: list[dict]) -> list[dict]:
    rated = [u for u in units if u["worst_value"] and u["worst_value"].value is not None]
    rated.sort(key=lambda u: (u["worst_value"].value, -u["worst_value"].denominator, u["code"]))
    return rated[:WORST]


@router.get("/overview", response_class=HTMLResponse)
def overview(
    request: Request,
    session: DbSession,
    who: Reader,
    unit: Annotated[str | None, Query(pattern=UNIT_CODE_PATTERN)] = None,
    span: Span = Span.MONTH,
    lang: Lang = None,
) -> Response:
    """The indicators of a unit of my scope and of the units below it."""
    chosen = language(request, lang)
    code = unit or _top(session, who)
    here = territory.get_by_code(session=session, code=code, scope=who.scope)  # else 404
    level = level_of(here.code)
    scope = Scope(
        district_code=who.scope.district_code,
        unit_codes=(here.code,),
        department_id=who.scope.department_id,
    )
    since = figures.since(span, figures.today())
    total = indicators.indicators(session=session, scope=scope, since=since)
    row = total[0] if total else None
    units = []
    if level.child is not None:
        by_child = indicators.indicators(
            session=session, scope=scope, by=BY_LEVEL[level.child], since=since
        )
        children = territory.children(session=session, unit=here, scope=who.scope)
        units = _unit_rows(request, chosen, span, children, by_child)
    overdue = queue.page(
        session=session,
        scope=scope,
        filters=queue.QueueFilters(queue=queue.Queue.OVERDUE),
        after=None,
        limit=OVERDUE_CASES,
    )
    shown = cards(request, session, overdue.items, chosen)
    if who.can(Permission.CASES_SUPERVISE):
        for card in shown:
            card["supervise_href"] = f"{card['href']}#actions"
            card["supervise_label"] = pick(STRINGS, chosen)["supervise"]
    auditing.record_read(
        session,
        request,
        who,
        "indicators.read",
        object_type="territory_unit",
        object_id=here.code,
        detail={"page": "overview", "span": span.value},
    )
    top = _top(session, who)
    chain = [
        u for u in territory.parent_chain(session=session, unit=here) if len(u.code) >= len(top)
    ]
    words = pick(STRINGS, chosen)
    context = {
        **header_context(request, session, who, chosen),
        "unit": {"code": here.code, "name": here.name, "level": words[f"level_{level.value}"]},
        "crumbs": [{"name": u.name, "href": _href(request, chosen, span, u.code)} for u in chain],
        "spans": [
            {
                "key": s.value,
                "label": pick(figures.SPAN_LABELS, chosen)[s.value],
                "href": _href(request, chosen, s, here.code),
                "current": s is span,
            }
            for s in Span
        ],
        "summary": figures.figures(row, COUNTS, (), chosen),
        "rates": figures.figures(row, (), tuple(i.code for i in INDICATORS), chosen),
        "child_level": words[f"level_{level.child.value}"] if level.child else "",
        "units": units,
        "total": {
            "received": row.counts["received"] if row else 0,
            "closed": row.counts["closed"] if row else 0,
            "overdue": figures.overdue_now(row),
            "rates": [_value(row, c) for c in TABLE_RATES],
        },
        "rate_names": [figures.rate_figure(c, None, chosen).label for c in TABLE_RATES],
        "worst": _worst(units),
        "overdue_cards": shown,
    }
    return render(request, "overview.html", chosen, STRINGS, context)


STRINGS: Strings = {
    "page_title": ("指标总览", "Overview"),
    "overview_heading": ("指标总览", "Overview"),
    "breadcrumb_label": ("上级区划", "Units above"),
    "spans_label": ("统计期间", "Period"),
    "level_district": ("区", "District"),
    "level_street": ("街道", "Street"),
    "level_community": ("社区", "Community"),
    "level_grid": ("网格", "Grid"),
    "summary_heading": ("主要数字", "Main figures"),
    "rates_heading": ("考核指标", "Indicators"),
    "rates_note": (
        "按受理日期统计本区划的案件；比率附分子 / 分母，分母为 0 时显示“—”。",
        "The cases of this unit by the day they were received; each rate with its numerator / "
        "denominator, “—” when the denominator is 0.",
    ),
    "units_heading": ("下级区划：{level}", "Units below: {level}"),
    "units_caption": ("点击名称查看下一级", "Select a name to see the units below it"),
    "col_unit": ("名称", "Name"),
    "col_received": ("受理", "Received"),
    "col_closed": ("结案", "Closed"),
    "col_overdue": ("超期在办", "Overdue now"),
    "total_row": ("合计", "Total"),
    "worst_heading": ("按期结案率最低", "Lowest on-time closure rate"),
    "worst_empty": ("尚无可比较的数据。", "Nothing to compare yet."),
    "overdue_heading": ("超时最久的在办案件", "Open cases overdue the longest"),
    "overdue_empty": ("没有超时的在办案件。", "No open case is overdue."),
    "supervise": ("督办", "Supervise"),
    "list_label": ("案件列表", "Cases"),
    **figures.STRINGS,
}
