"""Errors of the pages as pages: 404, 403, 409 ("changed meanwhile"), 422 (the field named),
500, in the user's language, on the base layout with the header when signed in; never a
stack trace. The API keeps its JSON errors (core/problems.py decides which is which)."""

import logging

from fastapi import Request
from fastapi.responses import Response

from onegrid.accounts.identity import identify
from onegrid.core.errors import DomainError
from onegrid.core.permissions import ANONYMOUS, Principal
from onegrid.db import get_session
from onegrid.web.header import header_context
from onegrid.web.rendering import came_from, language, render, root
from onegrid.web.strings import Strings, pick

log = logging.getLogger("onegrid")
_KNOWN = (403, 404, 409, 422, 500)


def _field(error: DomainError) -> str | None:
    # A validation error's first location, e.g. ["query", "page"]: its last part names the field.
    errors = error.detail.get("errors") if isinstance(error.detail, dict) else None
    if errors and errors[0].get("loc"):
        return str(errors[0]["loc"][-1])
    return error.detail.get("field") if isinstance(error.detail, dict) else None


def _raw(error: DomainError) -> bool:
    """Whether the error is the framework's validation of a parameter, not the domain's refusal."""
    return isinstance(error.detail, dict) and bool(error.detail.get("errors"))


def _back(request: Request) -> str:
    """Returns the page to reload: this one if it was opened, else the page whose form was sent."""
    if request.method == "GET":
        return str(request.url)
    return root(request) + came_from(request)


def _header(request: Request, lang_asked: str | None) -> tuple[str, dict]:
    """Returns the page language and header of whoever is asking (anonymous if that fails)."""
    # The request's session as the routes get it (a test's too, through the app's overrides).
    sessions = request.app.dependency_overrides.get(get_session, get_session)()
    try:
        session = next(sessions)
        who: Principal | None = getattr(request.state, "principal", None)
        if who is None:  # an unknown path: no route identified the asker
            identify(request, session)
            who = request.state.principal
        lang = language(request, lang_asked)
        return lang, header_context(request, session, who, lang)
    except Exception:  # the error page itself must answer, whatever else is broken
        log.exception("the error page's header failed on %s", request.url.path)
        lang = language(request, lang_asked)
        return lang, header_context(request, None, ANONYMOUS, lang)  # type: ignore[arg-type]
    finally:
        sessions.close()


def error_page(request: Request, error: DomainError, status: int) -> Response:
    """Renders the page of an error: what happened, in the user's language, and where to go."""
    lang, header = _header(request, request.query_params.get("lang"))
    key = status if status in _KNOWN else "other"
    field = _field(error) if status == 422 else None
    t = pick(STRINGS, lang)
    context = {
        **header,
        "status": status,
        "title": t[f"error_{key}_title"],
        "text": t["error_422_field"].format(field=field) if field else t[f"error_{key}_text"],
        # The domain's own words ("no case 12", "give the reason for the void") help; an
        # unexpected error's do not, nor a raw validation error's ("body.case.0 int_parsing").
        "detail": error.message(lang) if status != 500 and not _raw(error) else None,
        "reload_href": _back(request) if status in (409, 500) else None,
    }
    response = render(request, "error.html", lang, STRINGS, context, status)
    response.headers["Cache-Control"] = "no-store"
    return response


STRINGS: Strings = {
    "error_404_title": ("页面不存在", "Page not found"),
    "error_404_text": (
        "您要打开的页面或内容不存在，或不在您的管辖范围内。",
        "The page or item you asked for does not exist, or is outside your scope.",
    ),
    "error_403_title": ("无权访问", "Not allowed"),
    "error_403_text": (
        "您的角色无权打开此页面或执行此操作。",
        "Your role may not open this page or do this.",
    ),
    "error_409_title": ("内容已被修改", "Changed meanwhile"),
    "error_409_text": (
        "您打开页面之后，内容已被修改，您的操作未执行。请重新加载页面，查看最新内容后再试。",
        "This was changed after you opened the page, so nothing was done. Reload the page, "
        "check what it shows now and try again.",
    ),
    "error_422_title": ("输入有误", "Input not valid"),
    "error_422_text": ("请求中的输入无效，请检查后重试。", "The input is not valid: check it."),
    "error_422_field": (
        "“{field}”的值无效，请检查后重试。",
        "The value of “{field}” is not valid.",
    ),
    "error_500_title": ("服务器出错了", "Something went wrong"),
    "error_500_text": (
        "服务器内部错误，已记录。请稍后重试。",
        "An internal error occurred and was logged. Please try again later.",
    ),
    "error_other_title": ("请求无法处理", "The request could not be handled"),
    "error_other_text": ("请返回首页后重试。", "Go back to the start page and try again."),
    "error_status": ("错误代码 {status}", "Error {status}"),
    "error_reload": ("重新加载", "Reload"),
    "error_home": ("返回首页", "Go to the start page"),
}
