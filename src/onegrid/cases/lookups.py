"""What the engine looks up while it moves a case: categories, departments, routes, cases.

A transition asks the database (`SessionLookups`); the bulk engine (onegrid.cases.bulk)
loads a district's catalogue, departments and routing table once and answers from memory
(`MemoryLookups`); online intake uses a per-process copy of that, loaded again when it changed
(`DistrictLookups`). All raise the same errors, so a case moves the same way either way.
"""

import threading
from typing import Protocol

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from onegrid.cases.models import Case
from onegrid.core.errors import Invalid
from onegrid.routing import service as routing
from onegrid.routing.models import Category, CategoryAttribute, RoutingRule
from onegrid.territory.models import Department


def inactive_category(code: str) -> Invalid:
    return Invalid(f"案件类别 {code} 不存在或已停用", f"the category {code} does not exist")


def unknown_department(code: str) -> Invalid:
    return Invalid(f"部门 {code} 不存在", f"the department {code} does not exist")


class Lookups(Protocol):
    def category(self, district_code: str, code: str) -> Category:
        """Returns the district's active category with this code, or raises Invalid."""
        ...

    def department_id(self, district_code: str, code: str) -> int:
        """Returns the id of the district's department with this code, or raises Invalid."""
        ...

    def route(self, district_code: str, category_code: str, grid_code: str) -> int:
        """Returns the id of the department the routing table sends this case to."""
        ...

    def case(self, receipt: str) -> Case | None:
        """Returns the case with this receipt number, if there is one."""
        ...


class SessionLookups:
    """Looks up in the database, keeping categories for the session's life."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def category(self, district_code: str, code: str) -> Category:
        cache = self.session.info.setdefault("onegrid.categories", {})
        category = cache.get((district_code, code))
        if category is None:
            category = self.session.scalars(
                select(Category).where(
                    Category.district_code == district_code, Category.code == code
                )
            ).first()
            if category is not None:
                cache[(district_code, code)] = category
        if category is None or not category.active:
            raise inactive_category(code)
        return category

    def department_id(self, district_code: str, code: str) -> int:
        department_id = self.session.scalar(
            select(Department.id).where(
                Department.district_code == district_code, Department.code == code
            )
        )
        if department_id is None:
            raise unknown_department(code)
        return department_id

    def route(self, district_code: str, category_code: str, grid_code: str) -> int:
        return routing.route(
            session=self.session,
            district_code=district_code,
            category_code=category_code,
            unit_code=grid_code,
        ).id

    def case(self, receipt: str) -> Case | None:
        return self.session.scalars(select(Case).where(Case.receipt == receipt)).first()


class MemoryLookups:
    """One district's catalogue, departments and routing table, loaded once.

    Cases the bulk engine is holding are found among `cases` before the database is asked.
    """

    def __init__(self, session: Session, district_code: str) -> None:
        self.session = session
        self.district_code = district_code
        query = select(Category).where(Category.district_code == district_code)
        self.categories = {c.code: c for c in session.scalars(query)}
        query = select(Department.code, Department.id).where(
            Department.district_code == district_code
        )
        self.departments: dict[str, int] = {code: id_ for code, id_ in session.execute(query)}
        self.table = routing.routing_table(session=session, district_code=district_code)
        self.cases: dict[str, Case] = {}

    def _check(self, district_code: str) -> None:
        if district_code != self.district_code:
            raise Invalid(
                f"本批次只处理区 {self.district_code} 的案件",
                f"this batch takes cases of the district {self.district_code} only",
            )

    def category(self, district_code: str, code: str) -> Category:
        self._check(district_code)
        category = self.categories.get(code)
        if category is None or not category.active:
            raise inactive_category(code)
        return category

    def department_id(self, district_code: str, code: str) -> int:
        self._check(district_code)
        if code not in self.departments:
            raise unknown_department(code)
        return self.departments[code]

    def route(self, district_code: str, category_code: str, grid_code: str) -> int:
        self._check(district_code)
        return self.departments[self.table.route(category_code, grid_code)]

    def case(self, receipt: str) -> Case | None:
        held = self.cases.get(receipt)
        if held is not None:
            return held
        return self.session.scalars(select(Case).where(Case.receipt == receipt)).first()


def _freshness():
    """A statement telling whether a district's catalogue, departments or routing changed:
    each table's row count (deletions) and newest change (updated_at, or the newest id for
    attributes, which the catalogue's loader stores only with their category, touching it)."""
    parts = []
    for table, newest in (
        (Category.__table__, "updated_at"),
        (CategoryAttribute.__table__, "id"),
        (RoutingRule.__table__, "updated_at"),
        (Department.__table__, "updated_at"),
    ):
        mine = table.c.district_code == bindparam("district_code")
        parts.append(select(func.count()).select_from(table).where(mine).scalar_subquery())
        parts.append(select(func.max(table.c[newest])).where(mine).scalar_subquery())
    return select(*parts)


_FRESHNESS = _freshness()


class _Catalogues:
    """Keeps each district's MemoryLookups per process, loaded again when the catalogue,
    departments or routing table changed: a group of online reports asks one query for them
    instead of loading them (about what seven cases' queries cost)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, str], tuple[tuple, MemoryLookups]] = {}

    def get(self, session: Session, district_code: str) -> MemoryLookups:
        where = (str(session.get_bind().engine.url), district_code)
        key = tuple(session.execute(_FRESHNESS, {"district_code": district_code}).one())
        with self._lock:
            kept = self._kept.get(where)
            if kept is not None and kept[0] == key:
                return kept[1]
        # Loaded in a session of its own on the same connection (and transaction): its objects
        # belong to no caller's session, and stay loaded once it closes.
        with Session(bind=session.connection()) as loading:
            lookups = MemoryLookups(loading, district_code)
        with self._lock:
            self._kept[where] = (key, lookups)
        return lookups


_catalogues = _Catalogues()


class DistrictLookups:
    """The kept MemoryLookups of whichever districts a group of online reports is in
    (intake.intake_many); cases are looked up in the database."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.loaded: dict[str, MemoryLookups] = {}

    def _of(self, district_code: str) -> MemoryLookups:
        lookups = self.loaded.get(district_code)
        if lookups is None:
            lookups = self.loaded[district_code] = _catalogues.get(self.session, district_code)
        return lookups

    def category(self, district_code: str, code: str) -> Category:
        return self._of(district_code).category(district_code, code)

    def department_id(self, district_code: str, code: str) -> int:
        return self._of(district_code).department_id(district_code, code)

    def route(self, district_code: str, category_code: str, grid_code: str) -> int:
        return self._of(district_code).route(district_code, category_code, grid_code)

    def case(self, receipt: str) -> Case | None:
        return self.session.scalars(select(Case).where(Case.receipt == receipt)).first()
