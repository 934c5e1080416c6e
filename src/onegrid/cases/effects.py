"""What each action does to a case besides moving its state: clocks, facts, department.

Called by the dispatcher (onegrid.cases.flows.transition) and the bulk engine, after
machine.target allowed the action.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from onegrid.cases.lookups import Lookups
from onegrid.cases.machine import Action
from onegrid.cases.models import OPEN, Case, Stage, State
from onegrid.core.errors import Invalid, NotFound
from onegrid.core.workcalendar import Duration, WorkCalendar
from onegrid.routing.models import Category

MAX_LEVEL = 3  # district


@dataclass
class Context:
    """What an effect may use: the lookups, the calendar, the time, the act's data."""

    lookups: Lookups
    calendar: WorkCalendar
    now: datetime
    note: str | None
    data: dict = field(default_factory=dict)


def start_stage(ctx: Context, case: Case, stage: Stage) -> None:
    """Starts the clock of a stage with the category's limit for it."""
    limit = getattr(_category(ctx, case), f"{stage.value}_limit")
    case.stage = stage.value
    case.stage_started_at = ctx.now
    case.stage_deadline = ctx.calendar.deadline(ctx.now, Duration.parse(limit))
    case.next_escalation_at = case.stage_deadline
    case.overdue = False
    if stage is Stage.HANDLE:
        case.handle_deadline = case.stage_deadline


def stop_clock(case: Case) -> None:
    """Stops every clock: the case waits on nobody (closed, voided, parked …)."""
    case.stage = case.stage_started_at = case.stage_deadline = None
    case.next_escalation_at = None
    case.overdue = False


def _on_time(ctx: Context, case: Case) -> bool:
    return case.stage_deadline is None or ctx.now <= case.stage_deadline


def _require_note(ctx: Context, what_zh: str, what_en: str) -> None:
    if not (ctx.note or "").strip():
        raise Invalid(f"请说明{what_zh}", f"give the {what_en} in the note")


def _category(ctx: Context, case: Case) -> Category:
    return ctx.lookups.category(case.district_code, case.category_code)


def _code(ctx: Context, key: str) -> str | None:
    """Returns a code given in the action's data: text, or None when not given."""
    code = ctx.data.get(key)
    if code is not None and not isinstance(code, str):
        raise Invalid(f"{key} 须为文本", f"{key} must be text", field=key)
    return code


def _department_id(ctx: Context, case: Case) -> int:
    code = _code(ctx, "department_code")
    if code:
        return ctx.lookups.department_id(case.district_code, code)
    return ctx.lookups.route(case.district_code, case.category_code, case.grid_code)


def verify(ctx: Context, case: Case) -> None:
    valid = ctx.data.get("valid")
    if not isinstance(valid, bool):
        raise Invalid(
            "核实结果须为 valid: true 或 false", "the verification needs valid: true or false"
        )
    case.verified_on_time = _on_time(ctx, case)
    start_stage(ctx, case, Stage.DISPATCH)


def open_case(ctx: Context, case: Case) -> None:
    code = _code(ctx, "category_code")
    if code and code != case.category_code:
        ctx.lookups.category(case.district_code, code)
        case.category_code = code
    if case.verified_on_time is None:  # opened from the report itself: verified now
        case.verified_on_time = _on_time(ctx, case)
        start_stage(ctx, case, Stage.DISPATCH)
    case.opened_at = ctx.now


def void(ctx: Context, case: Case) -> None:
    _require_note(ctx, "作废原因", "reason for voiding")
    stop_clock(case)


def merge(ctx: Context, case: Case) -> None:
    into = ctx.lookups.case(str(ctx.data.get("into")))
    if into is None or into.district_code != case.district_code or into is case:
        raise NotFound("要并入的案件不存在", "the case to merge into does not exist")
    if State(into.state) not in OPEN:
        raise Invalid("只能并入未结案的案件", "a case can be merged only into an open case")
    case.merged_into_id = into.id
    stop_clock(case)


def dispatch(ctx: Context, case: Case) -> None:
    case.department_id = _department_id(ctx, case)
    if case.dispatched_on_time is None:
        case.dispatched_on_time = _on_time(ctx, case)
        case.dispatched_at = ctx.now
    start_stage(ctx, case, Stage.HANDLE)


