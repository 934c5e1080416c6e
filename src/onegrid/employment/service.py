"""The employment ledgers' data: recording subsidy payments, their reversals and start-up
loans, listing them within a scope, and their totals by period and street."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onegrid.core.credit_code import validate_credit_code
from onegrid.core.errors import Conflict, Invalid, NotFound
from onegrid.core.levels import Level
from onegrid.core.permissions import Scope
from onegrid.core.pii import mask_name, validate_id_number
from onegrid.db import begin_writing
from onegrid.employment.models import EntryKind, StartupLoan, SubsidyEntry
from onegrid.territory import service as territory

MAX_AMOUNT_FEN = 10**12  # ¥10 billion: more is a typing error, not a payment
MAX_JOBS = 1_000_000


@dataclass(frozen=True)
class Totals:
    """One row of the totals: a period (month) and street, or a sum of such rows."""

    period: str
    street_code: str
    enterprises: int = 0  # payments less reversals
    subsidy_fen: int = 0
    jobs_kept: int = 0
    loans: int = 0
    loan_fen: int = 0
    jobs_created: int = 0


def _period(value: str, field: str) -> str:
    try:
        year, month = value.strip().split("-")
        parsed = date(int(year), int(month), 1)
    except ValueError:
        raise Invalid(
            "月份格式不正确，应为 YYYY-MM，如 2026-03",
            "not a month: expected YYYY-MM, e.g. 2026-03",
            field=field,
        ) from None
    return f"{parsed.year:04d}-{parsed.month:02d}"


def _whole(value: int, field: str, zh: str, en: str, *, low: int, high: int) -> int:
    if not low <= value <= high:
        raise Invalid(
            f"{zh}应在 {low} 到 {high} 之间", f"{en} must be from {low} to {high}", field=field
        )
    return value


def _text(value: str, field: str, zh: str, en: str, limit: int) -> str:
    text = value.strip()
    if not text or len(text) > limit:
        raise Invalid(
            f"请填写{zh}（不超过 {limit} 个字）",
            f"enter the {en} (at most {limit} characters)",
            field=field,
        )
    return text


def _street(session: Session, scope: Scope, code: str) -> str:
    code = code.strip()
    if len(code) != Level.STREET.code_length or not territory.names(
        session=session, codes=[code], scope=scope
    ):
        raise Invalid(
            "请选择管辖范围内的街道", "choose a street within your scope", field="street_code"
        )
    return code


def _in_scope(query: Select, model, scope: Scope) -> Select:
    return query.where(
        scope.district_clause(model.district_code), scope.unit_clause(model.street_code)
    )


def record_subsidy(
    *,
    session: Session,
    scope: Scope,
    by: str,
    enterprise_name: str,
    credit_code: str,
    street_code: str,
    period: str,
    amount_fen: int,
    jobs_kept: int,
    paid_at: date,
) -> SubsidyEntry:
    """Records a subsidy payment; Conflict if the enterprise was paid for the period already."""
    entry = SubsidyEntry(
        enterprise_name=_text(
            enterprise_name, "enterprise_name", "企业名称", "enterprise name", 200
        ),
        credit_code=validate_credit_code(credit_code),
        period=_period(period, "period"),
        amount_fen=_whole(
            amount_fen, "amount", "金额（分）", "the amount (fen)", low=1, high=MAX_AMOUNT_FEN
        ),
        jobs_kept=_whole(jobs_kept, "jobs_kept", "稳定岗位数", "jobs kept", low=0, high=MAX_JOBS),
        paid_at=paid_at,
        kind=EntryKind.PAYMENT.value,
        recorded_by=by,
    )
    begin_writing(session)
    entry.street_code = _street(session, scope, street_code)
    entry.district_code = entry.street_code[: Level.DISTRICT.code_length]
    earlier = session.scalars(
        select(SubsidyEntry).where(
            SubsidyEntry.district_code == entry.district_code,
            SubsidyEntry.credit_code == entry.credit_code,
            SubsidyEntry.period == entry.period,
        )
    ).all()
    payments = [e for e in earlier if e.kind == EntryKind.PAYMENT.value]
    if len(payments) > len(earlier) - len(payments):
        raise _paid_already(entry)
    entry.attempt = len(payments)
    return _insert(session, entry, _paid_already(entry))


def _paid_already(entry: SubsidyEntry) -> Conflict:
    return Conflict(
        f"该企业 {entry.period} 的稳岗补贴已发放，不能重复发放（如有错误请先冲正）",
        f"this enterprise was paid its subsidy for {entry.period} already: it is not paid "
        "twice (reverse the payment first if it was wrong)",
        field="credit_code",
    )


def _insert(session: Session, entry: SubsidyEntry, refusal: Conflict) -> SubsidyEntry:
    # The unique key decides between concurrent writers (PostgreSQL); the savepoint keeps the
    # request's transaction usable for the refusal's audit record.
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:
        raise refusal from None
    return entry


def reverse_subsidy(
    *, session: Session, scope: Scope, by: str, entry_id: int, reason: str, paid_at: date
) -> SubsidyEntry:
    """Records the reversal of a payment: a new entry, its amount and jobs negated."""
    why = _text(reason, "reason", "冲正原因", "reason for the reversal", 200)
    begin_writing(session)
    payment = get_subsidy(session=session, scope=scope, entry_id=entry_id)
    if payment.kind != EntryKind.PAYMENT.value:
        raise Invalid("冲正记录不能再冲正", "a reversal is not reversed", field="entry_id")
    refusal = Conflict(
        "该笔发放已冲正，不能重复冲正",
        "this payment was reversed already: it is not reversed twice",
        field="entry_id",
    )
    reversal = SubsidyEntry(
        district_code=payment.district_code,
        street_code=payment.street_code,
        enterprise_name=payment.enterprise_name,
        credit_code=payment.credit_code,
        period=payment.period,
        attempt=payment.attempt,
        kind=EntryKind.REVERSAL.value,
        amount_fen=-payment.amount_fen,
        jobs_kept=-payment.jobs_kept,
        paid_at=paid_at,
        reverses_id=payment.id,
        reason=why,
        recorded_by=by,
    )
    return _insert(session, reversal, refusal)


def get_subsidy(*, session: Session, scope: Scope, entry_id: int) -> SubsidyEntry:
    """Returns the ledger entry with this id within the scope, or NotFound (outside it too)."""
    query = _in_scope(select(SubsidyEntry).where(SubsidyEntry.id == entry_id), SubsidyEntry, scope)
    entry = session.scalars(query).one_or_none()
    if entry is None:
        raise NotFound(
            f"没有编号为 {entry_id} 的补贴记录", f"no subsidy entry has the id {entry_id}"
        )
    return entry


def list_subsidies(
    *, session: Session, scope: Scope, limit: int | None = None, offset: int = 0
) -> Iterator[SubsidyEntry]:
    """Yields the subsidy entries within the scope, newest first."""
    query = _in_scope(select(SubsidyEntry), SubsidyEntry, scope)
    query = query.order_by(SubsidyEntry.id.desc()).offset(offset).limit(limit)
    yield from session.scalars(query.execution_options(yield_per=1000))


def reversed_ids(*, session: Session, scope: Scope, ids: list[int]) -> set[int]:
    """Returns which of these payments have been reversed."""
    query = select(SubsidyEntry.reverses_id).where(SubsidyEntry.reverses_id.in_(ids))
    return set(session.scalars(_in_scope(query, SubsidyEntry, scope)))


def record_loan(
    *,
    session: Session,
    scope: Scope,
    by: str,
    borrower_name: str,
    id_number: str,
    street_code: str,
    amount_fen: int,
    jobs_created: int,
    granted_at: date,
) -> StartupLoan:
    """Records a start-up guarantee loan, the borrower's name masked and sealed."""
    name = _text(borrower_name, "borrower_name", "借款人姓名", "borrower's name", 50)
    try:
        number = validate_id_number(id_number)
    except Invalid as error:
        raise Invalid(error.zh, error.en, field="id_number") from None
    loan = StartupLoan(
        borrower_name=mask_name(name),
        sealed_borrower_name=name,
        id_number=number,
        amount_fen=_whole(
            amount_fen, "amount", "金额（分）", "the amount (fen)", low=1, high=MAX_AMOUNT_FEN
        ),
        jobs_created=_whole(
            jobs_created, "jobs_created", "带动就业人数", "jobs created", low=0, high=MAX_JOBS
        ),
        granted_at=granted_at,
        month=f"{granted_at.year:04d}-{granted_at.month:02d}",
        recorded_by=by,
    )
    begin_writing(session)
    loan.street_code = _street(session, scope, street_code)
    loan.district_code = loan.street_code[: Level.DISTRICT.code_length]
    session.add(loan)
    session.flush()
    return loan


