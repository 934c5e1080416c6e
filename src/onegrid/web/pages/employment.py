"""The employment ledgers at `/employment`: the totals (enterprises paid, amount, jobs kept;
loans, amount, jobs created) by street and by month, for the 人社 handler and a leader; for the
人社 handler also the newest entries (borrowers masked), the forms that record a payment, a
reversal and a loan, and the lists as CSV or XLSX. The ledgers: employment/service.py."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from onegrid.audit import auditing
from onegrid.core import exports
from onegrid.core.access import require
from onegrid.core.errors import DomainError, Invalid
from onegrid.core.levels import Level
from onegrid.core.permissions import Permission, Principal
from onegrid.core.pii import PiiKind, mask
from onegrid.db import DbSession, WritingSession
from onegrid.employment import service
from onegrid.employment.models import EntryKind
from onegrid.employment.recording import loan_recorded, subsidy_recorded
from onegrid.employment.service import Totals
from onegrid.territory import service as territory
from onegrid.web.admin import FORM, admin_page, errors_of, forget_refused
from onegrid.web.rendering import Lang, language, root
from onegrid.web.strings import Strings, pick

router = APIRouter(include_in_schema=False)
TotalsReader = Annotated[Principal, require(Permission.EMPLOYMENT_TOTALS)]
Writer = Annotated[Principal, require(Permission.EMPLOYMENT_WRITE)]
Text = Annotated[str, Form(max_length=200)]
Short = Annotated[str, Form(max_length=40)]
SHOWN = 20  # newest entries of each ledger on the page; the exports hold them all
_SUBSIDY_FIELDS = (
    "enterprise_name",
    "credit_code",
    "street_code",
    "period",
    "amount",
    "jobs_kept",
    "paid_at",
)
_LOAN_FIELDS = ("borrower_name", "id_number", "street_code", "amount", "jobs_created", "granted_at")


def yuan(fen: int) -> str:
    """Returns an amount in fen as yuan: ¥24,110,000.00."""
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def _fen(text: str) -> int:
    try:
        amount = Decimal(text.strip().replace(",", "").removeprefix("¥"))
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise Invalid(*STRINGS["error_amount"], field="amount")
    return int(amount * 100)


def _whole(text: str, field: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise Invalid(*STRINGS["error_whole"], field=field) from None


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(*STRINGS["error_day"], field=field) from None


def _large(fen: int, lang: str) -> str:
    """Returns a large amount short enough for a figure: 2,411.00 万元, 3.10 亿元, ¥24.11M."""
    if lang == "en":
        return f"¥{fen / 100_000_000:,.2f}M"
    if abs(fen) >= 10_000_000_000:
        return f"{fen / 10_000_000_000:,.2f} 亿元"
    return f"{fen / 1_000_000:,.2f} 万元"


def _figures(total: Totals, t: dict, lang: str) -> list[dict]:
    shown = (
        ("enterprises", f"{total.enterprises:,}", ""),
        ("subsidy_fen", _large(total.subsidy_fen, lang), yuan(total.subsidy_fen)),
        ("jobs_kept", f"{total.jobs_kept:,}", ""),
        ("loans", f"{total.loans:,}", ""),
        ("loan_fen", _large(total.loan_fen, lang), yuan(total.loan_fen)),
        ("jobs_created", f"{total.jobs_created:,}", ""),
    )
    return [
        {
            "code": code,
            "label": t[f"figure_{code}"],
            "text": text,
            "detail": exact,
            "fraction": None,
        }
        for code, text, exact in shown
    ]


def _row(total: Totals, label: str) -> dict:
    return {
        "label": label,
        "enterprises": f"{total.enterprises:,}",
        "subsidy": yuan(total.subsidy_fen),
        "jobs_kept": f"{total.jobs_kept:,}",
        "loans": f"{total.loans:,}",
        "loan": yuan(total.loan_fen),
        "jobs_created": f"{total.jobs_created:,}",
    }


def _by(rows: list[Totals], key: str, names: dict[str, str]) -> list[dict]:
    keys = sorted({getattr(r, key) for r in rows})
    return [
        _row(service.summed([r for r in rows if getattr(r, key) == k]), names.get(k, k))
        for k in keys
    ]


def _page(request, session, who: Principal, lang: str, context: dict, status: int = 200):
    t = pick(STRINGS, lang)
    streets = territory.list_units(session=session, scope=who.scope, level=Level.STREET)
    names = {s.code: s.name for s in streets}
    rows = service.totals(session=session, scope=who.scope)
    page = {
        "totals_figures": _figures(service.summed(rows), t, lang),
        "by_street": _by(rows, "street_code", names),
        "by_month": _by(rows, "period", {}),
        "streets": [(s.code, s.name) for s in streets],
        "today": exports.today().isoformat(),
        "ledgers": who.can(Permission.EMPLOYMENT_READ),
        "writer": who.can(Permission.EMPLOYMENT_WRITE),
        "export_href": f"{root(request)}/employment",
    }
    if page["ledgers"]:
        page |= _ledgers(request, session, who, names, t)
    return admin_page(
        request, session, who, lang, "employment.html", STRINGS, page | context, status
    )


def _ledgers(request, session, who: Principal, names: dict[str, str], t: dict) -> dict:
    entries = list(service.list_subsidies(session=session, scope=who.scope, limit=SHOWN))
    undone = service.reversed_ids(session=session, scope=who.scope, ids=[e.id for e in entries])
    loans = list(service.list_loans(session=session, scope=who.scope, limit=SHOWN))
    auditing.record_read(
        session,
        request,
        who,
        "employment.loans.read",
        object_type="employment_loan",
        detail={"page": "/employment", "count": len(loans), "masked": True},
    )
    return {
        "subsidies": [
            {
                "id": e.id,
                "kind": t[f"kind_{e.kind}"],
                "enterprise": e.enterprise_name,
                "credit_code": e.credit_code,
                "street": names.get(e.street_code, e.street_code),
                "period": e.period,
                "amount": yuan(e.amount_fen),
                "jobs_kept": e.jobs_kept,
                "paid_at": e.paid_at.isoformat(),
                "reversible": e.kind == EntryKind.PAYMENT.value and e.id not in undone,
                "note": e.reason or (t["reversed"] if e.id in undone else ""),
                "demo": e.is_demo,
            }
            for e in entries
        ],
        "loans": [
            {
                "id": loan.id,
                "borrower": loan.borrower_name,
                "id_number": mask(PiiKind.ID_NUMBER, loan.id_number),
                "street": names.get(loan.street_code, loan.street_code),
                "amount": yuan(loan.amount_fen),
                "jobs_created": loan.jobs_created,
                "granted_at": loan.granted_at.isoformat(),
                "demo": loan.is_demo,
            }
            for loan in loans
        ],
    }


def _back(request: Request, lang: str, done: str) -> Response:
    return RedirectResponse(f"{root(request)}/employment?lang={lang}&done={done}", status_code=303)


@router.get("/employment", response_class=HTMLResponse)
def employment_page(
    request: Request,
    session: DbSession,
    who: TotalsReader,
    lang: Lang = None,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The ledgers' totals by street and month; the newest entries and the forms (人社)."""
    return _page(request, session, who, language(request, lang), {"done": done})


