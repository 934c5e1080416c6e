"""Working time on China's official calendar, where holidays move working days around (调休).

Case deadlines are counted in working time: working days only, within working hours, minus the
lunch break. Which days are working days comes from the `chinese_calendar` package for the
years it knows; a JSON file (ONEGRID_CALENDAR_FILE) adds years it does not know yet and can
correct single days of a known one. A year known to neither falls back to Monday-Friday, with a
warning.

Every method takes and returns timezone-aware datetimes and hands back UTC; the local zone
(Asia/Shanghai) is used only inside, to tell working hours apart. Working hours are counted on
the local wall clock, which is exact for zones without daylight saving, such as China's.

    calendar = get_calendar()
    due = calendar.deadline(received_at, Duration.parse("2d"))
    calendar.light(received_at, due, now)  # Light.GREEN, YELLOW or RED
"""

from __future__ import annotations

import bisect
import json
import logging
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar

from onegrid.config import Settings, get_settings

__all__ = [
    "Duration",
    "Light",
    "WorkCalendar",
    "declare_days",
    "get_calendar",
    "parse_time_of_day",
    "parse_time_range",
]

logger = logging.getLogger("onegrid.workcalendar")

_US_PER_MINUTE = 60_000_000
_DURATION = re.compile(r"(\d+)([mhd])")
_TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})")
_UNIT_NAMES = {"m": "minutes", "h": "hours", "d": "working days"}
# Past this share of its time limit a case turns yellow.
_YELLOW_FROM = 0.8
_UNKNOWN = object()


class Light(StrEnum):
    """How far a case is into its time limit: green, yellow from 80 % on, red once overdue."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


@dataclass(frozen=True, slots=True)
class Duration:
    """A time limit in working minutes ("90m"), hours ("4h") or working days ("2d")."""

    amount: int
    unit: Literal["m", "h", "d"]

    def __post_init__(self) -> None:
        if self.unit not in _UNIT_NAMES:
            raise ValueError(f"unknown duration unit {self.unit!r}; use m, h or d")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 1:
            raise ValueError(f"a duration must be a positive whole number, got {self.amount!r}")

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Returns the duration written as e.g. "90m", "4h" or "2d"."""
        return _parse_duration(text) if isinstance(text, str) else cls._parse(text)

    @classmethod
    def _parse(cls, text: str) -> Duration:
        match = _DURATION.fullmatch(text.strip().lower()) if isinstance(text, str) else None
        if match is None or int(match[1]) < 1:
            raise ValueError(
                f"{text!r} is not a duration: write a positive whole number followed by "
                "m (working minutes), h (working hours) or d (working days), e.g. 90m, 4h, 2d"
            )
        return cls(int(match[1]), match[2])  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def to_minutes(self, minutes_per_day: float) -> float:
        """Returns the working minutes this duration lasts, given the length of a working day."""
        if self.unit == "d":
            return self.amount * minutes_per_day
        return self.amount * (60 if self.unit == "h" else 1)


@lru_cache(maxsize=256)
def _parse_duration(text: str) -> Duration:
    # A category's few limits are parsed at every stage a case starts: once each is enough.
    return Duration._parse(text)


@dataclass(frozen=True, slots=True)
class _Year:
    """Which days of one year are working days, looked up once and kept."""

    first: int  # ordinal of 1 January
    flags: bytes  # 1 for a working day, indexed by day of the year from 0
    workdays: tuple[int, ...]  # ordinals of the working days, ascending


