"""Imports: spreadsheets and GIS files into a layer — checked row by row, then all or nothing.

Readers are maintained libraries only: CSV through pandas, XLSX through openpyxl, GeoJSON,
GeoPackage, zipped Shapefile and KML/KMZ through GDAL (pyogrio; a zip is read in place through
GDAL's ``/vsizip/``).  GIS files are reprojected to WGS-84 from whatever CRS they declare
(geopandas ``to_crs``); a file that declares none is refused unless ``crs=`` says what it is.
Tables carry their geometry as ``lon``/``lat`` (datum from a per-row ``crs`` column or the
``crs=`` option: wgs84, gcj02, bd09) or as ``wkt``.

Columns map to the layer's property fields by name (case and surrounding spaces ignored, plus
:data:`SHORT_NAMES` for the Shapefile's 10-character field names); list fields are
``;``-separated text; one citation per row comes from the ``citation_*`` columns.  A row whose
id exists in the layer updates that record: the cells it fills replace those fields, empty
cells keep what is there, and the record keeps its citations unless the row gives one (which
then replaces them) and its geometry unless the row gives one.  Other rows create records.

Every row is checked with the layer's pydantic model first; the rows that pass are planned as
:class:`~atlas.edit.service.Op` s and checked together by :func:`atlas.edit.service.apply`
with ``dry_run=True`` — the whole atlas, by the rules of ``atlas validate`` — and each problem
it finds is traced back to the row of its feature.  Applying is refused while any row is
rejected; otherwise the import is one commit.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import get_args, get_origin

import numpy as np
import pandas as pd
import shapely
from pydantic import BaseModel, ValidationError
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from atlas.config import Settings
from atlas.crs import WGS84, InputCRS, geometry_to_wgs84
from atlas.libraries import openpyxl, pyogrio
from atlas.edit.service import EditError, Op, apply, current_features
from atlas.model import LAYER_MODELS
from atlas.storage import Commit, Storage, etag
from atlas.validate import Problem
from atlas.vocab import LAYER_KINDS, Layer

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
"""A zip may hold at most this much (a small zip can unpack to gigabytes)."""
COORDINATE_DIGITS = 7
"""Decimal places kept of an imported lon/lat (about 1 cm), as the write API keeps."""

TABLE_SUFFIXES = {".csv": "csv", ".xlsx": "xlsx"}
GIS_SUFFIXES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage",
                ".zip": "zipped Shapefile", ".kml": "KML", ".kmz": "KMZ"}
ZIP_MEMBERS = (".shp", ".gpkg", ".geojson", ".json", ".kml")
"""What a zip may carry (normally a Shapefile: .shp with its .dbf, .shx, .prj, .cpg)."""
KML_STANDARD_FIELDS = {"kml_id", "timestamp", "begin", "end", "altitudeMode", "tessellate",
                       "extrude", "visibility", "drawOrder", "icon"}
"""Fields GDAL's LIBKML reader adds for KML's own elements: never data, so not reported as
ignored columns (``Name`` and ``description`` are, since they may hold data)."""
ENCODINGS = ("utf-8", "gbk", "gb18030", "big5")
"""Text encodings a CSV (or a Shapefile's .dbf without a .cpg) may be read in."""

GEOMETRY_COLUMNS = ("lon", "lat", "crs", "wkt")
CITATION_COLUMNS = {f"citation_{k}": k for k in
                    ("publisher_zh", "publisher_en", "title_zh", "title_en", "date", "url")}
SHORT_NAMES = {
    # a Shapefile's .dbf keeps 10 characters of a field name
    "desc_zh": "description_zh", "desc_en": "description_en",
    "posnote_zh": "position_note_zh", "posnote_en": "position_note_en",
    "oper_zh": "operator_zh", "oper_en": "operator_en",
    "partner_zh": "partners_zh", "partner_en": "partners_en",
    "torch_grd": "torch_grade", "stated_ha": "stated_area_ha",
    "cit_pub_zh": "citation_publisher_zh", "cit_pub_en": "citation_publisher_en",
    "cit_tit_zh": "citation_title_zh", "cit_tit_en": "citation_title_en",
    "cit_date": "citation_date", "cit_url": "citation_url",
    # common spellings of the coordinate columns
    "longitude": "lon", "lng": "lon", "latitude": "lat",
}
"""Other column names accepted for a field (e.g. the Shapefile's 10-character limit)."""
LIST_SEPARATOR = re.compile(r"[;；]")
"""List cells: ``;`` (or the full-width ``；`` a Chinese keyboard types) between items."""


class ImportFileError(Exception):
    """The file as a whole cannot be imported (not a row's fault): HTTP ``status`` and why."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


@dataclass(frozen=True)
class Rejection:
    """A row that cannot be imported: its number as the user sees it, its id, and why."""

    row: int | None
    """Spreadsheets: the sheet's row (the header is row 1); GIS files: the feature's number
    from 1; None for a problem that belongs to no row."""
    id: str
    reason: str


@dataclass
class ImportReport:
    """What an import did (``applied``) or would do: ids added, changed and unchanged, rows
    rejected, and the commit when applied."""

    layer: Layer
    file: str
    rows: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    applied: bool = False
    commit: int | None = None

    def to_json(self) -> dict:
        return {"layer": self.layer.value, "file": self.file, "rows": self.rows,
                "added": self.added, "changed": self.changed, "unchanged": self.unchanged,
                "rejected": [{"row": r.row, "id": r.id, "reason": r.reason}
                             for r in sorted(self.rejected, key=_rejection_order)],
                "ignored_columns": self.ignored_columns,
                "applied": self.applied, "commit": self.commit}


def _rejection_order(r: Rejection) -> tuple:
    return (r.row is None, r.row or 0)


@dataclass
class Record:
    """One row (or GIS feature) as read: its number, its cells by column, and for GIS files its
    geometry already in WGS-84; ``problem`` when it could not be read properly."""

    row: int
    cells: dict[str, object]
    geometry: BaseGeometry | None = None
    problem: str | None = None


@dataclass
class Source:
    """A read file: its columns (as written) and its records; ``gis`` when geometry came from
    the file itself rather than from columns."""

    columns: list[str]
    records: list[Record]
    gis: bool


# ---------------------------------------------------------------------------------- options
def parse_crs(text: str | None, gis: bool) -> InputCRS | CRS | None:
    """The ``crs=`` option: a datum (wgs84, gcj02, bd09) for any file, or, for a GIS file,
    ``EPSG:<code>`` — what the file's coordinates really are."""
    if text is None or not text.strip():
        return None
    value = text.strip().lower()
    if value in InputCRS.__members__:
        return InputCRS(value)
    if gis and re.fullmatch(r"epsg:\d{4,6}", value):
        try:
            return CRS.from_user_input(value.upper())
        except CRSError as exc:
            raise ImportFileError(400, f"crs: {text} is not a known coordinate system ({exc})") from None
    allowed = "wgs84, gcj02, bd09" + (" or EPSG:<code>" if gis else "")
    raise ImportFileError(400, f"crs: {text!r} is not one of {allowed}")


def file_kind(filename: str) -> str:
    """The reader for a file name's suffix; 415 for what cannot be imported."""
    suffix = Path(filename or "").suffix.lower()
    if suffix in TABLE_SUFFIXES or suffix in GIS_SUFFIXES:
        return suffix
    if suffix == ".xls":
        raise ImportFileError(415, "an old Excel .xls file: save it as .xlsx (Excel workbook)")
    if suffix in (".shp", ".dbf", ".shx", ".prj"):
        raise ImportFileError(415, "a Shapefile is several files (.shp, .dbf, .shx, .prj, .cpg): "
                                   "put them in one .zip and import the .zip")
    raise ImportFileError(415, f"cannot import {filename or 'a file without a name'!r}: use "
                               "CSV, XLSX, GeoJSON, GeoPackage, a zipped Shapefile or KML")


# ---------------------------------------------------------------------------------- readers
def read_file(data: bytes, filename: str, crs: InputCRS | CRS | None,
              encoding: str | None = None, layer_hint: str = "") -> Source:
    """Read an upload by its file name's suffix (``layer_hint``: the layer or file to pick
    when a GeoPackage or zip holds several)."""
    suffix = file_kind(filename)
    if suffix == ".csv":
        return read_csv(data, encoding)
    if suffix == ".xlsx":
        return read_xlsx(data, layer_hint)
    return read_gis(data, suffix, crs, encoding, layer_hint)


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, np.ndarray)):
        return len(value) == 0
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _table(header: list[object], rows: list[tuple[int, list[object]]]) -> Source:
    columns = ["" if _blank(h) else str(h).strip() for h in header]
    records = []
    for number, values in rows:
        cells = {c: v for c, v in zip(columns, values) if c and not _blank(v)}
        if cells:  # blank rows are skipped (their numbers still count, as in Excel)
            records.append(Record(number, cells))
    return Source([c for c in columns if c], records, gis=False)