def _refused(request, session, who, lang, error: DomainError, form: str, values: dict):
    forget_refused(session)
    fields = _SUBSIDY_FIELDS if form == "subsidy" else _LOAN_FIELDS
    if form == "reversal":
        fields = ("entry_id", "reason", "paid_at")
    found = errors_of(error, lang, fields)
    errors = {(k if k == FORM else f"{form}_{k}"): v for k, v in found.items()}
    status = 409 if error.kind == "conflict" else 404 if error.kind == "not_found" else 422
    context = {"errors": errors, "values": {form: values}}
    return _page(request, session, who, lang, context, status)


@router.post("/employment/subsidies", response_class=HTMLResponse)
def pay(
    request: Request,
    session: WritingSession,
    who: Writer,
    enterprise_name: Text = "",
    credit_code: Short = "",
    street_code: Short = "",
    period: Short = "",
    amount: Short = "",
    jobs_kept: Short = "",
    paid_at: Short = "",
    lang: Lang = None,
) -> Response:
    """Records a subsidy payment; refused if the enterprise was paid for the period already."""
    chosen = language(request, lang)
    values = {k: v for k, v in locals().items() if k in _SUBSIDY_FIELDS}
    try:
        entry = service.record_subsidy(
            session=session,
            scope=who.scope,
            by=who.username,
            enterprise_name=enterprise_name,
            credit_code=credit_code,
            street_code=street_code,
            period=period,
            amount_fen=_fen(amount),
            jobs_kept=_whole(jobs_kept, "jobs_kept"),
            paid_at=_day(paid_at, "paid_at"),
        )
    except DomainError as error:
        return _refused(request, session, who, chosen, error, "subsidy", values)
    subsidy_recorded(session, request, who, "employment.subsidy.pay", entry)
    return _back(request, chosen, "paid")


@router.post("/employment/subsidies/reversal", response_class=HTMLResponse)
def reverse(
    request: Request,
    session: WritingSession,
    who: Writer,
    entry_id: Short = "",
    reason: Text = "",
    paid_at: Short = "",
    lang: Lang = None,
) -> Response:
    """Reverses a payment: a new negative entry naming it."""
    chosen = language(request, lang)
    values = {"entry_id": entry_id, "reason": reason, "paid_at": paid_at}
    try:
        number = _whole(entry_id, "entry_id")
        entry = service.reverse_subsidy(
            session=session,
            scope=who.scope,
            by=who.username,
            entry_id=number if 0 < number < 2**31 else 0,
            reason=reason,
            paid_at=_day(paid_at, "paid_at"),
        )
    except DomainError as error:
        return _refused(request, session, who, chosen, error, "reversal", values)
    subsidy_recorded(session, request, who, "employment.subsidy.reverse", entry)
    return _back(request, chosen, "reversed")


