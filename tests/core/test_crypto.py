"""Personal data sealed at rest: AES-256-GCM values, the key from the settings, the migration."""

import base64
import os

import pytest
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from onegrid.config import Settings, get_settings
from onegrid.core.crypto import KEY_ID, DecryptionError, decrypt, encrypt, is_encrypted
from onegrid.db.engine import create_db_engine
from onegrid.db.migrate import downgrade, upgrade
from onegrid.territory.models import Person

OTHER_KEY = os.urandom(32)


def test_a_value_comes_back_as_it_went_in():
    for value in ("13912345678", "11010519491231002X", "低保户", ""):
        sealed = encrypt(value)
        assert sealed.startswith(f"{KEY_ID}:") and is_encrypted(sealed)
        assert value not in sealed[3:] or value == ""
        assert decrypt(sealed) == value


def test_each_value_gets_its_own_nonce():
    first, second = encrypt("13912345678"), encrypt("13912345678")
    assert first != second
    raw = [base64.urlsafe_b64decode(s.split(":", 1)[1]) for s in (first, second)]
    assert raw[0][:12] != raw[1][:12]
    assert len(raw[0]) == 12 + len("13912345678") + 16  # nonce, ciphertext, GCM tag
    assert decrypt(first) == decrypt(second) == "13912345678"


def test_a_wrong_key_is_named_not_turned_into_garbage():
    sealed = encrypt("13912345678")
    with pytest.raises(DecryptionError, match="wrong key") as caught:
        decrypt(sealed, key=OTHER_KEY)
    assert "ONEGRID_DATA_KEY" in str(caught.value)


def test_an_altered_value_is_refused():
    sealed = encrypt("13912345678")
    raw = bytearray(base64.urlsafe_b64decode(sealed[3:]))
    raw[-1] ^= 1
    with pytest.raises(DecryptionError, match="altered"):
        decrypt(f"{KEY_ID}:{base64.urlsafe_b64encode(bytes(raw)).decode()}")
    with pytest.raises(DecryptionError, match="malformed"):
        decrypt(f"{KEY_ID}:AAAA")


def test_a_value_stored_in_clear_is_refused_without_quoting_it():
    with pytest.raises(DecryptionError, match="known key id") as caught:
        decrypt("13912345678")
    assert "13912345678" not in str(caught.value)
    with pytest.raises(DecryptionError, match="known key id"):
        decrypt("v9:" + encrypt("x")[3:])


def test_the_key_is_read_from_the_settings_when_used(monkeypatch):
    key = base64.urlsafe_b64encode(OTHER_KEY).decode()
    monkeypatch.setenv("ONEGRID_DATA_KEY", key)
    get_settings.cache_clear()
    try:
        sealed = encrypt("13912345678")
        assert decrypt(sealed, key=OTHER_KEY) == "13912345678"
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    with pytest.raises(DecryptionError, match="wrong key"):
        decrypt(sealed)


@pytest.mark.parametrize("environment", ["production", "demo"])
def test_the_default_data_key_is_refused_outside_development(environment):
    with pytest.raises(ValidationError, match="ONEGRID_DATA_KEY is still the development"):
        Settings(_env_file=None, environment=environment, secret_key="s3cret-enough")
    key = base64.urlsafe_b64encode(OTHER_KEY).decode().rstrip("=")  # padding is optional
    settings = Settings(
        _env_file=None, environment=environment, secret_key="s3cret-enough", data_key=key
    )
    assert settings.data_key_bytes == OTHER_KEY


@pytest.mark.parametrize(
    "key", ["", "short", base64.urlsafe_b64encode(b"k" * 31).decode(), "*" * 44]
)
def test_a_data_key_of_other_than_32_bytes_is_refused_without_echoing_it(key):
    with pytest.raises(ValidationError, match="32 random bytes") as caught:
        Settings(_env_file=None, data_key=key)
    assert "urandom(32)" in str(caught.value)
    assert not key or key not in str(caught.value)


def test_phones_and_id_numbers_are_ciphertext_in_the_database(session):
    raw = session.execute(text("SELECT phone FROM person WHERE phone IS NOT NULL LIMIT 1")).scalar()
    phone = decrypt(raw)
    assert raw.startswith("v1:") and len(phone) == 11 and phone not in raw

    person = Person(district_code="210104", name="测试", phone="13912345678")
    person.id_number = "11010519491231002X"
    session.add(person)
    session.flush()
    row = session.execute(
        text("SELECT phone, id_number FROM person WHERE id = :id"), {"id": person.id}
    ).one()
    assert row.phone.startswith("v1:") and "13912345678" not in row.phone
    assert row.id_number.startswith("v1:") and "002X" not in row.id_number
    session.expire_all()
    again = session.scalars(select(Person).where(Person.id == person.id)).one()
    assert (again.phone, again.id_number) == ("13912345678", "11010519491231002X")


def _seed_plain_people(connection) -> None:
    connection.execute(
        text(
            "INSERT INTO territory_unit (id, district_code, level, code, name, geometry, "
            "min_lon, min_lat, max_lon, max_lat, is_demo) VALUES "
            "(1, '210104', 'district', '210104', '大东区', :g, 0, 0, 1, 1, false)"
        ),
        {"g": b"\x00"},
    )
    connection.execute(
        text(
            "INSERT INTO person (id, district_code, name, phone) VALUES "
            "(1, '210104', '甲', '13912345678'), (2, '210104', '乙', NULL), "
            "(3, '210104', '丙', '024-22345678')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO assignment (id, district_code, person_id, unit_id, role) VALUES "
            "(1, '210104', 1, 1, 'grid_worker'), (2, '210104', 3, 1, 'community_staff')"
        )
    )


def test_the_migration_encrypts_phones_in_place_and_keeps_enrolments(empty_db_url):
    engine = create_db_engine(empty_db_url)
    try:
        upgrade(engine, "0003")
        with engine.begin() as connection:
            _seed_plain_people(connection)
        upgrade(engine, "0004")
        with engine.connect() as connection:
            phones = dict(connection.execute(text("SELECT id, phone FROM person")).all())
            assert all(v.startswith("v1:") for v in (phones[1], phones[3])) and phones[2] is None
            assert decrypt(phones[1]) == "13912345678" and decrypt(phones[3]) == "024-22345678"
            # Rebuilding `person` on SQLite would have cascaded to its enrolments.
            assert connection.execute(text("SELECT count(*) FROM assignment")).scalar() == 2
        with Session(engine) as session:
            assert session.get(Person, 1).phone == "13912345678"
        downgrade(engine, "0003")
        with engine.connect() as connection:
            phones = dict(connection.execute(text("SELECT id, phone FROM person")).all())
            assert phones == {1: "13912345678", 2: None, 3: "024-22345678"}
            assert connection.execute(text("SELECT count(*) FROM assignment")).scalar() == 2
    finally:
        downgrade(engine, "base")
        engine.dispose()
