"""The engine in bulk: many cases through intake and their transitions, written in batches.

A batch of rows (a report, when it came in, and optionally what happened to it since) goes
through the very code the online engine runs — `intake.prepare` validates, routes and starts
the clock, `steps.move` moves the case as the dispatcher does — but in memory: coordinates
are converted and located for the whole batch at once, categories and routes come from memory
(`MemoryLookups`), duplicates from an in-memory index; each step's timeline row and audit
record come from `steps`, as online. `prepare` turns the rows into a `Batch` of plain rows,
and `writer.write` stores it with one batched insert per table: cases, timeline, audit chain,
rollup. A batch with any bad row writes nothing and reports every bad row.

    engine = BulkEngine(session, district_code="210104", who=operator("import"))
    result = engine.run(rows)      # rows: list[Row]; prepares them and writes them
    if result.rejected: session.rollback()   # nothing of the batch was written
    else: session.commit()

An import prepares one batch while another process writes the one before (`prepare`, then
`writer.BackgroundWriter`): so the cases of the batch before are still kept in memory while
the next is prepared, and a batch names the cases it links to by receipt.

Escalations happen as the sweep would have done them: before each step, every escalation due
by then; after the last, every one due by `present`.
"""

import math
from collections import deque
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.audit import service as audit
from onegrid.cases import intake, rollup, steps
from onegrid.cases.bulk import writer
from onegrid.cases.bulk.writer import Batch
from onegrid.cases.drafts import CaseDraft, columns_of
from onegrid.cases.facts import BucketKey
from onegrid.cases.lookups import MemoryLookups
from onegrid.cases.machine import Action, check_permission
from onegrid.cases.models import OPEN, Case, State
from onegrid.cases.notify import notice
from onegrid.core.coordinates import CRS, to_wgs84_array
from onegrid.core.errors import DomainError, Invalid
from onegrid.core.permissions import Principal, operator
from onegrid.core.workcalendar import get_calendar
from onegrid.db.base import utcnow
from onegrid.territory import service as territory
from onegrid.territory.geoindex import NOT_FOUND, GridIndex

SWEEP = operator("sweep")
_METRES_PER_DEGREE = 111_195


@dataclass
class Step:
    """One thing that happened to a case after it came in."""

    action: Action
    at: datetime
    note: str | None = None
    data: dict = field(default_factory=dict)


@dataclass
class Row:
    """One case to take in: the report, when it came in, and its later steps, if any."""

    line: int  # where it came from, for the report of rejected rows
    report: intake.Report
    received_at: datetime
    receipt: str | None = None
    steps: list[Step] = field(default_factory=list)


@dataclass(frozen=True)
class Rejected:
    line: int
    zh: str
    en: str


@dataclass
class BatchResult:
    cases: int = 0
    events: int = 0
    rejected: list[Rejected] = field(default_factory=list)


class _Candidate:
    """A case the duplicate index may suggest: where, when, and when it left the loop (if it
    did)."""

    __slots__ = ("category", "lat", "left_at", "lon", "receipt", "received_at")

    def __init__(self, case: Case, left_at: datetime | None = None) -> None:
        self.category, self.lon, self.lat = case.category_code, case.lon, case.lat
        self.receipt, self.received_at, self.left_at = case.receipt, case.received_at, left_at


