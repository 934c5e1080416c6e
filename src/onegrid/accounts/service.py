"""Accounts data access: users, sign-in with throttles, sessions and tokens, principals."""

import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from fastapi import Request
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from onegrid.accounts import throttle
from onegrid.accounts.models import AuthToken, User, UserScope
from onegrid.accounts.passwords import check_policy, hash_password, needs_rehash, verify_password
from onegrid.accounts.schemas import Credentials
from onegrid.audit import auditing
from onegrid.config import get_settings
from onegrid.core.access import source_of
from onegrid.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unauthenticated
from onegrid.core.i18n import LANGUAGES
from onegrid.core.levels import Level
from onegrid.core.permissions import (
    ROLE_PERMISSIONS,
    SCOPE_LEVEL,
    Principal,
    Role,
    Scope,
)
from onegrid.db import begin_writing
from onegrid.db.base import utcnow
from onegrid.territory.models import Department, TerritoryUnit

# Separation of duties (三员分立, SPEC §7): the API (and so every page) manages these roles
# only. The three administrators' accounts are managed with `onegrid user` on the server's
# command line, so the security admin can neither make an audit admin nor become one.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
API_MANAGED_ROLES = frozenset(Role) - ADMIN_ROLES


class SignInRefused(Unauthenticated):
    """A refused sign-in: one answer whatever the reason, which is kept for the audit log."""

    def __init__(self, reason: str) -> None:
        super().__init__("用户名或密码错误", "wrong username or password")
        self.reason = reason


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_by_username(
    *, session: Session, username: str, scope: Scope, to_change: bool = False
) -> User:
    """Returns the user with this username within the scope's district, or raises NotFound;
    `to_change`: read under the write lock, for a change to follow."""
    if to_change:
        begin_writing(session)
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not scope.covers_district(user.district_code):
        raise NotFound(f"没有用户 {username}", f"no user is called {username}")
    return user


def list_in_scope(*, session: Session, scope: Scope) -> list[User]:
    """Returns the users of the scope's district, by username."""
    query = select(User).where(scope.district_clause(User.district_code))
    return list(session.scalars(query.order_by(User.username)))


def _check_scope(
    session: Session, role: Role, district_code: str, unit_codes: list[str]
) -> list[str]:
    level = SCOPE_LEVEL[role]
    if level is None:
        if unit_codes:
            raise Invalid(
                f"角色 {role} 没有辖区", f"the role {role} takes no territory scope", field="scope"
            )
        return []
    length = level.code_length
    codes = unit_codes or ([district_code] if level is Level.DISTRICT else [])
    if not codes:
        raise Invalid(
            f"角色 {role} 需要指定 {length} 位代码的辖区单元",
            f"the role {role} needs scope units with {length}-digit codes",
            field="scope",
        )
    for code in codes:
        if len(code) != length or not code.startswith(district_code):
            raise Invalid(
                f"辖区 {code} 不是本区 {length} 位代码的单元（角色 {role}）",
                f"scope {code} is not a {length}-digit unit of district {district_code} "
                f"(role {role})",
                field="scope",
            )
        if session.scalar(select(TerritoryUnit.id).where(TerritoryUnit.code == code)) is None:
            raise Invalid(
                f"辖区单元 {code} 不存在", f"scope unit {code} does not exist", field="scope"
            )
    return codes


