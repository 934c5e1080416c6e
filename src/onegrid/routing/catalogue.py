"""The category catalogue as CSV files: read them, check every row, name the first wrong one.

Formats and codes are described in data/README.md. Reading writes nothing: the service stores
the rows only once every one of them is right.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from onegrid.core.errors import Invalid
from onegrid.core.workcalendar import Duration
from onegrid.routing.models import Datatype, Kind, ServiceType

DATA = files("onegrid.routing").joinpath("data")
CATEGORY_COLUMNS = (
    "code",
    "kind",
    "major_code",
    "major_name",
    "major_name_en",
    "name",
    "name_en",
    "department",
    "verify_limit",
    "dispatch_limit",
    "handle_limit",
    "check_limit",
    "duplicate_radius_m",
    "duplicate_window_hours",
    "active",
    "keywords",
    "description",
)
# Optional columns: a file without them takes the default.
OPTIONAL_CATEGORY_COLUMNS = ("open311_type",)
ATTRIBUTE_COLUMNS = (
    "category_code",
    "code",
    "name",
    "name_en",
    "datatype",
    "required",
    "order",
    "values",
    "description",
)
LIMITS = ("verify_limit", "dispatch_limit", "handle_limit", "check_limit")
_CODE = {Kind.COMPONENT: re.compile(r"\d{4}"), Kind.EVENT: re.compile(r"E\d{4}")}
_MAJOR = {Kind.COMPONENT: re.compile(r"\d{2}"), Kind.EVENT: re.compile(r"E\d{2}")}
_ATTRIBUTE_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_VALUE_KEY = re.compile(r"[A-Za-z0-9_-]{1,32}")
_BOOLEAN = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
# Column widths of the tables, so that a long name is refused with its row, not by the store.
_WIDTHS = {"major_name": 50, "major_name_en": 100, "name": 100, "name_en": 200}


@dataclass(frozen=True)
class AttributeRow:
    category_code: str
    code: str
    name: str
    name_en: str
    datatype: Datatype
    required: bool
    order: int
    values: str | None  # canonical JSON for list types
    description: str | None


@dataclass(frozen=True)
class CategoryRow:
    code: str
    kind: Kind
    major_code: str
    major_name: str
    major_name_en: str
    name: str
    name_en: str
    department: str
    verify_limit: str
    dispatch_limit: str
    handle_limit: str
    check_limit: str
    duplicate_radius_m: int
    duplicate_window_hours: int
    active: bool
    keywords: str | None
    description: str | None
    open311_type: ServiceType = ServiceType.REALTIME
    attributes: tuple[AttributeRow, ...] = ()


class _RowError(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def limit_problem(text: str) -> tuple[str, str] | None:
    """Returns why a stage time limit cannot be read (zh, en), or None if it can."""
    try:
        Duration.parse(text)
    except ValueError:
        return (
            f"时限「{text}」无效，应为正整数加单位 m（工作分钟）、h（工作小时）或 d（工作日），"
            "如 90m、2h、3d",
            f"the time limit {text!r} is not a positive whole number with m (working minutes), "
            "h (working hours) or d (working days), e.g. 90m, 2h or 3d",
        )
    return None


def canonical_values(values: list[dict[str, str]]) -> str:
    """Returns the canonical JSON of a list type's values: sorted keys, no spaces."""
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _rows(source: Path | Traversable, columns: tuple[str, ...]):
    """Yields (line number, row) of a CSV file after checking its header."""
    text = source.read_text(encoding="utf-8-sig")  # spreadsheets often write a BOM
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None) or []
    missing = [c for c in columns if c not in header]
    if missing:
        raise Invalid(
            f"{source.name} 缺少列：{', '.join(missing)}",
            f"{source.name} lacks the columns {', '.join(missing)}",
            file=source.name,
        )
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise Invalid(
                f"{source.name} 第 {reader.line_num} 行有 {len(record)} 列，应为 {len(header)} 列",
                f"{source.name} line {reader.line_num} has {len(record)} columns, "
                f"not {len(header)}",
                file=source.name,
                line=reader.line_num,
            )
        yield reader.line_num, {k: v.strip() for k, v in zip(header, record, strict=True)}


