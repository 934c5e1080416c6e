"""Fixtures of the web tests: a tiny territory, the app on it, a live server and Chromium.

The territory: district 999999 测试区 ⊃ street 999999001 ⊃ community 999999001001, tiled by four
square grids 999999001001001..004 (001 south-west, 002 south-east, 003 north-west, 004
north-east), with a grid worker, a department staff member and a party branch on grid 001.
Two accounts: "mapper" (command centre, may reveal phones) and "viewer" (a leader, may not).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from onegrid.accounts import service as accounts
from onegrid.accounts.models import User
from onegrid.app import create_app
from onegrid.config import get_settings
from onegrid.core.permissions import Role
from onegrid.db import create_db_engine, forget_database
from onegrid.db.migrate import upgrade
from onegrid.territory.geojson import import_collection
from onegrid.territory.models import (
    Assignment,
    Department,
    PartyBranch,
    Person,
    StaffRole,
    TerritoryUnit,
)
from tests.conftest import client_on
from tests.login_form import post_login
from tests.serving import serving, serving_apart

if TYPE_CHECKING:
    from tests.web.demo_loop import DemoLoop

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

DISTRICT, STREET, COMMUNITY = "999999", "999999001", "999999001001"
GRID_CODES = [f"{COMMUNITY}{n:03d}" for n in range(1, 5)]
WEST, SOUTH, STEP = 123.50, 41.80, 0.01
WORKER_NAME, WORKER_PHONE = "张网格", "13912345678"
STAFF_NAME, DEPARTMENT_NAME = "李城管", "区城市管理局"
SECRETARY_NAME, BRANCH_NAME = "王书记", "第一网格党支部"


def square(west: float, south: float, size: float) -> dict:
    """Returns a GeoJSON Polygon: the square with this south-west corner and side."""
    east, north = round(west + size, 6), round(south + size, 6)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def grid_center(index: int) -> tuple[float, float]:
    """Returns (lon, lat) of the centre of grid 00{index + 1}."""
    column, row = index % 2, index // 2
    return WEST + (column + 0.5) * STEP, SOUTH + (row + 0.5) * STEP


@dataclass(frozen=True)
class Territory:
    """What the tests know of the test territory."""

    district_name: str = "测试区"
    grid_codes: tuple[str, ...] = tuple(GRID_CODES)
    grid_centers: tuple[tuple[float, float], ...] = field(
        default_factory=lambda: tuple(grid_center(i) for i in range(len(GRID_CODES)))
    )
    worker_name: str = WORKER_NAME
    worker_phone: str = WORKER_PHONE
    worker_phone_masked: str = WORKER_PHONE[:3] + "****" + WORKER_PHONE[-4:]
    staff_name: str = STAFF_NAME
    department_name: str = DEPARTMENT_NAME
    secretary_name: str = SECRETARY_NAME
    branch_name: str = BRANCH_NAME
    username: str = "mapper"
    password: str = "Map-Reader-2026"
    # A leader: sees the map, but lacks pii.reveal.
    leader_username: str = "viewer"
    leader_password: str = "Leader-Sees-2026"


def _feature(code: str, name: str, geometry: dict) -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry}


def territory_document() -> dict:
    """Returns the test district as a GeoJSON FeatureCollection, district to grids."""
    whole = square(WEST, SOUTH, 2 * STEP)
    features = [
        _feature(DISTRICT, "测试区", whole),
        _feature(STREET, "测试街道", whole),
        _feature(COMMUNITY, "测试社区", whole),
    ]
    for index, code in enumerate(GRID_CODES):
        column, row = index % 2, index // 2
        west, south = round(WEST + column * STEP, 6), round(SOUTH + row * STEP, 6)
        features.append(_feature(code, f"第{index + 1}网格", square(west, south, STEP)))
    return {"type": "FeatureCollection", "features": features}


def _enrol_people(session: Session) -> None:
    grid = session.scalars(select(TerritoryUnit).where(TerritoryUnit.code == GRID_CODES[0])).one()
    department = Department(
        district_code=DISTRICT, code="cgj", name=DEPARTMENT_NAME, name_en="Urban Management"
    )
    worker = Person(district_code=DISTRICT, name=WORKER_NAME, phone=WORKER_PHONE)
    staff = Person(district_code=DISTRICT, name=STAFF_NAME, phone="13800001111")
    secretary = Person(district_code=DISTRICT, name=SECRETARY_NAME, phone=None)
    session.add_all([department, worker, staff, secretary])
    session.flush()
    session.add_all(
        [
            Assignment(
                district_code=DISTRICT,
                person_id=worker.id,
                unit_id=grid.id,
                role=StaffRole.GRID_WORKER.value,
            ),
            Assignment(
                district_code=DISTRICT,
                person_id=staff.id,
                unit_id=grid.id,
                role=StaffRole.DEPARTMENT_STAFF.value,
                department_id=department.id,
            ),
            PartyBranch(
                district_code=DISTRICT,
                grid_id=grid.id,
                name=BRANCH_NAME,
                secretary_id=secretary.id,
                member_count=12,
            ),
        ]
    )


@pytest.fixture(scope="session")
def territory() -> Territory:
    """Returns the names, codes and places of the test territory."""
    return Territory()


@pytest.fixture(scope="session")
def territory_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Returns the URL of a migrated SQLite database holding the test territory."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'onegrid.db'}"
    engine = create_db_engine(url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            import_collection(session=session, document=territory_document(), tolerance=1e-6)
            _enrol_people(session)
            accounts.create(
                session=session,
                username=Territory.username,
                password=Territory.password,
                role=Role.COMMAND_CENTRE,
                district_code=DISTRICT,
            )
            accounts.create(
                session=session,
                username=Territory.leader_username,
                password=Territory.leader_password,
                role=Role.LEADER,
                district_code=DISTRICT,
            )
            session.commit()
    finally:
        engine.dispose()
    return url


def _clear_caches() -> None:
    get_settings.cache_clear()
    forget_database()


@pytest.fixture(scope="session")
def app(territory_db: str) -> Iterator[FastAPI]:
    """Yields the application configured on the test database, with no base-map tiles."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONEGRID_DATABASE_URL", territory_db)
        patch.setenv("ONEGRID_ENVIRONMENT", "development")
        patch.setenv("ONEGRID_TILE_URL", "")
        patch.setenv("ONEGRID_TILE_ATTRIBUTION", "")
        _clear_caches()
        yield create_app()
    _clear_caches()


