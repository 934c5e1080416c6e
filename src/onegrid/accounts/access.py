"""Access rules as FastAPI dependencies: every route declares exactly one, in one line.

    user: Annotated[Principal, require(Permission.TERRITORY_READ)]   # signed in, with permission
    user: Annotated[Principal, public()]                             # anyone, signed in or not

A user whose password was set by the security admin (must_change_password) may only change it
(`signed_in(pending=True)`): every other rule refuses them, and public routes see them as
anonymous, until they have.

The rule is found again by `rule_of(route)`, so a test can refuse any route without one.
"""

from collections.abc import Iterator
from hmac import compare_digest
from typing import Annotated

from fastapi import Depends, Request, params
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from onegrid.accounts import auditing, service
from onegrid.core.errors import Forbidden, Unauthenticated
from onegrid.core.permissions import ANONYMOUS, Permission, Principal
from onegrid.db import DbSession

SESSION_COOKIE = "onegrid_session"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def bearer_token(request: Request) -> str | None:
    """Returns the token of an `Authorization: Bearer` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_principal(request: Request, session: DbSession) -> Principal:
    """Returns who is asking, from a bearer token or the session cookie; anonymous if neither."""
    token, via_cookie = bearer_token(request), False
    if token is None:
        token, via_cookie = request.cookies.get(SESSION_COOKIE), True
    if not token:
        return ANONYMOUS
    row = service.resolve_token(session=session, token=token)
    if row is None:
        return ANONYMOUS
    request.state.csrf_token = row.csrf_token
    request.state.must_change_password = row.user.must_change_password
    return service.principal_for(row.user, via_cookie=via_cookie)


async def _refuse_pending(session, request: Request, principal: Principal) -> None:
    if not getattr(request.state, "must_change_password", False):
        return
    # In a worker thread: the record may wait for the write lock, the event loop must not.
    await run_in_threadpool(
        auditing.record_refusal,
        session,
        request,
        principal,
        "access.denied",
        detail={"reason": "must change password", "path": request.url.path},
    )
    raise Forbidden(
        "请先修改密码：管理员设置的临时密码只能用来修改密码（POST /api/v1/auth/password）",
        "change your password first: a password set by an administrator may only be used "
        "to change it (POST /api/v1/auth/password)",
        must_change_password=True,
    )


async def _check_csrf(request: Request, principal: Principal) -> None:
    # Cookies travel with cross-site requests; a bearer token or a custom header cannot.
    if not principal.via_cookie or request.method in _SAFE_METHODS:
        return
    expected = getattr(request.state, "csrf_token", None)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        given = (await request.form()).get("csrf_token")
    if (
        not expected
        or not isinstance(given, str)
        or not compare_digest(given.encode(), expected.encode())
    ):
        raise Forbidden("请求缺少有效的 CSRF 令牌", "the request lacks a valid CSRF token")


def require(permission: Permission) -> params.Depends:
    """Returns the dependency of a route open to signed-in principals holding the permission."""

    async def dependency(
        request: Request,
        principal: Annotated[Principal, Depends(current_principal)],
        session: DbSession,
    ) -> Principal:
        if principal.is_anonymous:
            raise Unauthenticated("请先登录", "please sign in first")
        await _refuse_pending(session, request, principal)
        if not principal.can(permission):
            # In a worker thread: the record may wait for the write lock, the event loop must not.
            await run_in_threadpool(
                auditing.record_refusal,
                session,
                request,
                principal,
                "access.denied",
                detail={"permission": permission.value, "path": request.url.path},
            )
            raise Forbidden(
                f"当前角色无权执行此操作（需要 {permission.value}）",
                f"your role may not do this (it needs {permission.value})",
                permission=permission.value,
            )
        await _check_csrf(request, principal)
        return principal

    dependency.access_rule = permission.value  # type: ignore[attr-defined]
    return Depends(dependency)


def signed_in(*, pending: bool = False) -> params.Depends:
    """Returns the dependency of a route open to every signed-in principal, whatever the role.

    pending: open also to a user who must change their password first (to change it, or
    to sign out).
    """

    async def dependency(
        request: Request,
        principal: Annotated[Principal, Depends(current_principal)],
        session: DbSession,
    ) -> Principal:
        if principal.is_anonymous:
            raise Unauthenticated("请先登录", "please sign in first")
        if not pending:
            await _refuse_pending(session, request, principal)
        await _check_csrf(request, principal)
        return principal

    dependency.access_rule = "signed-in"  # type: ignore[attr-defined]
    return Depends(dependency)


def public() -> params.Depends:
    """Returns the dependency of a route open to anyone; it still says who is asking."""

    def dependency(
        request: Request, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        if getattr(request.state, "must_change_password", False):
            return ANONYMOUS  # nothing but changing the password until it is changed
        return principal

    dependency.access_rule = "public"  # type: ignore[attr-defined]
    return Depends(dependency)


def iter_routes(routes, prefix: str = "") -> Iterator[tuple[str, BaseRoute]]:
    """Yields (full path, route) for every route of an app, inside included routers too."""
    for route in routes:
        # FastAPI ≥ 0.160 keeps an included router whole instead of copying its routes.
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from iter_routes(included.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + getattr(route, "path", ""), route


def rule_of(route: APIRoute) -> list[str]:
    """Returns the access rules a route declares (exactly one is right)."""
    rules: list[str] = []

    def walk(dependant) -> None:
        for dep in dependant.dependencies:
            rule = getattr(dep.call, "access_rule", None)
            if rule is not None:
                rules.append(rule)
            walk(dep)

    walk(route.dependant)
    return rules
