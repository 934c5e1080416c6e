"""The /employment page: the totals a 人社 handler and a leader read, the entries only the
handler reads (borrowers masked), its forms, refusals naming the field, and the exports."""

import re

import pytest

from tests.employment.conftest import STREET, credit_code
from tests.sheets import csv_rows, xlsx_sheets

FORM = {
    "enterprise_name": "沈阳页面测试有限公司",
    "credit_code": credit_code(7),
    "street_code": STREET,
    "period": "2026-12",
    "amount": "12,345.60",
    "jobs_kept": "25",
    "paid_at": "2026-12-05",
}
NO_REDIRECT = {"follow_redirects": False}


def _figure(page: str, code: str) -> str:
    """The figure's value, and for an amount its exact value in yuan after it."""
    found = re.search(
        rf'data-figure="{code}">.*?data-value="([^"]+)">[^<]*</dd>(.*?)</div>', page, re.S
    )
    assert found, code
    exact = re.search(r'class="figure__detail">([^<]+)<', found.group(2))
    return f"{found.group(1)} {exact.group(1)}" if exact else found.group(1)


def test_the_handler_reads_the_seeds_totals_and_the_entries_masked(as_user):
    page = as_user("hr", "get", "/employment").text
    assert _figure(page, "enterprises") == "3,225"
    assert _figure(page, "subsidy_fen") == "2,411.00 万元 ¥24,110,000.00"
    assert _figure(page, "jobs_kept") == "75,000"
    assert _figure(page, "loan_fen") == "3.10 亿元 ¥310,000,000.00"
    assert _figure(page, "jobs_created") == "1,799"
    assert 'id="subsidy-form"' in page and 'id="loan-table"' in page
    names = re.findall(r'<tr data-loan="\d+">\s*<td[^>]*>\d+</td><td>([^<]+)<', page)
    assert names and all(re.fullmatch(r".\*+", n.strip()) for n in names)
    numbers = re.findall(r"\d{4}\*{10}[\dX]{4}", page)
    assert len(numbers) == len(names)


def test_a_leader_reads_totals_and_no_entry_no_name_no_form(as_user):
    page = as_user("leader", "get", "/employment").text
    assert _figure(page, "enterprises") == "3,225"
    assert 'id="by-street"' in page
    for absent in ('id="loan-table"', 'id="subsidy-table"', 'id="subsidy-form"', "export.csv"):
        assert absent not in page
    assert as_user("leader", "get", "/employment/loans/export.csv").status_code == 403
    assert as_user("leader", "post", "/employment/subsidies", data=FORM).status_code == 403


def test_the_form_records_a_payment_and_refuses_the_same_one_again(as_user):
    done = as_user("hr", "post", "/employment/subsidies", data=FORM, **NO_REDIRECT)
    assert done.status_code == 303 and "done=paid" in done.headers["location"]
    page = as_user("hr", "get", "/employment?done=paid").text
    assert "已记录稳岗补贴发放" in page
    assert _figure(page, "enterprises") == "3,226"
    assert _figure(page, "subsidy_fen") == "2,412.23 万元 ¥24,122,345.60"
    assert "沈阳页面测试有限公司" in page
    again = as_user("hr", "post", "/employment/subsidies?lang=en", data=FORM)
    assert again.status_code == 409
    assert "was paid its subsidy for 2026-12 already" in again.text
    assert 'id="subsidy_credit_code-error"' in again.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("credit_code", "91350100M000100Y44", "校验码（最后一位）不正确"),
        ("amount", "12.345", "最多两位小数"),
        ("period", "2026-13", "月份格式不正确"),
        ("street_code", "210104999", "请选择管辖范围内的街道"),
    ],
)
def test_a_refused_form_names_its_field_and_keeps_what_was_typed(as_user, field, value, message):
    refused = as_user("hr", "post", "/employment/subsidies", data=FORM | {field: value})
    assert refused.status_code == 422
    assert f'id="subsidy_{field}-error"' in refused.text and message in refused.text
    assert "沈阳页面测试有限公司" in refused.text  # what was typed is kept
    page = as_user("hr", "get", "/employment").text
    assert _figure(page, "enterprises") == "3,225"  # nothing written


def test_a_loan_recorded_in_the_form_is_listed_masked(as_user):
    loan = {
        "borrower_name": "王建国",
        "id_number": "11010519491231002X",
        "street_code": STREET,
        "amount": "200000",
        "jobs_created": "4",
        "granted_at": "2026-12-02",
    }
    done = as_user("hr", "post", "/employment/loans", data=loan, **NO_REDIRECT)
    assert done.status_code == 303
    page = as_user("hr", "get", "/employment").text
    assert "王**" in page and "1101**********002X" in page
    assert "王建国" not in page and "11010519491231002X" not in page
    refused = as_user(
        "hr", "post", "/employment/loans", data=loan | {"id_number": "110105194912310021"}
    )
    assert refused.status_code == 422 and 'id="loan_id_number-error"' in refused.text
    assert "110105194912310021" not in refused.text  # an ID number typed is not sent back


def test_a_reversal_in_the_form_takes_the_payment_back_out_of_the_totals(as_user, session):
    as_user("hr", "post", "/employment/subsidies", data=FORM, **NO_REDIRECT)
    entry = re.search(r'<tr data-entry="(\d+)">', as_user("hr", "get", "/employment").text)
    undo = {"entry_id": entry.group(1), "reason": "企业申报有误", "paid_at": "2026-12-07"}
    done = as_user("hr", "post", "/employment/subsidies/reversal", data=undo, **NO_REDIRECT)
    assert done.status_code == 303 and "done=reversed" in done.headers["location"]
    page = as_user("hr", "get", "/employment").text
    assert _figure(page, "enterprises") == "3,225"
    assert _figure(page, "subsidy_fen") == "2,411.00 万元 ¥24,110,000.00"
    assert "-¥12,345.60" in page and "企业申报有误" in page


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_the_exports_hold_every_entry_borrowers_masked(as_user, format):
    subsidies = as_user("hr", "get", f"/employment/subsidies/export.{format}")
    loans = as_user("hr", "get", f"/employment/loans/export.{format}")
    for answer in (subsidies, loans):
        assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    if format == "csv":
        subsidy_rows, loan_rows = csv_rows(subsidies.content), csv_rows(loans.content)
    else:
        subsidy_rows = xlsx_sheets(subsidies.content)["subsidies"]
        loan_rows = xlsx_sheets(loans.content)["loans"]
    assert len(subsidy_rows) == 1 + 3225 and len(loan_rows) == 1 + 1240
    amount = subsidy_rows[0].index("金额（元）")
    assert round(sum(float(r[amount]) for r in subsidy_rows[1:]), 2) == 24_110_000.00
    header = loan_rows[0]
    assert all(re.fullmatch(r".\*+", r[header.index("借款人")]) for r in loan_rows[1:])
    assert all(
        re.fullmatch(r"\d{4}\*{10}[\dX]{4}", r[header.index("身份证号码")]) for r in loan_rows[1:]
    )
