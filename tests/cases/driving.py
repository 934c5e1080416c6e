"""Taking a case through the loop in a test's session, each step as the demo user whose job it
is, the staff writing notes that name people and phones (which the public must never see).

    case = report(session, inside, reporter_name="王小明", reporter_phone=CALLER_PHONE)
    photo = drive_to_closed(session, case)   # the id of the photo attached to the feedback
"""

from sqlalchemy import select

from onegrid.accounts import service as accounts
from onegrid.accounts.models import User
from onegrid.cases import evidence
from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.cases.models import Case
from onegrid.core.permissions import Principal
from tests.images import png

CALLER_NAME, CALLER_PHONE = "王小明", "13912345678"
# What the staff write in their notes, and who they are: none of it may reach the public.
STAFF_NAME, STAFF_PHONE = "张科长", "13800001111"
HANDLER_NAME, HANDLER_PHONE = "李师傅", "13700002222"
DISPATCH_NOTE = f"请城管局{STAFF_NAME}处理，电话 {STAFF_PHONE}"
FEEDBACK_NOTE = f"已更换灯泡，处置人{HANDLER_NAME} {HANDLER_PHONE}"
CHECK_NOTE = f"网格员现场核查通过，联系 {STAFF_PHONE}"
SUPERVISE_NOTE = f"督办：请{STAFF_NAME}加快处置"
STAFF_WORDS = (
    STAFF_NAME,
    STAFF_PHONE,
    HANDLER_NAME,
    HANDLER_PHONE,
    "138****1111",
    "137****2222",
    "督办",
    "区指挥中心值班长",
    "城管局处置人员",
    "大北华炉第1网格员",
)
REPORTER_WORDS = (CALLER_NAME, "王**", CALLER_PHONE, "139****5678")


def demo_user(session, username: str) -> Principal:
    """Returns the principal of a demo account (gridworker, command, department …)."""
    user = session.scalars(select(User).where(User.username == username)).one()
    return accounts.principal_for(user)


def attach(session, case: Case, username: str, data: bytes | None = None, name="p.png") -> int:
    """Uploads a photo (a PNG unless given) to the case as this user; returns its id."""
    upload = evidence.prepare(filename=name, data=data or png(8, 6, (20, 140, 60)))
    who = demo_user(session, username)
    return evidence.store(session=session, case=case, upload=upload, who=who).id


def act(session, case: Case, username: str, action: Action, **kwargs) -> None:
    who = demo_user(session, username)
    transition(session=session, case=case, action=action, who=who, **kwargs)


def drive_to_handled(session, case: Case, *, supervise: bool = True) -> int:
    """Opens, dispatches (to 城管, with a note naming a person), supervises, and has the
    department feed back with a photo; returns the photo's id."""
    act(session, case, "command", Action.OPEN)
    act(
        session,
        case,
        "command",
        Action.DISPATCH,
        data={"department_code": "urban_mgmt"},
        note=DISPATCH_NOTE,
    )
    if supervise:
        act(session, case, "command", Action.SUPERVISE, note=SUPERVISE_NOTE)
    photo = attach(session, case, "department")
    act(session, case, "department", Action.FEEDBACK, note=FEEDBACK_NOTE, evidence_ids=[photo])
    return photo


def drive_to_closed(session, case: Case, **kwargs) -> int:
    """As drive_to_handled, then the grid worker's check passes: the case is closed."""
    photo = drive_to_handled(session, case, **kwargs)
    act(session, case, "gridworker", Action.CHECK_PASS, note=CHECK_NOTE)
    return photo