def read_csv(data: bytes, encoding: str | None = None) -> Source:
    """A CSV in UTF-8 (with or without BOM) or the given encoding; rows that are not valid text
    in it are read with replacement characters and marked (never silently mis-decoded)."""
    codec = "utf-8-sig" if encoding in (None, "utf-8") else encoding
    try:
        data.decode(codec)
        damaged = False
    except UnicodeDecodeError:
        damaged = True
    try:
        frame = pd.read_csv(io.BytesIO(data), header=None, dtype=str, keep_default_na=False,
                            skip_blank_lines=False, encoding=codec, encoding_errors="replace")
    except pd.errors.EmptyDataError:
        raise ImportFileError(422, "the file is empty: the first row names the columns "
                                   "(id, name_zh, …), each further row is a record") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise ImportFileError(422, f"not a readable CSV file ({exc})") from None
    values = frame.to_numpy(dtype=object).tolist()
    if not values:
        raise ImportFileError(422, "the file is empty")
    header, body = values[0], values[1:]
    if damaged and any("\ufffd" in str(h) for h in header if not _blank(h)):
        raise ImportFileError(422, _encoding_message(data, encoding, "row 1 (the header)"))
    source = _table(header, [(i + 2, row) for i, row in enumerate(body)])
    if damaged:
        for record in source.records:
            if any(isinstance(v, str) and "\ufffd" in v for v in record.cells.values()):
                record.problem = _encoding_message(data, encoding, "this row")
    return source