class WorkCalendar:
    """Working days and hours, and the deadlines and lights computed from them."""

    def __init__(
        self,
        *,
        zone: str = "Asia/Shanghai",
        day_start: time = time(8, 30),
        day_end: time = time(17, 30),
        breaks: Sequence[tuple[time, time]] = ((time(12, 0), time(13, 30)),),
        overrides: Mapping[int | str, Mapping[str, Iterable[date | str]]] | None = None,
        days: Mapping[date, bool] | None = None,
    ) -> None:
        try:
            self.zone = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {zone!r}, e.g. Asia/Shanghai") from None
        self._intervals = _working_intervals(day_start, day_end, breaks)
        self._day_us = sum(end - start for start, end in self._intervals)
        self._overrides = _parse_overrides(overrides or {})
        self._days = dict(days or {})  # declared working (True) or rest days: above all else
        self._years: dict[int, _Year] = {}
        self._lock = threading.Lock()
        self._midnights: dict[date, datetime | None] = {}  # see _steady_midnight

    @classmethod
    def from_settings(
        cls, settings: Settings, days: Mapping[date, bool] | None = None
    ) -> WorkCalendar:
        """Returns the calendar the settings describe, reading ONEGRID_CALENDAR_FILE if set;
        `days`: days declared working (True) or rest days (False), above the file."""
        breaks = []
        if settings.lunch_break.strip():
            breaks.append(parse_time_range(settings.lunch_break, "ONEGRID_LUNCH_BREAK"))
        return cls(
            zone=settings.time_zone,
            day_start=parse_time_of_day(settings.work_day_start, "ONEGRID_WORK_DAY_START"),
            day_end=parse_time_of_day(settings.work_day_end, "ONEGRID_WORK_DAY_END"),
            breaks=breaks,
            overrides=_read_overrides(settings.calendar_file),
            days=days,
        )

    @property
    def minutes_per_day(self) -> float:
        """Returns the working minutes in one working day (450 for 08:30-17:30 less 1.5 h)."""
        return self._day_us / _US_PER_MINUTE

    def is_workday(self, day: date) -> bool:
        """Whether this local calendar day is a working day."""
        if isinstance(day, datetime):
            # A UTC datetime's date can be the wrong local day: make the caller choose.
            raise TypeError("is_workday takes a date; pass the local date, not a datetime")
        year = self._year(day.year)
        return bool(year.flags[day.toordinal() - year.first])

    def deadline(self, start: datetime, limit: Duration) -> datetime:
        """Returns the first moment (UTC) by which `limit` of working time has passed."""
        local = self._local(start, "start")
        remaining = self._limit_us(limit)
        day, done = local.date(), self._worked_before(_time_us(local))
        if self.is_workday(day):
            if remaining <= self._day_us - done:
                return self._utc(day, self._moment_at(done + remaining))
            remaining -= self._day_us - done
        # The rest fills whole working days; the last one takes 1 µs to a full day.
        whole_days, last = divmod(remaining - 1, self._day_us)
        day = self._nth_workday_after(day, whole_days + 1)
        return self._utc(day, self._moment_at(last + 1))

    def working_minutes(self, start: datetime, end: datetime) -> float:
        """Returns the working minutes between two moments, 0 if end is not after start."""
        first, last = self._local(start, "start"), self._local(end, "end")
        if last <= first:
            return 0.0
        first_day, last_day = first.date(), last.date()
        done_first = self._worked_before(_time_us(first))
        done_last = self._worked_before(_time_us(last))
        if first_day == last_day:
            worked = done_last - done_first if self.is_workday(first_day) else 0
        else:
            worked = self._day_us * self._count_workdays(
                first_day + timedelta(days=1), last_day - timedelta(days=1)
            )
            if self.is_workday(first_day):
                worked += self._day_us - done_first
            if self.is_workday(last_day):
                worked += done_last
        return max(worked, 0) / _US_PER_MINUTE

    def used_fraction(self, start: datetime, deadline: datetime, now: datetime) -> float:
        """Returns the share of the working time from start to deadline that has passed by now."""
        total = self.working_minutes(start, deadline)
        if total == 0:
            return 1.0 if _aware(now, "now") >= _aware(deadline, "deadline") else 0.0
        return self.working_minutes(start, now) / total

    def light(self, start: datetime, deadline: datetime, now: datetime) -> Light:
        """Returns GREEN below 80 % used, YELLOW from 80 % up to the deadline, RED after it.

        Yellow includes exactly 100 %: a case is on time at its deadline. Red starts as soon as
        `now` is past the deadline, even outside working hours, when the used share stays at
        exactly 1.0 (a case due Friday 17:30 is overdue all weekend, not yellow).
        """
        used = self.used_fraction(start, deadline, now)
        if now > deadline:
            return Light.RED
        return Light.YELLOW if used >= _YELLOW_FROM else Light.GREEN

    # Time of day is handled in integer microseconds, the resolution of datetime, so deadlines
    # and working minutes are exact and agree with each other.

    def _local(self, moment: datetime, name: str) -> datetime:
        return _aware(moment, name).astimezone(self.zone).replace(tzinfo=None)

    def _utc(self, day: date, time_us: int) -> datetime:
        midnight = self._midnights.get(day, _UNKNOWN)
        if midnight is _UNKNOWN:
            midnight = self._midnights[day] = self._steady_midnight(day)
        if midnight is not None:
            return midnight + timedelta(microseconds=time_us)
        local = datetime.combine(day, time()) + timedelta(microseconds=time_us)
        return local.replace(tzinfo=self.zone).astimezone(UTC)

    def _steady_midnight(self, day: date) -> datetime | None:
        """The local day's midnight in UTC, when the zone keeps one offset all day (None on a
        day its clocks change): its moments are then that midnight plus their time of day."""
        first = datetime.combine(day, time(), self.zone)
        last = datetime.combine(day, time.max, self.zone)
        return first.astimezone(UTC) if first.utcoffset() == last.utcoffset() else None

    def _limit_us(self, limit: Duration) -> int:
        if not isinstance(limit, Duration):
            raise TypeError(f"a time limit must be a Duration, got {limit!r}; see Duration.parse")
        if limit.unit == "d":
            return limit.amount * self._day_us
        return limit.amount * _US_PER_MINUTE * (60 if limit.unit == "h" else 1)

    def _worked_before(self, time_us: int) -> int:
        """Working microseconds of a working day from midnight up to this time of day."""
        worked = 0
        for start, end in self._intervals:
            if time_us <= start:
                break
            worked += (time_us if time_us < end else end) - start
        return worked

    def _moment_at(self, worked: int) -> int:
        """The earliest time of day by which `worked` (> 0) microseconds have been worked."""
        for start, end in self._intervals:
            if worked <= end - start:
                return start + worked
            worked -= end - start
        raise AssertionError("worked exceeds a working day")  # callers never ask for more

    def _nth_workday_after(self, day: date, n: int) -> date:
        year = self._year(day.year)
        index = bisect.bisect_right(year.workdays, day.toordinal())
        while index + n > len(year.workdays):
            n -= len(year.workdays) - index
            year, index = self._year(date.fromordinal(year.first).year + 1), 0
        return date.fromordinal(year.workdays[index + n - 1])

    def _count_workdays(self, first: date, last: date) -> int:
        """Working days from first to last, both included."""
        if last < first:
            return 0
        count = 0
        for number in range(first.year, last.year + 1):
            workdays = self._year(number).workdays
            count += bisect.bisect_right(workdays, last.toordinal()) - bisect.bisect_left(
                workdays, first.toordinal()
            )
        return count

    def _year(self, number: int) -> _Year:
        year = self._years.get(number)
        if year is None:
            with self._lock:
                year = self._years.get(number)
                if year is None:
                    year = self._years[number] = self._build_year(number)
        return year

    def _build_year(self, number: int) -> _Year:
        holidays, workdays = self._overrides.get(number, (frozenset(), frozenset()))
        known = _library_knows(number)
        if not known and number not in self._overrides:
            logger.warning(
                "no official holiday calendar for %d (chinese_calendar knows %s; none in "
                "ONEGRID_CALENDAR_FILE): counting Monday-Friday as working days",
                number,
                _library_years(),
            )
        first = date(number, 1, 1)
        flags = bytearray()
        for offset in range((date(number + 1, 1, 1) - first).days):
            day = first + timedelta(days=offset)
            if day in self._days:
                working = self._days[day]
            elif day in holidays:
                working = False
            elif day in workdays:
                working = True
            elif known:
                working = chinese_calendar.is_workday(day)
            else:
                working = day.weekday() < 5
            flags.append(working)
        ordinals = tuple(first.toordinal() + i for i, flag in enumerate(flags) if flag)
        return _Year(first=first.toordinal(), flags=bytes(flags), workdays=ordinals)


