"""The console's exports: the file holds, row by row, what the API lists with the same filters,
within the reader's scope; a bad filter is refused by name before anything is sent."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.cases.conftest import OTHER_GRID, inside, make_case, point_in  # noqa: F401
from tests.cases.test_export import _expected, _listed
from tests.sheets import csv_rows, xlsx_sheets

START = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)


@pytest.fixture
def cases(session, make_case):  # noqa: F811
    made = [
        make_case(when=START + timedelta(hours=n), reporter_phone="13912345678") for n in range(4)
    ]
    made += [make_case(category="0108", when=START + timedelta(hours=5))]
    made += [
        make_case(point_in(session, OTHER_GRID), when=START + timedelta(minutes=n))
        for n in range(2)
    ]
    session.flush()
    return made


@pytest.fixture
def api(web, tokens):
    """Calls the API through the same client (the demo district, the test's session)."""

    def call(username, method, path, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[username]}"}
        return web.request(method.upper(), "/api/v1" + path, headers=headers, **kwargs)

    return call


def _get(web, tokens, user, path, **params):
    headers = {"Authorization": f"Bearer {tokens[user]}"}
    return web.get(path, params=params, headers=headers)


def test_the_console_csv_holds_what_the_api_lists(web, tokens, api, cases):
    response = _get(
        web, tokens, "command", "/console/export.csv", street="210104002", category="0107"
    )
    assert response.status_code == 200, response.text
    header, *rows = csv_rows(response.content)
    listed = _listed(api, "command", unit_code="210104002", category_code="0107")
    assert len(rows) == len(listed) == 4
    assert rows == [_expected(item) for item in listed]
    assert "139****5678" in response.text and "13912345678" not in response.text


def test_the_console_xlsx_holds_what_the_api_lists(web, tokens, api, cases):
    response = _get(web, tokens, "command", "/console/export.xlsx", lang="en")
    assert response.status_code == 200, response.text
    header, *rows = xlsx_sheets(response.content)["cases"]
    assert header[0] == "receipt"
    assert rows == [_expected(item, csv=False, lang="en") for item in _listed(api, "command")]


def test_a_street_office_exports_its_street_alone(web, tokens, cases):
    response = _get(web, tokens, "street", "/console/export.csv")
    header, *rows = csv_rows(response.content)
    assert len(rows) == 5
    assert all(row[header.index("网格")].startswith("210104002") for row in rows)


@pytest.mark.parametrize(
    ("params", "name"),
    [({"queue": "nope"}, "queue"), ({"light": "blue"}, "light"), ({"street": "1"}, "street")],
)
def test_a_bad_filter_is_refused_by_name(web, tokens, params, name):
    headers = {"Authorization": f"Bearer {tokens['command']}", "Accept": "application/json"}
    response = web.get("/console/export.csv", params=params, headers=headers)
    assert response.status_code == 422
    assert name in response.text
