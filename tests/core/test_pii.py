"""ID numbers (GB 11643-1999), phone numbers, and the masks every response shows."""

import random
from datetime import date, timedelta

import pytest

from onegrid.core.errors import Invalid
from onegrid.core.pii import PiiKind, mask, validate_id_number, validate_phone

PUBLISHED = "11010519491231002X"  # the example printed in GB 11643-1999


def iso7064_check(first17: str) -> str:
    """An independent check character: ISO 7064 MOD 11-2, (12 - S mod 11) mod 11, 10 as X."""
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make_id(area: str, born: date, sequence: int) -> str:
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + iso7064_check(first17)


def some_ids(count: int = 200) -> list[str]:
    rng = random.Random(11643)
    areas = ["210104", "110105", "310115", "440305", "650102"]
    start = date(1920, 1, 1)
    return [
        make_id(
            rng.choice(areas), start + timedelta(days=rng.randrange(36_500)), rng.randrange(1000)
        )
        for _ in range(count)
    ]


def test_the_published_example_is_valid_and_a_lower_case_x_is_normalised():
    assert validate_id_number(PUBLISHED) == PUBLISHED
    assert validate_id_number(PUBLISHED.lower()) == PUBLISHED
    assert validate_id_number(f"  {PUBLISHED}\n") == PUBLISHED


def test_numbers_built_with_the_check_character_are_valid():
    numbers = some_ids()
    assert any(n.endswith("X") for n in numbers) and any(n[-1].isdigit() for n in numbers)
    for number in numbers:
        assert validate_id_number(number) == number


def test_every_wrong_check_character_is_refused():
    number = make_id("210104", date(1985, 6, 12), 123)
    for wrong in set("0123456789X") - {number[-1]}:
        with pytest.raises(Invalid) as caught:
            validate_id_number(number[:17] + wrong)
        assert "check character" in caught.value.en and "校验码" in caught.value.zh


def test_a_single_mistyped_digit_is_caught():
    number = make_id("210104", date(1990, 2, 28), 45)
    typo = number[:3] + str((int(number[3]) + 1) % 10) + number[4:]
    with pytest.raises(Invalid, match="check character"):
        validate_id_number(typo)


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        (PUBLISHED[:17], "18 characters, not 17", "18 位，实际为 17 位"),
        (PUBLISHED + "1", "18 characters, not 19", "实际为 19 位"),
        ("", "18 characters, not 0", "18 位"),
        ("1101051949123100XX", "17 digits followed by a digit or X", "前 17 位应为数字"),
        ("11010519491231O02X", "17 digits followed by a digit or X", "最后一位为数字或 X"),
        ("11010519491231002Y", "17 digits followed by a digit or X", "数字或 X"),
        ("１１０１０５１９４９１２３１００２X", "17 digits followed by a digit or X", "数字"),
    ],
)
def test_length_and_characters_are_named(value, english, chinese):
    with pytest.raises(Invalid) as caught:
        validate_id_number(value)
    assert english in caught.value.en and chinese in caught.value.zh


@pytest.mark.parametrize("birth", ["19850230", "19851301", "19850000", "20230229"])
def test_a_birth_date_that_does_not_exist_is_refused(birth):
    first17 = f"210104{birth}123"
    with pytest.raises(Invalid) as caught:
        validate_id_number(first17 + iso7064_check(first17))
    assert "not a real date" in caught.value.en and "出生日期" in caught.value.zh


def test_a_birth_date_in_the_future_is_refused():
    today = date(2026, 11, 22)
    tomorrow = make_id("210104", today + timedelta(days=1), 1)
    with pytest.raises(Invalid, match="in the future"):
        validate_id_number(tomorrow, today=today)
    born_today = make_id("210104", today, 1)
    assert validate_id_number(born_today, today=today) == born_today
    with pytest.raises(Invalid, match="in the future"):
        validate_id_number(make_id("210104", date(2999, 1, 1), 1))


def test_errors_never_quote_the_number():
    number = make_id("210104", date(1985, 6, 12), 123)
    for bad in (number[:17] + ("0" if number[-1] != "0" else "1"), number[:-1]):
        with pytest.raises(Invalid) as caught:
            validate_id_number(bad)
        assert bad not in caught.value.en + caught.value.zh
        assert number[6:14] not in caught.value.en + caught.value.zh


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("13912345678", "13912345678"),
        ("199 1234 5678", "19912345678"),
        ("139-1234-5678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("024-22345678", "024-22345678"),
        ("02422345678", "024-22345678"),
        ("(024) 2234 5678", "024-22345678"),
        ("010-62345678-8001", "010-62345678-8001"),
        ("0411-8412345", "0411-8412345"),
        ("0411 84123456 转 12", "0411-84123456-12"),
        ("22345678", "22345678"),
    ],
)
def test_mobile_and_landline_numbers_are_accepted_and_normalised(value, normalised):
    assert validate_phone(value) == normalised


@pytest.mark.parametrize(
    "value",
    ["", "12345678901", "1391234567", "139123456789", "abc", "110", "024-1234567", "024-223456789"],
)
def test_other_numbers_are_refused_with_a_clear_message(value):
    with pytest.raises(Invalid) as caught:
        validate_phone(value)
    assert "11-digit mobile" in caught.value.en and "landline" in caught.value.en
    assert "手机号" in caught.value.zh and "固定电话" in caught.value.zh


def test_an_id_number_keeps_its_first_four_and_last_four_characters():
    number = make_id("210104", date(1985, 6, 12), 123)
    assert mask(PiiKind.ID_NUMBER, number) == f"2101{'*' * 10}{number[-4:]}"
    assert mask(PiiKind.ID_NUMBER, PUBLISHED) == "1101**********002X"


def test_phones_are_masked():
    assert mask(PiiKind.PHONE, "13912345678") == "139****5678"
    assert mask(PiiKind.PHONE, "024-22345678") == "024-******78"
    assert mask(PiiKind.PHONE, "010-62345678-8001") == "010-******78-****"
    assert mask(PiiKind.PHONE, "8412345") == "*****45"
    assert mask(PiiKind.PHONE, "12") == "**"
    assert mask(PiiKind.PHONE, "13912345678") == "139****5678"
    assert mask(PiiKind.PHONE, None) is None


@pytest.mark.parametrize("kind", [PiiKind.HEALTH, PiiKind.ASSISTANCE])
def test_health_and_assistance_status_are_hidden_entirely(kind):
    assert mask(kind, "低保户（城市最低生活保障）") == "***"
    assert mask(kind, "否") == "***"


def test_nothing_stored_stays_nothing():
    for kind in PiiKind:
        assert mask(kind, None) is None
        assert mask(kind, "") == ""
