"""The office pages over HTTP, on the demo district (no history: only the cases a test builds,
each test's writes rolled back): a department's inbox (/inbox), a street's or community's area
list (/area) and the leader's overview (/overview).

The expected tabs, orders and figures are counted here by hand from the cases each test builds
and the clocks it sets, not computed by the code under test.
"""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from onegrid.cases.models import Case
from onegrid.db.base import utcnow
from tests.login_form import post_login
from tests.web.test_field_case_pages import Call, act, new_case

GRID = "210104002009001"  # 大北街道 华炉社区, the demo grid worker's grid
SAME_STREET_GRID = "210104002013001"  # 大北街道 付家社区
OTHER_GRID = "210104017012009"  # another street
STREET, OTHER_STREET = "210104002", "210104017"
PASSWORD = "Onegrid-Demo-2026"


@pytest.fixture
def as_user(web: TestClient, tokens: dict[str, str]) -> Call:
    """Requests as a demo user (bearer token): as_user("department", "get", "/inbox")."""

    def call(username: str | None, method: str, path: str, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[username]}"} if username else {}
        headers |= kwargs.pop("headers", {})
        return web.request(method.upper(), path, headers=headers, **kwargs)

    return call


def dispatched(session: Session, as_user: Call, grid: str = GRID, department="urban_mgmt") -> Case:
    case = new_case(session, as_user, grid)
    act(as_user, "command", case, "open")
    act(as_user, "command", case, "dispatch", department_code=department)
    return case


def set_clock(session: Session, case: Case, light: str) -> None:
    """Sets the running clock so that its light is this one: red past the deadline; yellow
    with a month used and two hours left (well over 80 % of the working time); green fresh."""
    now = utcnow()
    if light == "red":
        case.stage_started_at, case.stage_deadline = (
            now - timedelta(days=10),
            now - timedelta(hours=3),
        )
    elif light == "yellow":
        case.stage_started_at, case.stage_deadline = (
            now - timedelta(days=30),
            now + timedelta(hours=2),
        )
    else:
        case.stage_started_at, case.stage_deadline = now, now + timedelta(days=30)
    session.flush()


def tab_counts(html: str) -> dict[str, int]:
    found = re.findall(r'id="tab-(\w+)".*?data-count="(\d+)"', html, re.S)
    return {key: int(n) for key, n in found}


def receipts(html: str, list_id: str) -> list[str]:
    block = html.split(f'id="{list_id}"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'data-receipt="([^"]+)"', block)


def figure(html: str, section: str, code: str) -> str:
    block = html.split(f'id="{section}"', 1)[1].split("</dl>", 1)[0]
    return re.search(rf'data-figure="{code}">.*?data-value="([^"]*)"', block, re.S).group(1)


# ---- the department's inbox -------------------------------------------------------------------


def test_inbox_lists_my_departments_cases_by_light_and_state(session, as_user):
    red, yellow, green = (dispatched(session, as_user) for _ in range(3))
    red2 = dispatched(session, as_user, OTHER_GRID)  # a department's scope is the district
    for case, light in ((red, "red"), (red2, "red"), (yellow, "yellow"), (green, "green")):
        set_clock(session, case, light)
    pending = dispatched(session, as_user)
    act(as_user, "department", pending, "request_extension", "材料未到", duration="8h")
    parked = dispatched(session, as_user)
    act(as_user, "department", parked, "request_park", "需要专项资金")
    act(as_user, "command", parked, "approve_park")
    returned = dispatched(session, as_user)
    act(as_user, "department", returned, "return", "不属于本部门职责")
    dispatched(session, as_user, department="water")  # another department's: never here

    page = as_user("department", "get", "/inbox")
    assert page.status_code == 200, page.text
    assert (
        "部门待办" in page.text
        and 'id="inbox-department" class="office__unit">区城市管理局' in page.text
    )
    # Red by default; pending, parked and returned in their own tabs. The pending case's clock
    # is fresh (green) and still counts there: it is being handled while it waits.
    assert tab_counts(page.text) == {
        "red": 2,
        "yellow": 1,
        "green": 2,
        "pending": 1,
        "parked": 1,
        "returned": 1,
    }
    assert set(receipts(page.text, "inbox-list")) == {red.receipt, red2.receipt}
    assert f'href="/cases/{red.id}?lang=zh"' in page.text
    assert "已超时" in page.text  # the time left of a red case, in working hours
    for tab, case in (("yellow", yellow), ("pending", pending), ("parked", parked)):
        listed = as_user("department", "get", f"/inbox?tab={tab}").text
        assert receipts(listed, "inbox-list") == [case.receipt], tab
    assert "延期申请待审批" in as_user("department", "get", "/inbox?tab=pending").text
    returned_tab = as_user("department", "get", "/inbox?tab=returned").text
    assert receipts(returned_tab, "inbox-list") == [returned.receipt]


