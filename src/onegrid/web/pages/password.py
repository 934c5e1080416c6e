"""Changing one's own password: all that a password set by an administrator opens."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from onegrid.accounts import service as accounts
from onegrid.accounts.identity import token_of
from onegrid.core.access import signed_in
from onegrid.core.errors import DomainError
from onegrid.core.permissions import Principal
from onegrid.db import WritingSession
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings, page_strings

router = APIRouter(include_in_schema=False)
# Open also to a user who must still change a password an administrator set.
Pending = Annotated[Principal, signed_in(pending=True)]


def _password_form(request: Request, lang: str, context: dict, status: int = 200) -> Response:
    state = request.state
    context = {
        "pending": getattr(state, "must_change_password", False),
        "csrf_token": getattr(state, "csrf_token", ""),
        **context,
    }
    response = render(request, "password.html", lang, STRINGS, context, status)
    response.headers["Cache-Control"] = "no-store"  # it carries the session's CSRF token
    return response


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, who: Pending, lang: Lang = None) -> Response:
    """The form that changes one's own password (all a password set by an admin opens)."""
    return _password_form(request, language(request, lang), {})


@router.post("/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    session: WritingSession,
    who: Pending,
    old_password: Annotated[str, Form(max_length=256)],
    new_password: Annotated[str, Form(max_length=256)],
    confirm_password: Annotated[str, Form(max_length=256)],
    lang: Lang = None,
) -> Response:
    """Changes the password and goes on to the map, or shows the form again with the reason."""
    chosen = language(request, lang)
    if new_password != confirm_password:
        context = {"error": page_strings(chosen, STRINGS)["password_mismatch"]}
        return _password_form(request, chosen, context, 422)
    try:
        accounts.change_own(
            session=session,
            request=request,
            who=who,
            old=old_password,
            new=new_password,
            keep_token=token_of(request),
        )
    except DomainError as error:
        return _password_form(request, chosen, {"error": error.message(chosen)}, 422)
    return RedirectResponse(f"{root(request)}/?lang={chosen}", status_code=303)


STRINGS: Strings = {
    "password_title": ("修改密码", "Change your password"),
    "password_pending": (
        "管理员为您设置了临时密码：请先设置您自己的新密码，再开始使用。",
        "An administrator set a temporary password for you: choose your own before you go on.",
    ),
    "password_hint": (
        "新密码至少 12 个字符，不能包含用户名，也不能容易被猜到（如 Admin@123456）。",
        "At least 12 characters, without your username, and not easy to guess "
        "(such as Admin@123456).",
    ),
    "password_old": ("当前密码", "Current password"),
    "password_new": ("新密码", "New password"),
    "password_confirm": ("再次输入新密码", "New password again"),
    "password_button": ("修改密码", "Change password"),
    "password_mismatch": ("两次输入的新密码不一致", "The two new passwords differ"),
}
