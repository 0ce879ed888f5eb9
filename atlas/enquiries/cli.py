"""``atlas enquiries purge``: delete the enquiries kept longer than the retention period
(``ATLAS_ENQUIRY_RETENTION_DAYS``, default 180 days) — for a daily cron job; the server also
purges on every new enquiry and every look at the inbox."""

from __future__ import annotations

import argparse
import sys

from atlas.config import Settings
from atlas.enquiries.retention import RetentionError, purge_expired, retention_days
from atlas.storage.geojson import StorageError


def add_enquiry_commands(sub) -> None:
    """Add ``enquiries`` and its subcommand to the ``atlas`` parser's subparsers."""
    enquiries = sub.add_parser("enquiries", help="investors' enquiries: delete the expired ones")
    actions = enquiries.add_subparsers(dest="enquiry_command", required=True)
    purge = actions.add_parser("purge", help="delete the enquiries older than the retention "
                               "period (ATLAS_ENQUIRY_RETENTION_DAYS)")
    purge.add_argument("--data-dir", help="folder of the GeoJSON layers (default: ATLAS_DATA_DIR "
                       "or data/geo; ignored with ATLAS_DATABASE_URL)")


def run_enquiry_command(args: argparse.Namespace) -> int:
    """Run ``atlas enquiries purge``; returns the exit code (1 with a message if it failed)."""
    from atlas.storage.factory import open_storage

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    try:
        days = retention_days(settings)
        deleted = purge_expired(open_storage(settings), settings)
    except (RetentionError, StorageError, OSError) as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    print(f"deleted {deleted} enquiries sent more than {days} days ago")
    return 0
