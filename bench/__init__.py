"""onegrid's benchmark suite (SPEC §8): each figure measured beside a named baseline, in one run.

`python -m bench quick|full|smoke` (or `make bench`, `make bench-full`); see docs/benchmarks.md.
"""
