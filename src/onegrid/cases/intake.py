"""Intake: the one service every channel calls (citizen page, patrol, hotline, API, Open311).

It validates the report, converts its coordinates, finds its grid, routes it, starts its
verification clock, suggests a duplicate, and returns the case with its receipt number.
"""

import json
import math
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session

from onegrid.audit import service as audit
from onegrid.cases import effects, rollup, service, steps
from onegrid.cases.drafts import CaseDraft, columns_of, insert_cases
from onegrid.cases.lookups import DistrictLookups, Lookups
from onegrid.cases.machine import Action, check_permission
from onegrid.cases.models import OPEN, Case, CaseEvent, Channel, Stage, State
from onegrid.cases.schemas import CaseIn
from onegrid.core.coordinates import CRS
from onegrid.core.errors import DomainError, Forbidden, Invalid, NotFound
from onegrid.core.levels import Level
from onegrid.core.permissions import Principal, Role
from onegrid.core.pii import mask_name, masked_and_original, validate_phone
from onegrid.core.workcalendar import WorkCalendar, get_calendar
from onegrid.db import insert_many, write_durably_together
from onegrid.db.base import utcnow
from onegrid.routing import service as routing
from onegrid.territory import service as territory
from onegrid.territory.geoindex import GridIndex
from onegrid.territory.geometry import EARTH_RADIUS_M

# The channels each role may enter a case on, its default first (SPEC §4): the per-channel
# indicators (the hotline's rates) count a case where it truly came in. The citizen page and
# Open311 set their own channel (`Entry.public`); the operator's command line and bulk import
# may give any channel.
ROLE_CHANNELS: dict[Role, tuple[Channel, ...]] = {
    Role.CITIZEN: (Channel.CITIZEN,),
    Role.GRID_WORKER: (Channel.GRID_WORKER,),  # patrol reports
    Role.COMMUNITY_STAFF: (Channel.GRID_WORKER,),  # their own rounds of the community's grids
    Role.COMMAND_CENTRE: (Channel.HOTLINE, Channel.API),  # 12345 calls; other systems' cases
}
_EVERY_CHANNEL = tuple(Channel)
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
    # A link to a photo the reporter published (Open311's media_url): kept in the timeline.
    media_url: str | None = None
    # The 12345 caller asks to be called back once the case is closed (hotline only).
    callback_wanted: bool = False


def report_of(body: CaseIn, channel: Channel) -> Report:
    """Returns the report of a case entered through the API (or a page) on this channel."""
    return Report(
        channel=channel,
        category_code=body.category_code,
        description=body.description,
        lon=body.lon,
        lat=body.lat,
        crs=body.crs,
        address=body.address,
        attributes=body.attributes,
        reporter_name=body.reporter_name,
        reporter_phone=body.reporter_phone,
        anonymous=body.anonymous,
        callback_wanted=body.callback_wanted,
    )


def channels_of(who: Principal) -> tuple[Channel, ...]:
    """Returns the channels this principal may enter a case on, its default first."""
    if who.scope.everything:
        return _EVERY_CHANNEL
    return ROLE_CHANNELS.get(who.role, ()) if who.role else ()


def default_channel(who: Principal) -> Channel:
    """Returns the channel a principal's case comes in on when the request names none."""
    return next(iter(channels_of(who)), Channel.API)


def check_channel(who: Principal, channel: Channel) -> None:
    """Raises Forbidden unless the principal may enter a case on this channel."""
    allowed = channels_of(who)
    if channel not in allowed:
        role = who.role.value if who.role else "anonymous"
        names = ", ".join(c.value for c in allowed) or "无 none"
        raise Forbidden(
            f"角色 {role} 不能以渠道 {channel.value} 登记案件（可用渠道：{names}）",
            f"the role {role} may not enter a case on the {channel.value} channel"
            f" (its channels: {names})",
        )


def new_receipt() -> str:
    """Returns a fresh receipt number: 60 random bits, e.g. 7KQ2-M9XD-4HTP."""
    bits = secrets.randbits(60)  # drawn at once: five bits a letter of the 32
    letters = "".join(_ALPHABET[(bits >> shift) & 31] for shift in range(0, 60, 5))
    return f"{letters[:4]}-{letters[4:8]}-{letters[8:]}"


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


_C = Case.__table__.c
# Built once: the statement is the same for every case but for its values.
_NEAR_OPEN_CASES = select(_C.id, _C.receipt, _C.lon, _C.lat).where(
    _C.district_code == bindparam("district_code"),
    _C.category_code == bindparam("category_code"),
    _C.received_at >= bindparam("since"),
    _C.state.in_([s.value for s in OPEN]),
    _C.lon.between(bindparam("west"), bindparam("east")),
    _C.lat.between(bindparam("south"), bindparam("north")),
)


