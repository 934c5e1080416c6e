"""The office lists' exports (/inbox/export.*, /area/export.*): the file holds, row by row, the
cases the page lists in the same tab, in its order and scope, every page of it; in English with
English state names; personal data masked; each export audited with its row count."""

import json

import pytest
from sqlalchemy import select

from onegrid.audit.models import AuditRecord
from tests.sheets import csv_rows, xlsx_sheets
from tests.web import test_office_pages as office
from tests.web.test_field_case_pages import act
from tests.web.test_office_pages import (
    OTHER_GRID,
    SAME_STREET_GRID,
    dispatched,
    receipts,
    set_clock,
)

as_user = office.as_user  # the fixture: requests as a demo user


def _rows(response, format: str) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    if format == "csv":
        header, *rows = csv_rows(response.content)
    else:
        header, *rows = xlsx_sheets(response.content)["cases"]
    return [dict(zip(header, row, strict=True)) for row in rows]


def _exports(session) -> list[dict]:
    records = session.scalars(select(AuditRecord).where(AuditRecord.action == "case.export"))
    return [json.loads(r.detail) for r in records]


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_the_inbox_export_holds_the_tab_the_page_lists(session, as_user, monkeypatch, format):
    monkeypatch.setattr("onegrid.web.worklist_page.PAGE_SIZE", 1)  # the page shows one at a time
    monkeypatch.setattr("onegrid.cases.exporting._BATCH", 2)  # the file is read two at a time
    reds = [dispatched(session, as_user) for _ in range(3)] + [
        dispatched(session, as_user, OTHER_GRID)
    ]
    for case in reds:
        set_clock(session, case, "red")
    green = dispatched(session, as_user)
    dispatched(session, as_user, department="water")  # another department's: never exported
    pages = [as_user("department", "get", f"/inbox?tab=red&page={n}").text for n in (1, 2, 3, 4)]
    shown = [r for page in pages for r in receipts(page, "inbox-list")]
    assert sorted(shown) == sorted(c.receipt for c in reds)
    assert f'href="/inbox/export.{format}?tab=red&amp;lang=zh"' in pages[0]

    rows = _rows(as_user("department", "get", f"/inbox/export.{format}?tab=red"), format)
    assert [r["受理编号"] for r in rows] == shown  # every page, in the page's order
    assert {(r["状态名称"], r["部门"], r["亮灯"]) for r in rows} == {
        ("处置中", "urban_mgmt", "red")
    }
    assert all(r["电话（已脱敏）"] in ("", "139****5678") for r in rows)
    green_rows = _rows(as_user("department", "get", f"/inbox/export.{format}?tab=green"), format)
    assert [r["受理编号"] for r in green_rows] == [green.receipt]
    assert _exports(session)[0] | {"query": None} == {
        "list": "case",
        "query": None,
        "format": format,
        "count": 4,
        "complete": True,
        "masked": True,
    }
    assert _exports(session)[0]["query"] == {"page": "inbox", "tab": "red"}


def test_the_inbox_export_is_in_english_and_the_departments_alone(session, as_user):
    case = dispatched(session, as_user)
    act(as_user, "department", case, "return", "不属于本部门职责")
    rows = _rows(as_user("department", "get", "/inbox/export.csv?tab=returned&lang=en"), "csv")
    assert [(r["receipt"], r["state"], r["state name"]) for r in rows] == [
        (case.receipt, "returned", "Returned")
    ]
    for role in ("street", "community", "leader", "command", "gridworker"):
        assert as_user(role, "get", "/inbox/export.csv").status_code == 403
    bad = as_user("department", "get", "/inbox/export.xlsx?tab=blue")
    assert bad.status_code == 422 and "tab" in bad.text
    assert len(_exports(session)) == 1  # the English one; nothing refused was exported


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_the_area_export_holds_the_tab_the_page_lists(session, as_user, format):
    green = dispatched(session, as_user)
    escalated = dispatched(session, as_user, SAME_STREET_GRID)
    red = dispatched(session, as_user)
    theirs = dispatched(session, as_user, OTHER_GRID)
    for case, light in ((green, "green"), (escalated, "green"), (red, "red"), (theirs, "red")):
        set_clock(session, case, light)
    escalated.escalation_level = 2
    session.flush()
    for user, tab in (("street", "urgent"), ("street", "open"), ("community", "open")):
        page = as_user(user, "get", f"/area?tab={tab}").text
        assert f'href="/area/export.{format}?tab={tab}&amp;lang=zh"' in page
        rows = _rows(as_user(user, "get", f"/area/export.{format}?tab={tab}"), format)
        assert [r["受理编号"] for r in rows] == receipts(page, "area-list"), (user, tab)
        assert theirs.receipt not in {r["受理编号"] for r in rows}
    levels = {r["受理编号"]: r["督办级别"] for r in rows}
    assert levels == {red.receipt: "0", green.receipt: "0"}  # the community's: its own grid
    assert [e["query"] for e in _exports(session)] == [
        {"page": "area", "tab": "urgent"},
        {"page": "area", "tab": "open"},
        {"page": "area", "tab": "open"},
    ]


def test_the_area_page_leads_to_the_console(as_user):
    for user in ("street", "community"):
        page = as_user(user, "get", "/area?lang=en").text
        assert 'id="area-console-link" class="button" href="/console?lang=en"' in page
        assert "All cases (filter, search, export)" in page
        assert 'id="nav-console"' in page
        assert as_user(user, "get", "/console").status_code == 200
