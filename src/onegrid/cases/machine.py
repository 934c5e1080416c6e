"""The state machine of the loop: every legal transition is named once, in `_target`.

受理 received → 核实 verifying → verified → 立案 opened → 派遣 dispatched → 反馈 handled →
核查 closed (or 返工 back to dispatched) → 评价 evaluated; with 作废 voided, 回退 returned,
延期 and 挂账 (each approved by the command centre), 合并 merged, 督办 supervise, and the
sweep's escalate. Anything else is refused with an error naming the state and the action.
"""

from enum import StrEnum

from onegrid.cases.models import Case, State
from onegrid.core.errors import Conflict, Forbidden
from onegrid.core.permissions import Permission, Principal


class Action(StrEnum):
    RECEIVE = "receive"  # intake: the case's first event
    REQUEST_VERIFY = "request_verify"
    VERIFY = "verify"  # data: valid (bool)
    OPEN = "open"  # data: category_code (optional reclassification)
    VOID = "void"  # note: the reason
    DISPATCH = "dispatch"  # data: department_code (optional: the routing table's by default)
    RETURN = "return"  # 回退: a wrong dispatch goes back to the command centre
    REQUEST_EXTENSION = "request_extension"  # data: duration ("2d")
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    REQUEST_PARK = "request_park"
    APPROVE_PARK = "approve_park"
    REJECT_PARK = "reject_park"
    UNPARK = "unpark"
    FEEDBACK = "feedback"  # the handler's result, with evidence
    CHECK_PASS = "check_pass"  # 核查通过 → 结案
    CHECK_FAIL = "check_fail"  # 核查未通过 → 返工 to the same department
    EVALUATE = "evaluate"  # data: rating 1–5, comment
    MERGE = "merge"  # data: into (receipt of the surviving case)
    SUPERVISE = "supervise"  # 督办: no change of state
    ESCALATE = "escalate"  # the sweep raises an overdue case one level


# Who may take each action (beyond seeing the case): data, checked by `check_permission`.
PERMISSION: dict[Action, Permission | None] = {
    Action.RECEIVE: Permission.CASES_INTAKE,
    Action.REQUEST_VERIFY: Permission.CASES_COMMAND,
    Action.VERIFY: Permission.CASES_VERIFY,
    Action.OPEN: Permission.CASES_COMMAND,
    Action.VOID: Permission.CASES_COMMAND,
    Action.DISPATCH: Permission.CASES_COMMAND,
    Action.RETURN: Permission.CASES_HANDLE,
    Action.REQUEST_EXTENSION: Permission.CASES_HANDLE,
    Action.APPROVE_EXTENSION: Permission.CASES_COMMAND,
    Action.REJECT_EXTENSION: Permission.CASES_COMMAND,
    Action.REQUEST_PARK: Permission.CASES_HANDLE,
    Action.APPROVE_PARK: Permission.CASES_COMMAND,
    Action.REJECT_PARK: Permission.CASES_COMMAND,
    Action.UNPARK: Permission.CASES_COMMAND,
    Action.FEEDBACK: Permission.CASES_HANDLE,
    Action.CHECK_PASS: Permission.CASES_VERIFY,
    Action.CHECK_FAIL: Permission.CASES_VERIFY,
    # A citizen rates with the receipt (no account); the hotline's callback rates for them.
    Action.EVALUATE: Permission.CASES_COMMAND,
    Action.MERGE: Permission.CASES_COMMAND,
    Action.SUPERVISE: Permission.CASES_SUPERVISE,
    Action.ESCALATE: None,  # the sweep only
}


def check_permission(who: Principal, action: Action, *, via_receipt: bool = False) -> None:
    """Raises Forbidden unless the principal may take this action."""
    needed = PERMISSION[action]
    if via_receipt and action is Action.EVALUATE:
        return  # the receipt is the citizen's proof
    if who.scope.everything or (needed is not None and who.can(needed)):
        return
    raise Forbidden(
        f"当前角色不能执行 {action.value}",
        f"your role may not take the action {action.value}",
        action=action.value,
    )


