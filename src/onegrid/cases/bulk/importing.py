"""Reading cases to import from CSV or JSON Lines, row by row, without holding the file.

Each row becomes a `bulk.Row`, or a `bulk.Rejected` naming its line and problem. Fields
(a CSV header names them; a JSON Lines row is an object):

    received_at     required; ISO 8601, e.g. 2026-03-03T09:15:00+08:00 (no zone: local time)
    category_code   required; a code of the catalogue (onegrid categories list)
    description     required
    lon, lat        required; in `crs`
    crs             wgs84 (default), gcj02 or bd09
    channel         hotline (default), citizen, grid_worker, api or open311
    address, reporter_name, reporter_phone, anonymous (true/false)
    attributes      an object of the category's attributes (in CSV: JSON text)
    receipt         optional; a receipt number kept from another system, taken once only
    steps           optional; what happened since, in order (in CSV: JSON text), e.g.
                    [{"action": "open", "at": "…"}, {"action": "void", "at": "…", "note": "…"}]
"""

import csv
import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from onegrid.cases.bulk.engine import BatchResult, BulkEngine, Rejected, Row, Step
from onegrid.cases.bulk.writer import BackgroundWriter, WriteFailed, Written
from onegrid.cases.intake import Report
from onegrid.cases.machine import Action
from onegrid.cases.models import Channel
from onegrid.config import get_settings
from onegrid.core.coordinates import CRS
from onegrid.core.errors import Conflict, Invalid
from onegrid.core.permissions import Principal
from onegrid.db import get_engine
from onegrid.territory import service as territory

REQUIRED = ("received_at", "category_code", "description", "lon", "lat")
KNOWN = {
    *REQUIRED,
    *("crs", "channel", "address", "reporter_name", "reporter_phone", "anonymous"),
    *("attributes", "receipt", "steps"),
}
_RECEIPT = re.compile(r"[0-9A-Z-]{4,20}")
_MEMBERS = {kind: {m.value: m for m in kind} for kind in (Action, Channel, CRS)}
_TRUE, _FALSE = {"true", "1", "yes", "是"}, {"false", "0", "no", "否", ""}


def format_of(path: Path) -> str:
    """Returns "csv" or "jsonl" from the file's name, or raises Invalid."""
    suffix = path.suffix.lower().lstrip(".")
    kind = {"csv": "csv", "jsonl": "jsonl", "ndjson": "jsonl"}.get(suffix)
    if kind is None:
        raise Invalid(
            f"无法识别文件 {path.name} 的格式：应为 .csv 或 .jsonl",
            f"cannot tell the format of {path.name}: use .csv or .jsonl",
        )
    return kind


def count_rows(path: Path) -> int:
    """Returns how many rows the file holds (for the progress bar), reading it in blocks."""
    lines = 0
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            lines += block.count(b"\n")
    return max(lines - (1 if format_of(path) == "csv" else 0), 0)


def read(path: Path, zone: ZoneInfo) -> Iterator[Row | Rejected]:
    """Yields each row of the file as a Row, or as Rejected with its line and problem."""
    if format_of(path) == "csv":
        yield from _read_csv(path, zone)
    else:
        yield from _read_jsonl(path, zone)


def _read_csv(path: Path, zone: ZoneInfo) -> Iterator[Row | Rejected]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
        if missing:
            raise Invalid(
                f"CSV 表头缺少列：{', '.join(missing)}",
                f"the CSV header lacks the columns: {', '.join(missing)}",
            )
        for fields in reader:
            line = reader.line_num
            for name in ("attributes", "steps"):
                text = fields.get(name)
                if text:
                    try:
                        fields[name] = json.loads(text)
                    except json.JSONDecodeError as error:
                        zh, en = f"{name} 不是 JSON：{error}", f"{name} is not JSON: {error}"
                        yield Rejected(line, zh, en)
                        break
            else:
                yield _row(line, fields, zone)


def _read_jsonl(path: Path, zone: ZoneInfo) -> Iterator[Row | Rejected]:
    with path.open(encoding="utf-8-sig") as file:
        for line, text in enumerate(file, start=1):
            if not text.strip():
                continue
            try:
                fields = json.loads(text)
            except json.JSONDecodeError as error:
                yield Rejected(line, f"不是 JSON：{error}", f"not JSON: {error}")
                continue
            if not isinstance(fields, dict):
                yield Rejected(line, "每行应为一个 JSON 对象", "each line must be a JSON object")
                continue
            yield _row(line, fields, zone)


