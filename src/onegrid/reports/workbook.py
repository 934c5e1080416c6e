"""The monthly report as an XLSX workbook: the figures, the top categories, the overdue cases."""

from typing import BinaryIO

import xlsxwriter

from onegrid.cases.machine import state_name
from onegrid.core.exports import text
from onegrid.reports.monthly import COUNTS, MonthlyReport

COUNT_NAMES = {
    "received": ("受理数", "received"),
    "opened": ("立案数", "opened"),
    "dispatched": ("已派遣数", "dispatched"),
    "closed": ("结案数", "closed"),
    "voided": ("作废数", "voided"),
}
_WORDS = {
    "title": ("{street} {month} 月度报告", "{street} monthly report {month}"),
    "figures": ("指标", "figures"),
    "categories": ("高发类别", "top categories"),
    "overdue": ("超期案件", "overdue cases"),
    "name": ("项目", "item"),
    "this": ("本月", "this month"),
    "last": ("上月", "last month"),
    "change": ("变化", "change"),
    "formula": ("分子 / 分母", "numerator / denominator"),
    "category": ("类别代码", "category"),
    "category_name": ("类别", "category name"),
    "receipt": ("受理编号", "receipt"),
    "state": ("状态", "state"),
    "stage": ("阶段", "stage"),
    "received_at": ("受理时间", "received at"),
    "deadline": ("阶段时限", "stage deadline"),
    "department": ("部门", "department"),
    "level": ("督办级别", "escalation level"),
}


def word(key: str, lang: str) -> str:
    zh, en = _WORDS[key]
    return en if lang == "en" else zh


def write(path: str | BinaryIO, report: MonthlyReport, lang: str = "zh") -> None:
    """Writes the report's workbook to a path (or a binary file)."""
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "in_memory": True})
    bold = book.add_format({"bold": True})
    percent = book.add_format({"num_format": "0.0%"})
    title = word("title", lang).format(street=report.street_label(lang), month=report.month)

    sheet = book.add_worksheet(word("figures", lang))
    sheet.write_string(0, 0, title, bold)
    _header(sheet, 2, ["name", "this", "last", "change", "formula"], lang, bold)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 3, 12)
    sheet.set_column(4, 4, 24)
    line = 3
    for fact in COUNTS:
        this, last = report.counts[fact]
        sheet.write_string(line, 0, COUNT_NAMES[fact][1 if lang == "en" else 0])
        sheet.write_number(line, 1, this)
        sheet.write_number(line, 2, last)
        sheet.write_number(line, 3, this - last)
        line += 1
    for figure in report.figures:
        sheet.write_string(line, 0, figure.indicator.en if lang == "en" else figure.indicator.zh)
        for column, value in ((1, figure.this), (2, figure.last)):
            if value.value is not None:
                sheet.write_number(line, column, value.value, percent)
        if figure.this.value is not None and figure.last.value is not None:
            sheet.write_number(line, 3, figure.this.value - figure.last.value, percent)
        sheet.write_string(line, 4, f"{figure.this.numerator} / {figure.this.denominator}")
        line += 1
    sheet.freeze_panes(3, 1)

    sheet = book.add_worksheet(word("categories", lang))
    _header(sheet, 0, ["category", "category_name", "this", "last", "change"], lang, bold)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 4, 12)
    for line, category in enumerate(report.categories, 1):
        sheet.write_string(line, 0, category.code)
        name = category.name_en if lang == "en" and category.name_en else category.name
        sheet.write_string(line, 1, name or "")
        sheet.write_number(line, 2, category.this)
        sheet.write_number(line, 3, category.last)
        sheet.write_number(line, 4, category.this - category.last)
    sheet.freeze_panes(1, 0)

    sheet = book.add_worksheet(word("overdue", lang))
    keys = ["receipt", "category", "state", "stage", "received_at", "deadline", "department"]
    _header(sheet, 0, [*keys, "level"], lang, bold)
    for column, width in enumerate((16, 10, 10, 10, 20, 20, 14, 10)):
        sheet.set_column(column, column, width)
    for line, case in enumerate(report.overdue, 1):
        cells = (
            case.receipt,
            case.category_code,
            state_name(case.state, lang),
            case.stage,
            case.received_at,
            case.stage_deadline,
            case.department,
        )
        for column, value in enumerate(cells):
            sheet.write_string(line, column, text(value))
        sheet.write_number(line, len(cells), case.escalation_level)
    sheet.freeze_panes(1, 0)
    book.close()


def _header(sheet, line: int, keys: list[str], lang: str, bold) -> None:
    for column, key in enumerate(keys):
        sheet.write_string(line, column, word(key, lang), bold)
