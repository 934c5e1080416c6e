"""CachingEncoder gives its encoder's own text, remembered only where equal objects have equal
text."""

import json

import pytest

from onegrid.core.jsontext import CachingEncoder

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
    encode = CachingEncoder(CANONICAL)
    assert encode(value) == CANONICAL.encode(value)
    assert encode(value) == CANONICAL.encode(value)  # remembered or not, the same


def test_flat_text_objects_are_encoded_once_and_numbers_never_remembered():
    encode = CachingEncoder(CANONICAL)
    for _ in range(3):
        encode({"from": "received", "to": "opened"})
    assert encode.encoded == 1
    # 1 == True, yet their text differs: such objects are encoded every time.
    assert (encode({"n": 1}), encode({"n": True})) == ('{"n":1}', '{"n":true}')
    assert (encode({"n": True}), encode({"n": 1})) == ('{"n":true}', '{"n":1}')
    assert encode.encoded == 5 and len(encode.remembered) == 1
    # Nor is an object equal to a remembered one unless it too holds only text.
    encode({"n": "1"})
    assert (encode({"n": 1}), encode({"n": 1.0})) == ('{"n":1}', '{"n":1.0}')
    # One that cannot be looked up (a list inside) is encoded all the same.
    assert encode({"n": ["1"]}) == '{"n":["1"]}'


def test_only_the_first_so_many_are_remembered():
    encode = CachingEncoder(CANONICAL, size=2)
    for n in range(3):
        encode({"n": str(n)})
    assert len(encode.remembered) == 2
    assert encode({"n": "2"}) == '{"n":"2"}' and encode.encoded == 4


def test_a_mapping_that_is_not_a_dict_is_encoded_as_one():
    class Frozen(dict):
        pass

    assert CachingEncoder(CANONICAL)(Frozen(b="2", a="1")) == '{"a":"1","b":"2"}'
