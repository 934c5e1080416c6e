"""Employment (issue 22 §5): the 稳岗 subsidy ledger and the start-up guarantee loans."""

from onegrid.employment.models import EntryKind, StartupLoan, SubsidyEntry
from onegrid.employment.service import Totals

__all__ = ["EntryKind", "StartupLoan", "SubsidyEntry", "Totals"]
