"""The system admin's pages: categories and their time limits (/admin/categories), routing rules
with a preview of where a case would go (/admin/routing), and the working and rest days declared
above the official calendar (/admin/calendar).

Each change goes through its service (routing/service.py, routing/calendar.py) and is audited
as the API's are; a refused form comes back with the field's error, nothing saved.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from onegrid.audit import auditing
from onegrid.core.access import require
from onegrid.core.errors import DomainError, Invalid, NotFound
from onegrid.core.levels import UNIT_CODE_PATTERN
from onegrid.core.permissions import Permission, Principal, Scope
from onegrid.db import DbSession, WritingSession
from onegrid.routing import calendar, service
from onegrid.territory import service as territory
from onegrid.web.admin import FORM, admin_page, errors_of, forget_refused, local
from onegrid.web.rendering import Lang, language, root
from onegrid.web.report_form import map_settings
from onegrid.web.strings import Strings, pick

router = APIRouter(include_in_schema=False)
SystemAdmin = Annotated[Principal, require(Permission.SYSTEM_CONFIGURE)]
Short = Annotated[str, Form(max_length=32)]
ShortQuery = Annotated[str, Query(max_length=32)]
_LIMIT_FIELDS = tuple(f"{stage}_limit" for stage in service.STAGES)


def _name(category, lang: str) -> str:
    return category.name_en if lang == "en" else category.name


def _departments(session: Session, who: Principal, lang: str) -> list[tuple[str, str]]:
    found = territory.list_departments(session=session, scope=who.scope)
    return [(d.code, d.name_en if lang == "en" else d.name) for d in found]


def _back(request: Request, path: str, lang: str, done: str) -> Response:
    return RedirectResponse(f"{root(request)}{path}?lang={lang}&done={done}", status_code=303)


# ---- categories and their time limits ------------------------------------------------------


@router.get("/admin/categories", response_class=HTMLResponse)
def categories(
    request: Request,
    session: DbSession,
    who: SystemAdmin,
    lang: Lang = None,
    done: ShortQuery = "",
    code: ShortQuery = "",
) -> Response:
    """Every category of the district, active or not, with its limits and default department."""
    chosen = language(request, lang)
    found = service.list_categories(session=session, scope=who.scope, include_inactive=True)
    departments = dict(_departments(session, who, chosen))
    rows = [
        {
            "code": c.code,
            "name": _name(c, chosen),
            "limits": [getattr(c, field) for field in _LIMIT_FIELDS],
            "department": departments.get(c.default_department_code, c.default_department_code),
            "active": c.active,
        }
        for c in found
    ]
    context = {"rows": rows, "done": done, "done_code": code}
    return admin_page(request, session, who, chosen, "admin_categories.html", STRINGS, context)


def _category_form(request, session, who, lang, category, context: dict, status: int = 200):
    values = {
        **{field: getattr(category, field) for field in _LIMIT_FIELDS},
        "department": category.default_department_code,
        "active": category.active,
        **context.pop("values", {}),
    }
    context = {
        "category": {"code": category.code, "name": _name(category, lang)},
        "stages": [(stage, f"{stage}_limit") for stage in service.STAGES],
        "departments": _departments(session, who, lang),
        "values": values,
        **context,
    }
    return admin_page(request, session, who, lang, "admin_category.html", STRINGS, context, status)


@router.get("/admin/categories/{code}", response_class=HTMLResponse)
def category_page(
    code: str, request: Request, session: DbSession, who: SystemAdmin, lang: Lang = None
) -> Response:
    """The form that edits a category's time limits, active flag and default department."""
    chosen = language(request, lang)
    category = service.get_category(session=session, scope=who.scope, code=code)
    return _category_form(request, session, who, chosen, category, {})


