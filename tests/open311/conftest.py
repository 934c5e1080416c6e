"""Open311 on the demo district: a client speaking only the spec, parsing XML and JSON."""

import json
from xml.etree import ElementTree

import pytest

from onegrid.open311 import keys
from tests.cases.conftest import MONDAY, OTHER_GRID, WORKER_GRID, inside, outside, point_in

__all__ = ["MONDAY", "OTHER_GRID", "WORKER_GRID", "inside", "outside", "point_in"]

BASE = "/open311/v2"
FORMATS = ["xml", "json"]
W3C = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)"
# Containers of repeated elements (the Spark convention makes them arrays).
REPEATED = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
}


def spark(element: ElementTree.Element):
    """Returns an XML element as the Spark convention maps it to JSON, with text kept as text:
    a container of repeated elements is a list, other parents are dicts, empty ones None."""
    children = list(element)
    if element.tag in REPEATED:
        assert all(c.tag == REPEATED[element.tag] for c in children), element.tag
        return [spark(c) for c in children]
    if children:
        return {c.tag: spark(c) for c in children}
    return element.text


def as_text(value):
    """Returns JSON data with its scalars written as XML writes them."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def parse(response):
    """Returns a response's document: JSON as it is, XML through the Spark convention."""
    kind = response.headers["content-type"]
    if kind == "application/json; charset=utf-8":
        return json.loads(response.content.decode("utf-8"))
    assert kind == "text/xml; charset=utf-8", kind
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return spark(ElementTree.fromstring(response.content))


@pytest.fixture
def o311(client):
    """Calls the Open311 endpoint as a client would: o311("get", "services", "xml", …)."""

    def call(method, resource, fmt, **kwargs):
        return client.request(method.upper(), f"{BASE}/{resource}.{fmt}", **kwargs)

    return call


@pytest.fixture
def both(o311):
    """GETs a resource in XML and JSON, checks both say the same, returns the JSON document."""

    def get(resource, expect=200, **params):
        xml = o311("get", resource, "xml", params=params)
        answer = o311("get", resource, "json", params=params)
        assert (xml.status_code, answer.status_code) == (expect, expect), xml.text
        document = parse(answer)
        assert parse(xml) == as_text(document)
        return document

    return get


@pytest.fixture
def api_key(session) -> str:
    """A live key of the demo district, generous enough for any test."""
    return keys.create(
        session=session,
        district_code="210104",
        name="test-app",
        rate_per_minute=1000,
        created_by="test",
    ).key


@pytest.fixture
def form(api_key, inside):
    """Returns the spec's example POST fields, for a dark street light in the worker's grid."""

    def make(**changes):
        fields = {
            "api_key": api_key,
            "jurisdiction_id": "210104",
            "service_code": "0107",
            "lat": str(inside.y),
            "long": str(inside.x),
            "address_string": "东北大马路 100 号",
            "email": "smit333@sfgov.edu",
            "device_id": "tt222111",
            "account_id": "123456",
            "first_name": "三",
            "last_name": "张",
            "phone": "13912345678",
            "description": "小区门口路灯不亮",
            "media_url": "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
            "attribute[pole_number]": "DD-0417",
            "attribute[lights_out]": "2",
        }
        return {k: v for k, v in (fields | changes).items() if v is not None}

    return make
