"""Settings: one class, read from the environment (ONEGRID_*) when asked for, never at import."""

import base64
import binascii
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me-onegrid-development-secret"
# base64url of b"onegrid-development-data-key-32b": encrypts personal data in development only.
DEFAULT_DATA_KEY = "b25lZ3JpZC1kZXZlbG9wbWVudC1kYXRhLWtleS0zMmI="
DATA_KEY_BYTES = 32
# base64url of b"onegrid-development-audit-key-32": keys the audit chain in development only.
DEFAULT_AUDIT_KEY = "b25lZ3JpZC1kZXZlbG9wbWVudC1hdWRpdC1rZXktMzI="
# base64url of b"onegrid-development-checkpoint-k": the Ed25519 seed signing checkpoints.
DEFAULT_CHECKPOINT_KEY = "b25lZ3JpZC1kZXZlbG9wbWVudC1jaGVja3BvaW50LWs="


class Environment(StrEnum):
    DEVELOPMENT = "development"
    DEMO = "demo"
    PRODUCTION = "production"


class Settings(BaseSettings):
    # Errors never echo their input: it may be a secret or the data key.
    model_config = SettingsConfigDict(
        env_prefix="ONEGRID_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite:///./var/onegrid.db"
    secret_key: str = DEFAULT_SECRET
    # AES-256 key (32 bytes, base64url) sealing personal data at rest: ID numbers, phones.
    data_key: str = DEFAULT_DATA_KEY
    time_zone: str = "Asia/Shanghai"
    # Working hours for case deadlines, local time (see onegrid.core.workcalendar); an empty
    # lunch break means none. The calendar file adds years of 调休 chinese_calendar lacks.
    work_day_start: str = "08:30"
    work_day_end: str = "17:30"
    lunch_break: str = "12:00-13:30"
    calendar_file: str = ""
    # Fraction of a unit's area that gaps or overlaps between its children may reach before an
    # import is refused: floating-point seams of a correct tiling are far below it.
    tiling_tolerance: float = 1e-6
    # Optional base-map tiles, e.g. an intranet tile server; empty keeps the map offline.
    tile_url: str = ""
    tile_attribution: str = ""
    # Sign-in: sessions end after this much idleness or age. Failures lock a (username,
    # source address) pair after lockout_threshold, a source after lockout_source_threshold
    # across usernames, each for lockout_minutes; a user is never locked from elsewhere.
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    lockout_threshold: int = 5
    lockout_source_threshold: int = 30
    lockout_minutes: int = 15
    # Send the cookies over HTTPS only; on by default outside development. Browsers keep a
    # Secure cookie from http://localhost and http://127.0.0.1 too; set false only to serve the
    # demo over plain HTTP to other machines (a LAN).
    cookie_secure: bool | None = None
    # Audit log (GB/T 22239 level 3 keeps audit records at least six months): records older
    # than this many days may be moved to gzip files in the archive directory, never dropped.
    audit_retention_days: int = 180
    audit_archive_dir: str = "./var/audit-archive"
    # HMAC-SHA256 key of the audit chain (32 bytes, base64url), never stored in the database;
    # keys it replaced, comma-separated, still verify the records written under them.
    audit_key: str = DEFAULT_AUDIT_KEY
    audit_old_keys: str = ""
    # Signed checkpoints of every chain's head (seq, hash, time), written outside the database
    # by `onegrid audit checkpoint` and every interval inside `onegrid serve`; the Ed25519 seed
    # (32 bytes, base64url) signs them, and the public keys of seeds it replaced still verify.
    audit_checkpoint_dir: str = "./var/audit-checkpoints"
    audit_checkpoint_key: str = DEFAULT_CHECKPOINT_KEY
    audit_checkpoint_old_public_keys: str = ""
    audit_checkpoint_interval_seconds: int = 300
    # Notification senders besides in-app: an SMS gateway taking a JSON POST, and an SMTP relay
    # ("host[:port]") with the From address. Empty: not used.
    sms_gateway_url: str = ""
    smtp_host: str = ""
    smtp_from: str = ""
    # Cases: where evidence files are kept, how large one may be, how often the sweep runs.
    evidence_dir: str = "./var/evidence"
    evidence_max_bytes: int = 10_000_000
    sweep_interval_seconds: int = 60
    # Open311 GeoReport v2 (docs/open311.md): what discovery tells clients, how many requests
    # a minute one API key may post (per server process), how often queued requests open.
    open311_contact: str = (
        "请联系区城市运行管理指挥中心 Contact the district's city operations command centre"
    )
    open311_key_service: str = (
        "API 密钥由区指挥中心签发（onegrid open311 key create）"
        " API keys are issued by the district command centre (onegrid open311 key create)"
    )
    open311_rate_per_minute: int = 60
    open311_batch_interval_seconds: int = 30
    # Reports: where each street's monthly report is written (reports/scheduled.py), and how
    # often `onegrid serve` checks that the month just ended has its reports.
    reports_dir: str = "./var/reports"
    reports_interval_seconds: int = 3600

    @model_validator(mode="after")
    def _keep_audit_records_180_days(self) -> "Settings":
        if self.audit_retention_days < 180:
            raise ValueError(
                "ONEGRID_AUDIT_RETENTION_DAYS must be at least 180 (审计记录至少保留 180 天, "
                f"GB/T 22239); got {self.audit_retention_days}"
            )
        return self

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.environment is not Environment.DEVELOPMENT and self.secret_key == DEFAULT_SECRET:
            raise ValueError(
                "ONEGRID_SECRET_KEY is still the development default; set a secret of your own "
                f"before running with ONEGRID_ENVIRONMENT={self.environment.value}"
            )
        return self

    @field_validator("data_key", "audit_key", "audit_checkpoint_key")
    @classmethod
    def _key_is_32_bytes(cls, value: str, info) -> str:
        _check_key(value, f"ONEGRID_{info.field_name.upper()}")
        return value

    @field_validator("audit_old_keys", "audit_checkpoint_old_public_keys")
    @classmethod
    def _old_keys_are_32_bytes(cls, value: str, info) -> str:
        for key in _split(value):
            _check_key(key, f"ONEGRID_{info.field_name.upper()}")
        return value

    @model_validator(mode="after")
    def _refuse_default_data_key(self) -> "Settings":
        if self.environment is not Environment.DEVELOPMENT and self.data_key == DEFAULT_DATA_KEY:
            raise ValueError(
                "ONEGRID_DATA_KEY is still the development default; set a key of your own "
                f"before running with ONEGRID_ENVIRONMENT={self.environment.value} "
                "(data encrypted under one key cannot be read under another: keep it safe)"
            )
        return self

    @model_validator(mode="after")
    def _refuse_default_audit_keys(self) -> "Settings":
        if self.environment is Environment.DEVELOPMENT:
            return self
        for name, value, default in (
            ("ONEGRID_AUDIT_KEY", self.audit_key, DEFAULT_AUDIT_KEY),
            ("ONEGRID_AUDIT_CHECKPOINT_KEY", self.audit_checkpoint_key, DEFAULT_CHECKPOINT_KEY),
        ):
            if value == default:
                raise ValueError(
                    f"{name} is still the development default; set a key of your own before "
                    f"running with ONEGRID_ENVIRONMENT={self.environment.value} (anyone knowing "
                    "the default could rewrite the audit log undetected)"
                )
        return self

    @property
    def audit_keys(self) -> tuple[bytes, list[bytes]]:
        """Returns the audit chain's current key and the old keys still verifying."""
        return _decode_key(self.audit_key), [_decode_key(k) for k in _split(self.audit_old_keys)]

    @property
    def checkpoint_keys(self) -> tuple[bytes, list[bytes]]:
        """Returns the checkpoint signing seed and the old public keys still verifying."""
        old = [_decode_key(k) for k in _split(self.audit_checkpoint_old_public_keys)]
        return _decode_key(self.audit_checkpoint_key), old

    @property
    def data_key_bytes(self) -> bytes:
        """Returns the data key as the 32 bytes AES-256 takes."""
        return _decode_key(self.data_key)

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment is not Environment.DEVELOPMENT

    @property
    def allows_demo_accounts(self) -> bool:
        return self.environment in (Environment.DEVELOPMENT, Environment.DEMO)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """Returns the SQLite database file, or None for another store or an in-memory one."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split("///", 1)[-1]
        return None if path in ("", ":memory:") else Path(path)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _check_key(value: str, name: str) -> None:
    try:
        decoded = _decode_key(value)
    except ValueError:
        decoded = b""
    if len(decoded) != DATA_KEY_BYTES:
        raise ValueError(
            f"{name} must be 32 random bytes in base64url; make one with python -c "
            "'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
        )


def _decode_key(value: str) -> bytes:
    # Padding is optional: keys are often pasted without their trailing "=".
    try:
        return base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError(str(error)) from None


@lru_cache
def get_settings() -> Settings:
    """Returns the process-wide settings, read from the environment on first use."""
    return Settings()
