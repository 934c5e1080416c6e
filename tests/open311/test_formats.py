"""The renderer against the spec's own example payloads: the same values give the same
documents, in XML and in JSON (the Spark convention)."""

import json
from xml.etree import ElementTree

from onegrid.open311.formats import Format, render
from onegrid.open311.schemas import (
    Attribute,
    Created,
    Discovery,
    Endpoint,
    Error,
    Service,
    ServiceDefinition,
    ServiceRequest,
    TokenAnswer,
    Value,
)
from tests.open311 import spec_examples as spec
from tests.open311.conftest import spark


def _tree(element: ElementTree.Element):
    """An element as (tag, stripped text, children): the same in any indentation."""
    return (element.tag, (element.text or "").strip(), [_tree(c) for c in element])


def same_xml(ours: bytes, theirs: str) -> None:
    assert ours.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert _tree(ElementTree.fromstring(ours)) == _tree(
        ElementTree.fromstring(theirs.encode("utf-8"))
    )


def _endpoint(url, changeset, kind, formats):
    return Endpoint(
        specification="http://wiki.open311.org/GeoReport_v2",
        url=url,
        changeset=changeset,
        type=kind,
        formats=formats,
    )


DISCOVERY = Discovery(
    changeset="2011-02-03 14:18",
    contact="You can email or call for assistance api@mycity.org +1 (555) 555-5555",
    key_service="You can request a key here: http://api.mycity.gov/api_key/request",
    endpoints=[
        _endpoint("http://open311.mycity.gov/v2", "2010-11-23 09:01", "production", ["text/xml"]),
        _endpoint(
            "http://open311.mycity.gov/test/v2",
            "2010-10-02 09:01",
            "test",
            ["text/xml", "application/json"],
        ),
    ],
)
NOTICE = (
    "The City will inspect and require the responsible party to correct within 24 hours "
    "and/or issue a Correction Notice or Notice of Violation of the Public Works Code"
)


def test_discovery_is_the_specs_example_in_both_formats():
    same_xml(render(DISCOVERY, "discovery", Format.XML).body, spec.DISCOVERY_XML)
    response = render(DISCOVERY, "discovery", Format.JSON)
    assert json.loads(response.body) == json.loads(spec.DISCOVERY_JSON)
    assert response.headers["content-type"] == "application/json; charset=utf-8"


def test_a_service_and_a_definition_are_the_specs_examples():
    service = Service(
        service_code="001",
        service_name="Cans left out 24x7",
        description="Garbage or recycling cans that have been left out for more than 24 hours "
        "after collection. Violators will be cited.",
        metadata=True,
        type="realtime",
        keywords="lorem, ipsum, dolor",
        group="sanitation",
    )
    same_xml(render([service], "services", Format.XML).body, spec.SERVICES_XML)
    definition = ServiceDefinition(
        service_code="DMV66",
        attributes=[
            Attribute(
                variable=True,
                code="WHISHETN",
                datatype="singlevaluelist",
                required=True,
                datatype_description=None,
                order=1,
                description="What is the ticket/tag/DL number?",
                values=[Value(key="123", name="Ford"), Value(key="124", name="Chrysler")],
            )
        ],
    )
    same_xml(render(definition, "service_definition", Format.XML).body, spec.SERVICE_DEFINITION_XML)


def test_the_post_answer_carries_an_id_or_a_token_as_the_spec_shows():
    created = Created(service_request_id="293944", service_notice=NOTICE, account_id=None)
    same_xml(render([created], "service_requests", Format.XML).body, spec.POST_RESPONSE_XML)
    answer = json.loads(render([created], "service_requests", Format.JSON).body)
    # The wiki's example writes the id as a number; the GeoReport v2 JSON schema (and so this
    # endpoint) makes it a string.
    assert answer == [json.loads(spec.POST_RESPONSE_JSON)[0] | {"service_request_id": "293944"}]
    token = TokenAnswer(service_request_id="638344", token="12345")
    same_xml(render([token], "service_requests", Format.XML).body, spec.TOKEN_XML)
    queued = json.loads(
        render([Created(token="abc", account_id=None)], "service_requests", Format.JSON).body
    )
    assert queued == [{"token": "abc", "account_id": None}]  # no service_request_id beside it


def test_a_request_is_the_specs_example_and_empty_fields_stay_empty():
    request = ServiceRequest(
        service_request_id="638344",
        status="closed",
        status_notes="Duplicate request.",
        service_name="Sidewalk and Curb Issues",
        service_code="006",
        description=None,
        agency_responsible=None,
        service_notice=None,
        requested_datetime="2010-04-14T06:37:38-08:00",
        updated_datetime="2010-04-14T06:37:38-08:00",
        expected_datetime="2010-04-15T06:37:38-08:00",
        address="8TH AVE and JUDAH ST",
        address_id="545483",
        zipcode="94122",
        lat=37.762221815,
        long=-122.4651145,
        media_url="http://city.gov.s3.amazonaws.com/requests/media/638344.jpg",
    )
    same_xml(render([request], "service_requests", Format.XML).body, spec.REQUESTS_XML)
    [answer] = json.loads(render([request], "service_requests", Format.JSON).body)
    assert list(answer) == spec.REQUEST_FIELDS  # the table's order, no extension fields
    assert answer["description"] is None and answer["lat"] == 37.762221815


def test_errors_are_the_specs_example_and_utf8():
    error = Error(
        code=403, description="Invalid api_key received -- can't proceed with create_request."
    )
    same_xml(render([error], "errors", Format.XML, 403).body, spec.ERRORS_XML)
    assert json.loads(render([error], "errors", Format.JSON).body) == json.loads(spec.ERRORS_JSON)
    chinese = render([Error(code=400, description="缺少位置")], "errors", Format.XML, 400)
    assert "缺少位置".encode() in chinese.body
    assert spark(ElementTree.fromstring(chinese.body)) == [
        {"code": "400", "description": "缺少位置"}
    ]


def test_text_xml_cannot_carry_is_left_out_of_xml_only():
    error = Error(code=400, description="坏\x0b字符 <b>&")
    [parsed] = spark(ElementTree.fromstring(render([error], "errors", Format.XML).body))
    assert parsed["description"] == "坏字符 <b>&"
    assert json.loads(render([error], "errors", Format.JSON).body)[0]["description"] == (
        "坏\x0b字符 <b>&"
    )
