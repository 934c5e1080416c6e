"""python -m bench.importer FILE --batch-size N: `onegrid import cases`, its memory measured.

It imports the file as the command does (`importing.import_path`, into the store named by
ONEGRID_DATABASE_URL) and measures, in the import's progress callback, the peak resident
memory of this process and of the process writing the batches, added. Prints one JSON line:
`cases`, `peak_kib` (at the end) and `settled` ([cases, KiB] once the second batch was
written, when both processes have been through a whole batch; null with fewer batches).
"""

import argparse
import contextlib
import gc
import json
import resource
from pathlib import Path

from bench.common import memory_kib
from onegrid.cases.bulk import importing
from onegrid.core.commands import acting


class Memory:
    """A progress callback keeping the import's peak memory, at the end and early on."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self.settled: tuple[int, int] | None = None

    def __call__(self, progress: importing.Progress) -> None:
        # The larger of what was seen: a writer that has ended no longer shows its peak.
        self.peak_kib = max(self.peak_kib, _peak_kib())
        if progress.batches >= 2 and self.settled is None:
            self.settled = (progress.cases, self.peak_kib)


def _peak_kib() -> int:
    """The peak resident memory of this process and of its writing process, if any (KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    writing = 0
    for pid in _writers():
        # It may have ended between the listing and the reading.
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, RuntimeError):
            writing += memory_kib(pid, "VmHWM")
    return own + writing


def _writers() -> list[int]:
    """The processes multiprocessing spawned to write (not its resource tracker)."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except FileNotFoundError:
                continue  # it has ended
            if b"spawn_main" in command:
                found.append(int(pid))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.importer", description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--batch-size", type=int, default=10_000)
    args = parser.parse_args()
    memory = Memory()
    gc.freeze()  # as the command does: what is loaded by now lasts the whole import
    done = importing.import_path(
        path=args.file, who=acting(), batch_size=args.batch_size, progress=memory
    )
    if done.rejected:
        raise SystemExit(f"rejected rows, the first: line {done.rejected[0].line}")
    print(json.dumps({"cases": done.cases, "peak_kib": memory.peak_kib, "settled": memory.settled}))


if __name__ == "__main__":
    main()