def _wrong(source, line: int, code: str, error: _RowError) -> Invalid:
    return Invalid(
        f"{source.name} 第 {line} 行（{code or '无代码'}）：{error.zh}",
        f"{source.name} line {line} ({code or 'no code'}): {error.en}",
        file=source.name,
        line=line,
        code=code,
    )


def _text(row: dict, column: str) -> str:
    value = row[column]
    if not value:
        raise _RowError(f"{column} 不能为空", f"{column} is empty")
    width = _WIDTHS.get(column)
    if width is not None and len(value) > width:
        raise _RowError(
            f"{column} 超过 {width} 个字符", f"{column} is longer than {width} characters"
        )
    return value


def _whole(row: dict, column: str) -> int:
    value = row[column]
    if not value.isascii() or not value.isdigit():
        raise _RowError(
            f"{column}「{value}」不是非负整数", f"{column} {value!r} is not a whole number ≥ 0"
        )
    return int(value)


def _boolean(row: dict, column: str, default: bool) -> bool:
    value = row[column].lower()
    if not value:
        return default
    if value not in _BOOLEAN:
        raise _RowError(
            f"{column}「{row[column]}」应为 true 或 false",
            f"{column} {row[column]!r} is neither true nor false",
        )
    return _BOOLEAN[value]


def _service_type(row: dict) -> ServiceType:
    value = row.get("open311_type", "")
    try:
        return ServiceType(value) if value else ServiceType.REALTIME
    except ValueError:
        raise _RowError(
            f"open311_type「{value}」应为 realtime 或 batch",
            f"open311_type {value!r} is neither realtime nor batch",
        ) from None


def _category(row: dict, departments: set[str]) -> CategoryRow:
    try:
        kind = Kind(row["kind"])
    except ValueError:
        raise _RowError(
            f"类型「{row['kind']}」应为 component（部件）或 event（事件）",
            f"the kind {row['kind']!r} is neither component nor event",
        ) from None
    code, major = row["code"], row["major_code"]
    if not _CODE[kind].fullmatch(code):
        form = "4 位数字（大类 2 位 + 小类 2 位）" if kind is Kind.COMPONENT else "E 加 4 位数字"
        form_en = "4 digits (major 2 + minor 2)" if kind is Kind.COMPONENT else "E and 4 digits"
        raise _RowError(f"{kind.value} 的代码应为{form}", f"a {kind.value} code is {form_en}")
    if not _MAJOR[kind].fullmatch(major) or not code.startswith(major):
        raise _RowError(
            f"大类代码「{major}」应为类别代码 {code} 的前缀",
            f"the major code {major!r} must begin the category code {code}",
        )
    if row["department"] not in departments:
        raise _RowError(
            f"职能部门 {row['department'] or '（空）'} 不存在",
            f"the department {row['department'] or '(empty)'} does not exist",
        )
    for column in LIMITS:
        problem = limit_problem(row[column])
        if problem is not None:
            raise _RowError(f"{column}：{problem[0]}", f"{column}: {problem[1]}")
    return CategoryRow(
        code=code,
        kind=kind,
        major_code=major,
        major_name=_text(row, "major_name"),
        major_name_en=_text(row, "major_name_en"),
        name=_text(row, "name"),
        name_en=_text(row, "name_en"),
        department=row["department"],
        **{column: str(Duration.parse(row[column])) for column in LIMITS},
        duplicate_radius_m=_whole(row, "duplicate_radius_m"),
        duplicate_window_hours=_whole(row, "duplicate_window_hours"),
        active=_boolean(row, "active", True),
        keywords=row["keywords"] or None,
        description=row["description"] or None,
        open311_type=_service_type(row),
    )


