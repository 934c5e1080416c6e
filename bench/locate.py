"""Benchmark (d), locate: points per second from point to grid, against PostGIS on the same data.

onegrid's GridIndex locates random points among the demo district's 1,360 grids; in the same
run a fresh PostgreSQL database with PostGIS holds the same polygons and points, and an
`ST_Contains` join assigns every point to its grid. Both answers are compared point by point.
Loading (building the index, copying rows into PostgreSQL, indexing) is timed by neither side.
"""

import os
import statistics
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import psycopg
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from sqlalchemy.engine import make_url

from bench.common import Figure, Scale, median_seconds
from bench.stores import POSTGRES_ADMIN
from onegrid.core.levels import Level
from onegrid.demo.build import territory_collection
from onegrid.territory.geoindex import NOT_FOUND, GridIndex

SEED = 20_260_104
POINTS = {Scale.SMOKE: 20_000, Scale.QUICK: 1_000_000, Scale.FULL: 10_000_000}
SINGLE_POINTS = {Scale.SMOKE: 2_000, Scale.QUICK: 50_000, Scale.FULL: 200_000}
REPEAT = 3
# Bulk lookups go a million points at a time, so memory stays modest at every scale.
CHUNK = 1_000_000
TARGET_POINTS_PER_S = 800_000
TARGET_RATIO = 4.0
TARGET = "≥ 800k points/s and ≥ 4× PostGIS"
# Only a point exactly on a border may legitimately get another answer (onegrid's closed
# polygons and smallest-code rule against ST_Contains' interior-only test); random doubles
# almost never land there, so a handful is the most that may differ, and only on a border.
MAX_DISAGREEING_SHARE = 1e-5
BORDER_DEGREES = 1e-9
# The suite's PostgreSQL server (ONEGRID_BENCH_POSTGRES), as psycopg takes it.
POSTGRES = (
    make_url(POSTGRES_ADMIN).set(drivername="postgresql").render_as_string(hide_password=False)
)
POSTGIS_PACKAGE = "postgresql-15-postgis-3"
BASELINE = "PostGIS ST_Contains join"
# Both produce the point → grid assignment; the faster is the baseline.
JOINS = {
    "planner's plan": (
        "SELECT p.id, g.code FROM pts p JOIN grids g ON ST_Contains(g.geom, p.geom)"
    ),
    # The planner picks points outer, probing the grids' index once per point. Driving from
    # the grids instead lets PostGIS reuse each polygon's prepared form for all its points;
    # OFFSET 0 stops the planner from flattening the subquery back into the first plan.
    "grid-driven plan": (
        "SELECT p.id, g.code FROM grids g CROSS JOIN LATERAL"
        " (SELECT p.id FROM pts p WHERE ST_Contains(g.geom, p.geom) OFFSET 0) p"
    ),
}
# PostgreSQL's binary COPY: a fixed header and trailer around big-endian tuples.
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + np.array([0, 0], dtype=">i4").tobytes()
COPY_TRAILER = np.array([-1], dtype=">i2").tobytes()
# One point per tuple: its id and its geometry as little-endian EWKB (Point with SRID 4326).
POINT_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("id_len", ">i4"),
        ("id", ">i8"),
        ("geom_len", ">i4"),
        ("byte_order", "u1"),
        ("wkb_type", "<u4"),
        ("srid", "<i4"),
        ("lon", "<f8"),
        ("lat", "<f8"),
    ]
)
EWKB_POINT_WITH_SRID = 0x20000001
EWKB_POINT_BYTES = 25
# One answer per tuple: point id, the smallest matching grid index, how many grids matched.
ANSWER_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("id_len", ">i4"),
        ("id", ">i8"),
        ("grid_len", ">i4"),
        ("grid", ">i4"),
        ("count_len", ">i4"),
        ("count", ">i8"),
    ]
)


@dataclass(frozen=True)
class Grids:
    """The demo grids in code order: GridIndex's order, so index i is codes[i] on both sides."""

    codes: list[str]
    polygons: np.ndarray  # of shapely Polygon and MultiPolygon

    def code(self, index: int) -> str | None:
        """Returns the code at this index, or None for NOT_FOUND."""
        return None if index == NOT_FOUND else self.codes[index]


@dataclass(frozen=True)
class Located:
    """The points, and onegrid's answer for each: an index into the grids, or NOT_FOUND."""

    lons: np.ndarray
    lats: np.ndarray
    grid: np.ndarray


