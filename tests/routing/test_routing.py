"""The most specific rule wins; then a district-wide rule; then the category's default."""

import pytest
from sqlalchemy import select

from onegrid.core.errors import Invalid, NotFound
from onegrid.core.permissions import Scope
from onegrid.demo import DEMO_DISTRICT
from onegrid.routing import service
from onegrid.routing.models import Category
from onegrid.territory.models import TerritoryUnit

pytestmark = pytest.mark.usefixtures("catalogue")

HUALU_GRID = "210104002009001"  # 大北街道 / 华炉社区: the demo's community-level rule
DABEI_GRID = "210104002013001"  # 大北街道 / 付家社区: the demo's street-level rule
SHANGYUAN_GRID = "210104017012009"  # 上园街道: no rule for 占道经营
STREET = Scope(district_code=DEMO_DISTRICT, unit_codes=("210104002",))


def _where(session, category, unit):
    found = service.resolve(
        session=session, district_code=DEMO_DISTRICT, category_code=category, unit_code=unit
    )
    return found.department.code, found.rule_unit_code


def _set(session, category, unit, department, scope=None):
    return service.set_rule(
        session=session,
        scope=scope or Scope.all(),
        category_code=category,
        unit_code=unit,
        department_code=department,
    )


def test_the_most_specific_rule_wins_down_to_the_default(session):
    assert _where(session, "E0501", HUALU_GRID) == ("urban_mgmt", "210104002009")
    assert _where(session, "E0501", DABEI_GRID) == ("market", "210104002")
    assert _where(session, "E0501", "210104002") == ("market", "210104002")
    assert _where(session, "E0501", SHANGYUAN_GRID) == ("urban_mgmt", None)
    _set(session, "E0501", DEMO_DISTRICT, "police")  # a district-wide rule beats the default
    assert _where(session, "E0501", SHANGYUAN_GRID) == ("police", DEMO_DISTRICT)
    assert _where(session, "E0501", DABEI_GRID) == ("market", "210104002")
    _set(session, "E0501", DABEI_GRID, "health")  # a grid beats its street
    assert _where(session, "E0501", DABEI_GRID) == ("health", DABEI_GRID)
    assert _where(session, "E0501", "210104002013002") == ("market", "210104002")


def test_route_returns_the_department(session):
    department = service.route(
        session=session, district_code=DEMO_DISTRICT, category_code="E0108", unit_code="210104015"
    )
    assert (department.code, department.name) == ("police", "公安大东分局")


def test_routing_refuses_unknown_categories_units_and_departments(session):
    with pytest.raises(NotFound, match="no category has the code E9999"):
        _where(session, "E9999", HUALU_GRID)
    for unit in ("110101001", "2101040", "21010400200a"):
        with pytest.raises(Invalid, match="is not a 6-, 9-, 12- or 15-digit code"):
            _where(session, "E0501", unit)
    category = session.scalars(select(Category).where(Category.code == "E0101")).one()
    category.default_department_code = "sanitation"
    session.flush()
    with pytest.raises(Invalid) as error:
        _where(session, "E0101", HUALU_GRID)
    assert error.value.zh == "职能部门 sanitation 在区 210104 中不存在"


def test_the_table_in_memory_agrees_with_the_database(session):
    _set(session, "E0501", DEMO_DISTRICT, "police")
    _set(session, "0101", "210104006", "urban_mgmt")
    _set(session, "0101", "210104006002001", "emergency")
    table = service.routing_table(session=session, district_code=DEMO_DISTRICT)
    units = list(
        session.scalars(
            select(TerritoryUnit.code)
            .where(TerritoryUnit.code.like("21010400%"))
            .order_by(TerritoryUnit.code)
            .limit(400)
        )
    )
    categories = [c.code for c in session.scalars(select(Category))]
    for unit in [DEMO_DISTRICT, HUALU_GRID, DABEI_GRID, SHANGYUAN_GRID, *units[::7]]:
        for category in categories:
            department, rule = _where(session, category, unit)
            assert table.resolve(category, unit) == (department, rule), (category, unit)
    assert table.route("0101", "210104006002001") == "emergency"
    assert table.route("0101", "210104006002002") == "urban_mgmt"


def test_the_table_refuses_what_the_database_refuses(session):
    table = service.routing_table(session=session, district_code=DEMO_DISTRICT)
    with pytest.raises(NotFound):
        table.route("E9999", HUALU_GRID)
    with pytest.raises(Invalid):
        table.route("E0501", "110101001")


def test_rules_are_set_only_within_the_scope(session):
    rule = _set(session, "E0102", "210104002009", "housing", scope=STREET)
    assert (rule.district_code, rule.department_code) == (DEMO_DISTRICT, "housing")
    assert _set(session, "E0102", "210104002009", "water", scope=STREET).id == rule.id
    for outside in ("210104017", DEMO_DISTRICT, "210104002999"):
        with pytest.raises(NotFound, match=f"no territory unit has the code {outside}"):
            _set(session, "E0102", outside, "housing", scope=STREET)
    with pytest.raises(NotFound):
        _set(session, "E9999", "210104002009", "housing", scope=STREET)
    with pytest.raises(Invalid):
        _set(session, "E0102", "210104002009", "nowhere", scope=STREET)


def test_a_rule_is_deleted_within_the_scope_and_routing_falls_back(session):
    with pytest.raises(NotFound):
        service.delete_rule(
            session=session, scope=STREET, category_code="E0108", unit_code="210104015"
        )
    deleted = service.delete_rule(
        session=session, scope=STREET, category_code="E0501", unit_code="210104002009"
    )
    assert deleted.department_code == "urban_mgmt"
    assert _where(session, "E0501", HUALU_GRID) == ("market", "210104002")
    with pytest.raises(NotFound, match="has no routing rule"):
        service.delete_rule(
            session=session, scope=STREET, category_code="E0501", unit_code="210104002009"
        )


def test_a_scope_lists_the_rules_that_route_its_cases(session):
    _set(session, "E0501", DEMO_DISTRICT, "police")
    listed = {
        (r.category_code, r.unit_code) for r in service.list_rules(session=session, scope=STREET)
    }
    assert listed == {
        ("E0501", DEMO_DISTRICT),
        ("E0501", "210104002"),
        ("E0501", "210104002009"),
    }
    everything = service.list_rules(
        session=session, scope=Scope(district_code=DEMO_DISTRICT, unit_codes=(DEMO_DISTRICT,))
    )
    assert ("E0108", "210104015") in {(r.category_code, r.unit_code) for r in everything}
    only = service.list_rules(session=session, scope=STREET, category_code="E0108")
    assert only == []
