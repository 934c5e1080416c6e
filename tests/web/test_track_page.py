"""/track: a citizen follows a case by its receipt, without an account: the steps in plain words
with their local time, the department, the photos of the result, never a person; the rating
once the case is closed. TestClient on the demo district (the test's rolled-back session);
the journey in Chromium is in test_track_journey.py."""

import re
from datetime import timedelta

import pytest

from onegrid.cases import evidence
from onegrid.cases.machine import Action
from onegrid.cases.models import Evidence
from onegrid.web.pages import callbacks as callbacks_page
from onegrid.web.pages import track as track_page
from onegrid.web.strings import SHARED
from tests.cases.conftest import MONDAY, WORKER_GRID, point_in, report
from tests.cases.driving import (
    CALLER_NAME,
    CALLER_PHONE,
    REPORTER_WORDS,
    STAFF_WORDS,
    act,
    attach,
    drive_to_closed,
)


@pytest.fixture
def inside(session):
    return point_in(session, WORKER_GRID)


def _reported(session, inside, **extra):
    return report(session, inside, reporter_name=CALLER_NAME, reporter_phone=CALLER_PHONE, **extra)


def _steps(html: str) -> list[str]:
    return re.findall(r'<p class="timeline__title">([^<]*)</p>', html)


def test_the_receipt_box_is_open_to_anyone(web):
    page = web.get("/track")
    assert page.status_code == 200
    assert '<label for="receipt">回执编号</label>' in page.text
    assert 'id="track-case"' not in page.text and page.headers["cache-control"] == "no-store"
    english = web.get("/track?lang=en").text
    assert "Follow your report" in english and "Receipt number" in english


@pytest.mark.parametrize(
    "typed",
    [
        "{r}",  # as printed
        "{lower}",  # lower case
        "{bare}",  # no dashes
        " {spaced} ",  # spaces instead of dashes, around it too
        "{lower_bare}",
        "{fullwidth}",  # typed with a Chinese input method's full-width letters
        "{emdash}",  # a long dash for the short one
    ],
)
def test_any_way_of_typing_a_receipt_finds_it(web, session, inside, typed):
    receipt = _reported(session, inside).receipt
    forms = {
        "r": receipt,
        "lower": receipt.lower(),
        "bare": receipt.replace("-", ""),
        "spaced": receipt.replace("-", " "),
        "lower_bare": receipt.replace("-", "").lower(),
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in receipt),
        "emdash": receipt.replace("-", "—"),
    }
    asked = typed.format(**forms)
    response = web.get("/track", params={"receipt": asked}, follow_redirects=False)
    if asked != receipt:  # one address per receipt, as printed
        assert response.status_code == 303
        assert response.headers["location"] == f"/track?receipt={receipt}&lang=zh"
        response = web.get(response.headers["location"])
    assert response.status_code == 200
    assert f'<span class="track__code">{receipt}</span>' in response.text
    assert _steps(response.text) == ["问题已受理"]


@pytest.mark.parametrize(
    ("asked", "status", "zh", "en"),
    [
        ("ZZZZ-ZZZZ-ZZZZ", 404, "没有找到这个回执编号对应的问题", "No report has this receipt"),
        ("7KQ2", 404, "没有找到这个回执编号对应的问题", "No report has this receipt"),
        ("no such thing!", 422, "这不是有效的回执编号", "This is not a receipt number"),
        ("<script>x</script>", 422, "这不是有效的回执编号", "This is not a receipt number"),
        ("A" * 300, 422, "这不是有效的回执编号", "This is not a receipt number"),
    ],
)
def test_a_receipt_that_finds_nothing_says_so_clearly(web, asked, status, zh, en):
    for lang, words in (("zh", zh), ("en", en)):
        response = web.get("/track", params={"receipt": asked, "lang": lang})
        assert response.status_code == status, response.text
        assert words in response.text
        assert 'role="alert"' in response.text and 'id="track-case"' not in response.text
        assert "<script>x" not in response.text  # what was typed comes back escaped


