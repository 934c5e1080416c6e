"""The password policy and Argon2 hashing."""

import pytest

from onegrid.accounts.passwords import check_policy, hash_password, verify_password
from onegrid.core.errors import Invalid
from onegrid.demo.build import DEMO_PASSWORD


def test_hashes_are_argon2id_and_verify():
    hashed = hash_password("Correct-Horse-9")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "Correct-Horse-9")
    assert not verify_password(hashed, "correct-horse-9")
    assert not verify_password("not a hash", "Correct-Horse-9")


GUESSABLE = "too easy to guess"


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Short-Pass1", "at least 12 characters"),
        ("138123456789", "digits only"),
        ("Has-zhangsan-9", "must not contain the username"),
        # What an outside probe found accepted, and what Chinese users pick most.
        ("Admin@123456", GUESSABLE),
        ("1qaz@WSX3edc", GUESSABLE),
        ("Qwerty123456", GUESSABLE),
        ("P@ssw0rd1234", GUESSABLE),
        ("woaini5201314", GUESSABLE),
        ("Woaini@1314520", GUESSABLE),
        ("Wangwei@19900101", GUESSABLE),
        ("1q2w3e4r5t6y", GUESSABLE),
        ("ZhangSan@1314", "must not contain the username"),
        ("Zhang-San-1314", GUESSABLE),  # the display name's pinyin parts and 1314
    ],
)
def test_the_policy_names_the_rule_broken(password, rule):
    with pytest.raises(Invalid) as error:
        check_policy(password, "zhangsan", "张三")
    assert rule in error.value.en
    assert error.value.zh and error.value.zh != error.value.en


def test_the_display_name_counts_as_personal_detail():
    check_policy("Orbit-Lanternfish", "li")
    with pytest.raises(Invalid, match="too easy to guess"):
        check_policy("Orbit-Lanternfish", "li", "Lanternfish Orbit")


@pytest.mark.parametrize(
    "password", [DEMO_PASSWORD, "Grid-Worker-2026", "Correct-Horse-Battery", "Map-Reader-2026"]
)
def test_good_passwords_pass(password):
    check_policy(password, "zhangsan", "张三")