def return_case(ctx: Context, case: Case) -> None:
    _require_note(ctx, "回退原因", "reason for returning")
    case.return_count += 1
    start_stage(ctx, case, Stage.DISPATCH)


def request_extension(ctx: Context, case: Case) -> None:
    _require_note(ctx, "延期理由", "reason for the extension")
    try:
        duration = Duration.parse(str(ctx.data.get("duration", "")))
    except ValueError as error:
        raise Invalid(f"延期时长无效：{error}", f"invalid extension: {error}") from error
    case.pending = "extension"
    case.pending_detail = json.dumps({"duration": str(duration)})


def approve_extension(ctx: Context, case: Case) -> None:
    duration = Duration.parse(json.loads(case.pending_detail or "{}")["duration"])
    case.stage_deadline = ctx.calendar.deadline(case.stage_deadline or ctx.now, duration)
    case.handle_deadline = case.stage_deadline
    case.next_escalation_at = case.stage_deadline
    case.overdue = ctx.now > case.stage_deadline
    case.extension_count += 1
    _clear_pending(ctx, case)


def _clear_pending(ctx: Context, case: Case) -> None:
    case.pending = case.pending_detail = None


def request_park(ctx: Context, case: Case) -> None:
    _require_note(ctx, "挂账理由", "reason for parking")
    case.pending = "park"
    case.pending_detail = None


def approve_park(ctx: Context, case: Case) -> None:
    _clear_pending(ctx, case)
    stop_clock(case)


def unpark(ctx: Context, case: Case) -> None:
    start_stage(ctx, case, Stage.HANDLE)


def feedback(ctx: Context, case: Case) -> None:
    _require_note(ctx, "处置结果", "result of the handling")
    case.feedback_count += 1
    case.handled_at = ctx.now
    # 按期结案: the final handling came within the handling deadline.
    case.closed_on_time = case.handle_deadline is None or ctx.now <= case.handle_deadline
    start_stage(ctx, case, Stage.CHECK)


def check_pass(ctx: Context, case: Case) -> None:
    case.closed_at = ctx.now
    case.closed_level = case.escalation_level
    stop_clock(case)


def check_fail(ctx: Context, case: Case) -> None:
    _require_note(ctx, "返工原因", "reason for the rework")
    case.rework_count += 1
    case.closed_on_time = None
    start_stage(ctx, case, Stage.HANDLE)


def evaluate(ctx: Context, case: Case) -> None:
    rating = ctx.data.get("rating")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise Invalid("评价须为 1 到 5 的整数", "the rating must be a whole number from 1 to 5")
    case.rating = rating
    case.rating_comment = (ctx.note or "").strip() or None


def escalate(ctx: Context, case: Case) -> None:
    case.overdue = True
    if case.escalation_level < MAX_LEVEL:
        case.escalation_level += 1
    limit = getattr(_category(ctx, case), f"{case.stage}_limit")
    # Another full limit overdue raises it again, until the district holds it.
    case.next_escalation_at = (
        ctx.calendar.deadline(ctx.now, Duration.parse(limit))
        if case.escalation_level < MAX_LEVEL
        else None
    )


def _nothing(ctx: Context, case: Case) -> None:
    pass


EFFECTS = {
    Action.REQUEST_VERIFY: _nothing,
    Action.VERIFY: verify,
    Action.OPEN: open_case,
    Action.VOID: void,
    Action.MERGE: merge,
    Action.DISPATCH: dispatch,
    Action.RETURN: return_case,
    Action.REQUEST_EXTENSION: request_extension,
    Action.APPROVE_EXTENSION: approve_extension,
    Action.REJECT_EXTENSION: _clear_pending,
    Action.REQUEST_PARK: request_park,
    Action.APPROVE_PARK: approve_park,
    Action.REJECT_PARK: _clear_pending,
    Action.UNPARK: unpark,
    Action.FEEDBACK: feedback,
    Action.CHECK_PASS: check_pass,
    Action.CHECK_FAIL: check_fail,
    Action.EVALUATE: evaluate,
    Action.SUPERVISE: _nothing,
    Action.ESCALATE: escalate,
}
