"""Revealing one personal field of an object within the principal's scope."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from onegrid.cases import service as cases
from onegrid.core.errors import Invalid
from onegrid.core.permissions import Scope
from onegrid.core.pii import PiiKind, mask
from onegrid.territory import service as territory

# The fields a reveal may name, by object type, and how each is masked.
REVEALABLE: dict[str, dict[str, PiiKind]] = {
    "person": {"phone": PiiKind.PHONE, "id_number": PiiKind.ID_NUMBER},
    "case": {"reporter_phone": PiiKind.PHONE},
}


@dataclass(frozen=True)
class Revealed:
    """One field in clear and masked, with the district of the object it belongs to."""

    value: str | None
    masked: str | None
    district_code: str


def reveal(
    *, session: Session, scope: Scope, object_type: str, object_id: int, field: str
) -> Revealed:
    """Returns the field of the object in clear; NotFound outside the scope (no leak)."""
    kind = REVEALABLE.get(object_type, {}).get(field)
    if kind is None:
        raise Invalid(
            f"{object_type} 没有可查看的字段 {field}", f"a {object_type} has no revealable {field}"
        )
    if object_type == "case":
        owner = cases.get(session=session, case_id=object_id, scope=scope)
    else:
        owner = territory.get_person(session=session, person_id=object_id, scope=scope)
    value = getattr(owner, field)
    return Revealed(value=value, masked=mask(kind, value), district_code=owner.district_code)
