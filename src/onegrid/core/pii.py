"""Personal information: validating ID numbers (GB 11643) and phones, and masking them.

Every response masks personal data by default; the clear value is shown only through a logged
reveal (onegrid.pii). Error messages never quote the value they refuse. Free text is personal
data too (SPEC §7): `mask_text` finds the phones, ID numbers and bank cards typed into it and
masks them in place — `请联系13912345678` becomes `请联系139****5678`.
"""

import re
from dataclasses import dataclass
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
    NAME = "name"  # 张** : the first character kept
    TEXT = "text"  # free text: what it holds of the kinds below masked in place
    BANK_CARD = "bank_card"


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
    if kind == PiiKind.NAME:
        return mask_name(value)
    if kind == PiiKind.TEXT:
        return mask_text(value)
    # A health or assistance status is hidden entirely: even its length would tell.
    return _STATUS_MASK


def mask_name(name: str | None) -> str | None:
    """Returns a person's name with all but its first character hidden: 张三丰 → 张**."""
    if not name:
        return name
    return "*" if len(name) == 1 else name[0] + "*" * (len(name) - 1)


# Free text is searched in a copy with full-width digits, plus, minus and space made ASCII (as
# a Chinese input method types them); one character for one, so a match's place is the same in
# the text as typed. Chinese numerals (一三九…) are not searched.
_ASCII = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "＋": "+", "－": "-", "\u3000": " "}
)
_MONTH_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
# No digit may touch a number on either side: a longer run of digits is some other number.
_ALONE_BEFORE, _ALONE_AFTER = r"(?<![0-9])", r"(?![0-9])"
_FREE_TEXT = (
    # An 18-character ID number (GB 11643): area, birth date, sequence, check character. The
    # check character is not required to be right: a mistyped number still names a person.
    (
        PiiKind.ID_NUMBER,
        re.compile(
            _ALONE_BEFORE
            + rf"[1-9][0-9]{{5}}(?:19|20)[0-9]{{2}}{_MONTH_DAY}[0-9]{{3}}[0-9Xx]"
            + _ALONE_AFTER
        ),
    ),
    # A 15-digit ID number of before 1999: area, birth date (yymmdd), sequence. Born 1910 or
    # later: a 15-digit grid code (its street code 0xx where the year would be) is no ID.
    (
        PiiKind.ID_NUMBER,
        re.compile(
            _ALONE_BEFORE + rf"[1-8][0-9]{{5}}[1-9][0-9]{_MONTH_DAY}[0-9]{{3}}" + _ALONE_AFTER
        ),
    ),
    # A mobile, 11 digits from 13 to 19, with +86 or 86 in front or not, and spaces or dashes
    # between its groups of 3, 4 and 4.
    (
        PiiKind.PHONE,
        re.compile(
            _ALONE_BEFORE
            + r"(?:(?:\+|00)?86[ -]?)?(1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4})"
            + _ALONE_AFTER
        ),
    ),
    # A bank card: 13 to 19 digits in one run or in groups of four, passing the Luhn check.
    (
        PiiKind.BANK_CARD,
        re.compile(
            _ALONE_BEFORE
            + r"[1-9](?:[0-9]{12,18}|[0-9]{3}(?:[ -][0-9]{4}){2,3}(?:[ -][0-9]{1,4})?)"
            + _ALONE_AFTER
        ),
    ),
    # A landline with its area code (010, 02x, or 0 and three digits), in brackets or not, and
    # an optional extension; a local number alone is too like other numbers to tell.
    (
        PiiKind.PHONE,
        re.compile(
            _ALONE_BEFORE + r"[(（]?(0(?:[12][0-9]|[3-9][0-9]{2}))[)）]?[ -]?"
            r"([2-9][0-9]{6,7})(?:(?:-|转)[0-9]{1,6})?" + _ALONE_AFTER
        ),
    ),
)


_LANDLINE_IN_TEXT = _FREE_TEXT[-1][1]


@dataclass(frozen=True)
class Found:
    """Personal data found in a text: its kind and where it lies (text[start:end])."""

    kind: PiiKind
    start: int
    end: int


def luhn_valid(digits: str) -> bool:
    """Tells whether a string of digits passes the Luhn check (ISO/IEC 7812) of card numbers."""
    total = 0
    for i, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _card(digits: str) -> bool:
    # Of 15 digits only American Express (34, 37): a 15-digit grid code is no card.
    return luhn_valid(digits) and (len(digits) != 15 or digits.startswith(("34", "37")))


def _real_birth_date(number: str) -> bool:
    """An ID number's birth date is a day of the calendar (its shape only bounds month, day)."""
    try:
        if len(number) == 18:
            date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        else:
            date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return False
    return True


def find_personal(text: str) -> list[Found]:
    """Returns the phones, ID numbers and bank card numbers in the text, in order."""
    if not text:
        return []
    ascii_text = text.translate(_ASCII)
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _FREE_TEXT:
        for match in pattern.finditer(ascii_text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue  # a kind searched before holds these digits
            value = match.group()
            if kind is PiiKind.ID_NUMBER and not _real_birth_date(value):
                continue
            if kind is PiiKind.BANK_CARD and not _card(re.sub(r"[^0-9]", "", value)):
                continue
            taken.append((start, end))
            found.append(Found(kind, start, end))
    return sorted(found, key=lambda f: f.start)


# Digits kept at each end of what was found: the rest are hidden, separators kept.
_KEPT = {PiiKind.ID_NUMBER: (4, 4), PiiKind.BANK_CARD: (4, 4)}


def _mask_found(ascii_part: str, part: str, kind: PiiKind) -> str:
    # An ID number's check character X counts as a digit: its last four are shown.
    digits = [i for i, c in enumerate(ascii_part) if c.isdigit() or c in "Xx"]
    landline = _LANDLINE_IN_TEXT.fullmatch(ascii_part) if kind is PiiKind.PHONE else None
    if landline:
        # The area code only names the city; the local number is hidden but for its last two
        # digits, and an extension entirely.
        shown = set(digits) & set(range(*landline.span(1)))
        shown |= set([i for i in digits if i in range(*landline.span(2))][-2:])
        hidden = set(digits) - shown
    elif kind is PiiKind.PHONE:
        # A mobile: its last 11 digits are the number (a +86 in front is kept), of which the
        # first three (the carrier) and the last four are shown.
        hidden = set(digits[-8:-4])
    else:
        head, tail = _KEPT[kind]
        hidden = set(digits[head : len(digits) - tail])
    return "".join("*" if i in hidden else c for i, c in enumerate(part))


def mask_text(text: str | None) -> str | None:
    """Returns the text with the personal data found in it masked in place, as long as before:
    13912345678 → 139****5678, 2101**********1234, 6222 **** **** 1234, 024-******78."""
    if not text:
        return text
    found = find_personal(text)
    if not found:
        return text
    ascii_text = text.translate(_ASCII)
    pieces, at = [], 0
    for f in found:
        pieces += [
            text[at : f.start],
            _mask_found(ascii_text[f.start : f.end], text[f.start : f.end], f.kind),
        ]
        at = f.end
    pieces.append(text[at:])
    return "".join(pieces)


def masked_and_original(text: str | None) -> tuple[str | None, str | None]:
    """Returns the text masked, and the text as typed if masking changed it (None if not):
    the caller keeps the first where everyone reads and seals the second for a reveal."""
    masked = mask_text(text)
    return masked, (text if masked != text else None)
