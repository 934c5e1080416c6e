"""Passwords: Argon2id hashing (memory-hard) and the password policy."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from onegrid.core.errors import Invalid

MIN_LENGTH = 10
# The passwords every list of leaked passwords starts with, and their local favourites.
_COMMON = {
    "password123",
    "1234567890",
    "qwertyuiop",
    "abc1234567",
    "admin12345",
    "p@ssw0rd123",
    "woaini1314",
    "a123456789",
    "1qaz2wsx3edc",
    "qwerty12345",
    "zxcvbnm123",
    "123456789a",
}
_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    """Returns the Argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Tells whether the password matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tells whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def check_policy(password: str, username: str) -> None:
    """Raises Invalid naming the first rule of the password policy the password breaks."""
    classes = sum(
        any(test(c) for c in password)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    if len(password) < MIN_LENGTH:
        raise Invalid(
            f"密码至少需要 {MIN_LENGTH} 个字符",
            f"the password needs at least {MIN_LENGTH} characters",
        )
    if classes < 3:
        raise Invalid(
            "密码须含小写字母、大写字母、数字、符号中的至少三类",
            "the password needs three of: lower-case, upper-case, digits, symbols",
        )
    if username and username.lower() in password.lower():
        raise Invalid("密码不能包含用户名", "the password must not contain the username")
    if password.lower() in _COMMON:
        raise Invalid("密码过于常见", "the password is too common")
