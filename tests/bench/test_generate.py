"""The benchmarks' case generator: deterministic, exact in count, in the import format."""

import dataclasses
import json
from collections import Counter
from zoneinfo import ZoneInfo

import shapely
from shapely import Point
from sqlalchemy import select

from bench.generate import END, as_json, write_cases
from onegrid.cases.bulk.engine import Row
from onegrid.cases.bulk.importing import read
from onegrid.core.levels import Level
from onegrid.territory.models import TerritoryUnit
from onegrid.territory.service import grid_index


def test_the_stream_is_the_same_every_time_and_reads_as_an_import(session, tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert write_cases(session, first, 3_000) == 3_000
    assert write_cases(session, second, 3_000, workers=2) == 3_000  # days made side by side
    assert first.read_bytes() == second.read_bytes()
    rows = list(read(first, ZoneInfo("Asia/Shanghai")))
    assert len(rows) == 3_000 and all(isinstance(r, Row) for r in rows)
    # A big district's days up to END, busy grids and common categories, real outcomes.
    assert max(r.received_at for r in rows).date() <= END
    assert Counter(r.report.channel.value for r in rows).most_common(1)[0][0] == "hotline"
    actions = Counter(s.action.value for r in rows for s in r.steps)
    assert actions["check_pass"] > actions["void"] > 0 and actions["check_fail"] > 0


def test_a_point_a_hair_inside_the_districts_edge_is_written_inside_it(session, tmp_path):
    # At 10M cases one generated point lay 4e-9° inside the district's edge, and rounding it
    # to seven decimals put it outside every grid: the import refused it at line 1,799,426.
    index = grid_index(session=session)
    grids = select(TerritoryUnit.geometry).where(TerritoryUnit.level == Level.GRID.value)
    district = shapely.union_all([shapely.from_wkb(g) for g in session.scalars(grids)])
    centre = district.representative_point()

    def hair_inside(at: float) -> Point:  # 3e-9° inside the edge, toward the centre
        edge = district.exterior.interpolate(at, normalized=True)
        step = 3e-9 / edge.distance(centre)
        return Point(edge.x + (centre.x - edge.x) * step, edge.y + (centre.y - edge.y) * step)

    points = [hair_inside(i / 400) for i in range(1, 400)]
    inside = next(p for p in points if not district.contains(Point(round(p.x, 7), round(p.y, 7))))
    assert district.contains(inside) and index.locate(inside.x, inside.y) is not None

    path = tmp_path / "one.jsonl"
    write_cases(session, path, 1)
    (row,) = read(path, ZoneInfo("Asia/Shanghai"))
    report = dataclasses.replace(row.report, lon=inside.x, lat=inside.y)
    path.write_text(json.dumps(as_json(dataclasses.replace(row, report=report))) + "\n")
    (again,) = read(path, ZoneInfo("Asia/Shanghai"))
    assert index.locate(again.report.lon, again.report.lat) is not None
