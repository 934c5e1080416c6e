"""POST requests: a realtime request enters the loop through the intake; every refusal is in
the spec's error format with the spec's HTTP status, and writes nothing."""

import json

import pytest
from sqlalchemy import func, select, text

from onegrid.audit.models import AuditRecord
from onegrid.cases.models import Case, CaseEvent
from onegrid.open311 import keys
from onegrid.territory.geojson import import_collection
from onegrid.territory.models import Department
from tests.open311 import spec_examples as spec
from tests.open311.conftest import FORMATS, WORKER_GRID, parse

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _cases(session) -> int:
    return session.scalar(select(func.count()).select_from(Case))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_realtime_request_enters_the_loop(o311, form, session, fmt):
    response = o311("post", "requests", fmt, data=form(description=f"路灯不亮 {fmt}"))
    assert response.status_code == 200, response.text
    [created] = parse(response)
    assert list(created) == ["service_request_id", "service_notice", "account_id"]
    assert created["account_id"] is None and "token" not in created
    assert created["service_notice"] == "派遣后 2 个工作日内处置"  # the category's limit
    case = session.get(Case, int(created["service_request_id"]))
    assert (case.channel, case.state, case.category_code) == ("open311", "received", "0107")
    assert case.description == f"路灯不亮 {fmt}" and case.grid_code == WORKER_GRID
    assert session.get(Department, case.department_id).code == "urban_mgmt"  # routed
    assert case.stage == "verify" and case.stage_deadline > case.received_at  # the clock runs
    assert case.address == "东北大马路 100 号"
    assert (case.reporter_name, case.reporter_phone) == ("张*", "13912345678")  # name masked
    assert case.sealed_reporter_name == "张三"
    assert json.loads(case.attributes) == {"lights_out": 2, "pole_number": "DD-0417"}
    [event] = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert event.actor == "open311:test-app" and event.actor_id is None
    media = "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"
    assert json.loads(event.data)["media_url"] == media  # kept as the first step's evidence
    audit = session.scalars(select(AuditRecord).where(AuditRecord.object_id == case.receipt))
    assert [(a.actor, a.action) for a in audit] == [("open311:test-app", "case.receive")]
    # The phone is sealed at rest; e-mail, device and account ids are not kept at all.
    raw = session.execute(
        text("SELECT reporter_phone FROM case_record WHERE id = :id"), {"id": case.id}
    ).scalar()
    assert "13912345678" not in raw
    kept = " ".join(str(v) for v in (*vars(case).values(), event.data))
    assert not {"smit333", "tt222111", "123456"} & set(kept.replace('"', " ").split())


def test_the_specs_example_body_is_answered_step_by_step(client, form, session):
    """The spec's own example request, then the same with each of its city's values replaced
    by this district's: each answer names the next thing to change."""
    body = spec.POST_BODY

    def post(text):
        url = "/open311/v2/requests.xml?lang=en"  # the answers in English
        response = client.post(url, content=text, headers=FORM)
        return response.status_code, parse(response)[0]

    status, error = post(body)
    assert status == 404 and "city.gov" in error["description"]
    body = body.replace("jurisdiction_id=city.gov", "jurisdiction_id=210104")
    status, error = post(body)
    assert (status, error["code"]) == (403, "403")
    body = body.replace("api_key=xyz", f"api_key={form()['api_key']}")
    status, error = post(body)
    assert status == 404 and "service_code 001" in error["description"]
    body = body.replace("service_code=001", "service_code=0107")
    status, error = post(body)
    assert status == 400 and "outside the district" in error["description"]
    body = body.replace(
        "lat=37.76524078&long=-122.4212043", f"lat={form()['lat']}&long={form()['long']}"
    )
    status, error = post(body)
    assert status == 400 and "no attribute WHISDORN" in error["description"]
    body = body.split("&attribute[")[0]
    status, error = post(body)
    assert status == 400 and "not a phone number" in error["description"]
    body = body.replace("phone=111111111", "phone=13912345678")
    before = _cases(session)
    status, created = post(body)
    assert status == 200 and int(created["service_request_id"]) > 0
    case = session.get(Case, int(created["service_request_id"]))
    assert case.description == "A large sinkhole is destroying the street"
    assert case.sealed_reporter_name == "john smith" and case.address == "1234 5th street"
    assert _cases(session) == before + 1


