"""Memo gives the encoder's own text, remembered only where equal objects have equal text."""

import json

import pytest

from onegrid.core.jsontext import Memo

CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize(
    "value",
    [
        {"from": "received", "to": "opened"},
        {"to": "opened", "from": None},
        {"note": "核实后不属实", "quote": 'a"b\\c'},
        {"count": 1},
        {"count": True},
        {"nested": {"a": [1, 2]}},
        {},
    ],
)
def test_the_text_is_the_encoders(value):
    encode = Memo(CANONICAL)
    assert encode(value) == CANONICAL.encode(value)
    assert encode(value) == CANONICAL.encode(value)  # remembered or not, the same


def test_flat_text_objects_are_encoded_once_and_numbers_never_remembered():
    encode = Memo(CANONICAL)
    for _ in range(3):
        encode({"from": "received", "to": "opened"})
    assert encode._remembered.cache_info().misses == 1
    assert encode._remembered.cache_info().hits == 2
    # 1 == True, yet their text differs: such objects are encoded every time.
    assert (encode({"n": 1}), encode({"n": True})) == ('{"n":1}', '{"n":true}')
    assert encode._remembered.cache_info().currsize == 1


def test_a_mapping_that_is_not_a_dict_is_encoded_as_one():
    class Frozen(dict):
        pass

    assert Memo(CANONICAL)(Frozen(b="2", a="1")) == '{"a":"1","b":"2"}'
