"""The audit admin's page, /admin/audit: the district's audit log filtered by who, action, object
and time, a page at a time (keyset: the last seq shown), the hash chain verified on demand, and
the filtered log exported as CSV or XLSX, streamed (core/exports).

Reading the log, verifying it and exporting it are themselves audited. The log holds no
personal data in clear (audit/service.py's Entry), so nothing here is masked or revealed.
"""

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from onegrid.audit import auditing, chain
from onegrid.audit import service as audit
from onegrid.audit.models import AuditRecord
from onegrid.config import get_settings
from onegrid.core import exports
from onegrid.core.access import require
from onegrid.core.errors import Invalid, NotFound
from onegrid.core.permissions import Permission, Principal
from onegrid.db import DbSession, StreamingSession
from onegrid.web import list_exports
from onegrid.web.admin import admin_page, local
from onegrid.web.rendering import Lang, language, root
from onegrid.web.strings import Strings

router = APIRouter(include_in_schema=False)
Auditor = Annotated[Principal, require(Permission.AUDIT_READ)]
PAGE_SIZE = 50
Field = Annotated[str, Query(max_length=64)]
Day = Annotated[str, Query(max_length=10)]
Before = Annotated[int | None, Query(ge=1, le=2**53)]
_FILTERS = ("actor", "action", "object_type", "object_id", "since", "until")


def _given(
    actor: Field = "",
    action: Field = "",
    object_type: Field = "",
    object_id: Field = "",
    since: Day = "",
    until: Day = "",
) -> dict[str, str]:
    """The log's filters as given, trimmed (the log, its check and its export read them alike)."""
    given = (actor, action, object_type, object_id, since, until)
    return {k: v.strip() for k, v in zip(_FILTERS, given, strict=True)}


Given = Annotated[dict[str, str], Depends(_given)]


def _day(text: str, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(*STRINGS["error_day"], field=name) from None


def _filters(given: dict[str, str]) -> audit.Filters:
    """The service's filters from the form's: days on the district's calendar, `until` whole."""
    zone = ZoneInfo(get_settings().time_zone)
    since, until = _day(given["since"], "since"), _day(given["until"], "until")
    if since and until and until < since:
        raise Invalid(*STRINGS["error_range"], field="until")
    return audit.Filters(
        actor=given["actor"] or None,
        action=given["action"] or None,
        object_type=given["object_type"] or None,
        object_id=given["object_id"] or None,
        since=datetime.combine(since, time(), zone) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), zone) if until else None,
    )


def _row(record: AuditRecord) -> dict:
    return {
        "seq": record.seq,
        "at": local(record.at, seconds=True),
        "at_iso": record.at.isoformat(),
        "actor": record.actor,
        "actor_role": record.actor_role or "",
        "action": record.action,
        "object_type": record.object_type or "",
        "object_id": record.object_id or "",
        "outcome": record.outcome,
        "source": record.source or "",
        "detail": record.detail or "",
    }


def _verify(session, who: Principal, lang: str) -> dict:
    """The chain's check: intact with how many records, or the first broken one and why."""
    try:
        report = chain.verify(
            session=session,
            district_code=who.scope.district_code,
            checkpoint_dir=Path(get_settings().audit_checkpoint_dir),
        )
    except NotFound:  # nothing recorded yet: an empty chain is intact
        return {"ok": True, "checked": 0, "head_seq": 0}
    district = report.districts[0] if report.districts else None
    broken = report.first_broken
    return {
        "ok": report.ok,
        "checked": district.checked if district else 0,
        "head_seq": district.head_seq if district else 0,
        "head_hash": district.head_hash if district else "",
        "broken_seq": broken.seq if broken else None,
        "broken": (broken.en if lang == "en" else broken.zh) if broken else None,
    }


def _query(given: dict[str, str], lang: str, **more) -> str:
    kept = [(k, v) for k, v in given.items() if v]
    return urlencode([("lang", lang), *kept, *more.items()])


def _log_page(
    request: Request, session, who: Principal, lang: str, given: dict, before: int | None, verify
):
    try:
        filters = _filters(given)
    except Invalid as error:
        context = {
            "filters": given,
            "rows": [],
            "errors": {error.detail["field"]: error.message(lang)},
        }
        return admin_page(request, session, who, lang, "admin_audit.html", STRINGS, context, 422)
    records = audit.page(
        session=session,
        district_code=who.scope.district_code,
        filters=filters,
        before_seq=before,
        limit=PAGE_SIZE + 1,
    )
    more = len(records) > PAGE_SIZE
    records = records[:PAGE_SIZE]
    # Reading the log is itself a sensitive read.
    auditing.record_read(
        session,
        request,
        who,
        "audit.read",
        object_type="audit_log",
        detail={**{k: v for k, v in given.items() if v}, "before": before, "count": len(records)},
    )
    base = f"{root(request)}/admin/audit"
    context = {
        "filters": given,
        "rows": [_row(r) for r in records],
        "next_href": f"{base}?{_query(given, lang, before=records[-1].seq)}" if more else None,
        "first_href": f"{base}?{_query(given, lang)}" if before else None,
        "export_csv": f"{base}/export.csv?{_query(given, lang)}",
        "export_xlsx": f"{base}/export.xlsx?{_query(given, lang)}",
        "verify_href": f"{base}/verify?{_query(given, lang)}",
        "verify": verify,
    }
    return admin_page(request, session, who, lang, "admin_audit.html", STRINGS, context)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    session: DbSession,
    who: Auditor,
    given: Given,
    lang: Lang = None,
    before: Before = None,
) -> Response:
    """The district's audit log, newest first, filtered, a page at a time."""
    return _log_page(request, session, who, language(request, lang), given, before, None)


