"""Enquiries from investors: left on a profile or a site-finder result, answered by staff.

- :mod:`atlas.enquiries.model` — what an enquiry holds (name, organisation, contact, need, where
  it was sent from, consent; status, assignee and notes for staff) and the public form's checks;
- :mod:`atlas.enquiries.retention` — how long enquiries are kept, and the purge;
- :mod:`atlas.enquiries.export` — the staff inbox as a CSV / XLSX table;
- :mod:`atlas.enquiries.cli` — ``atlas enquiries purge``.

Storage (``add_enquiry`` … in :mod:`atlas.storage`) keeps them in ``.atlas/enquiries.json`` beside
the layers or in the ``enquiries`` table of PostGIS; the web routes are :mod:`atlas.web.enquiries`.
Nothing about the sender's connection — IP address, browser, cookie — is ever kept.
"""

from atlas.enquiries.model import STATUSES, Enquiry

__all__ = ["STATUSES", "Enquiry"]
