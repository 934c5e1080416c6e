"""The action forms of the staff case page: which forms a reader gets on a case (the actions
its role may take in the case's state, cases/machine.allowed_actions), what each form asks
(a note, photos, a category, a department, a case to merge into, a duration, a rating), the
choices it offers, and the action and data a filled form takes.

Each form posts to `/cases/{id}/actions` (web/pages/case.py) with `choice` naming what to do.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases.machine import Action, allowed_actions
from onegrid.cases.models import Case
from onegrid.cases.nearby import nearby
from onegrid.core.errors import DomainError, Invalid, NotFound
from onegrid.core.permissions import Principal
from onegrid.routing import service as routing
from onegrid.routing.models import Category
from onegrid.territory.models import Department


@dataclass(frozen=True)
class FormSpec:
    """A form: its choices (keys of CHOICES), the inputs it has besides the note, and whether
    the note is needed (a reason, a result)."""

    choices: tuple[str, ...]
    inputs: tuple[str, ...] = ()
    note_required: bool = False


# What each choice takes: the action and its fixed data.
CHOICES: dict[str, tuple[Action, dict]] = {
    "verify_valid": (Action.VERIFY, {"valid": True}),
    "verify_invalid": (Action.VERIFY, {"valid": False}),
    "check_pass": (Action.CHECK_PASS, {}),
    "check_fail": (Action.CHECK_FAIL, {}),
    **{
        a.value: (a, {})
        for a in Action
        if a not in (Action.RECEIVE, Action.VERIFY, Action.CHECK_PASS, Action.CHECK_FAIL)
        and a is not Action.ESCALATE
    },
}
# The forms, in the order the page shows them; the field's (verify, check) keep their names.
FORMS: dict[str, FormSpec] = {
    "verify": FormSpec(("verify_valid", "verify_invalid"), ("photos",)),
    "check": FormSpec(("check_pass", "check_fail"), ("photos",)),
    "request_verify": FormSpec(("request_verify",)),
    "open": FormSpec(("open",), ("category",)),
    "dispatch": FormSpec(("dispatch",), ("department",)),
    "extension": FormSpec(("approve_extension", "reject_extension")),
    "park": FormSpec(("approve_park", "reject_park")),
    "unpark": FormSpec(("unpark",)),
    "feedback": FormSpec(("feedback",), ("photos",), note_required=True),
    "return": FormSpec(("return",), note_required=True),
    "request_extension": FormSpec(("request_extension",), ("duration",), note_required=True),
    "request_park": FormSpec(("request_park",), note_required=True),
    "evaluate": FormSpec(("evaluate",), ("rating",)),
    "merge": FormSpec(("merge",), ("into",)),
    "void": FormSpec(("void",), note_required=True),
    "supervise": FormSpec(("supervise",), note_required=True),
}
DURATIONS = ("1d", "2d", "3d", "5d", "10d")


@dataclass
class Filled:
    """What a refused form held, to show it again: which form, its inputs, and why."""

    form: str
    choice: str
    note: str
    error: str
    conflict: bool = False
    field: str | None = None
    values: dict | None = None


@dataclass
class Inputs:
    """What a form sent besides its choice and note."""

    category_code: str = ""
    department_code: str = ""
    into: str = ""
    duration: str = ""
    rating: str = ""

    def values(self) -> dict:
        return dict(self.__dict__)


def form_of(choice: str) -> str:
    """Returns the name of the form a choice belongs to."""
    return next((name for name, spec in FORMS.items() if choice in spec.choices), "")


def action_and_data(choice: str, note: str, inputs: Inputs) -> tuple[Action, dict]:
    """Returns the action and data a filled form takes, or raises Invalid naming the field."""
    if choice not in CHOICES or not form_of(choice):
        raise Invalid("请选择处理结果", "choose a result", field="choice")
    action, fixed = CHOICES[choice]
    if action is Action.SUPERVISE and not note:  # the dispatcher lets the API's go without
        raise Invalid("请填写督办意见", "write what to hurry in the note", field="note")
    data = dict(fixed)
    if action is Action.OPEN and inputs.category_code:
        data["category_code"] = inputs.category_code
    if action is Action.DISPATCH and inputs.department_code:
        data["department_code"] = inputs.department_code
    if action is Action.MERGE:
        into = inputs.into.strip().upper()
        if not into:
            raise Invalid(
                "请选择或填写要并入的案件编号",
                "pick or type the receipt to merge into",
                field="into",
            )
        data["into"] = into
    if action is Action.REQUEST_EXTENSION:
        data["duration"] = inputs.duration.strip()
    if action is Action.EVALUATE:
        if inputs.rating not in {"1", "2", "3", "4", "5"}:
            raise Invalid("请选择 1 到 5 分的评价", "choose a rating from 1 to 5", field="rating")
        data["rating"] = int(inputs.rating)
    return action, data


# The input an action's refusal is about, when the dispatcher does not name one.
_FIELD_OF = {
    Action.OPEN: "category_code",
    Action.DISPATCH: "department_code",
    Action.MERGE: "into",
    Action.REQUEST_EXTENSION: "duration",
    Action.EVALUATE: "rating",
}


# The actions whose effect wants a reason in the note before anything else (cases/effects.py).
_NOTE_FIRST = {
    Action.VOID,
    Action.RETURN,
    Action.REQUEST_EXTENSION,
    Action.REQUEST_PARK,
    Action.FEEDBACK,
    Action.CHECK_FAIL,
}


def about_input(error: DomainError, action: Action, note: str) -> DomainError:
    """Returns the refusal of an action's data as Invalid naming its input: the note when a
    reason is missing, else the action's own input (a merge into a case that is not there is
    the form's mistake: 422, not the case's 404)."""
    if not isinstance(error, Invalid | NotFound) or "field" in error.detail:
        return error
    field = "note" if action in _NOTE_FIRST and not note else _FIELD_OF.get(action)
    if field is None:
        return error
    named = Invalid(error.zh, error.en, **error.detail)
    named.detail["field"] = field
    return named


def forms(case: Case, who: Principal, filled: Filled | None) -> list[dict]:
    """Returns the forms of the actions the principal may take on the case now."""
    allowed = set(allowed_actions(case, who))
    out = []
    for name, spec in FORMS.items():
        offered = [c for c in spec.choices if CHOICES[c][0] in allowed]
        if offered:
            mine = filled if filled and filled.form == name else None
            out.append(
                {
                    "name": name,
                    "choices": offered,
                    "inputs": spec.inputs,
                    "note_required": spec.note_required,
                    "filled": mine,
                }
            )
    return out


def _name(row, lang: str) -> str:
    return row.name_en if lang == "en" else row.name


def options(
    session: Session, case: Case, who: Principal, names: set[str], lang: str
) -> dict[str, object]:
    """Returns what the forms' pickers offer: categories, departments (the routing table's
    proposal marked), the cases nearby (to merge into, and shown), durations."""
    out: dict[str, object] = {"durations": DURATIONS}
    if "open" in names:
        rows = session.scalars(
            select(Category)
            .where(Category.district_code == case.district_code, Category.active.is_(True))
            .order_by(Category.code)
        )
        out["categories"] = [
            {
                "code": c.code,
                "name": _name(c, lang),
                "group": c.major_name_en if lang == "en" else c.major_name,
            }
            for c in rows
        ]
    if "dispatch" in names:
        rows = session.scalars(
            select(Department)
            .where(Department.district_code == case.district_code)
            .order_by(Department.code)
        )
        out["departments"] = [{"code": d.code, "name": _name(d, lang)} for d in rows]
        out["proposal"] = _proposal(session, case)
    out["nearby"] = nearby(session=session, case=case, scope=who.scope)
    return out


def _proposal(session: Session, case: Case) -> str | None:
    """Returns the code of the department the routing table sends the case to, if any."""
    try:
        return routing.route(
            session=session,
            district_code=case.district_code,
            category_code=case.category_code,
            unit_code=case.grid_code,
        ).code
    except DomainError:
        return None
