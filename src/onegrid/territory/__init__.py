"""Territory: district → street → community → grid, departments, people, geometry."""

from onegrid.territory.geoindex import GridIndex
from onegrid.territory.models import (
    Assignment,
    Department,
    Level,
    PartyBranch,
    Person,
    StaffRole,
    TerritoryUnit,
)

__all__ = [
    "Assignment",
    "Department",
    "GridIndex",
    "Level",
    "PartyBranch",
    "Person",
    "StaffRole",
    "TerritoryUnit",
]
