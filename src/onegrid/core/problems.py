"""One error format for every answer that is not a success, and its place in the OpenAPI document.

    {"error": {"kind": "not_found", "message": "没有案件 12", "detail": {}}}

Domain errors, FastAPI's validation errors (their loc, msg and type; never the input),
Starlette's HTTP errors (an unknown route, a wrong method), the input policy's refusals and any
unexpected exception (500, a generic message, the traceback in the log) all take this shape;
the message is Chinese unless ?lang=en or Accept-Language asks for English. A path prefix may
keep its own format (Open311's spec errors): `install` takes its answerer.
"""

import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from onegrid import API_PREFIX
from onegrid.core.errors import DomainError
from onegrid.core.i18n import LANGUAGES, pick_language

log = logging.getLogger("onegrid")

STATUS = {
    "not_found": 404,
    "invalid": 422,
    "conflict": 409,
    "unauthenticated": 401,
    "forbidden": 403,
    "too_large": 413,
}
_HTTP_KINDS = {
    422: ("invalid", "请求体无法解析", "the request body cannot be parsed"),
    401: ("unauthenticated", "需要登录", "sign in first"),
    403: ("forbidden", "无权访问", "not allowed"),
    404: ("not_found", "没有这个资源", "no such resource"),
    405: ("method_not_allowed", "不支持该请求方法", "this method is not allowed here"),
    409: ("conflict", "与当前状态冲突", "conflicts with the current state"),
    413: ("too_large", "请求体过大", "the request body is too large"),
    415: ("unsupported_media_type", "不支持的内容类型", "unsupported content type"),
}
_DOCUMENTED = {
    "401": "未登录或令牌无效 / not signed in, or the token is not valid",
    "403": "角色或范围不允许 / your role or scope does not allow it",
    "404": "没有这个资源（或在你的范围之外）/ no such resource (or outside your scope)",
    "409": "与资源的当前状态冲突 / conflicts with the resource's current state",
    "422": "输入无效 / the input is not valid",
}
ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["kind", "message", "detail"],
            "properties": {
                "kind": {"type": "string", "examples": ["not_found"]},
                "message": {"type": "string", "description": "中文，或 ?lang=en 时英文"},
                "detail": {"type": "object"},
            },
        }
    },
}
Answerer = Callable[[Request, DomainError], Response]
# Answers a browser's page request with a page: the error and its HTTP status.
PageAnswerer = Callable[[Request, DomainError, int], Response]


def request_language(request: Request) -> str:
    """Returns the language of an answer: ?lang=, the signed-in user's choice, the browser's."""
    asked = request.query_params.get("lang")
    chosen = asked if asked in LANGUAGES else getattr(request.state, "language", None)
    return pick_language(chosen, request.headers.get("accept-language"))


def error_response(
    request: Request,
    kind: str,
    message: tuple[str, str],
    status: int,
    detail: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Returns the one error format: kind, the message in the request's language, detail."""
    text = message[1] if request_language(request) == "en" else message[0]
    body = {"error": {"kind": kind, "message": text, "detail": dict(detail or {})}}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}) or None)


def domain_response(request: Request, error: DomainError) -> JSONResponse:
    """Returns the HTTP answer of a domain error."""
    headers = {"WWW-Authenticate": "Bearer"} if error.kind == "unauthenticated" else None
    return error_response(
        request,
        error.kind,
        (error.zh, error.en),
        STATUS.get(error.kind, 400),
        error.detail,
        headers,
    )


def _where(loc: tuple | list) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _validation_error(exc: RequestValidationError) -> DomainError:
    # loc, msg and type only: the input (a password, a phone) is never sent back.
    errors = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"loc": [], "msg": "", "type": ""}
    where = _where(first["loc"])
    error = DomainError(
        f"输入无效：{where}（{first['type']}）", f"invalid input: {where}: {first['msg']}"
    )
    error.detail = {"errors": errors}
    return error


def install(
    app: FastAPI,
    special: Mapping[str, Answerer] | None = None,
    sign_in: Answerer | None = None,
    page: PageAnswerer | None = None,
) -> Answerer:
    """Answers every error of the app in the one format (or a path prefix's own, `special`);
    a browser asking for a page it must sign in for is answered by `sign_in` (to the sign-in
    form, and back), any other error of a page by `page` (a page in the user's language).
    Returns the answerer, for the input policy's refusals."""
    prefixes = dict(special or {})

    def answer(request: Request, error: DomainError) -> Response:
        wants_page = _wants_page(request)
        if sign_in is not None and error.kind == "unauthenticated" and wants_page:
            return sign_in(request, error)
        for prefix, answerer in prefixes.items():
            if request.url.path.startswith(prefix):
                return answerer(request, error)
        if page is not None and wants_page:
            return page(request, error, STATUS.get(error.kind, 400))
        return domain_response(request, error)

    async def on_domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        return answer(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return answer(request, _validation_error(exc))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        status = exc.status_code
        if status == 400:  # a body Starlette could not parse (a broken multipart form)
            status = 422
        kind, zh, en = _HTTP_KINDS.get(status, ("http", "请求无法处理", "refused"))
        error = DomainError(zh, en)
        error.kind = kind
        if any(request.url.path.startswith(p) for p in prefixes) and status in (404, 422):
            return answer(request, error)
        if page is not None and _wants_page(request):
            return page(request, error, status)
        return error_response(request, kind, (zh, en), status, {}, exc.headers)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        message = ("服务器内部错误，已记录，请稍后再试", "internal error, logged: try again later")
        if page is not None and _wants_page(request):
            error = DomainError(*message)
            error.kind = "internal"
            return page(request, error, 500)
        return error_response(request, "internal", message, 500)

    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
    return answer


def _wants_page(request: Request) -> bool:
    # A browser opening a page or sending a page's form asks for HTML first; an API client, a
    # page's script (fetch) or htmx (which swaps a part in, HX-Request) does not.
    accept = request.headers.get("accept", "")
    page = not request.url.path.startswith((API_PREFIX, "/open311", "/static"))
    return page and accept.startswith("text/html") and "hx-request" not in request.headers


def _error_responses(operation: dict, with_body: bool) -> dict:
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    responses = {
        status: {"description": text, "content": content} for status, text in _DOCUMENTED.items()
    }
    if with_body:
        responses["413"] = {"description": "请求体过大 / the body is too large", "content": content}
    return responses


def documented(app: FastAPI, own: Mapping[str, Callable[[dict], dict]] | None = None) -> dict:
    """Returns the app's OpenAPI document with every error answer described by the Error schema
    (in place of FastAPI's HTTPValidationError); a path prefix in `own` describes its own."""
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components["Error"] = ERROR_SCHEMA
    for path, operations in schema.get("paths", {}).items():
        describe = next((f for p, f in (own or {}).items() if path.startswith(p)), None)
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if describe is not None:
                responses.pop("422", None)
                responses.update(describe(operation))
                continue
            responses.update(_error_responses(operation, "requestBody" in operation))
    return schema
