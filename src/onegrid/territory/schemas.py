"""API shapes of the territory."""

from pydantic import BaseModel, Field

from onegrid.core.levels import Level


class UnitRef(BaseModel):
    code: str = Field(examples=["210104002009001"])
    name: str
    level: Level


class StaffOut(BaseModel):
    person_id: int = Field(description="the person, for POST /api/v1/pii/reveal")
    name: str
    role: str = Field(description="grid_worker, community_staff or department_staff")
    department: str | None = None
    phone: str | None = Field(None, description="masked, e.g. 139****1234")


class PartyBranchOut(BaseModel):
    name: str
    secretary: str | None
    member_count: int


class UnitOut(UnitRef):
    district_code: str
    is_demo: bool
    area_km2: float
    bbox: tuple[float, float, float, float] = Field(
        description="min lon, min lat, max lon, max lat"
    )
    parents: list[UnitRef] = Field(description="from the district down to the direct parent")
    children: list[UnitRef]
    staff: list[StaffOut]
    party_branch: PartyBranchOut | None = None


class LocateOut(BaseModel):
    lon: float = Field(description="WGS-84 longitude of the point")
    lat: float = Field(description="WGS-84 latitude of the point")
    grid: UnitRef
    community: UnitRef
    street: UnitRef
    district: UnitRef


class DepartmentOut(BaseModel):
    code: str
    name: str
    name_en: str
