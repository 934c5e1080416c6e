"""API shapes of mediation: personal data always masked."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from onegrid.core.inputs import Id, Moment
from onegrid.mediation.models import DisputeState, IssueType, Side


class PartyIn(BaseModel):
    side: Side
    name: str = Field(min_length=1, max_length=50)
    phone: str | None = Field(None, max_length=30)


class DisputeIn(BaseModel):
    point_id: Id
    issue_type: IssueType
    summary: str = Field(min_length=1, max_length=2000)
    parties: list[PartyIn] = Field(min_length=1, max_length=20)


class SessionIn(BaseModel):
    mediator: str = Field(min_length=1, max_length=50)
    note: str = Field(min_length=1, max_length=2000)
    held_at: Moment | None = None


class OutcomeIn(BaseModel):
    outcome: Literal["agreed", "failed"]
    note: str | None = Field(None, max_length=2000)


class ReferIn(BaseModel):
    category_code: str | None = Field(
        None, max_length=16, description="default: the issue type's category (other: required)"
    )


class ChecklistIn(BaseModel):
    done: bool


class PartyOut(BaseModel):
    id: int
    side: Side
    name: str = Field(description="masked: 张**")
    phone: str | None = Field(description="masked: 139****5678")


class SessionOut(BaseModel):
    id: int
    held_at: datetime
    mediator: str
    note: str = Field(description="masked where it holds personal data")


class LinkedCase(BaseModel):
    id: int
    receipt: str
    state: str


class DisputeOut(BaseModel):
    id: int
    point_id: int
    community_code: str
    issue_type: IssueType
    state: DisputeState
    summary: str
    outcome_note: str | None
    opened_at: datetime
    closed_at: datetime | None
    case: LinkedCase | None = Field(description="the department's case, once referred")
    parties: list[PartyOut] = []
    sessions: list[SessionOut] = []


class DisputeList(BaseModel):
    total: int
    items: list[DisputeOut]


class CountsOut(BaseModel):
    total: int
    points: int
    by_state: dict[str, int]
    by_type: dict[str, int]


class PointOut(BaseModel):
    id: int
    community_code: str
    name: str
    items_done: int
    checklist: dict[str, bool] | None = None
