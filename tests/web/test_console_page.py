"""/console: the queues as the command centre, an area's staff and a leader see them: the tabs'
counts, the rows of a queue (its light, time left, a link to the case), filters and a search in
Chinese, a keyset "next page", refusals naming the parameter; /console/live the list alone.
TestClient on the demo district, cases built by hand (tests/cases/test_queue.py's `build`)."""

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest

from onegrid.cases.models import State
from onegrid.db.base import utcnow
from onegrid.demo.build import DEMO_PASSWORD
from onegrid.web.pages import console as page
from tests.cases.conftest import OTHER_GRID, WORKER_GRID, point_in, report
from tests.login_form import post_login

HTML = {"Accept": "text/html"}


@pytest.fixture
def as_user(tokens):
    def headers(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[username]}", **HTML}

    return headers


@pytest.fixture
def build(session):
    """Makes a case in this state, due in so many hours (None: no clock), where and as told."""

    def make(state=State.RECEIVED, due_in_hours=None, grid=WORKER_GRID, **extra):
        case = report(session, point_in(session, grid), **extra)
        case.state = state.value
        if due_in_hours is None:
            case.stage = case.stage_started_at = case.stage_deadline = None
        else:
            now = utcnow()
            case.stage, case.stage_started_at = "handle", now - timedelta(hours=1)
            case.stage_deadline = now + timedelta(hours=due_in_hours)
        session.flush()
        return case

    return make


def _rows(html: str) -> list[str]:
    return re.findall(r'class="console-row" data-receipt="([^"]+)"', html)


def _count(html: str, queue: str) -> int:
    tab = re.search(rf'id="tab-{queue}".*?data-count="(\d+)"', html, re.S)
    return int(tab[1])


def test_the_command_centre_sees_the_queues_counted_and_the_soonest_due_first(web, as_user, build):
    later = build(State.DISPATCHED, due_in_hours=30)
    late = build(State.DISPATCHED, due_in_hours=-2)
    build(State.HANDLED, due_in_hours=4)
    build(State.RECEIVED, due_in_hours=2)
    html = web.get("/console?queue=handle", headers=as_user("command")).text
    assert "案件工作台" in html and "处置" in html and "超时" in html
    assert _count(html, "handle") == 2 and _count(html, "check") == 1
    assert _count(html, "received") == 1 and _count(html, "overdue") == 1
    assert _rows(html) == [late.receipt, later.receipt]
    assert f'href="/cases/{late.id}?lang=zh"' in html
    assert "红灯" in html and "超时 " in html  # the light and the working time past due
    # The command centre ticks cases for the bulk actions; the form posts to /console/bulk.
    assert '<form id="bulk-form" method="post" action="/console/bulk">' in html
    assert f'name="case" value="{late.id}"' in html
    assert 'name="action" value="dispatch"' in html and 'name="action" value="void"' in html
    assert 'name="action" value="merge"' in html and 'name="csrf_token"' in html
    # The exports keep the filters.
    assert 'href="/console/export.csv?queue=handle&amp;lang=zh"' in html
    assert 'href="/console/export.xlsx?queue=handle&amp;lang=zh"' in html
    english = web.get("/console?queue=handle&lang=en", headers=as_user("command")).text
    assert "Case console" in english and "Handling" in english and "Red: overdue" in english
    assert "Keyboard" in english and "j / ↓ next case" in english


def test_the_search_finds_chinese_words_in_descriptions_and_addresses(web, as_user, build):
    manhole = build(description="小区门口井盖丢失，晚上很危险", address="北海街12号")
    build(description="楼下烧烤店噪音扰民")
    for query in ("井盖", "井", "北海街", "丢失 井盖"):
        html = web.get(
            "/console", params={"queue": "received", "q": query}, headers=as_user("command")
        )
        assert _rows(html.text) == [manhole.receipt], query
        assert f'value="{query}"' in html.text  # the box keeps the query
    html = web.get(
        "/console", params={"queue": "received", "q": "井害"}, headers=as_user("command")
    )
    assert _rows(html.text) == [] and "此队列中没有符合条件的案件。" in html.text
    # The tabs count what the search found.
    assert _count(html.text, "received") == 0


def test_filters_narrow_the_list_and_the_counts(web, as_user, build):
    here = build(State.OPENED, due_in_hours=3)
    there = build(State.OPENED, due_in_hours=3, grid=OTHER_GRID, category="0201")
    html = web.get(
        "/console",
        params={"queue": "dispatch", "street": OTHER_GRID[:9]},
        headers=as_user("command"),
    ).text
    assert _rows(html) == [there.receipt] and _count(html, "dispatch") == 1
    assert f'<option value="{OTHER_GRID[:9]}" selected>' in html
    html = web.get(
        "/console", params={"queue": "dispatch", "category": "0107"}, headers=as_user("command")
    ).text
    assert _rows(html) == [here.receipt]


def test_next_page_follows_the_cursor(web, as_user, build, monkeypatch):
    monkeypatch.setattr(page, "PAGE_SIZE", 2)
    made = [build(State.HANDLED, due_in_hours=h) for h in (1, 2, 3, 4, 5)]
    seen, path = [], "/console?queue=check"
    while path:
        html = web.get(path, headers=as_user("command")).text
        seen += _rows(html)
        found = re.search(r'id="next-page" class="button" href="([^"]+)"', html)
        path = unquote(found[1].replace("&amp;", "&")) if found else None
    assert seen == [c.receipt for c in made]


