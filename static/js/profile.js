/* Jinjiang Innovation Atlas — a profile page's map: the entity, what belongs to it (a park's
 * platforms, a zone's carriers) and what it belongs to, drawn faintly for context.  The map
 * re-fits itself when printed.  "Back to the map" returns to the tab's last atlas view.
 */
(function () {
  "use strict";

  var A = window.Atlas;

  function start() {
    var cfg = A.config();
    var STYLE = cfg.areaStyles;
    var map = window[cfg.map];
    var feature = cfg.feature;
    var p = feature.properties;
    // SVG, not canvas: a canvas cleared by the re-fit before printing is not redrawn in time for paper.
    var svg = L.svg();
    A.watchTiles(map, cfg);

    function draw(f, faint) {
      var q = f.properties;
      return L.geoJSON(f, {
        renderer: svg,
        style: function () {
          var style = A.areaStyle(STYLE, q.layer, q);
          return faint ? Object.assign(style, { fillOpacity: 0.08, opacity: 0.6 }) : style;
        },
        pointToLayer: function (_, ll) { return L.circleMarker(ll, Object.assign({ renderer: svg }, A.pointStyle(q, cfg))); },
      }).eachLayer(function (l) { A.bindLabels(l, q, cfg); }).addTo(map);
    }

    cfg.context.forEach(function (ancestor) { draw(ancestor, true); });
    var members = cfg.members.map(function (m) { return draw(m, false); });
    var layer = draw(feature, false);
    var bounds = layer.getBounds();
    members.forEach(function (m) { if (m.getBounds().isValid()) bounds.extend(m.getBounds()); });

    function fit() {
      map.invalidateSize();
      if (!bounds.isValid()) return;
      if (feature.geometry.type === "Point" && !members.length) map.setView(bounds.getCenter(), 14, { animate: false });
      else map.fitBounds(bounds, { padding: [14, 14], maxZoom: 16, animate: false });
    }
    fit();
    if (A.APPROX[p.precision]) {
      L.circle(layer.getBounds().getCenter(), { radius: 600, color: "#868e96", dashArray: "4 4", weight: 1,
                                                fill: false, interactive: false, renderer: svg }).addTo(map);
    }
    // The printed map has its own size (static/print.css, html.printing): take it, then re-fit.
    window.addEventListener("beforeprint", function () { document.documentElement.classList.add("printing"); fit(); });
    window.addEventListener("afterprint", function () { document.documentElement.classList.remove("printing"); fit(); });

    var back = AtlasState.lastView(cfg.lang);
    if (back) document.getElementById("back-to-map").href = back;
    document.body.dataset.ready = "true";
    window.atlasProfile = { map: map, fit: fit };
  }

  window.AtlasProfile = { start: start };
})();
