"""Values of a category's custom attributes, checked and normalised by their Open311 datatype."""

import json
import math
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from onegrid.core.errors import Invalid
from onegrid.routing.models import CategoryAttribute, Datatype

STRING_MAX = 255  # Open311 "string" is a short line; "text" is free text
TEXT_MAX = 5000


def is_empty(value: Any) -> bool:
    """Tells whether a submitted value counts as not given."""
    return value is None or (isinstance(value, str | list | tuple) and not value)


def choices(attribute: CategoryAttribute) -> list[dict[str, str]]:
    """Returns a list attribute's allowed values as [{"key": …, "name": …}]."""
    return json.loads(attribute.values) if attribute.values else []


def _problem(attribute: CategoryAttribute, zh: str, en: str) -> Invalid:
    return Invalid(
        f"属性「{attribute.name}」（{attribute.code}）{zh}",
        f"the attribute {attribute.code} ({attribute.name_en}) {en}",
        attribute=attribute.code,
    )


def _string(attribute: CategoryAttribute, value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise _problem(attribute, "应为文字", "must be text")
    text = value.strip()
    if len(text) > limit:
        raise _problem(attribute, f"超过 {limit} 个字符", f"is longer than {limit} characters")
    return text


def _number(attribute: CategoryAttribute, value: Any) -> int | float:
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise _problem(attribute, f"应为数字，收到「{value}」", f"must be a number, not {value!r}")
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _datetime(attribute: CategoryAttribute, value: Any, time_zone: str) -> str:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise _problem(
                attribute,
                f"应为 ISO 8601 时间（如 2026-01-05T22:30），收到「{value}」",
                f"must be an ISO 8601 time such as 2026-01-05T22:30, not {value!r}",
            ) from None
    if moment.tzinfo is None:  # a time without zone is the reporter's local time
        moment = moment.replace(tzinfo=ZoneInfo(time_zone))
    return moment.astimezone(UTC).isoformat()


def _keys(attribute: CategoryAttribute, given: list[Any]) -> list[str]:
    allowed = [v["key"] for v in choices(attribute)]
    wrong = [g for g in given if not isinstance(g, str) or g not in allowed]
    if wrong:
        raise _problem(
            attribute,
            f"的值「{wrong[0]}」不在可选范围内（{', '.join(allowed)}）",
            f"has no value {wrong[0]!r} (allowed: {', '.join(allowed)})",
        )
    return [key for key in allowed if key in given]  # the catalogue's order, once each


def normalise(attribute: CategoryAttribute, value: Any, *, time_zone: str) -> Any:
    """Returns the value checked against the attribute's datatype and allowed values."""
    match Datatype(attribute.datatype):
        case Datatype.STRING:
            return _string(attribute, value, STRING_MAX)
        case Datatype.TEXT:
            return _string(attribute, value, TEXT_MAX)
        case Datatype.NUMBER:
            return _number(attribute, value)
        case Datatype.DATETIME:
            return _datetime(attribute, value, time_zone)
        case Datatype.SINGLEVALUELIST:
            if isinstance(value, list | tuple):
                if len(value) != 1:
                    raise _problem(attribute, "只能选一个值", "takes exactly one value")
                value = value[0]
            return _keys(attribute, [value])[0]
        case Datatype.MULTIVALUELIST:
            return _keys(attribute, list(value) if isinstance(value, list | tuple) else [value])
