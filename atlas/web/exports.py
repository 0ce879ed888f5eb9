"""Downloads: the filtered set (``/export.<ext>``) or a whole layer (``/export/<layer>.<ext>``)
as XLSX, CSV, GeoJSON, GeoPackage, KML, KMZ or zipped Shapefile.

``/export.<ext>`` takes exactly the atlas page's filters (the same
:func:`atlas.web.browse.entity_filter` dependency), so a download holds exactly the entities
the list shows, in the list's order.  Every route takes ``lang`` (zh, the default, or en: the
headers, labels and names of the readable formats); the CSV also takes ``columns=codes`` (the
machine variant).  Unknown parameters are refused with a 400 naming them.  What the columns
hold is :mod:`atlas.exports.records`; the writers are :mod:`atlas.exports.office` and
:mod:`atlas.exports.gis`; file names are :mod:`atlas.exports.naming`.

No ``from __future__ import annotations`` here: FastAPI evaluates the parameter annotations of
the route functions built in :func:`_filtered_route` and :func:`_layer_route`.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from atlas.engine import Atlas, Entity
from atlas.exports import gis, office
from atlas.exports.naming import (ascii_filename, content_disposition, export_filename,
                                  filter_summary)
from atlas.exports.records import KEYS, records
from atlas.ogc.media import GEOJSON
from atlas.vocab import Layer
from atlas.web.browse import FilterDep, LangDep, profile_url
from atlas.web.deps import AtlasDep
from atlas.web.handouts import describe, live_url
from atlas.web.hosts import base_url
from atlas.web.i18n import Lang, label, t
from atlas.web.pages import PROFILE_LAYERS
from atlas.web.query_params import reject_unknown_params
from atlas.web.schemas import BINARY, STRING, FeatureCollection, responses

router = APIRouter(tags=["exports"])


class Columns(StrEnum):
    """The CSV's columns: readable (headers and labels in ``lang``) or codes (machine)."""

    readable = "readable"
    codes = "codes"


@dataclass(frozen=True)
class Options:
    """How to write a download."""

    lang: Lang
    columns: Columns = Columns.readable


def options(lang: LangDep = "zh") -> Options:
    """The ``lang`` parameter every export takes."""
    return Options(lang)


COLUMNS_DOC = (
    "`readable` (default): the columns of the XLSX, headers in `lang`, labels as values. "
    "`codes`: the machine variant, stable for scripts: the data dictionary's field names as "
    f"headers ({', '.join(KEYS)}), vocabulary codes as values, ids for host park, zones and "
    "town (`none` = outside the zones, `unknown` = position not known), lists joined by `;`; "
    "free text (description, notes, sources, the facts for investors' texts) follows `lang`.")


def csv_options(lang: LangDep = "zh",
                columns: Annotated[Columns, Query(description=COLUMNS_DOC)] = Columns.readable
                ) -> Options:
    """The CSV's parameters: ``lang`` and ``columns``."""
    return Options(lang, columns)


@dataclass(frozen=True)
class ExportFormat:
    """A download format: file extension, media type and what it is for (OpenAPI text)."""

    ext: str
    media_type: str
    name: str
    about: str


FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("xlsx", office.XLSX_MEDIA_TYPE, "XLSX (Excel, WPS)",
                 "Readable columns (headers in `lang`, labels rather than codes, names, "
                 "description, host park, zones, town, WGS-84 lon/lat, precision, sources, "
                 "profile URL); header row frozen; the second sheet is the data dictionary."),
    ExportFormat("csv", "text/csv; charset=utf-8", "CSV (UTF-8 with BOM)",
                 "The XLSX's readable columns, UTF-8 with a BOM so Excel reads the Chinese; "
                 "`columns=codes` gives the machine variant (stable field names and codes, "
                 "documented in the XLSX's data dictionary)."),
    ExportFormat("geojson", GEOJSON, "GeoJSON (RFC 7946)",
                 "Every property, lists as arrays, codes as values, plus town, zones, parks and "
                 "profile_url; WGS-84."),
    ExportFormat("gpkg", gis.GEOPACKAGE_MEDIA_TYPE, "GeoPackage",
                 "One table per layer with the readable columns under their field names, and a "
                 "data_dictionary table; WGS-84."),
    ExportFormat("kml", gis.KML_MEDIA_TYPE, "KML (Google Earth, Ovital Map)",
                 "A folder per layer; placemarks named in `lang` with the other language beside "
                 "it, styled as on the map, with the key facts and a link to the profile page."),
    ExportFormat("kmz", gis.KMZ_MEDIA_TYPE, "KMZ (zipped KML)", "The KML, zipped."),
    ExportFormat("shp.zip", gis.ZIP_MEDIA_TYPE, "zipped Shapefile",
                 "One shapefile per geometry type (points, lines, polygons), UTF-8 with .cpg, "
                 "field names of at most 10 characters (see data_dictionary.csv); texts over 254 "
                 "bytes are cut in the .dbf (ending with …) and kept whole in *_long_texts.csv."),
)


