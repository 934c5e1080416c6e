"""Demo build helpers."""

import pytest

from onegrid.core.levels import Level
from onegrid.demo.build import allocate, load_divisions, short_name


def test_allocation_is_proportional_with_a_floor_and_exact_total():
    counts = allocate([1, 1, 2, 100], 40, 3)
    assert sum(counts) == 40 and min(counts) >= 3
    assert counts[3] > counts[2] >= counts[0]
    with pytest.raises(ValueError):
        allocate([1, 1], 5, 3)


def test_community_names_shorten_as_people_say_them():
    assert short_name("华炉社区") == "华炉社区"
    assert short_name("前詹屯村民委员会") == "前詹屯村"
    assert short_name("朱尔村村民委员会") == "朱尔村"
    assert short_name("多福巷社区居委会") == "多福巷社区"


def test_divisions_are_dadongs_nbs_codes():
    divisions = load_divisions()
    assert divisions[0].code == "210104" and divisions[0].level is Level.DISTRICT
    for d in divisions:
        assert len(d.code) == d.level.code_length and d.code.startswith("210104")
