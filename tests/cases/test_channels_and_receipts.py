"""Who may enter a case on which channel, and who is given another case's receipt."""

import pytest
from sqlalchemy import func, select

from onegrid.cases import intake
from onegrid.cases.bulk.engine import BulkEngine, Row
from onegrid.cases.models import Case, CaseEvent, Channel
from onegrid.core.errors import Forbidden
from onegrid.core.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    Principal,
    Role,
    Scope,
    operator,
)
from tests.cases.conftest import MONDAY, OTHER_GRID, report


def _body(point, **extra) -> dict:
    return {
        "category_code": "0107",
        "description": "路灯不亮",
        "lon": point.x,
        "lat": point.y,
    } | extra


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Case))


def _channel(session, receipt: str) -> str:
    return session.scalar(select(Case.channel).where(Case.receipt == receipt))


# What each role that takes cases in may enter them on; the first is its default.
CHANNELS = {
    "citizen": ["citizen"],
    "gridworker": ["grid_worker"],
    "community": ["grid_worker"],
    "command": ["hotline", "api"],
}


@pytest.mark.parametrize("username", list(CHANNELS))
def test_each_role_enters_cases_on_its_own_channels_only(api, session, inside, username):
    allowed = CHANNELS[username]
    default = api(username, "post", "/cases", json=_body(inside))
    assert default.status_code == 201, default.text
    assert _channel(session, default.json()["receipt"]) == allowed[0]
    for channel in Channel:
        before = _count(session)
        response = api(username, "post", "/cases", json=_body(inside, channel=channel.value))
        if channel.value in allowed:
            assert response.status_code == 201, response.text
            assert _channel(session, response.json()["receipt"]) == channel.value
            continue
        assert response.status_code == 403, (channel, response.text)
        message = response.json()["error"]["message"]
        assert channel.value in message and "渠道" in message and allowed[0] in message
        assert _count(session) == before  # nothing written


def test_every_role_that_takes_cases_in_has_channels():
    takers = {r for r, perms in ROLE_PERMISSIONS.items() if Permission.CASES_INTAKE in perms}
    assert takers == set(intake.ROLE_CHANNELS)
    assert all(intake.ROLE_CHANNELS[role] for role in takers)


def test_the_intake_service_refuses_a_channel_the_role_may_not_use(session, inside):
    who = _principal("citizen")
    report_ = intake.Report(
        channel=Channel.HOTLINE,
        category_code="0107",
        description="路灯",
        lon=inside.x,
        lat=inside.y,
    )
    [refused] = intake.intake_many(session, [intake.Entry(report=report_, who=who, now=MONDAY)])
    assert isinstance(refused, Forbidden) and "hotline" in refused.en
    # The operator's command line (and bulk import) may give any channel.
    assert report(session, inside, channel=Channel.OPEN311).channel == "open311"


def _principal(role: str) -> Principal:
    """A signed-in user of this role, as the intake service sees them."""
    return Principal(
        user_id=None,
        username=f"test-{role}",
        role=Role(role),
        scope=Scope(district_code="210104"),
        permissions=ROLE_PERMISSIONS[Role(role)],
    )


def test_a_citizen_account_is_never_given_another_reporters_receipt(api, session, inside):
    first = report(session, inside, when=None)
    response = api("citizen", "post", "/cases", json=_body(inside))
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["possible_duplicate"] is True and answer["duplicate_of"] is None
    assert first.receipt not in response.text


def test_staff_get_a_duplicates_receipt_only_for_a_case_they_may_read(api, session, outside):
    theirs = report(session, outside, when=None)  # a case in another street's grid
    # The grid worker may report anywhere, but reads only their own grid.
    response = api("gridworker", "post", "/cases", json=_body(outside))
    assert response.status_code == 201, response.text
    assert response.json()["possible_duplicate"] is True
    assert response.json()["duplicate_of"] is None and theirs.receipt not in response.text
    # Nor does the case's own view or timeline show it to them once it is theirs to read…
    mine = session.scalars(select(Case).where(Case.receipt == response.json()["receipt"])).one()
    assert mine.duplicate_of_id == theirs.id
    # … while the command centre, who reads the whole district, is told.
    command = api("command", "post", "/cases", json=_body(outside)).json()
    assert command["duplicate_of"] == theirs.receipt
    shown = api("command", "get", f"/cases/{mine.id}").json()
    assert shown["duplicate_of"] == theirs.receipt
    [event] = api("command", "get", f"/cases/{mine.id}/timeline").json()
    assert event["data"]["duplicate_of"] == theirs.receipt


