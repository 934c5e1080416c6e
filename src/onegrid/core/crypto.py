"""Personal data sealed at rest: AES-256-GCM under the data key from the settings.

A sealed value is text, "v1:<base64url of nonce + ciphertext + tag>", with a random 96-bit
nonce per value. "v1" names the key: a later key gets its own id, and values sealed under
the old one still open while they are re-sealed.

    phone: Mapped[str | None] = mapped_column(EncryptedString)

A sealed column cannot be searched or compared in SQL: equal values seal differently.
"""

import base64
import binascii
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from onegrid.config import get_settings

KEY_ID = "v1"
_NONCE_BYTES = 12
_TAG_BYTES = 16


class DecryptionError(Exception):
    """A stored value cannot be opened: the data key is wrong, or the value was altered."""


@lru_cache(maxsize=4)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def _key(key: bytes | None) -> bytes:
    # Read when a value is sealed or opened, never at import: settings come from the environment.
    return get_settings().data_key_bytes if key is None else key


def encrypt(plaintext: str, *, key: bytes | None = None) -> str:
    """Returns the text sealed under the data key (or this key), as "v1:<base64url>"."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _cipher(_key(key)).encrypt(nonce, plaintext.encode("utf-8"), None)
    return f"{KEY_ID}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def is_encrypted(value: str) -> bool:
    """Tells whether a stored value looks sealed (its key-id prefix), without opening it."""
    return value.startswith(f"{KEY_ID}:")


def decrypt(token: str, *, key: bytes | None = None) -> str:
    """Returns the clear text of a sealed value, or raises DecryptionError saying why not."""
    key_id, separator, body = token.partition(":")
    if not separator or key_id != KEY_ID:
        # Never quote the value: it may be personal data stored in clear by mistake.
        raise DecryptionError(
            f"the stored value is not sealed under a known key id (expected a '{KEY_ID}:' "
            "prefix): it was stored unencrypted, or under a key this version does not know"
        )
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) < _NONCE_BYTES + _TAG_BYTES:
        raise DecryptionError(f"the stored value under key {key_id} is malformed or truncated")
    try:
        clear = _cipher(_key(key)).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None)
    except InvalidTag:
        raise DecryptionError(
            f"cannot decrypt a value sealed under key {key_id}: ONEGRID_DATA_KEY is not the "
            "key it was encrypted with (wrong key), or the stored value was altered"
        ) from None
    return clear.decode("utf-8")


class EncryptedString(TypeDecorator[str]):
    """A text column stored sealed with AES-256-GCM, read back in clear."""

    # No associated data: a TypeDecorator is not told which table and column it serves.
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else decrypt(value)
