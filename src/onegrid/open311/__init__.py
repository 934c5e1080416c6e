"""Open311 GeoReport v2: discovery, services, requests and tokens over XML and JSON."""
