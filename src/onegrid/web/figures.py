"""How the office pages show indicators (docs/indicators.md): a count, a rate as a percentage
with its numerator and denominator, and the periods a page offers. The figures come from
onegrid.indicators (the rollup); this only says them."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from onegrid.config import get_settings
from onegrid.indicators import BY_CODE, COUNTS, Row, Value
from onegrid.web.strings import Strings, pick

# Open cases overdue now, at any stage: the three overdue counts summed.
OVERDUE_COUNTS = ("overdue_verify", "overdue_dispatch", "overdue_handle")


class Span(StrEnum):
    """The intake days a page's figures count (cohorts by intake day, local time)."""

    MONTH = "month"  # this calendar month
    YEAR = "year"  # this calendar year
    ALL = "all"  # every day kept


SPAN_LABELS: Strings = {
    Span.MONTH.value: ("本月受理", "Received this month"),
    Span.YEAR.value: ("本年受理", "Received this year"),
    Span.ALL.value: ("全部", "All time"),
}

STRINGS: Strings = {
    "overdue_now": ("当前超期在办", "Open and overdue now"),
    "no_ratio": ("—", "—"),
    "ratio_detail": ("{n} / {d}", "{n} / {d}"),
}


def today() -> date:
    """Returns today's date in the district's time zone (intake days are local)."""
    return datetime.now(ZoneInfo(get_settings().time_zone)).date()


def since(span: Span, day: date) -> date | None:
    """Returns the first intake day a span counts on this day (None: no limit). Whole months
    from their first day, so the indicators read a monthly grain."""
    if span is Span.MONTH:
        return day.replace(day=1)
    if span is Span.YEAR:
        return day.replace(month=1, day=1)
    return None


def percent(value: Value | None) -> str:
    """Returns a rate as a percentage with one decimal ("91.2%"), or "—" with no denominator."""
    if value is None or value.value is None:
        return "—"
    return f"{value.value * 100:.1f}%"


@dataclass(frozen=True)
class Figure:
    """One figure as shown: its name, its value in words, and how it was reached."""

    code: str
    label: str
    text: str
    detail: str  # "651 / 714" for a rate, "" for a count
    fraction: float | None  # the rate from 0 to 1, for a bar; None for a count or no data


def overdue_now(row: Row | None) -> int:
    return sum(row.counts[c] for c in OVERDUE_COUNTS) if row else 0


def count_figure(code: str, row: Row | None, lang: str) -> Figure:
    if code == "overdue_now":
        label, number = pick(STRINGS, lang)["overdue_now"], overdue_now(row)
    else:
        zh, en = COUNTS[code]
        label, number = (en if lang == "en" else zh), (row.counts[code] if row else 0)
    return Figure(code, label[:1].upper() + label[1:], f"{number:,}", "", None)


def rate_figure(code: str, row: Row | None, lang: str) -> Figure:
    indicator = BY_CODE[code]
    value = row.values[code] if row else None
    detail = f"{value.numerator:,} / {value.denominator:,}" if value and value.denominator else ""
    return Figure(
        code,
        indicator.en.capitalize() if lang == "en" else indicator.zh,
        percent(value),
        detail,
        value.value if value else None,
    )


def figures(row: Row | None, counts: tuple[str, ...], rates: tuple[str, ...], lang: str):
    """Returns the counts then the rates of a row (None: nothing counted) as shown."""
    return [count_figure(c, row, lang) for c in counts] + [rate_figure(r, row, lang) for r in rates]