def create(
    *,
    session: Session,
    username: str,
    password: str,
    role: Role,
    district_code: str,
    display_name: str | None = None,
    unit_codes: list[str] | None = None,
    department_code: str | None = None,
    is_demo: bool = False,
    must_change_password: bool = False,
    start_page: str | None = None,
) -> User:
    """Creates a user after checking the username, the password policy, the scope and department."""
    begin_writing(session)
    if not username.isascii() or not username.replace("_", "").replace(".", "").isalnum():
        raise Invalid(
            "用户名只能包含字母、数字、点和下划线",
            "a username may hold only letters, digits, dots and underscores",
            field="username",
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(
            f"用户名 {username} 已被使用", f"the username {username} is taken", field="username"
        )
    check_policy(password, username, display_name)
    codes = _check_scope(session, role, district_code, unit_codes or [])
    department_id = _department_id(session, role, district_code, department_code)
    user = User(
        district_code=district_code,
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role.value,
        department_id=department_id,
        is_active=True,
        is_demo=is_demo,
        must_change_password=must_change_password,
        start_page=check_start_page(start_page),
        password_changed_at=utcnow(),
        scopes=[UserScope(district_code=district_code, unit_code=c) for c in codes],
    )
    session.add(user)
    session.flush()
    return user


def _department_id(
    session: Session, role: Role, district_code: str, department_code: str | None
) -> int | None:
    if role is not Role.DEPARTMENT_HANDLER:
        return None
    department = session.scalars(
        select(Department).where(
            Department.district_code == district_code, Department.code == department_code
        )
    ).first()
    if department is None:
        raise Invalid(
            f"部门处置人员须指定本区的部门（{department_code!r} 不存在）",
            f"a department handler needs a department of the district "
            f"({department_code!r} does not exist)",
            field="department",
        )
    return department.id


def check_api_may_manage(*, who: Principal, user: User | None, role: Role | None = None) -> None:
    """Raises Forbidden unless the API may act on this account, or give this role.

    Nobody acts on their own account through the API, and no account of ADMIN_ROLES is
    created, changed, reset, enabled or disabled there, nor any account given such a role.
    """
    if user is not None and user.id == who.user_id:
        raise Forbidden(
            "三员分立：不能通过接口管理自己的账户，任何人都不能给自己授权",
            "separation of duties: no one may manage their own account through the API, "
            "nor grant themselves anything",
            rule="not_self",
        )
    for each in (Role(user.role) if user is not None else None, role):
        if each is not None and each not in API_MANAGED_ROLES:
            raise Forbidden(
                f"三员分立：管理员账户（{each.value}）只能在服务器命令行用 onegrid user 管理",
                f"separation of duties: administrator accounts ({each.value}) are managed "
                "only with `onegrid user` on the server's command line",
                rule="admin_accounts_by_command_line",
                role=each.value,
            )


START_PAGE_MAX = 64  # app_user.start_page


def check_start_page(path: str | None) -> str | None:
    """Returns a start page (a path on this site, e.g. /hotline), None for the role's; raises
    Invalid for anything else: sign-in must never lead off the site."""
    if not path:
        return None
    if (
        not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or len(path) > START_PAGE_MAX
        or not path.isascii()
        or not path.isprintable()
        or " " in path
    ):
        raise Invalid(
            f"起始页须为本站的路径，如 /hotline（至多 {START_PAGE_MAX} 个字符）",
            f"a start page must be a path on this site, e.g. /hotline (at most"
            f" {START_PAGE_MAX} characters)",
            field="start_page",
        )
    return path


def change_role(
    *,
    session: Session,
    user: User,
    role: Role,
    unit_codes: list[str] | None = None,
    department_code: str | None = None,
    start_page: str | None = None,
) -> None:
    """Gives the user a role, scope and department, checked as when creating them, and a start
    page if one is given ("": none, the role's again; None keeps the one they have)."""
    if start_page is not None:
        user.start_page = check_start_page(start_page)
    codes = _check_scope(session, role, user.district_code, unit_codes or [])
    user.department_id = _department_id(session, role, user.district_code, department_code)
    user.role = role.value
    kept = [s for s in user.scopes if s.unit_code in codes]
    have = {s.unit_code for s in kept}
    user.scopes = kept + [
        UserScope(district_code=user.district_code, unit_code=c) for c in codes if c not in have
    ]
    session.flush()


def set_active(*, session: Session, user: User, active: bool) -> None:
    """Enables or disables a user; disabling ends every session and token at once."""
    user.is_active = active
    if not active:
        _revoke_all(session, user)
    else:
        throttle.clear(session=session, username=user.username)


def temporary_password() -> str:
    """Returns a random 16-character password that meets the policy."""
    alphabet = string.ascii_letters + string.digits + "-_.!#%"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(16))
        if any(c.isupper() for c in password) and any(c.isdigit() for c in password):
            return password


