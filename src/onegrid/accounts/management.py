"""The security admin's acts on accounts, each checked for separation of duties and audited.

The API (accounts/views.py) and the security admin's pages (web/pages/admin_security.py) both
act through these, so a change made either way is refused, written and recorded alike.
"""

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from onegrid.accounts import service
from onegrid.accounts.models import SignInThrottle, User
from onegrid.accounts.throttle import ANY_USERNAME
from onegrid.audit import auditing
from onegrid.core.errors import Forbidden, NotFound
from onegrid.core.permissions import Principal, Role
from onegrid.db import begin_writing
from onegrid.db.base import utcnow


@dataclass(frozen=True)
class Created:
    """A user made, and the password generated for them (None when the admin gave one)."""

    user: User
    temporary_password: str | None


def managed(
    session: Session,
    request: Request | None,
    who: Principal,
    action: str,
    username: str,
    role: Role | None = None,
) -> User | None:
    """Returns the user the security admin acts on, read under the write lock (None: one to
    create), once separation of duties allows the act; a refusal is audited."""
    user = None
    if action != "user.create":
        user = service.get_by_username(
            session=session, username=username, scope=who.scope, to_change=True
        )
    try:
        service.check_api_may_manage(who=who, user=user, role=role)
    except Forbidden as error:
        detail = {"username": username, "rule": error.detail["rule"]}
        if user is not None:
            detail["role"] = user.role
        if role is not None:
            detail["requested_role"] = role.value
        auditing.record_refusal(session, request, who, action, detail=detail)
        raise
    return user


def create_user(
    *,
    session: Session,
    request: Request | None,
    who: Principal,
    username: str,
    role: Role,
    display_name: str | None = None,
    password: str | None = None,
    unit_codes: list[str] | None = None,
    department_code: str | None = None,
) -> Created:
    """Creates a user (not an administrator) whose password must be changed at first sign-in;
    one is generated when none is given."""
    managed(session, request, who, "user.create", username, role)
    generated = service.temporary_password() if password is None else None
    user = service.create(
        session=session,
        username=username,
        password=password or generated,
        role=role,
        district_code=who.scope.district_code,
        display_name=display_name,
        unit_codes=unit_codes,
        department_code=department_code,
        must_change_password=True,
    )
    auditing.record(
        session,
        request,
        who,
        "user.create",
        object_type="user",
        object_id=user.username,
        detail={
            "role": user.role,
            "scope": [s.unit_code for s in user.scopes],
            "department": department_code,
            "password": "generated" if generated else "given",
        },
    )
    return Created(user, generated)


def change_role(
    *,
    session: Session,
    request: Request | None,
    who: Principal,
    username: str,
    role: Role,
    unit_codes: list[str] | None = None,
    department_code: str | None = None,
) -> User:
    """Gives a user (not an administrator, not oneself) a role, scope and department."""
    user = managed(session, request, who, "user.role", username, role)
    old = {"role": user.role, "scope": [s.unit_code for s in user.scopes]}
    service.change_role(
        session=session,
        user=user,
        role=role,
        unit_codes=unit_codes,
        department_code=department_code,
    )
    new = {"role": user.role, "scope": [s.unit_code for s in user.scopes]}
    auditing.record(
        session,
        request,
        who,
        "user.role",
        object_type="user",
        object_id=username,
        detail={"old": old, "new": new},
    )
    return user


def set_active(
    *, session: Session, request: Request | None, who: Principal, username: str, active: bool
) -> User:
    """Enables or disables a user (not an administrator, not oneself)."""
    action = "user.enable" if active else "user.disable"
    user = managed(session, request, who, action, username)
    service.set_active(session=session, user=user, active=active)
    auditing.record(
        session,
        request,
        who,
        action,
        object_type="user",
        object_id=username,
        detail={"role": user.role},
    )
    return user


def reset_password(
    *,
    session: Session,
    request: Request | None,
    who: Principal,
    username: str,
    password: str | None = None,
) -> Created:
    """Sets a temporary password (generated when none is given), to be changed at next sign-in."""
    user = managed(session, request, who, "user.reset_password", username)
    generated = service.temporary_password() if password is None else None
    service.reset_password(
        session=session, user=user, password=password or generated, must_change=True
    )
    auditing.record(
        session,
        request,
        who,
        "user.reset_password",
        object_type="user",
        object_id=username,
        detail={"role": user.role, "password": "generated" if generated else "given"},
    )
    return Created(user, generated)


@dataclass(frozen=True)
class Lock:
    """Sign-ins refused for now: a username from a source ("" username: the whole source)."""

    username: str
    source: str
    locked_until: datetime


def locks(*, session: Session, who: Principal, now: datetime | None = None) -> list[Lock]:
    """Returns the district's sign-in locks still in force (and the sources', any district's
    usernames), the latest ending first."""
    now = now or utcnow()
    query = select(SignInThrottle).where(
        SignInThrottle.locked_until > now,
        who.scope.district_clause(SignInThrottle.district_code)
        | (SignInThrottle.username == ANY_USERNAME),
    )
    rows = session.scalars(query.order_by(SignInThrottle.locked_until.desc()))
    return [Lock(r.username, r.source, r.locked_until) for r in rows]


def unlock(
    *, session: Session, request: Request | None, who: Principal, username: str, source: str
) -> None:
    """Lifts a sign-in lock (the pair's failures are forgotten); NotFound if none is in force."""
    begin_writing(session)
    held = {(lock.username, lock.source) for lock in locks(session=session, who=who)}
    if (username, source) not in held:
        raise NotFound(
            f"{username or '该来源'} 在 {source} 没有被锁定的登录",
            f"no sign-in lock is in force for {username or 'the source'} from {source}",
            field="username",
        )
    session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.username == username, SignInThrottle.source == source
        )
    )
    auditing.record(
        session,
        request,
        who,
        "user.unlock",
        object_type="user" if username else "source",
        object_id=username or source,
        detail={"source": source},
    )
