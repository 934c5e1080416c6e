"""A report's Idempotency-Key: opened once, answered again, refused with another report; its
photos stored with it, once."""

import uuid

import pytest
from sqlalchemy import func, select

from onegrid.cases import evidence, intake, submissions
from onegrid.cases.models import Case, CaseSubmission, Channel, Evidence
from onegrid.core.errors import Conflict, Invalid
from onegrid.core.permissions import ANONYMOUS
from tests.images import png


@pytest.fixture
def body(inside) -> dict:
    return {
        "category_code": "0107",
        "description": f"路灯不亮 {uuid.uuid4()}",
        "lon": inside.x,
        "lat": inside.y,
        "reporter_phone": "13912345678",
    }


@pytest.fixture
def send(client, tokens):
    """Posts a report as a demo user (None: anyone) with an Idempotency-Key (None: none)."""

    def post(who, path, body, key=None, lang="zh"):
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        if key is not None:
            headers["Idempotency-Key"] = key
        return client.post(f"/api/v1{path}?lang={lang}", json=body, headers=headers)

    return post


def cases_saying(session, description: str) -> int:
    return session.scalar(select(func.count()).where(Case.description == description))


@pytest.mark.parametrize("who,path", [(None, "/public/cases"), ("gridworker", "/cases")])
def test_the_same_key_and_report_answer_the_same_receipt(send, session, body, who, path):
    key = str(uuid.uuid4())
    if who:
        body = {k: v for k, v in body.items() if k != "reporter_phone"}
    first = send(who, path, body, key)
    again = send(who, path, body, key)
    assert first.status_code == 201, first.text
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert cases_saying(session, body["description"]) == 1


def test_the_same_key_with_another_report_is_a_conflict(send, session, body):
    key = str(uuid.uuid4())
    assert send(None, "/public/cases", body, key).status_code == 201
    other = body | {"description": body["description"] + "，很危险"}
    response = send(None, "/public/cases", other, key, lang="en")
    assert response.status_code == 409, response.text
    assert "Idempotency-Key" in response.text and "another report" in response.text
    assert cases_saying(session, other["description"]) == 0


def test_without_a_key_each_send_opens_a_case(send, session, body):
    for _ in range(2):
        assert send(None, "/public/cases", body).status_code == 201
    assert cases_saying(session, body["description"]) == 2


@pytest.mark.parametrize("key", ["short", "x" * 65, "has space-12345"])
def test_a_malformed_key_is_refused_naming_it(send, session, body, key):
    response = send(None, "/public/cases", body, key)
    assert response.status_code == 422, response.text
    assert "Idempotency-Key" in response.text
    assert cases_saying(session, body["description"]) == 0


def test_an_invalid_report_with_a_key_keeps_no_key(send, session, body):
    key = str(uuid.uuid4())
    bad = body | {"lon": 100.0, "lat": 30.0}  # far outside the district
    response = send(None, "/public/cases", bad, key)
    assert response.status_code == 422, response.text
    assert session.scalar(select(CaseSubmission).where(CaseSubmission.key == key)) is None
    # The same key may then carry the corrected report.
    response = send(None, "/public/cases", body, key)
    assert response.status_code == 201, response.text


def _submission(inside, description: str, key: str | None, photos=()) -> submissions.Submission:
    report = intake.Report(
        channel=Channel.CITIZEN,
        category_code="0107",
        description=description,
        lon=inside.x,
        lat=inside.y,
    )
    entry = intake.Entry(report=report, who=ANONYMOUS, public=True)
    return submissions.Submission(key=key, entry=entry, photos=tuple(photos))


def _photos(n: int) -> list[evidence.Upload]:
    colours = [(10 * i, 200 - 10 * i, 40) for i in range(n)]
    return [evidence.prepare(filename=f"{c}.png", data=png(color=c)) for c in colours]


def test_photos_are_stored_with_the_case_once(session, inside):
    description = f"井盖缺失 {uuid.uuid4()}"
    sent = _submission(inside, description, str(uuid.uuid4()), _photos(2))
    first = submissions.submit(session=session, submission=sent)
    again = submissions.submit(session=session, submission=sent)
    assert again.replayed and again.receipt == first.receipt
    stored = session.scalars(select(Evidence).where(Evidence.case_id == first.case_id)).all()
    assert len(stored) == 2
    assert all(evidence.path_for(e.sha256).exists() for e in stored)


def test_the_same_key_with_other_photos_is_a_conflict(session, inside):
    description = f"井盖缺失 {uuid.uuid4()}"
    key = str(uuid.uuid4())
    submissions.submit(session=session, submission=_submission(inside, description, key))
    with pytest.raises(Conflict):
        submissions.submit(
            session=session, submission=_submission(inside, description, key, _photos(1))
        )


def test_at_most_six_photos(inside):
    with pytest.raises(Invalid) as error:
        submissions.check_photos(_photos(7))
    assert "6" in error.value.en


def test_a_key_twice_in_one_group_opens_one_case(session, inside):
    description = f"井盖缺失 {uuid.uuid4()}"
    key = str(uuid.uuid4())
    same = _submission(inside, description, key)
    other = _submission(inside, description + "!", key)
    first, again, refused = submissions.submit_many(session, [same, same, other])
    assert isinstance(first, submissions.Submitted) and not first.replayed
    assert again.replayed and again.receipt == first.receipt
    assert isinstance(refused, Conflict)
    assert cases_saying(session, description) == 1
