"""The audit chain's keys: HMAC-SHA256 under ONEGRID_AUDIT_KEY, which never enters the database.

Each record names the key it was hashed under by a key id (16 hex digits, an HMAC of a fixed
label under the key: it tells keys apart without revealing them). Rotating: put the current key
into ONEGRID_AUDIT_OLD_KEYS (comma-separated) and a new one into ONEGRID_AUDIT_KEY; records
written from then on carry the new id and the old ones still verify.
"""

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from onegrid.config import get_settings

_LABEL = b"onegrid audit key id"


def key_id(key: bytes) -> str:
    """Returns the id recorded with every record hashed under this key."""
    return hmac.new(key, _LABEL, hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    """The key new records are hashed under, and every key that still verifies."""

    current_id: str
    macs: dict  # key id → an HMAC-SHA256 object primed with the key, copied for each record

    def mac(self, kid: str):
        """Returns a fresh HMAC under the key with this id, or None if it is not configured."""
        primed = self.macs.get(kid)
        return primed.copy() if primed is not None else None


@lru_cache(maxsize=4)
def _keyring(current: bytes, old: tuple[bytes, ...]) -> Keyring:
    macs = {key_id(k): hmac.new(k, digestmod=hashlib.sha256) for k in (*old, current)}
    return Keyring(current_id=key_id(current), macs=macs)


def keyring() -> Keyring:
    """Returns the configured keyring (ONEGRID_AUDIT_KEY, ONEGRID_AUDIT_OLD_KEYS)."""
    current, old = get_settings().audit_keys
    return _keyring(current, tuple(old))
