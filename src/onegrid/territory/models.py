"""Territory tables: the unit hierarchy, departments, and the people enrolled on the territory."""

from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onegrid.core.crypto import EncryptedString
from onegrid.core.levels import DISTRICT_DIGITS, GRID_DIGITS, Level
from onegrid.db.base import Base, TimestampMixin

_LEVELS = ", ".join(f"'{level}'" for level in Level)


class StaffRole(StrEnum):
    GRID_WORKER = "grid_worker"
    COMMUNITY_STAFF = "community_staff"
    DEPARTMENT_STAFF = "department_staff"


class TerritoryUnit(TimestampMixin, Base):
    """A district, street, community or grid with its polygon (WGS-84, stored as WKB)."""

    __tablename__ = "territory_unit"
    __table_args__ = (
        CheckConstraint(f"level IN ({_LEVELS})", name="level_known"),
        # The grid index's freshness check, on every intake: the newest change of a level.
        Index("ix_territory_unit_level_updated_at", "level", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    level: Mapped[str] = mapped_column(String(16), index=True)
    code: Mapped[str] = mapped_column(String(GRID_DIGITS), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("territory_unit.id", ondelete="RESTRICT"), index=True
    )
    geometry: Mapped[bytes] = mapped_column(LargeBinary)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    # Demo districts are labelled as such wherever they are shown.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    parent: Mapped["TerritoryUnit | None"] = relationship(remote_side=[id])


class Department(TimestampMixin, Base):
    """A functional department (职能部门) that owns categories of problems."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("district_code", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))


class Person(TimestampMixin, Base):
    """Someone who works on the territory: grid worker, community or department staff."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    name: Mapped[str] = mapped_column(String(50))
    # Personal data, sealed at rest and masked in every response (onegrid.core.pii).
    phone: Mapped[str | None] = mapped_column(EncryptedString)
    id_number: Mapped[str | None] = mapped_column(EncryptedString)


class Assignment(TimestampMixin, Base):
    """A person enrolled in a unit in a role (同网共治: department staff enrol in grids too)."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("person_id", "unit_id", "role"),
        CheckConstraint(
            "role IN ('grid_worker', 'community_staff', 'department_staff')", name="role_known"
        ),
        CheckConstraint(
            "(role = 'department_staff') = (department_id IS NOT NULL)", name="department_staff"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("territory_unit.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))

    person: Mapped[Person] = relationship()
    unit: Mapped[TerritoryUnit] = relationship()
    department: Mapped[Department | None] = relationship()


class PartyBranch(TimestampMixin, Base):
    """The party branch of a grid (党支部建在网格上): its secretary and member count."""

    __tablename__ = "party_branch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    grid_id: Mapped[int] = mapped_column(
        ForeignKey("territory_unit.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(100))
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    member_count: Mapped[int] = mapped_column(
        Integer, CheckConstraint("member_count >= 0", name="member_count_positive")
    )

    secretary: Mapped[Person | None] = relationship()