def get_loan(*, session: Session, scope: Scope, loan_id: int) -> StartupLoan:
    """Returns the loan with this id within the scope, or NotFound (outside it too)."""
    query = _in_scope(select(StartupLoan).where(StartupLoan.id == loan_id), StartupLoan, scope)
    loan = session.scalars(query).one_or_none()
    if loan is None:
        raise NotFound(f"没有编号为 {loan_id} 的贷款记录", f"no loan has the id {loan_id}")
    return loan


def reveal_borrower(*, session: Session, scope: Scope, loan_id: int, field: str) -> tuple:
    """Returns the loan and its borrower's name or ID number in clear; NotFound outside the
    scope. Takes the write lock first: every answer, a refusal too, is recorded."""
    begin_writing(session)
    loan = get_loan(session=session, scope=scope, loan_id=loan_id)
    return loan, loan.sealed_borrower_name if field == "borrower_name" else loan.id_number


def list_loans(
    *, session: Session, scope: Scope, limit: int | None = None, offset: int = 0
) -> Iterator[StartupLoan]:
    """Yields the loans within the scope, newest first."""
    query = _in_scope(select(StartupLoan), StartupLoan, scope)
    query = query.order_by(StartupLoan.id.desc()).offset(offset).limit(limit)
    yield from session.scalars(query.execution_options(yield_per=1000))


