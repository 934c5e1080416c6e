"""Territory levels, district → street → community → grid, and the digits of their codes.

A unit's code is its parent's code and three digits more: a district has the 6 of GB/T 2260,
a street 9, a community 12, a grid 15. So a code's length tells its level, and its first digits
are the codes of the units above it. These lengths are written here and nowhere else.

    level_of("210104002")              # Level.STREET
    prefix("210104002009001", Level.STREET)   # "210104002"
    prefixes("210104002009")           # ["210104002009", "210104002", "210104"]
"""

import re
from enum import StrEnum


class Level(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"

    @property
    def code_length(self) -> int:
        """Digits of a code at this level: 6 (GB/T 2260) + 3 street + 3 community + 3 grid."""
        return _CODE_LENGTH[self]

    @property
    def child(self) -> "Level | None":
        order = list(Level)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None

    @property
    def parent(self) -> "Level | None":
        order = list(Level)
        index = order.index(self)
        return order[index - 1] if index > 0 else None


_STEP = 3  # the digits a level adds to its parent's code
_CODE_LENGTH = {level: 6 + _STEP * n for n, level in enumerate(Level)}
_BY_LENGTH = {length: level for level, length in _CODE_LENGTH.items()}

DISTRICT_DIGITS = Level.DISTRICT.code_length
GRID_DIGITS = Level.GRID.code_length
# Every level's code length, district first: (6, 9, 12, 15).
CODE_LENGTHS = tuple(_CODE_LENGTH.values())
# The code of a district, and of a unit at any level (for path and query parameters).
DISTRICT_CODE_PATTERN = rf"^\d{{{DISTRICT_DIGITS}}}$"
UNIT_CODE_PATTERN = rf"^\d{{{DISTRICT_DIGITS}}}(\d{{{_STEP}}}){{0,{len(Level) - 1}}}$"
_UNIT_CODE = re.compile(UNIT_CODE_PATTERN, re.ASCII)


def _listed(words: list[str], comma: str, last: str) -> str:
    return comma.join(words[:-1]) + last + words[-1]


# The lengths as a message says them: "6、9、12 或 15", "6, 9, 12 or 15", "6-, 9-, 12- or 15-digit".
LENGTHS_ZH = _listed([str(n) for n in CODE_LENGTHS], "、", " 或 ")
LENGTHS_EN = _listed([str(n) for n in CODE_LENGTHS], ", ", " or ")
LENGTHS_EN_DIGIT = _listed([f"{n}-" for n in CODE_LENGTHS], ", ", " or ") + "digit"
# "district (6 digits), street (9), community (12) or grid (15)"
UNIT_CODE_DESCRIPTION = _listed(
    [
        f"{level} ({level.code_length}{' digits' if level is Level.DISTRICT else ''})"
        for level in Level
    ],
    ", ",
    " or ",
)


def level_of(code: str) -> Level | None:
    """Returns the level of the unit with this code; None if it is no unit code (6, 9, 12 or
    15 ASCII digits)."""
    return _BY_LENGTH[len(code)] if _UNIT_CODE.fullmatch(code) else None


def prefix(code: str, level: Level) -> str:
    """Returns the code of the unit at this level that holds the unit with this code."""
    return code[: level.code_length]


def parent_code(code: str) -> str | None:
    """Returns the code of the unit directly above the unit with this code; None for a
    district (or a code that is no unit's)."""
    level = level_of(code)
    parent = level.parent if level else None
    return prefix(code, parent) if parent else None


def prefixes(code: str) -> list[str]:
    """Returns the codes of the unit and of every unit above it, the unit's own first."""
    return [code[:length] for length in reversed(CODE_LENGTHS) if length <= len(code)]
