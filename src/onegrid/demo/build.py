"""Builds the demo district: Dadong's real outline, streets and communities, 1,360 grids."""

import csv
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from onegrid.accounts import service as accounts
from onegrid.accounts.models import AuthToken, User, UserScope
from onegrid.audit import service as audit
from onegrid.audit.models import AuditRecord
from onegrid.cases import rollup
from onegrid.cases.models import Case, CaseEvent, Evidence
from onegrid.core.levels import Level, prefix
from onegrid.core.permissions import Role
from onegrid.demo import history
from onegrid.demo.employment import build_ledgers
from onegrid.demo.employment import clear as clear_ledgers
from onegrid.demo.geometry import LocalPlane, district_outline, partition
from onegrid.demo.people import DEPARTMENTS, GRID_ENROLLED, NameMaker
from onegrid.demo.reports import short_name
from onegrid.demo.shares import allocate
from onegrid.mediation import demo as mediation_demo
from onegrid.mediation.models import (
    ChecklistItem,
    Dispute,
    MediationPoint,
    MediationSession,
    Party,
)
from onegrid.routing import service as routing
from onegrid.routing.models import Category, CategoryAttribute, Notification, RoutingRule
from onegrid.territory import geojson
from onegrid.territory.geometry import to_geojson
from onegrid.territory.models import (
    Assignment,
    Department,
    PartyBranch,
    Person,
    StaffRole,
    TerritoryUnit,
)

DEMO_DISTRICT = "210104"
# Published in the README; demo accounts are refused outside demo and development mode.
DEMO_PASSWORD = "Onegrid-Demo-2026"
# (username, display name, role, scope unit codes, department code)
DEMO_USERS = [
    ("citizen", "张群众", Role.CITIZEN, [], None),
    ("gridworker", "大北华炉第1网格员", Role.GRID_WORKER, ["210104002009001"], None),
    ("community", "华炉社区工作人员", Role.COMMUNITY_STAFF, ["210104002009"], None),
    ("street", "大北街道办", Role.STREET_OFFICE, ["210104002"], None),
    ("department", "城管局处置人员", Role.DEPARTMENT_HANDLER, [], "urban_mgmt"),
    ("command", "区指挥中心值班长", Role.COMMAND_CENTRE, [], None),
    ("hotline", "12345热线接线员", Role.COMMAND_CENTRE, [], None),
    ("leader", "区领导", Role.LEADER, [], None),
    ("hr", "区人社局经办人员", Role.HUMAN_RESOURCES, [], None),
    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, [], None),
    ("secadmin", "安全管理员", Role.SECURITY_ADMIN, [], None),
    ("auditadmin", "审计管理员", Role.AUDIT_ADMIN, [], None),
]
# Where a demo account starts when signing in, if not its role's start page: the 12345 operator
# shares the command centre's role with the duty chief, who starts on the console.
DEMO_START_PAGES = {"hotline": "/hotline"}
GRID_COUNT = 1360  # seed 003: Dadong is divided into 1,360 grids
SEED = 210104
MIN_GRIDS_PER_COMMUNITY = 3

Progress = Callable[[str, int, int], None]


def _no_progress(task: str, done: int, total: int) -> None:
    pass


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: Level


@dataclass
class DemoSummary:
    """What the demo build wrote."""

    built: bool
    units: dict[str, int]
    people: int
    assignments: int
    party_branches: int
    users: int = 0
    cases: int = 0
    resumed: bool = False  # an interrupted build was found and built again


def _state(session: Session) -> str:
    """Returns "absent", "built", or "interrupted" (a build began, demo.start, never finished)."""
    exists = session.scalar(select(TerritoryUnit.id).where(TerritoryUnit.code == DEMO_DISTRICT))
    if exists is None:
        return "absent"
    last = session.scalar(
        select(AuditRecord.action)
        .where(
            AuditRecord.district_code == DEMO_DISTRICT,
            AuditRecord.action.in_(["demo.start", "demo.build"]),
        )
        .order_by(AuditRecord.seq.desc())
        .limit(1)
    )
    return "interrupted" if last == "demo.start" else "built"


def load_divisions() -> list[Division]:
    """Returns the district's real streets and communities (NBS 2023 codes), in code order."""
    text = files("onegrid.demo").joinpath("data/dadong_divisions.csv").read_text("utf-8")
    return [
        Division(row["code"], row["name"], Level(row["level"]))
        for row in csv.DictReader(text.splitlines())
    ]


