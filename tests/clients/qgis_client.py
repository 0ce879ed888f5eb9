"""QGIS as a real desktop-GIS client of the atlas's OGC API – Features (run by Debian's python).

Standalone: imports only PyQGIS and the standard library, because PyQGIS is installed for the
system python (``/usr/bin/python3``), not for the project's virtualenv.  ``tests/test_qgis.py``
runs it as a subprocess and compares what it writes with what the server serves.

For every collection id given, it

1. loads ``<base>/ogc`` collection ``<id>`` as an OAPIF layer (paging on, no bbox restriction)
   and records the fields QGIS chose (name, type name, QVariant type and subtype) and every
   feature (QGIS fid, every attribute as a JSON value, the geometry as WKT);
2. saves that layer with QGIS's own writer to GPKG, ESRI Shapefile, CSV, XLSX and KML (UTF-8)
   and reads every saved file back with QGIS's OGR provider, recording the same things;
3. loads the collection a second way, through QGIS's OGR provider and GDAL's OAPIF driver
   (``OAPIF:<base>/ogc|layername=<id>``, what *Add Vector Layer ▸ Protocol ▸ OGC API –
   Features* does), which types fields from the collection's schema, and records the same;

then it runs ``native:countpointsinpolygon`` on OAPIF inputs (the polygons collection against
each points collection) into a GeoPackage and records the per-polygon counts.

Errors are recorded in the output (``errors`` and per step), never raised: the pytest side
decides what fails.  Usage::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_client.py BASE_URL OUT_DIR \\
        --collections towns,platforms --polygons towns --points platforms,incubators

The result is ``OUT_DIR/result.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FORMATS = {  # name: (OGR driver, file extension, extra OGR layer creation options)
    "GPKG": ("GPKG", "gpkg", []),
    "SHP": ("ESRI Shapefile", "shp", []),
    "CSV": ("CSV", "csv", []),
    "XLSX": ("XLSX", "xlsx", []),
    "KML": ("KML", "kml", []),
}
COUNT_FIELD = "NUMPOINTS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="server root URL (its OGC API is at BASE/ogc)")
    parser.add_argument("out", type=Path, help="folder for the saved files and result.json")
    parser.add_argument("--collections", required=True, help="comma-separated collection ids")
    parser.add_argument("--polygons", default="", help="collection id of the polygons to count in")
    parser.add_argument("--points", default="", help="comma-separated point collection ids")
    parser.add_argument("--formats", default=",".join(FORMATS), help="formats to save to")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    # keep QGIS's profile (settings, network cache) out of $HOME
    os.environ.setdefault("QGIS_CUSTOM_CONFIG_PATH", str(args.out / "qgis-profile"))

    result: dict = {"errors": [], "log": [], "collections": {}, "processing": {}, "timings": {}}
    try:
        run(args, result)
    except Exception:  # noqa: BLE001 - recorded for the test to report
        result["errors"].append("client crashed: " + traceback.format_exc())
    (args.out / "result.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


def run(args: argparse.Namespace, result: dict) -> None:
    from qgis.core import Qgis, QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    result["qgis_version"] = Qgis.QGIS_VERSION

    def logged(message: str, tag: str, level) -> None:
        if int(level) >= int(Qgis.Warning):
            result["log"].append(f"[{tag}] {message}")

    QgsApplication.messageLog().messageReceived.connect(logged)

    layers = {}
    for collection in [c for c in args.collections.split(",") if c]:
        started = time.monotonic()
        record, layer = load_collection(args.base, collection, result)
        result["collections"][collection] = record
        if layer is not None:
            layers[collection] = layer
            record["saved"] = {}
            record["seconds"] = round(time.monotonic() - started, 2)
            for name in [f for f in args.formats.split(",") if f]:
                step = time.monotonic()
                record["saved"][name] = save_and_read_back(layer, collection, name, args.out, result)
                record["saved"][name]["seconds"] = round(time.monotonic() - step, 2)
        result["timings"][collection] = round(time.monotonic() - started, 2)
        started = time.monotonic()
        result.setdefault("through_gdal", {})[collection] = load_through_gdal(
            args.base, collection, result)
        result["timings"][f"{collection} through GDAL"] = round(time.monotonic() - started, 2)

    if args.polygons and args.points:
        started = time.monotonic()
        result["processing"] = count_points(args, layers, result)
        result["timings"]["processing"] = round(time.monotonic() - started, 2)
    app.processEvents()


# -------------------------------------------------------------------------- values
def plain(value):
    """A QVariant-ish value as a JSON value: NULL → None, dates → ISO strings, lists → lists."""
    from qgis.PyQt.QtCore import QByteArray, QDate, QDateTime, QTime, Qt, QVariant

    if value is None:
        return None
    if isinstance(value, QVariant):
        return None if value.isNull() else plain(value.value())
    if isinstance(value, bool) or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, QDate):
        return value.toString(Qt.ISODate) if value.isValid() else None
    if isinstance(value, QDateTime):
        return value.toString(Qt.ISODateWithMs) if value.isValid() else None
    if isinstance(value, QTime):
        return value.toString(Qt.ISODateWithMs) if value.isValid() else None
    if isinstance(value, QByteArray):
        return {"bytes": bytes(value).hex()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return {"unconverted": repr(value), "python_type": type(value).__name__}


def describe_fields(layer) -> list[dict]:
    from qgis.PyQt.QtCore import QVariant

    return [{"name": field.name(), "type_name": field.typeName(), "qvariant": int(field.type()),
             "qvariant_name": QVariant.typeToName(field.type()),
             "subtype": QVariant.typeToName(field.subType()) if int(field.subType()) else None,
             "length": field.length(), "precision": field.precision()}
            for field in layer.fields()]


def read_features(layer, step: str, result: dict) -> list[dict]:
    """Every feature of ``layer``: QGIS fid, attributes by field name, geometry as WKT."""
    names = layer.fields().names()
    out = []
    for feature in layer.getFeatures():
        try:
            geometry = feature.geometry()
            out.append({
                "fid": feature.id(),
                "attributes": {name: plain(value) for name, value in zip(names, feature.attributes())},
                "wkt": None if geometry.isNull() else geometry.asWkt(17),
            })
        except Exception as error:  # noqa: BLE001
            result["errors"].append(f"{step}: reading feature {feature.id()}: {error!r}")
    return out


# --------------------------------------------------------------------------- steps
def oapif_layer(base: str, collection: str):
    from qgis.core import QgsVectorLayer

    uri = (f"url='{base.rstrip('/')}/ogc' typename='{collection}' "
           "restrictToRequestBBOX='0' pagingEnabled='true'")
    return uri, QgsVectorLayer(uri, collection, "OAPIF")


def load_collection(base: str, collection: str, result: dict):
    uri, layer = oapif_layer(base, collection)
    record: dict = {"uri": uri, "valid": layer.isValid()}
    if not layer.isValid():
        record["error"] = (layer.error().summary() or "layer is not valid") + " | " + \
            " ".join(result["log"][-5:])
        result["errors"].append(f"OAPIF {collection}: {record['error']}")
        return record, None
    record["feature_count"] = layer.featureCount()
    record["wkb_type"] = layer.wkbType()
    record["crs"] = layer.crs().authid()
    record["fields"] = describe_fields(layer)
    record["features"] = read_features(layer, f"OAPIF {collection}", result)
    provider_error = layer.dataProvider().error()
    if not provider_error.isEmpty():
        record["provider_error"] = provider_error.summary()
        result["errors"].append(f"OAPIF {collection}: {record['provider_error']}")
    return record, layer


def load_through_gdal(base: str, collection: str, result: dict) -> dict:
    """The collection through QGIS's OGR provider (GDAL's OAPIF driver): fields and features."""
    from qgis.core import QgsVectorLayer

    uri = f"OAPIF:{base.rstrip('/')}/ogc|layername={collection}"
    layer = QgsVectorLayer(uri, collection, "ogr")
    record: dict = {"uri": uri, "valid": layer.isValid()}
    if not layer.isValid():
        record["error"] = layer.error().summary() or "layer is not valid"
        result["errors"].append(f"OGR/OAPIF {collection}: {record['error']}")
        return record
    record["fields"] = describe_fields(layer)
    record["features"] = read_features(layer, f"OGR/OAPIF {collection}", result)
    return record


def save_and_read_back(layer, collection: str, fmt: str, out: Path, result: dict) -> dict:
    from qgis.core import (QgsCoordinateTransformContext, QgsProject, QgsVectorFileWriter,
                           QgsVectorLayer)

    driver, extension, layer_options = FORMATS[fmt]
    folder = out / fmt.lower()
    folder.mkdir(exist_ok=True)
    path = folder / f"{collection}.{extension}"
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = driver
    options.fileEncoding = "UTF-8"
    options.layerName = collection
    options.layerOptions = list(layer_options)
    record: dict = {"path": str(path), "driver": driver,
                    "source_fields": layer.fields().names()}
    context = QgsProject.instance().transformContext() or QgsCoordinateTransformContext()
    try:
        answer = QgsVectorFileWriter.writeAsVectorFormatV3(layer, str(path), context, options)
    except Exception as error:  # noqa: BLE001
        answer = (-1, repr(error), "", "")
    code, message, new_file, new_layer = (list(answer) + ["", "", ""])[:4]
    record["writer_error"] = None if code == QgsVectorFileWriter.NoError else f"{code}: {message}"
    record["written_file"] = new_file or str(path)
    if record["writer_error"]:
        result["errors"].append(f"{fmt} {collection}: writer: {record['writer_error']}")
        return record
    written = new_file or str(path)
    source = f"{written}|layername={new_layer}" if fmt == "GPKG" and new_layer else written
    saved = QgsVectorLayer(source, f"{collection}-{fmt}", "ogr")
    record["valid"] = saved.isValid()
    if not saved.isValid():
        record["error"] = saved.error().summary() or "saved file does not open"
        result["errors"].append(f"{fmt} {collection}: {record['error']}")
        return record
    record["ogr_driver"] = saved.dataProvider().storageType()
    record["feature_count"] = saved.featureCount()
    record["fields"] = describe_fields(saved)
    record["features"] = read_features(saved, f"{fmt} {collection}", result)
    record["files"] = sorted(p.name for p in folder.iterdir() if p.stem == collection)
    return record


def count_points(args: argparse.Namespace, layers: dict, result: dict) -> dict:
    """``native:countpointsinpolygon`` from the OAPIF layers into a GeoPackage per points layer."""
    from qgis.core import QgsApplication, QgsVectorLayer

    sys.path.append("/usr/share/qgis/python/plugins")
    out: dict = {}
    try:
        from processing.core.Processing import Processing
        from qgis.analysis import QgsNativeAlgorithms

        Processing.initialize()
        QgsApplication.processingRegistry().addProvider(QgsNativeAlgorithms())
        import processing
    except Exception:  # noqa: BLE001
        result["errors"].append("processing does not initialise: " + traceback.format_exc())
        return out
    polygons = layers.get(args.polygons)
    for name in [p for p in args.points.split(",") if p]:
        record: dict = {}
        out[name] = record
        points = layers.get(name)
        if polygons is None or points is None:
            record["error"] = f"no OAPIF layer for {args.polygons if polygons is None else name}"
            result["errors"].append(f"processing {name}: {record['error']}")
            continue
        target = args.out / "processing" / f"{args.polygons}-{name}.gpkg"
        target.parent.mkdir(exist_ok=True)
        try:
            answer = processing.run("native:countpointsinpolygon", {
                "POLYGONS": polygons, "POINTS": points, "WEIGHT": None, "CLASSFIELD": None,
                "FIELD": COUNT_FIELD, "OUTPUT": str(target)})
        except Exception:  # noqa: BLE001
            record["error"] = traceback.format_exc()
            result["errors"].append(f"processing {name}: {record['error']}")
            continue
        record["output"] = str(answer.get("OUTPUT"))
        layer = QgsVectorLayer(record["output"], f"counts-{name}", "ogr")
        if not layer.isValid():
            record["error"] = f"output {record['output']} does not open"
            result["errors"].append(f"processing {name}: {record['error']}")
            continue
        record["fields"] = layer.fields().names()
        record["rows"] = [{"id": plain(f["id"]) if "id" in record["fields"] else None,
                           "count": plain(f[COUNT_FIELD]) if COUNT_FIELD in record["fields"] else None}
                          for f in layer.getFeatures()]
    return out


if __name__ == "__main__":
    sys.exit(main())
