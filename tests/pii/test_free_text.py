"""Personal data typed into free text: masked for every reader, revealed only with a purpose.

A phone, an ID number and a bank card typed into a case's description, address, a note or a
rating's comment, through each intake (staff API, citizens' API, Open311 POST), never come
back in clear from the lists, the case, its timeline, the receipt or Open311's requests; the
reporter's name comes back as 张**; a reveal with a purpose gives the text as typed, audited.
"""

import pytest
from sqlalchemy import select, update

from onegrid.audit.models import AuditRecord
from onegrid.cases.models import Case, CaseEvent
from onegrid.pii.service import mask_stored
from tests.cases.conftest import OTHER_GRID, inside, point_in, report
from tests.open311.conftest import api_key, form, o311, parse

__all__ = ["api_key", "form", "inside", "o311"]  # the fixtures of the intakes' own tests

PURPOSE = "回访举报人核实现场情况"
PHONE, ID_NUMBER, CARD = "13912345678", "210104198506121234", "6222021234567890128"
DESCRIPTION = f"小区门口路灯不亮，请联系{PHONE}，身份证{ID_NUMBER}，卡号{CARD}"
MASKED = "小区门口路灯不亮，请联系139****5678，身份证2101**********1234，卡号6222***********0128"
ADDRESS = "东北大马路 100 号，门卫电话024-22345678"
MASKED_ADDRESS = "东北大马路 100 号，门卫电话024-******78"
# What must never be read in clear: the numbers and the reporter's given name.
CLEAR = (PHONE, ID_NUMBER, CARD, "22345678", "198506121234", "张三丰")


def _body(point, **changes) -> dict:
    return {
        "category_code": "0107",
        "description": DESCRIPTION,
        "address": ADDRESS,
        "lon": point.x,
        "lat": point.y,
        "reporter_name": "张三丰",
        "reporter_phone": PHONE,
    } | changes


def _case_id(session, receipt: str) -> int:
    return session.scalar(select(Case.id).where(Case.receipt == receipt))


@pytest.fixture(params=["staff", "citizen", "open311"])
def entered(request, api, o311, form, session, inside):
    """A case entered through one intake with personal data in its text: (receipt, id)."""
    if request.param == "open311":
        fields = form(description=DESCRIPTION, address_string=ADDRESS, first_name="三丰")
        response = o311("post", "requests", "json", data=fields)
        assert response.status_code == 200, response.text
        case_id = int(parse(response)[0]["service_request_id"])
        return session.get(Case, case_id).receipt, case_id
    path, who = ("/cases", "gridworker") if request.param == "staff" else ("/public/cases", None)
    response = api(who, "post", path, json=_body(inside))
    assert response.status_code == 201, response.text
    receipt = response.json()["receipt"]
    return receipt, _case_id(session, receipt)


def _no_clear(text: str) -> None:
    found = [clear for clear in CLEAR if clear in text]
    assert not found, found


def test_every_reader_gets_the_text_masked(api, o311, entered):
    receipt, case_id = entered
    shown = api("community", "get", f"/cases/{case_id}").json()
    assert shown["description"] == MASKED
    assert shown["address"] == MASKED_ADDRESS
    assert shown["reporter_name"] == "张**"
    assert shown["reporter_phone"] == "139****5678"
    listed = api("command", "get", "/cases", params={"limit": 500})
    assert any(c["description"] == MASKED for c in listed.json()["items"])
    _no_clear(listed.text)
    _no_clear(api("community", "get", f"/cases/{case_id}").text)
    _no_clear(api("community", "get", f"/cases/{case_id}/timeline").text)
    _no_clear(api(None, "get", f"/receipts/{receipt}").text)
    for fmt in ("json", "xml"):
        for params in ({}, {"extensions": "true"}):
            listing = o311("get", "requests", fmt, params=params)
            assert listing.status_code == 200, listing.text
            _no_clear(listing.text)
        one = o311("get", f"requests/{case_id}", fmt, params={"extensions": "true"})
        _no_clear(one.text)


def _reveal(api, username, object_type, object_id, field, purpose=PURPOSE):
    body = {"object_type": object_type, "object_id": object_id, "field": field, "purpose": purpose}
    return api(username, "post", "/pii/reveal", json=body)


def _last_reveal(session) -> AuditRecord:
    query = select(AuditRecord).where(AuditRecord.action == "pii.reveal")
    return session.scalars(query.order_by(AuditRecord.id.desc())).first()


def test_a_reveal_with_a_purpose_gives_the_text_as_typed_and_is_audited(api, entered, session):
    _, case_id = entered
    typed = {"description": DESCRIPTION, "address": ADDRESS, "reporter_name": "张三丰"}
    masked = {"description": MASKED, "address": MASKED_ADDRESS, "reporter_name": "张**"}
    for field, value in typed.items():
        response = _reveal(api, "community", "case", case_id, field)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        assert response.json()["value"] == value
        assert response.json()["masked"] == masked[field]
        record = _last_reveal(session)
        assert (record.actor, record.outcome) == ("community", "success")
        assert (record.object_type, record.object_id) == ("case", str(case_id))
        assert field in str(record.detail) and PURPOSE in str(record.detail)


