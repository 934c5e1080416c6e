"""What every benchmark shares: scales, figures with their baseline and ratio, and timing."""

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path


class Scale(StrEnum):
    SMOKE = "smoke"  # CI: seconds, keeps the suite working; its figures mean nothing
    QUICK = "quick"  # make bench: 100k cases, under 5 minutes
    FULL = "full"  # make bench-full: 1M and 10M cases


@dataclass(frozen=True)
class Figure:
    """One measured figure beside its baseline, measured in the same run on the same machine.

    `ratio` is always value / baseline_value; `target` says in words what the figure must reach
    (for example "≥ 4× PostGIS") and `met` whether it did (None when no target applies).
    """

    bench: str
    name: str
    value: float
    unit: str
    baseline: str
    baseline_value: float
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.baseline_value if self.baseline_value else float("nan")

    def as_dict(self) -> dict:
        return asdict(self) | {"ratio": self.ratio}


@contextmanager
def stage(what: str) -> Iterator[None]:
    """Says on stderr what a long step was and how long it took."""
    start = time.perf_counter()
    yield
    print(f"   … {what}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    """The median wall time of `repeat` runs of work (machines here are noisy: never one run)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) of values, nearest-rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def machine() -> dict[str, str]:
    """The facts about this machine that a figure depends on, with its speed: the median time
    of a fixed pure-Python loop, to tell a slow machine's figures from a slow onegrid's (the
    same kind of machine here has run it from about 0.5 s to 1.6 s)."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        "processor": platform.processor() or platform.machine(),
        "python_loop_seconds": f"{median_seconds(_loop, repeat=3):.2f}",
    }


def _loop() -> int:
    total = 0
    for i in range(10_000_000):
        total += i
    return total


def report(figures: list[Figure]) -> str:
    """The figures as a Markdown table: figure, value, baseline, ratio, target, met."""
    lines = [
        "| bench | figure | onegrid | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        met = {True: "yes", False: "**no**", None: "—"}[f.met]
        lines.append(
            f"| {f.bench} | {f.name} | {f.value:,.6g} {f.unit} | "
            f"{f.baseline}: {f.baseline_value:,.6g} {f.unit} | {f.ratio:.3g}× | "
            f"{f.target} | {met} |"
        )
    return "\n".join(lines)


def memory_kib(pid: int, field: str) -> int:
    """A memory figure of a running process from /proc, in KiB: VmRSS (now) or VmHWM (its
    peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field}")
