"""API keys: issued and revoked from the command line, kept as hashes, limited in rate.

A key is shown once, when it is made; the server keeps its SHA-256 (a key is 32 random bytes,
so a fast hash is enough: nobody can guess one to compare against).
"""

import hashlib
import math
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.core.errors import Conflict, Forbidden, Invalid, NotFound
from onegrid.db.base import utcnow
from onegrid.open311.models import ApiKey

PREFIX = "og311_"
_SHOWN = len(PREFIX) + 4  # what a listing shows of a key: enough to tell keys apart


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A key just made: its row, and the secret itself, which is never shown again."""

    row: ApiKey
    key: str


def create(
    *, session: Session, district_code: str, name: str, rate_per_minute: int, created_by: str
) -> Issued:
    """Makes a key for the district under a name unique there; returns it with its secret."""
    name = name.strip()
    if not name or len(name) > 64:
        raise Invalid("密钥名称应为 1–64 个字符", "a key's name is 1 to 64 characters")
    if rate_per_minute < 1:
        raise Invalid("每分钟请求数至少为 1", "the rate is at least 1 request a minute")
    if _named(session, district_code, name) is not None:
        raise Conflict(f"已有名为 {name} 的密钥", f"there is a key named {name} already")
    key = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        district_code=district_code,
        name=name,
        key_prefix=key[:_SHOWN],
        key_hash=digest(key),
        rate_per_minute=rate_per_minute,
        created_at=utcnow(),
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return Issued(row=row, key=key)


def _named(session: Session, district_code: str, name: str) -> ApiKey | None:
    query = select(ApiKey).where(ApiKey.district_code == district_code, ApiKey.name == name)
    return session.scalars(query).first()


def list_keys(*, session: Session, district_code: str | None = None) -> list[ApiKey]:
    """Returns the keys (of one district, or all), revoked ones included, by district and name."""
    query = select(ApiKey).order_by(ApiKey.district_code, ApiKey.name)
    if district_code is not None:
        query = query.where(ApiKey.district_code == district_code)
    return list(session.scalars(query))


def revoke(*, session: Session, district_code: str, name: str) -> ApiKey:
    """Revokes the district's key with this name: it opens nothing from now on."""
    row = _named(session, district_code, name)
    if row is None:
        raise NotFound(f"没有名为 {name} 的密钥", f"no key named {name}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return row


def authenticate(*, session: Session, key: str | None) -> ApiKey:
    """Returns the live key with this secret, or raises Forbidden (HTTP 403 in Open311)."""
    if not key:
        raise Forbidden(
            "缺少 api_key：提交请求需要 API 密钥", "api_key is missing: posting a request needs one"
        )
    row = session.scalars(select(ApiKey).where(ApiKey.key_hash == digest(key))).first()
    if row is None or row.revoked_at is not None:
        raise Forbidden("api_key 无效或已吊销", "invalid api_key: unknown or revoked")
    return row


class RateLimited(Forbidden):
    """Too many requests with one key: HTTP 403 (the spec's status for key trouble), code 429."""

    code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"该 api_key 请求过于频繁，请 {retry_after} 秒后再试",
            f"too many requests with this api_key: try again in {retry_after} s",
        )
        self.retry_after = retry_after


class RateLimiter:
    """A token bucket per key, in this server process: `rate` requests a minute, in bursts of
    up to `rate`. Several processes each keep their own buckets."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key hash: (tokens, at)

    def admit(self, key_hash: str, rate_per_minute: int) -> None:
        """Admits one request with the key, taking a token from its bucket; or raises
        RateLimited."""
        per_second = rate_per_minute / 60
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get(key_hash, (float(rate_per_minute), now))
            tokens = min(float(rate_per_minute), tokens + (now - at) * per_second)
            if tokens < 1:
                self._buckets[key_hash] = (tokens, now)
                raise RateLimited(max(1, math.ceil((1 - tokens) / per_second)))
            self._buckets[key_hash] = (tokens - 1, now)


limiter = RateLimiter()
