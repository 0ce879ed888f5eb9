"""Tables and layers written for people's tools: CSV (Excel-safe UTF-8), XLSX, GeoJSON,
GeoPackage, zipped Shapefile, KML and KMZ."""
