"""The password policy and Argon2 hashing."""

import pytest

from onegrid.accounts.passwords import check_policy, hash_password, verify_password
from onegrid.core.errors import Invalid


def test_hashes_are_argon2id_and_verify():
    hashed = hash_password("Correct-Horse-9")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "Correct-Horse-9")
    assert not verify_password(hashed, "correct-horse-9")
    assert not verify_password("not a hash", "Correct-Horse-9")


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Short-1", "at least 10 characters"),
        ("alllowercaseletters", "three of"),
        ("Has-zhangsan-9", "must not contain the username"),
        ("P@ssw0rd123", "too common"),
    ],
)
def test_the_policy_names_the_rule_broken(password, rule):
    with pytest.raises(Invalid) as error:
        check_policy(password, "zhangsan")
    assert rule in error.value.en


def test_a_good_password_passes():
    check_policy("Grid-Worker-2026", "zhangsan")
