"""The one input policy, applied at the edge: what text, numbers and JSON a request may carry.

`InputPolicy` (ASGI middleware) checks every request before a route sees it: the path, the
query string, and JSON or form bodies. Text must be valid Unicode without NUL or other control
characters (tab, newline and CR allowed) and is normalised to NFC; JSON numbers must be finite
and integers within 64 bits; JSON nests at most `MAX_DEPTH` deep in at most `MAX_BODY` bytes.
Routes narrow further with the shared types here: `Id` (what an INTEGER column holds), `Moment`
(ISO 8601 text only) and `Small` (a free-form object of bounded depth and size).
"""

import json
import re
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onegrid.core.errors import DomainError, Invalid, NotFound, TooLarge

MAX_ID = 2**31 - 1  # ids are INTEGER columns: PostgreSQL's int4
MAX_INT = 2**63 - 1
MIN_INT = -(2**63)
MAX_BODY = 1_000_000  # bytes of a JSON or form body (evidence uploads have their own limit)
MAX_DEPTH = 32
SMALL_DEPTH = 4  # a free-form object's nesting: a transition's data, a case's attributes
SMALL_BYTES = 4096

# C0 controls but tab, newline and CR; DEL; and the non-characters no store or XML accepts.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_INTEGER = re.compile(r"[+-]?\d+")


class _Refused(Exception):
    """Raised inside the JSON parser: the policy refuses this body."""

    def __init__(self, error: DomainError) -> None:
        self.error = error


def clean_text(text: str, zh: str = "文本", en: str = "the text") -> str:
    """Returns the text in NFC, or raises Invalid naming where it was (zh, en) if it breaks the
    policy: a lone surrogate, NUL or another control character but tab, newline and CR."""
    if _SURROGATE.search(text):
        raise Invalid(f"{zh}含有无效的 Unicode 字符", f"{en} holds invalid Unicode")
    if _CONTROL.search(text):
        raise Invalid(f"{zh}含有控制字符", f"{en} holds a control character")
    return unicodedata.normalize("NFC", text)


def _integer(text: str) -> int:
    value = int(text)
    if not MIN_INT <= value <= MAX_INT:
        raise _Refused(
            Invalid("JSON 中的整数超出 64 位范围", "a JSON integer is outside the 64-bit range")
        )
    return value


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):  # 1e400 parses as infinity
        raise _Refused(Invalid("JSON 中的数超出范围", "a JSON number is out of range"))
    return value


def _constant(name: str) -> Any:
    raise _Refused(
        Invalid(f"JSON 不接受 {name}：数必须有限", f"JSON takes no {name}: numbers must be finite")
    )


