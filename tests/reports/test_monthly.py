"""A street's monthly report: its figures are the hand counts of hand-made cases, its page and
XLSX say the same, only those who supervise read it, a street office its own street alone, and
the scheduler writes each street's file once."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from onegrid.cases import scheduled as sweep
from onegrid.core.permissions import Scope
from onegrid.reports import Month, build, generate, path_of
from onegrid.reports.scheduled import ended_month
from tests.cases.conftest import OTHER_GRID, point_in
from tests.cases.driving import drive_to_closed
from tests.sheets import xlsx_sheets

STREET = "210104002"  # 大北街道, the demo street office's street
MARCH = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # a Tuesday, 09:00 in Shanghai
FEBRUARY = datetime(2026, 2, 10, 1, 0, tzinfo=UTC)


@pytest.fixture
def month_of_cases(session, make_case):
    """March in 大北街道: three street-light cases (0107), two of another category (one
    closed), and one street-light case in February; a March case of 上园街道 besides.
    The sweep then flags every open March case that ran past its limit."""
    lights = [make_case(when=MARCH + timedelta(hours=n)) for n in range(3)]
    others = [make_case(category="0108", when=MARCH + timedelta(days=1, hours=n)) for n in range(2)]
    make_case(when=FEBRUARY)
    make_case(point_in(session, OTHER_GRID), when=MARCH)
    drive_to_closed(session, others[0], supervise=False)
    # Late March: the open cases' verification limit has long run out.
    sweep.sweep(session=session, now=datetime(2026, 3, 30, 1, 0, tzinfo=UTC))
    session.flush()
    return lights, others


def test_the_figures_are_the_hand_counts(session, month_of_cases):
    lights, others = month_of_cases
    report = build(session=session, street_code=STREET, month=Month(2026, 3), within=Scope.all())
    assert report.street_name == "大北街道"
    assert report.counts["received"] == (5, 1)  # March, February
    assert report.counts["opened"] == (1, 0)  # the closed case alone was opened
    assert report.counts["closed"] == (1, 0)
    figures = {f.indicator.code: f for f in report.figures}
    closure = figures["closure_rate"].this
    assert (closure.numerator, closure.denominator, closure.value) == (1, 1, 1.0)
    assert figures["closure_rate"].last.value is None  # nothing opened in February
    assert [(c.code, c.this, c.last) for c in report.categories] == [("0107", 3, 1), ("0108", 2, 0)]
    # Overdue: the four open March cases, flagged by the sweep; oldest first; not 上园's.
    overdue = [case.receipt for case in report.overdue]
    assert overdue == [case.receipt for case in (*lights, others[1])]


def test_the_page_shows_the_report_and_prints_without_the_header(client, tokens, month_of_cases):
    headers = {"Authorization": f"Bearer {tokens['street']}"}
    page = client.get("/reports/monthly", params={"month": "2026-03"}, headers=headers)
    assert page.status_code == 200, page.text
    assert "大北街道 · 2026-03 月度报告" in page.text
    assert 'id="report-categories"' in page.text and "report-print" in page.text
    assert page.text.count('class="monthly-report__receipt"') == 4


def test_the_english_page_names_its_rows_as_english_labels(client, tokens, month_of_cases):
    headers = {"Authorization": f"Bearer {tokens['street']}"}
    params = {"month": "2026-03", "lang": "en"}
    page = client.get("/reports/monthly", params=params, headers=headers)
    assert page.status_code == 200, page.text
    assert "大北街道 (210104002) · Monthly report 2026-03" in page.text
    rows = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', page.text)
    assert "Received" in rows and "Closure rate" in rows and "On-time closure rate" in rows
    assert all(row[0].isupper() or not row[0].isalpha() for row in rows), rows
    assert "Top 10 categories" in page.text


def test_the_xlsx_holds_the_same_figures(client, tokens, month_of_cases, session):
    headers = {"Authorization": f"Bearer {tokens['leader']}"}
    params = {"street": STREET, "month": "2026-03", "lang": "en"}
    response = client.get("/reports/monthly.xlsx", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert "monthly-210104002-2026-03" in response.headers["content-disposition"]
    sheets = xlsx_sheets(response.content)
    assert list(sheets) == ["figures", "top categories", "overdue cases"]
    figures = {row[0]: row[1:4] for row in sheets["figures"][2:]}
    assert figures["received"] == ["5", "1", "4"]
    assert figures["closure rate"][0] == "1"
    assert [row[:3] for row in sheets["top categories"][1:]] == [
        ["0107", sheets["top categories"][1][1], "3"],
        ["0108", sheets["top categories"][2][1], "2"],
    ]
    assert len(sheets["overdue cases"]) == 1 + 4
    # In English: the street's Chinese name with its code (the territory has no English
    # names, none is made up), the states' English names.
    assert sheets["figures"][0][0] == "大北街道 (210104002) monthly report 2026-03"
    assert {row[2] for row in sheets["overdue cases"][1:]} == {"Received"}


def test_the_english_page_names_the_street_and_states_in_english(client, tokens, month_of_cases):
    headers = {"Authorization": f"Bearer {tokens['street']}"}
    params = {"month": "2026-03", "lang": "en"}
    page = client.get("/reports/monthly", params=params, headers=headers).text
    assert "大北街道 (210104002) · Monthly report 2026-03" in page
    assert '<option value="210104002" selected>大北街道 (210104002)</option>' in page
    assert page.count("<td>Received</td>") == 4 and "受理" not in page


@pytest.mark.parametrize(
    ("user", "street", "status"),
    [
        ("street", STREET, 200),
        ("street", OTHER_GRID[:9], 404),  # another street: as if absent
        ("command", OTHER_GRID[:9], 200),
        ("leader", OTHER_GRID[:9], 200),
        ("department", STREET, 403),
        ("gridworker", STREET, 403),
        ("auditadmin", STREET, 403),
    ],
)
def test_who_reads_which_street(client, tokens, user, street, status):
    headers = {"Authorization": f"Bearer {tokens[user]}"}
    response = client.get(
        "/reports/monthly", params={"street": street, "month": "2026-03"}, headers=headers
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "March"}, "month"),
        ({"street": "2101"}, "street"),
    ],
)
def test_a_bad_month_or_street_is_refused_naming_it(api, client, tokens, params, field):
    headers = {"Authorization": f"Bearer {tokens['command']}", "Accept": "application/json"}
    response = client.get("/reports/monthly.xlsx", params=params, headers=headers)
    assert response.status_code == 422
    assert field in response.text


def test_the_scheduler_writes_each_street_once(session, month_of_cases, tmp_path):
    month = Month(2026, 3)
    first = generate(session=session, month=month, directory=tmp_path)
    assert path_of(tmp_path, STREET, month) in first and len(first) > 1
    kept = path_of(tmp_path, STREET, month).read_bytes()
    assert generate(session=session, month=month, directory=tmp_path) == []  # idempotent
    assert path_of(tmp_path, STREET, month).read_bytes() == kept
    figures = {row[0]: row[1:3] for row in xlsx_sheets(kept)["指标"][2:]}
    assert figures["受理数"] == ["5", "1"]
    assert not list(tmp_path.rglob("*.part"))


def test_the_month_the_scheduler_writes_is_the_one_just_ended():
    # 1 December 00:30 in Shanghai is still 30 November in UTC: November has ended.
    assert ended_month(datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == Month(2026, 11)
    assert ended_month(datetime(2026, 11, 30, 15, 30, tzinfo=UTC)) == Month(2026, 10)
    assert Month.parse("2026-01").previous == Month(2025, 12)


def test_the_command_writes_the_reports_once(demo_engine, onegrid_cli, tmp_path):
    url = demo_engine.url.render_as_string(hide_password=False)
    args = ("report", "monthly", "--month", "2026-03", "--directory", str(tmp_path))
    first = onegrid_cli(url, *args, "--street", STREET)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == [str(path_of(tmp_path, STREET, Month(2026, 3)))]
    again = onegrid_cli(url, *args, "--street", STREET)
    assert again.returncode == 0 and again.stdout == "" and "wrote 0 report(s)" in again.stderr
    bad = onegrid_cli(url, "report", "monthly", "--month", "2026-3x")
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
