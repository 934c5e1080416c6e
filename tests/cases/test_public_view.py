"""The public view of a case (cases/public.py): the steps a receipt shows, with departments and
photos of the result, never the people; and the hotline's callback list (cases/callbacks.py)."""

from datetime import timedelta

import pytest

from onegrid.cases import callbacks, public
from onegrid.cases.machine import Action
from onegrid.core.errors import NotFound
from onegrid.core.permissions import ANONYMOUS, Scope
from onegrid.db.base import utcnow
from tests.cases.conftest import MONDAY, report
from tests.cases.driving import (
    CALLER_PHONE,
    act,
    attach,
    drive_to_closed,
    drive_to_handled,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_the_steps_in_order_without_the_centres_oversight(session, inside):
    case = report(session, inside)
    photo = drive_to_closed(session, case)
    view = public.view(session=session, receipt=case.receipt)
    assert [s.action for s in view.steps] == [
        "receive",
        "open",
        "dispatch",
        "feedback",
        "check_pass",
    ]  # no supervise
    assert view.state == "closed" and view.can_rate and view.rating is None
    assert view.category.zh == "路灯不亮" and view.category.en
    dispatch, feedback = view.steps[2], view.steps[3]
    assert dispatch.department.zh == "区城市管理局" == feedback.department.zh
    assert [s.department for s in view.steps if s.action not in ("dispatch", "feedback")] == [
        None
    ] * 3
    assert feedback.photos == (photo,)
    assert all(s.photos == () for s in view.steps if s.action != "feedback")


def test_a_receipt_is_found_in_any_case_and_unknown_ones_are_not(session, inside):
    case = report(session, inside)
    assert public.view(session=session, receipt=case.receipt.lower()).state == "received"
    with pytest.raises(NotFound):
        public.view(session=session, receipt="ZZZZ-ZZZZ-ZZZZ")


def test_only_photos_of_the_result_are_public(session, inside):
    case = report(session, inside)
    act(session, case, "command", Action.OPEN)
    dispatch_photo = attach(session, case, "command")
    act(
        session,
        case,
        "command",
        Action.DISPATCH,
        data={"department_code": "urban_mgmt"},
        evidence_ids=[dispatch_photo],
    )
    loose = attach(session, case, "department")  # uploaded, attached to no step
    paper = attach(session, case, "department", PDF, "report.pdf")
    result = attach(session, case, "department")
    act(session, case, "department", Action.FEEDBACK, note="已修复", evidence_ids=[paper, result])
    check = attach(session, case, "gridworker")
    act(session, case, "gridworker", Action.CHECK_PASS, evidence_ids=[check])

    view = public.view(session=session, receipt=case.receipt)
    assert {s.action: s.photos for s in view.steps if s.photos} == {
        "feedback": (result,),
        "check_pass": (check,),
    }
    for shown in (result, check):
        found = public.result_photo(session=session, receipt=case.receipt, evidence_id=shown)
        assert found.id == shown
    for hidden in (dispatch_photo, loose, paper):
        with pytest.raises(NotFound):
            public.result_photo(session=session, receipt=case.receipt, evidence_id=hidden)
    other = report(session, inside, category="0108")
    with pytest.raises(NotFound):  # a photo of this case asked for with another's receipt
        public.result_photo(session=session, receipt=other.receipt, evidence_id=result)


def test_a_dispatch_by_the_routing_table_names_the_routed_department(session, inside):
    case = report(session, inside)
    act(session, case, "command", Action.OPEN)
    act(session, case, "command", Action.DISPATCH)  # no department named: the routing table's
    view = public.view(session=session, receipt=case.receipt)
    assert view.steps[-1].action == "dispatch"
    assert view.steps[-1].department.zh == "区城市管理局"


def test_a_suggested_duplicate_and_a_merged_report_say_it_was_reported_before(session, inside):
    first = report(session, inside)
    second = report(session, inside, when=MONDAY + timedelta(minutes=5))
    assert second.duplicate_of_id == first.id
    assert not public.view(session=session, receipt=first.receipt).reported_before
    assert public.view(session=session, receipt=second.receipt).reported_before
    third = report(session, inside, category="0108")
    fourth = report(session, inside, category="0108", when=MONDAY + timedelta(days=30))
    assert fourth.duplicate_of_id is None
    act(session, fourth, "command", Action.MERGE, data={"into": third.receipt})
    merged = public.view(session=session, receipt=fourth.receipt)
    assert merged.reported_before and merged.steps[0].action == "receive"


def test_rating_by_receipt_is_the_evaluate_transition(session, inside):
    case = report(session, inside)
    drive_to_closed(session, case)
    public.rate(
        session=session, receipt=case.receipt, rating=4, comment="很好", who=ANONYMOUS, source=None
    )
    assert (case.state, case.rating, case.rating_comment) == ("evaluated", 4, "很好")
    assert public.view(session=session, receipt=case.receipt).steps[-1].action == "evaluate"


# ---- the callback list ----------------------------------------------------------------------


def _hotline_closed(session, point, *, closed_in: int = 0, callback: bool = True, **extra):
    """A 12345 call closed `closed_in` minutes from now, its caller wanting a call back."""
    case = report(
        session,
        point,
        reporter_name="王小明",
        reporter_phone=CALLER_PHONE,
        callback_wanted=callback,
        **extra,
    )
    drive_to_handled(session, case, supervise=False)
    closing = utcnow() + timedelta(minutes=closed_in)
    act(session, case, "gridworker", Action.CHECK_PASS, now=closing)
    return case


def _waiting(session, scope=None):
    scope = scope or Scope(district_code="210104", unit_codes=("210104",))
    return [c.receipt for c in callbacks.waiting(session=session, scope=scope, limit=50)]


def test_the_callback_list_holds_closed_hotline_calls_waiting_oldest_first(session, inside):
    later = _hotline_closed(session, inside, closed_in=30)  # entered first, closed last
    earlier = _hotline_closed(session, inside, closed_in=10, category="0108")
    _hotline_closed(session, inside, callback=False, category="0109")  # no callback wanted
    assert _waiting(session) == [earlier.receipt, later.receipt]
    assert callbacks.count(session=session, scope=Scope("210104", ("210104",))) == 2
    first = callbacks.waiting(session=session, scope=Scope("210104", ("210104",)))[0]
    assert (first.caller_name, first.caller_phone) == ("王**", "139****5678")
    assert (first.category_name, first.category_name_en) == (
        "路灯杆体损坏",
        "Street light pole damaged",
    )
    act(session, earlier, "command", Action.EVALUATE, data={"rating": 5})  # called back
    assert _waiting(session) == [later.receipt]


def test_the_callback_list_keeps_to_the_scope(session, inside, outside):
    mine = _hotline_closed(session, inside)
    theirs = _hotline_closed(session, outside, category="0108")
    street = Scope(district_code="210104", unit_codes=("210104002",))  # 大北街道
    assert _waiting(session, street) == [mine.receipt]
    assert set(_waiting(session)) == {mine.receipt, theirs.receipt}
    assert _waiting(session, Scope(district_code="999999", unit_codes=("999999",))) == []
