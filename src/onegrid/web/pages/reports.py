"""A street's monthly report at `/reports/monthly?street=…&month=2026-11`: the month's figures
beside last month's, the top categories and the overdue cases, printable on A4 (the print
stylesheet drops the header and the controls); the same as XLSX at `/reports/monthly.xlsx`.
The command centre and leaders read any street of the district, a street office its own
(cases.supervise, within scope). The figures: reports/monthly.py; the page's script only
prints: static/js/pages/reports.js."""

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from onegrid.audit import auditing
from onegrid.cases.machine import state_name
from onegrid.core.access import require
from onegrid.core.exports import MEDIA_TYPES, Format, local_zone, text, today
from onegrid.core.levels import Level
from onegrid.core.permissions import Permission, Principal
from onegrid.db import DbSession
from onegrid.reports import Month, MonthlyReport, build, ended_month
from onegrid.reports.monthly import Figure
from onegrid.reports.workbook import COUNT_NAMES
from onegrid.reports.workbook import write as write_workbook
from onegrid.territory import service as territory
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings

router = APIRouter(include_in_schema=False)
Supervisor = Annotated[Principal, require(Permission.CASES_SUPERVISE)]
StreetCode = Annotated[str | None, Query(max_length=9, description="a street's 9-digit code")]
MonthText = Annotated[str | None, Query(max_length=7, description="YYYY-MM")]
OVERDUE_SHOWN = 200  # the page lists this many overdue cases; the XLSX holds them all


def _streets(session, who: Principal) -> list:
    return territory.list_units(session=session, scope=who.scope, level=Level.STREET)


@dataclass(frozen=True)
class _Asked:
    """The street and month a report is asked for (the page and its XLSX read them alike)."""

    street: str | None
    month: str | None


def _asked(street: StreetCode = None, month: MonthText = None) -> _Asked:
    return _Asked(street, month)


Asked = Annotated[_Asked, Depends(_asked)]


def _report(session, who: Principal, asked: _Asked) -> tuple[MonthlyReport, Month, list]:
    """The report of the street and month asked for, or of the first street in scope and the
    month just ended; the month; the streets one may ask for."""
    streets = _streets(session, who)
    code = asked.street or (streets[0].code if streets else "")
    chosen = Month.parse(asked.month) if asked.month else ended_month()
    report = build(session=session, street_code=code, month=chosen, within=who.scope)
    return report, chosen, streets


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _change(figure: Figure) -> str:
    if figure.this.value is None or figure.last.value is None:
        return "—"
    points = (figure.this.value - figure.last.value) * 100
    return f"{points:+.1f}"


def _signed(number: int) -> str:
    return f"{number:+d}"


def _view(report: MonthlyReport, lang: str) -> dict:
    en = lang == "en"
    return {
        "counts": [
            {
                "name": COUNT_NAMES[fact][1].capitalize() if en else COUNT_NAMES[fact][0],
                "this": this,
                "last": last,
                "change": _signed(this - last),
            }
            for fact, (this, last) in report.counts.items()
        ],
        "figures": [
            {
                "code": f.indicator.code,
                "name": f.indicator.en.capitalize() if en else f.indicator.zh,
                "about": f.indicator.about_en if en else f.indicator.about_zh,
                "this": _percent(f.this.value),
                "last": _percent(f.last.value),
                "change": _change(f),
                "terms": f"{f.this.numerator} / {f.this.denominator}",
            }
            for f in report.figures
        ],
        "categories": [
            {
                "code": c.code,
                "name": (c.name_en if en and c.name_en else c.name) or c.code,
                "this": c.this,
                "last": c.last,
                "change": _signed(c.this - c.last),
            }
            for c in report.categories
        ],
        "overdue": [
            {
                "receipt": case.receipt,
                "category_code": case.category_code,
                "state_name": state_name(case.state, lang),
                "received_at": text(case.received_at)[:16],
                "stage_deadline": text(case.stage_deadline)[:16] or "—",
                "department": case.department,
                "escalation_level": case.escalation_level,
            }
            for case in report.overdue[:OVERDUE_SHOWN]
        ],
        "overdue_total": len(report.overdue),
        "street": report.street_label(lang),
    }


