"""A dispute's state changes, through one dispatcher: open → mediating → agreed / failed, and
referred (a department's case, opened through the cases' intake) from any but the ends.

    transition(session=s, dispute=d, event=Event.AGREE, who=principal, note="…")
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from onegrid.audit import service as audit
from onegrid.cases import intake
from onegrid.cases.models import Case, Channel
from onegrid.core.errors import Conflict, Invalid
from onegrid.core.permissions import Principal
from onegrid.core.pii import masked_and_original
from onegrid.db.base import utcnow
from onegrid.mediation import catalogue
from onegrid.mediation.models import Dispute, DisputeState, MediationPoint
from onegrid.territory import service as territory
from onegrid.territory.geometry import from_wkb

_S = DisputeState


class Event(StrEnum):
    START = "start"  # the first session is held
    AGREE = "agree"  # 达成协议
    FAIL = "fail"  # 调解不成
    REFER = "refer"  # 转办: needs a department


ENDS = {_S.AGREED, _S.FAILED, _S.REFERRED}


def target(state: str, event: Event) -> DisputeState:
    """Returns the state the event leads to from this one, or raises Conflict naming both."""
    match (state, event):
        case (_S.OPEN, Event.START):
            return _S.MEDIATING
        case (_S.MEDIATING, Event.AGREE):
            return _S.AGREED
        case (_S.OPEN | _S.MEDIATING, Event.FAIL):
            return _S.FAILED
        case (_S.OPEN | _S.MEDIATING | _S.FAILED, Event.REFER):
            return _S.REFERRED
    zh, en = catalogue.STATE_NAMES.get(state, (state, state))
    raise Conflict(
        f"纠纷当前为“{zh}”，不能执行此操作（{event.value}）",
        f"the dispute is {en}: it cannot take this step ({event.value})",
        state=state,
        event=event.value,
    )


def transition(
    *,
    session: Session,
    dispute: Dispute,
    event: Event,
    who: Principal,
    note: str | None = None,
    case_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Takes one step on a dispute and records it in the audit chain, or raises having changed
    nothing."""
    now = now or utcnow()
    before = dispute.state
    after = target(before, event)
    dispute.state = after.value
    if after in ENDS:
        dispute.closed_at = now
    if event in (Event.AGREE, Event.FAIL) and note:
        dispute.outcome_note, dispute.sealed_outcome_note = masked_and_original(note)
    if case_id is not None:
        dispute.case_id = case_id
    try:
        session.flush()
    except StaleDataError as error:
        raise Conflict(
            "纠纷刚被他人更新，请刷新后重试",
            "the dispute was changed meanwhile: reload it and try again",
        ) from error
    audit.record_by(
        session=session,
        who=who,
        district_code=dispute.district_code,
        source=None,
        action=f"mediation.{event.value}",
        object_type="mediation_dispute",
        object_id=str(dispute.id),
        detail={"from": before, "to": after.value, "case_id": case_id},
    )


def refer(
    *,
    session: Session,
    dispute: Dispute,
    who: Principal,
    category_code: str | None = None,
    now: datetime | None = None,
) -> Case:
    """Opens the department's case of a dispute (its category, at its point's community) and
    links the two; refuses a dispute already referred, having written nothing."""
    target(dispute.state, Event.REFER)  # refused before a case is opened
    category = category_code or catalogue.REFERRAL_CATEGORY.get(dispute.issue_type)
    if not category:
        raise Invalid(
            "请选择转办案件的类别", "choose the category of the case", field="category_code"
        )
    point = session.get_one(MediationPoint, dispute.point_id)
    community = territory.get_by_code(session=session, code=dispute.community_code, scope=who.scope)
    spot = from_wkb(community.geometry).representative_point()
    issue = catalogue.ISSUE_TYPES[dispute.issue_type][0]
    case = intake.intake(
        session=session,
        report=intake.Report(
            channel=Channel.GRID_WORKER,  # the community's own channel (cases.intake)
            category_code=category,
            # the summary as typed: intake masks it and seals it again
            description=f"评理说事点转办（{issue}）：{dispute.sealed_summary or dispute.summary}",
            lon=spot.x,
            lat=spot.y,
            address=point.name,
        ),
        who=who,
        now=now,
    )
    transition(session=session, dispute=dispute, event=Event.REFER, who=who, case_id=case.id)
    return case
