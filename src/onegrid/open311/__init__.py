"""Open311 GeoReport v2: discovery, services, requests and tokens over XML and JSON."""

from onegrid.open311.formats import Format
from onegrid.open311.models import ApiKey, QueuedRequest

__all__ = ["ApiKey", "Format", "QueuedRequest"]