def _refused(o311, session, fmt, data, status, *words, headers=None, code=None):
    before = _cases(session)
    response = o311("post", "requests", fmt, data=data, headers=headers)
    assert response.status_code == status, response.text
    [error] = parse(response)
    assert str(error["code"]) == str(code or status)
    for word in words:
        assert word in error["description"], error["description"]
    assert _cases(session) == before
    return response


@pytest.mark.parametrize("fmt", FORMATS)
def test_keys_and_jurisdictions_are_checked(o311, form, session, fmt):
    _refused(o311, session, fmt, form(api_key=None), 403, "api_key")
    _refused(o311, session, fmt, form(api_key=""), 403, "api_key")  # empty is absent
    _refused(o311, session, fmt, form(api_key="og311_not-a-key"), 403, "api_key")
    _refused(o311, session, fmt, form(jurisdiction_id="sfgov.org"), 404, "sfgov.org")
    keys.revoke(session=session, district_code="210104", name="test-app")
    _refused(o311, session, fmt, form(), 403, "吊销")


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_and_locations_are_checked(o311, form, session, fmt):
    en = {"Accept-Language": "en"}
    _refused(o311, session, fmt, form(service_code=None), 400, "service_code", headers=en)
    _refused(o311, session, fmt, form(service_code="9999"), 404, "9999", headers=en)
    _refused(o311, session, fmt, form(long=None), 400, "lat and long", headers=en)
    north = _refused(o311, session, fmt, form(lat="north"), 400, "lat is not", headers=en)
    assert "north" not in north.text  # the input is named, never echoed
    _refused(o311, session, fmt, form(lat="91"), 400, "-90 to 90", headers=en)
    _refused(o311, session, fmt, form(long="nan"), 400, "long", headers=en)
    _refused(o311, session, fmt, form(lat="39.9", long="116.4"), 400, "outside", headers=en)
    _refused(o311, session, fmt, form(lat=None, long=None), 400, "lat and long", headers=en)
    no_geocoder = form(lat=None, long=None, address_id="545483")
    _refused(o311, session, fmt, no_geocoder, 400, "address_string", "geocoder", headers=en)
    _refused(o311, session, fmt, form(media_url="javascript:alert(1)"), 400, "media_url")


@pytest.mark.parametrize("fmt", FORMATS)
def test_attributes_are_checked_by_the_definition(o311, form, session, fmt):
    noise = {"service_code": "E0108", "attribute[pole_number]": None, "attribute[lights_out]": None}
    en = {"Accept-Language": "en"}
    _refused(o311, session, fmt, form(**noise), 400, "source", "required", headers=en)
    wrong = form(**noise, **{"attribute[source]": "aliens", "attribute[period]": "night"})
    _refused(o311, session, fmt, wrong, 400, "aliens", headers=en)
    _refused(o311, session, fmt, form(**{"attribute[lights_out]": "many"}), 400, "lights_out")
    right = form(**noise, **{"attribute[source]": "construction", "attribute[period]": "night"})
    response = o311("post", "requests", fmt, data=right)
    assert response.status_code == 200, response.text
    case = session.get(Case, int(parse(response)[0]["service_request_id"]))
    assert json.loads(case.attributes) == {"period": "night", "source": "construction"}