def suggest_duplicate(
    session: Session, case: CaseDraft, radius_m: int, window_h: int
) -> Row | None:
    """Returns the nearest stored open case of the same category within the radius and window
    of this case (not stored yet): its id, receipt, lon and lat."""
    if radius_m <= 0 or window_h <= 0:
        return None
    dlat = radius_m / 111_195
    dlon = dlat / max(math.cos(math.radians(case.lat)), 0.01)
    candidates = session.execute(
        _NEAR_OPEN_CASES,
        {
            "district_code": case.district_code,
            "category_code": case.category_code,
            "since": case.received_at - timedelta(hours=window_h),
            "west": case.lon - dlon,
            "east": case.lon + dlon,
            "south": case.lat - dlat,
            "north": case.lat + dlat,
        },
    ).all()
    near = [(distance_m(case.lon, case.lat, r.lon, r.lat), r.id, r) for r in candidates]
    near = [n for n in near if n[0] <= radius_m]
    return min(near)[2] if near else None


def _validate(report: Report) -> str:
    if report.callback_wanted and report.channel is not Channel.HOTLINE:
        raise Invalid(
            "只有 12345 热线来电可以要求回访",
            "only a 12345 hotline call may ask for a callback",
            field="callback_wanted",
        )
    if report.callback_wanted and (report.anonymous or not report.reporter_phone):
        raise Invalid(
            "要求回访须留下来电人电话",
            "a callback needs the caller's phone number",
            field="reporter_phone",
        )
    description = (report.description or "").strip()
    if not description:
        raise Invalid("请描述问题", "describe the problem", field="description")
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(
            f"问题描述不能超过 {MAX_DESCRIPTION} 字",
            f"the description is over {MAX_DESCRIPTION} characters",
            field="description",
        )
    return description


@contextmanager
def _about(name: str) -> Iterator[None]:
    """Names the report's field an error is about (detail `field`): a form shows it there."""
    try:
        yield
    except DomainError as error:
        error.detail.setdefault("field", name)
        raise


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
    (onegrid.cases.bulk) both open their cases here, as in-memory CaseDrafts (`make`).
    """
    # Personal data typed into the text is masked where everyone reads it, sealed as typed.
    description, sealed_description = masked_and_original(_validate(report))
    address, sealed_address = masked_and_original((report.address or "").strip()[:200] or None)
    name = None if report.anonymous else (report.reporter_name or None)
    with _about("category_code"):
        category = lookups.category(district_code, report.category_code)
    attributes = routing.validate_attributes(category=category, values=report.attributes)
    with _about("reporter_phone"):
        phone = validate_phone(report.reporter_phone) if report.reporter_phone else None
    case = make(
        district_code=district_code,
        receipt=receipt or new_receipt(),
        channel=report.channel.value,
        state=State.RECEIVED.value,
        category_code=category.code,
        description=description,
        sealed_description=sealed_description,
        address=address,
        sealed_address=sealed_address,
        lon=lon,
        lat=lat,
        grid_code=grid_code,
        department_id=lookups.route(district_code, category.code, grid_code),
        attributes=json.dumps(attributes, ensure_ascii=False, sort_keys=True)
        if attributes
        else None,
        anonymous=report.anonymous,
        reporter_name=mask_name(name),
        sealed_reporter_name=name,
        reporter_phone=None if report.anonymous else phone,
        entered_by_id=who.user_id,
        callback_wanted=report.callback_wanted,
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


# A suggested duplicate: a stored case (its id, receipt and place), or one opened just before
# in the same group.
Duplicate = Row | CaseDraft


def received_data(case: CaseDraft, duplicate_of: str | None, media_url: str | None = None) -> dict:
    """Returns the data of a case's first event: its channel, the receipt of any suggested
    duplicate, and the link to the reporter's photo if there is one."""
    data = {"channel": case.channel, "duplicate_of": duplicate_of}
    if media_url:
        data["media_url"] = media_url
    return data


@dataclass(frozen=True)
class Entry:
    """A report to open, who hands it in, and from where (for the audit log).

    `public`: the citizens' channel, open to anyone; staff channels need cases.intake.
    """

    report: Report
    who: Principal
    source: str | None = None
    public: bool = False
    now: datetime | None = None


@dataclass(frozen=True)
class Opened:
    """A case intake opened: its stored columns, and the receipt of a suggested duplicate if
    the principal who entered it may read that case."""

    case: CaseDraft
    duplicate_receipt: str | None


def intake(
    *,
    session: Session,
    report: Report,
    who: Principal,
    now: datetime | None = None,
    source: str | None = None,
    public: bool = False,
) -> Case:
    """Opens a case from a report, or raises the DomainError naming the problem, having
    written nothing."""
    [opened] = intake_many(session, [Entry(report, who, source, public, now)])
    if isinstance(opened, DomainError):
        raise opened
    return session.get_one(Case, opened.case.id)


def intake_durably(*, session: Session, entry: Entry) -> Opened:
    """Opens the entry's case and returns it once it is on disk, or raises the DomainError
    naming its problem; a request's case is opened together with those of the requests that
    arrive with it, in one transaction and one disk flush (the group commit)."""
    return write_durably_together(session, intake_many, entry)


