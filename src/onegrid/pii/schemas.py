"""API shapes of a reveal."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

Purpose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=200)]


class RevealIn(BaseModel):
    object_type: Literal["person", "case", "case_event"]
    object_id: int = Field(gt=0, lt=2**31)  # an INTEGER key on both stores
    field: Literal[
        "phone", "id_number", "reporter_phone", "reporter_name", "description", "address", "note"
    ] = Field(
        description="person: phone or id_number; case: reporter_phone, reporter_name, "
        "description or address; case_event (a timeline entry's id): note"
    )
    purpose: Purpose = Field(
        description="why the clear value is needed; recorded in the audit log",
        examples=["联系网格员核实案件现场情况"],
    )


class RevealOut(BaseModel):
    object_type: str
    object_id: int = Field(gt=0, lt=2**31)  # an INTEGER key on both stores
    field: str
    value: str | None = Field(description="the clear value; null if none is stored")
    masked: str | None = Field(description="the value as shown by default")
