"""Sign-in (API tokens and web sessions) and user management for the security admin."""

from typing import Annotated

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.accounts import auditing, service
from onegrid.accounts.access import SESSION_COOKIE, bearer_token, public, require, signed_in
from onegrid.accounts.models import User
from onegrid.accounts.schemas import Credentials, PasswordReset, TokenOut, UserCreate, UserOut
from onegrid.config import get_settings
from onegrid.core.errors import Unauthenticated
from onegrid.core.permissions import Permission, Principal, Role
from onegrid.db import DbSession
from onegrid.db.session import begin_writing

router = APIRouter(tags=["accounts"])
Anyone = Annotated[Principal, public()]
SignedIn = Annotated[Principal, signed_in()]
SecurityAdmin = Annotated[Principal, require(Permission.USERS_MANAGE)]


def user_out(user: User) -> UserOut:
    """Returns the API view of a user."""
    return UserOut(
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        district_code=user.district_code,
        scope=[s.unit_code for s in user.scopes],
        department=user.department.code if user.department else None,
        is_active=user.is_active,
        is_demo=user.is_demo,
        locked_until=user.locked_until,
    )


def sign_in(
    session: Session, request: Request, principal: Principal, credentials: Credentials, kind: str
) -> service.LoginResult:
    """Checks the credentials and issues a token; a failure is counted, audited and kept."""
    try:
        user = service.authenticate(
            session=session, username=credentials.username, password=credentials.password
        )
    except Unauthenticated as error:
        begin_writing(session)  # keeps the failure count written so far
        auditing.record(
            session,
            request,
            principal,
            "auth.login",
            object_type="user",
            object_id=credentials.username,
            outcome="failed",
            detail={"reason": error.en},
            district_code=_district_of(session, credentials.username),
        )
        session.commit()  # keep the failure count and its record although the request fails
        raise
    result = service.issue_token(
        session=session,
        user=user,
        kind=kind,
        source=request.client.host if request.client else None,
    )
    auditing.record(
        session,
        request,
        service.principal_for(user),
        "auth.login",
        object_type="user",
        object_id=user.username,
        detail={"kind": kind},
    )
    return result


def _district_of(session: Session, username: str) -> str | None:
    return session.scalar(select(User.district_code).where(User.username == username))


@router.post("/auth/token", response_model=TokenOut, summary="Sign in for an API bearer token")
def token(credentials: Credentials, request: Request, session: DbSession, who: Anyone) -> TokenOut:
    result = sign_in(session, request, who, credentials, "api")
    return TokenOut(
        access_token=result.token,
        expires_in=get_settings().session_absolute_hours * 3600,
        user=user_out(result.user),
    )


def end_session(session: Session, request: Request, who: Principal, secret: str | None) -> None:
    """Ends the session or token with this secret, and records it."""
    begin_writing(session)
    if secret:
        service.revoke_token(session=session, token=secret)
    auditing.record(
        session, request, who, "auth.logout", object_type="user", object_id=who.username
    )


@router.post("/auth/logout", status_code=204, summary="End this token or session")
def logout(request: Request, session: DbSession, who: SignedIn) -> Response:
    end_session(session, request, who, bearer_token(request) or request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/auth/me", response_model=UserOut, summary="Who am I")
def me(session: DbSession, who: SignedIn) -> UserOut:
    return user_out(
        service.get_by_username(session=session, username=who.username, scope=who.scope)
    )


@router.get("/users", response_model=list[UserOut], summary="Users of the district")
def list_users(session: DbSession, who: SecurityAdmin) -> list[UserOut]:
    return [user_out(u) for u in service.list_in_scope(session=session, scope=who.scope)]


@router.post("/users", response_model=UserOut, status_code=201, summary="Create a user")
def create_user(
    body: UserCreate, request: Request, session: DbSession, who: SecurityAdmin
) -> UserOut:
    begin_writing(session)
    user = service.create(
        session=session,
        username=body.username,
        password=body.password,
        role=body.role,
        district_code=who.scope.district_code,
        display_name=body.display_name,
        unit_codes=body.scope,
        department_code=body.department,
    )
    auditing.record(
        session,
        request,
        who,
        "user.create",
        object_type="user",
        object_id=user.username,
        detail={"role": user.role, "scope": body.scope},
    )
    return user_out(user)


@router.get("/users/{username}", response_model=UserOut, summary="One user")
def get_user(username: str, session: DbSession, who: SecurityAdmin) -> UserOut:
    return user_out(service.get_by_username(session=session, username=username, scope=who.scope))


def _set_active(session, request, who, username: str, active: bool) -> UserOut:
    begin_writing(session)
    user = service.get_by_username(session=session, username=username, scope=who.scope)
    service.set_active(session=session, user=user, active=active)
    action = "user.enable" if active else "user.disable"
    auditing.record(session, request, who, action, object_type="user", object_id=username)
    return user_out(user)


@router.post("/users/{username}/disable", response_model=UserOut, summary="Disable a user")
def disable_user(
    username: str, request: Request, session: DbSession, who: SecurityAdmin
) -> UserOut:
    return _set_active(session, request, who, username, False)


@router.post("/users/{username}/enable", response_model=UserOut, summary="Enable a user")
def enable_user(username: str, request: Request, session: DbSession, who: SecurityAdmin) -> UserOut:
    return _set_active(session, request, who, username, True)


@router.post("/users/{username}/password", response_model=UserOut, summary="Reset a password")
def reset_password(
    username: str, body: PasswordReset, request: Request, session: DbSession, who: SecurityAdmin
) -> UserOut:
    begin_writing(session)
    user = service.get_by_username(session=session, username=username, scope=who.scope)
    service.reset_password(session=session, user=user, password=body.password)
    auditing.record(
        session, request, who, "user.reset_password", object_type="user", object_id=username
    )
    return user_out(user)
