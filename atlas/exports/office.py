"""Exports for spreadsheets: XLSX (Excel, WPS, LibreOffice) and CSV (UTF-8 with BOM).

Both write :class:`~atlas.exports.records.Records`: the XLSX with a bold, frozen, filterable
header row, columns sized to their content and a second sheet holding the data dictionary; the
CSV with a BOM so Excel reads the Chinese.  Text that a spreadsheet would run as a formula is
defused (:func:`atlas.exports.tables.formula_safe`).
"""

from __future__ import annotations

import csv
import io


from atlas.exports.records import (COLUMNS, DICTIONARY_HEADERS, NOTES, ExportColumn, Records,
                                   dictionary, in_lang)
from atlas.exports.tables import formula_safe
from atlas.libraries import openpyxl
from atlas.vocab import Label

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_SHEET = Label("数据", "Data")
DICTIONARY_SHEET = Label("数据字典", "Data dictionary")
MIN_WIDTH, MAX_WIDTH = 6, 60
"""Column widths, in characters of Latin text (a Chinese character counts two)."""
WIDTH_SAMPLE = 2000
"""Rows read to size the columns: enough to see the long values, cheap at 20 000 rows."""


def _cell(value):
    """A spreadsheet cell: text made formula-safe, numbers and empty cells as they are."""
    return formula_safe(value) if isinstance(value, str) else value


def _width(value) -> float:
    """How wide ``value`` shows: a Chinese character (3 bytes of UTF-8) counts two Latin ones."""
    text = "" if value is None else str(value)
    return (len(text) + len(text.encode("utf-8"))) / 2


def _size_columns(sheet, rows: list) -> None:
    """Set a write-only sheet's column widths from the widest of ``rows`` (before any row is
    written)."""
    for i, values in enumerate(zip(*rows), start=1):
        width = max(_width(v) for v in values) + 2
        letter = openpyxl().utils.get_column_letter(i)
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, width))


def _header(sheet, titles: list[str]) -> list:
    """The header row of a write-only sheet: bold cells."""
    xl, cells = openpyxl(), []
    for title in titles:
        cell = xl.cell.WriteOnlyCell(sheet, title)
        cell.font = xl.styles.Font(bold=True)
        cell.alignment = xl.styles.Alignment(vertical="top")
        cells.append(cell)
    return cells


def write_xlsx(rec: Records, about: list[str]) -> bytes:
    """The rows as an XLSX workbook: sheet 1 the data (header frozen, with a filter), sheet 2
    the data dictionary followed by the notes and the lines of ``about`` (what the file holds,
    when it was made, where from)."""
    lang = rec.lang
    book = openpyxl().Workbook(write_only=True)
    data = book.create_sheet(in_lang(DATA_SHEET, lang))
    headers = rec.headers()
    _size_columns(data, [headers, *rec.rows[:WIDTH_SAMPLE]])
    data.freeze_panes = "A2"
    data.auto_filter.ref = f"A1:{openpyxl().utils.get_column_letter(len(headers))}{len(rec.rows) + 1}"
    data.append(_header(data, headers))
    for row in rec.rows:
        data.append([_cell(v) for v in row])

    sheet = book.create_sheet(in_lang(DICTIONARY_SHEET, lang))
    entries = dictionary(lang)
    titles = [in_lang(h, lang) for h in DICTIONARY_HEADERS]
    _size_columns(sheet, [titles, *entries])
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, titles))
    for entry in entries:
        sheet.append(list(entry))
    sheet.append([])
    for line in [*(in_lang(n, lang) for n in NOTES), *about]:
        sheet.append([_cell(line)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_csv(rec: Records) -> bytes:
    """The rows as CSV: UTF-8 with a BOM, the header row, lon/lat with 6 decimals, other
    numbers as they are (92, 2.5)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(rec.headers())
    for row in rec.rows:
        writer.writerow([_csv_cell(v, c) for v, c in zip(row, COLUMNS)])
    return out.getvalue().encode("utf-8")


def _csv_cell(value, column: ExportColumn) -> str:
    if value is None:
        return ""
    if column.decimals is not None:
        return f"{value:.{column.decimals}f}"
    if column.number:
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return formula_safe(value)
