"""The console's exports, `/console/export.csv` and `/console/export.xlsx`: every case of the
console's list with the same filters and scope (cases.queue: the filters parsed, a 422 naming a
bad one before anything is sent; the rows read by keyset in constant memory), streamed as a file
(core/exports: personal data masked as stored, the export audited with its row count)."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onegrid.audit import auditing
from onegrid.cases import exporting, queue
from onegrid.core import exports
from onegrid.core.access import require
from onegrid.core.permissions import Permission, Principal
from onegrid.db import StreamingSession
from onegrid.web.rendering import Lang, language

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, require(Permission.CASES_READ)]


def _export(request: Request, session, who: Principal, lang: str | None, format: exports.Format):
    filters = queue.QueueFilters.parse(request.query_params)
    rows = queue.rows(session=session, scope=who.scope, filters=filters)
    return exports.stream(
        columns=exporting.COLUMNS,
        rows=exporting.with_departments(session, who.scope, rows),
        format=format,
        name=exports.filename("cases", exports.scope_name(who.scope), exports.today(), format),
        lang=language(request, lang),
        sheet="cases",
        finished=auditing.export_recorder(
            session, request, who, "case", query=filters.params(), format=format.value
        ),
    )


@router.get("/console/export.csv")
def console_csv(
    request: Request, session: StreamingSession, who: Reader, lang: Lang = None
) -> Response:
    """The console's list, as filtered, as CSV (UTF-8 with a byte-order mark)."""
    return _export(request, session, who, lang, exports.Format.CSV)


@router.get("/console/export.xlsx")
def console_xlsx(
    request: Request, session: StreamingSession, who: Reader, lang: Lang = None
) -> Response:
    """The console's list, as filtered, as an XLSX workbook."""
    return _export(request, session, who, lang, exports.Format.XLSX)