def totals(*, session: Session, scope: Scope) -> list[Totals]:
    """Returns the ledgers' totals by period (month) and street, in order: each the exact sum
    of its entries."""
    sign = case((SubsidyEntry.kind == EntryKind.PAYMENT.value, 1), else_=-1)
    subsidies = session.execute(
        _in_scope(
            select(
                SubsidyEntry.period,
                SubsidyEntry.street_code,
                func.sum(sign),
                func.sum(SubsidyEntry.amount_fen),
                func.sum(SubsidyEntry.jobs_kept),
            ),
            SubsidyEntry,
            scope,
        ).group_by(SubsidyEntry.period, SubsidyEntry.street_code)
    ).all()
    loans = session.execute(
        _in_scope(
            select(
                StartupLoan.month,
                StartupLoan.street_code,
                func.count(),
                func.sum(StartupLoan.amount_fen),
                func.sum(StartupLoan.jobs_created),
            ),
            StartupLoan,
            scope,
        ).group_by(StartupLoan.month, StartupLoan.street_code)
    ).all()
    rows: dict[tuple[str, str], dict] = {}
    for period, street, enterprises, fen, jobs in subsidies:
        rows[(period, street)] = {
            "enterprises": int(enterprises),
            "subsidy_fen": int(fen),
            "jobs_kept": int(jobs),
        }
    for month, street, count, fen, jobs in loans:
        rows.setdefault((month, street), {}).update(
            loans=int(count), loan_fen=int(fen), jobs_created=int(jobs)
        )
    return [Totals(period=p, street_code=s, **v) for (p, s), v in sorted(rows.items())]


def summed(rows: list[Totals], *, period: str = "", street_code: str = "") -> Totals:
    """Returns the sum of these totals rows, labelled with the period and street given."""
    keys = ("enterprises", "subsidy_fen", "jobs_kept", "loans", "loan_fen", "jobs_created")
    return Totals(
        period=period,
        street_code=street_code,
        **{k: sum(getattr(r, k) for r in rows) for k in keys},
    )
