"""The mediation API as each role sees it: masked parties, scope, the referral's two-way link,
refusals naming the field."""

from sqlalchemy import func, select

from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.cases.models import Case
from onegrid.mediation import service
from tests.cases.driving import demo_user
from tests.mediation.conftest import (
    APPLICANT,
    APPLICANT_PHONE,
    COMMUNITY,
    OTHER_COMMUNITY,
    RESPONDENT,
    RESPONDENT_PHONE,
    point_of,
    register,
)

CLEAR = (APPLICANT, APPLICANT_PHONE, RESPONDENT, RESPONDENT_PHONE)


def _body(session, community=COMMUNITY, phone=RESPONDENT_PHONE):
    return {
        "point_id": point_of(session, community).id,
        "issue_type": "property",
        "summary": f"物业费争议，申请人电话 {APPLICANT_PHONE}",
        "parties": [
            {"side": "applicant", "name": APPLICANT, "phone": APPLICANT_PHONE},
            {"side": "respondent", "name": RESPONDENT, "phone": phone},
        ],
    }


def test_community_registers_a_dispute_and_sees_its_parties_masked(api, session):
    created = api("community", "post", "/mediation/disputes", json=_body(session))
    assert created.status_code == 201, created.text
    shown = api("community", "get", f"/mediation/disputes/{created.json()['id']}")
    assert shown.status_code == 200
    body = shown.json()
    assert [p["name"] for p in body["parties"]] == ["王**", "李**"]
    assert [p["phone"] for p in body["parties"]] == ["139****5678", "138****1111"]
    assert "139****5678" in body["summary"]
    assert not any(word in shown.text for word in CLEAR)


def test_a_bad_phone_is_a_422_naming_the_party_and_nothing_is_written(api, client, tokens, session):
    before = session.scalar(select(func.count()).select_from(Case))
    body = _body(session, phone="12345")
    answer = api("community", "post", "/mediation/disputes", json=body)
    assert answer.status_code == 422
    assert answer.json()["error"]["detail"]["field"] == "parties.1.phone"
    english = client.post(
        "/api/v1/mediation/disputes",
        json=body,
        headers={"Authorization": f"Bearer {tokens['community']}", "Accept-Language": "en"},
    )
    assert english.json()["error"]["message"].isascii()
    listed = api("community", "get", "/mediation/disputes").json()
    assert all("物业费争议" not in d["summary"] for d in listed["items"])
    assert session.scalar(select(func.count()).select_from(Case)) == before


def test_scope_community_street_and_leader(api, session):
    mine = api("community", "post", "/mediation/disputes", json=_body(session)).json()["id"]
    # Another street's point: the community staff cannot register there, nor see it.
    refused = api("community", "post", "/mediation/disputes", json=_body(session, "210104017012"))
    assert refused.status_code == 404
    assert api("street", "get", f"/mediation/disputes/{mine}").status_code == 200
    assert api("street", "post", f"/mediation/disputes/{mine}/refer", json={}).status_code == 403
    listed = api("street", "get", "/mediation/disputes").json()["items"]
    assert {d["community_code"][:9] for d in listed} == {"210104002"}
    # A leader reads the district's counts, and no dispute.
    assert api("leader", "get", f"/mediation/disputes/{mine}").status_code == 403
    counts = api("leader", "get", "/mediation/counts")
    assert counts.status_code == 200
    body = counts.json()
    assert body["points"] >= 130 and body["total"] == sum(body["by_state"].values())
    assert body["total"] == sum(body["by_type"].values()) >= 300
    assert api("gridworker", "get", "/mediation/counts").status_code == 403


def close_case(session, case_id: int) -> None:
    """Takes the referred case through the loop to closed, each step by the demo user whose
    job it is (the community's staff check it on site)."""
    case = session.get(Case, case_id)
    steps = [
        ("command", Action.OPEN, {}),
        ("command", Action.DISPATCH, {"department_code": "urban_mgmt"}),
        ("department", Action.FEEDBACK, {}),
        ("community", Action.CHECK_PASS, {}),
    ]
    for username, action, data in steps:
        who = demo_user(session, username)
        transition(session=session, case=case, action=action, who=who, data=data, note="已处理")


def test_refer_opens_one_case_linked_both_ways_and_refuses_a_second(api, client, tokens, session):
    created = api("community", "post", "/mediation/disputes", json=_body(session)).json()
    path = f"/mediation/disputes/{created['id']}"
    api("community", "post", f"{path}/sessions", json={"mediator": "调解员", "note": "双方到场"})
    referred = api("community", "post", f"{path}/refer", json={})
    assert referred.status_code == 200, referred.text
    case = referred.json()["case"]
    assert referred.json()["state"] == "referred" and case["state"] == "received"
    again = api("community", "post", f"{path}/refer", json={})
    assert again.status_code == 409
    count = session.scalar(select(func.count()).select_from(Case).where(Case.id == case["id"]))
    assert count == 1
    # The case's page links back to the dispute.
    headers = {"Authorization": f"Bearer {tokens['community']}"}
    page = client.get(f"/cases/{case['id']}", headers=headers)
    assert f"/mediation/disputes/{created['id']}" in page.text
    assert 'id="case-dispute"' in page.text
    # The case closes in the loop; the dispute shows it.
    close_case(session, case["id"])
    shown = api("community", "get", path).json()
    assert shown["case"]["state"] == "closed"


def test_a_party_is_revealed_with_a_purpose_to_the_community_and_not_the_command(api, session):
    created = api("community", "post", "/mediation/disputes", json=_body(session)).json()
    party = created["parties"][0]["id"]
    body = {
        "object_type": "mediation_party",
        "object_id": party,
        "field": "phone",
        "purpose": "联系当事人约定调解时间",
    }
    revealed = api("community", "post", "/pii/reveal", json=body)
    assert revealed.status_code == 200, revealed.text
    assert revealed.json()["value"] == APPLICANT_PHONE
    name = api("community", "post", "/pii/reveal", json=body | {"field": "name"})
    assert name.json()["value"] == APPLICANT
    # The command centre may reveal cases' data, not mediation's.
    assert api("command", "post", "/pii/reveal", json=body).status_code == 404
    # Another street's party: as one that does not exist.
    theirs = register(session, OTHER_COMMUNITY)
    party_id = service.parties(session=session, dispute=theirs)[0].id
    refused = api("community", "post", "/pii/reveal", json=body | {"object_id": party_id})
    assert refused.status_code == 404 and APPLICANT_PHONE not in refused.text
