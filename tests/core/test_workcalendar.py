"""Working calendar: real 调休 dates, deadlines, working minutes, lights and configuration.

Every expected date below was checked against chinese_calendar 1.11 (the official schedules the
State Council published for 2024, 2025 and 2026).
"""

import json
import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onegrid.config import get_settings
from onegrid.core.workcalendar import Duration, Light, WorkCalendar, get_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar()


def local(text: str) -> datetime:
    """Returns the Shanghai wall-clock time written as ISO text, as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(UTC)


def due(start: str, limit: str, calendar: WorkCalendar = CALENDAR) -> str:
    """Returns the deadline of a case received at `start`, as Shanghai wall-clock ISO text."""
    deadline = calendar.deadline(local(start), Duration.parse(limit))
    assert deadline.tzinfo is UTC
    return deadline.astimezone(SHANGHAI).replace(tzinfo=None).isoformat(timespec="minutes")


@pytest.fixture
def fresh_settings(monkeypatch):
    """Lets a test set ONEGRID_* variables, rebuilding settings and calendar on either side."""
    for name in ("CALENDAR_FILE", "WORK_DAY_START", "WORK_DAY_END", "LUNCH_BREAK", "TIME_ZONE"):
        monkeypatch.delenv(f"ONEGRID_{name}", raising=False)
    get_settings.cache_clear()
    get_calendar.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
    get_calendar.cache_clear()


# Which days are working days


@pytest.mark.parametrize(
    "day",
    ["2025-09-28", "2025-10-11", "2026-02-14", "2026-02-28", "2024-02-04", "2024-02-18"],
)
def test_weekend_days_moved_by_tiaoxiu_are_working_days(day):
    assert date.fromisoformat(day).weekday() >= 5
    assert CALENDAR.is_workday(date.fromisoformat(day))


@pytest.mark.parametrize(
    ("first", "last"), [("2025-10-01", "2025-10-08"), ("2026-02-15", "2026-02-23")]
)
def test_national_day_and_spring_festival_are_days_off(first, last):
    day = date.fromisoformat(first)
    while day <= date.fromisoformat(last):
        assert not CALENDAR.is_workday(day), day
        day += timedelta(days=1)


def test_every_day_of_2024_to_2026_agrees_with_chinese_calendar():
    day = date(2024, 1, 1)
    while day.year <= 2026:
        assert CALENDAR.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_is_workday_refuses_a_datetime():
    with pytest.raises(TypeError, match="local date"):
        CALENDAR.is_workday(datetime(2025, 10, 9, tzinfo=UTC))


# Deadlines


def test_a_working_day_is_the_configured_working_time():
    assert CALENDAR.minutes_per_day == 450  # 08:30-17:30 less 12:00-13:30


def test_two_hours_before_national_day_run_on_after_the_holiday():
    # 30 min left on 30 September; the other 90 start at 08:30 on 9 October.
    assert due("2025-09-30T16:30", "2h") == "2025-10-09T09:30"


def test_a_case_at_five_with_two_hours_is_due_next_morning():
    assert due("2025-10-16T17:00", "2h") == "2025-10-17T10:00"


def test_a_deadline_may_fall_exactly_at_the_end_of_the_day():
    assert due("2025-10-16T17:00", "30m") == "2025-10-16T17:30"


def test_one_day_from_a_friday_lands_on_monday_over_an_ordinary_weekend():
    assert due("2025-10-17T10:00", "1d") == "2025-10-20T10:00"


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2025-10-10T10:00", "2025-10-11T10:00"),  # Saturday worked after National Day
        ("2025-09-26T10:00", "2025-09-28T10:00"),  # Sunday worked before it
        ("2026-02-13T10:00", "2026-02-14T10:00"),  # Saturday worked before Spring Festival
    ],
)
def test_one_day_from_a_friday_lands_on_a_tiaoxiu_weekend_day(start, expected):
    assert due(start, "1d") == expected


def test_two_days_jump_the_whole_spring_festival_holiday():
    # Friday 6 h + Saturday 14 February 7.5 h, then 1.5 h on Tuesday 24 February.
    assert due("2026-02-13T10:00", "2d") == "2026-02-24T10:00"


def test_a_case_on_a_day_off_counts_from_the_next_working_morning():
    # Saturday 3 February 2024 is off; Sunday 4 February is worked: 3.5 h + 0.5 h after lunch.
    assert due("2024-02-03T09:00", "4h") == "2024-02-04T14:00"
    # Friday 9 February 2024 (除夕) is worked; the holiday runs to Saturday 17th, Sunday 18th works.
    assert due("2024-02-09T17:00", "2h") == "2024-02-18T10:00"


def test_a_case_in_the_lunch_break_counts_from_the_afternoon():
    assert due("2025-10-16T12:15", "1h") == "2025-10-16T14:30"


def test_a_deadline_reached_at_lunch_is_the_start_of_the_break():
    assert due("2025-10-16T10:30", "90m") == "2025-10-16T12:00"


@pytest.mark.parametrize("start", ["2025-10-15T22:00", "2025-10-16T02:00", "2025-10-16T08:00"])
def test_a_case_at_night_counts_from_the_morning(start):
    # 02:00 in Shanghai is still the previous day in UTC: the local day decides.
    assert due(start, "30m") == "2025-10-16T09:00"


@pytest.mark.parametrize(("minutes", "hours"), [("120m", "2h"), ("450m", "1d"), ("900m", "2d")])
def test_minutes_hours_and_days_give_the_same_deadline(minutes, hours):
    assert due("2025-09-30T16:30", minutes) == due("2025-09-30T16:30", hours)


def test_deadline_accepts_any_aware_time_and_answers_in_utc():
    start = datetime(2025, 9, 30, 16, 30, tzinfo=SHANGHAI)
    deadline = CALENDAR.deadline(start, Duration.parse("2h"))
    assert deadline == datetime(2025, 10, 9, 1, 30, tzinfo=UTC)


def test_a_deadline_on_a_day_the_clocks_change_is_on_the_wall_clock():
    # Berlin's clocks jump from 02:00 to 03:00 on Sunday 29 March 2026, made a working day
    # here; two working hours from 01:00 end at 03:00 on the wall clock either way.
    berlin = ZoneInfo("Europe/Berlin")
    calendar = WorkCalendar(
        zone="Europe/Berlin",
        day_start=time(1),
        day_end=time(5),
        breaks=[],
        overrides={2026: {"workdays": ["2026-03-28", "2026-03-29"]}},
    )
    for day, utc_hour in ((28, 2), (29, 1)):  # 03:00 is UTC+1 on the 28th, UTC+2 on the 29th
        start = datetime(2026, 3, day, 1, tzinfo=berlin)
        deadline = calendar.deadline(start, Duration.parse("2h"))
        assert deadline == datetime(2026, 3, day, utc_hour, tzinfo=UTC)
        assert deadline.astimezone(berlin).time() == time(3)


# Working minutes


def test_working_minutes_over_a_holiday_are_zero():
    assert CALENDAR.working_minutes(local("2025-10-01T00:00"), local("2025-10-08T23:59")) == 0


def test_working_minutes_skip_nights_lunch_and_holidays():
    # 30 min on 30 September, 30 min on 9 October.
    assert CALENDAR.working_minutes(local("2025-09-30T17:00"), local("2025-10-09T09:00")) == 60
    assert CALENDAR.working_minutes(local("2025-10-16T11:00"), local("2025-10-16T14:00")) == 90
    # Mon 13 - Fri 17 October: five whole working days.
    week = CALENDAR.working_minutes(local("2025-10-13T00:00"), local("2025-10-18T00:00"))
    assert week == 5 * 450


def test_working_minutes_are_zero_when_the_end_is_not_after_the_start():
    start = local("2025-10-16T10:00")
    assert CALENDAR.working_minutes(start, start) == 0
    assert CALENDAR.working_minutes(start, start - timedelta(hours=1)) == 0


# Lights


@pytest.mark.parametrize(
    ("elapsed", "used", "light"),
    [(79, 0.79, Light.GREEN), (80, 0.8, Light.YELLOW), (100, 1.0, Light.YELLOW)]
    + [(101, 1.01, Light.RED)],
)
def test_lights_turn_yellow_at_80_percent_and_red_past_the_deadline(elapsed, used, light):
    start = local("2025-10-16T08:30")
    deadline = CALENDAR.deadline(start, Duration.parse("100m"))
    now = start + timedelta(minutes=elapsed)
    assert CALENDAR.used_fraction(start, deadline, now) == pytest.approx(used)
    assert CALENDAR.light(start, deadline, now) is light


def test_a_case_past_its_deadline_is_red_overnight():
    start = local("2025-10-16T17:00")
    deadline = CALENDAR.deadline(start, Duration.parse("30m"))  # 17:30
    night = local("2025-10-16T20:00")
    assert CALENDAR.used_fraction(start, deadline, night) == 1.0
    assert CALENDAR.light(start, deadline, night) is Light.RED


def test_a_deadline_at_its_start_is_all_used_once_reached():
    start = local("2025-10-16T10:00")
    assert CALENDAR.used_fraction(start, start, start - timedelta(minutes=1)) == 0
    assert CALENDAR.used_fraction(start, start, start) == 1.0
    assert CALENDAR.light(start, start, start) is Light.YELLOW


# Refusals


@pytest.mark.parametrize("method", ["deadline", "working_minutes", "used_fraction", "light"])
def test_naive_datetimes_are_refused(method):
    naive, aware = datetime(2025, 10, 16, 10), local("2025-10-16T10:00")
    arguments = {
        "deadline": (naive, Duration.parse("1h")),
        "working_minutes": (aware, naive),
        "used_fraction": (aware, aware + timedelta(hours=1), naive),
        "light": (naive, aware, aware),
    }[method]
    with pytest.raises(ValueError, match="naive datetime"):
        getattr(CALENDAR, method)(*arguments)


# Durations


@pytest.mark.parametrize(
    ("text", "minutes"), [("90m", 90), ("4h", 240), ("2d", 900), (" 3D ", 1350)]
)
def test_durations_parse_and_convert_to_working_minutes(text, minutes):
    duration = Duration.parse(text)
    assert Duration.parse(str(duration)) == duration
    assert str(duration) == text.strip().lower()
    assert duration.to_minutes(CALENDAR.minutes_per_day) == minutes


@pytest.mark.parametrize("text", ["", "2", "2w", "1.5h", "-1h", "0m", "h", "2 days", "1h30m"])
def test_bad_durations_are_refused_naming_the_text(text):
    with pytest.raises(ValueError, match=f"'{text}' is not a duration"):
        Duration.parse(text)


# Configuration


def test_the_calendar_comes_from_the_settings_and_is_cached(fresh_settings):
    fresh_settings.setenv("ONEGRID_WORK_DAY_START", "09:00")
    fresh_settings.setenv("ONEGRID_WORK_DAY_END", "18:00")
    fresh_settings.setenv("ONEGRID_LUNCH_BREAK", "")
    calendar = get_calendar()
    assert calendar is get_calendar()
    assert calendar.minutes_per_day == 540
    assert due("2025-10-16T17:00", "2h", calendar) == "2025-10-17T10:00"


def test_a_calendar_file_supplies_a_year_the_library_lacks(fresh_settings, tmp_path, caplog):
    # 2027's schedule is not published yet: these dates are made up to exercise the file.
    path = tmp_path / "calendar.json"
    path.write_text(
        json.dumps({"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-09"]}}),
        encoding="utf-8",
    )
    fresh_settings.setenv("ONEGRID_CALENDAR_FILE", str(path))
    calendar = get_calendar()
    with caplog.at_level(logging.WARNING, logger="onegrid.workcalendar"):
        assert not calendar.is_workday(date(2027, 1, 1))  # a Friday off
        assert calendar.is_workday(date(2027, 1, 9))  # a Saturday worked
        assert not calendar.is_workday(date(2027, 1, 10))  # an ordinary Sunday
        # Thursday 31 December 2026, 17:00: 30 min, then Saturday 9 January 2027.
        assert due("2026-12-31T17:00", "2h", calendar) == "2027-01-04T10:00"
        assert due("2027-01-08T10:00", "1d", calendar) == "2027-01-09T10:00"
    assert not caplog.records


def test_a_calendar_file_corrects_a_known_year():
    corrected = WorkCalendar(overrides={2025: {"holidays": [date(2025, 9, 30)]}})
    assert not corrected.is_workday(date(2025, 9, 30))
    assert corrected.is_workday(date(2025, 9, 28))  # the rest of 2025 still comes from the library


def test_a_year_known_to_nobody_falls_back_to_weekdays_with_one_warning(caplog):
    calendar = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="onegrid.workcalendar"):
        assert calendar.is_workday(date(2031, 1, 1))  # a Wednesday, surely New Year's Day
        assert not calendar.is_workday(date(2031, 1, 4))  # a Saturday
        assert due("2031-01-03T10:00", "1d", calendar) == "2031-01-06T10:00"
    warnings = [record for record in caplog.records if record.name == "onegrid.workcalendar"]
    assert len(warnings) == 1
    assert "2031" in warnings[0].getMessage()
    assert "Monday-Friday" in warnings[0].getMessage()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ONEGRID_WORK_DAY_START", "8h30", "ONEGRID_WORK_DAY_START must be a time of day as HH:MM"),
        ("ONEGRID_WORK_DAY_END", "25:00", "ONEGRID_WORK_DAY_END must be a time of day as HH:MM"),
        ("ONEGRID_WORK_DAY_END", "07:00", "the working day must end after it starts"),
        ("ONEGRID_LUNCH_BREAK", "12:00", "ONEGRID_LUNCH_BREAK must be a range HH:MM-HH:MM"),
        ("ONEGRID_LUNCH_BREAK", "13:30-12:00", "ONEGRID_LUNCH_BREAK must end after it starts"),
        ("ONEGRID_LUNCH_BREAK", "07:00-08:00", "must .* lie within the working day"),
        ("ONEGRID_TIME_ZONE", "Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
        ("ONEGRID_CALENDAR_FILE", "/nonexistent/calendar.json", "cannot be read"),
    ],
)
def test_bad_settings_are_refused_with_clear_errors(fresh_settings, variable, value, message):
    fresh_settings.setenv(variable, value)
    with pytest.raises(ValueError, match=message):
        get_calendar()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('["2027-01-01"]', "must hold an object"),
        ('{"27": {"holidays": []}}', "'27' is not a year"),
        ('{"2027": {"holiday": ["2027-01-01"]}}', '"holidays" and "workdays" only'),
        ('{"2027": {"holidays": ["2027-02-30"]}}', "'2027-02-30' is not a date"),
        ('{"2027": {"holidays": ["2026-10-01"]}}', "of another year"),
        ('{"2027": {"holidays": ["2027-01-09"], "workdays": ["2027-01-09"]}}', "both as"),
    ],
)
def test_a_bad_calendar_file_is_refused_naming_the_file(fresh_settings, tmp_path, content, message):
    path = tmp_path / "calendar.json"
    path.write_text(content, encoding="utf-8")
    fresh_settings.setenv("ONEGRID_CALENDAR_FILE", str(path))
    with pytest.raises(ValueError, match="ONEGRID_CALENDAR_FILE") as error:
        get_calendar()
    assert error.match(message)


def test_breaks_must_leave_working_time():
    with pytest.raises(ValueError, match="no working time"):
        WorkCalendar(breaks=[(time(8, 30), time(17, 30))])
    with pytest.raises(ValueError, match="overlaps"):
        WorkCalendar(breaks=[(time(12), time(13)), (time(12, 30), time(14))])


# Properties, checked against a day-by-day count straight from chinese_calendar

_HOURS = ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))


def _reference_minutes(start: datetime, end: datetime) -> float:
    """Working minutes from start to end, adding up each day's working hours one by one."""
    first, last = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
    total, day = timedelta(), first.date()
    while day <= last.date():
        if chinese_calendar.is_workday(day):
            for opens, closes in _HOURS:
                low = max(first, datetime.combine(day, opens, SHANGHAI))
                high = min(last, datetime.combine(day, closes, SHANGHAI))
                total += max(high - low, timedelta())
        day += timedelta(days=1)
    return total / timedelta(minutes=1)


