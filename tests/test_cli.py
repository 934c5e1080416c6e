"""The `onegrid` command as an operator runs it."""

import json

import pytest
from sqlalchemy import select

from onegrid.territory.models import TerritoryUnit


@pytest.fixture
def demo_url(demo_engine):
    return demo_engine.url.render_as_string(hide_password=False)


def test_locate_prints_a_grid_inside_dadong(demo_url, onegrid_cli):
    result = onegrid_cli(demo_url, "locate", "123.47", "41.80")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0].split()
    assert first[0] == "grid" and len(first[1]) == 15 and first[1].startswith("210104")
    assert result.stdout.splitlines()[-1].split()[1:] == ["210104", "大东区"]


def test_locate_outside_fails_with_a_message(demo_url, onegrid_cli):
    result = onegrid_cli(demo_url, "locate", "116.4", "39.9", "--crs", "gcj02")
    assert result.returncode == 2
    assert "outside the district" in result.stderr


def test_import_refuses_a_bad_file_and_writes_nothing(demo_url, demo_engine, tmp_path, onegrid_cli):
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "210104002009901", "name": "越界网格"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]],
                        },
                    },
                ],
            }
        )
    )
    result = onegrid_cli(demo_url, "territory", "import", str(bad))
    assert result.returncode == 2
    assert "feature #1 (code 210104002009901, 越界网格)" in result.stderr
    with demo_engine.connect() as connection:
        assert (
            connection.scalar(
                select(TerritoryUnit.id).where(TerritoryUnit.code == "210104002009901")
            )
            is None
        )


def test_export_writes_a_level_as_geojson(demo_url, tmp_path, onegrid_cli):
    out = tmp_path / "streets.geojson"
    result = onegrid_cli(demo_url, "territory", "export", "--level", "street", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert len(json.loads(out.read_text())["features"]) == 10


def test_import_of_an_export_into_an_empty_database(demo_url, tmp_path, onegrid_cli):
    out = tmp_path / "all.geojson"
    assert onegrid_cli(demo_url, "territory", "export", "-o", str(out)).returncode == 0
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = onegrid_cli(fresh, "territory", "import", str(out))
    assert result.returncode == 0, result.stderr
    assert "1360 grid" in result.stderr
    located = onegrid_cli(fresh, "locate", "123.47", "41.80")
    assert located.stdout == onegrid_cli(demo_url, "locate", "123.47", "41.80").stdout
