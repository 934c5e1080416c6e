"""Imports every domain's tables so that metadata and migrations see all of them."""

from onegrid.accounts.models import AuthToken, SignInThrottle, User, UserScope  # noqa: F401
from onegrid.audit.models import AuditHead, AuditRecord  # noqa: F401
from onegrid.cases.models import Case, CaseEvent, CaseRollup, Evidence  # noqa: F401
from onegrid.employment.models import StartupLoan, SubsidyEntry  # noqa: F401
from onegrid.mediation.models import (  # noqa: F401
    ChecklistItem,
    Dispute,
    MediationPoint,
    MediationSession,
    Party,
)
from onegrid.open311.models import ApiKey, QueuedRequest  # noqa: F401
from onegrid.routing.models import (  # noqa: F401
    Category,
    CategoryAttribute,
    Notification,
    RoutingRule,
)
from onegrid.territory.models import (  # noqa: F401
    Assignment,
    Department,
    PartyBranch,
    Person,
    TerritoryUnit,
)