def _values(datatype: Datatype, text: str) -> str | None:
    if not datatype.is_list:
        if text:
            raise _RowError(
                f"{datatype.value} 类型的属性不能有可选值",
                f"an attribute of type {datatype.value} takes no values",
            )
        return None
    values: list[dict[str, str]] = []
    for item in filter(None, (part.strip() for part in text.split("|"))):
        key, _, name = (s.strip() for s in item.partition("="))
        if not _VALUE_KEY.fullmatch(key) or not name:
            raise _RowError(
                f"可选值「{item}」应写作 key=名称（key 为字母、数字、_ 或 -）",
                f"the value {item!r} is not key=name (a key of letters, digits, _ or -)",
            )
        if any(v["key"] == key for v in values):
            raise _RowError(f"可选值 {key} 重复", f"the value {key} appears twice")
        values.append({"key": key, "name": name})
    if not values:
        raise _RowError(
            f"{datatype.value} 类型的属性需要可选值（key=名称|key=名称）",
            f"an attribute of type {datatype.value} needs values (key=name|key=name)",
        )
    return canonical_values(values)


def _attribute(row: dict) -> AttributeRow:
    if not _ATTRIBUTE_CODE.fullmatch(row["code"]):
        raise _RowError(
            "属性代码应为小写字母开头的小写字母、数字或下划线（至多 32 个）",
            "an attribute code is up to 32 lower-case letters, digits or _, starting with a letter",
        )
    try:
        datatype = Datatype(row["datatype"])
    except ValueError:
        raise _RowError(
            f"数据类型「{row['datatype']}」应为 {', '.join(Datatype)} 之一",
            f"the datatype {row['datatype']!r} is not one of {', '.join(Datatype)}",
        ) from None
    order = row["order"]
    if not order.lstrip("-").isdigit():
        raise _RowError(f"order「{order}」不是整数", f"order {order!r} is not a whole number")
    return AttributeRow(
        category_code=row["category_code"],
        code=row["code"],
        name=_text(row, "name"),
        name_en=_text(row, "name_en"),
        datatype=datatype,
        required=_boolean(row, "required", False),
        order=int(order),
        values=_values(datatype, row["values"]),
        description=row["description"] or None,
    )


def _read_categories(source, departments: set[str]) -> dict[str, CategoryRow]:
    categories: dict[str, CategoryRow] = {}
    majors: dict[str, tuple[str, int]] = {}
    for line, row in _rows(source, CATEGORY_COLUMNS):
        try:
            category = _category(row, departments)
            if category.code in categories:
                raise _RowError(f"代码 {category.code} 重复", f"the code {category.code} repeats")
            first_name, first_line = majors.setdefault(
                category.major_code, (category.major_name, line)
            )
            if first_name != category.major_name:
                raise _RowError(
                    f"大类 {category.major_code} 在第 {first_line} 行名为「{first_name}」",
                    f"the major class {category.major_code} is named {first_name!r} on line "
                    f"{first_line}",
                )
        except _RowError as error:
            raise _wrong(source, line, row["code"], error) from None
        categories[category.code] = category
    return categories


def read_catalogue(
    categories: Path | Traversable,
    attributes: Path | Traversable | None,
    *,
    departments: set[str],
) -> list[CategoryRow]:
    """Returns the catalogue's categories with their attributes, or raises Invalid naming a row."""
    found = _read_categories(categories, departments)
    extra: dict[str, list[AttributeRow]] = {code: [] for code in found}
    for line, row in _rows(attributes, ATTRIBUTE_COLUMNS) if attributes is not None else ():
        code = f"{row['category_code']}/{row['code']}"
        try:
            attribute = _attribute(row)
            if attribute.category_code not in found:
                raise _RowError(
                    f"类别 {attribute.category_code} 不在 {categories.name} 中",
                    f"the category {attribute.category_code} is not in {categories.name}",
                )
            if any(a.code == attribute.code for a in extra[attribute.category_code]):
                raise _RowError(f"属性 {code} 重复", f"the attribute {code} repeats")
        except _RowError as error:
            raise _wrong(attributes, line, code, error) from None
        extra[attribute.category_code].append(attribute)
    return [
        replace(row, attributes=tuple(sorted(extra[code], key=_by_order)))
        for code, row in found.items()
    ]


def _by_order(attribute: AttributeRow) -> tuple[int, str]:
    return attribute.order, attribute.code


def default_files() -> tuple[Traversable, Traversable]:
    """Returns onegrid's own catalogue: (categories.csv, attributes.csv)."""
    return DATA.joinpath("categories.csv"), DATA.joinpath("attributes.csv")
