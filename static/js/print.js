/* Jinjiang Innovation Atlas — the handout (/print): the filtered set on a map fitted to it, each
 * entity a numbered marker matching its row in the table (the atlas's colours; parks as squares
 * on their outline).  Numbers that would overlap are moved apart, with a thin leader line to the
 * position.  Drawn as SVG, so paper gets vectors, and laid out again at the printed size.
 * body[data-ready] says the map is fully drawn (basemap tiles included): print after it.
 * Every text from the data goes in with textContent.
 */
(function () {
  "use strict";

  var A = window.Atlas, P = window.AtlasPaper;
  var el = A.el;
  var SIZE = 18, GAP = 2;     // a number's diameter and the least space between two, px
  var RINGS = 8;              // how far (in marker widths) a number may move to stay readable
  var PENDING = { planned: true, under_construction: true };
  var COARSE = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;  // fingers, not a mouse

  /* Say which layout the page has (body[data-layout] = print or screen), for whoever prints it. */
  /* Bring a table row into view and mark it for a moment. */
  function showRow(no) {
    var row = document.getElementById("row-" + no);
    if (!row) return;
    row.scrollIntoView({ behavior: "smooth", block: "center" });
    row.classList.add("shown");
    setTimeout(function () { row.classList.remove("shown"); }, 1600);
  }

  function start() {
    var cfg = A.config();
    var STYLE = cfg.areaStyles;
    var map = window[cfg.map];
    var swap = document.getElementById("lang-switch");
    if (swap) swap.href = cfg.langSwitch;  // the other language keeps the filters
    if (!cfg.rows.length) {  // nothing to draw: the page says so
      if (window.matchMedia) window.matchMedia("print").addEventListener("change", P.markLayout);
      P.markLayout();
      document.body.dataset.ready = "true";
      return;
    }

    // A sheet of paper: no panning or zooming; fractional zoom fits the set tightly.
    map.options.zoomSnap = 0.25;
    [map.dragging, map.touchZoom, map.doubleClickZoom, map.scrollWheelZoom, map.boxZoom, map.keyboard]
      .forEach(function (handler) { if (handler) handler.disable(); });
    if (map.zoomControl) map.removeControl(map.zoomControl);
    A.watchTiles(map, cfg);
    // Panes stack the drawing: context areas, the set's parks, leader lines, place names, numbers.
    var svg = P.svgPane(map, "handout-areas", 400);
    var leaders = P.svgPane(map, "handout-leaders", 450);
    map.createPane("handout-places").style.zIndex = 550;
    var context = L.layerGroup().addTo(map);
    var areas = L.layerGroup().addTo(map);
    var numbers = L.layerGroup().addTo(map);
    var places = [];
    var city = null;  // the city outline's bounds, once loaded

    /* ------------------------------------------------------------ context layers */
    var chosen = {};  // the towns and zones the filters name are drawn with a heavier outline
    cfg.areas.forEach(function (id) { chosen[id] = true; });
    function outlined(f, style) {
      if (!chosen[f.id]) return style;
      var town = f.properties.layer === "towns";  // towns are dashed; a pending zone stays dashed
      return Object.assign({}, style, { weight: 3, opacity: 1, color: town ? "#343a40" : style.color,
                                        dashArray: town ? null : style.dashArray });
    }

    function contextLayer(key, z, styleFn, labelled) {
      var renderer = P.svgPane(map, "handout-" + key, z);
      var url = "/api/layers/" + key + (key === "corridor-band" ? "" : "?lang=" + encodeURIComponent(cfg.lang));
      return A.fetchJSON(url).then(function (data) {
        var layer = L.geoJSON(data, { renderer: renderer, interactive: false,
                                      style: function (f) { return outlined(f, styleFn(f.properties || {})); } })
          .addTo(context);
        if (!labelled) return layer;
        data.features.forEach(function (f) {
          var at = f.properties.label_point;
          if (!at) return;
          places.push({ latlng: L.latLng(at[1], at[0]), kind: labelled,
                        text: A.displayName(f.properties).replace(/ (Subdistrict|Town)$/, "") });
        });
        return layer;
      });
    }

    var contextLoaded = Promise.all([
      contextLayer("towns", 310, function () { return STYLE.towns; }, "town"),
      contextLayer("corridor-band", 320, function () { return STYLE.band; }),
      contextLayer("boundary", 330, function () { return STYLE.boundary; }).then(function (layer) {
        city = layer.getBounds();
      }),
      contextLayer("zones", 340, function (p) { return A.areaStyle(STYLE, "zones", p); }, "zone"),
      contextLayer("corridor", 350, function (p) { return A.areaStyle(STYLE, "corridor", p); }),
    ]).then(function () {
      places.forEach(function (place) {
        L.marker(place.latlng, { pane: "handout-places", interactive: false, keyboard: false,
                                 icon: L.divIcon({ className: "handout-place " + place.kind,
                                                   html: el("span", place.text), iconSize: null }) }).addTo(context);
      });
    }).catch(function (err) {
      document.body.dataset.loadError = err.message;
      var box = el("p", err.message, "load-error");
      box.setAttribute("role", "alert");
      map.getContainer().parentNode.appendChild(box);
    });

    /* ------------------------------------------------------------ the set */
    // A placeholder position means "not known": on paper it stays off the map (the table says ⚠).
    var entries = cfg.rows.filter(function (row) {
      return row.feature.properties.precision !== "placeholder";
    }).map(function (row) {
      var f = row.feature, p = f.properties;
      var isPoint = f.geometry.type === "Point";
      var entry = { no: row.no, props: p, isPoint: isPoint };
      if (isPoint) {
        entry.anchor = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
        entry.colour = A.pointStyle(p, cfg).color;
        entry.bounds = L.latLngBounds([entry.anchor]);
      } else {
        var outline = L.geoJSON(f, { renderer: svg, interactive: false,
                                     style: function () { return A.areaStyle(STYLE, "parks", p); } }).addTo(areas);
        entry.bounds = outline.getBounds();
        var at = p.label_point;
        entry.anchor = at ? L.latLng(at[1], at[0]) : entry.bounds.getCenter();
        entry.colour = STYLE.parks.color;
      }
      return entry;
    });

    // Fitted to the set; to the city when none of it has a known position.
    var bounds = L.latLngBounds([]);
    entries.forEach(function (e) { bounds.extend(e.bounds); });

    function fit() {
      map.invalidateSize({ animate: false });
      var target = bounds.isValid() ? bounds : city;
      if (target && target.isValid()) {
        map.fitBounds(target, { padding: [SIZE + 8, SIZE + 8], maxZoom: 15, animate: false });
      }
    }

    /* A number for an entry: a disc in its colour (hollow when pending, a dashed ring when
     * approximate, grey and dashed when only a placeholder), a square for a park. */
    function numberNode(e) {
      var p = e.props;
      var node = el("span", e.no, "num");
      if (!e.isPoint) node.classList.add("area");
      if (PENDING[p.status]) node.classList.add("hollow");
      if (p.precision === "approximate") node.classList.add("approx");
      if (p.precision === "placeholder") node.classList.add("placeholder");
      node.style.setProperty("--c", e.colour);
      return node;
    }

    /* Place the numbers: each at its position if free, else on the nearest free spot of rings
     * around it (a grid of placed numbers keeps this fast for thousands). */
    function place() {
      numbers.clearLayers();
      var size = map.getSize(), step = SIZE + GAP, grid = {}, moved = 0;
      function key(x, y) { return Math.floor(x / step) + ":" + Math.floor(y / step); }
      function free(pt) {
        if (pt.x < SIZE / 2 || pt.y < SIZE / 2 || pt.x > size.x - SIZE / 2 || pt.y > size.y - SIZE / 2) return false;
        var cx = Math.floor(pt.x / step), cy = Math.floor(pt.y / step);
        for (var i = cx - 1; i <= cx + 1; i++) {
          for (var j = cy - 1; j <= cy + 1; j++) {
            var cell = grid[i + ":" + j] || [];
            for (var k = 0; k < cell.length; k++) if (cell[k].distanceTo(pt) < step) return false;
          }
        }
        return true;
      }
      function spot(origin) {
        if (free(origin)) return origin;
        for (var ring = 1; ring <= RINGS; ring++) {
          var radius = ring * step, n = Math.max(6, Math.floor(2 * Math.PI * radius / step));
          for (var i = 0; i < n; i++) {
            var angle = -Math.PI / 2 + (2 * Math.PI * (i + (ring % 2) / 2)) / n;
            var pt = origin.add(L.point(Math.cos(angle) * radius, Math.sin(angle) * radius));
            if (free(pt)) return pt;
          }
        }
        return origin;  // crowded beyond reason: overlap rather than wander off
      }
      entries.forEach(function (e) {
        var origin = map.latLngToContainerPoint(e.anchor);
        var at = spot(origin);
        (grid[key(at.x, at.y)] = grid[key(at.x, at.y)] || []).push(at);
        var latlng = map.containerPointToLatLng(at);
        if (at !== origin) {
          moved += 1;
          L.polyline([e.anchor, latlng], { renderer: leaders, interactive: false, color: "#495057", weight: 1,
                                           opacity: 0.8 }).addTo(numbers);
          L.circleMarker(e.anchor, { renderer: leaders, interactive: false, radius: 2.5, weight: 0,
                                     fillColor: e.colour, fillOpacity: 1 }).addTo(numbers);
        }
        var marker = L.marker(latlng, { keyboard: false, riseOnHover: true, interactive: !COARSE,
                                        icon: L.divIcon({ className: "num-marker", html: numberNode(e),
                                                          iconSize: [SIZE, SIZE] }) });
        if (!COARSE) {  // a mouse points at a number for its name; the table is right below anyway
          marker.bindTooltip(function () { return el("span", e.no + ". " + A.displayName(e.props)); },
                             { direction: "top", offset: [0, -SIZE / 2] });
          marker.on("click", function () { showRow(e.no); });
        }
        marker.addTo(numbers);
      });
      var leader = document.querySelector(".legend-leader");
      if (leader) leader.hidden = moved === 0;
      document.body.dataset.moved = String(moved);
    }

    /* Fit and place again at the map's current size (its printed size differs on small screens). */
    function layout() {
      fit();
      place();
      P.markLayout();
    }

    P.followPrinting(layout);
    contextLoaded.then(function () {
      if (!entries.length) layout();
    }).then(function () { return P.tilesLoaded(map); }).then(function () {
      document.body.dataset.ready = "true";
    });
    window.atlasPrint = { map: map, layout: layout, entries: entries };
  }

  window.AtlasPrint = { start: start };
})();
