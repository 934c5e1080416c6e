"""API shapes of cases."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from onegrid.cases.machine import Action
from onegrid.cases.models import Channel
from onegrid.core.coordinates import CRS
from onegrid.core.inputs import Id, Small


class CaseIn(BaseModel):
    category_code: str = Field(examples=["0101"])
    description: str = Field(min_length=1, max_length=2000)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    crs: CRS = CRS.WGS84
    address: str | None = Field(None, max_length=200)
    attributes: Small = Field(default_factory=dict, description="the category's custom attributes")
    reporter_name: str | None = Field(None, max_length=50)
    reporter_phone: str | None = Field(None, max_length=30)
    anonymous: bool = False
    channel: Channel | None = Field(
        None, description="default: your role's first channel; each role may use its own only"
    )
    callback_wanted: bool = Field(
        False,
        description="the 12345 caller asks to be called back once the case is closed"
        " (the hotline channel only)",
    )


class Receipt(BaseModel):
    receipt: str = Field(description="keep it: it follows and rates the case without an account")
    state: str
    possible_duplicate: bool = Field(description="an open case nearby reports the same problem")
    duplicate_of: str | None = Field(
        None,
        description="that case's receipt, only to who may read that case (cases.read, in scope):"
        " a receipt follows and rates a case",
    )


class CaseOut(BaseModel):
    id: int
    receipt: str
    state: str
    state_name: str
    channel: str
    category_code: str
    description: str = Field(description="phones, ID numbers and bank cards in it masked")
    address: str | None = Field(description="masked as the description")
    lon: float
    lat: float
    grid_code: str
    department: str | None
    received_at: datetime
    stage: str | None
    stage_deadline: datetime | None
    light: str | None = Field(description="green < 80 % of the limit used, yellow ≤ 100 %, red")
    escalation_level: int
    overdue: bool
    pending: str | None
    rating: int | None
    callback_wanted: bool
    duplicate_of: str | None
    merged_into: str | None
    reporter_name: str | None = Field(description="masked (张**); reveal with a purpose")
    reporter_phone: str | None = Field(description="masked; reveal with a purpose")
    attributes: dict | None


class CaseList(BaseModel):
    items: list[CaseOut]
    total: int
    limit: int
    offset: int
    next_after: str | None = Field(
        None, description="pass as `after` for the next page (keyset); None on the last page"
    )


class TransitionIn(BaseModel):
    action: Action
    note: str | None = Field(None, max_length=2000)
    data: Small = Field(
        default_factory=dict,
        description="valid (verify), category_code (open), department_code (dispatch), "
        "duration (request_extension), into (merge), rating (evaluate)",
    )
    evidence_ids: list[Id] = Field(default_factory=list, max_length=100)


class EventOut(BaseModel):
    id: int = Field(description="reveal its note with a purpose: object_type case_event")
    seq: int
    at: datetime
    actor: str
    actor_role: str | None
    action: str
    from_state: str | None
    to_state: str
    note: str | None = Field(description="phones, ID numbers and bank cards in it masked")
    data: dict | None


class EvidenceOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class PublicCaseOut(BaseModel):
    """What anyone holding the receipt sees: the progress, never the people."""

    receipt: str
    state: str
    state_name: str
    category_code: str
    received_at: datetime
    closed_at: datetime | None
    rating: int | None
    can_rate: bool
    reported_before: bool = Field(description="the same problem was reported before (已有人报告)")
    steps: list[dict] = Field(
        description="action, time and state of each step; the department of a dispatch or"
        " feedback (Chinese and English names)"
    )


class RatingIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(None, max_length=500)


class BulkIn(BaseModel):
    """One action on many selected cases, each taken (or refused) on its own."""

    action: Literal["dispatch", "void", "merge"]
    case_ids: list[Id] = Field(min_length=1, max_length=200, description="at most 200 cases")
    note: str | None = Field(None, max_length=2000, description="the reason (void: required)")
    department_code: str | None = Field(
        None, max_length=32, description="dispatch: default each case's routing-table department"
    )
    into: str | None = Field(None, max_length=32, description="merge: the surviving receipt")


class BulkError(BaseModel):
    kind: str
    message: str


class BulkResult(BaseModel):
    case_id: int
    receipt: str | None = Field(description="None when the case is not found in your scope")
    ok: bool
    state: str | None = Field(description="the case's state after the action, if taken")
    error: BulkError | None


class BulkOut(BaseModel):
    results: list[BulkResult]
    taken: int
    refused: int
