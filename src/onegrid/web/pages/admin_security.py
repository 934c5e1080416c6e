"""The security admin's pages: users (search, create, role and scope, disable and enable, a
temporary password) at /admin/users, and the sign-in locks at /admin/locks.

Every act goes through accounts/management.py, as the API's do: separation of duties checked
(no administrator's account, never one's own), audited. A refused form comes back with the
field's error in the user's language, nothing saved; a temporary password is shown once, on
the page that answers the form, and never stored in clear.
"""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from onegrid.accounts import management
from onegrid.accounts import service as accounts
from onegrid.accounts.models import User
from onegrid.audit import auditing
from onegrid.core import exports
from onegrid.core.access import require
from onegrid.core.errors import DomainError, Invalid, NotFound
from onegrid.core.levels import Level
from onegrid.core.permissions import SCOPE_LEVEL, Permission, Principal, Role
from onegrid.db import DbSession, WritingSession
from onegrid.territory import service as territory
from onegrid.web import list_exports
from onegrid.web.admin import FORM, admin_page, errors_of, forget_refused, local
from onegrid.web.rendering import Lang, language, root
from onegrid.web.strings import ROLE_NAMES, Strings, pick

router = APIRouter(include_in_schema=False)
SecurityAdmin = Annotated[Principal, require(Permission.USERS_MANAGE)]
MANAGED_ROLES = [role for role in Role if role in accounts.API_MANAGED_ROLES]
STATUSES = ("active", "disabled", "locked")
_USER_FIELDS = ("username", "display_name", "role", "scope", "department", "password")
Text = Annotated[str, Form(max_length=256)]
ShortQuery = Annotated[str, Query(max_length=64)]


def _codes(text: str) -> list[str]:
    return [code for code in text.replace(",", " ").replace("，", " ").split() if code]


def _locked_usernames(session: Session, who: Principal) -> set[str]:
    return {lock.username for lock in management.locks(session=session, who=who)}


def _row(user: User, lang: str, locked: set[str]) -> dict:
    roles = pick(ROLE_NAMES, lang)
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": roles.get(user.role, user.role),
        "scope": " ".join(s.unit_code for s in user.scopes),
        "department": user.department.code if user.department else "",
        "active": user.is_active,
        "locked": user.username in locked,
        "admin": Role(user.role) in accounts.ADMIN_ROLES,
    }


def _matches(row: dict, q: str, role: str, status: str, scope: str, user: User) -> bool:
    if q and q.lower() not in f"{row['username']} {row['display_name']}".lower():
        return False
    # a unit: the users whose scope lies within it, or holds it (a street office's street)
    codes = [s.unit_code for s in user.scopes]
    if scope and not any(c.startswith(scope) or scope.startswith(c) for c in codes):
        return False
    if role and user.role != role:
        return False
    if status == "active" and not row["active"]:
        return False
    if status == "disabled" and row["active"]:
        return False
    return status != "locked" or row["locked"]


def _choices(session: Session, who: Principal, lang: str) -> dict:
    """The role, unit and department choices of the user forms."""
    roles = pick(ROLE_NAMES, lang)
    units = territory.list_units(session=session, scope=who.scope)
    departments = territory.list_departments(session=session, scope=who.scope)
    return {
        "roles": [(role.value, roles[role.value]) for role in MANAGED_ROLES],
        "scope_levels": {
            role.value: (SCOPE_LEVEL[role].code_length if SCOPE_LEVEL[role] else 0)
            for role in MANAGED_ROLES
        },
        "units": [
            (u.code, u.name)
            for u in units
            if u.level in (Level.STREET.value, Level.COMMUNITY.value)
        ],
        "departments": [(d.code, d.name_en if lang == "en" else d.name) for d in departments],
    }


def _user_filters(
    q: ShortQuery = "", role: ShortQuery = "", status: ShortQuery = "", scope: ShortQuery = ""
) -> dict[str, str]:
    """The user list's filters as given (the list and its export read them alike)."""
    return {"q": q, "role": role, "status": status, "scope": scope}