class _Duplicates:
    """Cases by category and map cell, to suggest duplicates without a query."""

    def __init__(self, max_radius_m: int, max_window_h: int, lat: float) -> None:
        metres = max(max_radius_m, 1) / _METRES_PER_DEGREE
        self.cell = metres / max(math.cos(math.radians(lat)), 0.01)
        # Rows come roughly in time order: cases past every window (and a day) are forgotten.
        self.keep = timedelta(hours=max_window_h, days=1)
        self.cells: dict[tuple[str, int, int], list[_Candidate]] = {}
        self.order: deque[tuple[datetime, tuple[str, int, int]]] = deque()

    def _key(self, category: str, lon: float, lat: float) -> tuple[str, int, int]:
        return category, math.floor(lon / self.cell), math.floor(lat / self.cell)

    def add(self, candidate: _Candidate) -> None:
        key = self._key(candidate.category, candidate.lon, candidate.lat)
        self.cells.setdefault(key, []).append(candidate)
        self.order.append((candidate.received_at, key))
        horizon = candidate.received_at - self.keep
        while self.order and self.order[0][0] < horizon:
            _, old = self.order.popleft()
            kept = [h for h in self.cells.get(old, ()) if h.received_at >= horizon]
            if kept:
                self.cells[old] = kept
            else:
                self.cells.pop(old, None)

    def remove(self, candidate: _Candidate) -> None:
        entries = self.cells.get(self._key(candidate.category, candidate.lon, candidate.lat), [])
        if candidate in entries:
            entries.remove(candidate)

    def suggest(self, case: Case, radius_m: int, window_h: int) -> _Candidate | None:
        """As intake.suggest_duplicate: the nearest case open then, within radius and window."""
        if radius_m <= 0 or window_h <= 0:
            return None
        at, since = case.received_at, case.received_at - timedelta(hours=window_h)
        _, cx, cy = self._key(case.category_code, case.lon, case.lat)
        near = []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for candidate in self.cells.get((case.category_code, cx + dx, cy + dy), ()):
                    if not since <= candidate.received_at <= at:
                        continue
                    if candidate.left_at is not None and candidate.left_at <= at:
                        continue
                    distance = intake.distance_m(case.lon, case.lat, candidate.lon, candidate.lat)
                    if distance <= radius_m:
                        near.append((distance, candidate.received_at, candidate.receipt, candidate))
        return min(near)[3] if near else None


@dataclass
class _Item:
    """One row prepared in memory: its case, timeline, suggested duplicate and last step."""

    case: Case
    candidate: _Candidate
    duplicate: _Candidate | None
    events: list[dict] = field(default_factory=list)
    last: Action = Action.RECEIVE
    merged_into: Case | None = None  # a case of the same batch has its id only once written

    def add(
        self,
        who: Principal,
        action: Action,
        from_state: str | None,
        at: datetime,
        note: str | None,
        data: dict | None,
        sealed_note: str | None = None,
    ) -> None:
        self.events.append(
            steps.event_row(
                self.case,
                who,
                action,
                seq=len(self.events) + 1,
                from_state=from_state,
                at=at,
                note=note,
                sealed_note=sealed_note,
                data=data,
            )
        )
        self.last = action