@router.post("/admin/categories/{code}", response_class=HTMLResponse)
def save_category(
    code: str,
    request: Request,
    session: WritingSession,
    who: SystemAdmin,
    verify_limit: Short = "",
    dispatch_limit: Short = "",
    handle_limit: Short = "",
    check_limit: Short = "",
    department: Short = "",
    active: Annotated[bool, Form()] = False,
    lang: Lang = None,
) -> Response:
    """Saves the category's limits ("2h", "3d"), active flag and department, or shows why not."""
    chosen = language(request, lang)
    given = {
        "verify": verify_limit,
        "dispatch": dispatch_limit,
        "handle": handle_limit,
        "check": check_limit,
    }
    try:
        category, before = service.update_category(
            session=session,
            scope=who.scope,
            code=code,
            limits=given,
            active=active,
            department_code=department,
        )
    except DomainError as error:
        if isinstance(error, NotFound) and "department_code" not in error.detail:
            raise
        forget_refused(session)
        category = service.get_category(session=session, scope=who.scope, code=code)
        errors = errors_of(error, chosen, _LIMIT_FIELDS)
        if "department_code" in error.detail:
            errors = {"department": error.message(chosen)}
        values = {f"{stage}_limit": text for stage, text in given.items()}
        context = {
            "errors": errors,
            "values": {**values, "department": department, "active": active},
        }
        return _category_form(request, session, who, chosen, category, context, 422)
    after = {
        **{field: getattr(category, field) for field in _LIMIT_FIELDS},
        "active": category.active,
        "department_code": category.default_department_code,
    }
    auditing.record(
        session,
        request,
        who,
        "category.update",
        object_type="category",
        object_id=code,
        detail={"old": before, "new": after},
        district_code=category.district_code,
    )
    return RedirectResponse(
        f"{root(request)}/admin/categories?lang={chosen}&done=saved&code={code}", 303
    )


# ---- routing rules and the preview ---------------------------------------------------------


def _routing_page(request, session, who, lang, context: dict, status: int = 200) -> Response:
    departments = _departments(session, who, lang)
    names = dict(departments)
    categories = service.list_categories(session=session, scope=who.scope, include_inactive=True)
    category_names = {c.code: _name(c, lang) for c in categories}
    rules = service.list_rules(session=session, scope=who.scope)
    units = territory.names(
        session=session, codes=sorted({r.unit_code for r in rules}), scope=Scope.all()
    )
    rows = [
        {
            "category_code": r.category_code,
            "category": category_names.get(r.category_code, r.category_code),
            "unit_code": r.unit_code,
            "unit": units.get(r.unit_code, ""),
            "department_code": r.department_code,
            "department": names.get(r.department_code, r.department_code),
        }
        for r in rules
    ]
    context = {
        "rules": rows,
        "categories": [(c.code, f"{c.code} {_name(c, lang)}") for c in categories],
        "departments": departments,
        "rule_values": {},
        "preview_values": {},
        "preview": None,
        "unit_pattern": UNIT_CODE_PATTERN.strip("^$"),
        **context,
    }
    script = {"map": map_settings(session)}
    return admin_page(
        request, session, who, lang, "admin_routing.html", STRINGS, context, status, script
    )


def _preview(session: Session, who: Principal, lang: str, category: str, lon: str, lat: str):
    """Where a case of this category at this point would go: (result, errors)."""
    t = pick(STRINGS, lang)
    errors = {}
    if not category:
        errors["preview_category"] = t["error_category"]
    try:
        x, y = float(lon), float(lat)
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            raise ValueError
    except ValueError:
        errors["preview_point"] = t["error_point"]
    if errors:
        return None, errors
    try:
        grid, _, _ = territory.locate_grid(session=session, lon=x, lat=y)
        unit = territory.get_by_code(session=session, code=grid, scope=who.scope)
    except DomainError as error:
        return None, {"preview_point": error.message(lang)}
    try:
        found = service.resolve(
            session=session,
            district_code=unit.district_code,
            category_code=category,
            unit_code=grid,
        )
    except DomainError as error:
        return None, {"preview_category": error.message(lang)}
    department = found.department
    names = territory.names(
        session=session, codes=[grid, found.rule_unit_code or grid], scope=Scope.all()
    )
    return {
        "grid_code": grid,
        "grid": names.get(grid, grid),
        "department": department.name_en if lang == "en" else department.name,
        "department_code": department.code,
        "rule_unit_code": found.rule_unit_code,
        "rule_unit": names.get(found.rule_unit_code, "") if found.rule_unit_code else "",
    }, {}