def reset_password(
    *, session: Session, user: User, password: str, must_change: bool = False
) -> None:
    """Sets a new password (policy-checked), lifts its throttles and ends the user's sessions.

    must_change: the password was chosen for the user, who must change it at first sign-in.
    """
    check_policy(password, user.username, user.display_name)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
    throttle.clear(session=session, username=user.username)
    _revoke_all(session, user)


def change_own_password(
    *, session: Session, user: User, old: str, new: str, source: str | None, keep_token: str | None
) -> None:
    """Changes the user's password given the old one; ends their other sessions and tokens.

    A wrong old password counts as a failed sign-in from this source, so a stolen session
    cannot guess it faster than a sign-in could; the caller commits the count even when this
    raises.
    """
    source = (source or "unknown")[:64]
    right = verify_password(user.password_hash, old)
    # The new password is checked and hashed outside the write lock, but its faults are told
    # only after the throttle and the old password: they would tell that the old one is right.
    fault, new_hash = None, None
    if right:
        try:
            if new == old:
                raise Invalid(
                    "新密码不能与旧密码相同", "the new password must differ from the old one"
                )
            check_policy(new, user.username, user.display_name)
            new_hash = hash_password(new)
        except Invalid as error:
            fault = error
    begin_writing(session)
    session.refresh(user)
    now = utcnow()
    if throttle.is_locked(session=session, username=user.username, source=source, now=now):
        raise Forbidden(
            "失败次数过多，请稍后再试", "too many failed attempts from here: try again later"
        )
    if not right:
        throttle.count_failure(
            session=session,
            username=user.username,
            source=source,
            district_code=user.district_code,
            now=now,
        )
        raise Invalid("旧密码不正确", "the old password is wrong")
    if fault is not None:
        raise fault
    user.password_hash = new_hash
    user.password_changed_at = now
    user.must_change_password = False
    keep = _digest(keep_token) if keep_token else None
    for token in session.scalars(select(AuthToken).where(AuthToken.user_id == user.id)):
        if token.token_hash != keep:
            token.revoked = True


def _revoke_all(session: Session, user: User) -> None:
    for token in session.scalars(select(AuthToken).where(AuthToken.user_id == user.id)):
        token.revoked = True


@dataclass(frozen=True)
class LoginResult:
    """A successful sign-in: the user, the secret token to hand out, and its CSRF token."""

    user: User
    token: str
    csrf_token: str | None


def authenticate(*, session: Session, username: str, password: str, source: str | None) -> User:
    """Returns the user if the password is right and the sign-in allowed; else SignInRefused.

    Every refusal (unknown user, wrong password, throttled, disabled, demo account outside
    demo mode) gives the same answer after the same work, one Argon2 verification, so none
    tells that a username exists; the reason goes to the audit log only. Failures are counted
    per (username, source) and per source (see `throttle`), in the caller's transaction:
    commit it even when this raises. The password is checked before the write lock is taken
    (begin_writing): checking takes tens of milliseconds, and concurrent sign-ins would
    otherwise queue behind each other's, or fail on SQLite.
    """
    settings = get_settings()
    source = (source or "unknown")[:64]
    user = session.scalars(select(User).where(User.username == username)).first()
    right = verify_password(user.password_hash if user is not None else _dummy_hash(), password)
    begin_writing(session)
    if user is not None:
        session.refresh(user)
    now = utcnow()
    if throttle.is_locked(session=session, username=username, source=source, now=now):
        raise SignInRefused("throttled: too many failures for this username or source")
    if user is None or not right:
        throttle.count_failure(
            session=session,
            username=username,
            source=source,
            district_code=user.district_code if user is not None else None,
            now=now,
        )
        raise SignInRefused("unknown user" if user is None else "wrong password")
    if not user.is_active:
        raise SignInRefused("the account is disabled")
    if user.is_demo and not settings.allows_demo_accounts:
        raise SignInRefused("a demo account outside demo or development mode")
    throttle.clear(session=session, username=username, source=source)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


