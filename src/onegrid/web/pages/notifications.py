"""A signed-in user's in-app notifications at `/notifications` (routing/inbox.py, as the API's
/api/v1/notifications): newest first, a page at a time, each linking to its case where the
user may open it, marked read one by one or all at once (forms; no script needed). And the
header's bell (GET /notifications/badge, which htmx swaps in) and the language switch's
choice kept on the account (POST /language)."""

from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.accounts import service as accounts
from onegrid.cases import notify
from onegrid.cases.models import Case
from onegrid.cases.service import scope_clause
from onegrid.config import get_settings
from onegrid.core.access import signed_in
from onegrid.core.inputs import Id
from onegrid.core.permissions import Permission, Principal
from onegrid.db import DbSession, WritingSession
from onegrid.routing import inbox
from onegrid.web.header import header_context
from onegrid.web.pages.login import safe_next
from onegrid.web.rendering import Lang, language, render, root
from onegrid.web.strings import Strings, pick

router = APIRouter(include_in_schema=False)
SignedIn = Annotated[Principal, signed_in()]
# Open also to a user who must change their password first: the switch is on that page too.
Pending = Annotated[Principal, signed_in(pending=True)]
PAGE_SIZE = 20
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


def _openable(session: Session, who: Principal, case_ids: set[int]) -> set[int]:
    """Returns those of the cases the user may open (their case page would not refuse them)."""
    if not case_ids or not who.can(Permission.CASES_READ):
        return set()
    query = select(Case.id).where(Case.id.in_(case_ids), scope_clause(who.scope))
    return set(session.scalars(query))


def _receipts(session: Session, case_ids: set[int]) -> dict[int, str]:
    """The receipts of the notices' cases (each notice names its case's receipt already)."""
    if not case_ids:
        return {}
    return dict(session.execute(select(Case.id, Case.receipt).where(Case.id.in_(case_ids))).all())


def _row(
    request: Request,
    item: inbox.InboxItem,
    openable: set[int],
    receipts: dict[int, str],
    lang: str,
) -> dict:
    n = item.notification
    at = n.created_at.astimezone(ZoneInfo(get_settings().time_zone))
    receipt = receipts.get(n.case_id) if n.case_id is not None else None
    return {
        "id": n.id,
        # A case step's notice in the reader's language; the stored subject holds both.
        "subject": (receipt and notify.title(n.kind, receipt, lang)) or n.subject,
        "body": n.body,
        "read": item.read,
        "at": at.strftime("%Y-%m-%d %H:%M"),
        "at_iso": at.isoformat(),
        "case_href": f"{root(request)}/cases/{n.case_id}?lang={lang}"
        if n.case_id in openable
        else None,
    }


def _list_href(request: Request, lang: str, page: int) -> str:
    query = {"lang": lang} | ({"page": str(page)} if page > 1 else {})
    return f"{root(request)}/notifications?{urlencode(query)}"


def _pager(request: Request, lang: str, page: int, shown: int, more: bool) -> dict:
    # No total: counting a year's notices would cost more than the page.
    first = (page - 1) * PAGE_SIZE + 1
    return {
        "shown": pick(STRINGS, lang)["shown"].format(first=first, last=first + shown - 1),
        "prev_href": _list_href(request, lang, page - 1) if page > 1 else None,
        "next_href": _list_href(request, lang, page + 1) if more else None,
    }


@router.get("/notifications", response_class=HTMLResponse)
def notification_list(
    request: Request, session: DbSession, who: SignedIn, lang: Lang = None, page: PageNumber = 1
) -> Response:
    """The user's notifications, newest first, a page at a time."""
    chosen = language(request, lang)
    found = inbox.list_for(
        session=session, who=who, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    if page > 1 and not found:  # past the end
        return RedirectResponse(_list_href(request, chosen, 1), 303)
    items = found[:PAGE_SIZE]
    case_ids = {i.notification.case_id for i in items if i.notification.case_id is not None}
    openable = _openable(session, who, case_ids)
    receipts = _receipts(session, case_ids)
    context = {
        **header_context(request, session, who, chosen),
        "rows": [_row(request, item, openable, receipts, chosen) for item in items],
        "page": page,
        "pager": _pager(request, chosen, page, len(items), len(found) > PAGE_SIZE)
        if items
        else None,
    }
    response = render(request, "notifications.html", chosen, STRINGS, context)
    response.headers["Cache-Control"] = "no-store"  # the CSRF token of the forms
    return response


@router.post("/notifications/read", response_class=HTMLResponse)
def mark_all_read(
    request: Request, session: WritingSession, who: SignedIn, lang: Lang = None
) -> Response:
    """Marks all the user's notifications read; back to the list."""
    inbox.mark_all_read(session=session, who=who)
    return RedirectResponse(_list_href(request, language(request, lang), 1), 303)


@router.post("/notifications/{notification_id}/read", response_class=HTMLResponse)
def mark_read(
    request: Request,
    notification_id: Id,
    session: WritingSession,
    who: SignedIn,
    lang: Lang = None,
    page: Annotated[int, Form(ge=1, le=100_000)] = 1,
) -> Response:
    """Marks one of the user's notifications read; back to the same page of the list."""
    inbox.mark_read(session=session, who=who, notification_id=notification_id)
    href = _list_href(request, language(request, lang), page) + f"#notice-{notification_id}"
    return RedirectResponse(href, 303)


@router.get("/notifications/badge", response_class=HTMLResponse)
def badge(request: Request, session: DbSession, who: SignedIn, lang: Lang = None) -> Response:
    """The header's bell with the unread count (what htmx swaps in)."""
    chosen = language(request, lang)
    context = {"unread": inbox.unread_count(session=session, who=who)}
    response = render(request, "components/bell.html", chosen, {}, context)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/language")
def choose_language(
    request: Request,
    session: WritingSession,
    who: Pending,
    lang: Annotated[str, Form(pattern="^(zh|en)$")],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Keeps the language the user chose on their account; back to the page they were on."""
    accounts.set_language(session=session, user_id=who.user_id, language=lang)
    # With ?lang= too: the page asked for one language explicitly may have said so.
    target = urlsplit(safe_next(next))
    kept = [(k, v) for k, v in parse_qsl(target.query) if k != "lang"]
    query = urlencode([*kept, ("lang", lang)])
    fragment = f"#{target.fragment}" if target.fragment else ""
    return RedirectResponse(f"{root(request)}{target.path}?{query}{fragment}", 303)


STRINGS: Strings = {
    "page_title": ("通知", "Notifications"),
    "list_label": ("通知列表", "Notification list"),
    "unread_count": ("{n} 条未读", "{n} unread"),
    "mark_all_read": ("全部标为已读", "Mark all read"),
    "mark_read": ("标为已读", "Mark read"),
    "unread": ("未读", "Unread"),
    "read": ("已读", "Read"),
    "open_case": ("查看案件", "Open the case"),
    "received_at": ("收到时间", "Received"),
    "shown": ("第 {first}–{last} 条", "{first}–{last}"),
    "empty": (
        "暂无通知。案件需要您处理时，会在这里通知您。",
        "No notifications yet. When a case needs you, you are told here.",
    ),
}
