"""API shapes of the category catalogue, the routing rules and in-app notifications."""

import json
from datetime import datetime

from pydantic import BaseModel, Field

from onegrid.core.levels import UNIT_CODE_DESCRIPTION, UNIT_CODE_PATTERN
from onegrid.routing.models import Category, CategoryAttribute, Datatype, Kind, RoutingRule
from onegrid.territory.schemas import DepartmentOut

_DURATION = "working time: 90m (minutes), 4h (working hours) or 2d (working days)"


class ValueOut(BaseModel):
    key: str
    name: str


class AttributeOut(BaseModel):
    code: str = Field(examples=["indoor_temperature"])
    name: str
    name_en: str
    datatype: Datatype = Field(description="Open311 datatype")
    required: bool
    order: int
    values: list[ValueOut] = Field(description="allowed values of the list types")
    description: str | None = None

    @classmethod
    def of(cls, attribute: CategoryAttribute) -> "AttributeOut":
        return cls(
            code=attribute.code,
            name=attribute.name,
            name_en=attribute.name_en,
            datatype=Datatype(attribute.datatype),
            required=attribute.required,
            order=attribute.order,
            values=json.loads(attribute.values) if attribute.values else [],
            description=attribute.description,
        )


class LimitsOut(BaseModel):
    verify: str = Field(description=f"核实 verification; {_DURATION}", examples=["1h"])
    dispatch: str = Field(description=f"派遣 dispatch; {_DURATION}", examples=["30m"])
    handle: str = Field(description=f"处置 handling; {_DURATION}", examples=["2d"])
    check: str = Field(description=f"核查 check; {_DURATION}", examples=["4h"])


class CategoryOut(BaseModel):
    district_code: str
    code: str = Field(
        description="component MMNN (major + minor class), event EMMNN", examples=["0101"]
    )
    kind: Kind = Field(description="component 部件 or event 事件")
    major_code: str = Field(examples=["01"])
    major_name: str
    major_name_en: str
    name: str
    name_en: str
    department_code: str = Field(description="the default department, when no rule matches")
    limits: LimitsOut
    duplicate_radius_m: int = Field(description="0: never suggested as a duplicate")
    duplicate_window_hours: int
    active: bool
    keywords: list[str]
    description: str | None = None
    attributes: list[AttributeOut]

    @classmethod
    def of(cls, category: Category) -> "CategoryOut":
        return cls(
            district_code=category.district_code,
            code=category.code,
            kind=Kind(category.kind),
            major_code=category.major_code,
            major_name=category.major_name,
            major_name_en=category.major_name_en,
            name=category.name,
            name_en=category.name_en,
            department_code=category.default_department_code,
            limits=LimitsOut(
                verify=category.verify_limit,
                dispatch=category.dispatch_limit,
                handle=category.handle_limit,
                check=category.check_limit,
            ),
            duplicate_radius_m=category.duplicate_radius_m,
            duplicate_window_hours=category.duplicate_window_hours,
            active=category.active,
            keywords=[k.strip() for k in (category.keywords or "").split(",") if k.strip()],
            description=category.description,
            attributes=[AttributeOut.of(a) for a in category.attributes],
        )


class RuleIn(BaseModel):
    category_code: str = Field(max_length=16, examples=["E0501"])
    unit_code: str = Field(
        pattern=UNIT_CODE_PATTERN,
        description=UNIT_CODE_DESCRIPTION,
        examples=["210104002"],
    )
    department_code: str = Field(max_length=32, examples=["market"])


class RuleOut(BaseModel):
    district_code: str
    category_code: str
    unit_code: str
    department_code: str

    @classmethod
    def of(cls, rule: RoutingRule) -> "RuleOut":
        return cls(
            district_code=rule.district_code,
            category_code=rule.category_code,
            unit_code=rule.unit_code,
            department_code=rule.department_code,
        )


class RouteOut(BaseModel):
    category_code: str
    unit_code: str
    department: DepartmentOut
    rule_unit_code: str | None = Field(
        description="the unit of the most specific rule that matched; null: the category's "
        "default department"
    )


class NotificationOut(BaseModel):
    id: int
    kind: str = Field(examples=["case.dispatch"])
    subject: str
    body: str
    case_id: int | None = Field(description="the case it is about, if any")
    created_at: datetime
    read: bool = Field(description="whether you have read it")


class NotificationList(BaseModel):
    items: list[NotificationOut] = Field(description="newest first")
    total: int
    unread: int = Field(description="counted up to 1,000")
    limit: int
    offset: int


class UnreadCount(BaseModel):
    unread: int = Field(description="counted up to 1,000")


class MarkedRead(BaseModel):
    marked: int = Field(description="how many were unread and are now read")
