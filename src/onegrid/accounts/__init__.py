"""Accounts: users, their scope and passwords, sign-in tokens and throttles; who is asking.

Only the tables are lifted here: other packages' models import them (foreign keys), and must
not load sign-in. `identify` (onegrid.accounts.identity), a dependency of every route (the
app factory's), tells the access rules of onegrid.core.access who is asking; data access is
onegrid.accounts.service; the routes are onegrid.accounts.views's `router`, the `onegrid user`
commands onegrid.accounts.cli's `user_app`.
"""

from onegrid.accounts.models import AuthToken, SignInThrottle, User, UserScope

__all__ = ["AuthToken", "SignInThrottle", "User", "UserScope"]