def territory_collection(progress: Progress = _no_progress) -> dict:
    """Returns the whole demo territory as one GeoJSON FeatureCollection (WGS-84)."""
    rng = np.random.default_rng(SEED)
    divisions = load_divisions()
    district = next(d for d in divisions if d.level is Level.DISTRICT)
    streets = [d for d in divisions if d.level is Level.STREET]
    communities = {
        s.code: [d for d in divisions if d.code.startswith(s.code) and d.level is Level.COMMUNITY]
        for s in streets
    }

    outline = district_outline(district.code)
    plane = LocalPlane(outline.centroid.y)
    region = plane.forward(outline)
    units: list[tuple[Division, object]] = [(district, region)]

    street_cells = partition(region, len(streets), rng)
    community_cells: list[tuple[Division, object]] = []
    for done, (street, cell) in enumerate(zip(streets, street_cells, strict=True), 1):
        units.append((street, cell))
        kids = communities[street.code]
        community_cells += zip(kids, partition(cell, len(kids), rng), strict=True)
        progress("communities", done, len(streets))
    units += community_cells

    counts = allocate([c.area for _, c in community_cells], GRID_COUNT, MIN_GRIDS_PER_COMMUNITY)
    for done, ((community, cell), n) in enumerate(zip(community_cells, counts, strict=True), 1):
        name = short_name(community.name)
        for i, grid in enumerate(partition(cell, n, rng, iterations=4), 1):
            code = f"{community.code}{i:03d}"
            units.append((Division(code, f"{name}第{i}网格", Level.GRID), grid))
        progress("grids", done, len(community_cells))

    features = [
        {
            "type": "Feature",
            "properties": {"code": d.code, "name": d.name, "level": d.level.value, "demo": True},
            "geometry": to_geojson(plane.back(geometry)),
        }
        for d, geometry in units
    ]
    return {"type": "FeatureCollection", "features": features}


def _clear(session: Session, district_code: str) -> None:
    """Deletes the district's demo data (the audit log is append-only and keeps its record)."""
    for table in (
        MediationSession,
        Party,
        Dispute,
        ChecklistItem,
        MediationPoint,
        Evidence,
        CaseEvent,
        Case,
        Notification,
        RoutingRule,
        CategoryAttribute,
        Category,
        AuthToken,
        UserScope,
        User,
        PartyBranch,
        Assignment,
        Person,
        Department,
    ):
        session.execute(delete(table).where(table.district_code == district_code))
    for grain in rollup.GRAINS:
        session.execute(delete(grain.table).where(grain.table.c.district_code == district_code))
    for level in reversed(Level):
        session.execute(
            delete(TerritoryUnit).where(
                TerritoryUnit.district_code == district_code, TerritoryUnit.level == level.value
            )
        )


def _people(session: Session, progress: Progress) -> tuple[int, int, int]:
    """Adds departments, grid workers, community and department staff, and party branches."""
    rng = np.random.default_rng(SEED + 1)
    names = NameMaker(rng)
    departments = {
        code: Department(district_code=DEMO_DISTRICT, code=code, name=name, name_en=name_en)
        for code, name, name_en in DEPARTMENTS
    }
    session.add_all(departments.values())
    units = session.scalars(
        select(TerritoryUnit)
        .where(TerritoryUnit.district_code == DEMO_DISTRICT)
        .order_by(TerritoryUnit.code)
    ).all()
    session.flush()

    people: list[Person] = []
    links: list[tuple[Person, TerritoryUnit, StaffRole, Department | None]] = []

    def person() -> Person:
        p = Person(district_code=DEMO_DISTRICT, name=names.name(), phone=names.phone())
        people.append(p)
        return p

    # Each street keeps a few named staff per grid-enrolled department, who share its grids.
    pools: dict[tuple[str, str], list[Person]] = {}
    branches: list[tuple[TerritoryUnit, Person]] = []
    grids = [u for u in units if u.level == Level.GRID.value]
    for unit in units:
        if unit.level == Level.COMMUNITY.value:
            for _ in range(int(rng.integers(4, 8))):
                links.append((person(), unit, StaffRole.COMMUNITY_STAFF, None))
    for done, grid in enumerate(grids, 1):
        workers = [person() for _ in range(2 if rng.random() < 0.3 else 1)]
        links += [(w, grid, StaffRole.GRID_WORKER, None) for w in workers]
        for code in rng.choice(GRID_ENROLLED, size=2, replace=False):
            pool = pools.setdefault((prefix(grid.code, Level.STREET), str(code)), [])
            if len(pool) < 6 and (not pool or rng.random() < 0.2):
                pool.append(person())
            staff = pool[int(rng.integers(len(pool)))]
            links.append((staff, grid, StaffRole.DEPARTMENT_STAFF, departments[str(code)]))
        branches.append((grid, workers[0]))
        if done % 200 == 0 or done == len(grids):
            progress("people", done, len(grids))

    session.add_all(people)
    session.flush()
    session.add_all(
        Assignment(
            district_code=DEMO_DISTRICT,
            person_id=p.id,
            unit_id=u.id,
            role=role.value,
            department_id=d.id if d else None,
        )
        for p, u, role, d in links
    )
    session.add_all(
        PartyBranch(
            district_code=DEMO_DISTRICT,
            grid_id=grid.id,
            name=f"{grid.name}党支部",
            secretary_id=secretary.id,
            member_count=int(rng.integers(5, 61)),
        )
        for grid, secretary in branches
    )
    session.flush()
    return len(people), len(links), len(branches)


