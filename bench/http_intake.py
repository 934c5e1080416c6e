"""Benchmark (b): online intake over HTTP, the server run as a user runs it.

`onegrid serve` on a copy of the demo district (SQLite, WAL, synchronous=FULL: a case is on
disk before its receipt is sent), loaded by wrk over loopback at a sweep of concurrency levels.
Each level runs twice, interleaved: the same server answering GET /docs (a FastAPI route with
the access dependency that touches no database: the HTTP stack's ceiling on this machine), then
hotline operators' cases posted to /api/v1/cases. Afterwards every acknowledged receipt must be
in the database: an acknowledgement is only honest if the case is stored.

The server harness here (template database, server process, wrk) is shared with
bench.durability.
"""

import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from shapely import from_wkb
from shapely.geometry import Point

from bench.common import Figure, Scale, median_seconds, memory_kib
from bench.stores import sqlite_template
from onegrid.db.engine import create_db_engine
from onegrid.demo.build import DEMO_PASSWORD

BENCH = "http_intake"
INTAKE_PATH = "/api/v1/cases"
CEILING_PATH = "/docs"  # public, no token: the route's dependencies never open a connection
OPERATOR = "command"  # the demo's command centre (hotline) operator
BODIES = 10_000  # distinct reports, posted round-robin: few exact repeats within a run
SEED = 20260303
DURATION = {Scale.SMOKE: 2.0, Scale.QUICK: 4.0, Scale.FULL: 30.0}
REPEATS = {Scale.SMOKE: 1, Scale.QUICK: 1, Scale.FULL: 3}
CONCURRENCY = {Scale.SMOKE: (1, 16), Scale.QUICK: (1, 4, 16, 64), Scale.FULL: (1, 4, 16, 64)}
WARM_UP_SECONDS = 1.0
TARGET = 2000.0

# wrk runs this in each of its threads: POST the bodies round-robin from a given one (or GET
# when there are none), count 2xx answers, keep their receipts, print one JSON line when done.
WRK_SCRIPT = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok, receipts, bodies, turn = 0, {}, {}, 0
  receipts_path = args[3]
  if args[1] ~= "-" then
    for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
    turn = tonumber(args[4]) % #bodies
  end
  headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. args[2]}
end

function request()
  if #bodies == 0 then return wrk.format("GET") end
  turn = turn % #bodies + 1
  return wrk.format("POST", nil, headers, bodies[turn])
end