def _encoding_message(data: bytes, encoding: str | None, where: str) -> str:
    name = "UTF-8" if encoding in (None, "utf-8") else encoding.upper()
    hint = "save it as “CSV UTF-8” in Excel"
    if encoding in (None, "utf-8") and _looks_gbk(data):
        hint += (" or import it with encoding=gbk (its text looks like GBK, what Excel in China "
                 "saves as “CSV”)")
    return f"encoding: {where} is not valid {name} text; {hint}"


def _looks_gbk(data: bytes) -> bool:
    """Whether the bytes that are not UTF-8 read as GBK (GB18030): each run of them, with or
    without the ASCII-range byte that may end its last character."""
    text = data.decode("utf-8", errors="surrogateescape")  # bad bytes -> U+DC80..U+DCFF
    runs = re.findall(r"([\udc80-\udcff]+)([\x40-\x7e]?)", text)
    for bad, after in runs:
        raw = bytes(ord(c) - 0xDC00 for c in bad)
        if not any(_decodes(r, "gb18030") for r in (raw, raw + after.encode("ascii"))):
            return False
    return bool(runs)


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def read_xlsx(data: bytes, layer_hint: str = "") -> Source:
    """The worksheet named like the layer, else the first one, of an Excel workbook (cached
    values of formulas); the header is its first non-empty row, row numbers are the sheet's."""
    try:
        book = openpyxl().load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and XML errors for bad files
        raise ImportFileError(422, f"not a readable Excel .xlsx workbook ({type(exc).__name__}: "
                                   f"{exc})") from None
    try:
        sheet = next((ws for ws in book.worksheets if ws.title.strip().lower() == layer_hint),
                     book.worksheets[0])
        start = sheet.min_row or 1
        header, rows = None, []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=start):
            if header is None:
                if not all(_blank(v) for v in values):
                    header = list(values)
                continue
            rows.append((number, list(values)))
    finally:
        book.close()
    if header is None:
        raise ImportFileError(422, "the first worksheet is empty: its first row names the "
                                   "columns (id, name_zh, …), each further row is a record")
    return _table(header, rows)


