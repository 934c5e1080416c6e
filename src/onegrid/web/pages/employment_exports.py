"""The employment ledgers as files: `/employment/subsidies/export.csv|xlsx` and
`/employment/loans/export.csv|xlsx`, every entry within the reader's scope, newest first, the
borrowers masked as the page shows them, streamed and audited with the row count."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onegrid.core import exports
from onegrid.core.access import require
from onegrid.core.permissions import Permission, Principal
from onegrid.core.pii import PiiKind, mask
from onegrid.db import StreamingSession
from onegrid.employment import service
from onegrid.web import list_exports
from onegrid.web.rendering import Lang

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, require(Permission.EMPLOYMENT_READ)]


SUBSIDY_COLUMNS = [
    exports.Column("id", "编号", "ID", 8),
    exports.Column("kind", "类型", "Kind", 10),
    exports.Column("enterprise_name", "企业名称", "Enterprise", 30),
    exports.Column("credit_code", "统一社会信用代码", "Credit code", 20),
    exports.Column("street_code", "街道代码", "Street code", 12),
    exports.Column("period", "补贴月份", "Period", 10),
    exports.Column("amount_yuan", "金额（元）", "Amount (yuan)", 14, lambda e: e.amount_fen / 100),
    exports.Column("jobs_kept", "稳定岗位", "Jobs kept", 10),
    exports.Column("paid_at", "发放日期", "Paid on", 12),
    exports.Column("reverses_id", "冲正的记录", "Reverses", 10),
    exports.Column("reason", "冲正原因", "Reason", 20),
    exports.Column("is_demo", "演示数据", "Demo", 8),
]
LOAN_COLUMNS = [
    exports.Column("id", "编号", "ID", 8),
    exports.Column("borrower_name", "借款人", "Borrower", 10),
    exports.Column(
        "id_number", "身份证号码", "ID number", 20, lambda n: mask(PiiKind.ID_NUMBER, n.id_number)
    ),
    exports.Column("street_code", "街道代码", "Street code", 12),
    exports.Column("amount_yuan", "金额（元）", "Amount (yuan)", 14, lambda n: n.amount_fen / 100),
    exports.Column("jobs_created", "带动就业", "Jobs created", 10),
    exports.Column("granted_at", "放款日期", "Granted on", 12),
    exports.Column("is_demo", "演示数据", "Demo", 8),
]


def _export(request, session, who: Principal, lang, columns, rows, name: str) -> Response:
    return list_exports.stream(
        request,
        session,
        who,
        lang,
        columns=columns,
        rows=rows,
        name=name,
        audited_as=f"employment_{name}",
        query={},
    )


@router.get("/employment/subsidies/export.csv")
@router.get("/employment/subsidies/export.xlsx")
def subsidies_export(
    request: Request, session: StreamingSession, who: Reader, lang: Lang = None
) -> Response:
    """Every subsidy entry within the scope, newest first, as CSV or XLSX."""
    rows = service.list_subsidies(session=session, scope=who.scope)
    return _export(request, session, who, lang, SUBSIDY_COLUMNS, rows, "subsidies")


@router.get("/employment/loans/export.csv")
@router.get("/employment/loans/export.xlsx")
def loans_export(
    request: Request, session: StreamingSession, who: Reader, lang: Lang = None
) -> Response:
    """Every start-up loan within the scope, newest first, borrowers masked, as CSV or XLSX."""
    rows = service.list_loans(session=session, scope=who.scope)
    return _export(request, session, who, lang, LOAN_COLUMNS, rows, "loans")
