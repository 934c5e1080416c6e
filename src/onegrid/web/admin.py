"""What the three administrators' pages share (web/pages/admin_*.py): a form's errors by field,
and rendering with the header, never cached (the pages carry the session's CSRF token)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from onegrid.config import get_settings
from onegrid.core.errors import DomainError
from onegrid.core.permissions import Principal
from onegrid.web.header import header_context
from onegrid.web.rendering import render
from onegrid.web.strings import Strings

FORM = "form"  # the errors key of a refusal that names no field: shown above the form


def local(at: datetime, seconds: bool = False) -> str:
    """Returns a moment on the district's wall clock, e.g. 2026-12-07 14:30."""
    shown = at.astimezone(ZoneInfo(get_settings().time_zone))
    return shown.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def errors_of(error: DomainError, lang: str, fields: tuple[str, ...]) -> dict[str, str]:
    """Returns a service's refusal as {field: message}: the field it names if the form has
    it, else the whole form's."""
    field = error.detail.get("field")
    return {field if field in fields else FORM: error.message(lang)}


def forget_refused(session: Session) -> None:
    """Keeps nothing of a refused form: the services refuse before they change anything; should
    something have changed all the same, it is rolled back (a refusal's audit record, written
    apart, stays)."""
    if session.dirty or session.new or session.deleted or not session.is_active:
        session.rollback()


def admin_page(
    request: Request,
    session: Session,
    who: Principal,
    lang: str,
    template: str,
    strings: Strings,
    context: dict,
    status: int = 200,
    script: dict | None = None,
) -> Response:
    """Renders an administrator's page with the header (and what its script reads, if it has
    one); never stored by a cache."""
    header = header_context(request, session, who, lang)
    context = {"errors": {}, "values": {}, **header, **context}
    response = render(request, template, lang, strings, context, status, script=script)
    response.headers["Cache-Control"] = "no-store"
    return response