_declared: dict[date, bool] = {}


def declare_days(days: Mapping[date, bool]) -> None:
    """Makes these days working (True) or rest days (False) in the process-wide calendar from
    now on, above the official calendar and the file: the days the system admin declared
    (routing/calendar.py loads them from the database)."""
    global _declared
    _declared = dict(days)
    get_calendar.cache_clear()


@lru_cache(maxsize=1)
def get_calendar() -> WorkCalendar:
    """Returns the process-wide working calendar, built from the settings and the declared days
    on first use."""
    return WorkCalendar.from_settings(get_settings(), days=_declared)


def parse_time_of_day(text: str, setting: str = "time of day") -> time:
    """Returns the time written as HH:MM, e.g. 08:30; errors name the setting."""
    match = _TIME_OF_DAY.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"{setting} must be a time of day as HH:MM, e.g. 08:30; got {text!r}")
    return time(int(match[1]), int(match[2]))


def parse_time_range(text: str, setting: str = "time range") -> tuple[time, time]:
    """Returns the range written as HH:MM-HH:MM, e.g. 12:00-13:30; errors name the setting."""
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(
            f"{setting} must be a range HH:MM-HH:MM, e.g. 12:00-13:30, or empty; got {text!r}"
        )
    start, end = (parse_time_of_day(part, setting) for part in parts)
    if end <= start:
        raise ValueError(f"{setting} must end after it starts; got {text!r}")
    return start, end


