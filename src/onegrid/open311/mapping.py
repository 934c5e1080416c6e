"""Case ↔ Open311 request: the loop's states as open/closed with notes a citizen may read.

Staff notes never leave the loop (they may name people): status notes and the notes history
are written here from the state and the kind of each step, like the receipt page shows them.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from onegrid.cases.intake import Report
from onegrid.cases.machine import Action
from onegrid.cases.models import Case, CaseEvent, Channel, State
from onegrid.core.coordinates import CRS
from onegrid.core.errors import Invalid
from onegrid.core.workcalendar import Duration
from onegrid.open311.schemas import AttributeValue, Note, PostedRequest, ServiceRequest
from onegrid.routing.attributes import choices
from onegrid.routing.models import Category, CategoryAttribute
from onegrid.territory.models import Department

CLOSED = (State.CLOSED, State.EVALUATED, State.VOIDED, State.MERGED)
OPEN_STATES = tuple(s for s in State if s not in CLOSED)
# Steps the receipt page does not show either: the loop's internal oversight.
HIDDEN = (Action.ESCALATE, Action.SUPERVISE)
REPORTER_NAME_MAX = 50

# (zh, en); {agency} is the responsible department.
STATUS_NOTES = {
    State.RECEIVED: ("已受理，待核实", "received; to be verified"),
    State.VERIFYING: ("网格员正在现场核实", "a grid worker is verifying it on site"),
    State.VERIFIED: ("已核实，待立案", "verified on site; to be opened as a case"),
    State.OPENED: ("已立案，待派遣", "opened as a case; to be dispatched"),
    State.DISPATCHED: ("已派遣至{agency}处置", "dispatched to {agency} for handling"),
    State.RETURNED: ("派遣有误，待重新派遣", "sent back by the department; to be re-dispatched"),
    State.PARKED: ("暂缓处置（挂账），条件具备后处理", "deferred (parked) until it can be handled"),
    State.HANDLED: ("{agency}已处置，待现场核查", "handled by {agency}; to be checked on site"),
    State.CLOSED: ("已办结：现场核查通过", "closed: fixed and checked on site"),
    State.EVALUATED: ("已办结并评价", "closed and rated"),
    State.VOIDED: ("经核实不予立案，已作废", "closed after verification: not a case to handle"),
    State.MERGED: (
        "与同一问题的其他报告合并处理",
        "duplicate: merged with a report of the same problem",
    ),
}
_REWORK = (
    "现场核查未通过，{agency}返工处置",
    "failed the on-site check; {agency} works on it again",
)

STEP_NOTES = {
    Action.RECEIVE: ("已受理", "received"),
    Action.REQUEST_VERIFY: ("派网格员现场核实", "sent to a grid worker to verify on site"),
    Action.VERIFY: ("现场核实完成", "verified on site"),
    Action.OPEN: ("立案", "opened as a case"),
    Action.VOID: ("作废", "voided"),
    Action.MERGE: ("与同一问题的报告合并", "merged with a report of the same problem"),
    Action.DISPATCH: ("派遣至责任部门", "dispatched to the responsible department"),
    Action.RETURN: ("责任部门回退，待重新派遣", "sent back for dispatch elsewhere"),
    Action.REQUEST_EXTENSION: ("申请延期", "extension requested"),
    Action.APPROVE_EXTENSION: ("延期获批", "extension granted"),
    Action.REJECT_EXTENSION: ("延期未获批", "extension refused"),
    Action.REQUEST_PARK: ("申请暂缓处置", "deferral requested"),
    Action.APPROVE_PARK: ("暂缓处置获批", "deferral granted"),
    Action.REJECT_PARK: ("暂缓处置未获批", "deferral refused"),
    Action.UNPARK: ("恢复处置", "handling resumed"),
    Action.FEEDBACK: ("责任部门反馈已处置", "the department reports it handled"),
    Action.CHECK_PASS: ("现场核查通过，结案", "checked on site: closed"),
    Action.CHECK_FAIL: ("现场核查未通过，返工", "failed the on-site check: sent back"),
    Action.EVALUATE: ("已评价", "rated"),
}
_NEARBY = (
    "；附近已有同一问题的报告在办理中",
    "; a report of the same problem nearby is already open",
)
_UNITS = {"m": ("个工作分钟", "working minutes"), "h": ("个工作小时", "working hours")}
_DAYS = ("个工作日", "working days")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def w3(moment: datetime | None, zone: ZoneInfo) -> str | None:
    """Returns the time in W3C/ISO 8601 with the district's offset, e.g. …T09:00:00+08:00."""
    return None if moment is None else moment.astimezone(zone).isoformat(timespec="seconds")


def status_of(state: str) -> str:
    """Returns the Open311 status of a loop state: closed once closed, voided or merged."""
    return "closed" if State(state) in CLOSED else "open"


def states_of(status: str) -> list[str]:
    """Returns the loop states an Open311 status stands for."""
    return [s.value for s in (CLOSED if status == "closed" else OPEN_STATES)]


def service_name(category: Category, lang: str) -> str:
    return category.name_en if lang == "en" else category.name


def agency_name(department: Department | None, lang: str) -> str | None:
    if department is None:
        return None
    return department.name_en if lang == "en" else department.name


def service_notice(category: Category, lang: str) -> str:
    """Returns what the category promises: its handling time limit after dispatch."""
    limit = Duration.parse(category.handle_limit)
    zh, en = _DAYS if limit.unit == "d" else _UNITS[limit.unit]
    if lang == "en":
        return f"to be handled within {limit.amount} {en} of dispatch"
    return f"派遣后 {limit.amount} {zh}内处置"


