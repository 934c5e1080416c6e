"""GET requests and GET a request: the cases reported through Open311, with the spec's
filters, defaults and limits, the Extensions page's paging, and extensions=true."""

import re
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from onegrid.cases import intake
from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.cases.models import Case, Channel, State
from onegrid.core.permissions import operator
from onegrid.db.base import utcnow
from onegrid.open311.mapping import HIDDEN, STATUS_NOTES, STEP_NOTES
from tests.open311 import spec_examples as spec
from tests.open311.conftest import FORMATS, W3C, parse


@pytest.fixture
def opened(session, inside):
    """Opens cases through the intake as a channel would: opened(ago=…, channel=…, …)."""

    def make(ago=timedelta(days=1), channel=Channel.OPEN311, category="0107", count=1, **extra):
        now = utcnow() - ago
        entries = [
            intake.Entry(
                report=intake.Report(
                    channel=channel,
                    category_code=category,
                    description=extra.pop("description", "路灯不亮"),
                    lon=inside.x,
                    lat=inside.y,
                    **extra,
                ),
                who=operator("test"),
                now=now - timedelta(seconds=n),  # the first entry is the newest
            )
            for n in range(count)
        ]
        ids = [o.case.id for o in intake.intake_many(session, entries)]
        return ids if count > 1 else ids[0]

    return make


def _ids(documents) -> list[int]:
    return [int(d["service_request_id"]) for d in documents]


def test_requests_are_the_open311_cases_newest_first(both, opened, o311):
    older = opened(ago=timedelta(days=3))
    newer = opened(ago=timedelta(hours=2), address="东北大马路 100 号")
    hotline = opened(ago=timedelta(hours=1), channel=Channel.HOTLINE)
    requests = both("requests")
    assert _ids(requests) == [newer, older]  # a hotline caller did not post to a public API
    first = requests[0]
    assert list(first) == spec.REQUEST_FIELDS
    assert (first["status"], first["service_code"], first["service_name"]) == (
        "open",
        "0107",
        "路灯不亮",
    )
    assert first["address"] == "东北大马路 100 号" and first["description"] == "路灯不亮"
    assert isinstance(first["lat"], float) and isinstance(first["long"], float)
    for field in ("requested_datetime", "updated_datetime"):
        assert re.fullmatch(W3C, first[field]) and first[field].endswith("+08:00")
    assert (first["address_id"], first["zipcode"], first["expected_datetime"]) == (None,) * 3
    for fmt in FORMATS:
        assert o311("get", f"requests/{hotline}", fmt).status_code == 404


def test_the_spec_example_shape_holds(o311, opened):
    opened()
    example = ElementTree.fromstring(spec.REQUESTS_XML.encode())
    ours = ElementTree.fromstring(o311("get", "requests", "xml").content)
    assert ours.tag == example.tag
    assert [c.tag for c in ours.find("request")] == [c.tag for c in example.find("request")]


def test_the_default_window_is_the_last_90_days(both, opened):
    recent, old = opened(ago=timedelta(days=89)), opened(ago=timedelta(days=100))
    assert _ids(both("requests")) == [recent]
    start = (utcnow() - timedelta(days=101)).isoformat()
    assert _ids(both("requests", start_date=start)) == [recent, old]  # the 90 days after it
    end = (utcnow() - timedelta(days=95)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _ids(both("requests", end_date=end)) == [old]  # the 90 days before it
    assert _ids(both("requests", start_date="", end_date="")) == [recent]  # empty is absent


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "before"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"status": "pending"}, "status"),
        ({"page_size": "1001"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"service_request_id": "12,abc"}, "service_request_id"),
        ({"extensions": "yes"}, "extensions"),
    ],
)
def test_wrong_parameters_are_named(both, params, words):
    [error] = both("requests", expect=400, lang="en", **params)
    assert error["code"] == 400 and words in error["description"]


def test_filters_by_service_and_status(both, opened, session):
    lamp = opened(ago=timedelta(hours=3))
    noise = opened(
        ago=timedelta(hours=2),
        category="E0108",
        attributes={"source": "business", "period": "night"},
    )
    voided = opened(ago=timedelta(hours=1))
    transition(
        session=session,
        case=session.get(Case, voided),
        action=Action.VOID,
        who=operator("test"),
        note="重复",
    )
    assert _ids(both("requests", service_code="E0108")) == [noise]
    assert _ids(both("requests", service_code="E0108,0107")) == [voided, noise, lamp]
    assert _ids(both("requests", service_code="9999")) == []
    assert _ids(both("requests", status="closed")) == [voided]
    assert _ids(both("requests", status="open")) == [noise, lamp]
    assert _ids(both("requests", status="open,closed")) == [voided, noise, lamp]
    assert _ids(both("requests", status="open", service_code="0107")) == [lamp]