def test_the_progress_in_plain_words_with_local_times_departments_and_photos(web, session, inside):
    case = _reported(session, inside)
    photo = drive_to_closed(session, case)
    page = web.get(f"/track?receipt={case.receipt}").text
    assert _steps(page) == [
        "问题已受理",
        "立案",
        "派遣至处置部门",
        "部门处置完毕",
        "现场核查通过，结案",
    ]
    # Reported on Tuesday 3 March 2026 at 01:00 UTC: 09:00 in Shanghai.
    assert '<time datetime="2026-03-03T09:00:00+08:00">2026-03-03 09:00</time>' in page
    assert page.count("处置部门：区城市管理局") == 2  # the dispatch and the feedback
    assert re.search(r'id="case-state"[^>]*>已结案<', page)
    assert re.search(r'id="case-category">路灯不亮<', page)
    href = f"/track/{case.receipt}/photos/{photo}"
    assert f'<img src="{href}" alt="部门处置完毕：结果照片 1"' in page
    english = web.get(f"/track?receipt={case.receipt}&lang=en").text
    assert _steps(english)[-1] == "Checked on site and closed"
    assert "Department: Urban Management Bureau" in english and "Street light out" in english


def test_the_public_never_sees_the_staff_nor_the_reporter(web, session, inside):
    case = _reported(session, inside)
    # Every note names a person and a phone; the centre supervised it (督办) on the way.
    photo = drive_to_closed(session, case)
    for lang in ("zh", "en"):
        page = web.get(f"/track?receipt={case.receipt}&lang={lang}").text
        for word in STAFF_WORDS + REPORTER_WORDS + ("gridworker", "Supervised"):
            assert word not in page, (lang, word)
    headers = str(web.get(f"/track/{case.receipt}/photos/{photo}").headers)
    for word in STAFF_WORDS + REPORTER_WORDS + ("gridworker", "department"):
        assert word not in headers, word


def test_a_suggested_duplicate_says_someone_reported_it_already(web, session, inside):
    _reported(session, inside)
    again = _reported(session, inside, when=MONDAY + timedelta(minutes=3))
    assert again.duplicate_of_id is not None
    page = web.get(f"/track?receipt={again.receipt}").text
    assert "已有人报告了同一问题，我们会一并处理。" in page
    english = web.get(f"/track?receipt={again.receipt}&lang=en").text
    assert "Someone has reported this already; we handle them together." in english


def test_a_photo_of_the_result_is_served_as_the_staff_route_serves_it(web, session, inside):
    case = _reported(session, inside)
    photo = drive_to_closed(session, case)
    response = web.get(f"/track/{case.receipt.lower()}/photos/{photo}")
    assert response.status_code == 200
    row = session.get(Evidence, photo)
    assert response.content == evidence.read(row)
    for name, value in evidence.download_headers(row).items():
        assert response.headers[name] == value


def test_no_other_file_is_served_to_the_public(web, session, inside):
    case = _reported(session, inside)
    act(session, case, "command", Action.OPEN)
    on_dispatch = attach(session, case, "command")
    act(
        session,
        case,
        "command",
        Action.DISPATCH,
        data={"department_code": "urban_mgmt"},
        evidence_ids=[on_dispatch],
    )
    loose = attach(session, case, "department")
    other = _reported(session, inside, category="0108")
    of_other = drive_to_closed(session, other)
    for path in (
        f"/track/{case.receipt}/photos/{on_dispatch}",  # a step that is not the result
        f"/track/{case.receipt}/photos/{loose}",  # attached to no step
        f"/track/{case.receipt}/photos/{of_other}",  # another case's result
        f"/track/ZZZZ-ZZZZ-ZZZZ/photos/{of_other}",
        f"/track/{case.receipt}/photos/999999",
    ):
        response = web.get(path)
        assert response.status_code == 404, path
        assert set(response.json()) == {"error"}
    assert web.get(f"/track/{other.receipt}/photos/{of_other}").status_code == 200


