"""Discovery, the service list and service definitions, as a client of the spec reads them."""

import re
from datetime import datetime
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from onegrid.routing.models import Category
from tests.open311 import spec_examples as spec
from tests.open311.conftest import FORMATS, W3C, parse


def _tags(element: ElementTree.Element) -> list[str]:
    return [child.tag for child in element]


@pytest.mark.parametrize("path", ["/open311/discovery", "/open311/v2/discovery"])
def test_discovery_names_the_endpoint_and_its_formats(client, path):
    xml = client.get(f"{path}.xml")
    assert xml.status_code == 200
    root = ElementTree.fromstring(xml.content)
    assert root.tag == "discovery" and _tags(root) == spec.DISCOVERY_FIELDS
    assert _tags(root.find("endpoints/endpoint")) == spec.ENDPOINT_FIELDS
    document = parse(client.get(f"{path}.json"))
    assert parse(xml) == document
    [endpoint] = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "test"  # not production: nothing posted here is acted upon
    assert re.fullmatch(W3C, document["changeset"]) and document["contact"]
    assert "onegrid open311 key create" in document["key_service"]
    # The endpoint's URL is where the client goes next.
    assert client.get(
        endpoint["url"].removeprefix("http://testserver") + "/services.xml"
    ).is_success


def test_the_changeset_moves_when_the_catalogue_changes(client, session):
    before = datetime.fromisoformat(parse(client.get("/open311/discovery.json"))["changeset"])
    category = session.scalars(select(Category).where(Category.code == "0107")).one()
    category.updated_at = datetime.fromisoformat("2099-01-01T00:00:00+00:00")
    session.flush()
    after = datetime.fromisoformat(parse(client.get("/open311/discovery.json"))["changeset"])
    assert after > before and after.isoformat() == "2099-01-01T08:00:00+08:00"


def test_the_service_list_is_the_catalogue(both, session, o311):
    services = both("services")
    active = session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.code)
    ).all()
    assert [s["service_code"] for s in services] == [c.code for c in active]
    assert all(list(s) == spec.SERVICE_FIELDS for s in services)
    lamp = next(s for s in services if s["service_code"] == "0107")
    assert lamp == {
        "service_code": "0107",
        "service_name": "路灯不亮",
        "description": lamp["description"],
        "metadata": True,
        "type": "realtime",
        "keywords": next(c.keywords for c in active if c.code == "0107"),
        "group": "公用设施",
    }
    hydrant = next(s for s in services if s["service_code"] == "0106")
    assert hydrant["metadata"] is False  # no attributes: no definition to read
    assert {s["type"] for s in services if s["service_code"].startswith("E07")} == {"batch"}
    english = parse(o311("get", "services", "json", headers={"Accept-Language": "en"}))
    assert next(s for s in english if s["service_code"] == "0107")["group"] == "Public utilities"


def test_a_closed_category_is_no_service(both, session):
    category = session.scalars(select(Category).where(Category.code == "0107")).one()
    category.active = False
    session.flush()
    assert "0107" not in {s["service_code"] for s in both("services")}
    [error] = both("services/0107", expect=404)
    assert error["code"] == 404 and "0107" in error["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_jurisdiction_is_not_found(o311, fmt):
    response = o311("get", "services", fmt, params={"jurisdiction_id": "sfgov.org"})
    assert response.status_code == 404
    [error] = parse(response)
    assert str(error["code"]) == "404" and "sfgov.org" in error["description"]
    assert o311("get", "services", fmt, params={"jurisdiction_id": "210104"}).status_code == 200
    # Empty counts as absent (the spec's Optional Arguments).
    assert o311("get", "services", fmt, params={"jurisdiction_id": ""}).status_code == 200


def test_definitions_carry_every_datatype_of_the_spec(both, session):
    seen = set()
    for code in ("0107", "0301", "E0108", "E0701"):
        definition = both(f"services/{code}")
        assert list(definition) == ["service_code", "attributes"]
        assert definition["service_code"] == code
        category = session.scalars(select(Category).where(Category.code == code)).one()
        assert [a["code"] for a in definition["attributes"]] == [
            a.code for a in sorted(category.attributes, key=lambda a: (a.order, a.code))
        ]
        assert [a["order"] for a in definition["attributes"]] == list(
            range(1, len(category.attributes) + 1)
        )
        for attribute in definition["attributes"]:
            assert list(attribute) == spec.ATTRIBUTE_FIELDS and attribute["variable"] is True
            assert attribute["datatype_description"]
            seen.add(attribute["datatype"])
            if attribute["datatype"].endswith("valuelist"):
                assert attribute["values"] and all(
                    list(v) == ["key", "name"] for v in attribute["values"]
                )
            else:
                assert attribute["values"] == []
    assert seen == spec.DATATYPES


def test_a_definition_reads_as_the_catalogue_says(both):
    noise = both("services/E0108")
    source, period, started = noise["attributes"]
    assert (source["code"], source["datatype"], source["required"]) == (
        "source",
        "singlevaluelist",
        True,
    )
    assert {"key": "night", "name": "夜间（22:00–次日6:00）"} in period["values"]
    assert period["description"] == "噪音时段（夜间噪声标准更严）"
    assert (started["datatype"], started["required"]) == ("datetime", False)
    food = both("services/E0701", lang="en")
    issues = food["attributes"][0]
    assert (issues["datatype"], issues["description"]) == ("multivaluelist", "Issues")
    assert "attribute[CODE][]" in issues["datatype_description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_services_and_formats_are_not_found(o311, client, fmt):
    response = o311("get", "services/9999", fmt)
    assert response.status_code == 404
    assert "9999" in parse(response)[0]["description"]
    assert client.get("/open311/v2/services.html").status_code == 404
    missing = client.get(f"/open311/v2/no-such-thing.{fmt}")
    assert missing.status_code == 404 and str(parse(missing)[0]["code"]) == "404"