STATE_NAMES = {
    State.RECEIVED: "受理",
    State.VERIFYING: "核实中",
    State.VERIFIED: "已核实",
    State.OPENED: "已立案",
    State.DISPATCHED: "处置中",
    State.RETURNED: "已回退",
    State.PARKED: "挂账",
    State.HANDLED: "待核查",
    State.CLOSED: "已结案",
    State.EVALUATED: "已评价",
    State.VOIDED: "已作废",
    State.MERGED: "已合并",
}
# The same in English (the pages' and exports' English).
STATE_NAMES_EN = {
    State.RECEIVED: "Received",
    State.VERIFYING: "Being verified",
    State.VERIFIED: "Verified",
    State.OPENED: "Opened",
    State.DISPATCHED: "Being handled",
    State.RETURNED: "Returned",
    State.PARKED: "Parked",
    State.HANDLED: "Awaiting check",
    State.CLOSED: "Closed",
    State.EVALUATED: "Rated",
    State.VOIDED: "Voided",
    State.MERGED: "Merged",
}


def state_name(state: str, lang: str) -> str:
    """Returns the state's name in this language ("zh" or "en")."""
    return (STATE_NAMES_EN if lang == "en" else STATE_NAMES)[State(state)]


def target(case: Case, action: Action) -> State:
    """Returns the state this action leads to from the case's state, or raises Conflict."""
    key = (case.state, action, case.pending)
    found = _TARGETS.get(key)
    if found is None:
        found = _TARGETS[key] = _target(State(case.state), action, case.pending)
    return found


# What each (state, action, pending) led to, filled as they come: a few dozen in all.
_TARGETS: dict[tuple[str, Action, str | None], State] = {}


def _target(state: State, action: Action, pending: str | None) -> State:
    match (state, action, pending):
        case (State.RECEIVED, Action.REQUEST_VERIFY, None):
            return State.VERIFYING
        case (State.VERIFYING, Action.VERIFY, None):
            return State.VERIFIED
        case (State.RECEIVED | State.VERIFIED, Action.OPEN, None):
            return State.OPENED
        case (State.RECEIVED | State.VERIFYING | State.VERIFIED, Action.VOID, None):
            return State.VOIDED
        case (State.RECEIVED | State.VERIFYING | State.VERIFIED, Action.MERGE, None):
            return State.MERGED
        case (State.OPENED | State.RETURNED, Action.DISPATCH, None):
            return State.DISPATCHED
        case (State.DISPATCHED, Action.RETURN, None):
            return State.RETURNED
        case (State.DISPATCHED, Action.REQUEST_EXTENSION | Action.REQUEST_PARK, None):
            return State.DISPATCHED
        case (State.DISPATCHED, Action.APPROVE_EXTENSION | Action.REJECT_EXTENSION, "extension"):
            return State.DISPATCHED
        case (State.DISPATCHED, Action.APPROVE_PARK, "park"):
            return State.PARKED
        case (State.DISPATCHED, Action.REJECT_PARK, "park"):
            return State.DISPATCHED
        case (State.PARKED, Action.UNPARK, None):
            return State.DISPATCHED
        case (State.DISPATCHED, Action.FEEDBACK, None):
            return State.HANDLED
        case (State.HANDLED, Action.CHECK_PASS, None):
            return State.CLOSED
        case (State.HANDLED, Action.CHECK_FAIL, None):
            return State.DISPATCHED
        case (State.CLOSED, Action.EVALUATE, None):
            return State.EVALUATED
        case (s, Action.SUPERVISE | Action.ESCALATE, _) if s not in (
            State.CLOSED,
            State.EVALUATED,
            State.VOIDED,
            State.MERGED,
            State.PARKED,
        ):
            return s
    waiting = f"（待审批：{pending}）" if pending else ""
    waiting_en = f" (awaiting approval of: {pending})" if pending else ""
    # Not the request's fault but the case's state (often just changed by someone else): 409.
    raise Conflict(
        f"案件处于“{STATE_NAMES[state]}”{waiting}状态，不能执行 {action.value}",
        f"a case in state {state.value}{waiting_en} cannot take the action {action.value}",
        state=state.value,
        action=action.value,
    )


def allowed_actions(case: Case, who: Principal) -> list[Action]:
    """Returns the actions this principal may take on the case now, in Action's order: those
    its role may take (PERMISSION) that the case's state allows (`target`); never the sweep's."""
    allowed = []
    for action in Action:
        if PERMISSION[action] is None:
            continue  # the sweep's own
        try:
            check_permission(who, action)
            target(case, action)
        except (Forbidden, Conflict):
            continue
        allowed.append(action)
    return allowed
