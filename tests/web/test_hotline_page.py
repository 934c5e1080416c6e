"""/hotline: the 12345 operator's call form. A call saved opens a hotline case through the API's
intake (the caller masked, callback_wanted kept) and shows its receipt to read out; a refused
one comes back as typed with the problem at its field, nothing saved. TestClient on the demo
district."""

import re

import pytest
from sqlalchemy import func, select

from onegrid.cases.models import Case
from onegrid.demo.build import DEMO_PASSWORD
from tests.cases.conftest import OTHER_GRID, WORKER_GRID, point_in
from tests.login_form import post_login

PHONE = "13912345678"


@pytest.fixture
def as_user(tokens):
    def headers(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers


def _call(session, grid=WORKER_GRID, **extra) -> dict[str, str]:
    point = point_in(session, grid)
    return {
        "reporter_name": "王小明",
        "reporter_phone": PHONE,
        "address": "华炉社区 3 号楼门前",
        "crs": "wgs84",
        "lon": f"{point.x:.6f}",
        "lat": f"{point.y:.6f}",
        "category_code": "0107",
        "description": "路灯杆被撞歪了，晚上很黑",
        "callback_wanted": "1",
    } | extra


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Case))


def _post(web, as_user, data, username="hotline", lang="zh"):
    return web.post(
        f"/hotline?lang={lang}", data=data, headers=as_user(username), follow_redirects=False
    )


def test_the_form_names_every_field_in_both_languages(web, as_user):
    html = web.get("/hotline", headers=as_user("hotline")).text
    for label in ("来电人姓名", "来电人电话", "问题描述"):
        assert f">{label}</label>" in html, label
    assert "来电人希望结案后回访" in html and "保存并生成受理编号" in html
    assert "地址或地点说明" in html and "经度" in html and "纬度" in html and "坐标系" in html
    assert '<optgroup label="部件 · ' in html and '<optgroup label="事件 · ' in html
    assert '<option value="0107"' in html and 'id="report-map"' in html
    assert "WGS-84" in html and "地址不能代替坐标" in html  # the point is required, said so
    assert re.search(r'name="idempotency_key" id="idempotency-key" value="[0-9a-f-]{36}"', html)
    assert 'id="nav-hotline"' in html and 'aria-current="page"' in html
    english = web.get("/hotline?lang=en", headers=as_user("hotline")).text
    assert "Caller&#39;s phone" in english and "The caller wants a call back" in english
    assert '<optgroup label="Components · ' in english
    assert "Street light" in english and "type its WGS-84 longitude and latitude" in english


def test_a_call_is_saved_and_its_receipt_shown_to_read_out(web, session, as_user):
    answer = _post(web, as_user, _call(session))
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    receipt = re.search(r"receipt=([0-9A-Z-]+)", location).group(1)
    case = session.scalars(select(Case).where(Case.receipt == receipt)).one()
    assert (case.channel, case.callback_wanted, case.category_code) == ("hotline", True, "0107")
    assert case.reporter_phone == PHONE  # stored (encrypted), shown masked
    assert case.reporter_name == "王**" and case.grid_code == WORKER_GRID
    shown = web.get(location, headers=as_user("hotline")).text
    groups = receipt.split("-")
    assert 'class="hotline__group">' + groups[0] in shown
    assert all(f">{g}</span>" in shown for g in groups)
    assert "请向来电人读出受理编号" in shown and "登记新来电" in shown
    assert "139****5678" in shown and PHONE not in shown and "王小明" not in shown
    assert "结案后回访" in shown
    english = web.get(location.replace("lang=zh", "lang=en"), headers=as_user("hotline")).text
    assert "Read the receipt number out to the caller" in english and "New call" in english
    assert f'href="?lang=zh&amp;receipt={receipt}" id="lang-switch"' in english  # the same receipt


def test_a_call_without_a_callback_keeps_none(web, session, as_user):
    answer = _post(web, as_user, _call(session, callback_wanted="", reporter_phone=""))
    receipt = re.search(r"receipt=([0-9A-Z-]+)", answer.headers["location"]).group(1)
    case = session.scalars(select(Case).where(Case.receipt == receipt)).one()
    assert case.callback_wanted is False and case.reporter_phone is None
    shown = web.get(answer.headers["location"], headers=as_user("hotline")).text
    assert "未留电话" in shown and "不需要" in shown


