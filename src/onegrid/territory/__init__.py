"""Territory: district → street → community → grid, departments, people, geometry.

The levels and the lengths of their codes are onegrid.core.levels's (every domain reads them).
"""

from onegrid.territory.geoindex import GridIndex
from onegrid.territory.models import (
    Assignment,
    Department,
    PartyBranch,
    Person,
    StaffRole,
    TerritoryUnit,
)

__all__ = [
    "Assignment",
    "Department",
    "GridIndex",
    "PartyBranch",
    "Person",
    "StaffRole",
    "TerritoryUnit",
]