def _row(line: int, fields: dict, zone: ZoneInfo) -> Row | Rejected:
    try:
        return _parse(line, fields, zone)
    except Invalid as error:
        return Rejected(line, error.zh, error.en)


def _parse(line: int, fields: dict, zone: ZoneInfo) -> Row:
    unknown = sorted(set(fields) - KNOWN - {None})
    if unknown:
        raise Invalid(f"未知字段：{', '.join(unknown)}", f"unknown fields: {', '.join(unknown)}")
    for name in REQUIRED:
        if fields.get(name) in (None, ""):
            raise Invalid(f"缺少 {name}", f"{name} is missing")
    attributes = fields.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise Invalid("attributes 应为对象", "attributes must be an object")
    receipt = (fields.get("receipt") or "").strip() or None
    if receipt is not None and not _RECEIPT.fullmatch(receipt):
        raise Invalid(
            f"受理编号 {receipt!r} 无效：4 至 20 位大写字母、数字或连字符",
            f"the receipt {receipt!r} is not 4 to 20 capital letters, digits or hyphens",
        )
    report = Report(
        channel=_choice(Channel, fields.get("channel") or Channel.HOTLINE.value, "channel"),
        category_code=str(fields["category_code"]).strip(),
        description=str(fields["description"]),
        lon=_number(fields["lon"], "lon"),
        lat=_number(fields["lat"], "lat"),
        crs=_choice(CRS, fields.get("crs") or CRS.WGS84.value, "crs"),
        address=fields.get("address") or None,
        attributes=attributes,
        reporter_name=fields.get("reporter_name") or None,
        reporter_phone=str(fields.get("reporter_phone") or "") or None,
        anonymous=_flag(fields.get("anonymous"), "anonymous"),
    )
    return Row(
        line=line,
        report=report,
        received_at=_time(fields["received_at"], zone, "received_at"),
        receipt=receipt,
        steps=_steps(fields.get("steps") or [], zone),
    )


def _steps(steps, zone: ZoneInfo) -> list[Step]:
    if not isinstance(steps, list):
        raise Invalid("steps 应为数组", "steps must be an array")
    parsed = []
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or not step.get("action") or not step.get("at"):
            raise Invalid(
                f"第 {number} 步应为含 action 和 at 的对象",
                f"step {number} must be an object with action and at",
            )
        action = _choice(Action, step["action"], f"step {number} action")
        if action in (Action.RECEIVE, Action.ESCALATE):
            raise Invalid(
                f"第 {number} 步：{action.value} 由系统记录，不能导入",
                f"step {number}: {action.value} is recorded by onegrid itself, not imported",
            )
        data = step.get("data") or {}
        if not isinstance(data, dict):
            raise Invalid(
                f"第 {number} 步的 data 应为对象", f"step {number}: data must be an object"
            )
        at = _time(step["at"], zone, f"step {number} at")
        parsed.append(Step(action, at, step.get("note") or None, data))
    return parsed