def sign_in(
    client: TestClient,
    username: str = Territory.username,
    password: str = Territory.password,
) -> None:
    """Signs the client in (a session cookie), by default with the command-centre account."""
    response = post_login(
        client, data={"username": username, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    """Yields a TestClient of the application, signed in."""
    with TestClient(app) as test_client:
        sign_in(test_client)
        yield test_client


@pytest.fixture(scope="session")
def leader_client(app: FastAPI) -> Iterator[TestClient]:
    """Yields a TestClient of the application, signed in as the leader (no pii.reveal)."""
    with TestClient(app) as test_client:
        sign_in(test_client, Territory.leader_username, Territory.leader_password)
        yield test_client


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[str]:
    """Yields the base URL of uvicorn serving the app on a free port of 127.0.0.1."""
    with serving(app, lifespan="off") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Yields headless Chromium driven by Playwright; fails (never skips) without Chromium."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: the browser tests need it. Install it with "
            "`apt-get update && apt-get install -y chromium` (the Makefile does this), or "
            "deselect these tests with `-m 'not browser'`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def signed_in_page(
    browser: Browser,
    live_server: str,
    username: str,
    password: str,
    viewport: tuple[int, int] = (1280, 800),
) -> Iterator[Page]:
    """Yields a fresh page signed in as this user; fails if it went outside the app or threw."""
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    outside: list[str] = []
    errors: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((live_server, "data:")) else outside.append(r.url),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-button")
    signed_in(page, live_server)
    page.goto(live_server + "/")  # the map: the role's own start page may be another
    try:
        yield page
    finally:
        context.close()
    assert outside == [], f"the page requested URLs outside the app: {outside}"
    assert errors == [], f"the page threw: {errors}"


def signed_in(page: Page, server: str) -> None:
    """Waits until the sign-in form has led on to this server's page past it (the role's
    start page: the console, the inbox, the tasks, the map...)."""
    page.wait_for_url(
        lambda url: url.startswith(server) and "/login" not in url, wait_until="domcontentloaded"
    )


def wait_for_grids(page: Page, count: int) -> None:
    page.wait_for_function(
        "n => document.querySelector('#grid-count')?.dataset.count === String(n)",
        arg=count,
        timeout=15_000,
    )


def click_at(page: Page, lon: float, lat: float) -> None:
    """Clicks the map where this WGS-84 point is drawn."""
    point = page.evaluate(
        """([lon, lat]) => {
            const map = window.onegridMap;
            const p = map.latLngToContainerPoint([lat, lon]);
            const box = map.getContainer().getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        }""",
        [lon, lat],
    )
    page.mouse.click(point["x"], point["y"])


# ---- the field pages' journeys: the demo district, its accounts, a live server -----------------

AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "Onegrid-Demo-2026"  # onegrid.demo.build.DEMO_PASSWORD, as the README says


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Returns the URL of a SQLite database holding the demo district (no history), its
    categories, departments and demo accounts, built once for the journeys."""
    from onegrid.demo import build_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('field') / 'onegrid.db'}"
    engine = create_db_engine(url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            build_demo(session)
            session.commit()
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_server(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yields the base URL of the app serving the demo district (no base-map tiles), in a
    process of its own: the test territory's app in this process keeps its own settings, and
    the server its own audit checkpoints (the test that starts it may write its own database's
    into the test's directory, which the demo's chain would then be checked against)."""
    environment = {
        "ONEGRID_AUDIT_CHECKPOINT_DIR": str(tmp_path_factory.mktemp("demo-checkpoints")),
        "ONEGRID_DATABASE_URL": demo_db,
        "ONEGRID_ENVIRONMENT": "development",
        "ONEGRID_TILE_URL": "",
        "ONEGRID_TILE_ATTRIBUTION": "",
    }
    with serving_apart(environment) as url:
        yield url


@dataclass
class Watched:
    """What a page did that it must not: requests off the server's origin, script errors."""

    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


_WATCHED: dict[Page, Watched] = {}


@contextmanager
def field_page(
    browser: Browser,
    server: str,
    username: str | None = None,
    *,
    phone: bool = True,
    lang: str = "zh-CN",
    context_options: dict | None = None,
) -> Iterator[Page]:
    """Yields a fresh page, signed in as this demo user (None: a citizen without an account),
    at 360×640 (phone) or 1280×800; fails if it left the origin, threw, or logged an error."""
    viewport = {"width": 360, "height": 640} if phone else {"width": 1280, "height": 800}
    context = browser.new_context(viewport=viewport, locale=lang, **(context_options or {}))
    page = context.new_page()
    watched = Watched()
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((server, "data:", "blob:")) else watched.outside.append(r.url)
        ),
    )
    page.on("pageerror", lambda e: watched.errors.append(str(e)))
    page.on(
        "console",
        lambda m: watched.errors.append(m.text) if m.type == "error" else None,
    )
    _WATCHED[page] = watched
    if username:
        page.goto(server + "/login")
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.click("#login-button")
        page.wait_for_load_state("domcontentloaded")
    try:
        yield page
    finally:
        _WATCHED.pop(page, None)
        context.close()
    assert watched.outside == [], f"the page requested URLs outside the app: {watched.outside}"
    assert watched.errors == [], f"the page threw or logged errors: {watched.errors}"


