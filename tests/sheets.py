"""Reading what an export wrote, with the standard library alone: CSV, and XLSX's sheet XML."""

import csv
import io
import re
import zipfile
from xml.etree import ElementTree

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def csv_rows(content: bytes) -> list[list[str]]:
    """Returns a CSV export's rows (its header first); it must start with a UTF-8 BOM."""
    assert content.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would garble Chinese"
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


def _column(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference).group()
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def xlsx_sheets(content: bytes) -> dict[str, list[list[str]]]:
    """Returns each worksheet's rows by the sheet's name, every cell as text ("" if empty)."""
    book = zipfile.ZipFile(io.BytesIO(content))
    shared = []
    if "xl/sharedStrings.xml" in book.namelist():
        root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
        shared = ["".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")) for si in root]
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    names = [sheet.get("name") for sheet in workbook.find("m:sheets", _NS)]
    sheets = {}
    for number, name in enumerate(names, 1):
        root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{number}.xml"))
        rows = []
        for row in root.find("m:sheetData", _NS):
            cells: dict[int, str] = {}
            for cell in row:
                kind, value = cell.get("t"), ""
                if kind == "inlineStr":
                    value = "".join(t.text or "" for t in cell.iter(f"{{{_NS['m']}}}t"))
                elif (v := cell.find("m:v", _NS)) is not None:
                    value = shared[int(v.text)] if kind == "s" else v.text
                cells[_column(cell.get("r"))] = value
            rows.append([cells.get(i, "") for i in range(max(cells, default=-1) + 1)])
        sheets[name] = rows
    return sheets


def xlsx_is_frozen_with_bold_header(content: bytes) -> bool:
    """Tells whether the first sheet's top row is frozen and its header cells are bold."""
    book = zipfile.ZipFile(io.BytesIO(content))
    sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    pane = sheet.find(".//m:pane", _NS)
    frozen = pane is not None and pane.get("state") == "frozen" and pane.get("ySplit") == "1"
    styles = ElementTree.fromstring(book.read("xl/styles.xml"))
    fonts = styles.find("m:fonts", _NS)
    xfs = styles.find("m:cellXfs", _NS)
    first = sheet.find("m:sheetData", _NS)[0]
    bold = all(
        fonts[int(xfs[int(c.get("s", "0"))].get("fontId"))].find("m:b", _NS) is not None
        for c in first
    )
    return frozen and bold
