"""Roles, permissions and scope: who may do what, and over which part of the territory.

Which role holds which permission is data (ROLE_PERMISSIONS), not code in the views. A
principal's scope is a set of territory-code prefixes within one district: a grid worker's
grid codes, a community's code, a street's code, or the district code for district-wide roles.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import ColumnElement, false, or_, true

from onegrid.core.levels import Level


class Role(StrEnum):
    CITIZEN = "citizen"
    GRID_WORKER = "grid_worker"
    COMMUNITY_STAFF = "community_staff"
    STREET_OFFICE = "street_office"
    DEPARTMENT_HANDLER = "department_handler"
    COMMAND_CENTRE = "command_centre"
    LEADER = "leader"
    HUMAN_RESOURCES = "human_resources"  # 人社: the employment ledgers, district-wide
    SYSTEM_ADMIN = "system_admin"
    SECURITY_ADMIN = "security_admin"
    AUDIT_ADMIN = "audit_admin"


class Permission(StrEnum):
    TERRITORY_READ = "territory.read"
    TERRITORY_WRITE = "territory.write"
    PII_REVEAL = "pii.reveal"
    USERS_MANAGE = "users.manage"
    AUDIT_READ = "audit.read"
    ROUTING_WRITE = "routing.write"
    CASES_INTAKE = "cases.intake"  # enter a case on someone's behalf or from patrol
    CASES_READ = "cases.read"
    CASES_COMMAND = "cases.command"  # 受理、立案、派遣、审批: the command centre's acts
    CASES_VERIFY = "cases.verify"  # 核实、核查 on site
    CASES_HANDLE = "cases.handle"  # 处置: the responsible department's acts
    CASES_SUPERVISE = "cases.supervise"  # 督办
    # Categories and their time limits, the calendar's overrides, the routing rules' pages:
    # the system admin's, and no one else's (the command centre routes through the API only).
    SYSTEM_CONFIGURE = "system.configure"
    # The employment ledgers (稳岗 subsidies, start-up loans): their totals (a leader's too),
    # their entries with the borrowers masked, and recording entries (人社 alone).
    EMPLOYMENT_TOTALS = "employment.totals"
    EMPLOYMENT_READ = "employment.read"
    EMPLOYMENT_WRITE = "employment.write"
    # 评理说事 (mediation): its disputes and parties; and their counts alone (a leader's).
    MEDIATION_READ = "mediation.read"
    MEDIATION_WRITE = "mediation.write"
    MEDIATION_COUNT = "mediation.count"


_STAFF_READ = {Permission.TERRITORY_READ}
_MEDIATION = {Permission.MEDIATION_READ, Permission.MEDIATION_WRITE, Permission.MEDIATION_COUNT}

_P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CITIZEN: frozenset({_P.CASES_INTAKE}),
    Role.GRID_WORKER: frozenset(_STAFF_READ | {_P.CASES_INTAKE, _P.CASES_READ, _P.CASES_VERIFY}),
    Role.COMMUNITY_STAFF: frozenset(
        _STAFF_READ | _MEDIATION | {_P.PII_REVEAL, _P.CASES_INTAKE, _P.CASES_READ, _P.CASES_VERIFY}
    ),
    Role.STREET_OFFICE: frozenset(
        _STAFF_READ
        | {_P.PII_REVEAL, _P.CASES_READ, _P.CASES_SUPERVISE, _P.MEDIATION_READ, _P.MEDIATION_COUNT}
    ),
    Role.DEPARTMENT_HANDLER: frozenset(_STAFF_READ | {_P.CASES_READ, _P.CASES_HANDLE}),
    Role.COMMAND_CENTRE: frozenset(
        _STAFF_READ
        | {
            _P.PII_REVEAL,
            _P.ROUTING_WRITE,
            _P.CASES_INTAKE,
            _P.CASES_READ,
            _P.CASES_COMMAND,
            _P.CASES_SUPERVISE,
        }
    ),
    # A leader sees totals, never names.
    Role.LEADER: frozenset(
        _STAFF_READ | {_P.CASES_READ, _P.CASES_SUPERVISE, _P.EMPLOYMENT_TOTALS, _P.MEDIATION_COUNT}
    ),
    Role.HUMAN_RESOURCES: frozenset(
        _STAFF_READ | {_P.EMPLOYMENT_TOTALS, _P.EMPLOYMENT_READ, _P.EMPLOYMENT_WRITE}
    ),
    # Separation of duties (GB/T 22239 三员分立): the system admin runs the system, the
    # security admin manages accounts, the audit admin reads the log; none does another's job.
    Role.SYSTEM_ADMIN: frozenset(
        _STAFF_READ | {_P.TERRITORY_WRITE, _P.ROUTING_WRITE, _P.SYSTEM_CONFIGURE}
    ),
    Role.SECURITY_ADMIN: frozenset({_P.USERS_MANAGE}),
    Role.AUDIT_ADMIN: frozenset({_P.AUDIT_READ}),
}

# The territory level a role's scope is given at; None: no territory.
SCOPE_LEVEL: dict[Role, Level | None] = {
    Role.CITIZEN: None,
    Role.GRID_WORKER: Level.GRID,
    Role.COMMUNITY_STAFF: Level.COMMUNITY,
    Role.STREET_OFFICE: Level.STREET,
    Role.DEPARTMENT_HANDLER: Level.DISTRICT,
    Role.COMMAND_CENTRE: Level.DISTRICT,
    Role.LEADER: Level.DISTRICT,
    Role.HUMAN_RESOURCES: Level.DISTRICT,
    Role.SYSTEM_ADMIN: Level.DISTRICT,
    Role.SECURITY_ADMIN: Level.DISTRICT,
    Role.AUDIT_ADMIN: Level.DISTRICT,
}


@dataclass(frozen=True)
class Scope:
    """The part of the territory a principal may see: code prefixes within a district."""

    district_code: str | None
    unit_codes: tuple[str, ...] = ()
    department_id: int | None = None
    everything: bool = False  # the command line on the server itself

    @classmethod
    def all(cls) -> "Scope":
        """Returns the scope of the machine's operator: every district, every unit."""
        return cls(district_code=None, everything=True)

    def covers_district(self, district_code: str) -> bool:
        """Tells whether rows of this district may be seen at all."""
        return self.everything or self.district_code == district_code

    def covers_unit(self, code: str) -> bool:
        """Tells whether the unit with this code lies within the scope."""
        return self.everything or any(code.startswith(prefix) for prefix in self.unit_codes)

    def unit_clause(self, code_column) -> ColumnElement[bool]:
        """Returns a SQL condition keeping rows whose unit code lies within the scope."""
        if self.everything:
            return true()
        if not self.unit_codes:
            return false()
        return or_(*(code_column.startswith(prefix, autoescape=True) for prefix in self.unit_codes))

    def district_clause(self, district_column) -> ColumnElement[bool]:
        """Returns a SQL condition keeping rows of the scope's district."""
        return true() if self.everything else district_column == self.district_code


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user, the anonymous public, or the operator's command line."""

    user_id: int | None
    username: str
    role: Role | None
    scope: Scope
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    via_cookie: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and not self.scope.everything

    def can(self, permission: Permission) -> bool:
        """Tells whether this principal holds the permission."""
        return permission in self.permissions


ANONYMOUS = Principal(user_id=None, username="anonymous", role=None, scope=Scope(None))


def operator(name: str = "cli") -> Principal:
    """Returns the principal of a command run on the server: everything, every permission."""
    return Principal(
        user_id=None,
        username=name,
        role=None,
        scope=Scope.all(),
        permissions=frozenset(Permission),
    )
