"""The audit records the API and the pages both write: a dispute read, a dispute registered,
a point's checklist changed."""

from fastapi import Request
from sqlalchemy.orm import Session

from onegrid.audit import auditing
from onegrid.core.permissions import Principal
from onegrid.mediation.models import Dispute, MediationPoint


def read(
    session: Session, request: Request, who: Principal, dispute: Dispute, page: str | None = None
) -> None:
    """Records that the principal read the dispute (its parties, masked, and its notes)."""
    auditing.record_read(
        session,
        request,
        who,
        "mediation.read",
        object_type="mediation_dispute",
        object_id=dispute.id,
        detail={"page": page} if page else None,
        district_code=dispute.district_code,
    )


def created(
    session: Session, request: Request, who: Principal, dispute: Dispute, parties: int
) -> None:
    """Records the registration of a dispute, in the write's transaction."""
    auditing.record(
        session,
        request,
        who,
        "mediation.create",
        object_type="mediation_dispute",
        object_id=str(dispute.id),
        detail={"issue_type": dispute.issue_type, "parties": parties},
        district_code=dispute.district_code,
    )


def checklist(
    session: Session, request: Request, who: Principal, point: MediationPoint, changed: dict
) -> None:
    """Records the checklist items changed ({item: done}), in the write's transaction."""
    auditing.record(
        session,
        request,
        who,
        "mediation.checklist",
        object_type="mediation_point",
        object_id=str(point.id),
        detail={"changed": changed},
        district_code=point.district_code,
    )
