"""Access rules as FastAPI dependencies: every route declares exactly one, in one line.

    user: Annotated[Principal, require(Permission.TERRITORY_READ)]   # signed in, with permission
    user: Annotated[Principal, public()]                             # anyone, signed in or not

A user whose password was set by the security admin (must_change_password) may only change it
(`signed_in(pending=True)`): every other rule refuses them, and public routes see them as
anonymous, until they have.

Who is asking is found before any rule runs, by the app's identifying dependency (accounts'
`identify`, which the app factory makes a dependency of every route): it hands the principal
over with `identified`, with the way to record a refusal. So the rules need neither accounts
nor the database, and every domain's views can use them without depending on accounts.

The rule is found again by `rule_of(route)`, so a test can refuse any route without one.
"""

from collections.abc import Callable, Iterator
from hmac import compare_digest

from fastapi import Depends, Request, params
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from onegrid.core.errors import Forbidden, Unauthenticated
from onegrid.core.permissions import ANONYMOUS, Permission, Principal

CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Records a refused attempt of this principal (the detail says what was refused). It may wait
# for the database's write lock: the rules call it in a worker thread.
RecordRefusal = Callable[[Principal, dict[str, str]], None]


def identified(
    request: Request,
    principal: Principal,
    record_refusal: RecordRefusal,
    *,
    csrf_token: str | None = None,
    must_change_password: bool = False,
    language: str | None = None,
) -> None:
    """Tells the rules who is asking: the app's identifying dependency calls this once, first.

    csrf_token: a browser session's token (writes made with its cookie must carry it);
    must_change_password: the user may do nothing but change their password;
    language: the language the user chose for the pages, if any.
    """
    state = request.state
    state.principal = principal
    state.record_refusal = record_refusal
    if not principal.is_anonymous:  # the pages read these too
        state.csrf_token = csrf_token
        state.must_change_password = must_change_password
        state.language = language


def _asking(request: Request) -> Principal:
    try:
        return request.state.principal
    except AttributeError:
        raise RuntimeError(
            "no one identified this request: the app factory makes accounts' identify a "
            "dependency of every route"
        ) from None


def _signed_in(request: Request) -> Principal:
    principal = _asking(request)
    if principal.is_anonymous:
        raise Unauthenticated("请先登录", "please sign in first")
    return principal


async def _record_refusal(request: Request, principal: Principal, detail: dict[str, str]) -> None:
    # In a worker thread: the record may wait for the write lock, the event loop must not.
    await run_in_threadpool(request.state.record_refusal, principal, detail)


async def _refuse_pending(request: Request, principal: Principal) -> None:
    if not getattr(request.state, "must_change_password", False):
        return
    await _record_refusal(
        request, principal, {"reason": "must change password", "path": request.url.path}
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

    async def dependency(request: Request) -> Principal:
        principal = _signed_in(request)
        await _refuse_pending(request, principal)
        if not principal.can(permission):
            await _record_refusal(
                request, principal, {"permission": permission.value, "path": request.url.path}
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

    async def dependency(request: Request) -> Principal:
        principal = _signed_in(request)
        if not pending:
            await _refuse_pending(request, principal)
        await _check_csrf(request, principal)
        return principal

    dependency.access_rule = "signed-in"  # type: ignore[attr-defined]
    return Depends(dependency)


def source_of(request: Request) -> str | None:
    """Returns where a request came from, as the timeline and the audit log record it."""
    return request.client.host if request.client else None


def public() -> params.Depends:
    """Returns the dependency of a route open to anyone; it still says who is asking."""

    async def dependency(request: Request) -> Principal:
        principal = _asking(request)
        if getattr(request.state, "must_change_password", False):
            return ANONYMOUS  # nothing but changing the password until it is changed
        if principal.via_cookie and request.method not in _SAFE_METHODS:
            try:
                await _check_csrf(request, principal)
            except Forbidden:
                # A post from another site carries the cookie but not the token: it acts for
                # no one, as anyone may, never in the signed-in user's name.
                return ANONYMOUS
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
