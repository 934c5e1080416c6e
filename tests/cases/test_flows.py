"""The state machine: every legal transition, and the refusal of every other."""

import itertools

import pytest

from onegrid.cases.machine import Action, target
from onegrid.cases.models import Case, State
from onegrid.core.errors import Conflict

LEGAL = {
    (State.RECEIVED, Action.REQUEST_VERIFY, None): State.VERIFYING,
    (State.VERIFYING, Action.VERIFY, None): State.VERIFIED,
    (State.RECEIVED, Action.OPEN, None): State.OPENED,
    (State.VERIFIED, Action.OPEN, None): State.OPENED,
    (State.RECEIVED, Action.VOID, None): State.VOIDED,
    (State.VERIFYING, Action.VOID, None): State.VOIDED,
    (State.VERIFIED, Action.VOID, None): State.VOIDED,
    (State.RECEIVED, Action.MERGE, None): State.MERGED,
    (State.VERIFYING, Action.MERGE, None): State.MERGED,
    (State.VERIFIED, Action.MERGE, None): State.MERGED,
    (State.OPENED, Action.DISPATCH, None): State.DISPATCHED,
    (State.RETURNED, Action.DISPATCH, None): State.DISPATCHED,
    (State.DISPATCHED, Action.RETURN, None): State.RETURNED,
    (State.DISPATCHED, Action.REQUEST_EXTENSION, None): State.DISPATCHED,
    (State.DISPATCHED, Action.REQUEST_PARK, None): State.DISPATCHED,
    (State.DISPATCHED, Action.APPROVE_EXTENSION, "extension"): State.DISPATCHED,
    (State.DISPATCHED, Action.REJECT_EXTENSION, "extension"): State.DISPATCHED,
    (State.DISPATCHED, Action.APPROVE_PARK, "park"): State.PARKED,
    (State.DISPATCHED, Action.REJECT_PARK, "park"): State.DISPATCHED,
    (State.PARKED, Action.UNPARK, None): State.DISPATCHED,
    (State.DISPATCHED, Action.FEEDBACK, None): State.HANDLED,
    (State.HANDLED, Action.CHECK_PASS, None): State.CLOSED,
    (State.HANDLED, Action.CHECK_FAIL, None): State.DISPATCHED,
    (State.CLOSED, Action.EVALUATE, None): State.EVALUATED,
}
# Oversight and escalation leave the state as it is while a case is in the loop.
for _state, _pending in itertools.product(
    [
        State.RECEIVED,
        State.VERIFYING,
        State.VERIFIED,
        State.OPENED,
        State.DISPATCHED,
        State.RETURNED,
        State.HANDLED,
    ],
    [None, "extension", "park"],
):
    if _pending is None or _state is State.DISPATCHED:
        for _action in (Action.SUPERVISE, Action.ESCALATE):
            LEGAL[(_state, _action, _pending)] = _state


def _case(state, pending=None):
    return Case(state=state.value, pending=pending)


@pytest.mark.parametrize(("key", "expected"), LEGAL.items(), ids=lambda v: str(v))
def test_each_legal_transition_leads_where_it_should(key, expected):
    state, action, pending = key
    assert target(_case(state, pending), action) is expected


def test_everything_else_is_refused_naming_the_state_and_the_action():
    refused = 0
    for state, action in itertools.product(State, Action):
        pendings = [None, "extension", "park"] if state is State.DISPATCHED else [None]
        for pending in pendings:
            if (state, action, pending) in LEGAL:
                continue
            with pytest.raises(Conflict) as error:
                target(_case(state, pending), action)
            assert state.value in error.value.en and action.value in error.value.en
            assert error.value.detail == {"state": state.value, "action": action.value}
            refused += 1
    assert refused > 250


def test_a_pending_request_blocks_other_handling_until_decided():
    with pytest.raises(Conflict, match="awaiting approval of: extension"):
        target(_case(State.DISPATCHED, "extension"), Action.FEEDBACK)
