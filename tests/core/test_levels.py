"""Territory levels: a code's length tells its level, its first digits the units above it."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onegrid.core.levels import (
    CODE_LENGTHS,
    DISTRICT_CODE_PATTERN,
    LENGTHS_EN,
    LENGTHS_EN_DIGIT,
    LENGTHS_ZH,
    UNIT_CODE_DESCRIPTION,
    UNIT_CODE_PATTERN,
    Level,
    level_of,
    parent_code,
    prefix,
    prefixes,
)

GRID = "210104002009001"


def test_each_level_adds_three_digits_to_the_district_code_of_gb_t_2260():
    assert [level.code_length for level in Level] == [6, 9, 12, 15] == list(CODE_LENGTHS)
    assert [level.parent for level in Level] == [
        None,
        Level.DISTRICT,
        Level.STREET,
        Level.COMMUNITY,
    ]
    assert [level.child for level in Level] == [Level.STREET, Level.COMMUNITY, Level.GRID, None]


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("210104", Level.DISTRICT),
        ("210104002", Level.STREET),
        ("210104002009", Level.COMMUNITY),
        (GRID, Level.GRID),
        ("", None),
        ("21010", None),
        ("2101040", None),
        ("2101040020090011", None),
        ("21010a", None),
        ("210104\n", None),
        ("２１０１０４", None),  # full-width digits are not a code
    ],
)
def test_the_length_of_a_code_of_digits_tells_its_level(code, level):
    assert level_of(code) is level


@given(st.text(alphabet="0123456789a\n", max_size=17))
def test_the_pattern_of_the_api_accepts_the_codes_level_of_knows(code):
    assert (re.fullmatch(UNIT_CODE_PATTERN, code) is not None) == (level_of(code) is not None)
    district = re.fullmatch(DISTRICT_CODE_PATTERN, code) is not None
    assert district == (level_of(code) is Level.DISTRICT)


def test_a_code_begins_with_the_codes_of_the_units_above_it():
    assert prefixes(GRID) == [GRID, "210104002009", "210104002", "210104"]
    assert prefixes("210104002") == ["210104002", "210104"]
    assert prefix(GRID, Level.STREET) == "210104002"
    assert prefix(GRID, Level.GRID) == GRID


def test_messages_name_the_lengths_as_they_always_did():
    assert LENGTHS_ZH == "6、9、12 或 15"
    assert LENGTHS_EN == "6, 9, 12 or 15"
    assert LENGTHS_EN_DIGIT == "6-, 9-, 12- or 15-digit"
    assert UNIT_CODE_PATTERN == r"^\d{6}(\d{3}){0,3}$"
    assert UNIT_CODE_DESCRIPTION == "district (6 digits), street (9), community (12) or grid (15)"


def test_a_units_parent_is_the_code_one_level_up():
    assert parent_code("210104002009001") == "210104002009"
    assert parent_code("210104002009") == "210104002"
    assert parent_code("210104002") == "210104"
    assert parent_code("210104") is None
    assert parent_code("2101040") is None  # no unit's code