UserFilters = Annotated[dict[str, str], Depends(_user_filters)]


def _found(request, session, who: Principal, lang: str, given: dict[str, str]):
    """The filters as understood, and the users in scope they match, as the list's rows; the
    read audited (staff's names are personal data), as one record."""
    q, role, status, scope = (given[k] for k in ("q", "role", "status", "scope"))
    role = role if role in {r.value for r in Role} else ""
    status = status if status in STATUSES else ""
    locked = _locked_usernames(session, who)
    found = []
    for user in accounts.list_in_scope(session=session, scope=who.scope):
        row = _row(user, lang, locked)
        if _matches(row, q.strip(), role, status, scope.strip(), user):
            found.append(row)
    auditing.record_read(
        session,
        request,
        who,
        "user.list",
        object_type="user",
        detail={"q": q, "role": role, "status": status, "scope": scope, "count": len(found)},
    )
    return {"q": q, "role": role, "status": status, "scope": scope}, found


def _query(filters: dict, lang: str) -> str:
    return urlencode([("lang", lang), *((k, v) for k, v in filters.items() if v)])


@router.get("/admin/users", response_class=HTMLResponse)
def users(
    request: Request,
    session: DbSession,
    who: SecurityAdmin,
    given: UserFilters,
    lang: Lang = None,
) -> Response:
    """The district's users, searched by name, role, scope and status."""
    chosen = language(request, lang)
    filters, found = _found(request, session, who, chosen, given)
    roles = pick(ROLE_NAMES, chosen)
    context = {
        "rows": found,
        "filters": filters,
        "export_csv": f"{root(request)}/admin/users/export.csv?{_query(filters, chosen)}",
        "export_xlsx": f"{root(request)}/admin/users/export.xlsx?{_query(filters, chosen)}",
        "all_roles": [(r.value, roles[r.value]) for r in Role],
        "statuses": STATUSES,
        "units": _choices(session, who, chosen)["units"],
    }
    return admin_page(request, session, who, chosen, "admin_users.html", STRINGS, context)


def _export(request, session, who: Principal, lang, given: dict[str, str]) -> Response:
    chosen = language(request, lang)
    given, found = _found(request, session, who, chosen, given)
    return list_exports.stream(
        request,
        session,
        who,
        chosen,
        columns=USER_COLUMNS,
        rows=found,
        name="users",
        audited_as="user",
        query={k: v for k, v in given.items() if v},
    )


@router.get("/admin/users/export.csv")
@router.get("/admin/users/export.xlsx")
def users_export(
    request: Request,
    session: DbSession,
    who: SecurityAdmin,
    given: UserFilters,
    lang: Lang = None,
) -> Response:
    """The users the list shows with these filters, as CSV or XLSX: names, roles, scopes."""
    return _export(request, session, who, lang, given)


def _new_form(request, session, who, lang, context: dict, status: int = 200) -> Response:
    context = {**_choices(session, who, lang), **context}
    return admin_page(request, session, who, lang, "admin_user_new.html", STRINGS, context, status)


@router.get("/admin/users/new", response_class=HTMLResponse)
def new_user(request: Request, session: DbSession, who: SecurityAdmin, lang: Lang = None):
    """The form that creates a user (not an administrator)."""
    return _new_form(request, session, who, language(request, lang), {})


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    session: WritingSession,
    who: SecurityAdmin,
    username: Annotated[str, Form(max_length=64)] = "",
    display_name: Annotated[str, Form(max_length=100)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    scope: Text = "",
    department: Annotated[str, Form(max_length=32)] = "",
    password: Text = "",
    lang: Lang = None,
) -> Response:
    """Creates the user and shows their temporary password once, or the form again."""
    chosen = language(request, lang)
    values = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "scope": scope,
        "department": department,
    }
    errors = {}
    if len(username.strip()) < 2:
        errors["username"] = pick(STRINGS, chosen)["error_username"]
    if role not in {r.value for r in MANAGED_ROLES}:
        errors["role"] = pick(STRINGS, chosen)["error_role"]
    if not errors:
        try:
            made = management.create_user(
                session=session,
                request=request,
                who=who,
                username=username.strip(),
                role=Role(role),
                display_name=display_name.strip() or None,
                password=password or None,
                unit_codes=_codes(scope),
                department_code=department or None,
            )
        except DomainError as error:
            forget_refused(session)
            errors = errors_of(error, chosen, _USER_FIELDS)
        else:
            return _user_page(
                request, session, who, chosen, made.user, {"temporary": made, "done": "created"}
            )
    return _new_form(request, session, who, chosen, {"values": values, "errors": errors}, 422)


