"""Cases that may report the same problem as a case: open cases of its category near it in
space and time (the category's duplicate radius and window, as intake suggests a duplicate),
within the reader's scope, nearest first; the one intake suggested comes first. The case
page offers them as the cases to merge into."""

import math
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases.intake import distance_m
from onegrid.cases.models import OPEN, Case
from onegrid.cases.service import scope_clause
from onegrid.core.permissions import Scope
from onegrid.routing.models import Category

LIMIT = 10


def nearby(*, session: Session, case: Case, scope: Scope, limit: int = LIMIT) -> list[Case]:
    """Returns the open cases of the case's category near it in space and time, nearest first."""
    category = session.scalars(
        select(Category).where(
            Category.district_code == case.district_code, Category.code == case.category_code
        )
    ).first()
    radius_m = category.duplicate_radius_m if category else 0
    window = timedelta(hours=category.duplicate_window_hours if category else 0)
    found: list[tuple[float, int, Case]] = []
    if radius_m > 0 and window:
        dlat = radius_m / 111_195
        dlon = dlat / max(math.cos(math.radians(case.lat)), 0.01)
        query = select(Case).where(
            scope_clause(scope),
            Case.district_code == case.district_code,
            Case.category_code == case.category_code,
            Case.id != case.id,
            Case.state.in_([s.value for s in OPEN]),
            Case.received_at.between(case.received_at - window, case.received_at + window),
            Case.lon.between(case.lon - dlon, case.lon + dlon),
            Case.lat.between(case.lat - dlat, case.lat + dlat),
        )
        for other in session.scalars(query.limit(200)):
            meters = distance_m(case.lon, case.lat, other.lon, other.lat)
            if meters <= radius_m:
                found.append((meters, other.id, other))
    cases = [c for _, _, c in sorted(found, key=lambda f: (f[0], f[1]))]
    if case.duplicate_of_id is not None:
        suggested = session.scalars(
            select(Case).where(Case.id == case.duplicate_of_id, scope_clause(scope))
        ).first()
        if suggested is not None and suggested.state in {s.value for s in OPEN}:
            cases = [suggested, *(c for c in cases if c.id != suggested.id)]
    return cases[:limit]
