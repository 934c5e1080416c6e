"""Routing data access: the category catalogue, routing rules, and where a case goes."""

from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.core.errors import Invalid, NotFound
from onegrid.core.levels import prefixes
from onegrid.core.permissions import Scope
from onegrid.core.workcalendar import Duration
from onegrid.db import begin_writing
from onegrid.db.base import utcnow
from onegrid.routing import attributes as attribute_values
from onegrid.routing.catalogue import CategoryRow, default_files, limit_problem, read_catalogue
from onegrid.routing.models import Category, CategoryAttribute, RoutingRule
from onegrid.routing.table import (
    RoutingTable,
    check_unit_code,
    most_specific,
    unknown_category,
    unknown_department,
)
from onegrid.territory import service as territory
from onegrid.territory.models import Department

# Street- and community-level overrides of the demo district, so that "the most specific rule
# wins" can be seen: (category, unit, department, why).
DEMO_RULES = [
    ("E0501", "210104002", "market", "大北街道的占道经营集中在农贸市场周边，由市场监管牵头"),
    ("E0501", "210104002009", "urban_mgmt", "华炉社区不在市场周边，仍由城管执法处置"),
    ("E0108", "210104015", "police", "东塔街道夜间社会生活噪声多，由公安处置"),
]


@dataclass(frozen=True)
class CatalogueReport:
    """What a catalogue load wrote."""

    created: int
    updated: int
    attributes: int


@dataclass(frozen=True)
class Resolution:
    """Where a case goes: the department, and the unit code of the rule that chose it."""

    department: Department
    rule_unit_code: str | None  # None: no rule matched, the category's default department


def list_categories(
    *, session: Session, scope: Scope, include_inactive: bool = False
) -> list[Category]:
    """Returns the categories of the scope's district with their attributes, by code."""
    query = select(Category).where(scope.district_clause(Category.district_code))
    if not include_inactive:
        query = query.where(Category.active.is_(True))
    return list(session.scalars(query.order_by(Category.district_code, Category.code)))


def get_category(*, session: Session, scope: Scope, code: str) -> Category:
    """Returns the category with this code in the scope's district, or raises NotFound."""
    query = select(Category).where(
        Category.code == code, scope.district_clause(Category.district_code)
    )
    category = session.scalars(query.order_by(Category.district_code)).first()
    if category is None:
        raise unknown_category(code)
    return category


STAGES = ("verify", "dispatch", "handle", "check")  # the stages a category limits


def update_category(
    *,
    session: Session,
    scope: Scope,
    code: str,
    limits: dict[str, str],
    active: bool,
    department_code: str,
) -> tuple[Category, dict[str, Any]]:
    """Sets a category's stage time limits ("2h", "3d"), active flag and default department;
    returns it and what it had before. Invalid names the first field at fault, nothing changed."""
    begin_writing(session)
    category = get_category(session=session, scope=scope, code=code)
    written = {}
    for stage in STAGES:
        text = (limits.get(stage) or "").strip()
        problem = limit_problem(text)
        if problem is not None:
            raise Invalid(*problem, field=f"{stage}_limit")
        written[f"{stage}_limit"] = str(Duration.parse(text))
    _department(session, category.district_code, department_code.strip())
    before = _category_state(category)
    for column, value in written.items():
        setattr(category, column, value)
    category.active = active
    category.default_department_code = department_code.strip()
    # The case engine's kept catalogue (onegrid.cases.lookups) knows a change by this stamp.
    category.updated_at = utcnow()
    session.flush()
    return category, before


def _category_state(category: Category) -> dict[str, Any]:
    return {
        **{f"{stage}_limit": getattr(category, f"{stage}_limit") for stage in STAGES},
        "active": category.active,
        "department_code": category.default_department_code,
    }


def _department_codes(session: Session, district_code: str) -> set[str]:
    query = select(Department.code).where(Department.district_code == district_code)
    return set(session.scalars(query))