def _user_page(request, session, who, lang, user: User, context: dict, status: int = 200):
    locked = _locked_usernames(session, who)
    row = _row(user, lang, locked)
    managed = True
    try:
        accounts.check_api_may_manage(who=who, user=user)
    except DomainError as error:
        managed, context = False, {"unmanaged": error.message(lang), **context}
    values = {
        "role": user.role,
        "scope": row["scope"] if SCOPE_LEVEL[Role(user.role)] is not Level.DISTRICT else "",
        "department": row["department"],
        **context.pop("values", {}),
    }
    context = {
        **_choices(session, who, lang),
        "user": row,
        "managed": managed,
        "values": values,
        "must_change": user.must_change_password,
        **context,
    }
    return admin_page(request, session, who, lang, "admin_user.html", STRINGS, context, status)


def _get(session: Session, who: Principal, username: str) -> User:
    return accounts.get_by_username(session=session, username=username, scope=who.scope)


@router.get("/admin/users/{username}", response_class=HTMLResponse)
def user_page(
    username: str,
    request: Request,
    session: DbSession,
    who: SecurityAdmin,
    lang: Lang = None,
    done: ShortQuery = "",
) -> Response:
    """One user: role and scope, disable or enable, a temporary password."""
    chosen = language(request, lang)
    user = _get(session, who, username)
    auditing.record_read(session, request, who, "user.read", object_type="user", object_id=username)
    return _user_page(request, session, who, chosen, user, {"done": done})


def _refused(request, session, who, lang, username, error: DomainError, fields, values=None):
    """The user's page again with the refusal by its field; nothing was saved."""
    forget_refused(session)
    if isinstance(error, NotFound) and error.detail.get("field") is None:
        raise error
    user = _get(session, who, username)
    context = {"errors": errors_of(error, lang, fields), "values": values or {}}
    status = 403 if error.kind == "forbidden" else 409 if error.kind == "conflict" else 422
    return _user_page(request, session, who, lang, user, context, status)


def _back(request: Request, username: str, lang: str, done: str) -> Response:
    return RedirectResponse(
        f"{root(request)}/admin/users/{username}?lang={lang}&done={done}", status_code=303
    )


@router.post("/admin/users/{username}/role", response_class=HTMLResponse)
def change_role(
    username: str,
    request: Request,
    session: WritingSession,
    who: SecurityAdmin,
    role: Annotated[str, Form(max_length=32)] = "",
    scope: Text = "",
    department: Annotated[str, Form(max_length=32)] = "",
    lang: Lang = None,
) -> Response:
    """Gives the user a role, scope and department."""
    chosen = language(request, lang)
    values = {"role": role, "scope": scope, "department": department}
    try:
        if role not in {r.value for r in Role}:
            raise Invalid(*STRINGS["error_role"], field="role")
        management.change_role(
            session=session,
            request=request,
            who=who,
            username=username,
            role=Role(role),
            unit_codes=_codes(scope),
            department_code=department or None,
        )
    except DomainError as error:
        fields = ("role", "scope", "department")
        return _refused(request, session, who, chosen, username, error, fields, values)
    return _back(request, username, chosen, "role")


