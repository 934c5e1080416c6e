"""The employment ledgers through the API, on both stores: a payment once per enterprise and
period, a reversal as a new entry, totals equal to the sum of the entries, borrowers masked,
and who sees what."""

from sqlalchemy import func, select, text

from onegrid.audit.models import AuditRecord
from onegrid.employment.models import StartupLoan, SubsidyEntry
from tests.employment.conftest import OTHER_STREET, STREET, loan, payment


def _totals(api, who="hr") -> dict:
    answer = api(who, "get", "/employment/totals")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_demo_holds_the_seeds_figures(api):
    total = _totals(api)["total"]
    assert total["enterprises"] == 3225 and total["subsidy_fen"] == 24_110_000_00
    assert total["jobs_kept"] == 75_000
    assert total["loan_fen"] == 310_000_000_00 and total["jobs_created"] == 1799


def test_a_payment_is_recorded_and_the_totals_grow_by_it(api):
    before = _totals(api)
    answer = api("hr", "post", "/employment/subsidies", json=payment())
    assert answer.status_code == 201, answer.text
    entry = answer.json()
    assert entry["kind"] == "payment" and entry["amount_fen"] == 123_456
    after = _totals(api)
    assert after["total"]["enterprises"] == before["total"]["enterprises"] + 1
    assert after["total"]["subsidy_fen"] == before["total"]["subsidy_fen"] + 123_456
    assert after["total"]["jobs_kept"] == before["total"]["jobs_kept"] + 40
    row = next(r for r in after["rows"] if (r["period"], r["street_code"]) == ("2026-12", STREET))
    assert (row["enterprises"], row["subsidy_fen"], row["jobs_kept"]) == (1, 123_456, 40)


def test_an_enterprise_is_not_paid_twice_for_a_period(api, session):
    assert api("hr", "post", "/employment/subsidies", json=payment()).status_code == 201
    again = api("hr", "post", "/employment/subsidies", json=payment(amount_fen=5))
    assert again.status_code == 409
    message = again.json()["error"]["message"]
    assert "不能重复发放" in message
    count = session.scalar(
        select(func.count()).where(SubsidyEntry.credit_code == payment()["credit_code"])
    )
    assert count == 1
    # Another period is another payment.
    other = api("hr", "post", "/employment/subsidies", json=payment(period="2026-11"))
    assert other.status_code == 201


def test_a_reversal_is_a_negative_entry_naming_its_payment_and_is_made_once(api):
    before = _totals(api)["total"]
    paid = api("hr", "post", "/employment/subsidies", json=payment()).json()
    body = {"reason": "企业不符合条件", "paid_at": "2026-12-06"}
    reversal = api("hr", "post", f"/employment/subsidies/{paid['id']}/reversal", json=body)
    assert reversal.status_code == 201, reversal.text
    undone = reversal.json()
    assert undone["kind"] == "reversal" and undone["reverses_id"] == paid["id"]
    assert undone["amount_fen"] == -123_456 and undone["jobs_kept"] == -40
    assert _totals(api)["total"] == before
    twice = api("hr", "post", f"/employment/subsidies/{paid['id']}/reversal", json=body)
    assert twice.status_code == 409
    of_reversal = api("hr", "post", f"/employment/subsidies/{undone['id']}/reversal", json=body)
    assert of_reversal.status_code == 422
    # Reversed, the enterprise may be paid for the period again (the corrected amount).
    assert api("hr", "post", "/employment/subsidies", json=payment()).status_code == 201
    assert api("hr", "post", "/employment/subsidies", json=payment()).status_code == 409


