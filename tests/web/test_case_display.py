"""How a case's clock reads: the working time left or overdue, in words a reader expects."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from onegrid.web.case_display import clock

NOW = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)


class _Calendar:
    """A calendar whose working minutes between any two moments are the ones given."""

    def __init__(self, minutes: float) -> None:
        self.minutes = minutes

    def light(self, started, deadline, now):
        return SimpleNamespace(value="red" if now > deadline else "yellow")

    def working_minutes(self, start, end) -> float:
        return self.minutes


@pytest.mark.parametrize(
    ("past", "minutes", "lang", "said"),
    [
        (False, 210, "en", "3.5 working hours left"),
        (False, 60, "en", "1 working hour left"),
        (False, 2, "en", "under 0.1 working hours left"),
        (True, 60, "en", "1 working hour overdue"),
        # A deadline at the end of a working day, read that evening: no working time since.
        (True, 0, "en", "under 0.1 working hours overdue"),
        (True, 0, "zh", "已超时不足 0.1 工作小时"),
        (True, 90, "zh", "已超时 1.5 工作小时"),
    ],
)
def test_the_time_left_reads_as_said(past, minutes, lang, said):
    deadline = NOW - timedelta(hours=1) if past else NOW + timedelta(hours=1)
    case = SimpleNamespace(stage_started_at=NOW - timedelta(hours=5), stage_deadline=deadline)
    assert clock(case, _Calendar(minutes), NOW, lang).time_left == said