@router.post("/admin/users/{username}/active", response_class=HTMLResponse)
def set_active(
    username: str,
    request: Request,
    session: WritingSession,
    who: SecurityAdmin,
    active: Annotated[bool, Form()],
    lang: Lang = None,
) -> Response:
    """Enables or disables the user (disabling ends their sessions at once)."""
    chosen = language(request, lang)
    try:
        management.set_active(
            session=session, request=request, who=who, username=username, active=active
        )
    except DomainError as error:
        return _refused(request, session, who, chosen, username, error, ())
    return _back(request, username, chosen, "enabled" if active else "disabled")


@router.post("/admin/users/{username}/password", response_class=HTMLResponse)
def reset_password(
    username: str,
    request: Request,
    session: WritingSession,
    who: SecurityAdmin,
    password: Text = "",
    lang: Lang = None,
) -> Response:
    """Sets a temporary password (generated if none is given) and shows it once."""
    chosen = language(request, lang)
    try:
        made = management.reset_password(
            session=session, request=request, who=who, username=username, password=password or None
        )
    except DomainError as error:
        return _refused(request, session, who, chosen, username, error, ("password",))
    context = {"temporary": made, "done": "reset"}
    return _user_page(request, session, who, chosen, made.user, context)


def _locks_page(request, session, who, lang, context: dict, status: int = 200) -> Response:
    rows = [
        {
            "username": lock.username,
            "source": lock.source,
            "until": local(lock.locked_until),
            "until_iso": lock.locked_until.isoformat(),
        }
        for lock in management.locks(session=session, who=who)
    ]
    context = {"locks": rows, **context}
    return admin_page(request, session, who, lang, "admin_locks.html", STRINGS, context, status)


@router.get("/admin/locks", response_class=HTMLResponse)
def locks(
    request: Request,
    session: DbSession,
    who: SecurityAdmin,
    lang: Lang = None,
    done: ShortQuery = "",
) -> Response:
    """The sign-in locks in force: a username from a source, or a whole source."""
    return _locks_page(request, session, who, language(request, lang), {"done": done})


@router.post("/admin/locks/unlock", response_class=HTMLResponse)
def unlock(
    request: Request,
    session: WritingSession,
    who: SecurityAdmin,
    username: Annotated[str, Form(max_length=64)] = "",
    source: Annotated[str, Form(max_length=64)] = "",
    lang: Lang = None,
) -> Response:
    """Lifts a sign-in lock before its time."""
    chosen = language(request, lang)
    try:
        management.unlock(
            session=session, request=request, who=who, username=username, source=source
        )
    except DomainError as error:
        forget_refused(session)
        context = {"errors": {FORM: error.message(chosen)}}
        return _locks_page(request, session, who, chosen, context, 404)
    return RedirectResponse(f"{root(request)}/admin/locks?lang={chosen}&done=unlocked", 303)