def test_empty_optional_fields_are_absent(o311, form, session):
    response = o311(
        "post",
        "requests",
        "json",
        data=form(
            description="",
            email="",
            first_name="",
            last_name="",
            phone="",
            media_url="",
            address_string="",
            jurisdiction_id="",
            **{"attribute[pole_number]": "", "attribute[lights_out]": ""},
        ),
    )
    assert response.status_code == 200, response.text
    case = session.get(Case, int(parse(response)[0]["service_request_id"]))
    assert case.description == "路灯不亮"  # no description: the service's name describes it
    assert (case.reporter_name, case.reporter_phone, case.address) == (None, None, None)
    assert case.attributes is None


def test_a_second_report_nearby_is_told_of_the_first(o311, form, session):
    first = parse(o311("post", "requests", "json", data=form()))[0]
    second = parse(o311("post", "requests", "json", data=form()))[0]
    assert "附近已有同一问题的报告" not in first["service_notice"]
    assert "附近已有同一问题的报告" in second["service_notice"]
    case = session.get(Case, int(second["service_request_id"]))
    assert case.duplicate_of_id == int(first["service_request_id"])
    english = o311("post", "requests", "json", data=form(), headers={"Accept-Language": "en"})
    assert "already open" in parse(english)[0]["service_notice"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_posting_too_fast_is_refused_for_a_while(o311, form, session, fmt):
    fast = keys.create(
        session=session,
        district_code="210104",
        name=f"fast-{fmt}",
        rate_per_minute=2,
        created_by="test",
    ).key
    for _ in range(2):
        assert o311("post", "requests", fmt, data=form(api_key=fast)).status_code == 200
    # The body's own code says which refusal it is.
    response = _refused(o311, session, fmt, form(api_key=fast), 403, "频繁", code=429)
    assert 1 <= int(response.headers["Retry-After"]) <= 30
    # Another key is not slowed down by it.
    assert o311("post", "requests", fmt, data=form()).status_code == 200


def test_the_rate_limiter_refills_with_time():
    now = [0.0]
    limiter = keys.RateLimiter(clock=lambda: now[0])
    for _ in range(3):
        limiter.admit("k", 3)
    with pytest.raises(keys.RateLimited) as refused:
        limiter.admit("k", 3)
    assert refused.value.retry_after == 20  # one request every 20 s at 3 a minute
    now[0] = 20.0
    limiter.admit("k", 3)
    with pytest.raises(keys.RateLimited):
        limiter.admit("k", 3)
    limiter.admit("other", 3)


@pytest.fixture
def second_district(session):
    """A second district stored beside the demo's: the endpoint now serves two jurisdictions."""
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    units = [("999999", "测试区"), ("999999001", "街道"), ("999999001001", "社区")]
    import_collection(
        session=session,
        document={
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"code": c, "name": n}, "geometry": square}
                for c, n in [*units, ("999999001001001", "网格")]
            ],
        },
        tolerance=1e-6,
    )
    session.flush()
    return "999999"


@pytest.mark.parametrize("fmt", FORMATS)
def test_several_jurisdictions_need_a_jurisdiction_id(o311, form, session, second_district, fmt):
    response = o311("get", "services", fmt, params={"lang": "en"})
    assert response.status_code == 400
    assert "jurisdiction_id" in parse(response)[0]["description"]
    assert parse(o311("get", "services", fmt, params={"jurisdiction_id": "999999"})) == []
    assert len(parse(o311("get", "services", fmt, params={"jurisdiction_id": "210104"}))) > 40
    # A key serves its own district: the district it names, and the places within it.
    _refused(o311, session, fmt, form(jurisdiction_id=second_district), 403, "999999")
    elsewhere = form(jurisdiction_id=None, lat="0.5", long="0.5")
    _refused(o311, session, fmt, elsewhere, 400, "210104")
    assert o311("post", "requests", fmt, data=form(jurisdiction_id=None)).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_what_the_loop_cannot_keep_is_refused(o311, form, session, fmt):
    en = {"Accept-Language": "en"}
    _refused(o311, session, fmt, form(description="长" * 2001), 400, "2000", headers=en)
    _refused(o311, session, fmt, form(first_name="J" * 30, last_name="S" * 30), 400, "50")
