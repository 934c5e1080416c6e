"""The office lists' exports: `/inbox/export.csv|xlsx` (a department's inbox) and
`/area/export.csv|xlsx` (a street's or community's area list): every case of the tab the page
shows, in its order and the reader's scope (cases/worklists.py decides which and in what order,
from the few columns of the open cases; the cases are then read a batch at a time), streamed as
a file with the console's columns (cases/exporting: personal data masked as stored), audited
with the row count."""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onegrid.audit import auditing
from onegrid.cases import exporting, worklists
from onegrid.cases.worklists import AreaTab, InboxTab
from onegrid.core import exports
from onegrid.core.access import require
from onegrid.core.permissions import Permission, Principal
from onegrid.core.workcalendar import get_calendar
from onegrid.db import StreamingSession
from onegrid.db.base import utcnow
from onegrid.web.rendering import Lang, language

router = APIRouter(include_in_schema=False)
Handler = Annotated[Principal, require(Permission.CASES_HANDLE)]
Reader = Annotated[Principal, require(Permission.CASES_READ)]


def _export(
    request: Request,
    session,
    who: Principal,
    lang: str | None,
    format: exports.Format,
    page: str,
    tab: str,
    ids: Sequence[int],
) -> Response:
    return exports.stream(
        columns=exporting.COLUMNS,
        rows=exporting.rows_by_id(session=session, scope=who.scope, ids=ids),
        format=format,
        name=exports.filename(page, exports.scope_name(who.scope), exports.today(), format),
        lang=language(request, lang),
        sheet="cases",
        finished=auditing.export_recorder(
            session, request, who, "case", query={"page": page, "tab": tab}, format=format.value
        ),
    )


def _inbox(request, session, who: Principal, tab: InboxTab, lang, format) -> Response:
    ids = worklists.inbox_ids(
        session=session, scope=who.scope, tab=tab, calendar=get_calendar(), now=utcnow()
    )
    return _export(request, session, who, lang, format, "inbox", tab.value, ids)


def _area(request, session, who: Principal, tab: AreaTab, lang, format) -> Response:
    ids = worklists.area_ids(
        session=session, scope=who.scope, tab=tab, calendar=get_calendar(), now=utcnow()
    )
    return _export(request, session, who, lang, format, "area", tab.value, ids)


@router.get("/inbox/export.csv")
def inbox_csv(
    request: Request,
    session: StreamingSession,
    who: Handler,
    tab: InboxTab = InboxTab.RED,
    lang: Lang = None,
) -> Response:
    """My department's cases of this inbox tab, due soonest first, as CSV."""
    return _inbox(request, session, who, tab, lang, exports.Format.CSV)


@router.get("/inbox/export.xlsx")
def inbox_xlsx(
    request: Request,
    session: StreamingSession,
    who: Handler,
    tab: InboxTab = InboxTab.RED,
    lang: Lang = None,
) -> Response:
    """My department's cases of this inbox tab, due soonest first, as an XLSX workbook."""
    return _inbox(request, session, who, tab, lang, exports.Format.XLSX)


@router.get("/area/export.csv")
def area_csv(
    request: Request,
    session: StreamingSession,
    who: Reader,
    tab: AreaTab = AreaTab.URGENT,
    lang: Lang = None,
) -> Response:
    """My area's open cases of this tab, overdue and escalated first, as CSV."""
    return _area(request, session, who, tab, lang, exports.Format.CSV)


@router.get("/area/export.xlsx")
def area_xlsx(
    request: Request,
    session: StreamingSession,
    who: Reader,
    tab: AreaTab = AreaTab.URGENT,
    lang: Lang = None,
) -> Response:
    """My area's open cases of this tab, overdue and escalated first, as an XLSX workbook."""
    return _area(request, session, who, tab, lang, exports.Format.XLSX)