def test_inbox_figures_count_the_cases_dispatched_to_my_department(session, as_user):
    cases = [dispatched(session, as_user) for _ in range(3)]
    dispatched(session, as_user, department="water")
    act(as_user, "department", cases[0], "feedback", "已修复")
    act(as_user, "gridworker", cases[0], "check_pass")
    page = as_user("department", "get", "/inbox").text
    for span in ("month", "year"):
        section = f"figures-{span}"
        assert figure(page, section, "received") == "3"  # water's case is not ours
        assert figure(page, section, "closed") == "1"
        assert figure(page, section, "overdue_now") == "0"
        # one closed on time of one closed and no open case overdue in handling
        assert figure(page, section, "on_time_closure_rate") == "100.0%"
        assert figure(page, section, "rework_rate") == "0.0%"  # 0 reworked of 1 fed back


def test_inbox_is_the_departments_and_says_when_a_tab_is_empty(as_user):
    page = as_user("department", "get", "/inbox?tab=parked&lang=en")
    assert page.status_code == 200
    assert 'id="inbox-list-empty"' in page.text and "No case is parked." in page.text
    for role in ("street", "community", "leader", "command", "gridworker"):
        assert as_user(role, "get", "/inbox").status_code == 403
    bad = as_user("department", "get", "/inbox?tab=blue", headers={"Accept": "application/json"})
    assert bad.status_code == 422 and "tab" in bad.text


# ---- the area list ----------------------------------------------------------------------------


def test_area_lists_overdue_then_escalated_first_within_my_street(session, as_user):
    green = dispatched(session, as_user)
    escalated = dispatched(session, as_user, SAME_STREET_GRID)
    red = dispatched(session, as_user)
    theirs = dispatched(session, as_user, OTHER_GRID)
    for case, light in ((green, "green"), (escalated, "green"), (red, "red"), (theirs, "red")):
        set_clock(session, case, light)
    escalated.escalation_level = 2
    session.flush()

    page = as_user("street", "get", "/area")
    assert page.status_code == 200, page.text
    assert 'id="area-name" class="office__unit">大北街道' in page.text
    assert tab_counts(page.text) == {"urgent": 2, "overdue": 1, "escalated": 1, "open": 3}
    assert receipts(page.text, "area-list") == [red.receipt, escalated.receipt]
    assert "已升级至街道" in page.text
    every = as_user("street", "get", "/area?tab=open").text
    assert receipts(every, "area-list") == [red.receipt, escalated.receipt, green.receipt]
    assert theirs.receipt not in every  # another street's case is never shown
    # 督办 from each row: the case page's actions
    assert f'href="/cases/{red.id}?lang=zh#actions"' in page.text

    # The community sees its own community only, and offers no 督办 (it may not supervise).
    community = as_user("community", "get", "/area?tab=open").text
    assert receipts(community, "area-list") == [red.receipt, green.receipt]
    assert "#actions" not in community and 'id="area-tasks-link"' in community


# ---- the leader's overview --------------------------------------------------------------------


def _counts(row: str) -> dict[str, int]:
    """A table row's counts as shown (with thousands separators, 2,779), as numbers."""
    return {k: int(v.replace(",", "")) for k, v in re.findall(r'data-col="(\w+)">([\d,]+)<', row)}


def _table(html: str) -> dict[str, dict[str, int]]:
    rows = re.findall(r'<tr data-unit="(\d+)">(.*?)</tr>', html, re.S)
    return {code: _counts(body) for code, body in rows}


def _total(html: str) -> dict[str, int]:
    return _counts(html.split('id="overview-total"', 1)[1].split("</tr>", 1)[0])


