"""Exports of the cases list: the file holds, row by row, what `GET /cases` lists."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from onegrid.audit.models import AuditRecord
from tests.cases.conftest import OTHER_GRID, point_in
from tests.sheets import csv_rows, xlsx_is_frozen_with_bold_header, xlsx_sheets

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13912345678"
HEADER = [
    "受理编号",
    "状态",
    "状态名称",
    "渠道",
    "类别",
    "描述（已脱敏）",
    "地址（已脱敏）",
    "网格",
]


@pytest.fixture
def cases(session, make_case):
    """Five cases in 大北街道 (one an hour apart), two in 上园街道, reporters named and phoned."""
    start = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    made = [
        make_case(
            when=start + timedelta(hours=n),
            description=f"第{n}个问题，联系电话{PHONE}",
            address="大北街2号",
            reporter_name="王小明",
            reporter_phone=PHONE,
        )
        for n in range(5)
    ]
    other = point_in(session, OTHER_GRID)
    made += [make_case(other, when=start + timedelta(minutes=30 + n)) for n in range(2)]
    made.append(make_case(when=start + timedelta(hours=9), description='=HYPERLINK("x")'))
    session.flush()
    return made


def _listed(api, user, **params):
    response = api(user, "get", "/cases", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _local(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


# A state's name in an English export, as the pages name it (the API's state_name is Chinese).
STATE_NAMES_EN = {
    "received": "Received",
    "verifying": "Being verified",
    "verified": "Verified",
    "opened": "Opened",
    "dispatched": "Being handled",
    "returned": "Returned",
    "parked": "Parked",
    "handled": "Awaiting check",
    "closed": "Closed",
    "evaluated": "Rated",
    "voided": "Voided",
    "merged": "Merged",
}


def _expected(item: dict, *, csv: bool = True, lang: str = "zh") -> list[str]:
    """The row the export should hold for a case as the API lists it."""
    description = item["description"]
    if csv and description.startswith("="):
        description = "'" + description  # CSV: a formula kept text (XLSX: a text cell)
    return [
        item["receipt"],
        item["state"],
        STATE_NAMES_EN[item["state"]] if lang == "en" else item["state_name"],
        item["channel"],
        item["category_code"],
        description,
        item["address"] or "",
        item["grid_code"],
        item["department"] or "",
        _local(item["received_at"]),
        item["stage"] or "",
        _local(item["stage_deadline"]) if item["stage_deadline"] else "",
        item["light"] or "",
        str(item["escalation_level"]),
        "1" if item["overdue"] else "0",
        item["reporter_name"] or "",
        item["reporter_phone"] or "",
    ]


def _export(api, user, format, **params):
    response = api(user, "get", "/cases/export", params={"format": format, **params})
    assert response.status_code == 200, response.text
    return response


def test_a_csv_export_holds_row_by_row_what_the_list_shows(api, cases):
    response = _export(api, "command", "csv")
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert "attachment" in disposition and "cases-210104-" in disposition and ".csv" in disposition
    header, *rows = csv_rows(response.content)
    assert header[:8] == HEADER
    listed = _listed(api, "command")
    assert rows == [_expected(item) for item in listed]
    assert len(rows) >= len(cases)


def test_an_xlsx_export_holds_row_by_row_what_the_list_shows(api, cases):
    response = _export(api, "command", "xlsx", category_code="0107", lang="en")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheets = xlsx_sheets(response.content)
    assert list(sheets) == ["cases"]
    header, *rows = sheets["cases"]
    assert header[:3] == ["receipt", "state", "state name"]  # in English, as asked
    listed = _listed(api, "command", category_code="0107")
    expected = [_expected(item, csv=False, lang="en") for item in listed]
    assert {row[2] for row in rows} == {"Received"}  # the state's name in English too
    assert rows == expected
    assert xlsx_is_frozen_with_bold_header(response.content)


def test_personal_data_is_masked_as_the_list_masks_it(api, cases):
    content = _export(api, "command", "csv").content.decode("utf-8-sig")
    assert PHONE not in content and "王小明" not in content
    assert "139****5678" in content and "王**" in content


def test_a_street_office_exports_its_street_alone(api, cases):
    header, *rows = csv_rows(_export(api, "street", "csv").content)
    grids = {row[header.index("网格")] for row in rows}
    assert grids and all(grid.startswith("210104002") for grid in grids)
    assert [row[0] for row in rows] == [item["receipt"] for item in _listed(api, "street")]
    assert not any(grid.startswith(OTHER_GRID[:9]) for grid in grids)
    disposition = _export(api, "street", "csv").headers["content-disposition"]
    assert "cases-210104002-" in disposition


def test_each_export_is_audited_with_its_filters_and_row_count(api, cases, session):
    _, *rows = csv_rows(_export(api, "command", "csv", unit_code="210104002").content)
    record = session.scalars(
        select(AuditRecord)
        .where(AuditRecord.action == "case.export")
        .order_by(AuditRecord.id.desc())
    ).first()
    detail = json.loads(record.detail)
    assert detail["count"] == len(rows) == 6
    assert detail["format"] == "csv" and detail["query"] == {"unit_code": "210104002"}
    assert detail["complete"] is True and detail["masked"] is True


@pytest.mark.parametrize("query", [{"format": "pdf"}, {}])
def test_a_bad_or_missing_format_is_refused_naming_it(api, query):
    response = api("command", "get", "/cases/export", params=query)
    assert response.status_code == 422
    assert "format" in response.text


def test_a_bad_filter_is_refused_before_anything_is_sent(api):
    response = api("command", "get", "/cases/export", params={"format": "csv", "overdue": "x"})
    assert response.status_code == 422 and "overdue" in response.text


def test_exports_need_cases_read(api):
    assert api("auditadmin", "get", "/cases/export", params={"format": "csv"}).status_code == 403
    assert api(None, "get", "/cases/export", params={"format": "csv"}).status_code == 401
