"""The routing table in memory: (category, territory-code prefix) → department, by dict lookups.

Intake routes every case; a bulk import routes millions. The table is loaded once per district
(`service.routing_table`) and answers without touching the database.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from onegrid.core.errors import Invalid, NotFound

# Territory code lengths, most specific first: grid, community, street, district.
PREFIX_LENGTHS = (15, 12, 9, 6)


def check_unit_code(unit_code: str, district_code: str) -> None:
    """Raises Invalid unless this is a 6-, 9-, 12- or 15-digit territory code of the district."""
    if (
        len(unit_code) not in PREFIX_LENGTHS
        or not unit_code.isascii()
        or not unit_code.isdigit()
        or not unit_code.startswith(district_code)
    ):
        raise Invalid(
            f"区划代码 {unit_code} 无效：应为本区（{district_code}）的 6、9、12 或 15 位代码",
            f"the unit code {unit_code} is not a 6-, 9-, 12- or 15-digit code of the district "
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


@dataclass(frozen=True)
class RoutingTable:
    """Every routing rule and category default of one district, for routing without queries."""

    district_code: str
    rules: Mapping[tuple[str, str], str]  # (category code, unit code) → department code
    defaults: Mapping[str, str]  # category code → its default department code
    departments: frozenset[str]

    def resolve(self, category_code: str, unit_code: str) -> tuple[str, str | None]:
        """Returns (department code, unit code of the rule that matched or None for the default)."""
        check_unit_code(unit_code, self.district_code)
        department, matched = None, None
        for length in PREFIX_LENGTHS:
            if len(unit_code) >= length:
                department = self.rules.get((category_code, unit_code[:length]))
                if department is not None:
                    matched = unit_code[:length]
                    break
        if department is None:
            department = self.defaults.get(category_code)
            if department is None:
                raise unknown_category(category_code)
        if department not in self.departments:
            raise unknown_department(department, self.district_code)
        return department, matched

    def route(self, category_code: str, unit_code: str) -> str:
        """Returns the code of the department a case of this category in this unit goes to."""
        return self.resolve(category_code, unit_code)[0]
