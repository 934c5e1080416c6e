"""Routing tables: the category catalogue, its intake attributes, routing rules, notifications."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# Notifications point at users: their table must be known wherever these are written.
import onegrid.accounts.models  # noqa: F401, E402
from onegrid.core.levels import DISTRICT_DIGITS, GRID_DIGITS
from onegrid.db.base import Base, TimestampMixin, UTCDateTime, utcnow


class Kind(StrEnum):
    COMPONENT = "component"  # 部件: a physical object of the city (manhole cover, street light)
    EVENT = "event"  # 事件: something happening (illegal dumping, noise, illegal building)


class Datatype(StrEnum):
    """Open311 GeoReport v2 attribute datatypes, exactly."""

    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"

    @property
    def is_list(self) -> bool:
        return self in (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)


_DATATYPES = ", ".join(f"'{d.value}'" for d in Datatype)


class ServiceType(StrEnum):
    """How an Open311 client is answered when it reports in this category."""

    REALTIME = "realtime"  # the case is opened at once: the answer carries its id
    BATCH = "batch"  # queued and opened with others: the answer carries a token for the id


class Category(TimestampMixin, Base):
    """A problem category (部件 or 事件) with its stage time limits and default department."""

    __tablename__ = "category"
    __table_args__ = (
        UniqueConstraint("district_code", "code"),
        CheckConstraint("kind IN ('component', 'event')", name="kind_known"),
        CheckConstraint(
            "duplicate_radius_m >= 0 AND duplicate_window_hours >= 0", name="duplicate_positive"
        ),
        CheckConstraint("open311_type IN ('realtime', 'batch')", name="open311_type_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    code: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    major_code: Mapped[str] = mapped_column(String(8))
    major_name: Mapped[str] = mapped_column(String(50))
    major_name_en: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    # The responsible department when no routing rule matches; a code, not a key: departments
    # are rows of the same district, checked when the catalogue is loaded and when routing.
    default_department_code: Mapped[str] = mapped_column(String(32))
    # Working-time durations ("30m", "2h", "3d"), read by onegrid.core.workcalendar.
    verify_limit: Mapped[str] = mapped_column(String(16))
    dispatch_limit: Mapped[str] = mapped_column(String(16))
    handle_limit: Mapped[str] = mapped_column(String(16))
    check_limit: Mapped[str] = mapped_column(String(16))
    duplicate_radius_m: Mapped[int] = mapped_column(Integer)
    duplicate_window_hours: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    keywords: Mapped[str | None] = mapped_column(Text)  # Open311: comma-separated tags
    description: Mapped[str | None] = mapped_column(Text)
    open311_type: Mapped[str] = mapped_column(
        String(16), default=ServiceType.REALTIME.value, server_default=ServiceType.REALTIME.value
    )

    attributes: Mapped[list["CategoryAttribute"]] = relationship(
        back_populates="category",
        cascade="all, delete-orphan",
        order_by="CategoryAttribute.order",
        lazy="selectin",
    )


class CategoryAttribute(Base):
    """A custom attribute a category asks for at intake (an Open311 service definition)."""

    __tablename__ = "category_attribute"
    __table_args__ = (
        UniqueConstraint("category_id", "code"),
        CheckConstraint(f"datatype IN ({_DATATYPES})", name="datatype_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("category.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    datatype: Mapped[str] = mapped_column(String(16))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    order: Mapped[int] = mapped_column(Integer)
    # List types: canonical JSON [{"key": …, "name": …}, …] (sorted keys, no spaces).
    values: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)

    category: Mapped[Category] = relationship(back_populates="attributes")


class RoutingRule(TimestampMixin, Base):
    """(category, territory-code prefix) → department: the most specific prefix wins."""

    __tablename__ = "routing_rule"
    __table_args__ = (UniqueConstraint("district_code", "category_code", "unit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Indexed by the unique constraint.
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    category_code: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str] = mapped_column(String(GRID_DIGITS))
    department_code: Mapped[str] = mapped_column(String(32))


class Notification(Base):
    """An in-app message to a user, or to everyone of a unit or department."""

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint(
            "user_id IS NOT NULL OR unit_code IS NOT NULL OR department_code IS NOT NULL",
            name="has_recipient",
        ),
        # A user's inbox and unread count find theirs by unit and by department.
        Index("ix_notification_department", "department_code", "district_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    unit_code: Mapped[str | None] = mapped_column(String(GRID_DIGITS), index=True)
    department_code: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The case it is about; a plain integer until the cases tables exist.
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationRead(Base):
    """That a user has read a notification (one addressed to a unit is read by each of its
    people on their own)."""

    __tablename__ = "notification_read"

    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarDay(Base):
    """A day the system admin declared a working or a rest day, overriding the official
    calendar (chinese_calendar and ONEGRID_CALENDAR_FILE): routing/calendar.py."""

    __tablename__ = "calendar_day"
    __table_args__ = (UniqueConstraint("district_code", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    day: Mapped[date] = mapped_column(Date)
    working: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