def check_accessibility(page: Page) -> None:
    """Runs axe-core (npm, node_modules) on the page: no serious or critical violation."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make install`", pytrace=False)
    watched = _WATCHED.get(page)
    before = len(watched.errors) if watched else 0
    page.evaluate(AXE.read_text())  # through DevTools: the page's CSP refuses inline scripts
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    page.wait_for_timeout(200)  # the console reports of axe's run arrive
    if watched:  # axe's own inline styles, which the page's CSP rightly refuses
        watched.errors[before:] = [
            e for e in watched.errors[before:] if not e.startswith("Applying inline style")
        ]
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], "accessibility violations:\n" + "\n".join(bad)


def forgive_refused_page(page: Page, status: int) -> None:
    """Forgives Chromium's console note of a page the server answered with this status (a form
    shown again with its problem, 422, as meant), which Chromium logs as an error."""
    watched = _WATCHED.get(page)
    if watched:
        note = f"the server responded with a status of {status} "
        watched.errors[:] = [e for e in watched.errors if note not in e]


@pytest.fixture
def web(session: Session) -> Iterator[TestClient]:
    """A client of the app on the demo district (tests/conftest's store, not the territory of
    `client` here), bound to the test's rolled-back session."""
    with client_on(session) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _forget_chosen_languages(request: pytest.FixtureRequest) -> Iterator[None]:
    """The header's language switch keeps a signed-in user's choice on the account: after each
    test its databases forget them, so that the next test's pages follow its browser again."""
    yield
    for name in ("territory_db", "demo_db"):
        if name in request.fixturenames:
            engine = create_db_engine(request.getfixturevalue(name))
            try:
                with engine.begin() as connection:
                    connection.execute(update(User).values(language=None))
            finally:
                engine.dispose()


def fits_the_screen(page: Page) -> None:
    """Asserts the page is no wider than its viewport: nothing to scroll sideways on a phone."""
    width = page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


@pytest.fixture
def loop(demo_server: str, demo_db: str) -> Iterator["DemoLoop"]:
    """The demo server's API as its demo users call it (tests/web/demo_loop.py)."""
    from tests.web.demo_loop import DemoLoop  # it imports this module's constants

    driver = DemoLoop(demo_server, demo_db)
    try:
        yield driver
    finally:
        driver.close()
