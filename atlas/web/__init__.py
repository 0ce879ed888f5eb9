"""Web routes: pages, the spatial query API and OGC API – Features, on one FastAPI app."""
