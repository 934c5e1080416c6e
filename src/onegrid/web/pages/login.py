"""Signing in and out: the sign-in form, the session cookie, and the way back to a page."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from onegrid.accounts import service as accounts
from onegrid.accounts.identity import SESSION_COOKIE, token_of
from onegrid.accounts.models import User
from onegrid.accounts.schemas import Credentials
from onegrid.config import get_settings
from onegrid.core.access import public, signed_in
from onegrid.core.errors import Forbidden, Unauthenticated
from onegrid.core.permissions import ROLE_PERMISSIONS, Permission, Principal, Role
from onegrid.db import WritingSession
from onegrid.web import login_csrf
from onegrid.web.rendering import Lang, came_from, language, render, root, sign_in_redirect
from onegrid.web.strings import Strings

router = APIRouter(include_in_schema=False)
Anyone = Annotated[Principal, public()]
# Open also to a user who must still change a password an administrator set: to sign out.
Pending = Annotated[Principal, signed_in(pending=True)]


def safe_next(target: str | None) -> str:
    """Returns the page to go on to after signing in: a path on this site, else `/`."""
    # Only paths on this site: an open redirect would hand a phishing page our sign-in.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# A role's desk, where its users start unless their account names another page.
ROLE_START_PAGES: dict[Role, str] = {
    Role.COMMAND_CENTRE: "/console",
    Role.DEPARTMENT_HANDLER: "/inbox",
    Role.STREET_OFFICE: "/area",
    Role.LEADER: "/overview",
    Role.HUMAN_RESOURCES: "/employment",
    # each administrator on their own pages
    Role.SECURITY_ADMIN: "/admin/users",
    Role.SYSTEM_ADMIN: "/admin/categories",
    Role.AUDIT_ADMIN: "/admin/audit",
}


def start_page(user: User, target: str) -> str:
    """Returns where a user goes after signing in: the page asked for; by default (`/`) the
    user's own start page if one is set (the 12345 operator's call form), else their role's
    desk (the command centre's console, a department's inbox, a street's area list, the
    leader's overview, an administrator's own pages), else "my tasks" for the roles that
    verify and check on site (grid workers, community staff), else the map."""
    if target != "/":
        return target
    if user.start_page:
        return safe_next(user.start_page)
    role = Role(user.role)
    if role in ROLE_START_PAGES:
        return ROLE_START_PAGES[role]
    if Permission.CASES_VERIFY in ROLE_PERMISSIONS.get(role, ()):
        return "/tasks"
    return target


def sign_in_first(request: Request, error: Exception) -> Response:
    """Sends a browser that opened a page it must sign in for (never signed in, or its session
    ended) to the sign-in form, and back: to that page, or after a form's POST to the page
    that sent it."""
    lang = language(request, request.query_params.get("lang"))
    if request.method == "GET":
        query = request.url.query
        target = request.url.path[len(root(request)) :] + (f"?{query}" if query else "")
    else:
        target = came_from(request)
    return sign_in_redirect(request, target, lang)


def _login_form(request: Request, lang: str, context: dict, status: int = 200) -> Response:
    """Renders the sign-in form with a login-CSRF token in its cookie and its hidden field."""
    token = login_csrf.token_for(request)
    response = render(
        request, "login.html", lang, STRINGS, {**context, "login_token": token}, status
    )
    login_csrf.set_cookie(response, token, root(request))
    response.headers["Cache-Control"] = "no-store"  # a cache must not hand the token on
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, who: Anyone, lang: Lang = None, next: str = "/") -> Response:
    """The sign-in form."""
    return _login_form(request, language(request, lang), {"next": safe_next(next), "username": ""})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: WritingSession,
    who: Anyone,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    lang: Lang = None,
) -> Response:
    """Signs in with a session cookie, or shows the form again with the reason."""
    chosen = language(request, lang)
    context = {"next": safe_next(next), "username": username}
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
    target = (
        f"/password?lang={chosen}"
        if result.user.must_change_password
        else start_page(result.user, safe_next(next))
    )
    response = RedirectResponse(root(request) + target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        max_age=settings.session_absolute_hours * 3600,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )
    response.delete_cookie(login_csrf.COOKIE, path=f"{root(request)}/login")
    return response


@router.post("/logout")
def logout(request: Request, session: WritingSession, who: Pending) -> Response:
    """Ends the session (the form carries the CSRF token) and returns to the sign-in page."""
    secret = token_of(request)
    accounts.end_session(session=session, request=request, who=who, secret=secret)
    response = RedirectResponse(f"{root(request)}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


STRINGS: Strings = {
    "login_title": ("登录", "Sign in"),
    "public_title": ("无需登录", "No account needed"),
    "public_hint": (
        "市民可直接报告问题，并凭受理号查询进度。",
        "Citizens report a problem, and follow it by its receipt number, without signing in.",
    ),
    "public_report": ("我要报告", "Report a problem"),
    "public_track": ("查询进度", "Track"),
    "login_username": ("用户名", "Username"),
    "login_password": ("密码", "Password"),
    "login_button": ("登录", "Sign in"),
    "login_hint": ("请使用分配给您的账户登录。", "Sign in with the account you were given."),
}