@router.get("/admin/routing", response_class=HTMLResponse)
def routing(
    request: Request,
    session: DbSession,
    who: SystemAdmin,
    lang: Lang = None,
    done: ShortQuery = "",
    category: ShortQuery = "",
    lon: ShortQuery = "",
    lat: ShortQuery = "",
) -> Response:
    """The routing rules, the form that sets one, and the preview of a point and a category."""
    chosen = language(request, lang)
    context: dict = {"done": done}
    if category or lon or lat:
        preview, errors = _preview(session, who, chosen, category, lon, lat)
        values = {"category": category, "lon": lon, "lat": lat}
        context |= {"preview": preview, "errors": errors, "preview_values": values}
        if errors:
            return _routing_page(request, session, who, chosen, context, 422)
    return _routing_page(request, session, who, chosen, context)


@router.post("/admin/routing/rules", response_class=HTMLResponse)
def set_rule(
    request: Request,
    session: WritingSession,
    who: SystemAdmin,
    category_code: Short = "",
    unit_code: Short = "",
    department_code: Short = "",
    lang: Lang = None,
) -> Response:
    """Routes a category's cases in a unit (and below it) to a department."""
    chosen = language(request, lang)
    values = {
        "category_code": category_code,
        "unit_code": unit_code,
        "department_code": department_code,
    }
    try:
        if not unit_code.isdigit():
            raise Invalid(*STRINGS["error_unit"], field="unit_code")
        rule = service.set_rule(
            session=session,
            scope=who.scope,
            category_code=category_code,
            unit_code=unit_code,
            department_code=department_code,
        )
    except DomainError as error:
        forget_refused(session)
        errors = {_rule_field(error): error.message(chosen)}
        context = {"errors": errors, "rule_values": values}
        return _routing_page(request, session, who, chosen, context, 422)
    auditing.record(
        session,
        request,
        who,
        "routing.set_rule",
        object_type="routing_rule",
        object_id=f"{rule.category_code}@{rule.unit_code}",
        detail=values,
        district_code=rule.district_code,
    )
    return _back(request, "/admin/routing", chosen, "set")


def _rule_field(error: DomainError) -> str:
    if "department_code" in error.detail:
        return "department_code"
    if error.detail.get("field") == "unit_code" or "unit_code" in error.detail:
        return "unit_code"
    if "区划单元" in error.zh:  # territory's NotFound: no such unit in the scope
        return "unit_code"
    return "category_code"


@router.post("/admin/routing/rules/delete", response_class=HTMLResponse)
def delete_rule(
    request: Request,
    session: WritingSession,
    who: SystemAdmin,
    category_code: Short = "",
    unit_code: Short = "",
    lang: Lang = None,
) -> Response:
    """Removes a routing rule: the next less specific rule, or the category's default, holds."""
    chosen = language(request, lang)
    try:
        rule = service.delete_rule(
            session=session, scope=who.scope, category_code=category_code, unit_code=unit_code
        )
    except DomainError as error:
        forget_refused(session)
        context = {"errors": {FORM: error.message(chosen)}}
        return _routing_page(request, session, who, chosen, context, 404)
    auditing.record(
        session,
        request,
        who,
        "routing.delete_rule",
        object_type="routing_rule",
        object_id=f"{category_code}@{unit_code}",
        detail={"department_code": rule.department_code},
        district_code=rule.district_code,
    )
    return _back(request, "/admin/routing", chosen, "deleted")


# ---- the calendar's declared days ----------------------------------------------------------


def _calendar_page(request, session, who, lang, context: dict, status: int = 200) -> Response:
    days = calendar.list_days(session=session, scope=who.scope)
    rows = [
        {
            "day": d.day.isoformat(),
            "working": d.working,
            "reason": d.reason,
            "set_by": d.set_by,
            "set_at": local(d.set_at),
        }
        for d in days
    ]
    context = {"days": rows, "values": {"working": "rest"}, **context}
    return admin_page(request, session, who, lang, "admin_calendar.html", STRINGS, context, status)


