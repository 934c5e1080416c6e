"""Sign-in (API tokens and web sessions), changing one's password, and user management.

The security admin manages through the API only the accounts of API_MANAGED_ROLES, never their
own (service.check_api_may_manage); every change and every refusal is audited.
"""

from typing import Annotated

from fastapi import APIRouter, Request, Response

from onegrid.accounts import management, service
from onegrid.accounts.identity import SESSION_COOKIE, token_of
from onegrid.accounts.models import User
from onegrid.accounts.schemas import (
    Credentials,
    PasswordChange,
    PasswordReset,
    RoleChange,
    TokenOut,
    UserCreate,
    UserOut,
    UserWithPasswordOut,
)
from onegrid.audit import auditing
from onegrid.config import get_settings
from onegrid.core.access import public, require, signed_in
from onegrid.core.permissions import Permission, Principal, Role
from onegrid.db import DbSession, WritingSession

router = APIRouter(tags=["accounts"])
Anyone = Annotated[Principal, public()]
SignedIn = Annotated[Principal, signed_in()]
PasswordPending = Annotated[Principal, signed_in(pending=True)]
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
        must_change_password=user.must_change_password,
    )


@router.post("/auth/token", response_model=TokenOut, summary="Sign in for an API bearer token")
def token(
    credentials: Credentials, request: Request, session: WritingSession, who: Anyone
) -> TokenOut:
    result = service.sign_in(
        session=session, request=request, principal=who, credentials=credentials, kind="api"
    )
    return TokenOut(
        access_token=result.token,
        expires_in=get_settings().session_absolute_hours * 3600,
        user=user_out(result.user),
    )


@router.post("/auth/logout", status_code=204, summary="End this token or session")
def logout(request: Request, session: WritingSession, who: PasswordPending) -> Response:
    secret = token_of(request)
    service.end_session(session=session, request=request, who=who, secret=secret)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/auth/me", response_model=UserOut, summary="Who am I")
def me(session: DbSession, who: SignedIn) -> UserOut:
    return user_out(
        service.get_by_username(session=session, username=who.username, scope=who.scope)
    )


@router.get("/users", response_model=list[UserOut], summary="Users of the district")
def list_users(request: Request, session: DbSession, who: SecurityAdmin) -> list[UserOut]:
    users = [user_out(u) for u in service.list_in_scope(session=session, scope=who.scope)]
    # Staff's names are personal data: the list is an audited read, as one record.
    auditing.record_read(
        session, request, who, "user.list", object_type="user", detail={"count": len(users)}
    )
    return users


@router.post(
    "/auth/password",
    response_model=UserOut,
    summary="Change your own password (the only thing a password set by an admin allows)",
)
def change_password(
    body: PasswordChange, request: Request, session: WritingSession, who: PasswordPending
) -> UserOut:
    user = service.change_own(
        session=session,
        request=request,
        who=who,
        old=body.old_password,
        new=body.new_password,
        keep_token=token_of(request),
    )
    return user_out(user)


@router.post(
    "/users",
    response_model=UserWithPasswordOut,
    status_code=201,
    summary="Create a user (not an administrator) with a password to change at first sign-in",
)
def create_user(
    body: UserCreate, request: Request, session: WritingSession, who: SecurityAdmin
) -> UserWithPasswordOut:
    made = management.create_user(
        session=session,
        request=request,
        who=who,
        username=body.username,
        role=body.role,
        display_name=body.display_name,
        password=body.password,
        unit_codes=body.scope,
        department_code=body.department,
    )
    return UserWithPasswordOut(
        **user_out(made.user).model_dump(), temporary_password=made.temporary_password
    )


@router.get("/users/{username}", response_model=UserOut, summary="One user")
def get_user(username: str, request: Request, session: DbSession, who: SecurityAdmin) -> UserOut:
    user = user_out(service.get_by_username(session=session, username=username, scope=who.scope))
    auditing.record_read(session, request, who, "user.read", object_type="user", object_id=username)
    return user


@router.put(
    "/users/{username}/role",
    response_model=UserOut,
    summary="Change a user's role, scope and department (not an administrator's)",
)
def change_role(
    username: str, body: RoleChange, request: Request, session: WritingSession, who: SecurityAdmin
) -> UserOut:
    user = management.change_role(
        session=session,
        request=request,
        who=who,
        username=username,
        role=body.role,
        unit_codes=body.scope,
        department_code=body.department,
    )
    return user_out(user)


@router.post("/users/{username}/disable", response_model=UserOut, summary="Disable a user")
def disable_user(
    username: str, request: Request, session: WritingSession, who: SecurityAdmin
) -> UserOut:
    return user_out(
        management.set_active(
            session=session, request=request, who=who, username=username, active=False
        )
    )


@router.post("/users/{username}/enable", response_model=UserOut, summary="Enable a user")
def enable_user(
    username: str, request: Request, session: WritingSession, who: SecurityAdmin
) -> UserOut:
    return user_out(
        management.set_active(
            session=session, request=request, who=who, username=username, active=True
        )
    )


@router.post(
    "/users/{username}/password",
    response_model=UserWithPasswordOut,
    summary="Reset a password to a temporary one, to be changed at first sign-in",
)
def reset_password(
    username: str,
    body: PasswordReset,
    request: Request,
    session: WritingSession,
    who: SecurityAdmin,
) -> UserWithPasswordOut:
    made = management.reset_password(
        session=session, request=request, who=who, username=username, password=body.password
    )
    return UserWithPasswordOut(
        **user_out(made.user).model_dump(), temporary_password=made.temporary_password
    )