def test_a_readers_view_and_timeline_leave_out_receipts_of_cases_outside_their_scope(
    api, session, inside, outside
):
    theirs = report(session, outside, when=None)
    mine = report(session, inside, when=None)
    # Suggested at intake for a case just across a border: here, linked by hand.
    mine.duplicate_of_id = theirs.id
    event = session.scalars(select(CaseEvent).where(CaseEvent.case_id == mine.id)).one()
    event.data = f'{{"channel": "hotline", "duplicate_of": "{theirs.receipt}"}}'
    session.flush()
    shown = api("gridworker", "get", f"/cases/{mine.id}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["duplicate_of"] is None
    timeline = api("gridworker", "get", f"/cases/{mine.id}/timeline")
    assert timeline.json()[0]["data"]["duplicate_of"] is None
    assert theirs.receipt not in shown.text + timeline.text
    assert api("command", "get", f"/cases/{mine.id}").json()["duplicate_of"] == theirs.receipt
    assert theirs.grid_code == OTHER_GRID


def test_the_bulk_engine_holds_a_signed_in_role_to_its_channels(session, inside):
    def row(line: int, channel: Channel) -> Row:
        report_ = intake.Report(
            channel=channel,
            category_code="0107",
            description=f"路灯不亮 {line}",
            lon=inside.x,
            lat=inside.y,
        )
        return Row(line=line, report=report_, received_at=MONDAY)

    engine = BulkEngine(session, district_code="210104", who=_principal("command_centre"))
    result = engine.run([row(1, Channel.HOTLINE), row(2, Channel.CITIZEN)])
    assert [(r.line, "citizen" in r.en) for r in result.rejected] == [(2, True)]
    assert result.cases == 0  # a batch with a bad row writes nothing
    # The operator's import may give any channel.
    done = BulkEngine(session, district_code="210104", who=operator("test")).run(
        [row(3, Channel.CITIZEN)]
    )
    assert done.rejected == [] and done.cases == 1


def test_a_hotline_call_asks_for_a_callback_and_the_case_keeps_it(api, session, inside):
    body = _body(inside, channel="hotline", callback_wanted=True, reporter_phone="13912345678")
    response = api("command", "post", "/cases", json=body)
    assert response.status_code == 201, response.text
    case = session.scalars(select(Case).where(Case.receipt == response.json()["receipt"])).one()
    assert case.callback_wanted is True
    shown = api("command", "get", f"/cases/{case.id}").json()
    assert shown["callback_wanted"] is True and shown["reporter_phone"] != "13912345678"
    plain = api("command", "post", "/cases", json=_body(inside, channel="hotline"))
    assert _callback(session, plain.json()["receipt"]) is False  # not asked: none


def _callback(session, receipt: str) -> bool:
    return session.scalar(select(Case.callback_wanted).where(Case.receipt == receipt))


@pytest.mark.parametrize(
    ("username", "path", "channel"),
    [
        ("command", "/cases", "api"),
        ("gridworker", "/cases", None),
        ("citizen", "/cases", None),
        (None, "/public/cases", None),
    ],
)
def test_only_the_hotline_channel_may_ask_for_a_callback(
    api, session, inside, username, path, channel
):
    extra = {"channel": channel} if channel else {}
    before = _count(session)
    response = api(username, "post", path, json=_body(inside, callback_wanted=True, **extra))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["detail"]["field"] == "callback_wanted" and "12345" in error["message"]
    assert _count(session) == before  # nothing written


@pytest.mark.parametrize(
    "caller",
    [{}, {"reporter_name": "李先生"}, {"reporter_phone": "13912345678", "anonymous": True}],
)
def test_a_callback_needs_the_callers_phone(api, session, inside, caller):
    """Nobody could call back a caller who left no number: the callback list would hold them."""
    before = _count(session)
    body = _body(inside, channel="hotline", callback_wanted=True, **caller)
    response = api("command", "post", "/cases", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["detail"]["field"] == "reporter_phone"
    assert _count(session) == before
