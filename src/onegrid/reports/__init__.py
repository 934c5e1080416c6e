"""Reports: each street's monthly report, as a page, an XLSX file, and by the scheduler."""

from onegrid.reports.monthly import Month, MonthlyReport, build, street_scope
from onegrid.reports.scheduled import ended_month, generate, path_of, start_background_reports

__all__ = [
    "Month",
    "MonthlyReport",
    "build",
    "ended_month",
    "generate",
    "path_of",
    "start_background_reports",
    "street_scope",
]
