"""Territory: district → street → community → grid, departments, people, geometry."""

from onegrid.territory.geoindex import GridIndex
from onegrid.territory.models import (
    Assignment,
    Department,
    Level,
    PartyBranch,
    Person,
    Role,
    TerritoryUnit,
)

__all__ = [
    "Assignment",
    "Department",
    "GridIndex",
    "Level",
    "PartyBranch",
    "Person",
    "Role",
    "TerritoryUnit",
]
