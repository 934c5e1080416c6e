"""Exports: a list's rows as a CSV or XLSX file, streamed in constant memory.

Every list that exports (the console's queue, the API's cases, a department's inbox, the audit
log) gives its columns and an iterator of its rows; `stream` answers with the file while the
rows are read. CSV is UTF-8 with a byte-order mark (so that Excel opens Chinese), written
chunk by chunk; XLSX is written by XlsxWriter in constant-memory mode (one row in memory) to
a temporary file, which is then sent and deleted. `finished(count, complete)` is called once
the last row has been written (or the client went away), so that the caller can audit the
export with its row count.

What an export holds is what its list shows: personal data masked as stored (the masked
description, name and phone), never the sealed originals. Exports reveal nothing; a reveal is
one field at a time, with a purpose (pii/).
"""

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import xlsxwriter
from fastapi.responses import StreamingResponse

from onegrid.config import get_settings
from onegrid.core.permissions import Scope

_CHUNK = 64 * 1024  # bytes of CSV gathered before they are sent
_XLSX_ROWS = 1_048_576  # rows of a worksheet, its header included: more go on to another sheet
_FORMULA_START = "=+-@\t\r"  # a cell starting so, a spreadsheet would run (CSV)


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    """One column: its key, its header in Chinese and English, its width in XLSX (characters),
    how its value is read from a row (default: the row's attribute or item `key`), and, for a
    value that is words (a state's name), how it is read in English."""

    key: str
    zh: str
    en: str
    width: int = 14
    value: Callable[[Any], object] | None = None
    value_en: Callable[[Any], object] | None = None

    def of(self, row: Any, lang: str = "zh") -> object:
        if self.value_en is not None and lang == "en":
            return self.value_en(row)
        if self.value is not None:
            return self.value(row)
        return row[self.key] if type(row) is dict else getattr(row, self.key)

    def header(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


Finished = Callable[[int, bool], None]


def filename(list_name: str, scope: str, day: date, format: Format) -> str:
    """Returns the file's name: the list, the scope, the day ("cases-210104001-2026-12-07.csv")."""
    return f"{list_name}-{scope}-{day.isoformat()}.{format.value}"


def scope_name(scope: Scope) -> str:
    """Returns the scope as a file's name shows it: its one unit's code, else its district's."""
    if len(scope.unit_codes) == 1:
        return scope.unit_codes[0]
    return scope.district_code or "all"


def local_zone() -> ZoneInfo:
    """Returns the district's time zone, in which exports show time."""
    return ZoneInfo(get_settings().time_zone)


def today() -> date:
    """Returns today's date in the district's time zone (a file's name carries it)."""
    return datetime.now(local_zone()).date()


def text(value: object, zone: ZoneInfo | None = None) -> str:
    """Returns a cell's text: local time for a moment (to the second), "" for nothing."""
    if type(value) is str:  # most cells: the fast way first
        return value
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone or local_zone())
        return value.isoformat(sep=" ", timespec="seconds")[:19]
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _csv_safe(cell: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection): a leading
    # apostrophe keeps it text. Numbers (a negative one included) are left as they are.
    if cell and cell[0] in _FORMULA_START and not _is_number(cell):
        return "'" + cell
    return cell


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def csv_chunks(
    columns: list[Column], rows: Iterable, lang: str, finished: Finished | None = None
) -> Iterator[bytes]:
    """Yields the CSV file in chunks: a byte-order mark, the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header(lang) for c in columns])
    count, complete, zone = 0, False, local_zone()
    try:
        yield "\ufeff".encode()
        for row in rows:
            writer.writerow([_csv_safe(text(c.of(row, lang), zone)) for c in columns])
            count += 1
            if buffer.tell() >= _CHUNK:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()
        complete = True
    finally:
        if finished is not None:
            finished(count, complete)


def _cell(value: object, zone: ZoneInfo) -> object:
    if type(value) is str:
        return value
    if isinstance(value, bool) or value is None or isinstance(value, datetime):
        return text(value, zone)
    if isinstance(value, int | float):
        return value
    return str(value)


def write_xlsx(path: str, columns: list[Column], rows: Iterable, lang: str, sheet: str) -> int:
    """Writes the rows to an XLSX file at path, one row in memory; returns how many it wrote."""
    workbook = xlsxwriter.Workbook(
        path,
        {"constant_memory": True, "tmpdir": os.path.dirname(path), "strings_to_formulas": False},
    )
    bold = workbook.add_format({"bold": True})
    count, line, number, worksheet, zone = 0, _XLSX_ROWS, 0, None, local_zone()
    for row in rows:
        if line == _XLSX_ROWS:  # a new sheet: the first, or the last one is full
            number += 1
            worksheet = workbook.add_worksheet(sheet if number == 1 else f"{sheet} {number}")
            _head(worksheet, columns, lang, bold)
            line = 1
        for index, column in enumerate(columns):
            value = _cell(column.of(row, lang), zone)
            if isinstance(value, str):
                worksheet.write_string(line, index, value)
            else:
                worksheet.write_number(line, index, value)
        line += 1
        count += 1
    if worksheet is None:
        _head(workbook.add_worksheet(sheet), columns, lang, bold)
    workbook.close()
    return count


def _head(worksheet, columns: list[Column], lang: str, bold) -> None:
    for index, column in enumerate(columns):
        worksheet.set_column(index, index, column.width)
        worksheet.write_string(0, index, column.header(lang), bold)
    worksheet.freeze_panes(1, 0)


def xlsx_chunks(
    columns: list[Column],
    rows: Iterable,
    lang: str,
    sheet: str,
    finished: Finished | None = None,
) -> Iterator[bytes]:
    """Yields an XLSX file in chunks: written whole to a temporary file first, then read."""
    directory = tempfile.mkdtemp(prefix="onegrid-export-")
    path = os.path.join(directory, "export.xlsx")
    count, written = 0, False

    def counted() -> Iterator:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    try:
        write_xlsx(path, columns, counted(), lang, sheet)
        written = True
        if finished is not None:
            finished(count, True)
        with open(path, "rb") as file:
            while chunk := file.read(_CHUNK):
                yield chunk
    finally:
        if not written and finished is not None:
            finished(count, False)
        for name in os.listdir(directory):
            os.unlink(os.path.join(directory, name))
        os.rmdir(directory)


def _primed(rows: Iterator) -> Iterator:
    first = next(rows, _END)
    if first is _END:
        return iter(())

    def chained() -> Iterator:
        yield first
        yield from rows

    return chained()


_END = object()


def stream(
    *,
    columns: list[Column],
    rows: Iterable,
    format: Format,
    name: str,
    lang: str,
    sheet: str = "export",
    finished: Finished | None = None,
) -> StreamingResponse:
    """Returns the response streaming the rows as a file of this format named `name`.

    The first row is read before the response starts, so that an error of the query (a bad
    filter found late, the database away) is still answered with its status, not a cut file."""
    rows = _primed(iter(rows))
    if format is Format.CSV:
        body = csv_chunks(columns, rows, lang, finished)
    else:
        body = xlsx_chunks(columns, rows, lang, sheet, finished)
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return StreamingResponse(
        body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