def test_a_closed_case_is_rated_once_and_then_shows_its_rating(web, session, inside):
    case = _reported(session, inside)
    drive_to_closed(session, case)
    page = web.get(f"/track?receipt={case.receipt}").text
    assert 'id="rating-form"' in page
    assert re.search(r'<input type="radio" id="rating-5" name="rating" value="5"', page)
    sent = web.post(
        f"/track/{case.receipt}/rating?lang=zh",
        data={"rating": "5", "comment": "修得很快"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/track?receipt={case.receipt}&rated=1&lang=zh#track-rated"
    assert (case.state, case.rating, case.rating_comment) == ("evaluated", 5, "修得很快")
    page = web.get(sent.headers["location"]).text
    assert "感谢您的评价！" in page and 'id="rating-form"' not in page
    assert re.search(r'id="rating-given"[^>]*data-rating="5"', page)
    assert "5 星（满分 5 星） · 非常满意" in page
    assert _steps(page)[-1] == "已评价"
    again = web.post(f"/track/{case.receipt}/rating", data={"rating": "1"})
    assert again.status_code == 409 and "不能执行 evaluate" in again.text
    assert case.rating == 5


def test_a_rating_without_stars_or_too_long_is_asked_again(web, session, inside):
    case = _reported(session, inside)
    drive_to_closed(session, case)
    path = f"/track/{case.receipt}/rating"
    response = web.post(path, data={"comment": "还行"})
    assert response.status_code == 422
    assert "请选择 1 到 5 星的评价" in response.text and ">还行</textarea>" in response.text
    response = web.post(path + "?lang=en", data={"rating": "4", "comment": "x" * 501})
    assert response.status_code == 422
    assert "The comment may have at most 500 characters" in response.text
    assert re.search(r'id="rating-4"[^>]*checked', response.text)
    response = web.post(path, data={"rating": "6"})
    assert response.status_code == 422 and case.state == "closed" and case.rating is None


def test_a_case_not_closed_yet_has_no_form_and_refuses_a_rating(web, session, inside):
    case = _reported(session, inside)
    page = web.get(f"/track?receipt={case.receipt}").text
    assert 'id="rating-form"' not in page and 'id="rating-given"' not in page
    response = web.post(f"/track/{case.receipt}/rating", data={"rating": "5"})
    assert response.status_code == 409
    assert "不能执行 evaluate" in response.text and case.state == "received"
    unknown = web.post("/track/ZZZZ-ZZZZ-ZZZZ/rating", data={"rating": "5"})
    assert unknown.status_code == 404 and "没有找到这个回执编号对应的问题" in unknown.text


@pytest.mark.parametrize("module", [track_page, callbacks_page], ids=["track", "callbacks"])
def test_every_string_is_in_both_languages_with_the_same_placeholders(module):
    for key, (zh, en) in module.STRINGS.items():
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"\{\w+\}", zh)) == set(re.findall(r"\{\w+\}", en)), key
    assert not SHARED.keys() & module.STRINGS.keys()


def test_the_pages_are_on_the_base_layout_without_inline_style_or_script(web, tokens):
    command = {"Authorization": f"Bearer {tokens['command']}"}
    for path, headers in (("/track", {}), ("/callbacks", command)):
        html = web.get(path, headers=headers).text
        assert len(re.findall(r"<head[\s>]", html)) == 1, path
        own = re.findall(r'<link rel="stylesheet" href="(/static/(?!vendor/)[^"?]*)', html)
        assert own == ["/static/css/onegrid.css"], path
        assert "<style" not in html and " style=" not in html and " on" + "click=" not in html
        scripts = re.findall(r"<script([^>]*)>", html)
        assert all("src=" in s or 'type="application/json"' in s for s in scripts), scripts