@dataclass(frozen=True)
class Subject:
    """What a download holds, and how its name and notes say so."""

    entities: list[Entity]
    name: str
    """For the file name: the layer(s), or ``all``."""
    summary: str
    """For the file name: the filters (see :func:`atlas.exports.naming.filter_summary`)."""
    title: str
    """In words, in the export's language."""
    view_url: str
    """The same set in the live atlas."""


def _profile_urls(request: Request, lang: Lang) -> Callable[[Entity], str | None]:
    """Entity -> the absolute address of its profile page in ``lang`` (None: it has none)."""
    base, query = base_url(request), "?lang=en" if lang == "en" else ""
    pages = {*PROFILE_LAYERS, Layer.corridor}
    return lambda e: f"{base}{profile_url(e)}{query}" if e.layer in pages else None


def _answer(request: Request, atlas: Atlas, subject: Subject, fmt: ExportFormat,
            opts: Options) -> Response:
    """``subject`` written as ``fmt``, as an attachment whose name says what it holds."""
    lang, codes, today = opts.lang, opts.columns == Columns.codes, dt.date.today()
    variants = (["en"] if lang == "en" else []) + (["codes"] if codes else [])
    filename = export_filename(subject.name, subject.summary, variants, fmt.ext, today)
    url_of = _profile_urls(request, lang)
    title = f"{t('title', lang)} · {subject.title}"
    if fmt.ext == "geojson":
        body = gis.geojson(subject.entities, url_of)
    else:
        rec = records(atlas, subject.entities, lang, url_of, codes=codes)
        if fmt.ext == "xlsx":
            body = office.write_xlsx(rec, [
                title, t("hand_entries", lang).format(n=len(rec.rows)),
                f"{t('export_date', lang)}: {today.isoformat()}",
                f"{t('export_view', lang)}: {subject.view_url}"])
        elif fmt.ext == "csv":
            body = office.write_csv(rec)
        elif fmt.ext == "gpkg":
            body = gis.geopackage(rec)
        elif fmt.ext == "kml":
            body = gis.kml(rec, title).encode("utf-8")
        elif fmt.ext == "kmz":
            body = gis.kmz(rec, title)
        else:  # shp.zip: the files inside are named in ASCII, as old unzip tools need
            body = gis.shapefile_zip(rec, ascii_filename(filename.removesuffix(f".{fmt.ext}")))
    return Response(body, media_type=fmt.media_type,
                    headers={"Content-Disposition": content_disposition(filename)})


def _filtered_route(fmt: ExportFormat, options_dep: Callable[..., Options]):
    def export(request: Request, atlas: AtlasDep, selection: FilterDep,
               opts: Annotated[Options, Depends(options_dep)]) -> Response:
        subject = Subject(selection.apply(atlas), "+".join(selection.layer) or "all",
                          filter_summary(selection), describe(atlas, selection, opts.lang),
                          live_url(request, selection, opts.lang))
        return _answer(request, atlas, subject, fmt, opts)
    return export


def _layer_route(fmt: ExportFormat, options_dep: Callable[..., Options]):
    def export(request: Request, atlas: AtlasDep, layer: Layer,
               opts: Annotated[Options, Depends(options_dep)]) -> Response:
        entities = [atlas.entities[i] for i in sorted(atlas.frames[layer].index)]
        view = base_url(request) + "/" + ("?lang=en" if opts.lang == "en" else "")
        subject = Subject(entities, layer.value, "", label("Layer", layer.value, opts.lang), view)
        return _answer(request, atlas, subject, fmt, opts)
    return export


for _fmt in FORMATS:
    _options = csv_options if _fmt.ext == "csv" else options
    _body = {_fmt.media_type.split(";")[0]: FeatureCollection if _fmt.ext == "geojson"
             else STRING if _fmt.ext in ("csv", "kml") else BINARY}
    _about = f"A {_fmt.name} file (Content-Disposition names it)"
    router.add_api_route(
        f"/export.{_fmt.ext}", _filtered_route(_fmt, _options), methods=["GET"],
        name=f"export_{_fmt.ext}", response_class=Response,
        responses=responses(_body, description=_about, etag=True, html_errors=False),
        dependencies=[Depends(reject_unknown_params)],
        summary=f"The filtered entities as {_fmt.name}",
        description=f"The atlas page's filtered set (same parameters as the page). {_fmt.about}")
    router.add_api_route(
        f"/export/{{layer}}.{_fmt.ext}", _layer_route(_fmt, _options), methods=["GET"],
        name=f"export_layer_{_fmt.ext}", response_class=Response,
        responses=responses(_body, description=_about, etag=True),  # an error page if asked
        dependencies=[Depends(reject_unknown_params)],
        summary=f"A whole layer as {_fmt.name}",
        description=f"Every feature of `layer` (boundary, towns, corridor, zones, parks, "
                    f"platforms or incubators). {_fmt.about}")