def _zip_member(path: Path, layer_hint: str) -> str:
    """The GDAL path (``/vsizip/…``) of the one dataset in a zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise ImportFileError(422, "not a readable .zip file") from None
    if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise ImportFileError(413, f"the zip unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MB")
    names = [i.filename for i in infos if not i.is_dir()
             and not i.filename.startswith("__MACOSX/")
             and PurePosixPath(i.filename).suffix.lower() in ZIP_MEMBERS]
    shapefiles = [n for n in names if n.lower().endswith(".shp")]
    candidates = shapefiles or names
    if len(candidates) > 1:
        named = [n for n in candidates if PurePosixPath(n).stem.lower() == layer_hint]
        if len(named) != 1:
            raise ImportFileError(422, f"the zip holds several datasets ({', '.join(candidates)}): "
                                       f"zip one, or name it {layer_hint}.shp")
        candidates = named
    if not candidates:
        raise ImportFileError(422, "the zip holds no Shapefile (.shp with its .dbf, .shx and .prj)")
    return f"/vsizip/{path}/{candidates[0]}"


def read_gis(data: bytes, suffix: str, crs: InputCRS | CRS | None, encoding: str | None = None,
             layer_hint: str = "") -> Source:
    """A GIS file through GDAL, reprojected to WGS-84 from the CRS it declares (or, if it
    declares none, the one ``crs`` names; a ``crs`` datum shifts GCJ-02/BD-09 lon/lat)."""
    what = GIS_SUFFIXES[suffix]
    with tempfile.TemporaryDirectory(prefix="atlas-import-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        source = _zip_member(path, layer_hint) if suffix == ".zip" else str(path)
        try:
            layers = [str(name) for name, _ in pyogrio().list_layers(source)]
            if not layers:
                raise ImportFileError(422, f"the {what} file holds no layer")
            if len(layers) > 1:
                named = [n for n in layers if n.lower() == layer_hint]
                if len(named) != 1:
                    raise ImportFileError(422, f"the {what} file holds several layers "
                                               f"({', '.join(layers)}): name the one to import "
                                               f"{layer_hint!r}, or export just that one")
                layers = named
            options = {"encoding": encoding} if encoding and source.lower().endswith(".shp") else {}
            frame = pyogrio().read_dataframe(source, layer=layers[0], force_2d=True, **options)
        except (pyogrio().errors.DataSourceError, pyogrio().errors.DataLayerError,
                pyogrio().errors.FieldError, pyogrio().errors.GeometryError,
                pyogrio().errors.CRSError) as exc:
            raise ImportFileError(422, f"not a readable {what} file (GDAL: {exc})") from None
    return _gis_source(frame, crs, what)


def _gis_source(frame, crs: InputCRS | CRS | None, what: str) -> Source:
    if isinstance(crs, CRS):
        frame = frame.set_crs(crs, allow_override=True)  # the user says what it really is
    elif frame.crs is None:
        if crs is None:
            raise ImportFileError(422, f"the {what} file declares no coordinate system (a "
                                       "Shapefile without its .prj?): say which with crs=wgs84, "
                                       "gcj02, bd09 or EPSG:<code>")
        frame = frame.set_crs(WGS84)  # lon/lat in the datum ``crs`` names
    try:
        frame = frame.to_crs(WGS84)
    except Exception as exc:  # pyproj raises several types for impossible transformations
        raise ImportFileError(422, f"the file's coordinates cannot be converted to WGS-84 "
                                   f"({exc})") from None
    datum = crs if isinstance(crs, InputCRS) else InputCRS.wgs84
    columns = [str(c) for c in frame.columns
               if c != frame.geometry.name and c not in KML_STANDARD_FIELDS]
    records = []
    rows = frame[columns].itertuples(index=False, name=None)
    for i, (geom, values) in enumerate(zip(frame.geometry, rows)):
        cells = {c: v for c, v in zip(columns, values) if not _blank(v)}
        record = Record(i + 1, cells)
        if geom is not None and not geom.is_empty:
            record.geometry, record.problem = _clean_geometry(geom, datum)
        records.append(record)
    return Source(columns, records, gis=True)


def _clean_geometry(geom: BaseGeometry, datum: InputCRS) -> tuple[BaseGeometry | None, str | None]:
    """WGS-84 lon/lat, 2-D, rounded, one-point MultiPoints as Points, polygon rings oriented
    as RFC 7946 wants (a Shapefile stores them the other way round)."""
    try:
        geom = geometry_to_wgs84(shapely.force_2d(geom), datum)
    except (ValueError, TypeError, ArithmeticError) as exc:
        return None, f"coordinates: cannot be converted from {datum.value} ({exc})"
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return None, "coordinates: not finite numbers after conversion to WGS-84"
    if isinstance(geom, MultiPoint) and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    geom = shapely.transform(geom, lambda xy: np.round(xy, COORDINATE_DIGITS))
    return shapely.orient_polygons(geom), None


# ---------------------------------------------------------------------------------- columns
def _column_key(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return SHORT_NAMES.get(key, key)


def map_columns(columns: list[str], layer: Layer, gis: bool) -> tuple[dict[str, str], list[str]]:
    """Column as written -> field (or citation_*, lon, lat, crs, wkt), and the columns ignored."""
    fields = set(LAYER_MODELS[layer].model_fields) | set(CITATION_COLUMNS)
    if not gis:
        fields |= set(GEOMETRY_COLUMNS)
    mapping_, ignored, seen = {}, [], {}
    for column in columns:
        key = _column_key(column)
        if key not in fields:
            ignored.append(column)
            continue
        if key in seen:
            raise ImportFileError(422, f"columns {seen[key]!r} and {column!r} both give {key}; "
                                       "keep one")
        seen[key] = column
        mapping_[column] = key
    if "id" not in mapping_.values():
        raise ImportFileError(422, "no id column: every row needs the id of the record it "
                                   "creates or updates (lowercase letters, digits and -)")
    return mapping_, ignored


# ---------------------------------------------------------------------------------- cells
def _text(value: object) -> str | None:
    """A cell as text: numbers without a spurious .0, dates as YYYY-MM-DD, blanks as None."""
    if _blank(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return _text(pd.Timestamp(value))
    return str(value).strip() or None


def _items(value: object) -> list[str]:
    """A list cell: a GIS list, a JSON array, or ``;``-separated text."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [t for t in (_text(v) for v in value) if t]
    text = _text(value) or ""
    if text.startswith("["):
        try:
            parsed = json.loads(text)
            if isinstance(parsed, list):
                return [t for t in (_text(v) for v in parsed) if t]
        except json.JSONDecodeError:
            pass
    return [t for t in (s.strip() for s in LIST_SEPARATOR.split(text)) if t]