def _store(district_code: str, row: CategoryRow, category: Category) -> None:
    for column in (
        "kind",
        "major_code",
        "major_name",
        "major_name_en",
        "name",
        "name_en",
        "verify_limit",
        "dispatch_limit",
        "handle_limit",
        "check_limit",
        "duplicate_radius_m",
        "duplicate_window_hours",
        "active",
        "keywords",
        "description",
    ):
        setattr(category, column, getattr(row, column))
    category.default_department_code = row.department
    category.open311_type = row.open311_type.value
    # Stamped even when only its attributes change: Open311 discovery's changeset and the case
    # engine's kept catalogue (onegrid.cases.lookups) know a category changed by it.
    category.updated_at = utcnow()
    # Kept attributes are updated in place: replacing them would insert a code before the old
    # row holding it is deleted.
    stored = {a.code: a for a in category.attributes}
    kept = []
    for given in row.attributes:
        attribute = stored.get(given.code) or CategoryAttribute(
            district_code=district_code, code=given.code
        )
        for column in ("name", "name_en", "required", "order", "values", "description"):
            setattr(attribute, column, getattr(given, column))
        attribute.datatype = given.datatype.value
        kept.append(attribute)
    category.attributes = kept


def load_catalogue(
    *,
    session: Session,
    district_code: str,
    path: Path | Traversable | None = None,
    attributes_path: Path | Traversable | None = None,
) -> CatalogueReport:
    """Loads a categories CSV (onegrid's own if None) into the district: all rows or none.

    The attributes come from `attributes_path`, else from the attributes.csv beside `path`
    when there is one. Stored categories are updated; those missing from the file are kept.
    """
    if path is None:
        path, attributes_path = default_files()
    elif attributes_path is None:
        beside = path.parent / "attributes.csv" if isinstance(path, Path) else None
        attributes_path = beside if beside is not None and beside.is_file() else None
    rows = read_catalogue(
        path, attributes_path, departments=_department_codes(session, district_code)
    )
    stored = {
        c.code: c
        for c in session.scalars(select(Category).where(Category.district_code == district_code))
    }
    created = 0
    for row in rows:
        category = stored.get(row.code)
        if category is None:
            category = Category(district_code=district_code, code=row.code, attributes=[])
            session.add(category)
            created += 1
        _store(district_code, row, category)
    session.flush()
    return CatalogueReport(
        created=created,
        updated=len(rows) - created,
        attributes=sum(len(r.attributes) for r in rows),
    )


def _department(session: Session, district_code: str, code: str) -> Department:
    query = select(Department).where(
        Department.district_code == district_code, Department.code == code
    )
    department = session.scalars(query).first()
    if department is None:
        raise unknown_department(code, district_code)
    return department


def resolve(
    *, session: Session, district_code: str, category_code: str, unit_code: str
) -> Resolution:
    """Returns the department a case goes to and the rule that chose it (most specific wins)."""
    check_unit_code(unit_code, district_code)
    rules = session.execute(
        select(RoutingRule.unit_code, RoutingRule.department_code).where(
            RoutingRule.district_code == district_code,
            RoutingRule.category_code == category_code,
            RoutingRule.unit_code.in_(prefixes(unit_code)),
        )
    ).all()
    found = most_specific(unit_code, dict(rules))
    if found is not None:
        matched, code = found
        return Resolution(_department(session, district_code, code), matched)
    code = session.scalar(
        select(Category.default_department_code).where(
            Category.district_code == district_code, Category.code == category_code
        )
    )
    if code is None:
        raise unknown_category(category_code)
    return Resolution(_department(session, district_code, code), None)


def route(
    *, session: Session, district_code: str, category_code: str, unit_code: str
) -> Department:
    """Returns the department a case of this category in this unit goes to."""
    return resolve(
        session=session,
        district_code=district_code,
        category_code=category_code,
        unit_code=unit_code,
    ).department


def routing_table(*, session: Session, district_code: str) -> RoutingTable:
    """Returns the district's routing rules and defaults in memory, for routing many cases."""
    rules = session.execute(
        select(RoutingRule.category_code, RoutingRule.unit_code, RoutingRule.department_code).where(
            RoutingRule.district_code == district_code
        )
    ).all()
    defaults = session.execute(
        select(Category.code, Category.default_department_code).where(
            Category.district_code == district_code
        )
    ).all()
    by_category: dict[str, dict[str, str]] = {}
    for r in rules:
        by_category.setdefault(r.category_code, {})[r.unit_code] = r.department_code
    return RoutingTable(
        district_code=district_code,
        rules=by_category,
        defaults=dict(defaults),
        departments=frozenset(_department_codes(session, district_code)),
    )


