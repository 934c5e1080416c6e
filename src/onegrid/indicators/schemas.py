"""API shapes of the indicators."""

from datetime import date

from pydantic import BaseModel, Field

from onegrid.indicators.definitions import Section
from onegrid.indicators.queries import GroupBy, Period


class ValueOut(BaseModel):
    value: float | None = Field(description="numerator ÷ denominator; null when it is 0")
    numerator: int
    denominator: int


class GroupOut(BaseModel):
    key: str | None = Field(
        description="street, community or grid code, department code or category code; "
        "null without grouping (and for cases with no department yet)",
        examples=["210104002"],
    )
    name: str | None = Field(None, examples=["大北街道"])
    name_en: str | None = None
    period: str | None = Field(
        description="2026-02-14, 2026-W07 (ISO week) or 2026-02; null for the whole range",
        examples=["2026-02"],
    )
    counts: dict[str, int] = Field(description="each count of the cases in the group")
    indicators: dict[str, ValueOut] = Field(description="by indicator code")


class IndicatorsOut(BaseModel):
    by: GroupBy
    period: Period
    since: date | None = Field(description="first intake day counted (local time)")
    until: date | None = Field(description="last intake day counted, included")
    channel: str | None
    category: str | None
    groups: list[GroupOut]


class TermOut(BaseModel):
    count: str = Field(description="a name of `counts`")
    coefficient: int = Field(description="1 to add, -1 to subtract")


class DefinitionOut(BaseModel):
    code: str = Field(examples=["on_time_closure_rate"])
    name: str = Field(examples=["按期结案率"])
    name_en: str = Field(examples=["on-time closure rate"])
    section: Section
    formula: str = Field(examples=["closed_on_time / (closed + overdue_handle)"])
    numerator: list[TermOut]
    denominator: list[TermOut]
    channel: str | None = Field(description="only cases of this channel count")
    about: str
    about_en: str


class CountOut(BaseModel):
    code: str
    name: str
    name_en: str


class DefinitionsOut(BaseModel):
    indicators: list[DefinitionOut]
    counts: list[CountOut]