def created_notice(category: Category, possible_duplicate: bool, lang: str) -> str:
    """Returns the service_notice of a POST: the time limit, and a word about a duplicate."""
    notice = service_notice(category, lang)
    if possible_duplicate:
        notice += _pick(_NEARBY, lang)
    return notice


def status_notes(case: Case, last_action: str | None, agency: str | None, lang: str) -> str:
    """Returns what has happened, for the citizen: the state, said plainly."""
    state = State(case.state)
    pair = STATUS_NOTES[state]
    if state is State.DISPATCHED and last_action == Action.CHECK_FAIL.value:
        pair = _REWORK
    fallback = "责任部门" if lang == "zh" else "the responsible department"
    return _pick(pair, lang).format(agency=agency or fallback)


def note_of(event: CaseEvent, zone: ZoneInfo, lang: str) -> Note:
    """Returns one step of the timeline as the notes history shows it: never the staff note."""
    return Note(
        datetime=w3(event.at, zone) or "",
        description=_pick(STEP_NOTES[Action(event.action)], lang),
        type=event.action,
    )


def attribute_values(case: Case, category: Category, lang: str) -> list[AttributeValue]:
    """Returns the answers to the service's attributes, one per chosen value of a list."""
    given = json.loads(case.attributes) if case.attributes else {}
    found: list[AttributeValue] = []
    for attribute in category.attributes:
        if attribute.code in given:
            found.extend(_answers(attribute, given[attribute.code], lang))
    return found


def _answers(attribute: CategoryAttribute, value, lang: str) -> list[AttributeValue]:
    label = attribute.name_en if lang == "en" else attribute.name
    if attribute.values:
        names = {v["key"]: v["name"] for v in choices(attribute)}
        keys = value if isinstance(value, list) else [value]
        return [
            AttributeValue(label=label, name=attribute.code, value=names.get(k, k), code=k)
            for k in keys
        ]
    text = str(value)
    return [AttributeValue(label=label, name=attribute.code, value=text, code=text)]


@dataclass
class Facts:
    """What a page of requests needs besides the cases: looked up once for all of them."""

    categories: dict[str, Category]
    departments: dict[int, Department]
    last_steps: dict[int, CaseEvent] = field(default_factory=dict)
    media_urls: dict[int, str] = field(default_factory=dict)
    timelines: dict[int, list[CaseEvent]] = field(default_factory=dict)


def request_of(
    case: Case, facts: Facts, *, zone: ZoneInfo, lang: str, extensions: bool
) -> ServiceRequest:
    """Returns the Open311 service request of a case."""
    category = facts.categories[case.category_code]
    department = facts.departments.get(case.department_id) if case.department_id else None
    agency = agency_name(department, lang)
    last = facts.last_steps.get(case.id)
    status = status_of(case.state)
    updated = case.closed_at if status == "closed" and case.closed_at else None
    request = ServiceRequest(
        service_request_id=str(case.id),
        status=status,
        status_notes=status_notes(case, last.action if last else None, agency, lang),
        service_name=service_name(category, lang),
        service_code=case.category_code,
        description=case.description,
        agency_responsible=agency,
        service_notice=service_notice(category, lang),
        requested_datetime=w3(case.received_at, zone) or "",
        updated_datetime=w3(updated or (last.at if last else case.received_at), zone) or "",
        expected_datetime=w3(case.handle_deadline, zone),
        address=case.address,
        address_id=None,
        zipcode=None,
        lat=case.lat,
        long=case.lon,
        media_url=facts.media_urls.get(case.id),
    )
    if extensions:
        request.attributes = attribute_values(case, category, lang)
        request.extended_attributes = {
            "state": case.state,
            "grid_code": case.grid_code,
            "rating": case.rating,
        }
        events = facts.timelines.get(case.id, [])
        request.notes = [note_of(e, zone, lang) for e in events if Action(e.action) not in HIDDEN]
    return request


def reporter_name(first: str | None, last: str | None) -> str | None:
    """Returns the reporter's name: family name first, unspaced, when either part is Chinese."""
    parts = [p for p in (first, last) if p]
    if not parts:
        return None
    chinese = any("\u4e00" <= c <= "\u9fff" for p in parts for c in p)
    name = f"{last or ''}{first or ''}" if chinese else " ".join(parts)
    if len(name) > REPORTER_NAME_MAX:
        raise Invalid(
            f"姓名不能超过 {REPORTER_NAME_MAX} 个字符",
            f"first_name and last_name together are over {REPORTER_NAME_MAX} characters",
        )
    return name


def report_of(posted: PostedRequest, category: Category) -> Report:
    """Returns the report the intake takes; a request with no description is described by its
    service's name (the spec makes description optional, the loop wants one)."""
    return Report(
        channel=Channel.OPEN311,
        category_code=category.code,
        description=posted.description or category.name,
        lon=posted.long,
        lat=posted.lat,
        crs=CRS.WGS84,
        address=posted.address_string,
        attributes=dict(posted.attributes),
        reporter_name=reporter_name(posted.first_name, posted.last_name),
        reporter_phone=posted.phone,
        media_url=posted.media_url,
    )


def report_json(report: Report) -> str:
    """Returns the report as kept in the batch queue: JSON, without the phone (sealed apart)."""
    fields = {
        "category_code": report.category_code,
        "description": report.description,
        "lon": report.lon,
        "lat": report.lat,
        "address": report.address,
        "attributes": report.attributes,
        "reporter_name": report.reporter_name,
        "media_url": report.media_url,
    }
    return json.dumps(fields, ensure_ascii=False, sort_keys=True)


def report_from_json(text: str, phone: str | None) -> Report:
    """Returns a queued report as the intake takes it."""
    return Report(channel=Channel.OPEN311, crs=CRS.WGS84, reporter_phone=phone, **json.loads(text))