# Up to 40 working days from 30 September 2026 still ends within 2026, the library's last year.
_starts = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 9, 30), timezones=st.just(UTC)
)
_limits = st.one_of(
    st.builds(Duration, st.integers(1, 18_000), st.just("m")),
    st.builds(Duration, st.integers(1, 300), st.just("h")),
    st.builds(Duration, st.integers(1, 40), st.just("d")),
)


@settings(max_examples=300, deadline=None)
@given(start=_starts, limit=_limits, more=st.integers(1, 500))
def test_a_deadline_is_exactly_its_limit_of_working_time_away(start, limit, more):
    deadline = CALENDAR.deadline(start, limit)
    minutes = limit.to_minutes(CALENDAR.minutes_per_day)
    assert deadline >= start
    assert abs(CALENDAR.working_minutes(start, deadline) - minutes) <= 1e-6
    assert abs(_reference_minutes(start, deadline) - minutes) <= 1e-6
    longer = Duration(limit.amount + more, limit.unit)
    assert CALENDAR.deadline(start, longer) > deadline


@settings(max_examples=200, deadline=None)
@given(start=_starts, length=st.timedeltas(timedelta(0), timedelta(days=60)))
def test_working_minutes_match_a_day_by_day_count(start, length):
    end = start + length
    assert abs(CALENDAR.working_minutes(start, end) - _reference_minutes(start, end)) <= 1e-6
