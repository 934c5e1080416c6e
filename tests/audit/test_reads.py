"""Every response carrying personal data leaves an audit record: who read what, when, from where
(a list page as one record, with its query and count)."""

import io
import json

import pytest
from PIL import Image
from sqlalchemy import select

from onegrid.audit import AuditRecord
from onegrid.cases import evidence
from onegrid.cases.models import Case
from onegrid.core.permissions import operator
from onegrid.territory.models import Assignment, TerritoryUnit
from tests.cases.conftest import WORKER_GRID, point_in, report

DISTRICT = "210104"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _records(session, action: str) -> list[AuditRecord]:
    return list(
        session.scalars(
            select(AuditRecord)
            .where(AuditRecord.action == action, AuditRecord.actor == "command")
            .order_by(AuditRecord.seq)
        )
    )


@pytest.fixture
def case(session) -> Case:
    return report(session, point_in(session, WORKER_GRID), reporter_name="王五")


@pytest.fixture
def get(client, tokens):
    def _get(path: str, **params):
        answer = client.get(
            path, params=params, headers={"Authorization": f"Bearer {tokens['command']}"}
        )
        assert answer.status_code == 200, answer.text
        return answer

    return _get


@pytest.mark.parametrize(
    ("suffix", "action"),
    [("", "case.read"), ("/timeline", "case.timeline.read")],
)
def test_a_case_and_its_timeline_are_audited_reads(session, case, get, suffix, action):
    get(f"/api/v1/cases/{case.id}{suffix}")
    [read] = _records(session, action)
    assert (read.object_type, read.object_id) == ("case", str(case.id))
    assert (read.district_code, read.outcome) == (DISTRICT, "success")
    assert (read.actor_role, read.source) == ("command_centre", "testclient")
    assert json.loads(read.detail)["receipt"] == case.receipt


def test_an_evidence_download_is_an_audited_read(session, case, get):
    upload = evidence.prepare(filename="p.png", data=_png())
    row = evidence.store(session=session, case=case, upload=upload, who=operator("test"))
    get(f"/api/v1/cases/{case.id}/evidence/{row.id}")
    [read] = _records(session, "case.evidence.read")
    assert read.object_id == str(case.id)
    assert json.loads(read.detail) == {"receipt": case.receipt, "evidence_id": row.id}


def test_a_case_list_is_one_record_with_its_query_and_count(session, case, get):
    page = get("/api/v1/cases", state="received", unit_code=WORKER_GRID, limit=5).json()
    [read] = _records(session, "case.list")
    assert read.object_id is None
    assert json.loads(read.detail) == {
        "query": {"state": "received", "unit_code": WORKER_GRID},
        "limit": 5,
        "offset": 0,
        "after": None,
        "count": len(page["items"]),
    }


def test_a_unit_with_its_people_is_an_audited_read(session, get):
    code = session.scalar(
        select(TerritoryUnit.code).join(Assignment, Assignment.unit_id == TerritoryUnit.id)
    )
    staff = get(f"/api/v1/territory/units/{code}").json()["staff"]
    assert staff
    [read] = _records(session, "territory.staff.read")
    assert (read.object_type, read.object_id) == ("territory_unit", code)
    assert json.loads(read.detail) == {"count": len(staff)}


def test_the_staff_list_and_one_user_are_audited_reads(session, client, tokens):
    headers = {"Authorization": f"Bearer {tokens['secadmin']}"}
    users = client.get("/api/v1/users", headers=headers)
    assert users.status_code == 200 and any(u["username"] == "gridworker" for u in users.json())
    assert client.get("/api/v1/users/gridworker", headers=headers).status_code == 200

    def records(action):
        query = select(AuditRecord).where(
            AuditRecord.action == action, AuditRecord.actor == "secadmin"
        )
        return list(session.scalars(query))

    [listed] = records("user.list")
    assert json.loads(listed.detail) == {"count": len(users.json())}
    [one] = records("user.read")
    assert (one.object_type, one.object_id, one.district_code) == ("user", "gridworker", DISTRICT)