def test_ids_override_every_other_parameter(both, opened):
    old = opened(ago=timedelta(days=200))
    new = opened()
    found = both("requests", service_request_id=f"{old},{new},999999", status="closed")
    assert _ids(found) == [new, old]  # outside the window and not closed: ids override
    assert _ids(both("requests", service_request_id=str(old), service_code="E0108")) == [old]


def test_pages_of_the_extensions_page(both, opened):
    ids = opened(count=5)
    assert _ids(both("requests")) == ids
    pages = [_ids(both("requests", page=str(n), page_size="2")) for n in (1, 2, 3, 4)]
    assert pages == [ids[:2], ids[2:4], ids[4:], []]
    assert _ids(both("requests", page_size="3")) == ids[:3]


def test_at_most_1000_requests_by_default(o311, opened):
    ids = opened(count=1001)
    first = parse(o311("get", "requests", "json"))
    assert len(first) == 1000 and _ids(first) == ids[:1000]
    rest = parse(o311("get", "requests", "json", params={"page": "2"}))
    assert _ids(rest) == ids[1000:]


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_by_its_id(o311, opened, fmt):
    case_id = opened()
    [request] = parse(o311("get", f"requests/{case_id}", fmt))
    assert str(request["service_request_id"]) == str(case_id)
    assert list(request) == spec.REQUEST_FIELDS
    for missing in ("999999", "abc"):
        response = o311("get", f"requests/{missing}", fmt, params={"lang": "en"})
        assert response.status_code == 404
        assert parse(response)[0]["description"] == "no service request has this id"


def test_extensions_add_attributes_and_the_public_history(both, opened, session):
    case_id = opened(
        category="E0108",
        attributes={"source": "business", "period": "night", "started_at": "2026-03-02T22:00"},
    )
    case = session.get(Case, case_id)
    who = operator("test")
    transition(session=session, case=case, action=Action.OPEN, who=who, note="王师傅 13800000000")
    transition(session=session, case=case, action=Action.SUPERVISE, who=who, note="督办")
    transition(session=session, case=case, action=Action.DISPATCH, who=who)
    plain = both(f"requests/{case_id}")[0]
    assert not {"attributes", "extended_attributes", "notes"} & set(plain)
    [request] = both(f"requests/{case_id}", extensions="true")
    assert list(request) == [*spec.REQUEST_FIELDS, "attributes", "extended_attributes", "notes"]
    assert request["attributes"] == [
        {"label": "噪音来源", "name": "source", "value": "商业经营", "code": "business"},
        {"label": "噪音时段", "name": "period", "value": "夜间（22:00–次日6:00）", "code": "night"},
        {
            "label": "开始时间",
            "name": "started_at",
            "value": "2026-03-02T14:00:00+00:00",
            "code": "2026-03-02T14:00:00+00:00",
        },
    ]
    assert request["extended_attributes"] == {
        "state": "dispatched",
        "grid_code": case.grid_code,
        "rating": None,
    }
    assert [n["type"] for n in request["notes"]] == ["receive", "open", "dispatch"]  # no 督办
    assert [n["description"] for n in request["notes"]] == ["已受理", "立案", "派遣至责任部门"]
    assert all(re.fullmatch(W3C, n["datetime"]) for n in request["notes"])
    assert "13800000000" not in str(request)  # staff notes stay in the loop
    [listed] = [
        r for r in both("requests", extensions="true") if r["service_request_id"] == str(case_id)
    ]
    assert listed == request


def test_every_step_and_state_of_the_loop_has_a_public_note():
    assert set(STEP_NOTES) | set(HIDDEN) == set(Action)
    assert set(STATUS_NOTES) == set(State)


def test_times_are_the_districts_with_its_offset(both, opened, session):
    case_id = opened(ago=timedelta(0))
    [request] = both(f"requests/{case_id}")
    received = session.scalars(select(Case.received_at).where(Case.id == case_id)).one()
    assert datetime.fromisoformat(request["requested_datetime"]) == received.replace(microsecond=0)