def _demo_users(session: Session, progress: Progress) -> int:
    """Creates the demo accounts that are missing, returning how many it created."""
    existing = set(session.scalars(select(User.username)))
    missing = [u for u in DEMO_USERS if u[0] not in existing]
    for done, (username, name, role, scope, department) in enumerate(missing, 1):
        accounts.create(
            session=session,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            district_code=DEMO_DISTRICT,
            display_name=name,
            unit_codes=scope,
            department_code=department,
            is_demo=True,
            start_page=DEMO_START_PAGES.get(username),
        )
        progress("users", done, len(missing))
    return len(missing)


def build_demo(
    session: Session,
    *,
    rebuild: bool = False,
    tolerance: float = 1e-6,
    history_days: int = 0,
    commit_each_day: bool = False,
    progress: Progress = _no_progress,
) -> DemoSummary:
    """Builds the demo district in this session unless it is there already (or `rebuild`).

    `commit_each_day` commits the district first and then each day of history, so a year of
    history never sits in one transaction; a build cut off half-way is found (its demo.start
    audit record has no demo.build after it) and built again from scratch next time.
    """
    state = _state(session)
    if state == "built" and not rebuild:
        # A district built by an older onegrid still gets what later versions add.
        users = _demo_users(session, progress)
        if session.scalar(select(func.count()).select_from(Category)) == 0:
            routing.load_catalogue(session=session, district_code=DEMO_DISTRICT)
            routing.seed_demo_rules(session=session, district_code=DEMO_DISTRICT)
        return DemoSummary(
            built=False, units={}, people=0, assignments=0, party_branches=0, users=users
        )
    if state != "absent":
        clear_ledgers(session, DEMO_DISTRICT)
        _clear(session, DEMO_DISTRICT)
    _mark(session, "demo.start", {"history_days": history_days})
    collection = territory_collection(progress)
    progress("validate", 0, 1)
    report = geojson.import_collection(session=session, document=collection, tolerance=tolerance)
    progress("validate", 1, 1)
    people, assignments, branches = _people(session, progress)
    routing.load_catalogue(session=session, district_code=DEMO_DISTRICT)
    routing.seed_demo_rules(session=session, district_code=DEMO_DISTRICT)
    users = _demo_users(session, progress)
    build_ledgers(session, DEMO_DISTRICT)
    # The names of the disputes' parties come from a generator of their own, so that adding
    # them changes no name the demo had before.
    names = NameMaker(np.random.default_rng(SEED + 22))
    mediation_demo.build(session, district_code=DEMO_DISTRICT, names=names, seed=SEED + 22)
    if commit_each_day:
        session.commit()
    cases = 0
    if history_days > 0:
        cases = history.generate(
            session,
            district_code=DEMO_DISTRICT,
            days=history_days,
            commit_each_day=commit_each_day,
            progress=progress,
        ).cases
    _mark(
        session,
        "demo.build",
        {"units": report.by_level, "people": people, "users": users, "cases": cases},
    )
    return DemoSummary(
        built=True,
        units=report.by_level,
        people=people,
        assignments=assignments,
        party_branches=branches,
        users=users,
        cases=cases,
        resumed=state == "interrupted",
    )


def _mark(session: Session, action: str, detail: dict) -> None:
    audit.record(
        session=session,
        district_code=DEMO_DISTRICT,
        actor="demo",
        action=action,
        object_type="district",
        object_id=DEMO_DISTRICT,
        source="cli",
        detail=detail,
    )
