"""Revealing one personal field of an object within the principal's scope."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from onegrid.core.permissions import Scope
from onegrid.core.pii import PiiKind, mask
from onegrid.territory import service as territory

# The fields a reveal may name, by object type, and how each is masked.
REVEALABLE: dict[str, dict[str, PiiKind]] = {
    "person": {"phone": PiiKind.PHONE, "id_number": PiiKind.ID_NUMBER},
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
    kind = REVEALABLE[object_type][field]
    person = territory.get_person(session=session, person_id=object_id, scope=scope)
    value = getattr(person, field)
    return Revealed(value=value, masked=mask(kind, value), district_code=person.district_code)
