"""Large libraries the server loads on first use, not at start.

GDAL (through pyogrio) maps about 50 MB and openpyxl about 12 MB into every process that
imports them; only exports and imports need them, so a server nobody exports from never pays
for them.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType


@cache
def pyogrio() -> ModuleType:
    """pyogrio (GDAL), configured for the atlas."""
    import pyogrio as module

    # GDAL's LIBKML reader names a Placemark's XML id ``id`` by default, which would push a
    # record's own ``id`` field (in ExtendedData) aside to ``id2``; keep ``id`` for the record.
    module.set_gdal_config_options({"LIBKML_ID_FIELD": "kml_id"})
    return module


@cache
def openpyxl() -> ModuleType:
    """openpyxl, with the submodules the atlas uses (cell, styles, utils) loaded."""
    import openpyxl as module
    import openpyxl.cell  # noqa: F401
    import openpyxl.styles  # noqa: F401
    import openpyxl.utils  # noqa: F401

    return module
