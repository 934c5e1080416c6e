"""The unified social credit code of an enterprise or organisation (GB 32100-2015): 18
characters, the last a check character computed from the first 17."""

from onegrid.core.errors import Invalid

# GB 32100-2015: the 31 characters a code may hold (no I, O, S, V, Z), each worth its place,
# and the weight of each of the first 17 positions (3^i mod 31).
CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(CREDIT_CHARACTERS)}


def credit_check_character(first17: str) -> str:
    """Returns the GB 32100 check character of the first 17 characters of a credit code."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARACTERS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Returns the 18-character credit code normalised (upper case), or raises Invalid."""
    code = value.strip().upper()
    if len(code) != 18:
        raise Invalid(
            f"统一社会信用代码应为 18 位，实际为 {len(code)} 位",
            f"a unified social credit code has 18 characters, not {len(code)}",
            field="credit_code",
        )
    if any(c not in _VALUE for c in code):
        raise Invalid(
            "统一社会信用代码只能包含数字和大写字母（不含 I、O、S、V、Z）",
            "a unified social credit code holds digits and capital letters only "
            "(not I, O, S, V or Z)",
            field="credit_code",
        )
    if code[17] != credit_check_character(code[:17]):
        raise Invalid(
            "统一社会信用代码校验码（最后一位）不正确，请核对代码",
            "the check character (the last one) of the unified social credit code is wrong: "
            "check the code",
            field="credit_code",
        )
    return code