def test_text_with_nothing_personal_is_revealed_as_it_is(api, session, inside):
    response = api("gridworker", "post", "/cases", json=_body(inside, description="路灯不亮"))
    case_id = _case_id(session, response.json()["receipt"])
    assert api("community", "get", f"/cases/{case_id}").json()["description"] == "路灯不亮"
    revealed = _reveal(api, "community", "case", case_id, "description").json()
    assert (revealed["value"], revealed["masked"]) == ("路灯不亮", "路灯不亮")


def test_a_reveal_outside_the_scope_is_not_found(api, session):
    point = point_in(session, OTHER_GRID)
    response = api("command", "post", "/cases", json=_body(point))
    assert response.status_code == 201, response.text
    case_id = _case_id(session, response.json()["receipt"])
    note = api(
        "command",
        "post",
        f"/cases/{case_id}/transitions",
        json={"action": "void", "note": f"重复举报，举报人{PHONE}"},
    )
    assert note.status_code == 200, note.text
    [_, voided] = api("command", "get", f"/cases/{case_id}/timeline").json()
    for object_type, object_id, field in [
        ("case", case_id, "description"),
        ("case", case_id, "reporter_name"),
        ("case_event", voided["id"], "note"),
    ]:
        refused = _reveal(api, "community", object_type, object_id, field)
        assert refused.status_code == 404, refused.text
        _no_clear(refused.text)
        record = _last_reveal(session)
        assert (record.actor, record.outcome) == ("community", "denied")
    assert _reveal(api, "command", "case_event", voided["id"], "note").json()["value"] == (
        f"重复举报，举报人{PHONE}"
    )


def test_notes_and_a_ratings_comment_are_masked_and_revealable(api, session, inside):
    response = api(None, "post", "/public/cases", json=_body(inside, description="路灯不亮"))
    receipt = response.json()["receipt"]
    case_id = _case_id(session, receipt)

    def act(username, action, note=None):
        body = {"action": action, "note": note, "data": {}}
        answer = api(username, "post", f"/cases/{case_id}/transitions", json=body)
        assert answer.status_code == 200, answer.text

    act("command", "open", f"已联系{PHONE}")
    act("command", "dispatch")
    act("department", "feedback", f"已处置，业主身份证{ID_NUMBER}")
    act("gridworker", "check_pass")
    rated = api(None, "post", f"/receipts/{receipt}/rating", json={"rating": 5, "comment": CARD})
    assert rated.status_code == 200, rated.text
    _no_clear(rated.text)
    timeline = api("community", "get", f"/cases/{case_id}/timeline")
    _no_clear(timeline.text)
    notes = {e["action"]: e for e in timeline.json()}
    assert notes["open"]["note"] == "已联系139****5678"
    assert notes["feedback"]["note"] == "已处置，业主身份证2101**********1234"
    assert notes["evaluate"]["note"] == "6222***********0128"
    assert session.get(Case, case_id).rating_comment == "6222***********0128"
    for action, typed in [
        ("open", f"已联系{PHONE}"),
        ("feedback", f"已处置，业主身份证{ID_NUMBER}"),
        ("evaluate", CARD),
    ]:
        revealed = _reveal(api, "community", "case_event", notes[action]["id"], "note")
        assert revealed.status_code == 200, revealed.text
        assert revealed.json()["value"] == typed
        assert _last_reveal(session).object_type == "case_event"
    quiet = _reveal(api, "community", "case_event", notes["dispatch"]["id"], "note").json()
    assert quiet["value"] is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_shows_the_request_it_was_sent_masked(o311, form, fmt):
    fields = form(description=DESCRIPTION, address_string=ADDRESS, first_name="三丰")
    [created] = parse(o311("post", "requests", fmt, data=fields))
    answer = o311("get", f"requests/{created['service_request_id']}", fmt)
    assert answer.status_code == 200, answer.text
    [shown] = parse(answer)
    assert (shown["description"], shown["address"]) == (MASKED, MASKED_ADDRESS)
    _no_clear(answer.text)


def test_cases_stored_before_masking_are_masked_once_in_place(session, inside):
    case = report(session, inside, description="路灯不亮")
    table = Case.__table__
    # As a row written before 0014 holds it: the text as typed, nothing sealed.
    legacy = {"description": DESCRIPTION, "address": ADDRESS, "reporter_name": "张三丰"}
    session.execute(update(table).where(table.c.id == case.id).values(**legacy))
    events = CaseEvent.__table__
    note = update(events).where(events.c.case_id == case.id).values(note=f"电话{PHONE}")
    session.execute(note)
    session.expire_all()

    changed = mask_stored(session=session)
    assert changed.get("210104", 0) >= 2
    session.expire_all()
    stored = session.get(Case, case.id)
    assert (stored.description, stored.address, stored.reporter_name) == (
        MASKED,
        MASKED_ADDRESS,
        "张**",
    )
    assert (stored.sealed_description, stored.sealed_address) == (DESCRIPTION, ADDRESS)
    assert stored.sealed_reporter_name == "张三丰"
    [event] = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert (event.note, event.sealed_note) == ("电话139****5678", f"电话{PHONE}")
    assert mask_stored(session=session) == {}  # once: nothing is left to mask
