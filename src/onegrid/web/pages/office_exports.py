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

from onegrid.cases import exporting, worklists
from onegrid.cases.worklists import AreaTab, InboxTab
from onegrid.core.access import require
from onegrid.core.permissions import Permission, Principal
from onegrid.core.workcalendar import get_calendar
from onegrid.db import StreamingSession
from onegrid.db.base import utcnow
from onegrid.web import list_exports
from onegrid.web.rendering import Lang

router = APIRouter(include_in_schema=False)
Handler = Annotated[Principal, require(Permission.CASES_HANDLE)]
Reader = Annotated[Principal, require(Permission.CASES_READ)]


def _export(
    request: Request,
    session,
    who: Principal,
    lang: str | None,
    page: str,
    tab: str,
    ids: Sequence[int],
) -> Response:
    return list_exports.stream(
        request,
        session,
        who,
        lang,
        columns=exporting.COLUMNS,
        rows=exporting.rows_by_id(session=session, scope=who.scope, ids=ids),
        name=page,
        sheet="cases",
        audited_as="case",
        query={"page": page, "tab": tab},
    )


@router.get("/inbox/export.csv")
@router.get("/inbox/export.xlsx")
def inbox_export(
    request: Request,
    session: StreamingSession,
    who: Handler,
    tab: InboxTab = InboxTab.RED,
    lang: Lang = None,
) -> Response:
    """My department's cases of this inbox tab, due soonest first, as CSV or XLSX."""
    ids = worklists.inbox_ids(
        session=session, scope=who.scope, tab=tab, calendar=get_calendar(), now=utcnow()
    )
    return _export(request, session, who, lang, "inbox", tab.value, ids)


@router.get("/area/export.csv")
@router.get("/area/export.xlsx")
def area_export(
    request: Request,
    session: StreamingSession,
    who: Reader,
    tab: AreaTab = AreaTab.URGENT,
    lang: Lang = None,
) -> Response:
    """My area's open cases of this tab, overdue and escalated first, as CSV or XLSX."""
    ids = worklists.area_ids(
        session=session, scope=who.scope, tab=tab, calendar=get_calendar(), now=utcnow()
    )
    return _export(request, session, who, lang, "area", tab.value, ids)