function response(status, _, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    local receipt = body:match('"receipt":"([%w-]+)"')
    if receipt then receipts[#receipts + 1] = receipt end
  end
end

function done(summary, latency, _)
  local total = 0
  local path = threads[1]:get("receipts_path")
  local out = path and path ~= "-" and io.open(path, "w")
  for _, thread in ipairs(threads) do
    total = total + thread:get("ok")
    if out then
      for _, receipt in ipairs(thread:get("receipts")) do out:write(receipt, "\n") end
    end
  end
  if out then out:close() end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "ok": %d, "seconds": %.6f, "p50_ms": %.3f, "p99_ms": %.3f, ' ..
    '"socket_errors": %d}\n',
    summary.requests, total, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class Load:
    """What one wrk run saw: answers, 2xx answers among them, latency, and the client's CPU."""

    connections: int
    requests: int
    ok: int
    seconds: float
    p50_ms: float
    p99_ms: float
    socket_errors: int
    client_cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def failed(self) -> int:
        return self.requests - self.ok


@dataclass(frozen=True)
class Server:
    """A running `onegrid serve`: its URL and its process (the leader of its process group)."""

    url: str
    process: subprocess.Popen

    def kill(self) -> None:
        """Kills the server and every process it started, at once (kill -9)."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


# --- the database ---------------------------------------------------------------------------


def onegrid_env(db: Path, workdir: Path) -> dict[str, str]:
    """Returns the environment of an onegrid command on this SQLite file, its files in workdir."""
    return os.environ | {
        "ONEGRID_DATABASE_URL": f"sqlite:///{db.resolve()}",
        "ONEGRID_EVIDENCE_DIR": str(workdir / "evidence"),
        "ONEGRID_AUDIT_ARCHIVE_DIR": str(workdir / "audit-archive"),
    }


def fresh_database(workdir: Path, name: str) -> Path:
    """Returns a new copy of the demo district's SQLite file (bench.stores.sqlite_template)."""
    db = workdir / f"{name}.db"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(sqlite_template(), db)
    return db


def query(db: Path, sql: str) -> list[tuple]:
    """Returns the rows of one query on the SQLite file, read directly (no server involved)."""
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def case_count(db: Path) -> int:
    return query(db, "SELECT count(*) FROM case_record")[0][0]


def stored_receipts(db: Path) -> set[str]:
    return {row[0] for row in query(db, "SELECT receipt FROM case_record")}


def settled_case_count(db: Path) -> int:
    """Returns the number of cases once requests still in the server have finished."""
    previous, count = -1, case_count(db)
    while count != previous:
        time.sleep(0.3)
        previous, count = count, case_count(db)
    return count


def request_bodies(workdir: Path, count: int = BODIES) -> Path:
    """Returns a file of `count` JSON intake bodies, one a line, written once per workdir:
    points inside random grids, categories that need no attributes, every other one with the
    caller's name and phone number (sealed at rest: part of the work)."""
    path = workdir / "bodies.jsonl"
    if path.exists():
        return path
    template = sqlite_template()
    rng = random.Random(SEED)
    grids = [from_wkb(g) for (g,) in query(template, _GRIDS)]
    categories = [code for (code,) in query(template, _PLAIN_CATEGORIES)]
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            point = _point_inside(rng, rng.choice(grids))
            body = {
                "category_code": rng.choice(categories),
                "description": f"热线来电：第 {i} 号问题，请尽快处理",
                "lon": round(point.x, 7),
                "lat": round(point.y, 7),
            }
            if i % 2:
                phone = f"139{rng.randrange(10**8):08d}"
                body |= {"reporter_name": "王先生", "reporter_phone": phone}
            out.write(json.dumps(body, ensure_ascii=False) + "\n")
    return path


_GRIDS = "SELECT geometry FROM territory_unit WHERE level = 'grid' ORDER BY code"
_PLAIN_CATEGORIES = (
    "SELECT code FROM category WHERE active AND id NOT IN "
    "(SELECT category_id FROM category_attribute WHERE required) ORDER BY code"
)


def _point_inside(rng: random.Random, polygon) -> Point:
    min_x, min_y, max_x, max_y = polygon.bounds
    while True:
        point = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if polygon.contains(point):
            return point


def sqlite_durability(db: Path) -> str:
    """Returns the journal mode and synchronous level of onegrid's own connections to db."""
    engine = create_db_engine(f"sqlite:///{db.resolve()}")
    try:
        with engine.connect() as connection:
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            level = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    finally:
        engine.dispose()
    return f"journal_mode={mode}, synchronous={_SYNCHRONOUS[level]}"


_SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def raw_commits_per_second(workdir: Path, count: int) -> float:
    """Returns the rate of one-row INSERT+COMMIT from one process, WAL and synchronous=FULL."""
    path = workdir / "raw-commits.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE IF NOT EXISTS receipt (id INTEGER PRIMARY KEY, body TEXT)")

    def commits() -> None:
        for _ in range(count):
            connection.execute("BEGIN")
            connection.execute("INSERT INTO receipt (body) VALUES (?)", ("x" * 400,))
            connection.execute("COMMIT")

    try:
        return count / median_seconds(commits, repeat=3)
    finally:
        connection.close()


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(db: Path, workdir: Path, log_name: str = "server") -> Iterator[Server]:
    """Runs `onegrid serve` on this database on a free port until the block ends, then kills it."""
    port = free_port()
    with (workdir / f"{log_name}.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "onegrid", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=onegrid_env(db, workdir),
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill reaches its workers too
        )
    server = Server(url=f"http://127.0.0.1:{port}", process=process)
    try:
        _wait_until_up(server)
        yield server
    finally:
        server.kill()


def _wait_until_up(server: Server, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"onegrid serve exited with {server.process.returncode}")
        with suppress(OSError), urllib.request.urlopen(server.url + CEILING_PATH, timeout=2):
            return
        time.sleep(0.2)
    raise TimeoutError(f"onegrid serve did not answer within {timeout} s")


def sign_in(url: str, username: str = OPERATOR) -> str:
    """Returns a bearer token of a demo user."""
    request = urllib.request.Request(
        url + "/api/v1/auth/token",
        data=json.dumps({"username": username, "password": DEMO_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)["access_token"]


# --- the load -------------------------------------------------------------------------------


def wrk_binary() -> str:
    """Returns the path of wrk, installing Debian's package when it is missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0:
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
            subprocess.run(command, check=True, capture_output=True, timeout=600)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is missing: apt-get install wrk")
    return found


@dataclass(frozen=True)
class Target:
    """What wrk loads: a URL, and the bodies to POST there with a token (GET when None)."""

    url: str
    bodies: Path | None = None
    token: str = "-"

    def arguments(self, receipts: Path | None, first_body: int) -> list[str]:
        return [str(self.bodies or "-"), self.token, str(receipts or "-"), str(first_body)]


def start_wrk(
    target: Target,
    workdir: Path,
    connections: int,
    seconds: float,
    receipts: Path | None = None,
    first_body: int = 0,
) -> subprocess.Popen:
    """Starts wrk on the target: one thread (it outpaces this server), fixed duration.

    The bodies are posted round-robin from `first_body` on, receipts written to `receipts`."""
    script = workdir / "intake.lua"
    if not script.exists():
        script.write_text(WRK_SCRIPT)
    command = [
        wrk_binary(),
        "--threads=1",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=30s",
        f"--script={script}",
        target.url,
        "--",
        *target.arguments(receipts, first_body),
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_wrk(process: subprocess.Popen, connections: int) -> Load:
    """Waits for wrk and returns what it saw, with the CPU time it spent."""
    before = os.times()
    out, err = process.communicate(timeout=600)
    after = os.times()
    line = next((x for x in out.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({process.returncode}): {err or out}")
    seen = json.loads(line[4:])
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return Load(connections=connections, client_cpu_seconds=cpu, **seen)


def load(
    target: Target,
    workdir: Path,
    connections: int,
    seconds: float,
    receipts: Path | None = None,
    first_body: int = 0,
) -> Load:
    """Runs wrk on the target for `seconds` and returns what it saw."""
    process = start_wrk(target, workdir, connections, seconds, receipts, first_body)
    return finish_wrk(process, connections)


# --- the benchmark --------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One concurrency level: its runs of the ceiling and of intake."""

    connections: int
    ceilings: list[Load]
    intakes: list[Load]

    @property
    def ceiling(self) -> Load:
        return _median_load(self.ceilings)

    @property
    def intake(self) -> Load:
        return _median_load(self.intakes)


def _median_load(runs: list[Load]) -> Load:
    rates = [r.rate for r in runs]
    return runs[rates.index(statistics.median_low(rates))]


def sweep(
    ceiling: Target, intake: Target, workdir: Path, scale: Scale
) -> tuple[list[Level], list[Path]]:
    """Runs every concurrency level, ceiling and intake interleaved so that both see the same
    machine; returns the levels and the files of the receipts intake acknowledged.

    A level's figure is its median run (REPEATS of them at full scale)."""
    levels, receipt_files, posted = [], [], 0
    for connections in CONCURRENCY[scale]:
        ceilings, intakes = [], []
        for repeat in range(REPEATS[scale]):
            receipts = workdir / f"receipts-{connections}-{repeat}.txt"
            ceilings.append(load(ceiling, workdir, connections, DURATION[scale]))
            run = load(intake, workdir, connections, DURATION[scale], receipts, posted)
            posted += run.requests  # the next run goes on with reports not yet posted
            intakes.append(run)
            receipt_files.append(receipts)
        levels.append(Level(connections, ceilings, intakes))
    return levels, receipt_files


def acknowledged(receipt_files: list[Path]) -> list[str]:
    """Returns every receipt wrk was given in a 2xx answer."""
    return [r for path in receipt_files for r in path.read_text().split()]


def _level_note(level: Level) -> str:
    i, c = level.intake, level.ceiling
    return (
        f"c={level.connections}: intake {i.rate:,.0f}/s p50 {i.p50_ms:.1f} p99 {i.p99_ms:.1f} ms"
        f" ({i.failed} non-2xx), no-db {c.rate:,.0f}/s p50 {c.p50_ms:.1f} p99 {c.p99_ms:.1f} ms"
    )


def _client_note(levels: list[Level]) -> str:
    loads = [run for lv in levels for run in lv.intakes + lv.ceilings]
    share = sum(x.client_cpu_seconds for x in loads) / sum(x.seconds for x in loads)
    return f"wrk used {share:.0%} of one core while loading"


@dataclass(frozen=True)
class Stored:
    """What the database holds after the sweep, against what the server acknowledged."""

    acknowledged: int
    found: int  # acknowledged receipts that are in the database
    cases: int
    durability: str  # the SQLite settings of onegrid's connections


def figures(levels: list[Level], stored: Stored, raw_commits: float) -> list[Figure]:
    """Returns the benchmark's figures from its measurements."""
    best = max(levels, key=lambda lv: lv.intake.rate)
    intakes = [run for lv in levels for run in lv.intakes]
    ceiling = max(lv.ceiling.rate for lv in levels)
    durable = stored.durability.endswith("synchronous=FULL")
    return [
        Figure(
            bench=BENCH,
            name="online intake, SQLite, best concurrency",
            value=best.intake.rate,
            unit="cases/s",
            baseline="same server, no-database route",
            baseline_value=ceiling,
            target=f"≥ {TARGET:,.0f} cases/s, durable",
            met=best.intake.rate >= TARGET and durable,
            note="; ".join(
                [stored.durability, *(_level_note(lv) for lv in levels), _client_note(levels)]
            ),
        ),
        *(
            Figure(
                bench=BENCH,
                name=f"intake {p} latency at c={best.connections}",
                value=getattr(best.intake, f"{p}_ms"),
                unit="ms",
                baseline="no-database route, same concurrency",
                baseline_value=getattr(best.ceiling, f"{p}_ms"),
            )
            for p in ("p50", "p99")
        ),
        Figure(
            bench=BENCH,
            name="online intake vs one durable commit per case",
            value=best.intake.rate,
            unit="cases/s",
            baseline="raw SQLite INSERT+COMMIT, synchronous=FULL, one process",
            baseline_value=raw_commits,
            note="above 1× only if cases share their commits (group commit)",
        ),
        Figure(
            bench=BENCH,
            name="intake answers other than 2xx",
            value=sum(run.failed for run in intakes),
            unit="requests",
            baseline="intake requests answered",
            baseline_value=sum(run.requests for run in intakes),
            target="0",
            met=all(run.failed == 0 for run in intakes),
            note=f"{sum(run.socket_errors for run in intakes)} socket errors or timeouts",
        ),
        Figure(
            bench=BENCH,
            name="acknowledged receipts found in the database",
            value=stored.found,
            unit="cases",
            baseline="acknowledged (2xx)",
            baseline_value=stored.acknowledged,
            target="all",
            met=stored.found == stored.acknowledged,
            note=f"{stored.cases} cases stored: the {stored.cases - stored.acknowledged} more "
            "were in flight when wrk stopped, never acknowledged",
        ),
    ]


def run(scale: Scale, workdir: Path) -> list[Figure]:
    """Runs benchmark (b) and returns its figures."""
    db = fresh_database(workdir, "http-intake")
    bodies = request_bodies(workdir)
    raw_commits = raw_commits_per_second(workdir, count=200 if scale is Scale.SMOKE else 2000)
    with serving(db, workdir) as server:
        intake = Target(server.url + INTAKE_PATH, bodies, sign_in(server.url))
        ceiling = Target(server.url + CEILING_PATH)
        idle = memory_kib(server.process.pid, "VmRSS") / 1024
        warm_up = workdir / "receipts-warm-up.txt"
        load(intake, workdir, 4, WARM_UP_SECONDS, warm_up)  # the grid index is built on first use
        levels, receipt_files = sweep(ceiling, intake, workdir, scale)
        peak = memory_kib(server.process.pid, "VmHWM") / 1024
        cases = settled_case_count(db)
    receipts = acknowledged([warm_up, *receipt_files])
    stored = Stored(
        acknowledged=len(receipts),
        found=len(stored_receipts(db).intersection(receipts)),
        cases=cases,
        durability=sqlite_durability(db),
    )
    served = sum(run.requests for level in levels for run in level.intakes)
    memory = Figure(
        bench="memory",
        name="peak RSS of the server under the intake load",
        value=peak,
        unit="MiB",
        baseline="the same server, signed in, before the load",
        baseline_value=idle,
        note=f"{served:,} intake requests; one uvicorn process",
    )
    return [*figures(levels, stored, raw_commits), memory]
