"""Mediation on the demo district: the community's point, and disputes registered through the
service the API uses."""

import pytest
from sqlalchemy import select

from onegrid.mediation import service
from onegrid.mediation.models import MediationPoint, Side

COMMUNITY = "210104002009"  # the demo community staff's community (华炉社区)
OTHER_COMMUNITY = "210104017012"  # a community of another street
APPLICANT, APPLICANT_PHONE = "王小明", "13912345678"
RESPONDENT, RESPONDENT_PHONE = "李大山", "13800001111"
SUMMARY = f"楼上漏水，联系电话 {APPLICANT_PHONE}"


def point_of(session, community: str) -> MediationPoint:
    return session.scalars(
        select(MediationPoint).where(MediationPoint.community_code == community)
    ).one()


def register(session, community: str = COMMUNITY, issue_type: str = "neighbour"):
    """Registers a dispute at the community's point with two named parties."""
    return service.create_dispute(
        session=session,
        point=point_of(session, community),
        issue_type=issue_type,
        summary=SUMMARY,
        parties=[
            service.NewParty(Side.APPLICANT, APPLICANT, APPLICANT_PHONE),
            service.NewParty(Side.RESPONDENT, RESPONDENT, RESPONDENT_PHONE),
        ],
    )


@pytest.fixture
def dispute(session):
    return register(session)


@pytest.fixture
def other_dispute(session):
    return register(session, OTHER_COMMUNITY)
