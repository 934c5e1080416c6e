"""Where each role starts, as the README shows it: each start page opened by its demo user in
Chromium (phone or desktop, as that user works), checked like every journey (nothing off the
origin, no script error) and photographed. `make screens` writes the photographs to
docs/screens/ (ONEGRID_SCREENS_DIR); otherwise they go to a temporary directory."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.web.conftest import field_page
from tests.web.demo_loop import DemoLoop

# (file, demo user or None for a citizen without an account, path, phone?, the page's heading)
STARTS = [
    ("citizen-report", None, "/report", True, "我要报告"),
    ("citizen-track", None, "/track?receipt={closed}", True, "办理进度"),
    ("gridworker-tasks", "gridworker", "/tasks", True, "我的任务"),
    ("gridworker-case", "gridworker", "/cases/{waiting_id}", True, "核实中"),
    ("hotline-call", "hotline", "/hotline", False, "12345"),
    ("hotline-callbacks", "hotline", "/callbacks", False, "回访"),
    ("command-console", "command", "/console?queue=all", False, "案件工作台"),
    ("department-inbox", "department", "/inbox", False, "部门待办"),
    ("street-area", "street", "/area", True, "辖区案件"),
    ("leader-overview", "leader", "/overview", False, "大东区"),
]


@pytest.fixture(scope="module")
def cases(demo_server: str, demo_db: str) -> Iterator[dict[str, str]]:
    """A case waiting for the grid worker's verification, a closed case with a photo, and a
    closed 12345 call whose caller waits for a call back."""
    loop = DemoLoop(demo_server, demo_db)
    waiting = loop.citizen_reports()
    loop.send_to_verify(waiting)
    closed = loop.citizen_reports()
    loop.close_with_photo(closed)
    call = loop.hotline_takes_call("李女士", "13800001234")  # wants a call back once closed
    loop.close_with_photo(call)
    yield {"closed": closed, "waiting_id": str(loop.case_id(waiting))}
    loop.close()


@pytest.fixture(scope="module")
def screens_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("ONEGRID_SCREENS_DIR")
    directory = Path(chosen) if chosen else tmp_path_factory.mktemp("screens")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.mark.parametrize(("name", "user", "path", "phone", "heading"), STARTS)
def test_each_role_starts_here(
    browser: Browser,
    demo_server: str,
    cases: dict[str, str],
    screens_dir: Path,
    name: str,
    user: str | None,
    path: str,
    phone: bool,
    heading: str,
) -> None:
    with field_page(browser, demo_server, user, phone=phone) as page:
        response = page.goto(demo_server + path.format(**cases))
        assert response is not None and response.status == 200
        expect(page.locator("h1").first).to_contain_text(heading)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(screens_dir / f"{name}.png"), full_page=not phone)
        assert (screens_dir / f"{name}.png").stat().st_size > 10_000  # a page, not a blank


# Where signing in takes each of these demo users (web/pages/login.py picks the start page).
LANDINGS = [
    ("gridworker", "/tasks"),
    ("hotline", "/hotline"),
    ("command", "/console"),
    ("department", "/inbox"),
    ("street", "/area"),
    ("leader", "/overview"),
]


@pytest.mark.parametrize(("user", "start"), LANDINGS)
def test_signing_in_lands_on_the_roles_start_page(
    browser: Browser, demo_server: str, user: str, start: str
) -> None:
    with field_page(browser, demo_server, user) as page:
        assert page.url.removeprefix(demo_server).split("?")[0] == start
