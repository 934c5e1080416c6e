"""The demo's mediation: a point in every community, its checklist mostly done, and a few
hundred disputes (three a community on average) with parties, sessions and outcomes, drawn
from the seed; every dispute labelled demo."""

from datetime import datetime, timedelta
from typing import Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.core.levels import Level
from onegrid.core.pii import mask_name
from onegrid.db.base import utcnow
from onegrid.mediation import catalogue
from onegrid.mediation.models import (
    ChecklistItem,
    Dispute,
    DisputeState,
    MediationPoint,
    MediationSession,
    Party,
    Side,
)
from onegrid.territory.models import TerritoryUnit

DISPUTES_PER_COMMUNITY = 3.0
# Issue types as the points hear them: neighbours most, then family, property, labour, other.
TYPE_WEIGHTS = (0.4, 0.2, 0.2, 0.1, 0.1)
SUMMARIES = {
    "neighbour": "楼上漏水殃及楼下，双方就维修费用分担争执不下",
    "family": "赡养老人费用分担问题，兄弟姐妹意见不一",
    "property": "业主拒交物业费，称电梯长期故障无人维修",
    "labour": "装修工人称工程款尾款被拖欠三个月",
    "other": "公共楼道堆放杂物，邻居多次劝说无果",
}
NOTES = (
    "双方到场，调解员讲明相关规定，双方同意再行协商",
    "邀请楼长和网格员参与，现场查看后提出分担方案",
    "一方未到场，调解员电话沟通，约定下周再次调解",
)
MEDIATORS = ("社区调解员", "楼长", "网格员", "退休法官志愿者")


class Names(Protocol):
    def name(self) -> str: ...

    def phone(self) -> str: ...


def _state(rng: np.random.Generator) -> DisputeState:
    # Most disputes end in an agreement; a few are open, in mediation or failed.
    roll = rng.random()
    if roll < 0.1:
        return DisputeState.OPEN
    if roll < 0.25:
        return DisputeState.MEDIATING
    return DisputeState.AGREED if roll < 0.92 else DisputeState.FAILED


def build(
    session: Session, *, district_code: str, names: Names, seed: int, now: datetime | None = None
) -> tuple[int, int]:
    """Adds the district's points and disputes; returns how many of each."""
    rng = np.random.default_rng(seed)
    today = (now or utcnow()).replace(hour=9, minute=0, second=0, microsecond=0)
    communities = session.execute(
        select(TerritoryUnit.code, TerritoryUnit.name)
        .where(
            TerritoryUnit.district_code == district_code,
            TerritoryUnit.level == Level.COMMUNITY.value,
        )
        .order_by(TerritoryUnit.code)
    ).all()
    points = [
        MediationPoint(district_code=district_code, community_code=code, name=f"{name}评理说事点")
        for code, name in communities
    ]
    session.add_all(points)
    session.flush()
    rows: list = []
    for point in points:
        rows += [
            ChecklistItem(
                district_code=district_code, point_id=point.id, item=item, done=rng.random() < 0.9
            )
            for item in catalogue.NINE_ITEMS
        ]
    types = list(catalogue.ISSUE_TYPES)
    disputes: list[tuple[Dispute, DisputeState]] = []
    for point in points:
        for _ in range(int(rng.poisson(DISPUTES_PER_COMMUNITY))):
            issue = types[int(rng.choice(len(types), p=TYPE_WEIGHTS))]
            state = _state(rng)
            opened = today - timedelta(days=int(rng.integers(1, 365)))
            dispute = Dispute(
                district_code=district_code,
                community_code=point.community_code,
                point_id=point.id,
                issue_type=issue,
                state=state.value,
                summary=SUMMARIES[issue],
                opened_at=opened,
                closed_at=opened + timedelta(days=7)
                if state in (DisputeState.AGREED, DisputeState.FAILED)
                else None,
                outcome_note="双方签订调解协议书" if state == DisputeState.AGREED else None,
                is_demo=True,
            )
            disputes.append((dispute, state))
    session.add_all(d for d, _ in disputes)
    session.flush()
    for dispute, state in disputes:
        for side in (Side.APPLICANT, Side.RESPONDENT):
            name = names.name()
            rows.append(
                Party(
                    district_code=district_code,
                    dispute_id=dispute.id,
                    side=side.value,
                    name=mask_name(name),
                    sealed_name=name,
                    phone=names.phone(),
                )
            )
        sittings = 0 if state == DisputeState.OPEN else int(rng.integers(1, 3))
        rows += [
            MediationSession(
                district_code=district_code,
                dispute_id=dispute.id,
                held_at=dispute.opened_at + timedelta(days=2 * (n + 1)),
                mediator=MEDIATORS[int(rng.integers(len(MEDIATORS)))],
                note=NOTES[int(rng.integers(len(NOTES)))],
                recorded_by="demo",
            )
            for n in range(sittings)
        ]
    session.add_all(rows)
    session.flush()
    return len(points), len(disputes)
