"""JSON text of the small, flat objects bulk work encodes again and again.

An import writes about seven timeline events and as many audit records per case, and each
carries a small object ({"from": "received", "to": "opened"}, {"channel": "hotline"}) of which
a batch holds only a few hundred different ones. `Memo` encodes each different one once.

    encode = Memo(json.JSONEncoder(sort_keys=True))
    encode({"from": "received", "to": "opened"})   # encoded, then remembered
"""

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any


class Memo:
    """An encoder's text for objects, remembered for flat ones whose values are text or None
    (equal such objects have equal text; numbers are not remembered: 1 and True are equal)."""

    def __init__(self, encoder: json.JSONEncoder, size: int = 4096) -> None:
        self.encoder = encoder
        self._remembered = lru_cache(maxsize=size)(self._encode_items)

    def __call__(self, value: Mapping[str, Any]) -> str:
        value = value if type(value) is dict else dict(value)
        if all(type(k) is str and (v is None or type(v) is str) for k, v in value.items()):
            return self._remembered(tuple(value.items()))
        return self.encoder.encode(value)

    def _encode_items(self, items: tuple[tuple[str, str | None], ...]) -> str:
        return self.encoder.encode(dict(items))