def test_overview_drills_down_and_the_streets_add_up_to_the_district(session, as_user):
    ours = [dispatched(session, as_user, g) for g in (GRID, GRID, SAME_STREET_GRID)]
    for _ in range(2):
        dispatched(session, as_user, OTHER_GRID)
    new_case(session, as_user, GRID)  # received, not dispatched
    act(as_user, "department", ours[0], "feedback", "已修复")
    act(as_user, "gridworker", ours[0], "check_pass")

    district = as_user("leader", "get", "/overview")
    assert district.status_code == 200, district.text
    assert 'data-unit="210104"' in district.text
    streets = _table(district.text)
    assert len(streets) >= 10  # every street of the district, counted or not
    assert streets[STREET] == {"received": 4, "closed": 1, "overdue": 0}
    assert streets[OTHER_STREET] == {"received": 2, "closed": 0, "overdue": 0}
    total = _total(district.text)
    assert total["received"] == 6 == sum(s["received"] for s in streets.values())
    assert total["closed"] == sum(s["closed"] for s in streets.values())
    assert figure(district.text, "overview-summary", "received") == "6"
    assert figure(district.text, "overview-rates", "closure_rate") == "20.0%"  # 1 of 5 opened

    street = as_user("leader", "get", f"/overview?unit={STREET}&span=month")
    communities = _table(street.text)
    assert communities["210104002009"]["received"] == 3
    assert communities["210104002013"]["received"] == 1
    assert sum(c["received"] for c in communities.values()) == 4 == _total(street.text)["received"]
    assert 'href="/overview?unit=210104&amp;span=month&amp;lang=zh"' in street.text  # up

    grid = as_user("leader", "get", f"/overview?unit={GRID}")
    assert grid.status_code == 200
    assert 'id="overview-units"' not in grid.text  # a grid has no units below
    assert figure(grid.text, "overview-summary", "received") == "3"
    crumbs = grid.text.split('id="breadcrumb"', 1)[1].split("</ol>", 1)[0]
    assert [*re.findall(r">([^<>]+)</a>", crumbs)] == ["大东区", "大北街道", "华炉社区"]


def test_overview_lists_the_longest_overdue_cases_to_supervise_without_personal_data(
    session, as_user
):
    late, later = dispatched(session, as_user), dispatched(session, as_user, OTHER_GRID)
    set_clock(session, late, "red")
    set_clock(session, later, "red")
    later.stage_deadline = late.stage_deadline - timedelta(hours=5)
    late.reporter_phone = later.reporter_phone = "13912345678"
    session.flush()
    page = as_user("leader", "get", "/overview").text
    assert receipts(page, "overdue-list") == [later.receipt, late.receipt]
    assert f'href="/cases/{later.id}?lang=zh#actions"' in page
    assert "13912345678" not in page and "139****5678" not in page


def test_overview_keeps_to_the_scope_and_names_a_bad_unit(as_user):
    street = as_user("street", "get", "/overview")
    assert street.status_code == 200 and 'data-unit="210104002"' in street.text
    assert as_user("street", "get", f"/overview?unit={OTHER_STREET}").status_code == 404
    assert as_user("street", "get", "/overview?unit=210104").status_code == 404
    bad = as_user("leader", "get", "/overview?unit=abc", headers={"Accept": "application/json"})
    assert bad.status_code == 422 and "unit" in bad.text
    english = as_user("leader", "get", "/overview?lang=en").text
    assert "On-time closure rate" in english or "on-time closure rate" in english
    assert "Units below: Street" in english


# ---- navigation and start pages ---------------------------------------------------------------

NAV = {
    "department": {"nav-inbox"},
    "street": {"nav-area"},
    "community": {"nav-area", "nav-tasks"},
    "leader": {"nav-overview"},
    "command": set(),
    "gridworker": {"nav-tasks"},
}
OFFICE_LINKS = {"nav-inbox", "nav-area", "nav-overview", "nav-tasks"}


@pytest.mark.parametrize("role", sorted(NAV))
def test_each_role_sees_its_desk_in_the_navigation(as_user, role):
    html = as_user(role, "get", "/docs", headers={"Accept": "text/html"}).text
    shown = set(re.findall(r'id="(nav-[a-z]+)"', html)) & OFFICE_LINKS
    assert shown == NAV[role]


@pytest.mark.parametrize(
    ("username", "start"),
    [
        ("department", "/inbox"),
        ("street", "/area"),
        ("leader", "/overview"),
        ("community", "/tasks"),
    ],
)
def test_each_office_role_starts_on_its_desk(web, username, start):
    answer = post_login(
        web, data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == start
