"""The console's exports, `/console/export.csv` and `/console/export.xlsx`: every case of the
console's list with the same filters and scope (cases.queue: the filters parsed, a 422 naming a
bad one before anything is sent; the rows read by keyset in constant memory), streamed as a file
(core/exports: personal data masked as stored, the export audited with its row count)."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onegrid.cases import exporting, queue
from onegrid.core.access import require
from onegrid.core.permissions import Permission, Principal
from onegrid.db import StreamingSession
from onegrid.web import list_exports
from onegrid.web.rendering import Lang

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, require(Permission.CASES_READ)]


@router.get("/console/export.csv")
@router.get("/console/export.xlsx")
def console_export(
    request: Request, session: StreamingSession, who: Reader, lang: Lang = None
) -> Response:
    """The console's list, as filtered, as CSV (UTF-8 with a byte-order mark) or XLSX."""
    filters = queue.QueueFilters.parse(request.query_params)
    rows = queue.rows(session=session, scope=who.scope, filters=filters)
    return list_exports.stream(
        request,
        session,
        who,
        lang,
        columns=exporting.COLUMNS,
        rows=exporting.with_departments(session, who.scope, rows),
        name="cases",
        audited_as="case",
        query=filters.params(),
    )
