"""Accounts: users, their scope and passwords, sign-in tokens and throttles; who is asking.

`identify`, a dependency of every route (the app factory's), tells the access rules of
onegrid.core.access who is asking. Data access is onegrid.accounts.service; the routes are
onegrid.accounts.views's `router`, the `onegrid user` commands onegrid.accounts.cli's `user_app`.
"""

from onegrid.accounts.identity import SESSION_COOKIE, bearer_token, identify, token_of
from onegrid.accounts.models import AuthToken, SignInThrottle, User, UserScope
from onegrid.accounts.service import (
    ADMIN_ROLES,
    API_MANAGED_ROLES,
    LoginResult,
    SignInRefused,
    principal_for,
)

__all__ = [
    "ADMIN_ROLES",
    "API_MANAGED_ROLES",
    "SESSION_COOKIE",
    "AuthToken",
    "LoginResult",
    "SignInRefused",
    "SignInThrottle",
    "User",
    "UserScope",
    "bearer_token",
    "identify",
    "principal_for",
    "token_of",
]
