"""One action on many selected cases (the console's bulk dispatch, void and merge): each case
in its own savepoint, so that one refused case leaves the others taken; an answer per case.

    outcomes = batch.take(session=s, who=p, case_ids=[3, 4], action=Action.VOID, note="重复")

Every case goes through the one dispatcher (flows.transition): the same permission, state,
effects, timeline event and audit record as a single action.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from onegrid.cases import service
from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.core.errors import DomainError, Invalid
from onegrid.core.permissions import Principal
from onegrid.db import begin_writing

MAX_CASES = 200
ACTIONS = (Action.DISPATCH, Action.VOID, Action.MERGE)


@dataclass
class Outcome:
    """What became of one selected case: its new state, or the error that refused it."""

    case_id: int
    receipt: str | None
    state: str | None
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def data_of(action: Action, department_code: str | None, into: str | None) -> dict:
    """The data a bulk action gives every case: a dispatch's department (none: each case's
    routing-table department), a merge's surviving receipt."""
    if action is Action.DISPATCH and department_code:
        return {"department_code": department_code}
    if action is Action.MERGE:
        return {"into": (into or "").strip().upper()}
    return {}


def check(case_ids: list[int], action: Action, note: str | None, data: dict) -> list[int]:
    """Returns the selection without repeats, or raises Invalid naming the field."""
    if action not in ACTIONS:
        raise Invalid(
            "批量操作只能是派遣、作废或合并",
            "a bulk action is dispatch, void or merge",
            field="action",
        )
    unique = list(dict.fromkeys(case_ids))
    if not unique:
        raise Invalid("请至少选择一个案件", "select at least one case", field="case")
    if len(unique) > MAX_CASES:
        raise Invalid(
            f"一次最多处理 {MAX_CASES} 个案件",
            f"at most {MAX_CASES} cases at a time",
            field="case",
        )
    if action is Action.VOID and not (note or "").strip():
        raise Invalid("请说明作废原因", "give the reason for voiding in the note", field="note")
    if action is Action.MERGE and not data.get("into"):
        raise Invalid("请填写要并入案件的受理编号", "give the receipt to merge into", field="into")
    return unique


def take(
    *,
    session: Session,
    who: Principal,
    case_ids: list[int],
    action: Action,
    note: str | None = None,
    data: dict | None = None,
    source: str | None = None,
) -> list[Outcome]:
    """Takes the action on each case in its own savepoint; returns what became of each."""
    selected = check(case_ids, action, note, data or {})
    begin_writing(session)  # once: the write lock held for every case's savepoint
    outcomes = []
    for case_id in selected:
        receipt = None
        try:
            with session.begin_nested():
                case = service.get(session=session, case_id=case_id, scope=who.scope)
                receipt = case.receipt
                transition(
                    session=session,
                    case=case,
                    action=action,
                    who=who,
                    note=note,
                    data=dict(data or {}),
                    source=source,
                )
        except DomainError as error:
            outcomes.append(Outcome(case_id, receipt, None, error))
            continue
        outcomes.append(Outcome(case_id, receipt, case.state))
    return outcomes
