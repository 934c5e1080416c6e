"""What `allowed_actions` offers: never an action only the system takes, and nothing a case
waiting on an approval cannot take (the pages' offer per role and state is pinned against a
table of its own in tests/web/test_field_case_pages.py)."""

from onegrid.cases.machine import Action, allowed_actions
from onegrid.cases.models import Case
from onegrid.core.permissions import ROLE_PERMISSIONS, Principal, Role, Scope, operator


def _case(state: str, pending: str | None = None) -> Case:
    return Case(state=state, pending=pending)


def _staff(role: Role) -> Principal:
    return Principal(
        user_id=1,
        username=role.value,
        role=role,
        scope=Scope("210104", ("210104",)),
        permissions=ROLE_PERMISSIONS[role],
    )


def test_the_operator_is_never_offered_the_systems_own_steps():
    offered = allowed_actions(_case("received"), operator())
    assert Action.RECEIVE not in offered and Action.ESCALATE not in offered
    assert offered == [
        Action.REQUEST_VERIFY,
        Action.OPEN,
        Action.VOID,
        Action.MERGE,
        Action.SUPERVISE,
    ]


def test_a_pending_extension_is_decided_not_requested_again():
    command = allowed_actions(_case("dispatched", "extension"), _staff(Role.COMMAND_CENTRE))
    assert command == [Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION, Action.SUPERVISE]
    handler = allowed_actions(_case("dispatched", "extension"), _staff(Role.DEPARTMENT_HANDLER))
    assert handler == []  # no feedback, return or second request while it waits


def test_a_parked_case_is_resumed_by_the_command_centre_only():
    assert allowed_actions(_case("parked"), _staff(Role.COMMAND_CENTRE)) == [Action.UNPARK]
    assert allowed_actions(_case("parked"), _staff(Role.LEADER)) == []


def test_a_role_without_case_rights_is_offered_nothing():
    for state in ("received", "verifying", "dispatched", "handled", "closed"):
        assert allowed_actions(_case(state), _staff(Role.SYSTEM_ADMIN)) == []
