"""Telling people about a case: through the routing package's senders (in-app always)."""

from sqlalchemy.orm import Session

from onegrid.cases.machine import Action
from onegrid.cases.models import Case
from onegrid.config import get_settings
from onegrid.core.levels import Level, prefix
from onegrid.routing.senders.base import Message, Recipients
from onegrid.routing.senders.registry import get_senders
from onegrid.territory.models import Department

# Which steps are told, and how they are named: the case's unit and department hear of them.
_NOTICES = {
    Action.REQUEST_VERIFY: ("请核实", "please verify"),
    Action.DISPATCH: ("新派遣", "dispatched to you"),
    Action.CHECK_FAIL: ("返工", "rework"),
    Action.SUPERVISE: ("督办", "oversight"),
}
LEVEL_NAMES = {1: "社区 community", 2: "街道 street", 3: "区 district"}
# The unit a case's escalation level points at: grid, community, street, district.
_HOLDER = (Level.GRID, Level.COMMUNITY, Level.STREET, Level.DISTRICT)


def responsible_unit(case: Case) -> str:
    """Returns the code of the unit that holds the case at its escalation level."""
    return prefix(case.grid_code, _HOLDER[min(case.escalation_level, 3)])


def notify(session: Session, case: Case, *, kind: str, subject: str, body: str) -> None:
    """Sends a message about the case to its responsible unit and department."""
    department = session.get(Department, case.department_id) if case.department_id else None
    message = Message(
        district_code=case.district_code,
        to=Recipients(
            unit_code=responsible_unit(case),
            department_code=department.code if department else None,
        ),
        subject=subject,
        body=body,
        kind=kind,
        case_id=case.id,
    )
    for sender in get_senders(get_settings(), session=session):
        sender.send(message)


_TITLES = {f"case.{action.value}": words for action, words in _NOTICES.items()} | {
    "escalate": ("超时升级", "escalated, overdue")
}


def title(kind: str, receipt: str, lang: str) -> str | None:
    """Returns a notice's subject in one language (the stored one holds both, for senders that
    reach people whose language is unknown); None for a kind not sent by a case's step."""
    if kind not in _TITLES:
        return None
    zh, en = _TITLES[kind]
    return f"{zh}：{receipt}" if lang == "zh" else f"{en.capitalize()}: {receipt}"


def notice(case: Case, action: Action, note: str | None) -> dict | None:
    """Returns the message (kind, subject, body) this step sends, or None if it sends none."""
    if action is Action.ESCALATE:
        return {
            "kind": "escalate",
            "subject": f"督办 overdue: {case.receipt}",
            "body": f"案件 {case.receipt} 已超时，升级至"
            f"{LEVEL_NAMES.get(case.escalation_level, '')}",
        }
    if action not in _NOTICES:
        return None
    zh, en = _NOTICES[action]
    return {
        "kind": f"case.{action.value}",
        "subject": f"{zh} {en}: {case.receipt}",
        "body": note or case.description,
    }
