"""The indicators as data: each is a ratio of two sums of case facts (onegrid.cases.facts).

    结案率 closure_rate = closed / opened

A term's coefficient is +1 or −1 (解决率's denominator is received − voided). Open cases whose
clock has run out count in the denominators (overdue_*), so a backlog lowers the rate.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from itertools import repeat
from typing import NamedTuple

from onegrid.cases.models import Channel

Terms = tuple[tuple[str, int], ...]  # (fact, coefficient)


class Section(StrEnum):
    LOOP = "loop"  # the closed loop's rates, every channel
    HOTLINE = "hotline"  # the hotline's three rates, hotline cases only
    LEVEL = "level"  # at which level closed cases closed (问题解决在网格)


@dataclass(frozen=True)
class Indicator:
    code: str
    zh: str
    en: str
    section: Section
    numerator: Terms
    denominator: Terms
    channel: str | None  # only cases of this channel count, on both sides
    about_zh: str
    about_en: str


class Value(NamedTuple):
    # A tuple: a dashboard of a thousand groups makes some fifteen thousand of them.
    numerator: int
    denominator: int
    value: float | None  # None when the denominator is 0


def _terms(*names: str) -> Terms:
    """Returns terms from fact names, a leading '-' subtracting: ("received", "-voided")."""
    return tuple((n[1:], -1) if n.startswith("-") else (n, 1) for n in names)


def _level_share(level: str, zh: str, en: str) -> Indicator:
    return Indicator(
        code=f"closed_at_{level}_share",
        zh=f"{zh}结案占比",
        en=f"share closed at {en} level",
        section=Section.LEVEL,
        numerator=_terms(f"closed_at_{level}"),
        denominator=_terms("closed"),
        channel=None,
        about_zh=f"结案数中在{zh}结案（案件升级到的层级）的比例",
        about_en=f"share of the closed cases that closed at {en} level (where escalation had "
        "taken them)",
    )


# Escalation levels 0–3 (onegrid.cases.effects); 问题解决在网格: most should close at the grid.
_LEVELS = (
    ("grid", "网格", "grid"),
    ("community", "社区", "community"),
    ("street", "街道", "street"),
    ("district", "区级", "district"),
)
_HOTLINE = Channel.HOTLINE.value

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        code="closure_rate",
        zh="结案率",
        en="closure rate",
        section=Section.LOOP,
        numerator=_terms("closed"),
        denominator=_terms("opened"),
        channel=None,
        about_zh="已结案数 ÷ 立案数",
        about_en="cases closed ÷ cases opened",
    ),
    Indicator(
        code="on_time_closure_rate",
        zh="按期结案率",
        en="on-time closure rate",
        section=Section.LOOP,
        numerator=_terms("closed_on_time"),
        denominator=_terms("closed", "overdue_handle"),
        channel=None,
        about_zh="按期结案数 ÷（结案数 + 处置或核查已超期的未结案数）",
        about_en="cases closed on time ÷ (cases closed + open cases overdue in handling or "
        "checking)",
    ),
    Indicator(
        code="rework_rate",
        zh="返工率",
        en="rework rate",
        section=Section.LOOP,
        numerator=_terms("reworked"),
        denominator=_terms("fed_back"),
        channel=None,
        about_zh="返工过的案件数 ÷ 已反馈的案件数",
        about_en="cases sent back for rework at least once ÷ cases fed back at least once",
    ),
    Indicator(
        code="on_time_dispatch_rate",
        zh="按时派遣率",
        en="on-time dispatch rate",
        section=Section.LOOP,
        numerator=_terms("dispatched_on_time"),
        denominator=_terms("dispatched", "overdue_dispatch"),
        channel=None,
        about_zh="按时派遣数 ÷（已派遣数 + 派遣已超期的未派遣数）",
        about_en="cases dispatched on time ÷ (cases dispatched + open cases overdue for dispatch)",
    ),
    Indicator(
        code="on_time_verify_rate",
        zh="按时核实率",
        en="on-time verification rate",
        section=Section.LOOP,
        numerator=_terms("verified_on_time"),
        denominator=_terms("verified", "overdue_verify"),
        channel=None,
        about_zh="按时核实数 ÷（已核实数 + 核实已超期的未核实数）",
        about_en="cases verified on time ÷ (cases verified + open cases overdue for verification)",
    ),
    Indicator(
        code="extension_rate",
        zh="延期率",
        en="extension rate",
        section=Section.LOOP,
        numerator=_terms("extended"),
        denominator=_terms("dispatched"),
        channel=None,
        about_zh="获批延期的案件数 ÷ 已派遣数",
        about_en="cases granted an extension ÷ cases dispatched",
    ),
    Indicator(
        code="hotline_response_rate",
        zh="响应率",
        en="hotline response rate",
        section=Section.HOTLINE,
        numerator=_terms("dispatched_on_time"),
        denominator=_terms("dispatched", "overdue_dispatch"),
        channel=_HOTLINE,
        about_zh="热线案件：按时派遣数 ÷（已派遣数 + 派遣已超期的未派遣数）",
        about_en="hotline cases: dispatched on time ÷ (dispatched + open, overdue for dispatch)",
    ),
    Indicator(
        code="hotline_resolution_rate",
        zh="解决率",
        en="hotline resolution rate",
        section=Section.HOTLINE,
        numerator=_terms("closed"),
        denominator=_terms("received", "-voided"),
        channel=_HOTLINE,
        about_zh="热线案件：结案数 ÷（受理数 − 作废数）",
        about_en="hotline cases: closed ÷ (received − voided)",
    ),
    Indicator(
        code="hotline_satisfaction_rate",
        zh="满意率",
        en="hotline satisfaction rate",
        section=Section.HOTLINE,
        numerator=_terms("satisfied"),
        denominator=_terms("rated"),
        channel=_HOTLINE,
        about_zh="热线案件：评价为 4 或 5 分的案件数 ÷ 已评价数",
        about_en="hotline cases: rated 4 or 5 ÷ rated",
    ),
    *(_level_share(level, zh, en) for level, zh, en in _LEVELS),
)
# The labels of the counts (onegrid.cases.facts.FACTS, in its order; a test checks it).
COUNTS: dict[str, tuple[str, str]] = {
    "received": ("受理数", "received"),
    "voided": ("作废数", "voided"),
    "opened": ("立案数", "opened"),
    "verified": ("已核实数", "verified"),
    "verified_on_time": ("按时核实数", "verified on time"),
    "dispatched": ("已派遣数", "dispatched"),
    "dispatched_on_time": ("按时派遣数", "dispatched on time"),
    "fed_back": ("已反馈数", "fed back"),
    "reworked": ("返工案件数", "reworked"),
    "extended": ("延期案件数", "extended"),
    "closed": ("结案数", "closed"),
    "closed_on_time": ("按期结案数", "closed on time"),
    "overdue_verify": ("核实超期的在办案件数", "open, overdue for verification"),
    "overdue_dispatch": ("派遣超期的在办案件数", "open, overdue for dispatch"),
    "overdue_handle": ("处置或核查超期的在办案件数", "open, overdue in handling or checking"),
    "rated": ("已评价数", "rated"),
    "satisfied": ("满意数（4–5 分）", "satisfied (rated 4–5)"),
    "closed_at_grid": ("网格结案数", "closed at grid level"),
    "closed_at_community": ("社区结案数", "closed at community level"),
    "closed_at_street": ("街道结案数", "closed at street level"),
    "closed_at_district": ("区级结案数", "closed at district level"),
}
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
# The channel restrictions the indicators use, each needing its own sums.
CHANNELS: tuple[str, ...] = tuple(sorted({i.channel for i in INDICATORS if i.channel}))


def formula(indicator: Indicator) -> str:
    """Returns the ratio in fact names, e.g. "closed / (received − voided)"."""

    def side(terms: Terms) -> str:
        words = " ".join(f"{'−' if c < 0 else '+'} {fact}" for fact, c in terms)
        words = words.removeprefix("+ ")
        return f"({words})" if len(terms) > 1 else words

    return f"{side(indicator.numerator)} / {side(indicator.denominator)}"


Layout = tuple[tuple[str | None, tuple[str, ...]], ...]  # (channel, its facts) blocks
Plan = tuple[tuple[str, tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]], ...]


@lru_cache(maxsize=64)
def plan(layout: Layout) -> Plan:
    """Each indicator as (code, numerator, denominator) terms of (position, coefficient) in a
    flat row of sums laid out in blocks: some facts summed over one channel (None: every one)."""
    at, position = 0, {}
    for channel, facts in layout:
        for fact in facts:
            position[channel, fact] = at
            at += 1
    return tuple(
        (
            i.code,
            tuple((position[i.channel, fact], c) for fact, c in i.numerator),
            tuple((position[i.channel, fact], c) for fact, c in i.denominator),
        )
        for i in INDICATORS
    )


def compute(sums: Sequence[int], terms: Plan) -> dict[str, Value]:
    """Returns every indicator by code from a flat row of sums laid out as `terms` was planned."""
    return compute_many([sums], terms)[0]


def compute_many(rows: Sequence[Sequence[int]], terms: Plan) -> list[dict[str, Value]]:
    """Returns every indicator by code for each row of sums, laid out as `terms` was planned.

    Column by column: a dashboard's thousand groups each compute them all, and this way the
    work per group and indicator is C's (zip, map, dict) but for one division.
    """
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    by_indicator = []
    for _, numerator_terms, denominator_terms in terms:
        numerators = _side(columns, numerator_terms)
        denominators = _side(columns, denominator_terms)
        ratios = [n / d if d else None for n, d in zip(numerators, denominators, strict=True)]
        # Value(n, d, ratio) for every row, built as NamedTuple's own constructor builds it.
        by_indicator.append(
            map(tuple.__new__, repeat(Value), zip(numerators, denominators, ratios, strict=True))
        )
    codes = tuple(code for code, _, _ in terms)
    return [dict(zip(codes, values, strict=True)) for values in zip(*by_indicator, strict=True)]


def _side(columns: list[Sequence[int]], terms: tuple[tuple[int, int], ...]) -> Sequence[int]:
    """One side of an indicator for every row: the sum of its terms' columns, each times its
    coefficient."""
    scaled = [columns[at] if c == 1 else [c * n for n in columns[at]] for at, c in terms]
    return scaled[0] if len(scaled) == 1 else list(map(sum, zip(*scaled, strict=True)))


def compute_all(counts: Mapping[str | None, Mapping[str, int]]) -> dict[str, Value]:
    """Returns every indicator by code from sums of facts keyed by channel (None: every channel)."""
    layout = tuple((channel, tuple(sums)) for channel, sums in counts.items())
    return compute([n for sums in counts.values() for n in sums.values()], plan(layout))


def facts_used() -> set[str]:
    """Returns every fact some indicator reads (a test checks they all exist)."""
    return {fact for i in INDICATORS for fact, _ in i.numerator + i.denominator}
