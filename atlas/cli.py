"""The ``atlas`` command line: ``atlas validate`` checks the data and prints a report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from atlas.config import Settings
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
    args = parser.parse_args(argv)

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    try:
        collections = read_collections(GeoJSONStorage(settings.data_dir))
    except StorageError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    report = validate(collections, settings.corridor_width_m, settings.coast_tolerance_m)
    print(f"Validating {settings.data_dir}")
    print(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
