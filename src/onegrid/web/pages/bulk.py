"""The console's bulk actions at `POST /console/bulk` (command centre): the cases ticked in the
console's list (`case`, many) and one action (dispatch, void, merge) taken on each in its own
transaction through cases/batch.py, the same path as `POST /api/v1/cases/bulk`; the answer is
a page listing what became of each case (its new state, or why it was refused)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from onegrid.cases import batch
from onegrid.cases.machine import Action
from onegrid.core.access import require, source_of
from onegrid.core.errors import Invalid
from onegrid.core.inputs import clean_text
from onegrid.core.permissions import Permission, Principal
from onegrid.db import WritingSession
from onegrid.web.case_display import action_label, state_label
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings

router = APIRouter(include_in_schema=False)
Commander = Annotated[Principal, require(Permission.CASES_COMMAND)]


def _action(name: str) -> Action:
    try:
        action = Action(name)
    except ValueError:
        action = None
    if action not in batch.ACTIONS:
        raise Invalid(
            "批量操作只能是派遣、作废或合并",
            "a bulk action is dispatch, void or merge",
            field="action",
        )
    return action


@router.post("/console/bulk", response_class=HTMLResponse)
def bulk(
    request: Request,
    session: WritingSession,
    who: Commander,
    case: Annotated[list[int] | None, Form(max_length=batch.MAX_CASES + 1)] = None,
    action: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    department_code: Annotated[str, Form(max_length=32)] = "",
    into: Annotated[str, Form(max_length=32)] = "",
    lang: Lang = None,
) -> Response:
    """Takes one action on each selected case; shows each case's result."""
    chosen = language(request, lang)
    taken = _action(action)
    note = clean_text(note, "说明", "the note").strip()
    outcomes = batch.take(
        session=session,
        who=who,
        case_ids=list(case or []),
        action=taken,
        note=note or None,
        data=batch.data_of(taken, department_code.strip() or None, into),
        source=source_of(request),
    )
    rows = [
        {
            "case_id": o.case_id,
            "receipt": o.receipt,
            "ok": o.ok,
            "result": state_label(o.state, chosen) if o.ok else o.error.message(chosen),
        }
        for o in outcomes
    ]
    context = {
        **header_context(request, session, who, chosen),
        "action": action_label(taken.value, chosen),
        "rows": rows,
        "taken": sum(r["ok"] for r in rows),
        "refused": sum(not r["ok"] for r in rows),
        "console": f"{root(request)}/console?lang={chosen}",
    }
    return render(request, "bulk_result.html", chosen, STRINGS, context)


STRINGS: Strings = {
    "page_title": ("批量操作结果", "Bulk action: results"),
    "summary": (
        "{action}：{taken} 件已办理，{refused} 件未办理。",
        "{action}: {taken} taken, {refused} refused.",
    ),
    "col_case": ("案件", "Case"),
    "col_outcome": ("结果", "Outcome"),
    "col_detail": ("状态或原因", "State or reason"),
    "outcome_ok": ("已办理", "taken"),
    "outcome_refused": ("未办理", "refused"),
    "not_found": ("（不在您的范围内）", "(not in your scope)"),
    "back_to_console": ("返回指挥中心工作台", "Back to the console"),
}
