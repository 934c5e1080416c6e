"""The unified social credit code's check character (GB 32100-2015)."""

import pytest

from onegrid.core.credit_code import credit_check_character, validate_credit_code
from onegrid.core.errors import Invalid

# Published codes: the standard's example, and well-known enterprises' business licences.
KNOWN_VALID = [
    "91350100M000100Y43",  # GB 32100-2015's example
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91110108551385082Q",  # 北京小米科技有限责任公司
    "91110000802100433B",  # 中国石油化工股份有限公司
]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_codes_pass_and_their_check_character_is_computed(code):
    assert credit_check_character(code[:17]) == code[17]
    assert validate_credit_code(f" {code.lower()} ") == code


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("91350100M000100Y4", "应为 18 位，实际为 17 位", "not 17"),
        ("91350100M000100Y44", "校验码（最后一位）不正确", "check character"),
        ("91350100O000100Y43", "不含 I、O、S、V、Z", "not I, O, S, V or Z"),
    ],
)
def test_a_wrong_code_is_refused_saying_why_in_both_languages(code, zh, en):
    with pytest.raises(Invalid) as refused:
        validate_credit_code(code)
    assert zh in refused.value.zh and en in refused.value.en
    assert refused.value.detail["field"] == "credit_code"


def test_every_single_character_change_is_caught():
    code = KNOWN_VALID[0]
    for i in range(17):
        for c in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if c != code[i]:
                changed = code[:i] + c + code[i + 1 :]
                assert credit_check_character(changed[:17]) != code[17]