def test_the_totals_are_exactly_the_sums_of_the_entries(api, session):
    api("hr", "post", "/employment/subsidies", json=payment(1))
    paid = api("hr", "post", "/employment/subsidies", json=payment(2, street_code=OTHER_STREET))
    api(
        "hr",
        "post",
        f"/employment/subsidies/{paid.json()['id']}/reversal",
        json={"reason": "重复申报", "paid_at": "2026-12-07"},
    )
    api("hr", "post", "/employment/loans", json=loan())
    rows = _totals(api)["rows"]
    for row in rows:
        period, street = row["period"], row["street_code"]
        entries = session.scalars(
            select(SubsidyEntry).where(
                SubsidyEntry.period == period, SubsidyEntry.street_code == street
            )
        ).all()
        assert row["subsidy_fen"] == sum(e.amount_fen for e in entries)
        assert row["jobs_kept"] == sum(e.jobs_kept for e in entries)
        assert row["enterprises"] == sum(1 if e.kind == "payment" else -1 for e in entries)
        loans = session.scalars(
            select(StartupLoan).where(
                StartupLoan.month == period, StartupLoan.street_code == street
            )
        ).all()
        assert (row["loans"], row["loan_fen"]) == (len(loans), sum(n.amount_fen for n in loans))
        assert row["jobs_created"] == sum(n.jobs_created for n in loans)
    assert sum(r["subsidy_fen"] for r in rows) == session.scalar(
        select(func.sum(SubsidyEntry.amount_fen))
    )


def test_a_loan_is_stored_sealed_and_shown_masked_until_revealed(api, session):
    answer = api("hr", "post", "/employment/loans", json=loan())
    assert answer.status_code == 201, answer.text
    shown = answer.json()
    assert shown["borrower_name"] == "李**"
    assert shown["id_number"] == "1101**********002X"
    stored = session.get(StartupLoan, shown["id"])
    raw = session.execute(
        text("SELECT id_number, sealed_borrower_name FROM employment_loan WHERE id = :id"),
        {"id": shown["id"]},
    ).one()
    assert stored.borrower_name == "李**" and all(v.startswith("v1:") for v in raw)
    listed = api("hr", "get", "/employment/loans?limit=5").json()
    assert listed[0]["id"] == shown["id"] and "李小龙" not in str(listed)
    purpose = {"field": "borrower_name", "purpose": "核对贷款人身份信息"}
    revealed = api("hr", "post", f"/employment/loans/{shown['id']}/reveal", json=purpose)
    assert revealed.status_code == 200 and revealed.json()["value"] == "李小龙"
    record = session.scalars(
        select(AuditRecord)
        .where(AuditRecord.action == "pii.reveal")
        .order_by(AuditRecord.seq.desc())
    ).first()
    assert record.object_type == "employment_loan" and record.object_id == str(shown["id"])


def test_bad_input_is_a_4xx_naming_the_field_and_writes_nothing(api, session):
    before = session.scalar(select(func.count()).select_from(SubsidyEntry))
    wrong_code = api(
        "hr", "post", "/employment/subsidies", json=payment(credit_code="91350100M000100Y44")
    )
    assert wrong_code.status_code == 422
    assert "统一社会信用代码" in wrong_code.json()["error"]["message"]
    not_a_street = api("hr", "post", "/employment/subsidies", json=payment(street_code="210104999"))
    assert not_a_street.status_code == 422
    assert "街道" in not_a_street.json()["error"]["message"]
    negative = api("hr", "post", "/employment/subsidies", json=payment(amount_fen=-5))
    assert negative.status_code == 422
    bad_id = api("hr", "post", "/employment/loans", json=loan(id_number="110105194912310021"))
    assert bad_id.status_code == 422 and "身份证" in bad_id.json()["error"]["message"]
    assert session.scalar(select(func.count()).select_from(SubsidyEntry)) == before


def test_a_leader_sees_totals_never_names_and_others_see_nothing(api):
    assert api("leader", "get", "/employment/totals").status_code == 200
    for path in ("/employment/loans", "/employment/subsidies"):
        assert api("leader", "get", path).status_code == 403
    assert api("leader", "post", "/employment/subsidies", json=payment()).status_code == 403
    for who in ("community", "gridworker", "street", "command", "sysadmin"):
        assert api(who, "get", "/employment/totals").status_code == 403
        assert api(who, "get", "/employment/loans").status_code == 403
