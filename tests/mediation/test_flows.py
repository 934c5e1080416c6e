"""A dispute's steps: every legal one, and the refused ones changing nothing."""

import pytest
from sqlalchemy import func, select

from onegrid.audit.models import AuditRecord
from onegrid.cases.models import Case
from onegrid.core.errors import Conflict, Invalid
from onegrid.core.permissions import operator
from onegrid.mediation import service
from onegrid.mediation.flows import Event, refer, target, transition
from onegrid.mediation.models import Dispute, Side
from onegrid.mediation.models import DisputeState as S
from tests.mediation.conftest import COMMUNITY, point_of, register

WHO = operator("test")

LEGAL = [
    (S.OPEN, Event.START, S.MEDIATING),
    (S.MEDIATING, Event.AGREE, S.AGREED),
    (S.OPEN, Event.FAIL, S.FAILED),
    (S.MEDIATING, Event.FAIL, S.FAILED),
    (S.OPEN, Event.REFER, S.REFERRED),
    (S.MEDIATING, Event.REFER, S.REFERRED),
    (S.FAILED, Event.REFER, S.REFERRED),
]


@pytest.mark.parametrize(("state", "event", "after"), LEGAL)
def test_legal_steps(state, event, after):
    assert target(state, event) == after


REFUSED = [
    (state, event)
    for state in S
    for event in Event
    if (state, event) not in {(s, e) for s, e, _ in LEGAL}
]


@pytest.mark.parametrize(("state", "event"), REFUSED)
def test_every_other_step_is_refused(state, event):
    with pytest.raises(Conflict) as refused:
        target(state, event)
    assert refused.value.detail == {"state": state.value, "event": event.value}


def test_a_session_starts_the_mediation_and_an_agreement_ends_it(session, dispute):
    service.record_session(
        session=session, dispute=dispute, who=WHO, mediator="调解员", note="双方到场"
    )
    assert dispute.state == S.MEDIATING
    transition(session=session, dispute=dispute, event=Event.AGREE, who=WHO, note="签订协议")
    assert (dispute.state, dispute.outcome_note) == (S.AGREED, "签订协议")
    assert dispute.closed_at is not None
    with pytest.raises(Conflict):
        service.record_session(
            session=session, dispute=dispute, who=WHO, mediator="调", note="再谈"
        )
    assert len(service.sessions(session=session, dispute=dispute)) == 1


def test_each_step_is_in_the_audit_chain(session, dispute):
    transition(session=session, dispute=dispute, event=Event.FAIL, who=WHO)
    actions = session.scalars(
        select(AuditRecord.action).where(
            AuditRecord.object_type == "mediation_dispute",
            AuditRecord.object_id == str(dispute.id),
        )
    ).all()
    assert actions == ["mediation.fail"]


def test_refer_opens_one_case_and_a_second_is_refused(session, dispute):
    cases_before = session.scalar(select(func.count()).select_from(Case))
    case = refer(session=session, dispute=dispute, who=WHO)
    assert (dispute.state, dispute.case_id) == (S.REFERRED, case.id)
    assert case.category_code == "E0302"  # a neighbours' dispute's default
    assert case.grid_code.startswith(dispute.community_code)
    assert "13912345678" not in case.description  # masked, sealed for a reveal
    with pytest.raises(Conflict):
        refer(session=session, dispute=dispute, who=WHO)
    assert session.scalar(select(func.count()).select_from(Case)) == cases_before + 1
    assert service.dispute_of_case(session=session, case_id=case.id, scope=WHO.scope) == dispute


def test_refer_of_other_needs_a_category_and_writes_nothing(session):
    dispute = register(session, issue_type="other")
    with pytest.raises(Invalid) as refused:
        refer(session=session, dispute=dispute, who=WHO)
    assert refused.value.detail["field"] == "category_code"
    assert (dispute.state, dispute.case_id) == (S.OPEN, None)


def test_a_bad_phone_is_refused_naming_the_party_and_writes_nothing(session):
    before = session.scalar(select(func.count()).select_from(Dispute))
    with pytest.raises(Invalid) as refused:
        service.create_dispute(
            session=session,
            point=point_of(session, COMMUNITY),
            issue_type="family",
            summary="赡养纠纷",
            parties=[
                service.NewParty(Side.APPLICANT, "王小明", "13912345678"),
                service.NewParty(Side.RESPONDENT, "李大山", "12345"),
            ],
        )
    assert refused.value.detail["field"] == "parties.1.phone"
    assert session.scalar(select(func.count()).select_from(Dispute)) == before
