"""Passwords: Argon2id hashing (memory-hard) and the password policy.

The policy asks for length and strength, not for kinds of characters: strength is zxcvbn's
estimate of the guesses an attacker needs, with the user's own names and the patterns Chinese
users favour (pinyin, 520/1314, keyboard walks) added to its dictionaries.
"""

import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import matching, zxcvbn

from onegrid.core.errors import Invalid

MIN_LENGTH = 12
MIN_SCORE = 4  # zxcvbn's top score: at least 10^10 guesses
# Patterns that leaked Chinese password lists start with, most common first: zxcvbn ranks a
# word by its place in a list, and these are missing from its English lists.
_CHINESE_PATTERNS = [
    "woaini",
    "5201314",
    "1314520",
    "1314",
    "520",
    "woaini1314",
    "woaini520",
    "iloveyou",
    "aini",
    "woainima",
    "wodemima",
    "mima",
    "zhongguo",
    "beijing",
    "shanghai",
    "shenyang",
    "dadong",
    "1qaz2wsx",
    "1qaz2wsx3edc",
    "1qaz@wsx3edc",
    "1qaz@wsx",
    "!qaz2wsx",
    "!qaz@wsx#edc",
    "1qazxsw2",
    "qazwsxedc",
    "qazwsx",
    "zaq12wsx",
    "zaq1xsw2",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "q1w2e3r4",
    "qweasdzxc",
    "asdfghjkl",
    "zxcvbnm",
    "147258369",
    "159357",
    "741852963",
    "123qwe",
    "qwe123",
    "abc123",
    "a123456",
    "aa123456",
    "admin",
    "root",
    "test",
    "guest",
    "system",
    "88888888",
    "66666666",
    "666666",
    "888888",
    "168168",
    "518518",
    "wangyi",
    "baidu",
    "taobao",
    "weixin",
    "qq",
    "qqqq",
    "hao123",
    "nihao",
    "laopo",
    "laogong",
    "baobei",
    "xiaobao",
    "tiantian",
    "xiaoxiao",
    "kuaile",
    "xingfu",
    "pingan",
    "zhang",
    "wang",
    "li",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "zhou",
    "wu",
    "xu",
    "sun",
    "ma",
    "zhu",
    "hu",
    "guo",
    "he",
    "lin",
    "luo",
    "gao",
    "zheng",
    "liang",
    "xie",
    "song",
    "tang",
    "han",
    "feng",
    "deng",
    "cao",
    "peng",
    "zeng",
    "xiao",
    "tian",
    "dong",
    "pan",
    "yuan",
    "cai",
    "jiang",
    "yu",
    "du",
    "ye",
    "cheng",
    "wei",
    "su",
    "lv",
    "ding",
    "ren",
    "lu",
    "yao",
    "shen",
    "zhong",
    "cui",
    "tan",
    "fan",
    "jin",
    "wangwei",
    "zhangwei",
    "lijing",
    "wangfang",
    "liwei",
    "zhangmin",
    "zhangjing",
    "liqiang",
    "wangjing",
]
_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile


@lru_cache
def _dictionaries() -> None:
    # Once per process: zxcvbn keeps its ranked dictionaries in a module-level table.
    matching.add_frequency_lists({"chinese": _CHINESE_PATTERNS})


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


def check_policy(password: str, username: str, display_name: str | None = None) -> None:
    """Raises Invalid naming the first rule of the password policy the password breaks."""
    if len(password) < MIN_LENGTH:
        raise Invalid(
            f"密码至少需要 {MIN_LENGTH} 个字符",
            f"the password needs at least {MIN_LENGTH} characters",
            field="password",
        )
    if password.isdigit():
        raise Invalid(
            "密码不能全是数字（手机号、QQ 号、生日都容易被猜到）",
            "the password must not be digits only (phone, QQ numbers and birthdays are guessed)",
            field="password",
        )
    if username and username.lower() in password.lower():
        raise Invalid(
            "密码不能包含用户名", "the password must not contain the username", field="password"
        )
    _dictionaries()
    # zxcvbn matches each user input as one word: a display name gives each of its words.
    inputs = [username, display_name or "", *re.split(r"[\W_]+", display_name or "")]
    inputs = [i for i in inputs if len(i) > 1]
    estimate = zxcvbn(password[:72], user_inputs=inputs)
    if estimate["score"] < MIN_SCORE:
        raise Invalid(
            "密码太容易被猜到（常见密码、键盘序列、拼音、520/1314 等数字或个人信息）："
            "请用几个不相关的词组成更长的密码",
            "the password is too easy to guess (a common password, keyboard walk, pinyin, "
            "520/1314-style digits or personal details): use a longer phrase of unrelated words",
            field="password",
        )
