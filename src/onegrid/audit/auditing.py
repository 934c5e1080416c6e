"""Audit records of what a principal did, with the request's source address.

Three ways in: `record` (a write's record, in the write's own transaction), and
`record_refusal` and `record_read` (a refused attempt; a response carrying personal data),
whose records are written apart from the request's transaction, through the process's group
commit, so that they are kept whatever the request does next and never fail because another
connection wrote meanwhile.
"""

import time
from collections.abc import Callable

from fastapi import Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from onegrid.audit import service as audit
from onegrid.core.permissions import Principal
from onegrid.db import write_durably

# A record written apart waits for the write lock (SQLite's busy_timeout, 10 s) or the chain's
# head (PostgreSQL); should that wait still end in an error, it is tried again.
_ATTEMPTS = 3


def _source(request: Request | None) -> str:
    return request.client.host if request is not None and request.client else "cli"


def record(
    session: Session,
    request: Request | None,
    principal: Principal,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    outcome: str = "success",
    detail: dict | None = None,
    district_code: str | None = None,
) -> None:
    """Records an event in the caller's transaction: it commits with the write it describes."""
    audit.record_by(
        session=session,
        who=principal,
        district_code=district_code or principal.scope.district_code or "000000",
        source=_source(request),
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        detail=detail,
    )


def record_refusal(
    session: Session,
    request: Request | None,
    principal: Principal,
    action: str,
    *,
    detail: dict | None = None,
    district_code: str | None = None,
) -> None:
    """Records a refused attempt apart from the request (see `record_apart`): the request's
    failure does not undo it, and concurrent writers do not make it fail."""
    record_apart(
        session,
        request,
        principal,
        action,
        outcome="denied",
        detail=detail,
        district_code=district_code,
    )


def record_read(
    session: Session,
    request: Request | None,
    principal: Principal,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    detail: dict | None = None,
    district_code: str | None = None,
) -> None:
    """Records a read of personal data (a list page as one record, with its query and count)
    before the response leaves, apart from the request (see `record_apart`)."""
    record_apart(
        session,
        request,
        principal,
        action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        detail=detail,
        district_code=district_code,
    )


def export_recorder(
    session: Session,
    request: Request | None,
    principal: Principal,
    list_name: str,
    *,
    query: dict,
    format: str,
) -> Callable[[int, bool], None]:
    """Returns the callback a streamed export calls at its end: it records the export (the
    list, its filters, the format, how many rows, whether the file was sent whole), apart."""

    def finished(count: int, complete: bool) -> None:
        record_apart(
            session,
            request,
            principal,
            f"{list_name}.export",
            object_type=list_name,
            outcome="success" if complete else "failed",
            detail={
                "list": list_name,
                "query": query,
                "format": format,
                "count": count,
                "complete": complete,
                "masked": True,
            },
        )

    return finished


def record_apart(
    session: Session,
    request: Request | None,
    principal: Principal,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    outcome: str = "success",
    detail: dict | None = None,
    district_code: str | None = None,
) -> None:
    """Records an event apart from the request's transaction and returns once it is committed.

    In a request's session the request's transaction ends first (what it wrote so far
    commits with it: call this before a write, or after), and the record joins the group
    commit, whose transaction begins IMMEDIATE on SQLite: it waits its turn, never fails at
    once for a concurrent commit. Elsewhere (a command's or a test's session) it is written
    in a savepoint of that session, which its owner commits.
    """

    def work(db: Session) -> None:
        record(
            db,
            request,
            principal,
            action,
            object_type=object_type,
            object_id=object_id,
            outcome=outcome,
            detail=detail,
            district_code=district_code,
        )

    for attempt in range(1, _ATTEMPTS + 1):
        try:
            write_durably(session, work)
            return
        except DBAPIError:
            if attempt == _ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
