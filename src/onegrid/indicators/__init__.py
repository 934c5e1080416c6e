"""Indicators of the closed loop and the hotline, read from the case rollup (SPEC §6)."""

from onegrid.indicators.definitions import BY_CODE, COUNTS, INDICATORS, Indicator, Section, Value
from onegrid.indicators.queries import GroupBy, Period, Row, indicators, labels

__all__ = [
    "BY_CODE",
    "COUNTS",
    "INDICATORS",
    "GroupBy",
    "Indicator",
    "Period",
    "Row",
    "Section",
    "Value",
    "indicators",
    "labels",
]
