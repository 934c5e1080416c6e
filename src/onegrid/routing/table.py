"""The routing table in memory: (category, territory-code prefix) → department, by dict lookups.

Intake routes every case; a bulk import routes millions. The table is loaded once per district
(`service.routing_table`) and answers without touching the database. Which rule wins is
`most_specific`'s to say, here and for the query in `service.resolve` alike.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from onegrid.core.errors import Invalid, NotFound
from onegrid.core.levels import LENGTHS_EN_DIGIT, LENGTHS_ZH, level_of, prefixes


def check_unit_code(unit_code: str, district_code: str) -> None:
    """Raises Invalid unless this is the code of a unit of the district, at any level."""
    if level_of(unit_code) is None or not unit_code.startswith(district_code):
        raise Invalid(
            f"区划代码 {unit_code} 无效：应为本区（{district_code}）的 {LENGTHS_ZH} 位代码",
            f"the unit code {unit_code} is not a {LENGTHS_EN_DIGIT} code of the district "
            f"{district_code}",
            unit_code=unit_code,
        )


def unknown_category(code: str) -> NotFound:
    """Returns the error for a category code the catalogue does not hold."""
    return NotFound(f"没有代码为 {code} 的案件类别", f"no category has the code {code}")


def unknown_department(code: str, district_code: str) -> Invalid:
    """Returns the error for a routing target that names no department of the district."""
    return Invalid(
        f"职能部门 {code} 在区 {district_code} 中不存在",
        f"the department {code} does not exist in the district {district_code}",
        department_code=code,
    )


def most_specific(unit_code: str, rules: Mapping[str, str]) -> tuple[str, str] | None:
    """Returns (unit code, department code) of the rule that routes a case in this unit: the
    unit's own, else its community's, street's or district's, the most specific rule winning;
    None if none has a rule. `rules` maps unit codes to department codes (of one category)."""
    for code in prefixes(unit_code):
        department = rules.get(code)
        if department is not None:
            return code, department
    return None


@dataclass(frozen=True)
class RoutingTable:
    """Every routing rule and category default of one district, for routing without queries."""

    district_code: str
    rules: Mapping[str, Mapping[str, str]]  # category code → unit code → department code
    defaults: Mapping[str, str]  # category code → its default department code
    departments: frozenset[str]

    def resolve(self, category_code: str, unit_code: str) -> tuple[str, str | None]:
        """Returns (department code, unit code of the rule that matched or None for the default)."""
        check_unit_code(unit_code, self.district_code)
        found = most_specific(unit_code, self.rules.get(category_code, _NO_RULES))
        if found is not None:
            matched, department = found
        else:
            matched, department = None, self.defaults.get(category_code)
            if department is None:
                raise unknown_category(category_code)
        if department not in self.departments:
            raise unknown_department(department, self.district_code)
        return department, matched

    def route(self, category_code: str, unit_code: str) -> str:
        """Returns the code of the department a case of this category in this unit goes to."""
        return self.resolve(category_code, unit_code)[0]


_NO_RULES: Mapping[str, str] = {}
