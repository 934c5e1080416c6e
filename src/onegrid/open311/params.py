"""The parameters of Open311 calls: an empty one counts as absent (the spec's "Optional
Arguments"), a wrong one is named in an Invalid (HTTP 400)."""

import math
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from onegrid.core.errors import Invalid
from onegrid.core.inputs import MAX_ID
from onegrid.open311.schemas import PostedRequest, RequestQuery

MAX_DAYS = 90  # GET requests: "may not span more than 90 days"
MAX_PAGE_SIZE = 1000  # GET requests: "first 1000 requests returned"
MAX_IDS = 1000
MAX_URL = 2000
STATUSES = ("open", "closed")
_ATTRIBUTE = re.compile(r"attribute\[([^\[\]]+)\](\[\])?")


class Params:
    """A request's parameters (query string and form), blank values left out."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self.items = [(name, value.strip()) for name, value in items if value.strip()]

    def get(self, name: str) -> str | None:
        """Returns the parameter's last value (a form's value wins over the query string's)."""
        values = [value for key, value in self.items if key == name]
        return values[-1] if values else None

    def getlist(self, name: str) -> list[str]:
        """Returns every value of a parameter given many times or comma-delimited, in order."""
        values = [value for key, value in self.items if key == name]
        return [part.strip() for value in values for part in value.split(",") if part.strip()]

    def attributes(self) -> dict[str, str | list[str]]:
        """Returns attribute[CODE]=v as CODE: v and attribute[CODE][]=v (repeated) as a list."""
        found: dict[str, str | list[str]] = {}
        for key, value in self.items:
            match = _ATTRIBUTE.fullmatch(key)
            if match is None:
                continue
            code, many = match[1], match[2]
            if many:
                before = found.get(code)
                listed = before if isinstance(before, list) else ([before] if before else [])
                found[code] = [*listed, value]
            elif isinstance(found.get(code), list):
                found[code] = [*found[code], value]  # type: ignore[list-item]
            else:
                found[code] = value
        return found


def _number(params: Params, name: str, lowest: int, highest: int, default: int) -> int:
    text = params.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or not lowest <= int(text) <= highest:
        raise Invalid(
            f"{name} 应为 {lowest} 到 {highest} 之间的整数",
            f"{name} must be a whole number from {lowest} to {highest}",
        )
    return int(text)


def moment(text: str, name: str, zone: ZoneInfo) -> datetime:
    """Returns a W3C/ISO 8601 date or time; one without a zone is the district's local time."""
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time())
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise Invalid(
            f"{name} 不是 ISO 8601 时间（如 2010-01-01T00:00:00Z）",
            f"{name} is not a W3C datetime such as 2010-01-01T00:00:00Z",
        ) from None
    return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed


def _window(params: Params, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """start_date and end_date with the spec's defaults: the 90 days before the one given,
    after it, or before now; never more than 90 days."""
    span = timedelta(days=MAX_DAYS)
    start_text, end_text = params.get("start_date"), params.get("end_date")
    start = moment(start_text, "start_date", zone) if start_text else None
    end = moment(end_text, "end_date", zone) if end_text else None
    if start is not None and end is not None:
        if end < start:
            raise Invalid("end_date 早于 start_date", "end_date is before start_date")
        if end - start > span:
            raise Invalid(
                f"start_date 到 end_date 不能超过 {MAX_DAYS} 天",
                f"start_date to end_date may not span more than {MAX_DAYS} days",
            )
        return start, end
    if start is not None:
        return start, start + span
    if end is not None:
        return end - span, end
    return now - span, now


def _ids(params: Params) -> tuple[int, ...]:
    texts = params.getlist("service_request_id")
    wrong = [t for t in texts if not (t.isascii() and t.isdigit() and int(t) <= MAX_ID)]
    if wrong:
        raise Invalid(
            f"service_request_id 应为请求编号（1 到 {MAX_ID} 的整数）",
            f"service_request_id must be a request id (a whole number up to {MAX_ID})",
        )
    if len(texts) > MAX_IDS:
        raise Invalid(
            f"一次最多查询 {MAX_IDS} 个 service_request_id",
            f"at most {MAX_IDS} service_request_id at once",
        )
    return tuple(dict.fromkeys(int(t) for t in texts))


def parse_query(params: Params, *, now: datetime, zone: ZoneInfo) -> RequestQuery:
    """Returns GET requests' parameters, checked, with the spec's defaults."""
    statuses = params.getlist("status")
    wrong = [s for s in statuses if s not in STATUSES]
    if wrong:
        raise Invalid(
            "status 应为 open 或 closed",
            "status must be open or closed",
        )
    start, end = _window(params, now, zone)
    extensions = params.get("extensions")
    if extensions not in (None, "true", "false"):
        raise Invalid("extensions 应为 true 或 false", "extensions is either true or false")
    return RequestQuery(
        ids=_ids(params),
        service_codes=tuple(dict.fromkeys(params.getlist("service_code"))),
        start=start,
        end=end,
        statuses=tuple(dict.fromkeys(statuses)),
        page=_number(params, "page", 1, 1_000_000, 1),
        page_size=_number(params, "page_size", 1, MAX_PAGE_SIZE, MAX_PAGE_SIZE),
        extensions=extensions == "true",
    )


def _coordinate(text: str, name: str, limit: int) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        raise Invalid(
            f"{name} 不是 WGS-84 坐标（-{limit} 到 {limit} 度）",
            f"{name} is not a WGS-84 coordinate from -{limit} to {limit} degrees",
        )
    return value


def _location(params: Params) -> tuple[float, float]:
    lat, long = params.get("lat"), params.get("long")
    if lat is None and long is None:
        if params.get("address_string") or params.get("address_id"):
            raise Invalid(
                "本系统不能按地址定位：请同时提交 lat 和 long（地址可一并提交，作为文字说明）",
                "onegrid cannot locate an address_string or address_id alone (it has no "
                "geocoder): send lat and long too; the address is kept beside them",
            )
        raise Invalid("缺少位置：请提交 lat 和 long", "a location is required: lat and long")
    if lat is None or long is None:
        raise Invalid("lat 和 long 须一起提交", "lat and long must be sent together")
    return _coordinate(lat, "lat", 90), _coordinate(long, "long", 180)


def _media_url(text: str | None) -> str | None:
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(text) > MAX_URL:
        raise Invalid(
            f"media_url 应为 http(s) 网址（至多 {MAX_URL} 字符）",
            f"media_url must be an http(s) URL of at most {MAX_URL} characters",
        )
    return text


def parse_post(params: Params) -> PostedRequest:
    """Returns POST requests' fields, checked; email, device_id and account_id are not kept."""
    service_code = params.get("service_code")
    if service_code is None:
        raise Invalid("缺少 service_code", "service_code was not provided")
    lat, long = _location(params)
    return PostedRequest(
        service_code=service_code,
        lat=lat,
        long=long,
        description=params.get("description"),
        address_string=params.get("address_string"),
        attributes=params.attributes(),
        first_name=params.get("first_name"),
        last_name=params.get("last_name"),
        phone=params.get("phone"),
        media_url=_media_url(params.get("media_url")),
    )