def _clean(value: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise Invalid(f"JSON 嵌套超过 {MAX_DEPTH} 层", f"JSON nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        return clean_text(value, "JSON 文本", "JSON text")
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {
            clean_text(k, "JSON 键", "a JSON key"): _clean(v, depth + 1) for k, v in value.items()
        }
    return value


def clean_json(body: bytes) -> Any:
    """Returns the JSON body parsed and cleaned, or raises Invalid/TooLarge saying why."""
    if len(body) > MAX_BODY:
        raise _too_large()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("请求体不是 UTF-8 文本", "the body is not UTF-8 text") from None
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except _Refused as refused:
        raise refused.error from None
    except RecursionError:
        raise Invalid(
            f"JSON 嵌套超过 {MAX_DEPTH} 层", f"JSON nests deeper than {MAX_DEPTH} levels"
        ) from None
    except ValueError:
        raise Invalid("请求体不是有效的 JSON", "the body is not valid JSON") from None
    return _clean(value)


def _too_large() -> TooLarge:
    return TooLarge(
        f"请求体超过 {MAX_BODY // 1000} KB", f"the body is larger than {MAX_BODY // 1000} KB"
    )


def _clean_pairs(raw: bytes, zh: str, en: str) -> list[tuple[str, str]]:
    try:
        pairs = parse_qsl(
            raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except UnicodeDecodeError:
        raise Invalid(f"{zh}不是 UTF-8 文本", f"{en} is not UTF-8 text") from None
    return [(clean_text(k, zh, en), clean_text(v, zh, en)) for k, v in pairs]


def _check_query(pairs: list[tuple[str, str]]) -> None:
    for name, value in pairs:
        if _INTEGER.fullmatch(value.strip()) and not MIN_INT <= int(value) <= MAX_INT:
            raise Invalid(
                f"参数 {name} 超出 64 位整数范围", f"the parameter {name} is outside 64 bits"
            )


def _check_path(path: str) -> str:
    path = clean_text(path, "路径", "the path")
    for segment in path.split("/"):
        stem = segment.split(".")[0]
        if _INTEGER.fullmatch(stem) and not MIN_INT <= int(stem) <= MAX_INT:
            raise NotFound("没有这个资源", "no such resource")
    return path


Answer = Callable[[Request, DomainError], Awaitable[Response] | Response]


class InputPolicy:
    """ASGI middleware refusing requests that break the input policy, with `answer`'s 4xx."""

    def __init__(self, app: ASGIApp, answer: Answer) -> None:
        self.app = app
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            scope = await self._checked(scope)
            receive = await self._body(scope, receive)
        except DomainError as error:
            response = self.answer(Request(scope), error)
            if not isinstance(response, Response):
                response = await response
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _checked(self, scope: Scope) -> Scope:
        path = _check_path(scope["path"])
        pairs = _clean_pairs(scope.get("query_string", b""), "查询字符串", "the query string")
        _check_query(pairs)
        return {**scope, "path": path, "query_string": urlencode(pairs).encode("ascii")}

    async def _body(self, scope: Scope, receive: Receive) -> Receive:
        kind = _content_type(scope)
        if kind not in ("json", "form"):
            return receive
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
            raise _too_large()
        body = await _read(receive)
        if kind == "json":
            if not body.strip():
                return _replay(body)
            cleaned = json.dumps(clean_json(body), ensure_ascii=False).encode("utf-8")
        else:
            if len(body) > MAX_BODY:
                raise _too_large()
            cleaned = urlencode(_clean_pairs(body, "表单", "the form")).encode("ascii")
        _set_length(scope, len(cleaned))
        return _replay(cleaned)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _content_type(scope: Scope) -> str | None:
    value = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    if value == "application/json" or value.endswith("+json"):
        return "json"
    if value == "application/x-www-form-urlencoded":
        return "form"
    return None


def _set_length(scope: Scope, length: int) -> None:
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
    scope["headers"] = [*headers, (b"content-length", str(length).encode("ascii"))]


async def _read(receive: Receive) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


# Shared types for routes and schemas.

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row's id as stores hold it: 1 to 2^31−1; any other is refused with a 422."""

_ISO_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?", re.ASCII
)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _moment(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_MOMENT.fullmatch(value.strip()):
        raise ValueError("not an ISO 8601 time such as 2026-01-31T08:00:00+08:00")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        # Taken as UTC when no offset is given; the offset must leave a time a store can hold.
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError("not an ISO 8601 time such as 2026-01-31T08:00:00+08:00") from None
    return moment


def _day(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value.strip()):
        raise ValueError("not an ISO 8601 date such as 2026-01-31")
    return value.strip()


Moment = Annotated[datetime, BeforeValidator(_moment)]
"""A time given as ISO 8601 text (never a number of seconds); without an offset, UTC."""

Day = Annotated[date, BeforeValidator(_day)]
"""A calendar day given as ISO 8601 text, 2026-01-31."""


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _small(value: dict) -> dict:
    if _depth(value) > SMALL_DEPTH:
        raise ValueError(f"nests deeper than {SMALL_DEPTH} levels")
    size = len(json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    if size > SMALL_BYTES:
        raise ValueError(f"is larger than {SMALL_BYTES} bytes as JSON")
    return value


Small = Annotated[
    dict,
    AfterValidator(_small),
    WithJsonSchema(
        {
            "type": "object",
            "description": f"at most {SMALL_DEPTH} levels deep and {SMALL_BYTES} bytes as JSON",
        }
    ),
]
"""A free-form JSON object of bounded depth and size."""
