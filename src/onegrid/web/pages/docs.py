"""The API docs at `/docs`: Swagger UI over the OpenAPI document, self-hosted."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from onegrid.core.access import public
from onegrid.core.permissions import Principal
from onegrid.db import DbSession
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render
from onegrid.web.strings import Strings

router = APIRouter(include_in_schema=False)
Anyone = Annotated[Principal, public()]

STRINGS: Strings = {}  # the docs page has the shared strings only; Swagger UI speaks English


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request, session: DbSession, who: Anyone, lang: Lang = None) -> Response:
    """Swagger UI over the OpenAPI document, started by static/js/pages/docs.js."""
    chosen = language(request, lang)
    return render(
        request, "docs.html", chosen, STRINGS, header_context(request, session, who, chosen)
    )
