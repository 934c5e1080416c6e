"""Accounts: users, the territory units they may see, sign-in tokens and throttles."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onegrid.core.levels import DISTRICT_DIGITS, GRID_DIGITS
from onegrid.db.base import Base, TimestampMixin, UTCDateTime
from onegrid.territory.models import Department

_ROLES = (
    "'citizen', 'grid_worker', 'community_staff', 'street_office', 'department_handler', "
    "'command_centre', 'leader', 'system_admin', 'security_admin', 'audit_admin', "
    "'human_resources'"
)


class User(TimestampMixin, Base):
    """A person who signs in, with one role and a scope within one district."""

    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint(f"role IN ({_ROLES})", name="role_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Demo accounts have published passwords: refused outside demo and development mode.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the security admin chose the password (create, reset): until the user changes
    # it, a sign-in may only change it, so the admin cannot act as the user unnoticed.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language the pages speak to this user ("zh" or "en"; none: the browser's choice).
    language: Mapped[str | None] = mapped_column(String(2))
    # Where signing in leads when no page was asked for (a path on this site, e.g. /hotline for
    # a 12345 operator); none: the role's start page (web/pages/login.start_page).
    start_page: Mapped[str | None] = mapped_column(String(64))
    # "Mark all read" (routing/inbox.py): every notification to the user up to this id is read,
    # without a notification_read row for each of a year's notices.
    notifications_read_upto: Mapped[int | None] = mapped_column(Integer)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department: Mapped[Department | None] = relationship(lazy="joined")
    scopes: Mapped[list["UserScope"]] = relationship(
        cascade="all, delete-orphan", order_by="UserScope.unit_code", lazy="selectin"
    )


class UserScope(Base):
    """One territory unit (and everything under it) that a user may see."""

    __tablename__ = "user_scope"
    __table_args__ = (UniqueConstraint("user_id", "unit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    unit_code: Mapped[str] = mapped_column(String(GRID_DIGITS))


class SignInThrottle(Base):
    """Failed sign-ins from one source, for one username or (username "") for any.

    A username and source pair is locked after a few failures, a source after many across
    usernames; a username itself is never locked, so a stranger cannot lock a user out.
    """

    __tablename__ = "sign_in_throttle"
    __table_args__ = (UniqueConstraint("username", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    username: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuthToken(TimestampMixin, Base):
    """A web session (cookie) or an API bearer token; only a hash of the secret is kept."""

    __tablename__ = "auth_token"
    __table_args__ = (CheckConstraint("kind IN ('session', 'api')", name="kind_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str | None] = mapped_column(String(64))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(lazy="joined")
