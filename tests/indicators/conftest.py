"""The indicators recomputed the slow way: sum facts in Python, group them, divide."""

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date

import pytest

from onegrid.cases.facts import FACTS
from onegrid.indicators.definitions import compute_all

# (bucket fields, counts in FACTS order): what one case or one rollup row contributes.
Item = tuple[dict, tuple[int, ...]]


def _group(by: str, fields: dict):
    return {
        "street": lambda: fields["grid_code"][:9],
        "community": lambda: fields["grid_code"][:12],
        "grid": lambda: fields["grid_code"],
        "department": lambda: fields["department_id"],
        "category": lambda: fields["category_code"],
        "none": lambda: None,
    }[by]()


def _period(period: str, day: date) -> str | None:
    if period == "all":
        return None
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if period == "week":
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return day.isoformat()


def reference_indicators(items: Iterable[Item], by: str, period: str) -> dict:
    """Returns {(key, period): (counts, values)} summed in Python from the items."""
    sums: dict = {}
    for fields, counts in items:
        group = (_group(by, fields), _period(period, fields["day"]))
        channels = sums.setdefault(group, {None: Counter(), "hotline": Counter()})
        selected = [None] + (["hotline"] if fields["channel"] == "hotline" else [])
        for channel in selected:
            channels[channel].update(dict(zip(FACTS, counts, strict=True)))
    return {
        group: (
            {f: channels[None][f] for f in FACTS},
            compute_all({c: {f: s[f] for f in FACTS} for c, s in channels.items()}),
        )
        for group, channels in sums.items()
    }


@pytest.fixture
def reference() -> Callable[[Iterable[Item], str, str], dict]:
    return reference_indicators
