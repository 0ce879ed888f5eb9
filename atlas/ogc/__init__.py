"""OGC API – Features Part 1 as plain functions over an :class:`~atlas.engine.Atlas`.

The package knows nothing about the web framework (like pygeoapi's core): each
module builds one kind of document as a dict, or parses one kind of input, and
raises :class:`~atlas.ogc.errors.OGCError` for anything a client got wrong.
``atlas.web.ogc`` is the thin FastAPI adapter that serves these documents.

Modules: ``errors`` (the exception), ``media`` (media types and negotiation),
``links`` (link and URL builders), ``params`` (query parameters), ``schema``
(JSON schemas from the layer models), ``queryables`` (filterable properties),
``resources`` (landing page, conformance, collections), ``items`` (features)
and ``openapi`` (the API definition).
"""

from atlas.ogc.errors import OGCError

__all__ = ["OGCError"]
