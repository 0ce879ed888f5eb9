"""Exports for GIS and map apps: GeoJSON, GeoPackage, zipped Shapefile, KML and KMZ.

* **GeoJSON** (RFC 7946): every property of every entity, lists as arrays, codes as values,
  plus the derived town, zones and parks and the profile page's address.
* **GeoPackage**: one table per layer holding the readable columns
  (:data:`atlas.exports.records.COLUMNS`, under their field names), plus a ``data_dictionary``
  table; written by GDAL (pyogrio) in one call per table.
* **Shapefile** (zipped): one shapefile per geometry type present (points, lines, polygons),
  UTF-8 with a ``.cpg``, the columns under their short names; texts longer than a dBASE field
  holds (254 bytes) are cut in the ``.dbf``, end with "…", and are kept whole in a side table
  (``*_long_texts.csv``: id, field, text); the data dictionary and a read-me come along.
* **KML / KMZ** (Google Earth, 奥维互动地图 Ovital Map): a folder per layer, placemarks named in
  the export's language with the other language beside it, styled as the map draws them,
  a description with the key facts and a link to the profile page, and the id and both names
  as ExtendedData; written by simplekml.  All text is escaped here (simplekml's own escaping is
  switched off: it passes CDATA sections and data values through unescaped).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd
import pandas as pd
import shapely
import simplekml
from shapely.geometry.base import BaseGeometry

from atlas.crs import WGS84
from atlas.libraries import pyogrio
from atlas.engine import Entity
from atlas.exports.records import (COLUMNS, COORDINATE_DECIMALS, DICTIONARY_HEADERS, KEYS,
                                   LONG_TEXTS, NOTES, SHAPEFILE_TEXT_BYTES, Records, dictionary,
                                   in_lang)
from atlas.maps.style import AREA_STYLES, kind_colours
from atlas.vocab import Label, Layer
from atlas.web.i18n import t

GEOPACKAGE_MEDIA_TYPE = "application/geopackage+sqlite3"
KML_MEDIA_TYPE = "application/vnd.google-earth.kml+xml"
KMZ_MEDIA_TYPE = "application/vnd.google-earth.kmz"
ZIP_MEDIA_TYPE = "application/zip"
GEOPACKAGE_VERSION = "1.2"
"""Written as GeoPackage 1.2, which older GDAL, QGIS and ArcGIS read without a warning."""

GEOMETRY_FILES: dict[str, str] = {"Point": "points", "MultiPoint": "points",
                                  "LineString": "lines", "MultiLineString": "lines",
                                  "Polygon": "polygons", "MultiPolygon": "polygons"}
"""Geometry type -> the zipped Shapefile's file it goes to."""
CUT_MARK = "…"
DICTIONARY_TABLE = "data_dictionary"
README = Label(
    "晋江科创地图导出的 Shapefile。文字编码为 UTF-8（见 .cpg 文件）。字段名与表头的对应关系见 "
    "data_dictionary.csv。",
    "Shapefiles exported from the Jinjiang Innovation Atlas. Text is UTF-8 (see the .cpg "
    "files). data_dictionary.csv maps the field names to the column headers.")


# ------------------------------------------------------------------ GeoJSON
def geojson(entities: list[Entity], url_of: Callable[[Entity], str | None]) -> bytes:
    """The entities as an RFC 7946 FeatureCollection: every property, lists kept, plus
    ``profile_url``."""
    features = [e.feature({"profile_url": url_of(e)}) for e in entities]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


# ------------------------------------------------------------------ GeoPackage and Shapefile
def _by_layer(rec: Records) -> Iterator[tuple[Layer, list[int]]]:
    """Each layer present, in the atlas's layer order, with the indexes of its rows."""
    rows: dict[Layer, list[int]] = {}
    for i, e in enumerate(rec.entities):
        rows.setdefault(e.layer, []).append(i)
    yield from ((layer, rows[layer]) for layer in Layer if layer in rows)


def _frame(rec: Records, rows: list[int], names: tuple[str, ...]) -> gpd.GeoDataFrame:
    """The given rows as a GeoDataFrame (WGS-84) with the columns under ``names``; a column of
    numbers keeps its type when some or all of its cells are empty."""
    values = {name: pd.array([rec.rows[i][c] for i in rows], dtype=COLUMNS[c].number or object)
              for c, name in enumerate(names)}
    return gpd.GeoDataFrame(values, geometry=[rec.entities[i].geometry for i in rows], crs=WGS84)


def _dictionary_frame(lang) -> pd.DataFrame:
    return pd.DataFrame(dictionary(lang), columns=["field", "shapefile_field", "header_zh",
                                                   "header_en", "meaning"])


