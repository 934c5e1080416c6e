"""/report (anyone), /patrol (a field worker) and the receipt /report/{receipt} over HTTP on the
demo district (each test's writes rolled back): the form in both languages, a refused report
shown again with its field named and nothing saved, the receipt with its QR code and never the
reporter, the Idempotency-Key of the form. The journeys in Chromium: test_report_journeys.py."""

import html
import json
import re
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from onegrid.cases.models import Case, CaseEvent, Evidence
from onegrid.territory.models import TerritoryUnit
from onegrid.web.pages import report as report_page
from tests.cases.conftest import OTHER_GRID, WORKER_GRID, point_in
from tests.images import jpeg_with_gps, png


@pytest.fixture
def as_user(web: TestClient, tokens: dict[str, str]) -> Callable:
    def call(username: str | None, method: str, path: str, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[username]}"} if username else {}
        headers |= kwargs.pop("headers", {})
        return web.request(method.upper(), path, headers=headers, **kwargs)

    return call


@pytest.fixture
def form(session) -> dict:
    point = point_in(session, WORKER_GRID)
    return {
        "lon": f"{point.x:.6f}",
        "lat": f"{point.y:.6f}",
        "crs": "wgs84",
        "category_code": "0107",
        "description": f"路灯不亮 {uuid.uuid4()}",
        "reporter_name": "王小明",
        "reporter_phone": "13912345678",
        "idempotency_key": str(uuid.uuid4()),
    }


def saying(session, description: str) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.description == description)))


def test_the_form_in_both_languages(web):
    zh = web.get("/report?lang=zh")
    en = web.get("/report?lang=en")
    assert zh.status_code == en.status_code == 200
    assert "我要报告" in zh.text and "Report a problem" in en.text
    for page in (zh, en):
        assert (
            'name="idempotency_key"' in page.text and 'enctype="multipart/form-data"' in page.text
        )
        assert "<optgroup" in page.text and 'id="report-map"' in page.text
        assert 'id="queue-status"' in page.text
    assert "部件 · " in zh.text and "事件 · " in zh.text
    assert "Components · " in en.text and "Events · " in en.text
    assert "WGS-84" in zh.text and "GCJ-02" in zh.text
    assert page.headers["cache-control"] == "no-store"