def test_the_live_list_is_the_list_alone(web, as_user, build):
    case = build(State.RECEIVED, due_in_hours=2)
    live = web.get("/console/live?queue=received", headers=as_user("command")).text
    assert live.lstrip().startswith('<div id="console-live"') and "<html" not in live
    assert _rows(live) == [case.receipt]
    assert 'hx-trigger="every 10s"' in live and 'hx-get="/console/live?queue=received' in live


def test_an_area_starts_on_its_overdue_cases_and_never_sees_another_area(web, as_user, build):
    mine = build(State.DISPATCHED, due_in_hours=-1)
    build(State.DISPATCHED, due_in_hours=-1, grid=OTHER_GRID)
    build(State.DISPATCHED, due_in_hours=5)
    for user in ("street", "community"):
        html = web.get("/console", headers=as_user(user)).text
        assert 'id="tab-overdue" class="tabs__tab" href' in html
        assert re.search(r'id="tab-overdue"[^>]*aria-current="page"', html)
        assert _rows(html) == [mine.receipt], user
        assert 'name="case"' not in html and 'id="bulk-form"' in html  # no ticks: not theirs
    leader = web.get("/console?queue=handle", headers=as_user("leader")).text
    assert len(_rows(leader)) == 3 and 'name="case"' not in leader


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("queue=later", "queue"),
        ("street=12", "street"),
        ("light=blue", "light"),
        ("received_from=2026-02-30", "received_from"),
        ("after=nonsense", "after"),
    ],
)
def test_a_bad_parameter_is_a_422_page_naming_it(web, as_user, query, field):
    response = web.get(f"/console?{query}", headers=as_user("command"))
    assert response.status_code == 422
    assert field in response.text and "Traceback" not in response.text


def test_who_may_not_read_cases_is_refused(web, as_user):
    assert web.get("/console", headers=as_user("citizen")).status_code == 403
    assert web.get("/console", headers=as_user("auditadmin")).status_code == 403


@pytest.mark.parametrize(("user", "start"), [("command", "/console"), ("hotline", "/hotline")])
def test_signing_in_leads_the_command_centre_to_the_console(web, user, start):
    response = post_login(
        web, data={"username": user, "password": DEMO_PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == start


def test_the_navigation_shows_the_console_to_the_queues_readers(web, as_user):
    for user, shown in (
        ("command", True),
        ("street", True),
        ("leader", True),
        ("gridworker", False),
    ):
        html = web.get("/console?queue=all", headers=as_user(user)).text
        assert ('id="nav-console"' in html) is shown, user


def test_the_bulk_form_posts_what_console_bulk_takes(web, as_user, build):
    one, two = build(State.RECEIVED, due_in_hours=2), build(State.RECEIVED, due_in_hours=3)
    html = web.get("/console?queue=received", headers=as_user("command")).text
    for field in ('name="note"', 'name="into"', 'name="department_code"', 'name="csrf_token"'):
        assert field in html
    token = re.search(r'name="csrf_token" value="([^"]*)"', html)[1]
    sent = web.post(
        "/console/bulk",
        data={"case": [one.id, two.id], "action": "void", "note": "重复报告", "csrf_token": token},
        headers=as_user("command"),
    )
    assert sent.status_code == 200, sent.text[:300]
    assert one.receipt in sent.text and two.receipt in sent.text
    after = web.get("/console?queue=received", headers=as_user("command")).text
    assert _rows(after) == []


def test_the_keyboard_help_reads_in_the_pages_language(web, as_user):
    """The colon belongs to the language: a full-width one in Chinese, a plain one in English."""
    english = web.get("/console", params={"lang": "en"}, headers=as_user("command")).text
    assert '<span class="console__keys-title">Keyboard: </span>j / ↓ next case' in english
    assert "：" not in re.search(r'id="console-keys">(.*?)</p>', english, re.S)[1]
    chinese = web.get("/console", params={"lang": "zh"}, headers=as_user("command")).text
    assert '<span class="console__keys-title">键盘操作：</span>j / ↓ 下一条' in chinese


def test_a_refused_bulk_action_says_why_on_its_page(web, as_user, build):
    """Sent without the page's script, a void without its reason is a 422 page in the user's
    language saying what is missing (the domain's words), and nothing is voided."""
    one = build(State.RECEIVED)
    html = web.get("/console?queue=received&lang=en", headers=as_user("command")).text
    token = re.search(r'name="csrf_token" value="([^"]*)"', html)[1]
    sent = web.post(
        "/console/bulk?lang=en",
        data={"case": [one.id], "action": "void", "note": " ", "csrf_token": token},
        headers=as_user("command"),
    )
    assert sent.status_code == 422
    assert "The value of “note” is not valid." in sent.text
    assert '<p id="error-detail" class="muted">give the reason for voiding in the note</p>' in (
        sent.text
    )
    assert one.receipt in web.get("/console?queue=received", headers=as_user("command")).text
    # A parameter the framework refuses keeps its raw words off the page.
    raw = web.post(
        "/console/bulk?lang=en",
        data={"case": ["abc"], "action": "void", "note": "x", "csrf_token": token},
        headers=as_user("command"),
    )
    assert raw.status_code == 422 and "int_parsing" not in raw.text
    assert 'id="error-detail"' not in raw.text