@router.get("/admin/audit/verify", response_class=HTMLResponse)
def verify(
    request: Request,
    session: DbSession,
    who: Auditor,
    given: Given,
    lang: Lang = None,
) -> Response:
    """The log's page with the check of the district's whole hash chain."""
    chosen = language(request, lang)
    result = _verify(session, who, chosen)
    auditing.record_read(
        session,
        request,
        who,
        "audit.verify",
        object_type="audit_log",
        detail={"ok": result["ok"], "checked": result["checked"]},
    )
    return _log_page(request, session, who, chosen, given, None, result)


_COLUMNS = (
    "seq",
    "at",
    "actor",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "source",
    "detail",
    "hash",
)
_WIDTHS = {"at": 20, "detail": 48, "hash": 66}


def _export(request: Request, session, who: Principal, lang: str | None, given: dict) -> Response:
    filters = _filters(given)  # a bad day: 422 naming it, before anything is sent
    records = audit.iterate(session=session, district_code=who.scope.district_code, filters=filters)
    return list_exports.stream(
        request,
        session,
        who,
        lang,
        columns=COLUMNS,
        rows=records,
        name="audit",
        place=who.scope.district_code or "all",
        audited_as="audit",
        query={k: v for k, v in given.items() if v},
    )


@router.get("/admin/audit/export.csv")
@router.get("/admin/audit/export.xlsx")
def export_log(
    request: Request,
    session: StreamingSession,
    who: Auditor,
    given: Given,
    lang: Lang = None,
) -> Response:
    """The filtered log as CSV (UTF-8 with a byte-order mark) or XLSX, streamed and audited."""
    return _export(request, session, who, lang, given)


STRINGS: Strings = {
    "audit_title": ("审计日志", "Audit log"),
    "audit_intro": (
        "本区的每一次写操作和敏感读取，按时间倒序；哈希链可随时核验。查看、核验和导出本身也记入日志。",
        "Every write and sensitive read of the district, newest first; the hash chain can be "
        "checked at any time. Reading, checking and exporting are recorded too.",
    ),
    "filters_label": ("筛选", "Filters"),
    "actor": ("操作人", "Who"),
    "action": ("操作", "Action"),
    "object_type": ("对象类型", "Object type"),
    "object_id": ("对象编号", "Object id"),
    "since": ("起始日期", "From"),
    "until": ("截止日期", "To"),
    "filter_button": ("筛选", "Filter"),
    "clear_filters": ("清除筛选", "Clear"),
    "verify_button": ("核验哈希链", "Verify the chain"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export XLSX"),
    "verify_ok": (
        "哈希链完整：已核验 {n} 条记录，链头序号 {head}。",
        "The chain is intact: {n} records checked, head at seq {head}.",
    ),
    "verify_broken": (
        "哈希链已损坏：第一条异常记录序号 {seq}：{why}",
        "The chain is broken: the first bad record is seq {seq}: {why}",
    ),
    "no_records": ("没有符合条件的记录。", "No record matches."),
    "next_page": ("更早的记录", "Older records"),
    "first_page": ("回到最新", "Back to the newest"),
    "records_label": ("审计记录", "Audit records"),
    "col_seq": ("序号", "seq"),
    "col_at": ("时间", "time"),
    "col_actor": ("操作人", "actor"),
    "col_actor_role": ("角色", "role"),
    "col_action": ("操作", "action"),
    "col_object_type": ("对象类型", "object type"),
    "col_object_id": ("对象编号", "object id"),
    "col_outcome": ("结果", "outcome"),
    "col_source": ("来源", "source"),
    "col_detail": ("详情", "detail"),
    "col_hash": ("哈希", "hash"),
    "outcome_success": ("成功", "success"),
    "outcome_denied": ("拒绝", "denied"),
    "outcome_failed": ("失败", "failed"),
    "error_day": ("日期格式应为 YYYY-MM-DD", "A day is written YYYY-MM-DD"),
    "error_range": ("截止日期不能早于起始日期", "The end must not be before the start"),
}

# The log's columns, read from each record; a time is the district's local time (core/exports).
COLUMNS = [
    exports.Column(name, *STRINGS[f"col_{name}"], _WIDTHS.get(name, 14)) for name in _COLUMNS
]