@dataclass(frozen=True)
class Comparison:
    """How a PostGIS assignment compares with onegrid's, over every point."""

    compared: int
    disagreeing: int
    on_a_border: int  # of the disagreeing points
    on_several_grids: int  # points PostGIS put in more than one grid

    def explain(self) -> str:
        """Returns the comparison in words."""
        return (
            f"{self.compared:,} points compared, {self.disagreeing} disagree "
            f"({self.on_a_border} of them on a grid border), {self.on_several_grids} "
            "in several grids"
        )


@dataclass(frozen=True)
class JoinRun:
    """One PostGIS join: its median time, its plan in brief, its agreement with onegrid."""

    name: str
    seconds: float
    plan: str
    comparison: Comparison


def demo_grids() -> Grids:
    """Returns the demo district's 1,360 grids, without building a database.

    The demo build stores exactly these GeoJSON geometries (as WKB, which round-trips), so the
    index here is the one the running service builds from its database.
    """
    grids = sorted(
        (feature["properties"]["code"], shape(feature["geometry"]))
        for feature in territory_collection()["features"]
        if feature["properties"]["level"] == Level.GRID.value
    )
    return Grids([code for code, _ in grids], np.array([g for _, g in grids], dtype=object))


def random_points(
    bounds: tuple[float, float, float, float], n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Returns n deterministic points (lons, lats) uniform in the bounding box."""
    rng = np.random.default_rng(SEED)
    min_lon, min_lat, max_lon, max_lat = bounds
    return rng.uniform(min_lon, max_lon, n), rng.uniform(min_lat, max_lat, n)


def locate_all(index: GridIndex, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Returns each point's grid index (or NOT_FOUND), locating CHUNK points at a time."""
    return np.concatenate(
        [
            index.locate_indices(lons[start : start + CHUNK], lats[start : start + CHUNK])
            for start in range(0, len(lons), CHUNK)
        ]
    )


def locate_each(index: GridIndex, lons: np.ndarray, lats: np.ndarray) -> list[str | None]:
    """Returns each point's grid code, asking the index one point at a time."""
    return [index.locate(lon, lat) for lon, lat in zip(lons.tolist(), lats.tolist(), strict=True)]


def ensure_postgis(conn: psycopg.Connection) -> None:
    """Installs Debian's PostGIS for the local PostgreSQL 15 unless the server already has it."""
    if _postgis_available(conn):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    install = [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends"]
    quiet = {"env": env, "stdout": subprocess.DEVNULL}
    if subprocess.run([*install, POSTGIS_PACKAGE], check=False, **quiet).returncode != 0:
        # A fresh container has no package lists yet.
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, **quiet)
        subprocess.run([*install, POSTGIS_PACKAGE], check=True, **quiet)
    if not _postgis_available(conn):
        raise RuntimeError(f"PostGIS is still unavailable after installing {POSTGIS_PACKAGE}")


def _postgis_available(conn: psycopg.Connection) -> bool:
    query = "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
    return conn.execute(query).fetchone() is not None


@contextmanager
def scratch_database() -> Iterator[str]:
    """Yields the conninfo of a new, uniquely named database, and always drops it afterwards."""
    name = f"onegrid_bench_locate_{uuid.uuid4().hex}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        ensure_postgis(admin)
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield psycopg.conninfo.make_conninfo(POSTGRES, dbname=name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load(conn: psycopg.Connection, grids: Grids, lons: np.ndarray, lats: np.ndarray) -> None:
    """Creates and fills the grids and points tables, with GiST indexes and fresh statistics."""
    conn.execute("CREATE EXTENSION postgis")
    conn.execute(
        "CREATE TABLE grids (idx integer PRIMARY KEY, code text NOT NULL,"
        " geom geometry(MultiPolygon, 4326) NOT NULL)"
    )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO grids VALUES (%s, %s, ST_GeomFromWKB(%s, 4326))",
            [
                (i, code, shapely.to_wkb(_multi(polygon)))
                for i, (code, polygon) in enumerate(zip(grids.codes, grids.polygons, strict=True))
            ],
        )
    conn.execute("CREATE TABLE pts (id bigint PRIMARY KEY, geom geometry(Point, 4326) NOT NULL)")
    with conn.cursor() as cur, cur.copy("COPY pts (id, geom) FROM STDIN (FORMAT binary)") as copy:
        copy.write(COPY_HEADER)
        for start in range(0, len(lons), CHUNK):
            copy.write(_point_rows(start, lons[start : start + CHUNK], lats[start : start + CHUNK]))
        copy.write(COPY_TRAILER)
    # Both sides indexed, so the planner may drive the join from whichever side is cheaper.
    conn.execute("CREATE INDEX ON grids USING gist (geom)")
    conn.execute("CREATE INDEX ON pts USING gist (geom)")
    conn.commit()
    conn.autocommit = True  # VACUUM refuses to run inside a transaction
    conn.execute("VACUUM ANALYZE grids")
    conn.execute("VACUUM ANALYZE pts")


def _multi(polygon: Polygon | MultiPolygon) -> MultiPolygon:
    return polygon if isinstance(polygon, MultiPolygon) else MultiPolygon([polygon])


def _point_rows(first_id: int, lons: np.ndarray, lats: np.ndarray) -> bytes:
    rows = np.zeros(len(lons), dtype=POINT_ROW)
    rows["fields"], rows["id_len"], rows["geom_len"] = 2, 8, EWKB_POINT_BYTES
    rows["id"] = np.arange(first_id, first_id + len(lons))
    rows["byte_order"], rows["wkb_type"], rows["srid"] = 1, EWKB_POINT_WITH_SRID, 4326
    rows["lon"], rows["lat"] = lons, lats
    return rows.tobytes()


def time_joins(conn: psycopg.Connection, grids: Grids, located: Located) -> list[JoinRun]:
    """Times each join and compares each one's answer with onegrid's; the faster, the
    baseline, is timed until it has REPEAT runs, for their median (the slower plan takes
    ~10 s a run).

    Each run writes the assignment to a temporary table: the whole answer is produced, as
    onegrid produces it, and stays on the server, as onegrid's stays in its process.
    """
    # JIT compilation costs a few hundred milliseconds a query here and buys nothing.
    conn.execute("SET jit = off")
    runs = []
    for name, join in JOINS.items():
        (seconds,) = _time_join(conn, join, 1)
        comparison = compare(conn, "located", grids, located)
        conn.execute("DROP TABLE located")
        runs.append(JoinRun(name, seconds, plan(conn, join), comparison))
    best = min(runs, key=lambda run: run.seconds)
    seconds = statistics.median([best.seconds, *_time_join(conn, JOINS[best.name], REPEAT - 1)])
    conn.execute("DROP TABLE located")
    return [replace(run, seconds=seconds) if run is best else run for run in runs]


def _time_join(conn: psycopg.Connection, join: str, times: int) -> list[float]:
    """The seconds of each of `times` runs; the last run's answer is left in table located."""
    tables: list[str] = []
    spent = []
    for _ in range(times):
        # A new table per run, so no run pays for dropping the one before.
        tables.append(f"located_{len(tables)}")
        start = time.perf_counter()
        conn.execute(f"CREATE TEMP TABLE {tables[-1]} AS {join}")
        spent.append(time.perf_counter() - start)
    conn.execute(f"ALTER TABLE {tables.pop()} RENAME TO located")
    if tables:
        conn.execute(f"DROP TABLE {', '.join(tables)}")
    return spent


def plan(conn: psycopg.Connection, join: str) -> str:
    """Returns the timed statement's plan nodes on one line, without costs or conditions."""
    lines = [row[0] for row in conn.execute(f"EXPLAIN CREATE TEMP TABLE planned AS {join}")]
    nodes = [
        line.split("  (cost=")[0].strip().removeprefix("->").strip()
        for line in lines
        if "(cost=" in line
    ]
    return " → ".join(nodes)


def compare(conn: psycopg.Connection, table: str, grids: Grids, located: Located) -> Comparison:
    """Compares, for every point, onegrid's grid with the smallest-coded grid PostGIS found."""
    query = (
        f"COPY (SELECT l.id, min(g.idx), count(*) FROM {table} l JOIN grids g USING (code)"
        " GROUP BY l.id) TO STDOUT (FORMAT binary)"
    )
    with conn.cursor() as cur, cur.copy(query) as copy:
        data = b"".join(bytes(block) for block in copy)
    rows = np.frombuffer(data[len(COPY_HEADER) : -len(COPY_TRAILER)], dtype=ANSWER_ROW)
    postgis = np.full(len(located.grid), NOT_FOUND, dtype=np.int64)
    postgis[rows["id"]] = rows["grid"]
    disagreeing = np.flatnonzero(postgis != located.grid)
    return Comparison(
        compared=len(located.grid),
        disagreeing=len(disagreeing),
        on_a_border=on_a_border(grids, located, disagreeing, postgis),
        on_several_grids=int(np.count_nonzero(rows["count"] > 1)),
    )


def on_a_border(grids: Grids, located: Located, points: np.ndarray, postgis: np.ndarray) -> int:
    """Counts these points lying on the border of the grid onegrid or PostGIS gave them."""
    spots = shapely.points(located.lons[points], located.lats[points])
    near = np.zeros(len(points), dtype=bool)
    for answer in (located.grid[points], postgis[points]):
        found = answer != NOT_FOUND
        borders = shapely.boundary(grids.polygons[answer[found]])
        near[found] |= shapely.distance(borders, spots[found]) <= BORDER_DEGREES
    return int(np.count_nonzero(near))


def measure_postgis(grids: Grids, located: Located) -> list[JoinRun]:
    """Loads the grids and points into a scratch PostGIS database and times the joins there."""
    with scratch_database() as conninfo, psycopg.connect(conninfo) as conn:
        load(conn, grids, located.lons, located.lats)
        return time_joins(conn, grids, located)


def check(runs: list[JoinRun]) -> None:
    """Raises unless every join agrees with onegrid but for a few points on a border."""
    for join in runs:
        c = join.comparison
        if c.disagreeing > c.on_a_border or c.disagreeing > MAX_DISAGREEING_SHARE * c.compared:
            raise RuntimeError(f"onegrid and PostGIS's {join.name} disagree: {c.explain()}")


def run(scale: Scale, workdir: Path) -> list[Figure]:
    """Measures bulk and single-point location against the PostGIS join on the same points.

    Nothing goes to workdir: the grids come from the demo generator, not from a database.
    """
    grids = demo_grids()
    index = GridIndex(grids.codes, grids.polygons)
    if list(index.codes) != grids.codes:
        raise RuntimeError("GridIndex no longer keeps grids in code order; realign the indices")
    lons, lats = random_points(index.bounds(), POINTS[scale])
    located = Located(lons, lats, locate_all(index, lons, lats))
    bulk_s = median_seconds(lambda: locate_all(index, lons, lats), REPEAT)

    k = SINGLE_POINTS[scale]
    if locate_each(index, lons[:k], lats[:k]) != [grids.code(i) for i in located.grid[:k]]:
        raise RuntimeError("single-point lookups disagree with the bulk lookup")
    single_s = median_seconds(lambda: locate_each(index, lons[:k], lats[:k]), REPEAT)

    runs = measure_postgis(grids, located)
    check(runs)
    return figures(located, bulk_s, k, single_s, runs)


def figures(
    located: Located, bulk_s: float, k: int, single_s: float, runs: list[JoinRun]
) -> list[Figure]:
    """Returns the bulk and single-point figures, each against the faster PostGIS join."""
    n = len(located.grid)
    best = min(runs, key=lambda r: r.seconds)
    baseline = n / best.seconds
    bulk = n / bulk_s
    inside = np.count_nonzero(located.grid != NOT_FOUND) / n
    joins = "; ".join(
        f"{r.name} {n / r.seconds:,.0f} points/s [{r.plan}], {r.comparison.explain()}" for r in runs
    )
    common = (
        f"{n:,} points uniform in the grids' bounding box (seed {SEED}); {inside:.1%} fall in a "
        "grid, the rest in none (the district is not a rectangle). PostGIS: CREATE TEMP TABLE "
        f"AS the join, jit off, the faster plan is the baseline ({best.name}). {joins}. "
        f"Medians of {REPEAT} (PostGIS: the faster plan's; the slower one timed once); "
        "building the index and loading PostgreSQL are not timed."
    )
    return [
        Figure(
            bench="locate",
            name="bulk locate",
            value=bulk,
            unit="points/s",
            baseline=BASELINE,
            baseline_value=baseline,
            target=TARGET,
            met=bulk >= TARGET_POINTS_PER_S and bulk >= TARGET_RATIO * baseline,
            note=f"GridIndex.locate_indices, {min(n, CHUNK):,} points a call. {common}",
        ),
        Figure(
            bench="locate",
            name="single locate",
            value=k / single_s,
            unit="points/s",
            baseline=BASELINE,
            baseline_value=baseline,
            note=f"GridIndex.locate, one Python call a point, the first {k:,} points. {common}",
        ),
    ]
