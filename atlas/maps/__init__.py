"""Map rendering: offline assets and Folium map builders."""
