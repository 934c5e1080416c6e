"""Routing: the category catalogue, the routing table (category, area) → department, senders."""

from onegrid.routing.models import (
    Category,
    CategoryAttribute,
    Datatype,
    Kind,
    Notification,
    RoutingRule,
    ServiceType,
)
from onegrid.routing.table import RoutingTable

__all__ = [
    "Category",
    "CategoryAttribute",
    "Datatype",
    "Kind",
    "Notification",
    "RoutingRule",
    "RoutingTable",
    "ServiceType",
]
