"""The web's pages, assembled: each page's router and strings live in web/pages/."""

from fastapi import APIRouter

from onegrid.web.pages import (
    admin_audit,
    admin_security,
    admin_system,
    area,
    bulk,
    callbacks,
    case,
    console,
    console_exports,
    docs,
    employment,
    employment_exports,
    hotline,
    inbox,
    login,
    mediation,
    mediation_dispute,
    notifications,
    office_exports,
    overview,
    password,
    report,
    reports,
    tasks,
    track,
)
from onegrid.web.pages import map as district_map

router = APIRouter(include_in_schema=False)
for page in (district_map, login, password, docs, track, hotline, callbacks, report, notifications):
    router.include_router(page.router)
router.include_router(tasks.router)  # a field worker's tasks and task map
router.include_router(case.router)  # the staff case page and its action forms
router.include_router(bulk.router)  # the console's bulk actions and their results
router.include_router(inbox.router)  # a department's inbox
router.include_router(area.router)  # a street's or community's area list
router.include_router(overview.router)  # the leader's overview
router.include_router(console_exports.router)  # the console's list as CSV and XLSX
router.include_router(office_exports.router)  # the inbox's and the area list's, likewise
router.include_router(reports.router)  # a street's monthly report, its page and its XLSX
router.include_router(console.router)  # the console's queues
router.include_router(employment.router)  # the employment ledgers' page and forms
router.include_router(employment_exports.router)  # … and their lists as CSV and XLSX
# 评理说事: the counts, points and disputes of my area, and a dispute's page
router.include_router(mediation.router)
router.include_router(mediation_dispute.router)
# the three administrators' pages, each behind its own permission (separation of duties)
for page in (admin_security, admin_system, admin_audit):
    router.include_router(page.router)
