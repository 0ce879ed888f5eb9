"""Usage statistics, privacy-light: what people look at and what they look for in vain.

Three kinds of count, per day (China Standard Time):

- ``view`` — a profile page shown (``/<layer>/<id>``, ``/corridor``), keyed by the entity's id;
- ``filter`` — a facet value the atlas page filtered by (``/api/entities``), keyed ``facet=value``;
- ``zero`` — a search that found nothing anywhere in the atlas (``/api/search``, or a name query
  on ``/api/entities``), keyed by the query normalised and truncated — the best signal of data
  that is missing.  A query that looks like a phone number or an e-mail address is not counted.

Counts only: no IP address, no user agent, no cookie, no time of day, nothing that tells one
reader from another.  :class:`~atlas.usage.counter.UsageCounter` adds them up in memory and
writes them to the storage (``.atlas/usage.json``, or the ``usage_counts`` table) every minute,
adding to what other processes wrote; :class:`~atlas.usage.middleware.UsageMiddleware` does
the counting after each answer; :mod:`atlas.usage.report` summarises them for staff
(``/edit/usage``, :mod:`atlas.web.usage_views`).
"""
