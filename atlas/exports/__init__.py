"""Tables and layers written for people's tools: CSV (Excel-safe UTF-8), XLSX and GeoJSON."""
