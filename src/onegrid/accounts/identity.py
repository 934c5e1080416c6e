"""Who is asking: a bearer token or the session cookie, resolved to a principal for the access
rules (onegrid.core.access). `identify` is a dependency of every route: the app factory's."""

from fastapi import Request

from onegrid.accounts import service
from onegrid.audit import auditing
from onegrid.core.access import identified
from onegrid.core.permissions import ANONYMOUS, Principal
from onegrid.db import DbSession

SESSION_COOKIE = "onegrid_session"


def bearer_token(request: Request) -> str | None:
    """Returns the token of an `Authorization: Bearer` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def token_of(request: Request) -> str | None:
    """Returns the token the request carries: a bearer token, else the session cookie's."""
    return bearer_token(request) or request.cookies.get(SESSION_COOKIE)


def identify(request: Request, session: DbSession) -> None:
    """Tells the access rules who is asking, from a bearer token or the session cookie
    (anonymous if neither), and how to record what they are refused."""

    def record_refusal(principal: Principal, detail: dict[str, str]) -> None:
        auditing.record_refusal(session, request, principal, "access.denied", detail=detail)

    token, via_cookie = token_of(request), bearer_token(request) is None
    row = service.resolve_token(session=session, token=token) if token else None
    if row is None:
        identified(request, ANONYMOUS, record_refusal)
        return
    identified(
        request,
        service.principal_for(row.user, via_cookie=via_cookie),
        record_refusal,
        csrf_token=row.csrf_token,
        must_change_password=row.user.must_change_password,
        language=row.user.language,
    )
