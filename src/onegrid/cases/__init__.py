"""Cases: the closed loop from intake to evaluation (GB/T 30428)."""

from onegrid.cases.machine import Action
from onegrid.cases.models import Case, CaseEvent, Channel, Evidence, Stage, State

__all__ = ["Action", "Case", "CaseEvent", "Channel", "Evidence", "Stage", "State"]