def _aware(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{name} is a naive datetime ({moment.isoformat()}); pass a timezone-aware one, "
            "e.g. datetime.now(UTC)"
        )
    return moment


def _time_us(moment: datetime | time) -> int:
    """Microseconds since midnight of a (local) time of day."""
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return seconds * 1_000_000 + moment.microsecond


def _working_intervals(
    day_start: time, day_end: time, breaks: Sequence[tuple[time, time]]
) -> list[tuple[int, int]]:
    """The working hours of a day as [start, end) microsecond pairs, breaks taken out."""
    if day_end <= day_start:
        raise ValueError(f"the working day must end after it starts ({day_start}-{day_end})")
    intervals, cursor = [], _time_us(day_start)
    for start, end in sorted(breaks):
        if not day_start <= start < end <= day_end:
            raise ValueError(
                f"break {start:%H:%M}-{end:%H:%M} must end after it starts and lie within the "
                f"working day {day_start:%H:%M}-{day_end:%H:%M}"
            )
        start_us = _time_us(start)
        if start_us < cursor:
            raise ValueError(f"break {start:%H:%M}-{end:%H:%M} overlaps another break")
        if start_us > cursor:
            intervals.append((cursor, start_us))
        cursor = _time_us(end)
    end_us = _time_us(day_end)
    if end_us > cursor:
        intervals.append((cursor, end_us))
    if not intervals:
        raise ValueError("the breaks leave no working time in the day")
    return intervals


def _read_overrides(path: str) -> dict[str, object]:
    if not path.strip():
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"ONEGRID_CALENDAR_FILE {path!r} cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"ONEGRID_CALENDAR_FILE {path!r} is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ValueError(
            f'ONEGRID_CALENDAR_FILE {path!r} must hold an object like {{"2027": {{"holidays": '
            '["2027-01-01"], "workdays": ["2027-02-06"]}}'
        )
    try:
        _parse_overrides(data)
    except ValueError as error:
        raise ValueError(f"ONEGRID_CALENDAR_FILE {path!r}: {error}") from None
    return data


def _parse_overrides(
    raw: Mapping[int | str, Mapping[str, Iterable[date | str]]],
) -> dict[int, tuple[frozenset[date], frozenset[date]]]:
    """Validates {year: {"holidays": [...], "workdays": [...]}} into sets of dates per year."""
    parsed = {}
    for key, lists in raw.items():
        if not re.fullmatch(r"\d{4}", str(key)):
            raise ValueError(f"calendar override key {key!r} is not a year such as 2027")
        year = int(key)
        if not isinstance(lists, Mapping) or set(lists) - {"holidays", "workdays"}:
            raise ValueError(
                f"calendar override for {year} must be an object with the lists "
                '"holidays" and "workdays" only'
            )
        holidays = _override_dates(year, "holidays", lists.get("holidays", ()))
        workdays = _override_dates(year, "workdays", lists.get("workdays", ()))
        if both := holidays & workdays:
            raise ValueError(
                f"calendar override for {year} lists {min(both)} both as holiday and workday"
            )
        parsed[year] = (holidays, workdays)
    return parsed


def _override_dates(year: int, name: str, values: Iterable[date | str]) -> frozenset[date]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValueError(f'calendar override "{name}" of {year} must be a list of dates')
    days = set()
    for value in values:
        try:
            if isinstance(value, date) and not isinstance(value, datetime):
                day = value
            else:
                day = date.fromisoformat(value)
        except (TypeError, ValueError):
            raise ValueError(
                f'calendar override "{name}" of {year}: {value!r} is not a date YYYY-MM-DD'
            ) from None
        if day.year != year:
            raise ValueError(f'calendar override "{name}" of {year} lists {day}, of another year')
        days.add(day)
    return frozenset(days)


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _library_years() -> str:
    years = sorted({day.year for day in chinese_calendar.holidays})
    return f"{years[0]}-{years[-1]}" if years else "no years"
