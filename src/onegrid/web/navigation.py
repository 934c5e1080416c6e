"""The header's navigation: every page a link leads to, and the permission it needs."""

from dataclasses import dataclass

from onegrid.core.permissions import Permission, Principal, Role


@dataclass(frozen=True)
class NavLink:
    """A link of the navigation: its string key, path, element id and the permission it needs."""

    label: str
    path: str
    id: str
    permission: Permission | None = None  # None: open to whoever may see the page at all
    # Only these roles see the link (None: every role with the permission), where others have a
    # page of their own for the same work (a grid worker's tasks, a department's inbox).
    roles: tuple[Role, ...] | None = None


NAV_LINKS = (
    NavLink("nav_inbox", "/inbox", "nav-inbox", Permission.CASES_HANDLE),  # a department's
    # an area's open cases, overdue first: the street office's and the community's desk
    NavLink(
        "nav_area",
        "/area",
        "nav-area",
        Permission.CASES_READ,
        roles=(Role.STREET_OFFICE, Role.COMMUNITY_STAFF),
    ),
    NavLink(
        "nav_overview", "/overview", "nav-overview", Permission.CASES_READ, roles=(Role.LEADER,)
    ),
    NavLink("nav_map", "/", "nav-map", Permission.TERRITORY_READ),
    # The queues of the cases in scope: the command centre's, an area's, a leader's to read.
    NavLink(
        "nav_console",
        "/console",
        "nav-console",
        Permission.CASES_READ,
        roles=(Role.COMMAND_CENTRE, Role.STREET_OFFICE, Role.COMMUNITY_STAFF, Role.LEADER),
    ),
    # 评理说事: community staff keep it, a street reads it, a leader reads its counts
    NavLink(
        "nav_mediation",
        "/mediation",
        "nav-mediation",
        Permission.MEDIATION_COUNT,
        roles=(Role.COMMUNITY_STAFF, Role.STREET_OFFICE, Role.LEADER),
    ),
    NavLink("nav_tasks", "/tasks", "nav-tasks", Permission.CASES_VERIFY),  # tasks, task map
    # the field workers' rounds: a grid worker's or a community's (the grid_worker channel)
    NavLink("nav_patrol", "/patrol", "nav-patrol", Permission.CASES_VERIFY),
    # The 12345 call form: cases.intake with the hotline channel, the command centre's alone.
    NavLink("nav_hotline", "/hotline", "nav-hotline", Permission.CASES_COMMAND),
    NavLink("nav_callbacks", "/callbacks", "nav-callbacks", Permission.CASES_COMMAND),
    # A street's monthly report: the command centre, leaders and street offices (督办 holders).
    NavLink("nav_reports", "/reports/monthly", "nav-reports", Permission.CASES_SUPERVISE),
    # 稳岗 subsidies and start-up loans: the 人社 handler's ledgers, a leader's totals.
    NavLink("nav_employment", "/employment", "nav-employment", Permission.EMPLOYMENT_TOTALS),
    # The three administrators' pages: each role sees its own, none another's (三员分立).
    NavLink("nav_users", "/admin/users", "nav-users", Permission.USERS_MANAGE),
    NavLink("nav_locks", "/admin/locks", "nav-locks", Permission.USERS_MANAGE),
    NavLink("nav_categories", "/admin/categories", "nav-categories", Permission.SYSTEM_CONFIGURE),
    NavLink("nav_routing", "/admin/routing", "nav-routing", Permission.SYSTEM_CONFIGURE),
    NavLink("nav_calendar", "/admin/calendar", "nav-calendar", Permission.SYSTEM_CONFIGURE),
    NavLink("nav_audit", "/admin/audit", "nav-audit", Permission.AUDIT_READ),
    NavLink("api_docs", "/docs", "api-docs"),
)


def links_for(who: Principal) -> list[NavLink]:
    """Returns the links this principal's role may follow, in the navigation's order."""
    return [
        link
        for link in NAV_LINKS
        if (link.permission is None or who.can(link.permission))
        and (link.roles is None or who.role in link.roles)
    ]