def _applies_within(rule: RoutingRule, scope: Scope) -> bool:
    # A rule for the scope's units or below, or one above them that routes their cases.
    return scope.covers_unit(rule.unit_code) or any(
        code.startswith(rule.unit_code) for code in scope.unit_codes
    )


def list_rules(
    *, session: Session, scope: Scope, category_code: str | None = None
) -> list[RoutingRule]:
    """Returns the rules that route cases within the scope, by category and unit code."""
    query = select(RoutingRule).where(scope.district_clause(RoutingRule.district_code))
    if category_code is not None:
        query = query.where(RoutingRule.category_code == category_code)
    query = query.order_by(
        RoutingRule.district_code, RoutingRule.category_code, RoutingRule.unit_code
    )
    return [rule for rule in session.scalars(query) if _applies_within(rule, scope)]


def _rule(session: Session, district_code: str, category_code: str, unit_code: str):
    query = select(RoutingRule).where(
        RoutingRule.district_code == district_code,
        RoutingRule.category_code == category_code,
        RoutingRule.unit_code == unit_code,
    )
    return session.scalars(query).first()


def set_rule(
    *, session: Session, scope: Scope, category_code: str, unit_code: str, department_code: str
) -> RoutingRule:
    """Routes the category's cases in this unit (and below it) to the department."""
    begin_writing(session)
    unit = territory.get_by_code(session=session, code=unit_code, scope=scope)
    district_code = unit.district_code
    if _category_in(session, district_code, category_code) is None:
        raise unknown_category(category_code)
    _department(session, district_code, department_code)
    rule = _rule(session, district_code, category_code, unit_code)
    if rule is None:
        rule = RoutingRule(
            district_code=district_code, category_code=category_code, unit_code=unit_code
        )
        session.add(rule)
    rule.department_code = department_code
    session.flush()
    return rule


def _category_in(session: Session, district_code: str, code: str) -> Category | None:
    query = select(Category).where(Category.district_code == district_code, Category.code == code)
    return session.scalars(query).first()


def delete_rule(
    *, session: Session, scope: Scope, category_code: str, unit_code: str
) -> RoutingRule:
    """Deletes the rule of this category and unit, returning it; NotFound if there is none."""
    begin_writing(session)
    unit = territory.get_by_code(session=session, code=unit_code, scope=scope)
    rule = _rule(session, unit.district_code, category_code, unit_code)
    if rule is None:
        raise NotFound(
            f"类别 {category_code} 在 {unit_code} 没有派遣规则",
            f"the category {category_code} has no routing rule for {unit_code}",
        )
    session.delete(rule)
    session.flush()
    return rule


def seed_demo_rules(*, session: Session, district_code: str) -> list[RoutingRule]:
    """Adds the demo's street- and community-level overrides (DEMO_RULES) to the district."""
    return [
        set_rule(
            session=session,
            scope=Scope.all(),
            category_code=category,
            unit_code=unit,
            department_code=department,
        )
        for category, unit, department, _ in DEMO_RULES
        if unit.startswith(district_code)
    ]


def validate_attributes(
    *, category: Category, values: dict[str, Any], time_zone: str = "Asia/Shanghai"
) -> dict[str, Any]:
    """Returns the category's attribute values checked and normalised; Invalid names the first
    wrong one (required, datatype, allowed values, or an attribute the category does not have).

    Times without a zone are the reporter's local time (`time_zone`) and come back in UTC.
    """
    known = {a.code: a for a in category.attributes}
    unknown = sorted(set(values) - known.keys())
    if unknown:
        raise Invalid(
            f"类别「{category.name}」没有属性 {unknown[0]}",
            f"the category {category.code} ({category.name_en}) has no attribute {unknown[0]}",
            attribute=unknown[0],
        )
    result: dict[str, Any] = {}
    for attribute in category.attributes:
        value = values.get(attribute.code)
        if attribute_values.is_empty(value):
            if attribute.required:
                raise Invalid(
                    f"属性「{attribute.name}」（{attribute.code}）为必填项",
                    f"the attribute {attribute.code} ({attribute.name_en}) is required",
                    attribute=attribute.code,
                )
            continue
        result[attribute.code] = attribute_values.normalise(attribute, value, time_zone=time_zone)
    return result
