"""`onegrid user …`: accounts from the server's command line.

The only way to manage the three administrators' accounts (三员分立): the API refuses it
(service.check_api_may_manage). Every change is audited, with old and new role.
"""

import sys
from typing import Annotated

import typer
from rich.console import Console

from onegrid.accounts import service
from onegrid.audit import auditing
from onegrid.core.commands import acting, fail
from onegrid.core.errors import DomainError, Invalid
from onegrid.core.permissions import Role, Scope
from onegrid.db import session_scope
from onegrid.territory import service as territory

user_app = typer.Typer(help="Users: create, list, change roles, disable, enable, reset passwords.")
console = Console(stderr=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = typer.prompt("密码 password", hide_input=True)
    if typer.prompt("再次输入 again", hide_input=True) != first:
        fail(Invalid("两次输入的密码不一致", "the two passwords differ"))
    return first


@user_app.command("create")
def create(
    username: str,
    role: Annotated[Role, typer.Option(help="the user's role")],
    scope: Annotated[list[str] | None, typer.Option(help="unit code; repeat for several")] = None,
    department: Annotated[str | None, typer.Option(help="department code (handlers)")] = None,
    name: Annotated[str | None, typer.Option(help="display name")] = None,
    district: Annotated[str | None, typer.Option(help="district code")] = None,
    start_page: Annotated[
        str | None, typer.Option(help="where signing in leads, e.g. /hotline (default: the role's)")
    ] = None,
    password_stdin: Annotated[bool, typer.Option(help="read the password from stdin")] = False,
) -> None:
    """Create a user; the password is asked for (or read from stdin)."""
    password = _read_password(password_stdin)
    try:
        with session_scope() as session:
            user = service.create(
                session=session,
                username=username,
                password=password,
                role=role,
                district_code=territory.district_code(session=session, given=district),
                display_name=name,
                unit_codes=scope or [],
                department_code=department,
                start_page=start_page,
            )
            auditing.record(
                session,
                None,
                acting(),
                "user.create",
                object_type="user",
                object_id=username,
                detail={
                    "role": role.value,
                    "scope": [s.unit_code for s in user.scopes],
                    "department": department,
                    "start_page": user.start_page,
                },
                district_code=user.district_code,
            )
    except DomainError as error:
        fail(error)
    console.print(f"已创建用户 created user {username} ({role.value})")


@user_app.command("list")
def list_users() -> None:
    """List every user with role, scope and state."""
    with session_scope() as session:
        for user in service.list_in_scope(session=session, scope=Scope.all()):
            state = "active" if user.is_active else "disabled"
            scope = ",".join(s.unit_code for s in user.scopes) or "-"
            typer.echo(f"{user.username:<16} {user.role:<20} {state:<9} {scope}")


def _change(username: str, action: str, change) -> None:
    try:
        with session_scope() as session:
            user = service.get_by_username(session=session, username=username, scope=Scope.all())
            detail = change(session, user) or {"role": user.role}
            auditing.record(
                session,
                None,
                acting(),
                action,
                object_type="user",
                object_id=username,
                detail=detail,
                district_code=user.district_code,
            )
    except DomainError as error:
        fail(error)


@user_app.command("disable")
def disable(username: str) -> None:
    """Disable a user and end their sessions."""
    _change(
        username, "user.disable", lambda s, u: service.set_active(session=s, user=u, active=False)
    )
    console.print(f"已停用 disabled {username}")


@user_app.command("enable")
def enable(username: str) -> None:
    """Enable a user again (and unlock them)."""
    _change(
        username, "user.enable", lambda s, u: service.set_active(session=s, user=u, active=True)
    )
    console.print(f"已启用 enabled {username}")


@user_app.command("reset")
def reset(
    username: str,
    password_stdin: Annotated[bool, typer.Option(help="read the password from stdin")] = False,
    generate: Annotated[bool, typer.Option(help="generate a password and print it")] = False,
) -> None:
    """Set a new password (asked for, read from stdin, or generated), unlock, end sessions."""
    password = service.temporary_password() if generate else _read_password(password_stdin)
    _change(
        username,
        "user.reset_password",
        lambda s, u: service.reset_password(session=s, user=u, password=password),
    )
    console.print(f"已重置密码 password reset for {username}")
    if generate:
        typer.echo(password)


@user_app.command("role")
def role(
    username: str,
    role: Annotated[Role, typer.Option(help="the new role")],
    scope: Annotated[list[str] | None, typer.Option(help="unit code; repeat for several")] = None,
    department: Annotated[str | None, typer.Option(help="department code (handlers)")] = None,
    start_page: Annotated[
        str | None,
        typer.Option(help='where signing in leads, e.g. /hotline ("": the role\'s; default: kept)'),
    ] = None,
) -> None:
    """Change a user's role, scope, department and start page (administrators' too)."""

    def now(user) -> dict:
        scope = [s.unit_code for s in user.scopes]
        return {"role": user.role, "scope": scope, "start_page": user.start_page}

    def change(session, user) -> dict:
        old = now(user)
        service.change_role(
            session=session,
            user=user,
            role=role,
            unit_codes=scope or [],
            department_code=department,
            start_page=start_page,
        )
        return {"old": old, "new": now(user)}

    _change(username, "user.role", change)
    console.print(f"已更改角色 role of {username} is now {role.value}")