def test_a_citizen_report_opens_a_case_and_shows_its_receipt(web, session, form):
    response = web.post("/report?lang=zh", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    [case] = saying(session, form["description"])
    assert case.channel == "citizen" and response.headers["location"].endswith(
        f"/report/{case.receipt}?lang=zh"
    )
    done = web.get(f"/report/{case.receipt}?lang=zh")
    assert done.status_code == 200
    assert f'data-receipt="{case.receipt}">{case.receipt}</p>' in done.text
    assert "<svg" in done.text and 'class="qr__code"' in done.text
    assert f"/track?receipt={case.receipt}" in done.text
    # never the reporter: the phone masked, the name not at all
    assert "13912345678" not in done.text and "139****5678" in done.text
    assert "王小明" not in done.text and "王**" not in done.text


def test_the_same_form_sent_twice_opens_one_case(web, session, form):
    for _ in range(2):
        assert web.post("/report", data=form, follow_redirects=False).status_code == 303
    assert len(saying(session, form["description"])) == 1


def test_fetch_answers_json_and_the_key_replays(web, session, form):
    headers = {"Accept": "application/json", "Idempotency-Key": form.pop("idempotency_key")}
    first = web.post("/report?lang=en", data=form, headers=headers)
    again = web.post("/report?lang=en", data=form, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["receipt"] == again.json()["receipt"]
    assert first.json()["href"].startswith("/report/")


@pytest.mark.parametrize(
    "change,field,words",
    [
        ({"category_code": ""}, "category-error", "choose the category"),
        ({"description": "  "}, "description-error", "describe the problem"),
        ({"lon": ""}, "location-error", "choose the place"),
        ({"lon": "east"}, "location-error", "must be numbers"),
        ({"reporter_phone": "12345"}, "reporter_phone-error", "not a phone number"),
        ({"category_code": "9999"}, "category-error", "does not exist"),
    ],
)
def test_a_refused_report_names_its_field_and_saves_nothing(
    web, session, form, change, field, words
):
    sent = form | change
    response = web.post("/report?lang=en", data=sent, follow_redirects=False)
    assert response.status_code in (404, 422), response.text
    assert f'id="{field}"' in response.text and words in response.text
    assert 'id="form-error"' in response.text
    assert sent["description"] in response.text or not sent["description"].strip()
    assert saying(session, sent["description"]) == []


def test_a_point_outside_the_district_is_named_on_the_place(web, session, form):
    response = web.post("/report?lang=zh", data=form | {"lon": "100.0", "lat": "30.0"})
    assert response.status_code == 422
    assert 'id="location-error"' in response.text
    assert saying(session, form["description"]) == []


def test_a_json_refusal_names_the_field(web, form):
    headers = {"Accept": "application/json"}
    response = web.post("/report?lang=en", data=form | {"lon": "100.0"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["detail"]["field"] == "location"


def test_photos_are_kept_with_the_case_without_their_metadata(web, session, form):
    files = [
        ("photos", ("a.jpg", jpeg_with_gps(), "image/jpeg")),
        ("photos", ("b.png", png(), "image/png")),
    ]
    response = web.post("/report", data=form, files=files, follow_redirects=False)
    assert response.status_code == 303, response.text
    [case] = saying(session, form["description"])
    assert session.scalar(select(func.count()).where(Evidence.case_id == case.id)) == 2


def test_seven_photos_are_refused(web, session, form):
    files = [("photos", (f"{i}.png", png(color=(i, 0, 0)), "image/png")) for i in range(7)]
    response = web.post("/report?lang=en", data=form, files=files)
    assert response.status_code == 422
    assert 'id="photos-error"' in response.text and "at most 6 photos" in response.text
    assert saying(session, form["description"]) == []


def test_a_file_that_is_no_photo_is_refused_on_the_photos(web, session, form):
    files = [("photos", ("x.jpg", b"<html>no</html>", "image/jpeg"))]
    response = web.post("/report?lang=en", data=form, files=files)
    assert response.status_code == 422 and 'id="photos-error"' in response.text
    assert saying(session, form["description"]) == []


def test_anonymous_keeps_no_name_or_phone(web, session, form):
    response = web.post("/report", data=form | {"anonymous": "on"}, follow_redirects=False)
    assert response.status_code == 303
    [case] = saying(session, form["description"])
    assert case.anonymous and case.reporter_phone is None and case.reporter_name is None


def test_an_unknown_receipt(web):
    response = web.get("/report/ZZZZ-ZZZZ-ZZZZ?lang=en")
    assert response.status_code == 404 and "No report has this receipt" in response.text


def test_a_duplicate_says_someone_has_reported_it(web, session, form):
    first = web.post("/report", data=form, follow_redirects=False)
    second_form = form | {"description": form["description"] + "！", "idempotency_key": ""}
    second = web.post("/report?lang=en", data=second_form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    page = web.get(second.headers["location"].replace("lang=en", "lang=zh"))
    assert "已有人报告" in page.text
    en = web.get(second.headers["location"])
    assert "Someone has already reported this" in en.text


def test_patrol_for_the_grid_worker(as_user, session, form):
    page = as_user("gridworker", "get", "/patrol?lang=zh")
    assert page.status_code == 200 and "巡查上报" in page.text
    assert "data-locate-on-load" in page.text and 'id="reporter"' not in page.text
    sent = as_user("gridworker", "post", "/patrol?lang=en", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    [case] = saying(session, form["description"])
    assert case.channel == "grid_worker" and case.reporter_phone is None
    done = as_user("gridworker", "get", sent.headers["location"])
    assert f'href="/cases/{case.id}?lang=en"' in done.text and 'id="tasks-link"' in done.text


def test_patrol_requires_a_category(as_user, session, form):
    sent = as_user("gridworker", "post", "/patrol?lang=en", data=form | {"category_code": ""})
    assert sent.status_code == 422 and 'id="category-error"' in sent.text


@pytest.mark.parametrize("who,status", [(None, 401), ("citizen", 403), ("command", 403)])
def test_patrol_for_others(as_user, who, status):
    response = as_user(who, "get", "/patrol", headers={"Accept": "application/json"})
    assert response.status_code == status, response.text


def test_the_sign_in_page_leads_citizens_to_report_and_track(web):
    page = web.get("/login?lang=zh")
    assert 'href="/report?lang=zh"' in page.text and "我要报告" in page.text
    assert 'href="/track?lang=zh"' in page.text and "查询进度" in page.text


def test_the_qr_code_is_the_track_address():
    svg = report_page.qr_svg("http://testserver/track?receipt=7KQ2-M9XD-4HTP")
    assert svg.startswith("<svg") and "qr__line" in svg
    assert not re.search(r"style=", svg)


def test_the_outside_point_of_another_street_is_accepted(web, session, form):
    # The whole district takes citizen reports, not only the grid worker's grid.
    other = point_in(session, OTHER_GRID)
    sent = form | {"lon": f"{other.x:.6f}", "lat": f"{other.y:.6f}"}
    assert web.post("/report", data=sent, follow_redirects=False).status_code == 303


def test_a_pdf_is_no_photo_of_a_report(web, session, form):
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
    files = [("photos", ("plan.pdf", pdf, "application/pdf"))]
    response = web.post("/report?lang=en", data=form, files=files)
    assert response.status_code == 422 and 'id="photos-error"' in response.text
    assert "photos only" in response.text and saying(session, form["description"]) == []


def test_the_map_picker_draws_the_district_and_its_streets_small(web, session):
    page = web.get("/report")
    settings = json.loads(html.unescape(re.search(r'data-map="([^"]*)"', page.text).group(1)))
    features = settings["outline"]["features"]
    drawn = sorted((f["properties"]["level"], f["properties"]["name"]) for f in features)
    units = session.execute(
        select(TerritoryUnit.level, TerritoryUnit.name).where(
            TerritoryUnit.level.in_(("district", "street"))
        )
    ).all()
    assert drawn == sorted(tuple(u) for u in units) and len(drawn) > 1
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}
    assert len(settings["bounds"]) == 4 and settings["tileUrl"] == ""
    assert len(page.text) < 100_000, len(page.text)  # the outline simplified, not the survey


def test_a_coordinate_system_unknown_is_refused_not_guessed(web, session, form):
    response = web.post("/report?lang=en", data=form | {"crs": "wgs8"})
    assert response.status_code == 422 and 'id="location-error"' in response.text
    assert "unknown coordinate system wgs8" in response.text
    assert saying(session, form["description"]) == []


def test_a_merged_reports_receipt_shows_its_own_reporter_only(web, session, form, as_user):
    """After a merge the case followed is another reporter's: the receipt page shows neither
    that reporter's phone nor whether they stayed anonymous."""
    first = dict(form, reporter_phone="13900001111", idempotency_key=str(uuid.uuid4()))
    assert web.post("/report", data=first, follow_redirects=False).status_code == 303
    second = dict(form, description=form["description"] + " 又一次", anonymous="on")
    second["idempotency_key"] = str(uuid.uuid4())
    assert web.post("/report", data=second, follow_redirects=False).status_code == 303
    [kept] = saying(session, first["description"])
    [merged] = saying(session, second["description"])
    body = {"action": "merge", "data": {"into": kept.receipt}}
    done = as_user("command", "post", f"/api/v1/cases/{merged.id}/transitions", json=body)
    assert done.status_code == 200, done.text
    page = web.get(f"/report/{merged.receipt}?lang=en").text
    assert "139****1111" not in page and "Reported anonymously" in page


def test_a_post_from_another_site_acts_for_no_one(web, session, form):
    """A signed-in user's cookie rides along with a form another site posts; without the
    page's CSRF token the report is anyone's, never recorded in that user's name."""
    sign_in = web.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', sign_in).group(1)
    signed = web.post(
        "/login",
        data={"username": "command", "password": "Onegrid-Demo-2026", "csrf_token": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    sent = web.post("/report", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    [case] = saying(session, form["description"])
    actors = session.scalars(select(CaseEvent.actor).where(CaseEvent.case_id == case.id))
    assert list(actors) == ["anonymous"]  # not "command"
