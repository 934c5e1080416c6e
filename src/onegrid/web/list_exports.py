"""What a page's list export does the same whatever the list: one route serving both files
(`…/export.csv` and `…/export.xlsx`, told apart by the path's suffix), the file named after the
list, the reader's scope and today, streamed (core/exports) and its end audited."""

from collections.abc import Iterable

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from onegrid.audit import auditing
from onegrid.core import exports
from onegrid.core.permissions import Principal
from onegrid.web.rendering import language


def format_of(request: Request) -> exports.Format:
    """Returns the format the path asks for: its suffix (a route serves both)."""
    return exports.Format(request.url.path.rpartition(".")[2])


def stream(
    request: Request,
    session: Session,
    who: Principal,
    lang: str | None,
    *,
    columns: list[exports.Column],
    rows: Iterable,
    name: str,
    audited_as: str,
    query: dict,
    place: str | None = None,
    sheet: str | None = None,
) -> StreamingResponse:
    """Returns the rows streamed as the file the path asks for, in the language asked (`lang`,
    else the reader's), named `name`, the scope (or `place`) and today, its sheet `sheet` (or
    `name`); its end is audited as an export of the list `audited_as`."""
    format = format_of(request)
    where = place or exports.scope_name(who.scope)
    return exports.stream(
        columns=columns,
        rows=rows,
        format=format,
        name=exports.filename(name, where, exports.today(), format),
        lang=language(request, lang),
        sheet=sheet or name,
        finished=auditing.export_recorder(
            session, request, who, audited_as, query=query, format=format.value
        ),
    )