def geopackage(rec: Records) -> bytes:
    """The rows as a GeoPackage: a table per layer (named by the layer, titled in the export's
    language) and the ``data_dictionary`` table."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.gpkg"
        pyogrio().write_dataframe(_dictionary_frame(rec.lang), path, layer=DICTIONARY_TABLE,
                                driver="GPKG", dataset_options={"VERSION": GEOPACKAGE_VERSION})
        for layer, rows in _by_layer(rec):
            pyogrio().write_dataframe(_frame(rec, rows, KEYS), path, layer=layer.value, driver="GPKG",
                                    layer_options={"IDENTIFIER": in_lang(layer.label, rec.lang)})
        return path.read_bytes()


def fit_text(text: str, limit: int = SHAPEFILE_TEXT_BYTES) -> str:
    """``text`` as it fits a dBASE field of ``limit`` bytes: whole, or cut at a character and
    ending with "…"."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = limit - len(CUT_MARK.encode("utf-8"))
    return data[:room].decode("utf-8", errors="ignore") + CUT_MARK


def shapefile_zip(rec: Records, stem: str) -> bytes:
    """The rows as zipped Shapefiles ``<stem>_points|lines|polygons``, with the side table of
    long texts, the data dictionary and a read-me."""
    names = tuple(c.shp for c in COLUMNS)
    text_columns = [i for i, c in enumerate(COLUMNS) if not c.number]
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(rec.entities):
        groups.setdefault(GEOMETRY_FILES[e.geometry.geom_type], []).append(i)
    long_texts, cut_rows = [], []
    for row in rec.rows:
        row = list(row)
        for c in text_columns:
            if isinstance(row[c], str) and (fitted := fit_text(row[c])) != row[c]:
                long_texts.append((row[0], names[c], row[c]))
                row[c] = fitted
        cut_rows.append(tuple(row))
    cut = Records(rec.lang, rec.codes, rec.entities, cut_rows)
    out = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind in ("points", "lines", "polygons"):
            if kind not in groups:
                continue
            pyogrio().write_dataframe(_frame(cut, groups[kind], names),
                                    Path(folder) / f"{stem}_{kind}.shp", encoding="UTF-8")
        for path in sorted(Path(folder).iterdir()):
            archive.write(path, path.name)
        archive.writestr(f"{stem}_{LONG_TEXTS}", _csv([("id", "field", "text"), *long_texts]))
        archive.writestr("data_dictionary.csv", _csv([[in_lang(h, rec.lang) for h in DICTIONARY_HEADERS],
                                                      *dictionary(rec.lang)]))
        archive.writestr("README.txt", "\n\n".join(in_lang(n, rec.lang) for n in (README, *NOTES)))
    return out.getvalue()


def _csv(rows) -> bytes:
    """Rows as CSV, UTF-8 with a BOM."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


# ------------------------------------------------------------------ KML and KMZ
_KML_LOCK = threading.Lock()
"""simplekml keeps its state (ids, the document being written) on its classes: one at a time."""
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
KML_FACTS = ("layer", "kind", "level", "status", "industries", "host_park", "zones", "town",
             "precision", "as_of", "area_ha", "established", "firms", "output_yi_yuan",
             "space_office_m2", "space_factory_m2", "space_lab_m2", "rent", "land", "contact")
"""The columns a placemark's description lists as a table (those with a value)."""
KML_TEXTS = ("description", "position_note", "citation", "policies", "fact_sources")
"""The columns that follow the table as paragraphs (then the link to the profile page)."""
KML_DATA = ("id", "name_zh", "name_en")
"""The columns a placemark also carries as ExtendedData, for programs reading the KML (GDAL
reads them as fields); the GeoPackage and the Shapefile hold every column."""
POINT_ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
"""A white dot that Google Earth and Ovital Map tint with the icon colour."""
PLACEHOLDER_COLOUR = "#868e96"
"""Grey of a position not known (as the map draws it)."""
OTHER_COLOUR = "#495057"
"""Colour of a point whose kind has no group on the map."""
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
"""simplekml leaves it out of unformatted output; it names the encoding for other readers."""


def _xml(text: str) -> str:
    """Text for a KML element: characters XML cannot hold dropped, markup escaped."""
    return escape(_NOT_XML.sub("", text))


def _kml_colour(hex_colour: str, opacity: float = 1.0) -> str:
    """``#rrggbb`` and an opacity as KML's ``aabbggrr``."""
    r, g, b = hex_colour[1:3], hex_colour[3:5], hex_colour[5:7]
    return f"{round(opacity * 255):02x}{b}{g}{r}"