def intake_many(session: Session, entries: Sequence[Entry]) -> list[Opened | DomainError]:
    """Opens a case for each entry, in the session's transaction; returns in order each
    entry's case, or the DomainError naming its problem (nothing is written for that entry).

    The entries are taken as one after another (a later one may be suggested as a duplicate
    of an earlier one) but written together, one insert per table: the online channels hand
    in the requests that arrive together (intake_durably).
    """
    lookups = DistrictLookups(session)
    calendar = get_calendar()
    index = territory.grid_index(session=session)  # once for the group: it checks freshness
    results: list[Opened | DomainError | None] = [None] * len(entries)
    taken: list[tuple[int, CaseDraft, Duplicate | None]] = []
    for i, entry in enumerate(entries):
        try:
            case = _open(session, entry, lookups, calendar, index)
        except DomainError as error:
            results[i] = error
            continue
        taken.append((i, case, _duplicate(session, lookups, case, [t[1] for t in taken])))
    if taken:
        _write(session, [(entries[i], case, duplicate) for i, case, duplicate in taken])
    for i, case, _ in taken:
        # Another reporter's receipt follows and rates their case: only for who may read it.
        receipt = service.receipt_if_readable(
            session=session, who=entries[i].who, case_id=case.duplicate_of_id
        )
        results[i] = Opened(case, receipt)
    return results


def _open(
    session: Session, entry: Entry, lookups: Lookups, calendar: WorkCalendar, index: GridIndex
) -> CaseDraft:
    """The entry's case, located, routed and its clock started; or raises DomainError."""
    report = entry.report
    if not entry.public:
        check_permission(entry.who, Action.RECEIVE)
        check_channel(entry.who, report.channel)
    try:
        grid_code, lon, lat = territory.locate_grid(
            session=session, lon=report.lon, lat=report.lat, crs=report.crs, index=index
        )
    except NotFound as error:
        raise Invalid(error.zh, error.en, field="location") from error
    return prepare(
        report=report,
        district_code=grid_code[: Level.DISTRICT.code_length],
        grid_code=grid_code,
        lon=lon,
        lat=lat,
        lookups=lookups,
        who=entry.who,
        now=entry.now or utcnow(),
        calendar=calendar,
        make=CaseDraft,
    )


def _duplicate(
    session: Session, lookups: Lookups, case: CaseDraft, earlier: list[CaseDraft]
) -> Duplicate | None:
    """The nearest open case like this one: stored, or opened earlier in the same group."""
    category = lookups.category(case.district_code, case.category_code)
    radius_m, window_h = category.duplicate_radius_m, category.duplicate_window_hours
    stored = suggest_duplicate(session, case, radius_m, window_h)
    near = [(distance_m(case.lon, case.lat, stored.lon, stored.lat), 0, stored)] if stored else []
    if radius_m > 0 and window_h > 0:
        since = case.received_at - timedelta(hours=window_h)
        kind = (case.district_code, case.category_code)
        for n, other in enumerate(earlier, start=1):
            if (other.district_code, other.category_code) != kind:
                continue
            distance = distance_m(case.lon, case.lat, other.lon, other.lat)
            if distance <= radius_m and other.received_at >= since:
                near.append((distance, n, other))
    return min(near, key=lambda n: n[:2])[2] if near else None


def _write(session: Session, taken: list[tuple[Entry, CaseDraft, Duplicate | None]]) -> None:
    """Stores the opened cases with their first event, audit records and rollup counts."""
    for _, case, duplicate in taken:
        case.duplicate_of_id = duplicate.id if isinstance(duplicate, Row) else None
    ids = insert_cases(session, [columns_of(case) for _, case, _ in taken])
    for (_, case, _), case_id in zip(taken, ids, strict=True):
        case.id = case_id
    within = []
    for _, case, duplicate in taken:
        if isinstance(duplicate, CaseDraft):  # opened in the same group: its id is known now
            case.duplicate_of_id = duplicate.id
            within.append({"b_id": case.id, "b_to": duplicate.id})
    if within:
        table = Case.__table__
        link = update(table).where(table.c.id == bindparam("b_id"))
        session.execute(link.values(duplicate_of_id=bindparam("b_to")), within)
    events, records, totals = [], {}, {}
    for entry, case, duplicate in taken:
        event = steps.event_row(
            case,
            entry.who,
            Action.RECEIVE,
            seq=1,
            from_state=None,
            at=case.received_at,
            data=received_data(
                case, duplicate.receipt if duplicate else None, entry.report.media_url
            ),
        )
        events.append(event | {"case_id": case.id})
        records.setdefault(case.district_code, []).append(
            steps.audit_record(event, case.receipt, entry.source)
        )
        rollup.tally(totals, *steps.snapshot(case))
    insert_many(session, CaseEvent.__table__, events)
    for district_code, rows in records.items():
        audit.record_checked(
            session=session, district_code=district_code, rows=audit.checked_values(rows)
        )
    rollup.add_many(session, totals)
