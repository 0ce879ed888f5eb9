"""The ``atlas`` command line: ``atlas validate`` checks the data and prints a report;
``atlas user ...`` manages the staff who may edit (see :mod:`atlas.auth.cli`); ``atlas db ...``
moves data between files and PostGIS; ``atlas enquiries purge`` deletes expired enquiries."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from atlas.auth.cli import add_user_commands, run_user_command
from atlas.enquiries.cli import add_enquiry_commands, run_enquiry_command
from atlas.config import Settings
from atlas.engine import Atlas
from atlas.loader import read_collections
from atlas.storage.geojson import GeoJSONStorage, StorageError
from atlas.validate import validate


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``atlas`` console script; returns the exit code."""
    parser = argparse.ArgumentParser(prog="atlas", description="Jinjiang Innovation Atlas tools")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="check the layers and print a report")
    check.add_argument("--data-dir", type=Path, help="folder of the GeoJSON layers "
                       "(default: ATLAS_DATA_DIR or data/geo)")
    add_user_commands(sub)
    add_db_commands(sub)
    add_enquiry_commands(sub)
    args = parser.parse_args(argv)
    if args.command == "user":
        return run_user_command(args)
    if args.command == "db":
        return run_db_command(args)
    if args.command == "enquiries":
        return run_enquiry_command(args)

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    storage = GeoJSONStorage(settings.data_dir)
    try:
        version = storage.version()
        collections = read_collections(storage)
    except StorageError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    report = validate(collections, settings.corridor_width_m, settings.coast_tolerance_m)
    print(f"Validating {settings.data_dir}")
    print(report.text())
    if report.ok:  # keeps its snapshot and its names' pinyin (the search index keeps them):
        # a server on this data starts without validating or loading pypinyin (58 MB) again
        Atlas.from_report(settings, version, report).search_index()
    return 0 if report.ok else 1


# ---------------------------------------------------------------------- atlas db (PostGIS)
def add_db_commands(sub) -> None:
    """``atlas db init|load|dump``: the PostGIS database named by ATLAS_DATABASE_URL."""
    db = sub.add_parser("db", help="the PostGIS database (ATLAS_DATABASE_URL): init, load, dump")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    url_help = "postgresql://… (default: ATLAS_DATABASE_URL)"
    init = db_sub.add_parser("init", help="create the schema, or migrate it to the newest")
    load = db_sub.add_parser("load", help="replace the database's layers with the GeoJSON files "
                             "(one transaction, recorded as one commit)")
    load.add_argument("--from", dest="source", type=Path,
                      help="folder of the GeoJSON layers (default: ATLAS_DATA_DIR or data/geo)")
    load.add_argument("--no-validate", action="store_true",
                      help="load even if the layers do not pass `atlas validate`")
    dump = db_sub.add_parser("dump", help="write the database's layers as GeoJSON files")
    dump.add_argument("--to", dest="target", type=Path,
                      help="folder to write <layer>.geojson into (default: ATLAS_DATA_DIR or "
                           "data/geo)")
    for command in (init, load, dump):
        command.add_argument("--database-url", help=url_help)


def _shown(url: str) -> str:
    """``url`` without its password, for messages."""
    import re

    return re.sub(r"(password=)[^&\s]*", r"\1***", re.sub(r"(://[^/@:]*):[^/@]*@", r"\1:***@", url))


def run_db_command(args) -> int:
    import psycopg

    from atlas.storage import migrations
    from atlas.storage.geojson import _dump, atomic_write
    from atlas.storage.postgis import PostGISStorage

    settings = Settings(**({"database_url": args.database_url} if args.database_url else {}))
    url = settings.database_url
    if not url:
        print("ERROR no database: set ATLAS_DATABASE_URL=postgresql://… or pass --database-url",
              file=sys.stderr)
        return 2
    try:
        if args.db_command == "init":
            migrations.upgrade(url)
            print(f"{_shown(url)}: schema at revision {migrations.current(url)}")
            return 0
        storage = PostGISStorage(url)
        if args.db_command == "load":
            source = args.source or settings.data_dir
            files = GeoJSONStorage(source)
            collections = files.read_all()
            if not args.no_validate:
                report = validate(collections, settings.corridor_width_m,
                                  settings.coast_tolerance_m)
                if not report.ok:
                    print(report.text())
                    print(f"ERROR {source}: not loaded, the layers do not validate "
                          "(--no-validate loads them anyway)", file=sys.stderr)
                    return 1
            commit = storage.load(collections, "atlas db load", f"load {source}")
            features = sum(len(c.get("features", [])) for c in collections.values())
            print(f"{_shown(url)}: loaded {len(collections)} layers, {features} features from "
                  f"{source} as commit #{commit.number} ({len(commit.changes)} features changed)")
            return 0
        target = args.target or settings.data_dir
        collections = storage.read_all()
        target.mkdir(parents=True, exist_ok=True)
        files = GeoJSONStorage(target)
        for layer, collection in collections.items():
            atomic_write(files.path(layer), _dump(collection))
        print(f"{_shown(url)}: wrote {len(collections)} layers to {target}")
        return 0
    except StorageError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        print(f"ERROR {_shown(url)}: {str(exc).strip()}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
