"""The monthly reports, made by the scheduler: once a month has ended, each street's report is
written as an XLSX file under the reports directory, once (a file already there is kept).

Run by `onegrid report monthly` and, inside `onegrid serve`, checked every interval (hourly
by default): the first check on the first day of a month writes the month just ended, and a
server that was down on the first catches up at its next start.
"""

import logging
import os
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from onegrid.config import get_settings
from onegrid.core.levels import Level
from onegrid.core.permissions import Scope
from onegrid.db import session_scope
from onegrid.reports import workbook
from onegrid.reports.monthly import Month, build
from onegrid.territory import service as territory

logger = logging.getLogger("onegrid.reports")


def path_of(directory: Path, street_code: str, month: Month) -> Path:
    """Returns where a street's report of a month is kept (<dir>/2026-11/monthly-<street>-…)."""
    return directory / str(month) / f"monthly-{street_code}-{month}.xlsx"


def ended_month(now: datetime | None = None) -> Month:
    """Returns the last month that has ended, in the district's time zone."""
    zone = ZoneInfo(get_settings().time_zone)
    today = (now or datetime.now(zone)).astimezone(zone).date()
    return Month.of(today).previous


def generate(
    *,
    session: Session,
    month: Month,
    directory: Path,
    streets: list[str] | None = None,
    lang: str = "zh",
) -> list[Path]:
    """Writes the month's report of every street (or of these) not written yet; returns the
    files it wrote. Each file appears whole or not at all (written aside, then renamed)."""
    codes = streets or [
        unit.code
        for unit in territory.list_units(session=session, scope=Scope.all(), level=Level.STREET)
    ]
    written = []
    for code in codes:
        target = path_of(directory, code, month)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        report = build(session=session, street_code=code, month=month, within=Scope.all())
        handle, aside = tempfile.mkstemp(dir=target.parent, suffix=".part")
        os.close(handle)
        try:
            workbook.write(aside, report, lang)
            os.replace(aside, target)
        finally:
            if os.path.exists(aside):
                os.unlink(aside)
        written.append(target)
    return written


def start_background_reports(interval_seconds: float) -> threading.Event:
    """Checks at start and then every interval, in a daemon thread, that the ended month's
    reports are written; set the returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            try:
                with session_scope() as session:
                    written = generate(
                        session=session,
                        month=ended_month(),
                        directory=Path(get_settings().reports_dir),
                    )
                if written:
                    logger.info("wrote %d monthly report(s)", len(written))
            except Exception:  # the next round tries again; the server keeps serving
                logger.exception("the monthly reports failed")
            if stop.wait(interval_seconds):
                return

    threading.Thread(target=loop, name="onegrid-reports", daemon=True).start()
    return stop
