"""A bilingual table, written as CSV (UTF-8 with BOM, for Excel/WPS) or XLSX (openpyxl).

Every planning table (coverage, where next, industry matrix, targets, densities) is built
once as a :class:`Table`; the JSON answers, the HTML pages and the downloads all show it.
Headers, titles and translatable cells are :class:`~atlas.vocab.Label` s, read through
:func:`text`: one language on a page, both ("zh en") in JSON and the downloads.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field


from atlas.libraries import openpyxl
from atlas.vocab import Label


def text(value, lang: str | None = None):
    """How a header, title or cell reads: a :class:`Label` in ``lang`` ("zh" or "en"), or as
    "zh en" (once when both are the same, e.g. "%") when ``lang`` is None (JSON and
    downloads); any other value as it is."""
    if not isinstance(value, Label):
        return value
    if lang is None:
        return value.zh if value.zh == value.en else f"{value.zh} {value.en}"
    return value.en if lang == "en" else value.zh


@dataclass(frozen=True)
class Column:
    key: str
    label: Label
    number: bool = False
    """Right-aligned and written as a number."""
    lang: str | None = None
    """The one language of the column's text, for a Chinese column beside its English one
    (names): English pages leave out the "zh" columns; JSON and downloads keep both."""


@dataclass(frozen=True)
class Table:
    """Rows of values (numbers, plain text, :class:`Label` s) under bilingual column labels,
    with a title and a source line."""

    name: str
    """File name stem of the downloads, e.g. ``coverage-3000m``."""
    title: Label
    columns: tuple[Column, ...]
    rows: list[dict]
    source: Label | None = None
    links: list[dict] = field(default_factory=list)
    """Per row, column key -> URL for cells that open their list on the atlas (HTML only)."""

    def json_rows(self) -> list[dict]:
        """The rows with only the table's columns, for JSON answers (labels as "zh en")."""
        return [{c.key: text(row.get(c.key)) for c in self.columns} for row in self.rows]

    def page_columns(self, lang: str) -> tuple[Column, ...]:
        """The columns a page in ``lang`` shows: on English pages, none in Chinese only."""
        return tuple(c for c in self.columns if lang != "en" or c.lang != "zh")


def formula_safe(text: str) -> str:
    """Text for a spreadsheet cell: a leading = + - @ is quoted so no formula runs."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _cell(value):
    """A spreadsheet cell: labels in both languages, lists joined, text made formula-safe,
    numbers kept."""
    value = text(value)
    if isinstance(value, (list, tuple)):
        value = "; ".join(map(str, value))
    return formula_safe(value) if isinstance(value, str) else value


def header(column: Column) -> str:
    """A column's header in the downloads: "zh en"."""
    return text(column.label)


def to_csv(table: Table) -> bytes:
    """The table as CSV: UTF-8 with a BOM, one bilingual header row, then the rows."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([header(c) for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if row.get(c.key) is None else _cell(row.get(c.key))
                         for c in table.columns])
    if table.source:
        writer.writerow([])
        writer.writerow([f"来源 Source: {table.source.zh} / {table.source.en}"])
    return out.getvalue().encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    """The table as an XLSX workbook: title, bilingual bold header (frozen), rows, source."""
    xl = openpyxl()
    book = xl.Workbook()
    sheet = book.active
    sheet.title = table.name[:31]
    sheet.append([f"{table.title.zh} · {table.title.en}"])
    sheet["A1"].font = xl.styles.Font(bold=True, size=12)
    sheet.append([header(c) for c in table.columns])
    for cell in sheet[2]:
        cell.font = xl.styles.Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(row.get(c.key)) for c in table.columns])
    if table.source:
        sheet.append([])
        sheet.append([f"来源 Source: {table.source.zh} / {table.source.en}"])
    sheet.freeze_panes = "A3"
    for i, column in enumerate(table.columns, start=1):
        width = max([len(header(column)),
                     *(len(str(text(r.get(column.key)) or "")) for r in table.rows)])
        sheet.column_dimensions[sheet.cell(row=2, column=i).column_letter].width = min(50, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