def _of_objects(annotation) -> bool:
    """Whether a list field's items are objects (a model: a citation, a policy …)."""
    item = get_args(annotation)[0]
    return isinstance(item, type) and issubclass(item, BaseModel)


def _objects(key: str, value: object) -> list:
    """A cell of a list of objects (``citations``, ``policies``, ``fact_sources``): a GeoJSON
    array of objects, or its JSON text."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return list(value)
    try:
        parsed = json.loads(_text(value) or "")
    except json.JSONDecodeError:
        hint = "; or use the citation_* columns for one citation per row" if key == "citations" else ""
        raise ValueError(f"{key}: not a JSON array of objects{hint}") from None
    return parsed if isinstance(parsed, list) else [parsed]


def _number(cells: dict[str, object], name: str) -> float:
    value = cells[name]
    text = _text(value) or ""
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{name}: {text!r} is not a finite number")
    return number


def _table_geometry(cells: dict[str, object], datum: InputCRS | None) -> BaseGeometry | None:
    """A table row's geometry from lon/lat or wkt, in WGS-84; ValueError says what is wrong."""
    has_point = "lon" in cells or "lat" in cells
    if has_point and "wkt" in cells:
        raise ValueError("give the position as lon/lat or as wkt, not both")
    if not has_point and "wkt" not in cells:
        return None
    row_crs = _text(cells.get("crs"))
    if row_crs:
        try:
            datum = InputCRS(row_crs.lower())
        except ValueError:
            raise ValueError(f"crs: {row_crs!r} is not one of wgs84, gcj02, bd09") from None
    datum = datum or InputCRS.wgs84
    if has_point:
        missing = [n for n in ("lon", "lat") if n not in cells]
        if missing:
            raise ValueError(f"{missing[0]}: empty; give both lon and lat")
        geom = Point(_number(cells, "lon"), _number(cells, "lat"))
    else:
        try:
            geom = shapely.from_wkt(_text(cells["wkt"]))
        except shapely.errors.ShapelyError as exc:
            raise ValueError(f"wkt: not well-known text ({exc})") from None
        if geom is None or geom.is_empty:
            raise ValueError("wkt: an empty geometry")
    clean, problem = _clean_geometry(geom, datum)
    if problem:
        raise ValueError(problem)
    return clean


