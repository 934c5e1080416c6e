"""Personal information: validating ID numbers (GB 11643) and phones, and masking them.

Every response masks personal data by default; the clear value is shown only through a logged
reveal (onegrid.pii). Error messages never quote the value they refuse.
"""

import re
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from onegrid.config import get_settings
from onegrid.core.errors import Invalid


class PiiKind(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    HEALTH = "health"
    ASSISTANCE = "assistance"


# GB 11643-1999: weight of each of the first 17 digits (2^(17-i) mod 11), and the check
# character for each remainder of the weighted sum modulo 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})")
# Area code (010 and 02x have three digits, the others four), a local number of 7 or 8 digits
# never starting with 0 or 1, and an optional extension after "-" or 转.
_LANDLINE = re.compile(
    r"(?:(0(?:[12][0-9]|[3-9][0-9]{2}))-?)?([2-9][0-9]{6,7})(?:(?:-|转)([0-9]{1,6}))?"
)
_STATUS_MASK = "***"


def id_check_character(first17: str) -> str:
    """Returns the GB 11643 check character of the first 17 digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARACTERS[total % 11]


def _today() -> date:
    return datetime.now(ZoneInfo(get_settings().time_zone)).date()


def validate_id_number(value: str, *, today: date | None = None) -> str:
    """Returns the 18-character ID number normalised (x → X), or raises Invalid saying why."""
    number = value.strip().upper()
    if len(number) != 18:
        raise Invalid(
            f"身份证号码应为 18 位，实际为 {len(number)} 位",
            f"an ID number has 18 characters, not {len(number)}",
        )
    if not _ID_SHAPE.fullmatch(number):
        raise Invalid(
            "身份证号码前 17 位应为数字，最后一位为数字或 X",
            "an ID number is 17 digits followed by a digit or X",
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise Invalid(
            "身份证号码中的出生日期（第 7–14 位）不是有效日期",
            "the birth date in the ID number (characters 7–14) is not a real date",
        ) from None
    if born > (today or _today()):
        raise Invalid(
            "身份证号码中的出生日期（第 7–14 位）晚于今天",
            "the birth date in the ID number (characters 7–14) is in the future",
        )
    if number[17] != id_check_character(number[:17]):
        raise Invalid(
            "身份证号码校验码（最后一位）不正确，请核对号码",
            "the check character (the last one) of the ID number is wrong: check the number",
        )
    return number


def validate_phone(value: str) -> str:
    """Returns a mobile (11 digits) or landline ("024-22345678[-ext]") number, or raises Invalid."""
    compact = re.sub(r"[\s()（）]", "", value)
    mobile = _MOBILE.fullmatch(compact.replace("-", ""))
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.fullmatch(compact)
    if landline:
        area, local, extension = landline.groups()
        return "-".join(part for part in (area, local, extension) if part)
    raise Invalid(
        "电话号码格式不正确：应为 11 位手机号（如 13912345678）或固定电话（如 024-22345678）",
        "not a phone number: expected an 11-digit mobile (e.g. 13912345678) or a landline "
        "(e.g. 024-22345678, with an optional extension)",
    )


def _keep_ends(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def _mask_phone(phone: str) -> str:
    if _MOBILE.fullmatch(phone):
        return _keep_ends(phone, len(phone) - 8, 4)  # 139****5678, +86139****5678
    landline = _LANDLINE.fullmatch(phone)
    if landline:
        # The area code only names the city; the extension is hidden with the number.
        area, local, extension = landline.groups()
        masked = _keep_ends(local, 0, 2) + ("-" + "*" * len(extension) if extension else "")
        return f"{area}-{masked}" if area else masked
    return _keep_ends(phone, 0, 2)


def mask(kind: PiiKind, value: str | None) -> str | None:
    """Returns the value as shown by default: 2101**********1234, 139****5678, or ***."""
    if not value:
        return value
    if kind == PiiKind.ID_NUMBER:
        return _keep_ends(value, 4, 4)
    if kind == PiiKind.PHONE:
        return _mask_phone(value)
    # A health or assistance status is hidden entirely: even its length would tell.
    return _STATUS_MASK