STRINGS: Strings = {
    "users_title": ("用户管理", "Users"),
    "users_intro": (
        "本区的账户。管理员账户只能在服务器命令行用 onegrid user 管理（三员分立）。",
        "The district's accounts. Administrators' accounts are managed only with "
        "onegrid user on the server's command line (separation of duties).",
    ),
    "search": ("搜索", "Search"),
    "search_label": ("用户名或姓名", "Username or name"),
    "role": ("角色", "Role"),
    "any_role": ("全部角色", "Any role"),
    "status": ("状态", "Status"),
    "any_status": ("全部状态", "Any status"),
    "status_active": ("启用", "active"),
    "status_disabled": ("已停用", "disabled"),
    "status_locked": ("登录被锁定", "sign-in locked"),
    "new_user": ("新建用户", "New user"),
    "users_count": ("共 {n} 个用户", "{n} users"),
    "no_users": ("没有符合条件的用户。", "No user matches."),
    "username": ("用户名", "Username"),
    "display_name": ("姓名", "Name"),
    "scope": ("辖区", "Scope"),
    "department": ("部门", "Department"),
    "col_active": ("启用（1 是，0 否）", "active (1 yes, 0 no)"),
    "col_locked": ("登录被锁定（1 是，0 否）", "sign-in locked (1 yes, 0 no)"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export XLSX"),
    "no_department": ("（无）", "(none)"),
    "admin_account": ("管理员账户", "administrator"),
    "scope_hint": (
        "辖区单元代码，多个用空格分隔：网格员填 15 位网格代码，社区工作人员 12 位社区代码，"
        "街道办 9 位街道代码；全区角色留空。",
        "Unit codes, separated by spaces: a grid worker's 15-digit grids, community staff's "
        "12-digit community, a street office's 9-digit street; empty for district-wide roles.",
    ),
    "units_label": ("街道和社区", "Streets and communities"),
    "department_hint": ("仅部门处置人员需要", "For department handlers only"),
    "password": ("临时密码（选填）", "Temporary password (optional)"),
    "password_hint": (
        "留空则自动生成。用户首次登录时必须修改。",
        "Leave empty to generate one. The user must change it at first sign-in.",
    ),
    "create_button": ("创建用户", "Create user"),
    "back_to_users": ("返回用户列表", "Back to users"),
    "error_username": ("请填写至少 2 个字符的用户名", "Give a username of at least 2 characters"),
    "error_role": ("请选择可由本页管理的角色", "Choose a role this page may give"),
    "form_error": ("未保存：", "Nothing saved: "),
    "user_title": ("用户 {name}", "User {name}"),
    "state": ("状态", "Status"),
    "must_change": ("须在下次登录时修改密码", "must change the password at next sign-in"),
    "temporary_shown": (
        "{name} 的临时密码（只显示这一次，请当面或电话告知本人；首次登录须修改）：",
        "{name}'s temporary password (shown this once: tell them in person or by phone; "
        "they must change it at first sign-in):",
    ),
    "done_created": ("已创建用户。", "The user was created."),
    "done_role": ("已保存角色和辖区。", "Role and scope saved."),
    "done_disabled": ("已停用，该用户的所有会话已结束。", "Disabled; all their sessions ended."),
    "done_enabled": ("已启用。", "Enabled."),
    "done_reset": ("已重置密码。", "The password was reset."),
    "role_title": ("角色与辖区", "Role and scope"),
    "save_role": ("保存角色与辖区", "Save role and scope"),
    "active_title": ("启用与停用", "Enable or disable"),
    "disable_button": ("停用账户", "Disable the account"),
    "enable_button": ("启用账户", "Enable the account"),
    "disable_hint": (
        "停用后该用户立即退出所有会话，不能再登录。",
        "Disabling ends all their sessions at once; they can no longer sign in.",
    ),
    "reset_title": ("重置密码", "Reset the password"),
    "reset_button": ("设置临时密码", "Set a temporary password"),
    "locks_title": ("登录锁定", "Sign-in locks"),
    "locks_intro": (
        "登录失败次数过多时，该用户名在该来源地址被暂时锁定（同一来源失败过多则整个来源被锁定）；"
        "到时自动解除，也可在此提前解除。",
        "After too many failed sign-ins a username is locked from that source address for a "
        "while (a whole source, after too many across usernames); it ends by itself, or here.",
    ),
    "no_locks": ("目前没有被锁定的登录。", "No sign-in is locked now."),
    "source": ("来源地址", "Source"),
    "locked_until": ("锁定至", "Locked until"),
    "whole_source": ("（整个来源）", "(the whole source)"),
    "unlock_button": ("解除锁定", "Unlock"),
    "done_unlocked": ("已解除锁定。", "Unlocked."),
}

# The user list's export: what the list shows, names alone of personal data (no phone, no mail).
USER_COLUMNS = [
    exports.Column("username", *STRINGS["username"], 16),
    exports.Column("display_name", *STRINGS["display_name"], 12),
    exports.Column("role", *STRINGS["role"], 16),
    exports.Column("scope", *STRINGS["scope"], 20),
    exports.Column("department", *STRINGS["department"], 14),
    exports.Column("active", *STRINGS["col_active"], 6),
    exports.Column("locked", *STRINGS["col_locked"], 6),
]
