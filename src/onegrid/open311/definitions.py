"""Categories as Open311 services, and their custom attributes as service definitions."""

from onegrid.open311.schemas import Attribute, Service, ServiceDefinition, Value
from onegrid.routing.attributes import STRING_MAX, TEXT_MAX, choices
from onegrid.routing.models import Category, CategoryAttribute, Datatype

# What each datatype takes, for the client's user (datatype_description).
_HINTS = {
    Datatype.STRING: (
        f"一行文字，至多 {STRING_MAX} 字",
        f"one line, at most {STRING_MAX} characters",
    ),
    Datatype.NUMBER: ("数字，如 12 或 3.5", "a number, e.g. 12 or 3.5"),
    Datatype.DATETIME: (
        "ISO 8601 时间，如 2026-01-05T22:30:00+08:00（不带时区按本地时间）",
        "an ISO 8601 time, e.g. 2026-01-05T22:30:00+08:00 (without a zone: local time)",
    ),
    Datatype.TEXT: (
        f"文字，可换行，至多 {TEXT_MAX} 字",
        f"text, line breaks allowed, at most {TEXT_MAX} characters",
    ),
    Datatype.SINGLEVALUELIST: ("选一个值，提交其 key", "one value: send its key"),
    Datatype.MULTIVALUELIST: (
        "选一个或多个值，提交其 key：attribute[CODE][]=key",
        "one or more values: send their keys as attribute[CODE][]=key",
    ),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def service_of(category: Category, lang: str) -> Service:
    """Returns the category as an entry of the service list."""
    return Service(
        service_code=category.code,
        service_name=category.name_en if lang == "en" else category.name,
        description=category.description,
        metadata=bool(category.attributes),
        type=category.open311_type,
        keywords=category.keywords,
        group=category.major_name_en if lang == "en" else category.major_name,
    )


def _attribute(attribute: CategoryAttribute, order: int, lang: str) -> Attribute:
    datatype = Datatype(attribute.datatype)
    # The catalogue's instructions are written in Chinese only.
    description = attribute.name_en if lang == "en" else attribute.name
    if attribute.description and lang != "en":
        description = f"{description}（{attribute.description}）"
    return Attribute(
        variable=True,
        code=attribute.code,
        datatype=datatype.value,
        required=attribute.required,
        datatype_description=_pick(_HINTS[datatype], lang),
        order=order,
        description=description,
        values=[Value(key=v["key"], name=v["name"]) for v in choices(attribute)],
    )


def definition_of(category: Category, lang: str) -> ServiceDefinition:
    """Returns the category's service definition: its attributes numbered 1, 2, … in the
    catalogue's order (the spec wants distinct positive orders; the catalogue's may repeat)."""
    ordered = sorted(category.attributes, key=lambda a: (a.order, a.code))
    return ServiceDefinition(
        service_code=category.code,
        attributes=[_attribute(a, n, lang) for n, a in enumerate(ordered, start=1)],
    )
