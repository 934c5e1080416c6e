"""The hotline's callback list: closed 12345 cases whose caller asked to be called back and
has not rated the result yet, oldest closed first, within the reader's scope.

The caller's rating, taken on the phone, is the evaluate transition entered by the operator
(POST /api/v1/cases/{id}/transitions): the case becomes evaluated and leaves the list.
The list reads the index ix_case_record_callbacks (district, state, callback_wanted,
closed_at): one seek to the waiting cases, in the order shown.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session

from onegrid.cases.models import Case, Channel, State
from onegrid.cases.service import scope_clause
from onegrid.core.permissions import Scope
from onegrid.core.pii import PiiKind, mask
from onegrid.routing.models import Category


@dataclass(frozen=True)
class Callback:
    """A caller waiting for a call back: the case, and the caller's name and phone masked."""

    case_id: int
    receipt: str
    category_code: str
    category_name: str | None
    category_name_en: str | None
    description: str  # masked at intake, as everywhere
    closed_at: datetime
    caller_name: str | None  # stored masked (张**)
    caller_phone: str | None  # masked here: 139****5678


def _waiting(scope: Scope):
    return and_(
        scope_clause(scope),
        Case.state == State.CLOSED.value,
        Case.callback_wanted == true(),
        Case.channel == Channel.HOTLINE.value,
        Case.rating.is_(None),
    )


def count(*, session: Session, scope: Scope) -> int:
    """Returns how many callers in the scope wait for a call back."""
    return int(session.scalar(select(func.count()).where(_waiting(scope))) or 0)


def waiting(*, session: Session, scope: Scope, limit: int = 20, offset: int = 0) -> list[Callback]:
    """Returns one page of the callers in the scope waiting for a call back, oldest closed
    first."""
    query = (
        select(
            Case.id,
            Case.receipt,
            Case.category_code,
            Case.description,
            Case.closed_at,
            Case.reporter_name,
            Case.reporter_phone,
            Category.name,
            Category.name_en,
        )
        .outerjoin(
            Category,
            and_(Category.district_code == Case.district_code, Category.code == Case.category_code),
        )
        .where(_waiting(scope))
        .order_by(Case.closed_at, Case.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        Callback(
            case_id=row.id,
            receipt=row.receipt,
            category_code=row.category_code,
            category_name=row.name,
            category_name_en=row.name_en,
            description=row.description,
            closed_at=row.closed_at,
            caller_name=row.reporter_name,
            caller_phone=mask(PiiKind.PHONE, row.reporter_phone),
        )
        for row in session.execute(query)
    ]
