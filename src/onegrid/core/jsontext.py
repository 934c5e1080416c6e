"""JSON text of the small, flat objects bulk work encodes again and again.

An import writes about seven timeline events and as many audit records per case, and each
carries a small object ({"from": "received", "to": "opened"}, {"channel": "hotline"}) of which
a batch holds only a few hundred different ones. A `CachingEncoder` encodes each one once.

    encode = CachingEncoder(json.JSONEncoder(sort_keys=True))
    encode({"from": "received", "to": "opened"})   # encoded, then remembered
"""

import json
from collections.abc import Mapping
from typing import Any


class CachingEncoder:
    """An encoder's text for objects, remembered for flat ones whose values are text or None
    (equal such objects have equal text; numbers are not remembered: 1 and True are equal);
    the first `size` different ones.

    An object is looked up by its items first: a remembered one's keys and values are text
    or None, and only text equals text and only None equals None, so an object found is one
    of those, and its text is the one remembered."""

    def __init__(self, encoder: json.JSONEncoder, size: int = 4096) -> None:
        self.encoder = encoder
        self.size = size
        self.remembered: dict[tuple[tuple[str, str | None], ...], str] = {}
        self.encoded = 0  # objects encoded, remembered or not

    def __call__(self, value: Mapping[str, Any]) -> str:
        items = tuple(value.items())
        try:
            return self.remembered[items]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key (a list, an object): not remembered
            return self._encode(value)
        text = self._encode(value)
        if len(self.remembered) < self.size and all(
            type(k) is str and (v is None or type(v) is str) for k, v in items
        ):
            self.remembered[items] = text
        return text

    def _encode(self, value: Mapping[str, Any]) -> str:
        self.encoded += 1
        return self.encoder.encode(value if type(value) is dict else dict(value))
