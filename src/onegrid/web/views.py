"""Pages: sign-in, the district map at `/`, and the API docs at `/docs`."""

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from onegrid import API_PREFIX, __version__
from onegrid.accounts import service as accounts
from onegrid.accounts.access import SESSION_COOKIE, bearer_token, public, signed_in
from onegrid.accounts.schemas import Credentials
from onegrid.config import get_settings
from onegrid.core.errors import DomainError, Forbidden, Unauthenticated
from onegrid.core.i18n import pick_language
from onegrid.core.permissions import Permission, Principal
from onegrid.db import DbSession
from onegrid.web import login_csrf
from onegrid.web.i18n import HTML_LANG, ROLE_NAMES, other_language, strings

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=TEMPLATES_DIR)
Anyone = Annotated[Principal, public()]
# Open also to a user who must still change a password an administrator set: to change it,
# or to sign out.
Pending = Annotated[Principal, signed_in(pending=True)]
Lang = Annotated[str | None, Query(description="zh or en")]


def _language(request: Request, lang: str | None) -> str:
    return pick_language(lang, request.headers.get("accept-language"))


def _root(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


def _safe_next(target: str | None) -> str:
    # Only paths on this site: an open redirect would hand a phishing page our sign-in.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _base_context(request: Request, lang: str) -> dict:
    return {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "other_lang": other_language(lang),
        "t": strings(lang),
        "root": _root(request),
        "version": __version__,
    }


def _render(request: Request, name: str, lang: str, context: dict, status: int = 200):
    headers = {"Content-Language": HTML_LANG[lang], "Vary": "Accept-Language, Cookie"}
    return templates.TemplateResponse(
        request,
        name,
        {**_base_context(request, lang), **context},
        status_code=status,
        headers=headers,
    )


def _script_config(request: Request, lang: str, who: Principal) -> dict:
    """Returns what map.js reads from the page: API path, base-map tiles, CSRF, rights, strings.

    `canReveal` only decides whether the page offers the reveal button; the reveal API checks
    the permission (and the scope) again on every request.
    """
    settings = get_settings()
    return {
        "lang": lang,
        "api": _root(request) + API_PREFIX,
        "tileUrl": settings.tile_url,
        "tileAttribution": settings.tile_attribution,
        "csrfToken": getattr(request.state, "csrf_token", None),
        "canReveal": who.can(Permission.PII_REVEAL),
        "strings": strings(lang),
    }


def sign_in_first(request: Request, error: Exception) -> Response:
    """Sends a browser that opened a page it must sign in for to the sign-in form, and back."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    lang = _language(request, request.query_params.get("lang"))
    return RedirectResponse(f"{_root(request)}/login?next={quote(target)}&lang={lang}", 303)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, who: Anyone, lang: Lang = None) -> Response:
    """The district map, for signed-in staff; others are sent to sign in first."""
    chosen = _language(request, lang)
    if getattr(request.state, "must_change_password", False):
        return RedirectResponse(f"{_root(request)}/password?lang={chosen}", 303)
    if who.is_anonymous:
        return RedirectResponse(f"{_root(request)}/login?next={quote('/')}&lang={chosen}", 303)
    role = ROLE_NAMES[chosen].get(who.role.value, who.role.value) if who.role else ""
    return _render(
        request,
        "index.html",
        chosen,
        {
            "config": _script_config(request, chosen, who),
            "user": strings(chosen)["signed_in_as"].format(name=who.username, role=role),
            "csrf_token": getattr(request.state, "csrf_token", ""),
        },
    )


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request, who: Anyone, lang: Lang = None) -> Response:
    """Swagger UI over the OpenAPI document, self-hosted and started by static/docs.js."""
    return _render(request, "docs.html", _language(request, lang), {})


def _login_form(request: Request, lang: str, context: dict, status: int = 200) -> Response:
    """Renders the sign-in form with a login-CSRF token in its cookie and its hidden field."""
    token = login_csrf.token_for(request)
    response = _render(request, "login.html", lang, {**context, "login_token": token}, status)
    login_csrf.set_cookie(response, token, _root(request))
    response.headers["Cache-Control"] = "no-store"  # a cache must not hand the token on
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, who: Anyone, lang: Lang = None, next: str = "/") -> Response:
    """The sign-in form."""
    return _login_form(
        request, _language(request, lang), {"next": _safe_next(next), "username": ""}
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: DbSession,
    who: Anyone,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    lang: Lang = None,
) -> Response:
    """Signs in with a session cookie, or shows the form again with the reason."""
    chosen = _language(request, lang)
    context = {"next": _safe_next(next), "username": username}
    try:
        # Before the credentials are even looked at: a forged form must not count as a try.
        login_csrf.check(request, csrf_token)
    except Forbidden as error:
        context = {"next": "/", "username": "", "error": error.message(chosen)}
        return _login_form(request, chosen, context, 403)
    try:
        credentials = Credentials(username=username, password=password)
        result = accounts.sign_in(
            session=session, request=request, principal=who, credentials=credentials, kind="session"
        )
    except Unauthenticated as error:
        return _login_form(request, chosen, {**context, "error": error.message(chosen)}, 401)
    settings = get_settings()
    # A password an administrator set opens nothing but the page that changes it.
    target = f"/password?lang={chosen}" if result.user.must_change_password else _safe_next(next)
    response = RedirectResponse(_root(request) + target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        max_age=settings.session_absolute_hours * 3600,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )
    response.delete_cookie(login_csrf.COOKIE, path=f"{_root(request)}/login")
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession, who: Pending) -> Response:
    """Ends the session (the form carries the CSRF token) and returns to the sign-in page."""
    secret = request.cookies.get(SESSION_COOKIE)
    accounts.end_session(session=session, request=request, who=who, secret=secret)
    response = RedirectResponse(f"{_root(request)}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _password_form(request: Request, lang: str, context: dict, status: int = 200) -> Response:
    state = request.state
    context = {
        "pending": getattr(state, "must_change_password", False),
        "csrf_token": getattr(state, "csrf_token", ""),
        **context,
    }
    response = _render(request, "password.html", lang, context, status)
    response.headers["Cache-Control"] = "no-store"  # it carries the session's CSRF token
    return response


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, who: Pending, lang: Lang = None) -> Response:
    """The form that changes one's own password (all a password set by an admin opens)."""
    return _password_form(request, _language(request, lang), {})


@router.post("/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    session: DbSession,
    who: Pending,
    old_password: Annotated[str, Form(max_length=256)],
    new_password: Annotated[str, Form(max_length=256)],
    confirm_password: Annotated[str, Form(max_length=256)],
    lang: Lang = None,
) -> Response:
    """Changes the password and goes on to the map, or shows the form again with the reason."""
    chosen = _language(request, lang)
    if new_password != confirm_password:
        context = {"error": strings(chosen)["password_mismatch"]}
        return _password_form(request, chosen, context, 422)
    try:
        accounts.change_own(
            session=session,
            request=request,
            who=who,
            old=old_password,
            new=new_password,
            keep_token=bearer_token(request) or request.cookies.get(SESSION_COOKIE),
        )
    except DomainError as error:
        return _password_form(request, chosen, {"error": error.message(chosen)}, 422)
    return RedirectResponse(f"{_root(request)}/?lang={chosen}", status_code=303)
