"""评理说事 (mediation): a point in every community, with its "九个一" checklist; disputes, their
parties (masked), sessions and outcome; one action refers a dispute to a department as a case
in the loop, the two linked both ways.

- `models`: the tables; `catalogue`: the nine items, issue types and states as data;
- `service`: data access within a scope; `flows`: the one dispatcher (`transition`) and `refer`;
- `demo`: the demo's points and disputes.
"""

from onegrid.mediation.flows import Event, refer, transition
from onegrid.mediation.models import (
    ChecklistItem,
    Dispute,
    DisputeState,
    IssueType,
    MediationPoint,
    MediationSession,
    Party,
    Side,
)

__all__ = [
    "ChecklistItem",
    "Dispute",
    "DisputeState",
    "Event",
    "IssueType",
    "MediationPoint",
    "MediationSession",
    "Party",
    "Side",
    "refer",
    "transition",
]
