"""Settings: defaults, and the default secret refused outside development."""

import base64

import pytest
from pydantic import ValidationError

from onegrid.config import Settings


def test_defaults_are_a_local_sqlite_file_and_shanghai_time(monkeypatch):
    monkeypatch.delenv("ONEGRID_DATABASE_URL", raising=False)
    settings = Settings(_env_file=None)
    assert settings.database_url == "sqlite:///./var/onegrid.db"
    assert str(settings.sqlite_path()) == "var/onegrid.db"
    assert settings.time_zone == "Asia/Shanghai"


@pytest.mark.parametrize("environment", ["production", "demo"])
def test_the_default_secret_is_refused_outside_development(environment):
    key = base64.urlsafe_b64encode(b"k" * 32).decode()
    with pytest.raises(ValidationError, match="ONEGRID_SECRET_KEY"):
        Settings(_env_file=None, environment=environment, data_key=key)
    with pytest.raises(ValidationError, match="ONEGRID_DATA_KEY"):
        Settings(_env_file=None, environment=environment, secret_key="s3cret-enough")
    assert Settings(
        _env_file=None, environment=environment, secret_key="s3cret-enough", data_key=key
    )


@pytest.mark.parametrize("environment", ["production", "demo"])
@pytest.mark.parametrize("name", ["audit_key", "audit_checkpoint_key"])
def test_the_default_audit_keys_are_refused_outside_development(environment, name, monkeypatch):
    from onegrid import config

    defaults = {"audit_key": config.DEFAULT_AUDIT_KEY}
    defaults["audit_checkpoint_key"] = config.DEFAULT_CHECKPOINT_KEY
    given = {"secret_key": "s3cret-enough", "data_key": base64.urlsafe_b64encode(b"k" * 32)}
    given["data_key"] = given["data_key"].decode()
    with pytest.raises(ValidationError, match=f"ONEGRID_{name.upper()} is still the development"):
        Settings(_env_file=None, environment=environment, **given, **{name: defaults[name]})
    with pytest.raises(ValidationError, match=f"ONEGRID_{name.upper()} must be 32 random bytes"):
        Settings(_env_file=None, **{name: "short"})


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ONEGRID_DATABASE_URL", "postgresql://db.example/onegrid")
    monkeypatch.setenv("ONEGRID_TILING_TOLERANCE", "0.001")
    settings = Settings(_env_file=None)
    assert settings.database_url == "postgresql://db.example/onegrid"
    assert settings.tiling_tolerance == 0.001
    assert settings.sqlite_path() is None