def placemark_name(name_zh: str | None, name_en: str | None, lang) -> str:
    """The name in ``lang`` with the other language beside it: ``三创园（Sanchuang Park）`` or
    ``Sanchuang Park (三创园)``; one name when the other is missing or the same."""
    first, second = (name_en, name_zh) if lang == "en" else (name_zh, name_en)
    first, second = first or second or "", second if first else None
    if not second or second == first:
        return first
    return f"{first} ({second})" if lang == "en" else f"{first}（{second}）"


class _Styles:
    """One shared KML style per point colour and per area layer, made when first used."""

    def __init__(self, kml: simplekml.Kml):
        self.kml, self.styles = kml, {}
        self.colours = kind_colours()

    def of(self, e: Entity) -> simplekml.Style:
        key = e.layer.value if e.layer.value in AREA_STYLES else \
            PLACEHOLDER_COLOUR if e.props["precision"] == "placeholder" else \
            self.colours.get(e.props["kind"], OTHER_COLOUR)
        if key not in self.styles:
            self.styles[key] = style = simplekml.Style()
            if key in AREA_STYLES:
                area = AREA_STYLES[key]
                style.linestyle.color = _kml_colour(area["color"], area.get("opacity", 1.0))
                style.linestyle.width = area["weight"]
                style.polystyle.fill = int(area.get("fill", True))
                style.polystyle.color = _kml_colour(area.get("fillColor", area["color"]),
                                                    area.get("fillOpacity", 0.2))
            else:
                style.iconstyle.color = _kml_colour(key)
                style.iconstyle.icon.href = POINT_ICON
            self.kml.document.styles.append(style)
        return self.styles[key]


def _rings(polygon) -> dict:
    coords = lambda ring: shapely.get_coordinates(ring).round(COORDINATE_DECIMALS).tolist()
    return {"outerboundaryis": coords(polygon.exterior),
            "innerboundaryis": [coords(r) for r in polygon.interiors]}


def _add_geometry(container, geometry: BaseGeometry):
    """The geometry as a simplekml geometry in ``container`` (a folder or a MultiGeometry)."""
    kind = geometry.geom_type
    if kind.startswith("Multi"):
        multi = container.newmultigeometry()
        for part in geometry.geoms:
            _add_geometry(multi, part)
        return multi
    if kind == "Polygon":
        return container.newpolygon(**_rings(geometry))
    coords = shapely.get_coordinates(geometry).round(COORDINATE_DECIMALS).tolist()
    return container.newpoint(coords=coords) if kind == "Point" else container.newlinestring(coords=coords)


def _description(values: dict, headers: dict[str, str], profile: str, lang) -> str:
    """A placemark's description: HTML of the key facts, the texts and the profile link, with
    the data escaped (``headers`` and ``profile``, the link's text, come escaped)."""
    esc = {k: html.escape(str(v)) for k, v in values.items() if v is not None}
    other = esc.get("name_zh" if lang == "en" else "name_en")
    parts = [f"<p>{other}</p>"] if other else []
    parts.append("<table>" + "".join(f'<tr><th align="left">{headers[k]}</th><td>{esc[k]}</td></tr>'
                                     for k in KML_FACTS if k in esc) + "</table>")
    parts += [f"<p><b>{headers[k]}</b>: {esc[k]}</p>" for k in KML_TEXTS if k in esc]
    if "profile_url" in esc:
        parts.append(f'<p><a href="{esc["profile_url"]}">{profile}</a></p>')
    return "".join(parts)


def kml(rec: Records, title: str) -> str:
    """The rows as a KML document named ``title``: a folder per layer."""
    headers = {c.key: c.heading(rec.lang) for c in COLUMNS}  # simplekml escapes displayName
    escaped = {key: html.escape(text) for key, text in headers.items()}
    profile = html.escape(t("profile", rec.lang))
    with _KML_LOCK:
        doc = simplekml.Kml(name=_xml(title))
        doc.parsetext(parse=False)
        styles = _Styles(doc)
        for layer, rows in _by_layer(rec):
            folder = doc.newfolder(name=_xml(in_lang(layer.label, rec.lang)))
            for i in rows:
                e, values = rec.entities[i], dict(zip(KEYS, rec.rows[i]))
                mark = _add_geometry(folder, e.geometry)
                mark.name = _xml(placemark_name(values["name_zh"], values["name_en"], rec.lang))
                mark.description = _xml(_description(values, escaped, profile, rec.lang))
                mark.style = styles.of(e)
                for key in KML_DATA:
                    if values[key] is not None:
                        mark.extendeddata.newdata(key, _xml(values[key]), headers[key])
        return XML_DECLARATION + doc.kml(format=False)


def kmz(rec: Records, title: str) -> bytes:
    """The KML zipped as a KMZ (``doc.kml`` inside)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", kml(rec, title))
    return out.getvalue()
