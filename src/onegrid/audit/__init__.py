"""Audit log: every write and every sensitive read, append-only and hash-chained per district.

Archiving is `onegrid.audit.archive.archive` (the function is not lifted here, where it would
hide its module); the `onegrid audit` commands are onegrid.audit.cli's `audit_app`. Views and
commands record what a principal did through onegrid.audit.auditing (`auditing.record`,
`record_refusal`, `record_read`).
"""

from onegrid.audit.archive import ArchivedSegment, ArchiveReport
from onegrid.audit.chain import DistrictCheck, VerifyReport, verify
from onegrid.audit.hashing import Break
from onegrid.audit.models import AuditHead, AuditRecord, Outcome
from onegrid.audit.service import (
    Entry,
    checked,
    list_records,
    record,
    record_checked,
    record_separately,
)

__all__ = [
    "ArchiveReport",
    "ArchivedSegment",
    "AuditHead",
    "AuditRecord",
    "Break",
    "DistrictCheck",
    "Entry",
    "Outcome",
    "VerifyReport",
    "checked",
    "list_records",
    "record",
    "record_checked",
    "record_separately",
    "verify",
]
