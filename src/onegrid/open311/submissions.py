"""POST requests: a realtime service's report goes through the intake at once, a batch
service's waits in the queue, which the server opens every few seconds with intake_many.

Both take the intake every channel takes (grid, routing, deadlines, duplicates). An Open311
client acts as the citizens' channel does (anyone may report), named by its key: the timeline
and the audit log say `open311:<key name>`.
"""

import json
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases import intake
from onegrid.cases.drafts import CaseDraft
from onegrid.cases.lookups import SessionLookups
from onegrid.core.errors import DomainError, Invalid, NotFound
from onegrid.core.levels import Level, prefix
from onegrid.core.permissions import Principal, Scope
from onegrid.core.workcalendar import get_calendar
from onegrid.db import SQLITE_BEGIN, session_scope, write_durably
from onegrid.db.base import utcnow
from onegrid.open311 import mapping, service
from onegrid.open311.models import ApiKey, QueuedRequest
from onegrid.open311.schemas import PostedRequest
from onegrid.routing.models import Category, ServiceType
from onegrid.territory import service as territory

logger = logging.getLogger("onegrid.open311")


@dataclass(frozen=True)
class Submitted:
    """What a POST gives back: the case's id, or the token of the queued request."""

    category: Category
    case_id: int | None = None
    token: str | None = None
    possible_duplicate: bool = False


def principal_of(key: ApiKey) -> Principal:
    """Returns who reports through this key: the key itself, within its district."""
    return Principal(
        user_id=None,
        username=f"open311:{key.name}",
        role=None,
        scope=Scope(district_code=key.district_code),
    )


def _locate(
    session: Session, report: intake.Report, district_code: str
) -> tuple[str, float, float]:
    """The report's grid (and point in WGS-84), which must lie in the key's district."""
    try:
        grid_code, lon, lat = territory.locate_grid(session=session, lon=report.lon, lat=report.lat)
    except NotFound as error:
        raise Invalid(error.zh, error.en) from error
    if prefix(grid_code, Level.DISTRICT) != district_code:
        raise Invalid(
            f"该位置不在辖区 {district_code} 内",
            f"the location is outside jurisdiction {district_code}",
        )
    return grid_code, lon, lat


def _check(session: Session, report: intake.Report, located, who: Principal) -> None:
    """Checks the report as the intake will (without writing), so a queued request is refused
    at once for whatever would refuse it later."""
    grid_code, lon, lat = located
    intake.prepare(
        report=report,
        district_code=prefix(grid_code, Level.DISTRICT),
        grid_code=grid_code,
        lon=lon,
        lat=lat,
        lookups=SessionLookups(session),
        who=who,
        now=utcnow(),
        calendar=get_calendar(),
        make=CaseDraft,
    )


def submit(
    *, session: Session, key: ApiKey, posted: PostedRequest, source: str | None
) -> Submitted:
    """Opens or queues the posted request; raises NotFound for an unknown service, Invalid for
    anything the intake refuses, having written nothing."""
    category = service.get_service(
        session=session, district_code=key.district_code, code=posted.service_code
    )
    report = mapping.report_of(posted, category)
    located = _locate(session, report, key.district_code)
    who = principal_of(key)
    if category.open311_type == ServiceType.BATCH.value:
        _check(session, report, located, who)
        token = write_durably(session, lambda s: _enqueue(s, key, report, source))
        return Submitted(category=category, token=token)
    entry = intake.Entry(report=report, who=who, source=source, public=True)
    opened = intake.intake_durably(session=session, entry=entry)
    return Submitted(
        category=category,
        case_id=opened.case.id,
        possible_duplicate=opened.case.duplicate_of_id is not None,
    )


def _enqueue(session: Session, key: ApiKey, report: intake.Report, source: str | None) -> str:
    row = QueuedRequest(
        district_code=key.district_code,
        token=secrets.token_hex(10),
        api_key_id=key.id,
        received_at=utcnow(),
        source=(source or "")[:64] or None,
        report=mapping.report_json(report),
        reporter_phone=report.reporter_phone,
    )
    session.add(row)
    session.flush()
    return row.token


def find_token(*, session: Session, district_code: str, token: str) -> QueuedRequest:
    """Returns the district's queued request with this token, or NotFound (404)."""
    query = select(QueuedRequest).where(
        QueuedRequest.token == token, QueuedRequest.district_code == district_code
    )
    row = session.scalars(query).first()
    if row is None:
        raise NotFound(f"没有令牌 {token}", f"token {token} was not found")
    return row


def failure(row: QueuedRequest) -> Invalid | None:
    """Returns why the intake refused a queued request, or None if it did not."""
    if row.error is None:
        return None
    reason = json.loads(row.error)
    return Invalid(
        f"该请求未能立案：{reason['zh']}", f"the request could not be opened: {reason['en']}"
    )


def open_queued(*, session: Session, limit: int = 500, now: datetime | None = None) -> int:
    """Opens the queued requests (up to `limit`, oldest first) through the intake, each at the
    time it was posted; returns how many it took. A request the intake refuses keeps why."""
    query = (
        select(QueuedRequest)
        .where(QueuedRequest.opened_at.is_(None))
        .order_by(QueuedRequest.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=QueuedRequest)
    )
    rows = list(session.scalars(query))
    entries = [
        intake.Entry(
            report=mapping.report_from_json(row.report or "{}", row.reporter_phone),
            who=principal_of(row.api_key),
            source=row.source,
            public=True,
            now=row.received_at,
        )
        for row in rows
    ]
    outcomes = intake.intake_many(session, entries) if entries else []
    now = now or utcnow()
    for row, outcome in zip(rows, outcomes, strict=True):
        row.opened_at = now
        row.report = row.reporter_phone = None  # the case holds them now, or nobody needs them
        if isinstance(outcome, DomainError):
            row.error = json.dumps({"zh": outcome.zh, "en": outcome.en}, ensure_ascii=False)
        else:
            row.case_id = outcome.case.id
    session.flush()
    return len(rows)


def run_queue() -> int:
    """Opens every queued request in transactions of its own; returns how many it took."""
    total = 0
    while True:
        with session_scope() as session:
            # SQLite: take the write lock first, so two servers never open the same request.
            session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
            taken = open_queued(session=session)
        total += taken
        if taken == 0:
            return total


def start_background_queue(interval_seconds: float) -> threading.Event:
    """Opens the queue every interval in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_seconds):
            try:
                run_queue()
            except Exception:  # the next round tries again; the server keeps serving
                logger.exception("opening the Open311 queue failed")

    threading.Thread(target=loop, name="onegrid-open311-queue", daemon=True).start()
    return stop
