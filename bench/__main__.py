"""python -m bench [smoke|quick|full] [--only NAME ...]: runs the suite and prints its figures."""

import argparse
import importlib
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Scale, machine, report, stage

# Each module has run(scale, workdir) -> list[Figure]; the order is the (SPEC §8).
BENCHES = [
    "intake_bulk",
    "http_intake",
    "durability",
    "locate",
    "dashboard",
    "pages",
    "exports",
    "console",
]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("scale", choices=[s.value for s in Scale], nargs="?", default="quick")
    parser.add_argument("--only", nargs="*", choices=BENCHES, help="run only these")
    parser.add_argument("--out", default="var/bench", help="folder for the JSON results")
    args = parser.parse_args()
    scale = Scale(args.scale)
    figures = []
    started = time.perf_counter()
    facts = machine()
    print(f"machine: {facts}", file=sys.stderr, flush=True)
    for name in args.only or BENCHES:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name} ({scale}) ==", file=sys.stderr, flush=True)
        with (
            stage(f"{name} in all"),
            tempfile.TemporaryDirectory(prefix=f"onegrid-bench-{name}-") as workdir,
        ):
            found = module.run(scale, Path(workdir))
        for figure in found:
            print(f"   {figure.name}: {figure.value:,.6g} {figure.unit}", file=sys.stderr)
        figures += found
    table = report(figures)
    print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result = {
        "scale": scale.value,
        "at": stamp,
        "seconds": round(time.perf_counter() - started, 1),
        "machine": facts,
        "figures": [f.as_dict() for f in figures],
    }
    (out / f"{scale.value}-{stamp}.json").write_text(json.dumps(result, indent=2))
    (out / f"{scale.value}-{stamp}.md").write_text(table + "\n")
    print(f"\n{len(figures)} figures in {result['seconds']} s; results in {out}/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
