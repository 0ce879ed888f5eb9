"""How long enquiries are kept, and the purge that deletes the expired ones.

An enquiry is deleted :func:`retention_days` days after it was sent, whatever its status: the
consent text promises exactly that.  The purge runs on every new enquiry and every look at the
inbox (so an expired enquiry is never shown), and from ``atlas enquiries purge`` (cron).
"""

from __future__ import annotations

import datetime as dt
import os

from atlas.storage import Storage

ENV = "ATLAS_ENQUIRY_RETENTION_DAYS"
DEFAULT_DAYS = 180
MAX_DAYS = 3650


class RetentionError(ValueError):
    """The retention setting is not a whole number of days from 1 to :data:`MAX_DAYS`."""


def retention_days(settings=None) -> int:
    """Days an enquiry is kept: the settings' ``enquiry_retention_days`` when they have it,
    else ``ATLAS_ENQUIRY_RETENTION_DAYS`` (default :data:`DEFAULT_DAYS`)."""
    configured = getattr(settings, "enquiry_retention_days", None)
    raw = str(configured) if configured is not None else os.environ.get(ENV, "").strip()
    if not raw:
        return DEFAULT_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise RetentionError(f"{ENV}: a whole number of days (got {raw!r})") from None
    if not 1 <= days <= MAX_DAYS:
        raise RetentionError(f"{ENV}: from 1 to {MAX_DAYS} days (got {days})")
    return days


def cutoff(days: int, now: dt.datetime | None = None) -> str:
    """The sending time before which an enquiry has expired (UTC, ISO 8601, to the second)."""
    now = now or dt.datetime.now(dt.UTC)
    return (now - dt.timedelta(days=days)).astimezone(dt.UTC).replace(microsecond=0).isoformat()


def purge_expired(storage: Storage, settings=None, now: dt.datetime | None = None) -> int:
    """Delete every enquiry sent more than :func:`retention_days` ago; how many were deleted."""
    return storage.delete_enquiries_before(cutoff(retention_days(settings), now))
