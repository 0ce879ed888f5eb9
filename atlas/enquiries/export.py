"""The staff inbox as a bilingual table, for the CSV and XLSX downloads
(:mod:`atlas.exports.tables`: UTF-8 with BOM, formula-safe cells)."""

from __future__ import annotations

import datetime as dt

from atlas.engine import Atlas
from atlas.enquiries.model import Enquiry
from atlas.exports.tables import Column, Table
from atlas.vocab import Label
from atlas.web.i18n import field, t

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
"""China Standard Time (no daylight saving): the times staff read."""


def local_time(iso: str) -> str:
    """A stored UTC time as staff read it: ``2026-01-31 20:05`` (China Standard Time)."""
    return dt.datetime.fromisoformat(iso).astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if iso else ""


def ui_label(key: str) -> Label:
    """A UI string (:mod:`atlas.web.i18n`) as a bilingual :class:`Label`."""
    return Label(t(key, "zh"), t(key, "en"))


def sent_from(atlas: Atlas, enquiry: Enquiry) -> str:
    """Where an enquiry was sent from, readable: the entity's names and id, and the link."""
    parts = []
    if enquiry.entity_id:
        entity = atlas.entity(enquiry.entity_id)
        parts.append(f"{field(entity.props, 'name', 'zh')[0]} {field(entity.props, 'name', 'en')[0]} "
                     f"({enquiry.entity_id})" if entity else enquiry.entity_id)
    if enquiry.link:
        parts.append(enquiry.link)
    return " · ".join(parts)


COLUMNS = (Column("number", ui_label("enq_col_no"), number=True),
           Column("time", ui_label("enq_col_time")),
           Column("status", ui_label("enq_col_status")),
           Column("assignee", ui_label("enq_col_assignee")),
           Column("name", ui_label("enq_name")),
           Column("organisation", ui_label("enq_col_organisation")),
           Column("contact", ui_label("enq_col_contact")),
           Column("need", ui_label("enq_col_need")),
           Column("sent_from", ui_label("enq_col_from")),
           Column("notes", ui_label("enq_col_notes")),
           Column("lang", ui_label("enq_col_lang")),
           Column("updated", ui_label("enq_col_updated")))


def enquiry_table(atlas: Atlas, enquiries: list[Enquiry], status: str | None) -> Table:
    """The enquiries (newest first) as a :class:`Table` named ``enquiries[-<status>]``."""
    rows = [{"number": e.number, "time": local_time(e.time),
             "status": ui_label(f"enq_status_{e.status}"), "assignee": e.assignee,
             "name": e.name, "organisation": e.organisation, "contact": e.contact, "need": e.need,
             "sent_from": sent_from(atlas, e), "notes": e.notes, "lang": e.lang,
             "updated": f"{e.updated_by} {local_time(e.updated_at)}".strip()}
            for e in enquiries]
    return Table(name="enquiries" + (f"-{status}" if status else ""),
                 title=ui_label("enq_inbox_title"), columns=COLUMNS, rows=rows,
                 source=ui_label("enq_export_source"))