@lru_cache
def _dummy_hash() -> str:
    return hash_password("onegrid-dummy-Password-1")


def issue_token(*, session: Session, user: User, kind: str, source: str | None) -> LoginResult:
    """Creates a session (kind "session", with a CSRF token) or an API token for the user."""
    settings = get_settings()
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24) if kind == "session" else None
    now = utcnow()
    session.add(
        AuthToken(
            district_code=user.district_code,
            user_id=user.id,
            kind=kind,
            token_hash=_digest(token),
            csrf_token=csrf,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            revoked=False,
            source=source,
        )
    )
    session.flush()
    return LoginResult(user=user, token=token, csrf_token=csrf)


@dataclass(frozen=True)
class LiveToken:
    """A live session or API token, with what its user may do (see `principal_for`)."""

    id: int
    csrf_token: str | None
    last_seen_at: datetime
    user: "TokenUser"


@dataclass(frozen=True)
class TokenUser:
    """The columns of a token's user that make its principal, and the user's scope units."""

    id: int
    username: str
    role: str
    district_code: str
    department_id: int | None
    unit_codes: tuple[str, ...]
    must_change_password: bool
    language: str | None = None  # the pages' language the user chose, if any


_T, _U, _S = AuthToken.__table__.c, User.__table__.c, UserScope.__table__.c
# One query for the token, its user and the user's scopes, without the ORM: every request
# asks this first.
_LIVE = (
    select(
        _T.id.label("token_id"),
        _T.csrf_token,
        _T.last_seen_at,
        _T.expires_at,
        _T.revoked,
        _U.id.label("user_id"),
        _U.username,
        _U.role,
        _U.district_code,
        _U.department_id,
        _U.is_active,
        _U.must_change_password,
        _U.language,
        _S.unit_code,
    )
    .join_from(AuthToken.__table__, User.__table__, _T.user_id == _U.id)
    .outerjoin(UserScope.__table__, _S.user_id == _U.id)
    .where(_T.token_hash == bindparam("digest"))
    .order_by(_S.unit_code)
)


def resolve_token(*, session: Session, token: str) -> LiveToken | None:
    """Returns the live session or token with this secret, touching it; None if none is live."""
    rows = session.execute(_LIVE, {"digest": _digest(token)}).all()
    if not rows:
        return None
    first = rows[0]
    if first.revoked or not first.is_active:
        return None
    now, last_seen = utcnow(), first.last_seen_at
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if first.expires_at <= now or last_seen + idle <= now:
        return None
    # Touch at most once a minute: reads should not each cost a write.
    if now - last_seen > timedelta(minutes=1) and _touch(session, first.token_id, now):
        last_seen = now
    units = tuple(row.unit_code for row in rows if row.unit_code is not None)
    user = TokenUser(
        first.user_id,
        first.username,
        first.role,
        first.district_code,
        first.department_id,
        units,
        first.must_change_password,
        first.language,
    )
    return LiveToken(first.token_id, first.csrf_token, last_seen, user)


def _touch(session: Session, token_id: int, now: datetime) -> bool:
    """Records that the token was used, if the database lets this reading transaction write;
    returns whether it did.

    On SQLite a reading transaction cannot write once another connection has committed since
    it began; the touch is then left to a later request, instead of failing this one.
    """
    try:
        with session.begin_nested():
            session.execute(
                update(AuthToken).where(AuthToken.id == token_id).values(last_seen_at=now)
            )
    except OperationalError:
        return False
    return True


