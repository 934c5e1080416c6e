"""A category's attributes at intake: required, datatype and allowed values, normalised."""

from datetime import UTC, datetime

import pytest

from onegrid.core.errors import Invalid
from onegrid.core.permissions import Scope
from onegrid.routing import service
from onegrid.routing.catalogue import canonical_values
from onegrid.routing.models import Category, CategoryAttribute

LEVELS = canonical_values([{"key": "low", "name": "低"}, {"key": "high", "name": "高"}])


def _category() -> Category:
    """Returns an unsaved category asking for one attribute of every datatype."""
    specs = [
        ("note", "string", False, None),
        ("details", "text", False, None),
        ("temperature", "number", True, None),
        ("seen_at", "datetime", False, None),
        ("level", "singlevaluelist", True, LEVELS),
        ("tags", "multivaluelist", False, LEVELS),
    ]
    return Category(
        code="E0799",
        name="测试",
        name_en="Test",
        attributes=[
            CategoryAttribute(
                code=code,
                name=f"属性{order}",
                name_en=code.title(),
                datatype=datatype,
                required=required,
                order=order,
                values=values,
            )
            for order, (code, datatype, required, values) in enumerate(specs, 1)
        ],
    )


def _check(**values):
    return service.validate_attributes(category=_category(), values=values)


def test_values_come_back_normalised():
    result = _check(
        note="  3号楼  ",
        details="楼道暖气片\n一直不热",
        temperature="14.5",
        seen_at="2026-01-05T22:30",
        level="high",
        tags=["high", "low", "high"],
    )
    assert result == {
        "note": "3号楼",
        "details": "楼道暖气片\n一直不热",
        "temperature": 14.5,
        "seen_at": "2026-01-05T14:30:00+00:00",  # Beijing time in, UTC out
        "level": "high",
        "tags": ["low", "high"],  # once each, in the catalogue's order
    }


def test_optional_attributes_may_be_left_out_or_empty():
    assert _check(temperature=16, level="low", note="", tags=[]) == {
        "temperature": 16,
        "level": "low",
    }


def test_numbers_and_times_of_other_shapes():
    assert _check(temperature=" 18 ", level="low")["temperature"] == 18
    assert _check(temperature=-3.0, level="low")["temperature"] == -3
    moment = datetime(2026, 1, 5, 14, 30, tzinfo=UTC)
    assert _check(temperature=1, level="low", seen_at=moment)["seen_at"] == moment.isoformat()
    zulu = _check(temperature=1, level="low", seen_at="2026-01-05T14:30:00Z")["seen_at"]
    assert zulu == "2026-01-05T14:30:00+00:00"
    assert _check(temperature=1, level=["low"], tags="high")["tags"] == ["high"]


@pytest.mark.parametrize(
    ("values", "zh", "en"),
    [
        (
            {"level": "low"},
            "属性「属性3」（temperature）为必填项",
            "temperature (Temperature) is required",
        ),
        ({"temperature": "", "level": "low"}, "为必填项", "temperature (Temperature) is required"),
        ({"temperature": 5}, "属性「属性5」（level）为必填项", "level (Level) is required"),
        ({"temperature": "warm", "level": "low"}, "应为数字", "must be a number, not 'warm'"),
        ({"temperature": True, "level": "low"}, "应为数字", "must be a number"),
        ({"temperature": "nan", "level": "low"}, "应为数字", "must be a number"),
        ({"temperature": 1, "level": "medium"}, "不在可选范围内", "has no value 'medium'"),
        ({"temperature": 1, "level": ["low", "high"]}, "只能选一个值", "takes exactly one value"),
        ({"temperature": 1, "level": "low", "tags": ["low", "x"]}, "「x」", "has no value 'x'"),
        ({"temperature": 1, "level": "low", "note": 42}, "应为文字", "note (Note) must be text"),
        ({"temperature": 1, "level": "low", "note": "长" * 256}, "超过 255", "longer than 255"),
        ({"temperature": 1, "level": "low", "seen_at": "yesterday"}, "ISO 8601", "ISO 8601"),
        ({"temperature": 1, "level": "low", "colour": "red"}, "没有属性 colour", "no attribute"),
    ],
)
def test_wrong_values_are_refused_naming_the_attribute(values, zh, en):
    with pytest.raises(Invalid) as error:
        _check(**values)
    assert zh in error.value.zh and en in error.value.en
    assert error.value.detail["attribute"] in values.keys() | {"temperature", "level"}


def test_a_catalogue_category_checks_its_own_attributes(session, catalogue):
    heating = service.get_category(session=session, scope=Scope.all(), code="E0601")
    with pytest.raises(Invalid, match="indoor_temperature"):
        service.validate_attributes(category=heating, values={"heating_type": "central"})
    assert service.validate_attributes(
        category=heating, values={"indoor_temperature": "15", "heating_type": "central"}
    ) == {"indoor_temperature": 15, "heating_type": "central"}