@router.get("/reports/monthly", response_class=HTMLResponse)
def monthly_page(
    request: Request,
    session: DbSession,
    who: Supervisor,
    asked: Asked,
    lang: Lang = None,
) -> Response:
    """The street's report of the month, to read and to print."""
    chosen_lang = language(request, lang)
    report, chosen, streets = _report(session, who, asked)
    query = f"street={report.street_code}&month={chosen}"
    context = {
        **header_context(request, session, who, chosen_lang),
        "report": report,
        "view": _view(report, chosen_lang),
        "streets": streets,
        "month": str(chosen),
        "previous": str(chosen.previous),
        "xlsx_href": f"{root(request)}/reports/monthly.xlsx?{query}&lang={chosen_lang}",
        "switch_query": f"&{query}",
        "generated_at": datetime.now(local_zone()).strftime("%Y-%m-%d %H:%M"),
    }
    return render(request, "reports_monthly.html", chosen_lang, STRINGS, context, script={})


@router.get("/reports/monthly.xlsx")
def monthly_xlsx(
    request: Request,
    session: DbSession,
    who: Supervisor,
    asked: Asked,
    lang: Lang = None,
) -> Response:
    """The same report as an XLSX workbook, made now: figures, top categories, overdue cases."""
    chosen_lang = language(request, lang)
    report, chosen, _ = _report(session, who, asked)
    file = io.BytesIO()  # a report is a few pages: it is made in memory
    write_workbook(file, report, chosen_lang)
    auditing.record_read(
        session,
        request,
        who,
        "report.export",
        object_type="report",
        object_id=f"{report.street_code}/{chosen}",
        detail={"street": report.street_code, "month": str(chosen), "format": "xlsx"},
    )
    name = f"monthly-{report.street_code}-{chosen}-{today().isoformat()}.xlsx"
    return Response(
        file.getvalue(),
        media_type=MEDIA_TYPES[Format.XLSX],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


STRINGS: Strings = {
    "page_title": ("街道月度报告", "Street monthly report"),
    "heading": ("{street} · {month} 月度报告", "{street} · Monthly report {month}"),
    "intro": (
        "按受理月份统计：本月受理的案件，以生成报告时的状态计；与上月（{previous}）对比。",
        "Counted by month of intake: the cases received this month, as they stand now; "
        "beside last month ({previous}).",
    ),
    "street_label": ("街道", "Street"),
    "month_label": ("月份", "Month"),
    "show": ("查看", "Show"),
    "print": ("打印", "Print"),
    "download": ("下载 XLSX", "Download XLSX"),
    "counts_title": ("案件数", "Cases"),
    "figures_title": ("指标", "Indicators"),
    "categories_title": ("高发类别（前 10）", "Top 10 categories"),
    "overdue_title": ("超期案件", "Overdue cases"),
    "overdue_intro": (
        "本月受理、曾超过某一阶段时限的案件，最早受理的在前。",
        "Cases received this month that ran past a stage's time limit, oldest first.",
    ),
    "overdue_more": (
        "另有 {n} 件，见 XLSX。",
        "{n} more in the XLSX file.",
    ),
    "overdue_none": ("本月没有超期案件。", "No case ran past its limit this month."),
    "categories_none": ("本月没有受理案件。", "No case was received this month."),
    "item": ("项目", "Item"),
    "this_month": ("本月", "This month"),
    "last_month": ("上月", "Last month"),
    "change": ("变化", "Change"),
    "change_points": ("变化（百分点）", "Change (points)"),
    "terms": ("分子 / 分母", "Numerator / denominator"),
    "category": ("类别", "Category"),
    "receipt": ("受理编号", "Receipt"),
    "state": ("状态", "State"),
    "received_at": ("受理时间", "Received"),
    "deadline": ("阶段时限", "Stage deadline"),
    "department": ("部门", "Department"),
    "level": ("督办级别", "Escalation"),
    "generated": ("生成于 {at}", "Made {at}"),
}
