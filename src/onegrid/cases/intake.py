"""Intake: the one service every channel calls (citizen page, patrol, hotline, API, Open311).

It validates the report, converts its coordinates, finds its grid, routes it, starts its
verification clock, suggests a duplicate, and returns the case with its receipt number.
"""

import json
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases import effects, rollup
from onegrid.cases.flows import Action
from onegrid.cases.lookups import Lookups, SessionLookups
from onegrid.cases.models import OPEN, Case, Channel, Stage, State
from onegrid.cases.transitions import check_permission, record_event, snapshot
from onegrid.core.coordinates import CRS
from onegrid.core.errors import Invalid, NotFound
from onegrid.core.permissions import Principal
from onegrid.core.pii import validate_phone
from onegrid.core.workcalendar import WorkCalendar, get_calendar
from onegrid.db.base import utcnow
from onegrid.routing import service as routing
from onegrid.territory import service as territory
from onegrid.territory.geometry import EARTH_RADIUS_M
from onegrid.territory.models import Level

# Receipt letters without look-alikes (0/O, 1/I): read out over the phone without mistakes.
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MAX_DESCRIPTION = 2000


@dataclass
class Report:
    """A problem as a channel hands it in."""

    channel: Channel
    category_code: str
    description: str
    lon: float
    lat: float
    crs: CRS = CRS.WGS84
    address: str | None = None
    attributes: dict = field(default_factory=dict)
    reporter_name: str | None = None
    reporter_phone: str | None = None
    anonymous: bool = False


def new_receipt() -> str:
    """Returns a fresh receipt number: 60 random bits, e.g. 7KQ2-M9XD-4HTP."""
    letters = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{letters[:4]}-{letters[4:8]}-{letters[8:]}"


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def suggest_duplicate(session: Session, case: Case, radius_m: int, window_h: int) -> Case | None:
    """Returns the nearest open case of the same category within its radius and window."""
    if radius_m <= 0 or window_h <= 0:
        return None
    dlat = radius_m / 111_195
    dlon = dlat / max(math.cos(math.radians(case.lat)), 0.01)
    candidates = session.scalars(
        select(Case).where(
            Case.district_code == case.district_code,
            Case.category_code == case.category_code,
            Case.received_at >= case.received_at - timedelta(hours=window_h),
            Case.state.in_([s.value for s in OPEN]),
            Case.lon.between(case.lon - dlon, case.lon + dlon),
            Case.lat.between(case.lat - dlat, case.lat + dlat),
            Case.id != case.id,
        )
    ).all()
    near = [(distance_m(case.lon, case.lat, c.lon, c.lat), c.id, c) for c in candidates]
    near = [n for n in near if n[0] <= radius_m]
    return min(near)[2] if near else None


def _validate(report: Report) -> str:
    description = (report.description or "").strip()
    if not description:
        raise Invalid("请描述问题", "describe the problem")
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(
            f"问题描述不能超过 {MAX_DESCRIPTION} 字",
            f"the description is over {MAX_DESCRIPTION} characters",
        )
    return description


def prepare(
    *,
    report: Report,
    district_code: str,
    grid_code: str,
    lon: float,
    lat: float,
    lookups: Lookups,
    who: Principal,
    now: datetime,
    calendar: WorkCalendar,
    receipt: str | None = None,
    make: Callable[..., Case] = Case,
) -> Case:
    """Returns the new case of a located report, routed and its clock started, not yet stored.

    Raises Invalid naming the problem. The online intake below and the bulk engine
    (onegrid.cases.bulk, whose `make` is its in-memory CaseDraft) both open their cases here.
    """
    description = _validate(report)
    category = lookups.category(district_code, report.category_code)
    attributes = routing.validate_attributes(category=category, values=report.attributes)
    phone = validate_phone(report.reporter_phone) if report.reporter_phone else None
    case = make(
        district_code=district_code,
        receipt=receipt or new_receipt(),
        channel=report.channel.value,
        state=State.RECEIVED.value,
        category_code=category.code,
        description=description,
        address=(report.address or "").strip()[:200] or None,
        lon=lon,
        lat=lat,
        grid_code=grid_code,
        department_id=lookups.route(district_code, category.code, grid_code),
        attributes=json.dumps(attributes, ensure_ascii=False, sort_keys=True)
        if attributes
        else None,
        anonymous=report.anonymous,
        reporter_name=None if report.anonymous else (report.reporter_name or None),
        reporter_phone=None if report.anonymous else phone,
        entered_by_id=who.user_id,
        received_at=now,
        escalation_level=0,
        feedback_count=0,
        rework_count=0,
        return_count=0,
        extension_count=0,
        overdue=False,
        version=1,
    )
    context = effects.Context(lookups=lookups, calendar=calendar, now=now, note=None)
    effects.start_stage(context, case, Stage.VERIFY)
    return case


def received_data(case: Case, duplicate: Case | None) -> dict:
    """Returns the data of a case's first event: its channel and any suggested duplicate."""
    return {"channel": case.channel, "duplicate_of": duplicate.receipt if duplicate else None}


def intake(
    *,
    session: Session,
    report: Report,
    who: Principal,
    now: datetime | None = None,
    source: str | None = None,
    public: bool = False,
) -> Case:
    """Opens a case from a report, or raises Invalid naming the problem having written nothing.

    `public`: the citizens' channel, open to anyone; staff channels need cases.intake.
    """
    if not public:
        check_permission(who, Action.RECEIVE)
    now = now or utcnow()
    try:
        grid_code, lon, lat = territory.locate_grid(
            session=session, lon=report.lon, lat=report.lat, crs=report.crs
        )
    except NotFound as error:
        raise Invalid(error.zh, error.en) from error
    lookups = SessionLookups(session)
    case = prepare(
        report=report,
        district_code=grid_code[: Level.DISTRICT.code_length],
        grid_code=grid_code,
        lon=lon,
        lat=lat,
        lookups=lookups,
        who=who,
        now=now,
        calendar=get_calendar(),
    )
    category = lookups.category(case.district_code, case.category_code)
    session.add(case)
    session.flush()  # the case needs its id before it looks for others like it
    duplicate = suggest_duplicate(
        session, case, category.duplicate_radius_m, category.duplicate_window_hours
    )
    case.duplicate_of_id = duplicate.id if duplicate else None
    rollup.apply(session, None, snapshot(case))
    record_event(
        session,
        case,
        who,
        Action.RECEIVE,
        from_state=None,
        now=now,
        source=source,
        data=received_data(case, duplicate),
    )
    return case
