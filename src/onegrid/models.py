"""Imports every domain's tables so that metadata and migrations see all of them."""

from onegrid.territory.models import (  # noqa: F401
    Assignment,
    Department,
    PartyBranch,
    Person,
    TerritoryUnit,
)
