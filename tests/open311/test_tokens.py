"""The token flow of a batch service: POST answers with a token at once; the queue opens the
request through the intake; the token then gives the request's id."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from onegrid.cases.models import Case, CaseEvent
from onegrid.open311 import submissions
from onegrid.open311.models import QueuedRequest
from onegrid.routing.models import Category
from tests.open311.conftest import FORMATS, parse


@pytest.fixture
def food(form):
    """A food-safety complaint (E0701, a batch service), with two of its issues chosen."""

    def make(**changes):
        return form(
            service_code="E0701",
            description="买到过期牛奶",
            **{
                "attribute[pole_number]": None,
                "attribute[lights_out]": None,
                "attribute[issues][]": ["expired", "hygiene"],
                "attribute[purchased_at]": "2026-03-02T19:30:00+08:00",
            }
            | changes,
        )

    return make


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_batch_request_gets_a_token_and_then_its_id(o311, both, food, session, fmt):
    cases = _count(session, Case)
    response = o311("post", "requests", fmt, data=food())
    assert response.status_code == 200, response.text
    [queued] = parse(response)
    assert list(queued) == ["token", "service_notice", "account_id"]  # no id beside a token
    token = queued["token"]
    assert _count(session, Case) == cases  # nothing opened yet
    assert both(f"tokens/{token}") == [{"service_request_id": None, "token": token}]
    row = session.scalars(select(QueuedRequest).where(QueuedRequest.token == token)).one()
    sealed = session.execute(
        text("SELECT reporter_phone FROM open311_queued_request WHERE id = :id"), {"id": row.id}
    ).scalar()
    assert sealed and "13912345678" not in sealed

    assert submissions.open_queued(session=session) == 1
    [answer] = both(f"tokens/{token}")
    assert answer["token"] == token and answer["service_request_id"].isdigit()  # a string
    case = session.get(Case, int(answer["service_request_id"]))
    assert (case.channel, case.category_code, case.state) == ("open311", "E0701", "received")
    assert case.received_at == row.received_at  # requested when posted, not when opened
    assert json.loads(case.attributes) == {
        "issues": ["expired", "hygiene"],
        "purchased_at": "2026-03-02T11:30:00+00:00",
    }
    assert (case.sealed_reporter_name, case.reporter_phone) == ("张三", "13912345678")
    assert case.reporter_name == "张*"  # masked where everyone reads it
    [event] = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert event.actor == "open311:test-app" and "media_url" in json.loads(event.data)
    session.refresh(row)
    assert (row.report, row.reporter_phone, row.case_id) == (None, None, case.id)
    [request] = both(f"requests/{case.id}")
    assert request["status"] == "open" and request["service_code"] == "E0701"
    assert submissions.open_queued(session=session) == 0  # opened once only


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_batch_request_the_intake_would_refuse_is_refused_at_once(o311, food, session, fmt):
    queued = _count(session, QueuedRequest)
    response = o311("post", "requests", fmt, data=food(**{"attribute[issues][]": None}))
    assert response.status_code == 400
    assert "issues" in parse(response)[0]["description"]
    late = o311("post", "requests", fmt, data=food(lat="39.9", long="116.4"))
    assert late.status_code == 400
    assert _count(session, QueuedRequest) == queued


def test_a_request_refused_when_its_turn_comes_says_why(o311, both, food, session):
    token = parse(o311("post", "requests", "json", data=food()))[0]["token"]
    category = session.scalars(select(Category).where(Category.code == "E0701")).one()
    category.active = False  # retired while the request waited
    session.flush()
    assert submissions.open_queued(session=session) == 1
    [error] = both(f"tokens/{token}", expect=400)
    assert "未能立案" in error["description"] and "E0701" in error["description"]


def test_the_queue_opens_the_oldest_first_in_one_intake(o311, food, session):
    tokens = [parse(o311("post", "requests", "json", data=food()))[0]["token"] for _ in range(3)]
    assert submissions.open_queued(session=session, limit=2) == 2
    rows = {
        r.token: r
        for r in session.scalars(select(QueuedRequest).where(QueuedRequest.token.in_(tokens)))
    }
    assert [rows[t].case_id is not None for t in tokens] == [True, True, False]
    first, second = (session.get(Case, rows[t].case_id) for t in tokens[:2])
    assert second.duplicate_of_id == first.id  # the same problem at the same place
    assert second.received_at - first.received_at < timedelta(seconds=5)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_token_is_not_found(o311, fmt):
    response = o311("get", "tokens/4f3c2a", fmt)
    assert response.status_code == 404
    [error] = parse(response)
    assert str(error["code"]) == "404" and "4f3c2a" in error["description"]