def _choice(kind, value, name: str):
    if isinstance(value, str) and value in _MEMBERS[kind]:  # the usual case: as stored
        return _MEMBERS[kind][value]
    try:
        return kind(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise Invalid(
            f"{name} 的值 {value!r} 无效，应为：{allowed}",
            f"{name} {value!r} is not one of: {allowed}",
        ) from None


def _number(value, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        zh, en = f"{name} 应为数字：{value!r}", f"{name} must be a number: {value!r}"
        raise Invalid(zh, en) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Invalid(f"{name} 应为有限数字", f"{name} must be a finite number")
    return number


def _flag(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Invalid(f"{name} 应为 true 或 false", f"{name} must be true or false")


def _time(value, zone: ZoneInfo, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise Invalid(
            f"{name} 不是 ISO 8601 时间：{value!r}", f"{name} is not an ISO 8601 time: {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@dataclass(frozen=True)
class Progress:
    """How far an import has come: rows read of the file's total, and cases, events and
    batches written."""

    total: int
    rows: int
    cases: int
    events: int
    batches: int


@dataclass
class ImportReport:
    """What an import did: rows read, cases and events written, and the first bad batch."""

    rows: int = 0
    cases: int = 0
    events: int = 0
    batches: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    stopped_at: int | None = None  # the first line of the batch that was not written

    def count(self, written: Written | BatchResult | None) -> None:
        if written is not None:
            self.cases += written.cases
            self.events += written.events
            self.batches += 1

    def progress(self, total: int) -> Progress:
        return Progress(total, self.rows, self.cases, self.events, self.batches)


def _in_memory(session: Session) -> bool:
    """Whether the database lives in this process only (no other process can write it)."""
    url = session.get_bind().url
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def import_path(
    *,
    path: Path,
    who: Principal,
    district: str | None = None,
    batch_size: int = 10_000,
    from_line: int = 1,
    check: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> ImportReport:
    """`import_file` into the database (`db.get_engine`), for the district given or the only
    one stored, as `who`, in the local time zone: what `onegrid import cases` runs."""
    with Session(get_engine(), expire_on_commit=False) as session:
        engine = BulkEngine(
            session,
            district_code=territory.district_code(session=session, given=district),
            who=who,
            source=f"import:{path.name}",
        )
        return import_file(
            session=session,
            engine=engine,
            path=path,
            zone=ZoneInfo(get_settings().time_zone),
            batch_size=batch_size,
            from_line=from_line,
            check=check,
            progress=progress,
        )


def import_file(
    *,
    session: Session,
    engine: BulkEngine,
    path: Path,
    zone: ZoneInfo,
    batch_size: int = 10_000,
    from_line: int = 1,
    check: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> ImportReport:
    """Imports the file batch by batch, committing each; stops at the first bad batch.

    A batch with any bad row writes nothing; the report lists every bad row of it and the
    line to start again from (`from_line`). `check` reads and checks every row, writes none.
    With more than one batch to write, a second process writes each batch while the next is
    prepared here (`writer.BackgroundWriter`). `progress` is told at the start, after each
    batch, and once more when the last is written.
    """
    if batch_size < 1:
        raise Invalid("每批至少 1 行", "a batch holds at least one row")
    total = count_rows(path)
    with ExitStack() as stack:
        writer = None
        if not check and total - from_line + 1 > batch_size and not _in_memory(session):
            url = session.get_bind().url.render_as_string(hide_password=False)
            writer = stack.enter_context(BackgroundWriter(url))
        report = ImportReport()
        in_flight = 0  # the first line of the batch the writer is writing
        if progress:
            progress(report.progress(total))

        def import_batch(batch: list[Row | Rejected]) -> bool:
            nonlocal in_flight
            rows = [item for item in batch if isinstance(item, Row)]
            bad = [item for item in batch if isinstance(item, Rejected)]
            handed_over = writer is not None and not (check or bad)
            if handed_over:
                prepared = engine.prepare(rows)
                result = prepared.result
            else:
                result = engine.run(rows, write=not (check or bad))
            bad = sorted(bad + result.rejected, key=lambda r: r.line)
            report.rows += len(batch)
            if bad:
                session.rollback()
                report.rejected += bad
                report.stopped_at = report.stopped_at or batch[0].line
            elif handed_over:
                session.commit()  # ends this process's reading: SQLite's log can be checkpointed
                report.count(_written(lambda: writer.send(prepared.batch), in_flight))
                in_flight = batch[0].line
            elif not check:
                session.commit()
                report.count(result)
            if progress:
                progress(report.progress(total))
            return check or not bad  # checking goes on to find every bad row; importing stops

        batch: list[Row | Rejected] = []
        for item in read(path, zone):
            if item.line < from_line:
                continue
            batch.append(item)
            if len(batch) >= batch_size:
                if not import_batch(batch):
                    break
                batch = []
        else:
            if batch:
                import_batch(batch)
        if writer is not None:
            report.count(_written(writer.wait, in_flight))
            if progress:
                progress(report.progress(total))
        return report


def _written(call: Callable[[], Written | None], line: int) -> Written | None:
    """What the writer wrote; its failure told as the batch that was not written."""
    try:
        return call()
    except WriteFailed as error:
        raise Conflict(
            f"第 {line} 行起的一批未能写入（{error}），其后的行也未导入；之前的批次已写入。"
            f"排除问题后用 --from-line {line} 继续",
            f"the batch from line {line} could not be written ({error}), nor anything after "
            f"it; the batches before it are written. Go on with --from-line {line}.",
        ) from error