@pytest.mark.parametrize(
    ("change", "field", "zh"),
    [
        ({"lon": "", "lat": ""}, "location", "请在地图上选点或输入经纬度"),
        ({"lon": "東經"}, "location", "经纬度须为数字"),
        ({"lat": "95"}, "location", "经纬度超出范围"),
        ({"lon": "116.4", "lat": "39.9"}, "location", "不在"),  # Beijing: outside the district
        ({"category_code": ""}, "category_code", "请选择问题类别"),
        ({"category_code": "9999"}, "category_code", "9999"),
        ({"description": "   "}, "description", "请描述问题"),
        ({"reporter_phone": "12345"}, "reporter_phone", "电话号码格式不正确"),
        ({"reporter_name": "名" * 51}, "reporter_name", "姓名最多 50 字"),
    ],
)
def test_a_wrong_field_brings_the_form_back_as_typed_and_saves_nothing(
    web, session, as_user, change, field, zh
):
    before = _count(session)
    data = _call(session, **change)
    answer = _post(web, as_user, data)
    assert answer.status_code == 422, answer.text
    html = answer.text
    assert _count(session) == before
    error_id = {"category_code": "category-error"}.get(field, f"{field}-error")
    error = re.search(
        rf'<p id="{error_id}" class="[^"]*field-error" role="alert">([^<]*)</p>', html
    )
    assert error and zh in error.group(1), html[html.find("call-errors") :][:600]
    anchor = {"location": "report-lon", "category_code": "category-code"}.get(field, field)
    assert f'href="#{anchor}"' in html and 'aria-invalid="true"' in html
    assert "路灯杆被撞歪了" in html or field == "description"  # as typed
    assert 'name="callback_wanted" type="checkbox" value="1" checked' in html


def test_errors_are_in_english_on_the_english_form(web, session, as_user):
    answer = _post(web, as_user, _call(session, lon="", lat="", description=""), lang="en")
    assert answer.status_code == 422
    assert "Correct these; the call is not saved yet" in answer.text
    assert "Pick the point on the map or type its longitude and latitude" in answer.text
    assert "Describe the problem" in answer.text


def test_a_required_attribute_of_the_category_is_asked_for_at_its_field(web, session, as_user):
    before = _count(session)
    data = _call(session, category_code="0101")  # 井盖: 缺损情况 required
    answer = _post(web, as_user, data)
    assert answer.status_code == 422 and _count(session) == before
    assert 'name="attr.damage" value="missing"' in answer.text
    assert 'id="attr-0101-damage-error"' in answer.text and 'href="#category"' in answer.text
    saved = _post(web, as_user, data | {"attr.damage": "missing"})
    assert saved.status_code == 303, saved.text
    receipt = re.search(r"receipt=([0-9A-Z-]+)", saved.headers["location"]).group(1)
    case = session.scalars(select(Case).where(Case.receipt == receipt)).one()
    assert '"damage": "missing"' in case.attributes


def test_only_the_hotline_channels_roles_take_calls(web, session, as_user):
    browser = web.get("/hotline", headers={"Accept": "text/html"}, follow_redirects=False)
    assert browser.status_code == 303 and "/login?next=/hotline" in browser.headers["location"]
    before = _count(session)
    for username in ("citizen", "gridworker", "community"):  # cases.intake, not on 12345
        response = web.get("/hotline", headers=as_user(username))
        assert response.status_code == 403, username
        assert "hotline" in response.json()["error"]["message"]
        assert _post(web, as_user, _call(session), username).status_code == 403
    for username in ("street", "department", "leader"):
        assert web.get("/hotline", headers=as_user(username)).status_code == 403
    assert _count(session) == before
    assert web.get("/hotline", headers=as_user("command")).status_code == 200
    assert 'id="nav-hotline"' not in web.get("/", headers=as_user("leader")).text


def test_a_receipt_outside_the_scope_or_unknown_shows_the_form_with_the_reason(web, as_user):
    missing = web.get("/hotline?receipt=2222-3333-4444", headers=as_user("hotline"))
    assert missing.status_code == 404 and "没有找到该受理编号的来电" in missing.text
    assert 'id="call-form"' in missing.text


def test_a_call_in_another_street_of_the_district_is_taken(web, session, as_user):
    answer = _post(web, as_user, _call(session, OTHER_GRID))  # the operator: the district
    assert answer.status_code == 303


def test_the_hotline_account_starts_on_the_call_form(web):
    answer = post_login(
        web,
        data={"username": "hotline", "password": DEMO_PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/hotline"
    web.cookies.clear()
    asked = post_login(
        web,
        data={"username": "hotline", "password": DEMO_PASSWORD, "next": "/callbacks"},
        follow_redirects=False,
    )
    assert asked.headers["location"] == "/callbacks"  # the page asked for comes first
    web.cookies.clear()
    command = post_login(
        web,
        data={"username": "command", "password": DEMO_PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert command.headers["location"] == "/console"  # the duty chief: the console


def test_a_call_sent_twice_with_its_key_is_saved_once(web, session, as_user):
    before = _count(session)
    data = _call(session, idempotency_key="5f0c6c1e-6c43-4d0f-9a53-3f1d2a7b8c90")
    first = _post(web, as_user, data)
    again = _post(web, as_user, data)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert _count(session) == before + 1
