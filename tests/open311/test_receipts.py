"""An Open311 client is never given another reporter's receipt (a receipt follows and rates a
case): a POST's answer, XML or JSON, names the new request only."""

import pytest

from onegrid.cases import intake
from onegrid.cases.models import Case, Channel
from onegrid.core.permissions import operator
from tests.open311.conftest import FORMATS, parse


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_post_near_an_open_case_is_told_of_it_but_not_given_its_receipt(
    o311, form, session, inside, fmt
):
    report = intake.Report(
        channel=Channel.HOTLINE,
        category_code="0107",
        description="路灯不亮",
        lon=inside.x,
        lat=inside.y,
    )
    first = intake.intake(session=session, report=report, who=operator("test"))
    response = o311("post", "requests", fmt, data=form())
    assert response.status_code == 200, response.text
    [created] = parse(response)
    assert "附近已有同一问题的报告" in created["service_notice"]
    case = session.get(Case, int(created["service_request_id"]))
    assert case.duplicate_of_id == first.id
    assert first.receipt not in response.text and case.receipt not in response.text
