/* Jinjiang Innovation Atlas — a visit route (/route?stops=a,b,c): the stops as numbered markers
 * (the table's numbers and colours; a stop visited twice shows both numbers), straight dashed
 * lines between consecutive stops whose positions are known, towns for context.  Drawn as SVG
 * and fitted again at the printed size, like the handout (print.js).  body[data-ready] says the
 * map is drawn; body[data-layout] which layout (print or screen) it was fitted to.
 *
 * The builder: search (/api/search) and add a stop, move one up or down, remove one.  The route
 * is the URL, so each change opens the new URL and the server measures the route again.
 * Every text from the data goes in with textContent.
 */
(function () {
  "use strict";

  var A = window.Atlas, P = window.AtlasPaper;
  var el = A.el;
  var SIZE = 20, GAP = 2;        // a number's height and the least space between two, px
  var RINGS = 6;                 // how far (in marker widths) a number may move to stay readable
  var SEARCH_DELAY_MS = 250;
  var LINE = { color: "#d9480f", weight: 2.5, opacity: 0.9, dashArray: "6 5" };
  var NOTE_KEY = "atlas-route-note";  // a message for the next page (sessionStorage)

  /* ------------------------------------------------------------ the URL is the route */
  function routePath(ids, lang) {
    var query = [];
    if (ids.length) query.push("stops=" + ids.map(encodeURIComponent).join(","));
    if (lang === "en") query.push("lang=en");
    return "/route" + (query.length ? "?" + query.join("&") : "");
  }

  /* A stop never follows itself: drop the later of two equal neighbours. */
  function collapse(ids) {
    return ids.filter(function (id, i) { return i === 0 || ids[i - 1] !== id; });
  }

  /* ------------------------------------------------------------ the builder */
  function builder(cfg) {
    var box = document.getElementById("route-builder");
    var form = document.getElementById("route-search");
    var input = document.getElementById("route-q");
    var list = document.getElementById("route-results");
    var message = document.getElementById("route-message");
    var layers = {};
    cfg.layers.forEach(function (layer) { layers[layer] = true; });
    var asked = 0, timer = null;

    function say(text) { message.textContent = text; }

    /* Leave a note for the next page: a message, and whether to focus the search box. */
    function leaveNote(note) {
      try { sessionStorage.setItem(NOTE_KEY, JSON.stringify(note)); } catch (e) { /* private mode */ }
    }

    function go(ids) {
      var next = collapse(ids);
      if (next.length < ids.length) leaveNote({ text: cfg.text.merged });
      window.location.assign(routePath(next, cfg.lang));
    }

    function add(id) {
      if (cfg.ids.length >= cfg.maxStops) return say(cfg.text.full.replace("{n}", cfg.maxStops));
      if (cfg.ids[cfg.ids.length - 1] === id) return say(cfg.text.sameAsLast);
      leaveNote({ focus: true });
      window.location.assign(routePath(cfg.ids.concat([id]), cfg.lang));
    }

    function result(r) {
      var other = cfg.lang === "en" ? r.name_zh : r.name_en;
      var item = el("li", null, "route-result");
      var text = el("span", null, "route-result-text");
      text.appendChild(el("strong", (cfg.lang === "en" ? r.name_en : r.name_zh) || r.name_zh));
      if (other) text.appendChild(el("span", other, "name-other"));
      var meta = [cfg.kinds[r.kind] || r.kind, r.town ? cfg.towns[r.town] || "" : ""].filter(Boolean).join(" · ");
      text.appendChild(el("span", meta, "sub"));
      var button = el("button", cfg.text.add, "button route-add");
      button.type = "button";
      button.dataset.id = r.id;
      button.addEventListener("click", function () { add(r.id); });
      item.appendChild(text);
      item.appendChild(button);
      return item;
    }

    function search() {
      var q = input.value.trim();
      var mine = ++asked;
      list.textContent = "";
      if (!q) return say("");
      A.fetchJSON("/api/search?limit=20&lang=" + encodeURIComponent(cfg.lang) + "&q=" + encodeURIComponent(q))
        .then(function (answer) {
          if (mine !== asked) return;  // a later search has started
          var found = answer.results.filter(function (r) { return layers[r.layer]; });
          found.forEach(function (r) { list.appendChild(result(r)); });
          say(found.length ? "" : cfg.text.noResults);
        })
        .catch(function (err) {
          if (mine === asked) say(cfg.text.searchFailed + err.message);
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      search();
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, SEARCH_DELAY_MS);
    });

    var table = document.getElementById("route-table");
    if (table) {
      table.addEventListener("click", function (event) {
        var button = event.target.closest && event.target.closest("button[data-move]");
        if (!button) return;
        var i = Number(button.dataset.index), ids = cfg.ids.slice();
        if (button.dataset.move === "up" && i > 0) ids.splice(i - 1, 2, ids[i], ids[i - 1]);
        else if (button.dataset.move === "down" && i < ids.length - 1) ids.splice(i, 2, ids[i + 1], ids[i]);
        else if (button.dataset.move === "remove") ids.splice(i, 1);
        else return;
        go(ids);
      });
    }

    var note = null;
    try {
      note = JSON.parse(sessionStorage.getItem(NOTE_KEY) || "null");
      sessionStorage.removeItem(NOTE_KEY);
    } catch (e) { note = null; }
    box.hidden = false;
    if (note && note.text) say(note.text);
    if (note && note.focus && !input.disabled) input.focus();
  }

  /* ------------------------------------------------------------ the map */
  function draw(cfg, done) {
    var map = window[cfg.map];
    var STYLE = cfg.areaStyles;
    map.options.zoomSnap = 0.25;
    [map.scrollWheelZoom, map.boxZoom].forEach(function (handler) { if (handler) handler.disable(); });
    A.watchTiles(map, cfg);
    var contextSvg = P.svgPane(map, "route-context", 350);
    var areaSvg = P.svgPane(map, "route-areas", 400);
    var lineSvg = P.svgPane(map, "route-lines", 450);
    map.createPane("route-places").style.zIndex = 500;
    var numbers = L.layerGroup().addTo(map);
    var city = null;

    // Stops with a known position, one marker per place visited (a loop's start shows "1·5").
    var bounds = L.latLngBounds([]);
    var markers = [], byId = {};
    cfg.stops.forEach(function (stop) {
      if (!stop.at) return;
      var latlng = L.latLng(stop.at[1], stop.at[0]);
      bounds.extend(latlng);
      if (stop.outline) {
        var outline = L.geoJSON(stop.outline, { renderer: areaSvg, interactive: false,
          style: function () { return A.areaStyle(STYLE, "parks", stop.outline.properties); } }).addTo(map);
        bounds.extend(outline.getBounds());
      }
      if (byId[stop.id]) {
        byId[stop.id].nos.push(stop.no);
        return;
      }
      byId[stop.id] = { stop: stop, anchor: latlng, nos: [stop.no] };
      markers.push(byId[stop.id]);
    });
    var stopAt = {};
    cfg.stops.forEach(function (stop) { if (stop.at) stopAt[stop.no] = L.latLng(stop.at[1], stop.at[0]); });
    cfg.legs.forEach(function (leg) {
      L.polyline([stopAt[leg[0]], stopAt[leg[1]]], Object.assign({ renderer: lineSvg, interactive: false }, LINE))
        .addTo(map);
    });

    var context = Promise.all([
      A.fetchJSON("/api/layers/boundary").then(function (data) {
        city = L.geoJSON(data, { renderer: contextSvg, interactive: false, style: function () { return STYLE.boundary; } })
          .addTo(map).getBounds();
      }),
      A.fetchJSON("/api/layers/towns?lang=" + encodeURIComponent(cfg.lang)).then(function (data) {
        L.geoJSON(data, { renderer: contextSvg, interactive: false, style: function () { return STYLE.towns; } }).addTo(map);
        data.features.forEach(function (f) {
          var at = f.properties.label_point;
          if (!at) return;
          L.marker(L.latLng(at[1], at[0]), { pane: "route-places", interactive: false, keyboard: false,
            icon: L.divIcon({ className: "handout-place town", iconSize: null,
                              html: el("span", A.displayName(f.properties).replace(/ (Subdistrict|Town)$/, "")) }) })
            .addTo(map);
        });
      }),
    ]).catch(function (err) {
      document.body.dataset.loadError = err.message;
      var box = el("p", err.message, "load-error");
      box.setAttribute("role", "alert");
      map.getContainer().parentNode.appendChild(box);
    });

    function fit() {
      map.invalidateSize({ animate: false });
      var target = bounds.isValid() ? bounds : city;
      if (target && target.isValid()) {
        map.fitBounds(target, { padding: [SIZE + 10, SIZE + 10], maxZoom: 15, animate: false });
      }
    }

    function numberNode(m) {
      var s = m.stop;
      var node = el("span", m.nos.join("·"), "num");
      if (s.area) node.classList.add("area");
      if (s.status === "planned" || s.status === "under_construction") node.classList.add("hollow");
      if (s.precision === "approximate") node.classList.add("approx");
      node.style.setProperty("--c", s.colour);
      return node;
    }

    /* Each number at its stop if free, else at the nearest free spot on rings around it, with a
     * thin line to the stop. */
    function place() {
      numbers.clearLayers();
      var size = map.getSize(), placed = [];
      function free(pt, width) {
        if (pt.x < width / 2 || pt.y < SIZE / 2 || pt.x > size.x - width / 2 || pt.y > size.y - SIZE / 2) return false;
        return placed.every(function (o) {
          return Math.abs(o.pt.x - pt.x) >= (o.width + width) / 2 + GAP || Math.abs(o.pt.y - pt.y) >= SIZE + GAP;
        });
      }
      markers.forEach(function (m) {
        var width = Math.max(SIZE, 8 + 7 * m.nos.join("·").length);
        var origin = map.latLngToContainerPoint(m.anchor), at = origin;
        for (var ring = 1; !free(at, width) && ring <= RINGS; ring++) {
          var radius = ring * (SIZE + GAP), n = Math.max(6, Math.floor(2 * Math.PI * radius / SIZE));
          for (var i = 0; i < n; i++) {
            var angle = -Math.PI / 2 + 2 * Math.PI * i / n;
            var pt = origin.add(L.point(Math.cos(angle) * radius, Math.sin(angle) * radius));
            if (free(pt, width)) { at = pt; break; }
          }
        }
        placed.push({ pt: at, width: width });
        var latlng = map.containerPointToLatLng(at);
        if (at !== origin) {
          L.polyline([m.anchor, latlng], { renderer: lineSvg, interactive: false, color: "#495057", weight: 1 }).addTo(numbers);
          L.circleMarker(m.anchor, { renderer: lineSvg, interactive: false, radius: 2.5, weight: 0,
                                     fillColor: m.stop.colour, fillOpacity: 1 }).addTo(numbers);
        }
        L.marker(latlng, { keyboard: false, interactive: false,
                           icon: L.divIcon({ className: "num-marker", html: numberNode(m), iconSize: [width, SIZE] }) })
          .addTo(numbers);
      });
    }

    function layout() {
      fit();
      place();
      P.markLayout();
    }

    P.followPrinting(layout);
    context.then(function () { if (!bounds.isValid()) layout(); })
      .then(function () { return P.tilesLoaded(map); }).then(done);
    window.atlasRoute = { map: map, layout: layout, markers: markers };
  }

  function start() {
    var cfg = A.config();
    var swap = document.getElementById("lang-switch");
    if (swap) swap.href = cfg.langSwitch;  // the other language keeps the stops
    builder(cfg);
    function ready() { document.body.dataset.ready = "true"; }
    if (cfg.stops.length) {
      draw(cfg, ready);
    } else {
      if (window.matchMedia) window.matchMedia("print").addEventListener("change", P.markLayout);
      P.markLayout();
      ready();
    }
  }

  window.AtlasRoute = { start: start };
})();
