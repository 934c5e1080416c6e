"""The one definition of "the most specific rule wins", against the rule said another way."""

from hypothesis import given
from hypothesis import strategies as st

from onegrid.routing.table import most_specific

DISTRICT = "210104"
# A small tree (2 streets × 2 communities × 2 grids), so that random rules overlap.
_STREETS = [DISTRICT + s for s in ("001", "002")]
_COMMUNITIES = [s + c for s in _STREETS for c in ("001", "002")]
_GRIDS = [c + g for c in _COMMUNITIES for g in ("001", "002")]
_CODES = [DISTRICT, *_STREETS, *_COMMUNITIES, *_GRIDS]
_DEPARTMENTS = ["market", "police", "water"]


@given(
    st.dictionaries(st.sampled_from(_CODES), st.sampled_from(_DEPARTMENTS)),
    st.sampled_from(_CODES),
)
def test_the_rule_of_the_longest_code_the_unit_lies_in_wins(rules, unit):
    holding = [code for code in rules if unit.startswith(code)]
    expected = max(holding, key=len) if holding else None
    found = most_specific(unit, rules)
    assert found == (None if expected is None else (expected, rules[expected]))


def test_a_grid_with_no_rule_of_its_own_takes_its_communitys_then_its_streets():
    grid = _GRIDS[0]
    rules = {grid[:9]: "police", grid[:12]: "water"}
    assert most_specific(grid, rules) == (grid[:12], "water")
    assert most_specific(grid, {grid[:9]: "police"}) == (grid[:9], "police")
    assert most_specific(grid, {"210105": "police"}) is None
