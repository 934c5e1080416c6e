"""(g) The field pages' server time on a store of imported cases, against the sign-in page.

Each page is asked for as its user asks for it: signed in through the sign-in form, over the
whole ASGI stack in-process (FastAPI's TestClient: no socket, so the figure is the server's
time, not the network's), on a copy of the store `onegrid import cases` filled (bench.stores:
the demo district, its demo accounts, and the cases with their timelines, audit log and
rollup). The quick run's store holds 100,000 cases, the full run's 1,000,000: the generator's
district over a year, more than the demo's year (about 550,000 at 1,500 a day).

The baseline is the sign-in page in the same run: a template rendered with no case read, what
any page costs before it does its own work.
"""

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bench.common import Figure, Scale, percentile
from bench.generate import cases_file
from bench.stores import imported_sqlite, sqlite_url
from onegrid.accounts import service as accounts
from onegrid.cases.models import Case, Channel, State
from onegrid.config import get_settings
from onegrid.core.permissions import Role
from onegrid.db import forget_database
from onegrid.db.engine import create_db_engine
from onegrid.demo.build import DEMO_PASSWORD

SIZES = {Scale.SMOKE: 2_000, Scale.QUICK: 100_000, Scale.FULL: 1_000_000}
RUNS = {Scale.SMOKE: 3, Scale.QUICK: 30, Scale.FULL: 30}
TARGET_MS = 150
BUSIEST = "busiest"  # a grid worker the bench adds, for the grid holding the most cases
PASSWORD = "Bench-Pages-2026"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Found:
    """Cases of the store the pages are asked about."""

    worker_case_id: int  # the latest case of the busiest grid, whose worker is BUSIEST
    closed_receipt: str  # a closed case, as a citizen tracks it


@dataclass(frozen=True)
class Page:
    name: str
    user: str | None  # a demo account, or None for a citizen without one
    path: Callable[[Found], str]


PAGES = [
    Page("district map (command centre)", "command", lambda f: "/"),
    # The field worker's pages: tasks, task map and a case of the busiest grid.
    Page("my tasks (grid worker)", BUSIEST, lambda f: "/tasks"),
    Page("task map (grid worker)", BUSIEST, lambda f: "/tasks/map"),
    Page("case page (grid worker)", BUSIEST, lambda f: f"/cases/{f.worker_case_id}"),
    # The citizen's tracking page and the hotline's callback list.
    Page("track a closed case (citizen)", None, lambda f: f"/track?receipt={f.closed_receipt}"),
    Page("callback list (command centre)", "command", lambda f: "/callbacks"),
    # The report form (the categories, the map's bounds) and its receipt with the QR code.
    Page("report form (citizen)", None, lambda f: "/report"),
    Page("patrol report form (grid worker)", BUSIEST, lambda f: "/patrol"),
    Page("receipt of a report (citizen)", None, lambda f: f"/report/{f.closed_receipt}"),
    # The 12345 operator's call form (the categories, the district's bounds) and a receipt.
    Page("call form (hotline)", "hotline", lambda f: "/hotline"),
    Page("call receipt (hotline)", "hotline", lambda f: f"/hotline?receipt={f.closed_receipt}"),
    # Every signed-in user's notification list (and the header's unread count on each page):
    # the department's holds a notice for each open case dispatched to it.
    Page("notifications (grid worker)", BUSIEST, lambda f: "/notifications"),
    Page("notifications (department)", "department", lambda f: "/notifications"),
]
CALLBACKS = 200  # closed 12345 calls whose caller waits for a call back: the list's pages


def prepare(url: str) -> Found:
    """Adds a grid worker for the grid holding the most cases (its lists are the longest),
    has the callers of some closed 12345 calls wait for a call back (the callback list), and
    returns the cases the pages are asked about."""
    engine = create_db_engine(url)
    with Session(engine) as session:
        grid, district = session.execute(
            select(Case.grid_code, Case.district_code)
            .group_by(Case.grid_code, Case.district_code)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        accounts.create(
            session=session,
            username=BUSIEST,
            password=PASSWORD,
            role=Role.GRID_WORKER,
            district_code=district,
            unit_codes=[grid],
        )
        waiting = (
            select(Case.id)
            .where(Case.state == State.CLOSED.value, Case.channel == Channel.HOTLINE.value)
            .limit(CALLBACKS)
        )
        session.execute(update(Case).where(Case.id.in_(waiting)).values(callback_wanted=True))
        session.commit()
        in_grid = select(Case.id).where(Case.grid_code == grid).order_by(Case.id.desc())
        closed = select(Case.receipt).where(Case.state == State.CLOSED.value).order_by(Case.id)
        found = Found(session.scalars(in_grid).first(), session.scalars(closed).first())
    engine.dispose()
    if found.closed_receipt is None:
        raise RuntimeError("the store has no closed case")
    return found


@contextmanager
def app_on(url: str) -> Iterator[Callable[[str | None], TestClient]]:
    """Yields a function giving a TestClient of the app on this store, signed in as a demo
    user (or not signed in, for None)."""
    from onegrid.app import create_app

    # What setting the store up wrote (an import, a copy of hundreds of MB) reaches the disk
    # now, not in the first fsync the timed server makes (its WAL checkpoint's: 200 ms).
    os.sync()
    saved = {k: os.environ.get(k) for k in ("ONEGRID_DATABASE_URL", "ONEGRID_TILE_URL")}
    os.environ["ONEGRID_DATABASE_URL"] = url
    os.environ["ONEGRID_TILE_URL"] = ""
    get_settings.cache_clear()
    forget_database()
    clients: list[TestClient] = []
    try:
        app = create_app()

        def client(user: str | None) -> TestClient:
            new = TestClient(app, base_url="http://127.0.0.1")
            new.__enter__()
            clients.append(new)
            if user:
                token = _TOKEN.search(new.get("/login").text).group(1)
                password = PASSWORD if user == BUSIEST else DEMO_PASSWORD
                form = {"username": user, "password": password, "csrf_token": token}
                answer = new.post("/login", data=form, follow_redirects=False)
                if answer.status_code != 303:
                    raise RuntimeError(f"{user} could not sign in: {answer.status_code}")
            return new

        yield client
    finally:
        for open_client in clients:
            open_client.__exit__(None, None, None)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        forget_database()


def p95_ms(client: TestClient, path: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}: {answer.text[:300]}")
    return percentile(times, 95)


def run(scale: Scale, workdir: Path) -> list[Figure]:
    count = SIZES[scale]
    store = workdir / "pages.db"
    shutil.copyfile(imported_sqlite(count, cases_file(count)), store)
    url = sqlite_url(store)
    found = prepare(url)
    runs = RUNS[scale]
    with app_on(url) as client:
        visitor = client(None)
        p95_ms(visitor, "/login", 3)  # templates compiled, caches warm: as a running server
        baseline = p95_ms(visitor, "/login", runs)
        timed = []
        for page in PAGES:
            signed_in = client(page.user)
            path = page.path(found)
            p95_ms(signed_in, path, 2)
            timed.append((page.name, p95_ms(signed_in, path, runs)))
    worst = max(ms for _, ms in timed)
    return [
        Figure(
            bench="pages",
            name=f"field pages' server time, worst p95, {count:,} cases (SQLite)",
            value=worst,
            unit="ms",
            baseline="the sign-in page (no case read), p95",
            baseline_value=baseline,
            target=f"≤ {TARGET_MS} ms p95",
            met=worst <= TARGET_MS,
            note="; ".join(f"{name} {ms:.1f} ms" for name, ms in timed) + f"; {runs} runs each",
        )
    ]
