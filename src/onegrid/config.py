"""Settings: one class, read from the environment (ONEGRID_*) when asked for, never at import."""

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me-onegrid-development-secret"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    DEMO = "demo"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONEGRID_", env_file=".env", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite:///./var/onegrid.db"
    secret_key: str = DEFAULT_SECRET
    time_zone: str = "Asia/Shanghai"
    # Fraction of a unit's area that gaps or overlaps between its children may reach before an
    # import is refused: floating-point seams of a correct tiling are far below it.
    tiling_tolerance: float = 1e-6
    # Optional base-map tiles, e.g. an intranet tile server; empty keeps the map offline.
    tile_url: str = ""
    tile_attribution: str = ""

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.environment is not Environment.DEVELOPMENT and self.secret_key == DEFAULT_SECRET:
            raise ValueError(
                "ONEGRID_SECRET_KEY is still the development default; set a secret of your own "
                f"before running with ONEGRID_ENVIRONMENT={self.environment.value}"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """Returns the SQLite database file, or None for another store or an in-memory one."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split("///", 1)[-1]
        return None if path in ("", ":memory:") else Path(path)


@lru_cache
def get_settings() -> Settings:
    """Returns the process-wide settings, read from the environment on first use."""
    return Settings()