# ---------------------------------------------------------------------------------- planning
@dataclass
class _Planned:
    record: Record
    id: str
    before: dict | None
    after: dict


def _row_properties(cells: dict[str, object], columns: dict[str, str], layer: Layer
                    ) -> tuple[dict, dict | None]:
    """The property fields a row fills (as text or lists, for the model to parse) and the
    citation its citation_* columns give (None if none)."""
    model = LAYER_MODELS[layer]
    given, citation = {}, {}
    for column, value in cells.items():
        key = columns.get(column)
        if key is None or key in GEOMETRY_COLUMNS:
            continue
        if key in CITATION_COLUMNS:
            citation[CITATION_COLUMNS[key]] = _text(value)
        elif get_origin(annotation := model.model_fields[key].annotation) is list:
            given[key] = _objects(key, value) if _of_objects(annotation) else _items(value)
        else:
            given[key] = _text(value)
    if citation:
        citation = {"title_zh": "", "title_en": "", "url": None, **citation}
    return given, citation or None


def _describe(exc: ValidationError, layer: Layer) -> str:
    """The model's complaints about a row, one clause per field."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "properties"
        if err["type"] == "missing":
            parts.append(f"{where}: required (empty or no such column)")
            continue
        if err["type"] == "enum":
            allowed = (sorted(LAYER_KINDS[layer]) if where == "kind"
                       else err.get("ctx", {}).get("expected", ""))
            allowed = ", ".join(allowed) if isinstance(allowed, list) else allowed
            parts.append(f"{where}: {err.get('input')!r} is not a known value (allowed: {allowed})")
            continue
        shown = err.get("input")
        got = f" (got {shown!r})" if isinstance(shown, (str, int, float)) else ""
        parts.append(f"{where}: {err['msg']}{got}")
    return "; ".join(parts)


def _same_geometry(a: dict | None, b: BaseGeometry) -> bool:
    if not a:
        return False
    try:
        old = shape(a)
        return old.geom_type == b.geom_type and shapely.equals_exact(
            shapely.normalize(old), shapely.normalize(b), tolerance=10 ** -COORDINATE_DIGITS)
    except (ValueError, TypeError, AttributeError, shapely.errors.ShapelyError):
        return False


def _plan_row(record: Record, columns: dict[str, str], layer: Layer, gis: bool,
              datum: InputCRS | None, before: dict | None) -> dict:
    """The feature a row makes (ValueError says why it cannot)."""
    if record.problem:
        raise ValueError(record.problem)
    given, citation = _row_properties(record.cells, columns, layer)
    if citation is not None:
        given["citations"] = [citation]
    geom = record.geometry if gis else _table_geometry(
        {columns[c]: v for c, v in record.cells.items() if columns.get(c) in GEOMETRY_COLUMNS},
        datum)
    old = (before or {}).get("properties") or {}
    candidate = {**old, **given}
    try:
        model = LAYER_MODELS[layer].model_validate(candidate)
    except ValidationError as exc:
        raise ValueError(_describe(exc, layer)) from None
    dumped = model.model_dump(mode="json")
    props = {**old, **{k: dumped[k] for k in given}} if before else dumped
    if geom is None:
        if before is None or not before.get("geometry"):
            raise ValueError("no position: give lon and lat, or wkt" if not gis
                             else "the feature has no geometry")
        geometry = before["geometry"]
    elif _same_geometry((before or {}).get("geometry"), geom):
        geometry = before["geometry"]  # the same place: keep the stored coordinates as they are
    else:
        geometry = json.loads(json.dumps(mapping(geom)))
    base = before or {"type": "Feature"}
    return {**base, "type": "Feature", "id": props["id"], "geometry": geometry, "properties": props}


def plan_import(storage: Storage, layer: Layer, source: Source, crs: InputCRS | CRS | None,
                report: ImportReport) -> list[_Planned]:
    """Check each record on its own (reading, id, the layer's model) against the stored atlas;
    the rows that pass become planned features, the others rejections in ``report``."""
    columns, report.ignored_columns = map_columns(source.columns, layer, source.gis)
    report.rows = len(source.records)
    datum = crs if isinstance(crs, InputCRS) else None
    current = current_features(storage.read_all().__getitem__)
    id_column = next(c for c, k in columns.items() if k == "id")

    ids = {}
    for record in source.records:
        ids.setdefault(_text(record.cells.get(id_column)) or "", []).append(record.row)

    planned = []
    for record in source.records:
        fid = _text(record.cells.get(id_column)) or ""
        try:
            if not fid:
                raise ValueError("id: required — the id of the record the row creates or "
                                 "updates (lowercase letters, digits and -)")
            if len(ids[fid]) > 1:
                others = ", ".join(str(r) for r in ids[fid] if r != record.row)
                raise ValueError(f"id: {fid!r} is given more than once in the file "
                                 f"(also row {others}); give each record once")
            other_layer, before = current.get(fid, (layer, None))
            if before is not None and other_layer != layer:
                raise ValueError(f"id: {fid!r} is a record of the layer {Layer(other_layer).value}, "
                                 f"not {layer.value}; ids are unique across layers")
            after = _plan_row(record, columns, layer, source.gis, datum, before)
        except ValueError as exc:
            report.rejected.append(Rejection(record.row, fid, str(exc)))
            continue
        planned.append(_Planned(record, fid, before, after))
    return planned


def _attribute(problems: list[Problem], rows: dict[str, _Planned]) -> list[tuple[str | None, Problem]]:
    """Each problem with the id of the imported row it belongs to: its feature's, or else one
    quoted in its message (e.g. a zone's pivot that an imported row moved out of it)."""
    found = []
    for p in problems:
        if p.feature_id in rows:
            found.append((p.feature_id, p))
            continue
        quoted = [i for i in re.findall(r"'([a-z0-9][a-z0-9-]*)'", p.message) if i in rows]
        found.append((quoted[0] if quoted else None, p))
    return found


def check_planned(storage: Storage, settings: Settings, layer: Layer, planned: list[_Planned],
                  report: ImportReport, author: str, message: str) -> list[_Planned]:
    """Validate the planned changes together with the whole atlas through the write path
    (``dry_run``), rejecting the rows whose features have problems, until the rest pass."""
    rows = {p.id: p for p in planned}
    while _ops(layer, rows.values()):
        try:
            apply(storage, settings, _ops(layer, rows.values()), author, message, dry_run=True)
            break
        except EditError as exc:
            if exc.status != 422 or not exc.problems:
                raise ImportFileError(409, f"the atlas changed while the file was checked "
                                           f"({exc.detail}); check it again") from None
            blamed: dict[str, list[str]] = {}
            for fid, p in _attribute(exc.problems, rows):
                if fid is None:
                    report.rejected.append(Rejection(None, p.feature_id,
                                                     f"{p.layer}/{p.feature_id}: {p.message}"))
                    continue
                reason = p.message if fid == p.feature_id else f"{p.layer}/{p.feature_id}: {p.message}"
                blamed.setdefault(fid, []).append(reason)
            for fid, reasons in blamed.items():
                report.rejected.append(Rejection(rows[fid].record.row, fid, "; ".join(reasons)))
                del rows[fid]
            if not blamed:
                break  # problems no row explains: reported, and the import cannot be applied
    return list(rows.values())


def _ops(layer: Layer, planned) -> list[Op]:
    return [Op(layer, p.id, p.after, if_match=etag(p.before) if p.before else None,
               create=p.before is None) for p in planned if p.after != p.before]


def _message(name: str, planned: list[_Planned]) -> str:
    added = sum(p.before is None for p in planned)
    changed = sum(p.before is not None and p.after != p.before for p in planned)
    return f"import {name}: {added} added, {changed} changed"


def run_import(storage: Storage, settings: Settings, layer: Layer, data: bytes, filename: str,
               *, crs: str | None = None, encoding: str | None = None, dry_run: bool = True,
               author: str = "") -> ImportReport:
    """Read ``data`` (named ``filename``), check every row, and unless ``dry_run`` write the
    import as one commit — only when no row is rejected.  Raises :class:`ImportFileError` for
    a file that cannot be imported at all."""
    layer = Layer(layer)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(413, f"file: larger than {MAX_UPLOAD_BYTES // 2**20} MB; split it")
    if encoding is not None and encoding.strip().lower() not in ENCODINGS:
        raise ImportFileError(400, f"encoding: {encoding!r} is not one of {', '.join(ENCODINGS)}")
    encoding = encoding.strip().lower() if encoding else None
    option = parse_crs(crs, gis=file_kind(filename) in GIS_SUFFIXES)
    source = read_file(data, filename, option, encoding, layer_hint=layer.value)
    name = Path(filename.replace("\\", "/")).name[:120]
    report = ImportReport(layer, name)
    planned = plan_import(storage, layer, source, option, report)
    planned = check_planned(storage, settings, layer, planned, report, author,
                            _message(name, planned))
    for p in planned:
        (report.unchanged if p.after == p.before else
         report.added if p.before is None else report.changed).append(p.id)
    ops = _ops(layer, planned)
    if dry_run or report.rejected or not ops:
        return report  # a dry run; or refused; or nothing to write (every row is as stored)
    try:
        commit = apply(storage, settings, ops, author, _message(name, planned))
    except EditError as exc:
        raise ImportFileError(409 if exc.status in (404, 409, 412) else exc.status,
                              f"not imported: {exc.detail}") from None
    assert isinstance(commit, Commit)
    report.applied, report.commit = True, commit.number
    return report
