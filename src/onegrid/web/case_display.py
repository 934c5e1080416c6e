"""How the pages show a case: its state, light and time left in words, as the components take
them (templates/components/cases.html, timeline.html). The services decide; this only says."""

from dataclasses import dataclass
from datetime import datetime

from onegrid.cases.machine import STATE_NAMES_EN, Action
from onegrid.cases.models import Case, State
from onegrid.core.workcalendar import WorkCalendar
from onegrid.web.strings import Strings, pick

STATE_LABELS: Strings = {
    State.RECEIVED.value: ("已受理", STATE_NAMES_EN[State.RECEIVED]),
    State.VERIFYING.value: ("核实中", STATE_NAMES_EN[State.VERIFYING]),
    State.VERIFIED.value: ("已核实", STATE_NAMES_EN[State.VERIFIED]),
    State.OPENED.value: ("已立案", STATE_NAMES_EN[State.OPENED]),
    State.DISPATCHED.value: ("处置中", STATE_NAMES_EN[State.DISPATCHED]),
    State.RETURNED.value: ("已回退", STATE_NAMES_EN[State.RETURNED]),
    State.PARKED.value: ("挂账", STATE_NAMES_EN[State.PARKED]),
    State.HANDLED.value: ("待核查", STATE_NAMES_EN[State.HANDLED]),
    State.CLOSED.value: ("已结案", STATE_NAMES_EN[State.CLOSED]),
    State.EVALUATED.value: ("已评价", STATE_NAMES_EN[State.EVALUATED]),
    State.VOIDED.value: ("已作废", STATE_NAMES_EN[State.VOIDED]),
    State.MERGED.value: ("已合并", STATE_NAMES_EN[State.MERGED]),
}

# Each step of a timeline in plain words: what happened to the case.
ACTION_LABELS: Strings = {
    Action.RECEIVE.value: ("问题已受理", "The report was received"),
    Action.REQUEST_VERIFY.value: ("派网格员现场核实", "A grid worker was sent to verify"),
    Action.VERIFY.value: ("现场核实完成", "Verified on site"),
    Action.OPEN.value: ("立案", "Opened as a case"),
    Action.VOID.value: ("作废", "Voided"),
    Action.DISPATCH.value: ("派遣至处置部门", "Dispatched to the department"),
    Action.RETURN.value: ("部门回退，重新派遣", "Returned by the department for redispatch"),
    Action.REQUEST_EXTENSION.value: ("申请延期", "Extension requested"),
    Action.APPROVE_EXTENSION.value: ("延期获批", "Extension approved"),
    Action.REJECT_EXTENSION.value: ("延期未获批", "Extension refused"),
    Action.REQUEST_PARK.value: ("申请挂账", "Parking requested"),
    Action.APPROVE_PARK.value: ("挂账获批", "Parked"),
    Action.REJECT_PARK.value: ("挂账未获批", "Parking refused"),
    Action.UNPARK.value: ("恢复处置", "Handling resumed"),
    Action.FEEDBACK.value: ("部门处置完毕", "Handled by the department"),
    Action.CHECK_PASS.value: ("现场核查通过，结案", "Checked on site and closed"),
    Action.CHECK_FAIL.value: ("核查未通过，返工", "Check failed: back to the department"),
    Action.EVALUATE.value: ("已评价", "Rated"),
    Action.MERGE.value: ("与同一问题的报告合并", "Merged with a report of the same problem"),
    Action.SUPERVISE.value: ("督办", "Supervised"),
    Action.ESCALATE.value: ("超时升级", "Escalated for being late"),
}

LIGHT_LABELS: Strings = {
    "green": ("绿灯：时限内", "Green: on time"),
    "yellow": ("黄灯：临近时限", "Yellow: near the limit"),
    "red": ("红灯：已超时", "Red: overdue"),
}

# "one" reads 1 in the singular; "under" is what rounds to 0 (a deadline passed minutes ago
# reads "under 0.1 h overdue", not "0 h overdue", even when the wall clock ran hours since).
TIME_LEFT: Strings = {
    "left": ("剩余 {h} 工作小时", "{h} working hours left"),
    "left_one": ("剩余 1 工作小时", "1 working hour left"),
    "left_under": ("剩余不足 0.1 工作小时", "under 0.1 working hours left"),
    "over": ("已超时 {h} 工作小时", "{h} working hours overdue"),
    "over_one": ("已超时 1 工作小时", "1 working hour overdue"),
    "over_under": ("已超时不足 0.1 工作小时", "under 0.1 working hours overdue"),
}


@dataclass(frozen=True)
class Clock:
    """A case's running stage clock as shown: its light and the working time left."""

    light: str | None  # green, yellow, red; None when no clock runs
    light_label: str
    time_left: str  # "剩余 3.5 工作小时", "已超时 2 工作小时", or ""


def _hours(words: dict[str, str], side: str, minutes: float) -> str:
    """The working time as said: "3.5 working hours left", "1 working hour overdue"…"""
    hours = round(minutes / 60, 1)
    if hours == 0:
        return words[f"{side}_under"]
    if hours == 1:
        return words[f"{side}_one"]
    return words[side].format(h=f"{hours:g}")


def clock(case: Case, calendar: WorkCalendar, now: datetime, lang: str) -> Clock:
    """Returns the case's light and time left in working hours, in this language."""
    if case.stage_deadline is None or case.stage_started_at is None:
        return Clock(None, "", "")
    light = calendar.light(case.stage_started_at, case.stage_deadline, now).value
    words = pick(TIME_LEFT, lang)
    if now <= case.stage_deadline:
        left = _hours(words, "left", calendar.working_minutes(now, case.stage_deadline))
    else:
        left = _hours(words, "over", calendar.working_minutes(case.stage_deadline, now))
    return Clock(light, pick(LIGHT_LABELS, lang)[light], left)


def state_label(state: str, lang: str) -> str:
    return pick(STATE_LABELS, lang).get(state, state)


def action_label(action: str, lang: str) -> str:
    return pick(ACTION_LABELS, lang).get(action, action)