@router.get("/admin/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request, session: DbSession, who: SystemAdmin, lang: Lang = None, done: ShortQuery = ""
) -> Response:
    """The days declared working or rest days, and the form that declares one."""
    return _calendar_page(request, session, who, language(request, lang), {"done": done})


def _day(text: str, lang: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(*STRINGS["error_day"], field="day") from None


@router.post("/admin/calendar", response_class=HTMLResponse)
def declare_day(
    request: Request,
    session: WritingSession,
    who: SystemAdmin,
    day: Short = "",
    working: Short = "",
    reason: Annotated[str, Form(max_length=400)] = "",
    lang: Lang = None,
) -> Response:
    """Declares a day a working or rest day; the running calendar counts with it at once."""
    chosen = language(request, lang)
    values = {"day": day, "working": working, "reason": reason}
    try:
        if working not in ("work", "rest"):
            raise Invalid(*STRINGS["error_working"], field="working")
        row, before = calendar.declare(
            session=session,
            district_code=who.scope.district_code,
            day=_day(day, chosen),
            working=working == "work",
            reason=reason,
            by=who.username,
        )
    except DomainError as error:
        forget_refused(session)
        context = {
            "errors": errors_of(error, chosen, ("day", "working", "reason")),
            "values": values,
        }
        return _calendar_page(request, session, who, chosen, context, 422)
    auditing.record(
        session,
        request,
        who,
        "calendar.declare",
        object_type="calendar_day",
        object_id=row.day.isoformat(),
        detail={"working": row.working, "before": before, "reason": row.reason},
    )
    calendar.install(session=session)
    return _back(request, "/admin/calendar", chosen, "declared")


@router.post("/admin/calendar/delete", response_class=HTMLResponse)
def withdraw_day(
    request: Request,
    session: WritingSession,
    who: SystemAdmin,
    day: Short = "",
    lang: Lang = None,
) -> Response:
    """Withdraws a declared day: the official calendar holds for it again."""
    chosen = language(request, lang)
    try:
        row = calendar.withdraw(
            session=session, district_code=who.scope.district_code, day=_day(day, chosen)
        )
    except DomainError as error:
        forget_refused(session)
        context = {"errors": {FORM: error.message(chosen)}}
        return _calendar_page(request, session, who, chosen, context, 404)
    auditing.record(
        session,
        request,
        who,
        "calendar.withdraw",
        object_type="calendar_day",
        object_id=row.day.isoformat(),
        detail={"working": row.working, "reason": row.reason},
    )
    calendar.install(session=session)
    return _back(request, "/admin/calendar", chosen, "withdrawn")


STRINGS: Strings = {
    "categories_title": ("类别与时限", "Categories and time limits"),
    "categories_intro": (
        "每个类别各阶段的时限（工作时间：m 分钟、h 小时、d 工作日）、默认处置部门和是否启用。"
        "修改只影响此后开始的阶段。",
        "Each category's stage time limits (working time: m minutes, h hours, d working days), "
        "default department and whether it is in use. A change counts for stages started "
        "from now on.",
    ),
    "code": ("代码", "Code"),
    "name": ("名称", "Name"),
    "stage_verify": ("核实", "Verify"),
    "stage_dispatch": ("派遣", "Dispatch"),
    "stage_handle": ("处置", "Handle"),
    "stage_check": ("核查", "Check"),
    "department": ("默认部门", "Default department"),
    "active": ("启用", "In use"),
    "inactive": ("停用", "not in use"),
    "edit": ("修改", "Edit"),
    "done_saved": ("已保存类别 {code}。", "Category {code} saved."),
    "category_title": ("类别 {code} {name}", "Category {code} {name}"),
    "limits_legend": ("各阶段时限", "Stage time limits"),
    "limit_hint": ("如 30m、2h、3d", "e.g. 30m, 2h, 3d"),
    "active_label": (
        "启用此类别（停用后不能再以此类别上报）",
        "In use (when not, no new report may take it)",
    ),
    "save": ("保存", "Save"),
    "back_to_categories": ("返回类别列表", "Back to categories"),
    "routing_title": ("派遣规则", "Routing rules"),
    "routing_intro": (
        "类别在某区划单元（及其下级）的案件派给哪个部门；最具体的规则优先，没有规则时用类别的默认部门。",
        "Which department gets a category's cases in a unit (and below it): the most specific "
        "rule wins; with no rule, the category's default department.",
    ),
    "rules_label": ("现有规则", "Rules"),
    "no_rules": (
        "还没有派遣规则：所有案件派给类别的默认部门。",
        "No rules yet: every case goes to its category's default department.",
    ),
    "category": ("类别", "Category"),
    "category_choose": ("— 请选择类别 —", "— choose a category —"),
    "unit": ("区划单元", "Unit"),
    "unit_hint": (
        "6 至 15 位区划代码（区、街道、社区或网格）",
        "A 6- to 15-digit unit code (district, street, community or grid)",
    ),
    "to_department": ("派给部门", "Department"),
    "rule_title": ("新增或修改规则", "Add or change a rule"),
    "rule_button": ("保存规则", "Save the rule"),
    "delete_rule": ("删除", "Delete"),
    "done_set": ("已保存派遣规则。", "The rule was saved."),
    "done_deleted": ("已删除派遣规则。", "The rule was deleted."),
    "preview_title": ("预览派遣", "Preview a route"),
    "preview_intro": (
        "选一个类别，再在地图上点一个位置（或填写经纬度，WGS-84），看案件会派给哪个部门、由哪条规则决定。",
        "Pick a category, then click a place on the map (or give its longitude and latitude, "
        "WGS-84): see which department would get the case, and which rule decided.",
    ),
    "map_label": ("点击地图选一个位置", "Click the map to pick a place"),
    "lon": ("经度", "Longitude"),
    "lat": ("纬度", "Latitude"),
    "preview_button": ("预览", "Preview"),
    "preview_result": (
        "位于网格 {grid}（{grid_code}）的案件派给：",
        "A case in grid {grid} ({grid_code}) goes to:",
    ),
    "decided_by_rule": ("由规则决定：{unit}（{code}）", "decided by the rule for {unit} ({code})"),
    "decided_by_default": (
        "没有规则匹配：类别的默认部门",
        "no rule matched: the category's default department",
    ),
    "error_category": ("请选择类别", "Choose a category"),
    "error_point": ("请填写有效的经纬度", "Give a valid longitude and latitude"),
    "error_unit": ("区划代码应为 6 至 15 位数字", "A unit code is 6 to 15 digits"),
    "calendar_title": ("工作日历", "Working calendar"),
    "calendar_intro": (
        "法定节假日和调休来自国家日历。某天需要更正（如临时放假、新公布的调休）时在此声明为工作日或休息日；"
        "此后开始的阶段按新日历计时。",
        "Public holidays and swapped working days come from the national calendar. Declare a "
        "day a working or rest day here when it needs correcting (a day off at short notice, "
        "a swap announced late); stages started from then on count with it.",
    ),
    "day": ("日期", "Day"),
    "kind": ("类型", "Kind"),
    "workday": ("工作日", "working day"),
    "restday": ("休息日", "rest day"),
    "reason": ("原因", "Reason"),
    "declared_by": ("声明人", "Declared by"),
    "declare_title": ("声明一天", "Declare a day"),
    "declare_button": ("保存", "Save"),
    "withdraw": ("撤销", "Withdraw"),
    "no_days": (
        "没有声明的日期：按国家日历计时。",
        "No day declared: the national calendar holds.",
    ),
    "days_label": ("已声明的日期", "Declared days"),
    "done_declared": ("已保存，日历已更新。", "Saved; the calendar counts with it now."),
    "done_withdrawn": (
        "已撤销，该日按国家日历。",
        "Withdrawn; the national calendar holds for that day.",
    ),
    "error_day": ("请填写日期，格式 YYYY-MM-DD", "Give the day as YYYY-MM-DD"),
    "error_working": ("请选择工作日或休息日", "Choose working day or rest day"),
}