class BulkEngine:
    """Takes batches of rows through the engine for one district, as one principal."""

    def __init__(
        self,
        session: Session,
        *,
        district_code: str,
        who: Principal,
        source: str | None = None,
        present: datetime | None = None,
        notify_open: bool = True,
    ) -> None:
        check_permission(who, Action.RECEIVE)
        self.session = session
        self.district_code = district_code
        self.who = who
        self.source = source
        self.present = present or utcnow()
        self.notify_open = notify_open
        self.lookups = MemoryLookups(session, district_code)
        self.calendar = get_calendar()
        self.index = territory.grid_index(session=session)
        categories = self.lookups.categories.values()
        radius = max((c.duplicate_radius_m for c in categories), default=0)
        window = max((c.duplicate_window_hours for c in categories), default=0)
        self.duplicates = _Duplicates(radius, window, lat=_district_lat(self.index))
        self._preloaded = False
        self._recent: dict[str, CaseDraft] = {}  # the last batch's cases, maybe not yet stored

    def run(self, rows: Sequence[Row], *, write: bool = True) -> BatchResult:
        """Takes the rows in and writes them; or, if any is bad, writes nothing and says why.

        `write=False` only checks the rows. Raises what the database raises while writing;
        the caller then rolls back.
        """
        prepared = self.prepare(rows)
        if prepared.batch is None or not write:  # a bad row, or no rows (a day not yet begun)
            self.discard(prepared)
            return prepared.result
        try:
            writer.write(self.session, prepared.batch)
        except BaseException:
            self.discard(prepared)
            raise
        return prepared.result

    def prepare(self, rows: Sequence[Row]) -> "Prepared":
        """Moves the rows' cases in memory: their batch to write, or every bad row and no batch.

        Its cases are kept (for merges and duplicate receipts) while the next batch is
        prepared, as the batch may still be being written; `discard` lets them go if it is not.
        """
        prepared = Prepared(result=BatchResult())
        self.lookups.cases = dict(self._recent)  # older batches' cases are in the database
        if not rows:
            return prepared
        self._preload(min(row.received_at for row in rows))
        grids, lons, lats = self._locate(rows)
        receipts = writer.stored_ids(self.session, {row.receipt for row in rows if row.receipt})
        for row, grid, lon, lat in zip(rows, grids, lons, lats, strict=True):
            try:
                prepared.items.append(
                    self._prepare_row(row, grid, float(lon), float(lat), receipts)
                )
            except DomainError as error:
                prepared.result.rejected.append(Rejected(row.line, error.zh, error.en))
        if prepared.result.rejected:
            self.discard(prepared)
            return prepared
        prepared.batch = self._batch(prepared.items)
        self._recent = {item.case.receipt: item.case for item in prepared.items}
        prepared.result.cases = len(prepared.items)
        prepared.result.events = len(prepared.batch.events)
        return prepared

    def discard(self, prepared: "Prepared") -> None:
        """Lets go of a batch that is not written: its cases are no duplicates of others."""
        for item in prepared.items:
            self.duplicates.remove(item.candidate)
            self._recent.pop(item.case.receipt, None)
        self.lookups.cases = dict(self._recent)

    def _preload(self, since: datetime) -> None:
        """Puts the stored open cases within the longest window into the duplicate index."""
        if self._preloaded:
            return
        self._preloaded = True
        query = select(Case).where(
            Case.district_code == self.district_code,
            Case.received_at >= since - self.duplicates.keep,
            Case.state.in_([s.value for s in OPEN]),
        )
        for case in self.session.scalars(query.order_by(Case.received_at)):
            self.duplicates.add(_Candidate(case))

    def _locate(self, rows: Sequence[Row]) -> tuple[list[str | None], np.ndarray, np.ndarray]:
        lons = np.array([r.report.lon for r in rows], dtype=float)
        lats = np.array([r.report.lat for r in rows], dtype=float)
        systems = np.array([CRS(r.report.crs).value for r in rows])
        for system in set(systems.tolist()) - {CRS.WGS84.value}:
            chosen = systems == system
            lons[chosen], lats[chosen] = to_wgs84_array(lons[chosen], lats[chosen], system)
        found = self.index.locate_indices(lons, lats)
        grids = [None if i == NOT_FOUND else str(self.index.codes[i]) for i in found]
        return grids, lons, lats

    def _prepare_row(
        self, row: Row, grid: str | None, lon: float, lat: float, stored: Container[str]
    ) -> _Item:
        report = row.report
        intake.check_channel(self.who, report.channel)  # the operator may give any channel
        if grid is None or not grid.startswith(self.district_code):
            raise Invalid(
                f"坐标 ({report.lon}, {report.lat}) 不在本区任何网格内",
                f"the point ({report.lon}, {report.lat}) lies in no grid of the district",
            )
        if row.received_at > self.present:
            raise Invalid("受理时间不能晚于现在", "a case cannot be received in the future")
        if row.receipt is not None and (row.receipt in stored or row.receipt in self.lookups.cases):
            raise Invalid(
                f"受理编号 {row.receipt} 已存在", f"the receipt {row.receipt} already exists"
            )
        case = intake.prepare(
            report=report,
            district_code=self.district_code,
            grid_code=grid,
            lon=lon,
            lat=lat,
            lookups=self.lookups,
            who=self.who,
            now=row.received_at,
            calendar=self.calendar,
            receipt=row.receipt,
            make=CaseDraft,
        )
        category = self.lookups.category(self.district_code, case.category_code)
        duplicate = self.duplicates.suggest(
            case, category.duplicate_radius_m, category.duplicate_window_hours
        )
        item = _Item(case=case, candidate=_Candidate(case), duplicate=duplicate)
        data = intake.received_data(case, duplicate.receipt if duplicate else None)
        item.add(self.who, Action.RECEIVE, None, row.received_at, None, data)
        last = row.received_at
        for number, step in enumerate(row.steps, start=1):
            if not last <= step.at <= self.present:
                raise Invalid(
                    f"第 {number} 步的时间早于上一步或晚于现在",
                    f"step {number} is earlier than the one before it, or in the future",
                )
            self._escalate_until(item, step.at)
            self._act(item, self.who, step.action, step.at, step.note, step.data)
            last = step.at
            if item.candidate.left_at is None and State(case.state) not in OPEN:
                item.candidate.left_at = step.at
        self._escalate_until(item, self.present)
        self.lookups.cases[case.receipt] = case
        self.duplicates.add(item.candidate)
        return item

    def _escalate_until(self, item: _Item, until: datetime) -> None:
        case = item.case
        while case.next_escalation_at is not None and case.next_escalation_at <= until:
            self._act(item, SWEEP, Action.ESCALATE, case.next_escalation_at, None, {})

    def _act(
        self,
        item: _Item,
        who: Principal,
        action: Action,
        at: datetime,
        note: str | None,
        data: dict,
    ) -> None:
        """The step, moved as flows.transition moves it (`steps.move`), kept as one event."""
        from_state, note, sealed_note = steps.move(
            item.case,
            who,
            action,
            lookups=self.lookups,
            calendar=self.calendar,
            at=at,
            note=note,
            data=data,
        )
        if action is Action.MERGE:
            item.merged_into = self.lookups.case(str(data.get("into")))
        item.add(who, action, from_state, at, note, data, sealed_note)

    def _batch(self, prepared: list[_Item]) -> Batch:
        """The prepared cases as rows to write; other cases are named by receipt."""
        batch = Batch(district_code=self.district_code, source=self.source)
        totals: dict[BucketKey, list[int]] = {}
        audits: list[dict] = []
        for n, item in enumerate(prepared):
            case = item.case
            case.duplicate_of_id = None
            batch.cases.append(columns_of(case))
            for event in item.events:
                event["case"] = n
            batch.events += item.events
            if item.duplicate is not None:
                batch.links.append((n, "duplicate_of_id", item.duplicate.receipt))
            if item.merged_into is not None and case.merged_into_id is None:
                batch.links.append((n, "merged_into_id", item.merged_into.receipt))
            audits += (steps.audit_record(e, case.receipt, self.source) for e in item.events)
            rollup.tally(totals, *steps.snapshot(case))  # once a case: see steps
            if self.notify_open and State(case.state) in OPEN:
                message = notice(case, item.last, None)
                if message is not None:
                    batch.notices.append((n, message))
        batch.audit = audit.checked_values(audits)
        batch.rollup = rollup.rows_to_add(totals)
        return batch


@dataclass
class Prepared:
    """A batch prepared in memory: what it came to, and its rows to write unless any was bad."""

    result: BatchResult
    items: list[_Item] = field(default_factory=list)
    batch: Batch | None = None


def _district_lat(index: GridIndex) -> float:
    """The latitude the duplicate cells are sized for: the middle of the grids."""
    if len(index) == 0:
        return 0.0
    _, south, _, north = index.bounds()
    return (south + north) / 2
