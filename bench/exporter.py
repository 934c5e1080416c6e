"""python -m bench.exporter URL FORMAT MODE: one export of every case of a store, its memory
measured by this process (nothing is measured in the product).

MODE `streamed` is what `GET /api/v1/cases/export` streams: the rows of `cases.exporting.rows`
(one query fetched in batches) through `core.exports` (CSV chunk by chunk; XLSX by XlsxWriter in
constant-memory mode to a temporary file, then read), written to /dev/null as a client would
take them. MODE `naive` is the export one writes first: the whole list read into memory as a
table of cells, then written (CSV to one string; XLSX by XlsxWriter in its default mode).
Prints one JSON line: rows, bytes, seconds, peak_kib (this process's peak resident memory
during the export: the peak is reset once everything is imported and connected, through
/proc/self/clear_refs) and ready_kib (its resident memory then).
"""

import csv
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter
from sqlalchemy.orm import Session

from bench.common import memory_kib
from onegrid.cases import exporting, service
from onegrid.core import exports
from onegrid.core.permissions import Scope
from onegrid.db.engine import create_db_engine


def _streamed(session: Session, format: exports.Format, out) -> tuple[int, int]:
    counted = []
    rows = exporting.rows(session=session, scope=Scope.all(), filters=service.Filters())
    if format is exports.Format.CSV:
        chunks = exports.csv_chunks(exporting.COLUMNS, rows, "zh", lambda n, _: counted.append(n))
    else:
        chunks = exports.xlsx_chunks(
            exporting.COLUMNS, rows, "zh", "cases", lambda n, _: counted.append(n)
        )
    size = 0
    for chunk in chunks:
        out.write(chunk)
        size += len(chunk)
    return counted[0], size


def _naive(session: Session, format: exports.Format, out) -> tuple[int, int]:
    rows = exporting.rows(session=session, scope=Scope.all(), filters=service.Filters())
    table = [[column.of(row) for column in exporting.COLUMNS] for row in rows]
    header = [column.zh for column in exporting.COLUMNS]
    if format is exports.Format.CSV:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows([[exports.text(v) for v in row] for row in table])
        data = ("\ufeff" + text.getvalue()).encode()
        out.write(data)
        return len(table), len(data)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "naive.xlsx")
        book = xlsxwriter.Workbook(path)
        sheet = book.add_worksheet("cases")
        sheet.write_row(0, 0, header)
        for line, row in enumerate(table, 1):
            sheet.write_row(line, 0, [exports.text(v) for v in row])
        book.close()
        with open(path, "rb") as file:
            data = file.read()
    out.write(data)
    return len(table), len(data)


def main() -> None:
    url, format, mode = sys.argv[1], exports.Format(sys.argv[2]), sys.argv[3]
    engine = create_db_engine(url)
    with Session(engine) as session:  # connected, the first rows read: as a served export
        next(exporting.rows(session=session, scope=Scope.all(), filters=service.Filters()), None)
    # The peak from here on: start-up (imports, the first query) peaks above a small export.
    Path("/proc/self/clear_refs").write_text("5")
    ready = memory_kib(os.getpid(), "VmRSS")
    start = time.perf_counter()
    with Session(engine) as session, open(os.devnull, "wb") as out:
        rows, size = (_streamed if mode == "streamed" else _naive)(session, format, out)
    seconds = time.perf_counter() - start
    peak = memory_kib(os.getpid(), "VmHWM")
    said = {"rows": rows, "bytes": size, "seconds": seconds, "peak_kib": peak, "ready_kib": ready}
    print(json.dumps(said))


if __name__ == "__main__":
    main()
