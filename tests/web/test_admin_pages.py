"""The three administrators' pages: each form valid and refused (the field's error in the user's
language, nothing saved), every change audited, and separation of duties on every page.
TestClient on the demo district, as the demo's security, system and audit admins."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from onegrid.accounts.models import SignInThrottle, User
from onegrid.audit.models import AuditRecord
from onegrid.core.workcalendar import get_calendar
from onegrid.db.base import utcnow
from onegrid.routing.models import CalendarDay, Category, RoutingRule

ADMIN_PAGES = {
    "secadmin": ["/admin/users", "/admin/users/new", "/admin/users/leader", "/admin/locks"],
    "sysadmin": ["/admin/categories", "/admin/categories/0107", "/admin/routing", "/admin/calendar"],
    "auditadmin": ["/admin/audit", "/admin/audit/verify"],
}
PASSWORD = "Lantern-Walk-2026-x"


@pytest.fixture
def as_user(tokens):
    def headers(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[username]}", "Accept": "text/html"}

    return headers


def _audits(session, action: str) -> list[AuditRecord]:
    query = select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq)
    return list(session.scalars(query))


# ---- separation of duties ------------------------------------------------------------------


@pytest.mark.parametrize("admin", sorted(ADMIN_PAGES))
@pytest.mark.parametrize("owner", sorted(ADMIN_PAGES))
def test_each_admin_reaches_only_their_own_pages(web, as_user, admin, owner):
    for path in ADMIN_PAGES[owner]:
        page = web.get(path, headers=as_user(admin))
        if admin == owner:
            assert page.status_code == 200, (path, page.text[:300])
        else:
            assert page.status_code == 403, (admin, path)
            assert page.headers["content-type"].startswith("text/html")
            assert "当前角色无权" in page.text


@pytest.mark.parametrize("username", ["command", "leader", "gridworker", "department"])
def test_no_other_role_reaches_an_admin_page(web, as_user, username):
    for paths in ADMIN_PAGES.values():
        for path in paths:
            assert web.get(path, headers=as_user(username)).status_code == 403, (username, path)


@pytest.mark.parametrize("admin", sorted(ADMIN_PAGES))
def test_no_admin_sees_a_case(web, as_user, admin, session):
    from tests.cases.conftest import WORKER_GRID, point_in, report

    case = report(session, point_in(session, WORKER_GRID), reporter_phone="13912345678")
    assert web.get(f"/cases/{case.id}", headers=as_user(admin)).status_code == 403
    assert web.get(f"/api/v1/cases/{case.id}", headers=as_user(admin)).status_code == 403


def test_each_admin_sees_their_own_links_only(web, as_user):
    links = {
        "secadmin": ("nav-users", "nav-locks"),
        "sysadmin": ("nav-categories", "nav-routing", "nav-calendar"),
        "auditadmin": ("nav-audit",),
    }
    every = {link for own in links.values() for link in own}
    for admin, own in links.items():
        html = web.get(ADMIN_PAGES[admin][0], headers=as_user(admin)).text
        shown = {link for link in every if f'id="{link}"' in html}
        assert shown == set(own), admin
