"""Benchmark (c): kill -9 the server at random moments under online intake; nothing is lost.

Each round starts `onegrid serve` on the same SQLite file (the first start is a clean one,
every later one a restart after a kill), loads it with wrk as in benchmark (b) keeping every
receipt a 2xx answer carried, and kills the server's whole process group with SIGKILL at a
random moment. The file is then checked directly, with no server: PRAGMA integrity_check after
every kill; at the end every acknowledged receipt must be stored, every stored case must have
its intake in its timeline and in the audit log, and `onegrid audit verify` must find the
audit hash chain intact.
"""

import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import Figure, Scale
from bench.http_intake import (
    INTAKE_PATH,
    Target,
    finish_wrk,
    fresh_database,
    onegrid_env,
    query,
    request_bodies,
    serving,
    sign_in,
    start_wrk,
    stored_receipts,
)

BENCH = "durability"
KILLS = {Scale.SMOKE: 2, Scale.QUICK: 5, Scale.FULL: 20}
CONNECTIONS = 16
SEED = 20260304
# A kill falls this many seconds after the load starts: past warm-up, in full flow.
KILL_WINDOW = {Scale.SMOKE: (0.5, 2.0), Scale.QUICK: (0.5, 4.0), Scale.FULL: (0.5, 4.0)}
LONGER_THAN_ANY_ROUND = 60.0

_WITHOUT_INTAKE_RECORDS = """
SELECT count(*) FROM case_record c
WHERE NOT EXISTS (
    SELECT 1 FROM case_event e WHERE e.case_id = c.id AND e.seq = 1 AND e.action = 'receive')
   OR NOT EXISTS (
    SELECT 1 FROM audit_log a WHERE a.action = 'case.receive' AND a.object_id = c.receipt)
"""


@dataclass(frozen=True)
class Round:
    """One server life: the receipts it acknowledged, and the file's check after its kill."""

    acknowledged: list[str]
    killed_after: float
    integrity_ok: bool
    posted: int  # requests answered, whatever the answer


def killed_under_load(
    db: Path, workdir: Path, bodies: Path, after: float, name: str, first_body: int
) -> Round:
    """Serves the database under load, kills the server after `after` seconds, checks the file."""
    receipts = workdir / f"{name}-receipts.txt"
    with serving(db, workdir, name) as server:
        target = Target(server.url + INTAKE_PATH, bodies, sign_in(server.url))
        wrk = start_wrk(target, workdir, CONNECTIONS, LONGER_THAN_ANY_ROUND, receipts, first_body)
        try:
            time.sleep(after)
            server.kill()
            wrk.send_signal(signal.SIGINT)  # wrk stops, reports, and writes the receipts it got
            posted = finish_wrk(wrk, CONNECTIONS).requests
        finally:
            if wrk.poll() is None:
                wrk.kill()
                wrk.wait()
    acknowledged = receipts.read_text().split()
    integrity_ok = query(db, "PRAGMA integrity_check") == [("ok",)]
    return Round(acknowledged, after, integrity_ok, posted)


def audit_chain_intact(db: Path, workdir: Path) -> bool:
    """Returns whether `onegrid audit verify` finds every district's hash chain unbroken."""
    verified = subprocess.run(
        [sys.executable, "-m", "onegrid", "audit", "verify"],
        env=onegrid_env(db, workdir),
        cwd=workdir,
        capture_output=True,
        timeout=600,
    )
    return verified.returncode == 0


def figures(rounds: list[Round], stored: set[str], incomplete: int, chain_ok: bool) -> list[Figure]:
    """Returns the benchmark's figures from its rounds and the final state of the file."""
    acknowledged = {r for one in rounds for r in one.acknowledged}
    lost = len(acknowledged - stored)
    failed_checks = sum(not one.integrity_ok for one in rounds)
    moments = ", ".join(f"{one.killed_after:.2f}" for one in rounds)
    return [
        Figure(
            bench=BENCH,
            name="acknowledged cases lost after kill -9",
            value=lost,
            unit="cases",
            baseline="acknowledged",
            baseline_value=len(acknowledged),
            target="0 lost",
            met=lost == 0,
            note=f"{len(rounds)} kills of the whole server at {moments} s into the load "
            f"({CONNECTIONS} connections); {len(stored)} cases stored",
        ),
        Figure(
            bench=BENCH,
            name="integrity checks failed after kill -9",
            value=failed_checks,
            unit="checks",
            baseline="PRAGMA integrity_check runs",
            baseline_value=len(rounds),
            target="0",
            met=failed_checks == 0,
        ),
        Figure(
            bench=BENCH,
            name="stored cases missing their intake event or audit record",
            value=incomplete,
            unit="cases",
            baseline="cases stored",
            baseline_value=len(stored),
            target="0, audit chain intact",
            met=incomplete == 0 and chain_ok,
            note=f"onegrid audit verify: {'intact' if chain_ok else 'BROKEN'}",
        ),
    ]


def run(scale: Scale, workdir: Path) -> list[Figure]:
    """Runs benchmark (c) and returns its figures."""
    db = fresh_database(workdir, "durability")
    bodies = request_bodies(workdir)
    rng = random.Random(SEED)
    rounds: list[Round] = []
    for i in range(KILLS[scale]):
        after = rng.uniform(*KILL_WINDOW[scale])
        posted = sum(one.posted for one in rounds)  # each life goes on with reports not yet posted
        rounds.append(killed_under_load(db, workdir, bodies, after, f"life-{i}", posted))
    incomplete = query(db, _WITHOUT_INTAKE_RECORDS)[0][0]
    return figures(rounds, stored_receipts(db), incomplete, audit_chain_intact(db, workdir))