@router.post("/employment/loans", response_class=HTMLResponse)
def lend(
    request: Request,
    session: WritingSession,
    who: Writer,
    borrower_name: Short = "",
    id_number: Short = "",
    street_code: Short = "",
    amount: Short = "",
    jobs_created: Short = "",
    granted_at: Short = "",
    lang: Lang = None,
) -> Response:
    """Records a start-up guarantee loan; the borrower is shown masked from then on."""
    chosen = language(request, lang)
    # The ID number typed is not sent back into the page: it is typed again.
    values = {k: v for k, v in locals().items() if k in _LOAN_FIELDS and k != "id_number"}
    try:
        loan = service.record_loan(
            session=session,
            scope=who.scope,
            by=who.username,
            borrower_name=borrower_name,
            id_number=id_number,
            street_code=street_code,
            amount_fen=_fen(amount),
            jobs_created=_whole(jobs_created, "jobs_created"),
            granted_at=_day(granted_at, "granted_at"),
        )
    except DomainError as error:
        return _refused(request, session, who, chosen, error, "loan", values)
    loan_recorded(session, request, who, loan)
    return _back(request, chosen, "lent")


STRINGS: Strings = {
    "page_title": ("就业台账", "Employment ledgers"),
    "intro": (
        "稳岗补贴发放台账与创业担保贷款台账：合计数等于各条记录之和。借款人信息已脱敏。",
        "The job retention subsidy ledger and the start-up guarantee loan ledger: every total "
        "is the sum of its entries. Borrowers are masked.",
    ),
    "done_paid": ("已记录稳岗补贴发放", "The subsidy payment is recorded"),
    "done_reversed": ("已记录冲正", "The reversal is recorded"),
    "done_lent": ("已记录创业担保贷款", "The loan is recorded"),
    "totals_title": ("合计", "Totals"),
    "figure_enterprises": ("稳岗补贴企业（户）", "Enterprises paid"),
    "figure_subsidy_fen": ("稳岗补贴金额", "Subsidies paid"),
    "figure_jobs_kept": ("稳定岗位（个）", "Jobs kept"),
    "figure_loans": ("创业担保贷款（笔）", "Start-up loans"),
    "figure_loan_fen": ("贷款金额", "Amount lent"),
    "figure_jobs_created": ("带动就业（人）", "Jobs created"),
    "by_street_title": ("按街道", "By street"),
    "by_month_title": ("按月份", "By month"),
    "street": ("街道", "Street"),
    "month": ("月份", "Month"),
    "enterprises": ("企业", "Enterprises"),
    "subsidy": ("补贴金额", "Subsidies"),
    "jobs_kept": ("稳定岗位", "Jobs kept"),
    "loans": ("贷款笔数", "Loans"),
    "loan": ("贷款金额", "Amount lent"),
    "jobs_created": ("带动就业", "Jobs created"),
    "no_entries": ("台账中还没有记录。", "The ledgers hold no entry yet."),
    "subsidies_title": ("稳岗补贴台账（最新 20 条）", "Subsidy ledger (newest 20)"),
    "loans_title": ("创业担保贷款台账（最新 20 笔）", "Loan ledger (newest 20)"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export Excel"),
    "id": ("编号", "ID"),
    "kind": ("类型", "Kind"),
    "kind_payment": ("发放", "Payment"),
    "kind_reversal": ("冲正", "Reversal"),
    "reversed": ("已冲正", "Reversed"),
    "enterprise_name": ("企业名称", "Enterprise name"),
    "credit_code": ("统一社会信用代码", "Unified social credit code"),
    "period": ("补贴月份", "Month paid for"),
    "amount": ("金额（元）", "Amount (yuan)"),
    "paid_at": ("发放日期", "Paid on"),
    "note": ("备注", "Note"),
    "demo": ("（演示）", " (demo)"),
    "borrower_name": ("借款人姓名", "Borrower's name"),
    "id_number": ("身份证号码", "ID number"),
    "granted_at": ("放款日期", "Granted on"),
    "choose_street": ("请选择街道", "Choose a street"),
    "subsidy_form_title": ("记录稳岗补贴发放", "Record a subsidy payment"),
    "subsidy_button": ("记录发放", "Record the payment"),
    "reversal_form_title": ("冲正一笔发放", "Reverse a payment"),
    "entry_id": ("要冲正的记录编号", "ID of the payment to reverse"),
    "reason": ("冲正原因", "Reason"),
    "reversal_date": ("退回日期", "Taken back on"),
    "reversal_button": ("记录冲正", "Record the reversal"),
    "loan_form_title": ("记录创业担保贷款", "Record a start-up loan"),
    "loan_button": ("记录贷款", "Record the loan"),
    "error_amount": (
        "金额应为大于 0 的数字，最多两位小数（元）",
        "the amount is a number of yuan above 0, with at most two decimals",
    ),
    "error_whole": ("请填写整数", "enter a whole number"),
    "error_day": ("日期格式不正确，应为 YYYY-MM-DD", "not a date: expected YYYY-MM-DD"),
}
