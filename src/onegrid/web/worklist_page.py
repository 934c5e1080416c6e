"""What the office's tabbed case lists share (/area, /inbox, /tasks; the overview's cards): a
case's card, the cards of a page of cases, the tabs with their counts, the pager, the export
links and the audit record of a list read. The pages keep their queries and their words."""

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy.orm import Session

from onegrid.audit import auditing
from onegrid.cases import tasks
from onegrid.cases.models import Case
from onegrid.cases.worklists import Worklist
from onegrid.core.permissions import Principal
from onegrid.core.workcalendar import get_calendar
from onegrid.db.base import utcnow
from onegrid.web.case_display import clock, state_label
from onegrid.web.rendering import root
from onegrid.web.strings import SHARED, Strings, pick

PAGE_SIZE = 20

# What a card says beside its light: the level a late case was escalated to, a pending request.
FLAGS: Strings = {
    "level_1": ("已升级至社区", "Escalated to the community"),
    "level_2": ("已升级至街道", "Escalated to the street"),
    "level_3": ("已升级至区级", "Escalated to the district"),
    "pending_extension": ("延期申请待审批", "Extension awaiting approval"),
    "pending_park": ("挂账申请待审批", "Parking awaiting approval"),
    "supervise": ("督办", "Supervise"),
}

# What a tabbed list with an export calls its list and its export links (components/worklist).
LIST_STRINGS: Strings = {
    "list_label": ("案件列表", "Cases"),
    "export": ("导出本页签", "Export this tab"),
    "export_note": (
        "导出本页签的全部案件（不止当前页），个人信息已脱敏。",
        "Every case of this tab (not only this page), personal data masked.",
    ),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export XLSX"),
}


def _flags(case: Case, lang: str) -> list[str]:
    words = pick(FLAGS, lang)
    found = []
    if case.escalation_level:
        found.append(words[f"level_{min(case.escalation_level, 3)}"])
    if case.pending in ("extension", "park"):
        found.append(words[f"pending_{case.pending}"])
    return found


def case_card(request: Request, case: Case, names: dict, now: datetime, lang: str) -> dict:
    """Returns what the case_card component shows of a case (web/case_display says it)."""
    return {
        "href": f"{root(request)}/cases/{case.id}?lang={lang}",
        "receipt": case.receipt,
        "category": names.get(case.category_code, case.category_code),
        "address": case.address,
        "state": state_label(case.state, lang),
        "clock": clock(case, get_calendar(), now, lang),
    }


def cards(
    request: Request, session: Session, cases: list[Case], lang: str, *, flags: bool = True
) -> list[dict]:
    """Returns the case cards of these cases, with their flags unless `flags` is false."""
    if not cases:
        return []
    names = tasks.category_names(
        session=session,
        district_code=cases[0].district_code,
        codes={c.category_code for c in cases},
        lang=lang,
    )
    now = utcnow()
    shown = [case_card(request, case, names, now, lang) for case in cases]
    if flags:
        for card, case in zip(shown, cases, strict=True):
            card["flags"] = _flags(case, lang)
    return shown


def pager(total: int, page: int, size: int, lang: str, href: Callable[[int], str]) -> dict | None:
    """Returns the pager of a long list (None when it fits on one page)."""
    if total <= size:
        return None
    first, last = (page - 1) * size + 1, min(page * size, total)
    return {
        "shown": pick(SHARED, lang)["pager_shown"].format(first=first, last=last, total=total),
        "prev_href": href(page - 1) if page > 1 else None,
        "next_href": href(page + 1) if last < total else None,
    }


def tab_href(request: Request, path: str, lang: str, tab: StrEnum, page: int = 1) -> str:
    """Returns the link to a page of a tab of the list at `path` (no page number on the first)."""
    query = {"tab": tab.value, "lang": lang} | ({"page": page} if page > 1 else {})
    return f"{root(request)}{path}?{urlencode(query)}"


def export_href(request: Request, path: str, lang: str, tab: StrEnum, format: str) -> str:
    """Returns the link to the export of a tab of the list at `path` as a csv or xlsx file."""
    return f"{root(request)}{path}/export.{format}?{urlencode({'tab': tab.value, 'lang': lang})}"


def record_read(
    session: Session, request: Request, who: Principal, page: str, tab: StrEnum, offset: int, **more
) -> None:
    """Records that `who` read a page of this list's tab (the audit's case.list)."""
    auditing.record_read(
        session,
        request,
        who,
        "case.list",
        object_type="case",
        detail={"page": page, "tab": tab.value, "offset": offset, **more},
    )


def tabbed_list(
    request: Request,
    path: str,
    lang: str,
    *,
    tabs: Iterable[StrEnum],
    tab: StrEnum,
    counts: Mapping[str, int],
    page: int,
    shown: list[dict],
    exported: bool = True,
) -> dict:
    """Returns what a tabbed list's template shows: the tabs with their counts and links, the
    cards, the pager and (if `exported`) the links to the tab's export."""

    def href(n: int) -> str:
        return tab_href(request, path, lang, tab, n)

    context = {
        "tabs": [
            {
                "key": t.value,
                "label_key": f"tab_{t.value}",
                "count": counts[t.value],
                "href": tab_href(request, path, lang, t),
                "current": t is tab,
            }
            for t in tabs
        ],
        "tab": tab.value,
        "cards": shown,
        "pager": pager(
            counts[tab.value],
            page,
            PAGE_SIZE,
            lang,
            lambda n: tab_href(request, path, lang, tab, n),
        ),
    }
    if exported:
        context["export_csv"] = export_href(request, path, lang, tab, "csv")
        context["export_xlsx"] = export_href(request, path, lang, tab, "xlsx")
    return context


def office_list(
    request: Request,
    session: Session,
    who: Principal,
    lang: str,
    *,
    name: str,
    read: Callable[..., Worklist],
    tabs: Iterable[StrEnum],
    tab: StrEnum,
    page: int,
) -> dict:
    """Reads a page of the worklist at `/{name}` (`read`: cases.worklists.area or inbox),
    records the read and returns what its template shows (tabbed_list)."""
    offset = (page - 1) * PAGE_SIZE
    found = read(
        session=session,
        scope=who.scope,
        tab=tab,
        calendar=get_calendar(),
        now=utcnow(),
        limit=PAGE_SIZE,
        offset=offset,
    )
    shown = cards(request, session, found.cases, lang)
    record_read(session, request, who, name, tab, offset)
    return tabbed_list(
        request, f"/{name}", lang, tabs=tabs, tab=tab, counts=found.counts, page=page, shown=shown
    )