def set_language(*, session: Session, user_id: int, language: str) -> None:
    """Records the language the pages speak to this user ("zh" or "en")."""
    if language not in LANGUAGES:
        raise Invalid(f"不支持的语言：{language}", f"unknown language: {language}", field="lang")
    begin_writing(session)
    session.execute(update(User).where(User.id == user_id).values(language=language))


def revoke_token(*, session: Session, token: str) -> None:
    """Ends the session or token with this secret."""
    row = session.scalars(select(AuthToken).where(AuthToken.token_hash == _digest(token))).first()
    if row is not None:
        row.revoked = True


def principal_for(user: User | TokenUser, *, via_cookie: bool = False) -> Principal:
    """Returns the principal of a signed-in user: role, permissions and scope."""
    role = Role(user.role)
    units = user.unit_codes if isinstance(user, TokenUser) else [s.unit_code for s in user.scopes]
    return Principal(
        user_id=user.id,
        username=user.username,
        role=role,
        scope=Scope(
            district_code=user.district_code,
            unit_codes=tuple(units),
            department_id=user.department_id,
        ),
        permissions=ROLE_PERMISSIONS[role],
        via_cookie=via_cookie,
    )


# Signing in and out and changing one's own password, audited: what the API's /auth routes and
# the web's sign-in and password pages both do.


def _district_of(session: Session, username: str) -> str | None:
    return session.scalar(select(User.district_code).where(User.username == username))


def sign_in(
    *, session: Session, request: Request, principal: Principal, credentials: Credentials, kind: str
) -> LoginResult:
    """Checks the credentials and issues a token; a failure is counted, audited and kept."""
    try:
        user = authenticate(
            session=session,
            username=credentials.username,
            password=credentials.password,
            source=source_of(request),
        )
    except SignInRefused as error:
        auditing.record(
            session,
            request,
            principal,
            "auth.login",
            object_type="user",
            object_id=credentials.username,
            outcome="failed",
            detail={"reason": error.reason},  # the answer is the same whatever the reason
            district_code=_district_of(session, credentials.username),
        )
        session.commit()  # keep the failure count and its record although the request fails
        raise
    result = issue_token(session=session, user=user, kind=kind, source=source_of(request))
    auditing.record(
        session,
        request,
        principal_for(user),
        "auth.login",
        object_type="user",
        object_id=user.username,
        detail={"kind": kind},
    )
    return result


def end_session(*, session: Session, request: Request, who: Principal, secret: str | None) -> None:
    """Ends the session or token with this secret, and records it."""
    begin_writing(session)
    if secret:
        revoke_token(session=session, token=secret)
    auditing.record(
        session, request, who, "auth.logout", object_type="user", object_id=who.username
    )


def change_own(
    *,
    session: Session,
    request: Request,
    who: Principal,
    old: str,
    new: str,
    keep_token: str | None,
) -> User:
    """Changes the signed-in user's own password, audited; a refusal (a wrong old password,
    counted as a failed sign-in, or a weak new one) is audited and raised."""
    user = get_by_username(session=session, username=who.username, scope=who.scope)
    # The first change after an admin set the password: the audit admin looks for these
    # coming from the admin's own address (see docs/access.md).
    detail = {"temporary": user.must_change_password}
    try:
        change_own_password(
            session=session,
            user=user,
            old=old,
            new=new,
            source=source_of(request),
            keep_token=keep_token,
        )
    except DomainError as error:
        session.commit()  # keeps a wrong old password's count although the request fails
        auditing.record_refusal(
            session, request, who, "user.password_change", detail={"reason": error.en}
        )
        raise
    auditing.record(
        session,
        request,
        who,
        "user.password_change",
        object_type="user",
        object_id=who.username,
        detail=detail,
    )
    return user
