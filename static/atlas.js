/* Jinjiang Innovation Atlas — the browser side.
 *
 * The page holds a cached Folium map shell (basemap only).  This script loads
 * the layers from our own JSON endpoints, draws them, and keeps the filters,
 * the list, the counts, the exports and the URL in sync.  Every text from the
 * data is put into the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var STYLE = {};  // Leaflet path options per layer, from atlas/maps/style.py via the page config
  var LEVEL_RADIUS = { national: 9, provincial: 8, quanzhou: 7, jinjiang: 6 };
  var PENDING = { planned: true, under_construction: true };
  var LIST_MAX = 500;  // the map shows every match; the list stops here and says how many more
  var APPROX = { approximate: true, placeholder: true };  // positions shown with "≈"

  function config() {
    return JSON.parse(document.getElementById("atlas-config").textContent);
  }

  /* Build an element with text content (never HTML). */
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function pendingStyle(base, props) {
    var style = Object.assign({}, base);
    if (PENDING[props.status]) {
      style.dashArray = "6 5";
      style.fillOpacity = Math.min(style.fillOpacity || 0, 0.06);
    }
    return style;
  }

  /* Colour by group of kinds (atlas/maps/style.py), size by level, dashed when pending or approximate. */
  function pointStyle(props, cfg) {
    var color = cfg.kindColours[props.kind] || "#495057";
    var pending = PENDING[props.status];
    return {
      radius: LEVEL_RADIUS[props.level] || 6,
      color: color, weight: APPROX[props.precision] ? 2 : 3,
      dashArray: pending || APPROX[props.precision] ? "3 3" : null,
      fillColor: color, fillOpacity: pending ? 0 : 0.75,
    };
  }

  function displayName(props, cfg) {
    return props.display_name || props.name_zh || props.id;
  }

  /* A popup's content as a DOM node: name, kind, status, precision, profile link. */
  function popupNode(props, cfg) {
    var box = el("div", null, "atlas-popup");
    box.appendChild(el("strong", displayName(props, cfg), "popup-name"));
    if (props.name_fallback) box.appendChild(el("em", " " + cfg.text.missingEn, "fallback"));
    if (cfg.lang !== "en" && props.name_en) box.appendChild(el("div", props.name_en, "popup-en"));
    var meta = [props.display_kind, props.display_status, props.display_level].filter(Boolean).join(" · ");
    if (meta) box.appendChild(el("div", meta, "popup-meta"));
    if (APPROX[props.precision]) box.appendChild(el("div", "≈ " + (props.precision === "placeholder" ? cfg.text.placeholder : cfg.text.approximate), "popup-approx"));
    if (props.url) {
      var link = el("a", cfg.text.profile + " →", "popup-link");
      link.href = props.url + "?lang=" + encodeURIComponent(cfg.lang);
      box.appendChild(link);
    }
    return box;
  }

  function bindLabels(layer, props, cfg) {
    var approx = APPROX[props.precision] ? "≈ " : "";  // approximate says so everywhere
    layer.bindTooltip(function () { return el("span", approx + displayName(props, cfg)); }, { sticky: true });
    layer.bindPopup(function () { return popupNode(props, cfg); });
  }

  /* Fetch JSON; a 4xx/5xx rejects with the server's problem detail as the message. */
  function fetchJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (r.ok) return r.json();
      return r.json().catch(function () { return {}; }).then(function (problem) {
        throw new Error(problem.detail || url + " answered " + r.status);
      });
    });
  }

  /* ------------------------------------------------------------------ URL state */
  var FACETS = ["layer", "kind", "level", "industry", "zone", "town", "status"];

  function readState() {
    var params = new URLSearchParams(location.search);
    var state = { filters: {}, q: params.get("q") || "", sel: params.get("sel") || "",
                  off: (params.get("off") || "").split(",").filter(Boolean),
                  c: params.get("c"), z: params.get("z") };
    FACETS.forEach(function (f) { state.filters[f] = params.getAll(f).filter(Boolean); });
    return state;
  }

  function filterQuery(state) {
    var params = new URLSearchParams();
    FACETS.forEach(function (f) { state.filters[f].forEach(function (v) { params.append(f, v); }); });
    if (state.q) params.set("q", state.q);
    return params;
  }

  function writeURL(state, cfg) {
    var params = filterQuery(state);
    if (cfg.lang !== "zh") params.set("lang", cfg.lang);
    if (state.sel) params.set("sel", state.sel);
    if (state.off.length) params.set("off", state.off.join(","));
    if (state.c) params.set("c", state.c);
    if (state.z) params.set("z", state.z);
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
    var other = new URLSearchParams(params);
    other.set("lang", cfg.lang === "en" ? "zh" : "en");
    document.getElementById("lang-switch").href = "?" + other;
  }

  /* ------------------------------------------------------------------ atlas page */
  function startPage() {
    var cfg = config();
    STYLE = cfg.areaStyles;
    var map = window[cfg.map];
    var state = readState();
    var overlays = {};
    var markers = {};
    var listItems = {};

    var names = {};
    cfg.zoneNames.concat(cfg.kindNames, cfg.townNames).forEach(function (pair) { names[pair[0]] = pair[1]; });

    function addOverlay(key, layer) {
      overlays[key] = layer;
      if (state.off.indexOf(key) < 0) layer.addTo(map);
    }

    var control = L.control.layers(null, null, { collapsed: window.innerWidth < 768 }).addTo(map);
    var parksLayer = L.featureGroup();
    var pointsLayer = L.markerClusterGroup({ maxClusterRadius: 40, disableClusteringAtZoom: 15,
                                             chunkedLoading: true });

    function contextLayer(key, url, styleFn) {
      var group = L.featureGroup();
      addOverlay(key, group);
      control.addOverlay(group, cfg.layerLabels[key] || key);
      return fetchJSON(url).then(function (data) {
        L.geoJSON(data, {
          style: function (f) { return styleFn(f.properties || {}); },
          onEachFeature: function (f, layer) { if (key !== "boundary") bindLabels(layer, f.properties, cfg); },
        }).addTo(group);
        if (key === "towns") addTownLabels(data, group);
        return group;
      });
    }

    function addTownLabels(data, group) {
      data.features.forEach(function (f) {
        var p = f.properties;
        if (!p.label_point) return;
        var icon = L.divIcon({ className: "town-label", html: "", iconSize: null });
        var marker = L.marker([p.label_point[1], p.label_point[0]],
                              { icon: icon, interactive: false, keyboard: false });
        marker.on("add", function () {
          var node = marker.getElement();
          // Labels drop the generic suffix so neighbouring names do not collide.
          if (node) node.textContent = displayName(p, cfg).replace(/ (Subdistrict|Town)$/, "");
        });
        marker.addTo(group);
      });
    }

    var loaded = Promise.all([
      contextLayer("boundary", "/api/layers/boundary?lang=" + cfg.lang, function () { return STYLE.boundary; }),
      contextLayer("towns", "/api/layers/towns?lang=" + cfg.lang, function () { return STYLE.towns; }),
      contextLayer("corridor", "/api/layers/corridor?lang=" + cfg.lang, function (p) {
        return pendingStyle(STYLE.corridor, p);
      }).then(function (group) {
        return fetchJSON("/api/layers/corridor-band").then(function (data) {
          L.geoJSON(data, { style: STYLE.band }).addTo(group).bringToBack();
        });
      }),
      contextLayer("zones", "/api/layers/zones?lang=" + cfg.lang, function (p) { return pendingStyle(STYLE.zones, p); }),
    ]).then(function (groups) {
      var boundary = groups[0];
      if (!state.c) map.fitBounds(boundary.getBounds(), { padding: [10, 10] });
    }).catch(function (err) { showError(err.message); });

    addOverlay("parks", parksLayer);
    control.addOverlay(parksLayer, cfg.layerLabels.parks);
    addOverlay("platforms", pointsLayer);
    control.addOverlay(pointsLayer, cfg.layerLabels.platforms + " / " + cfg.layerLabels.incubators);

    map.on("overlayadd overlayremove", function (ev) {
      Object.keys(overlays).forEach(function (key) {
        if (overlays[key] !== ev.layer) return;
        state.off = state.off.filter(function (k) { return k !== key; });
        if (ev.type === "overlayremove") state.off.push(key);
      });
      writeURL(state, cfg);
    });

    if (state.c && state.z) {
      var c = state.c.split(",").map(Number);
      if (c.length === 2 && isFinite(c[0]) && isFinite(c[1])) map.setView(c, Number(state.z) || 11);
    }
    map.on("moveend", function () {
      var centre = map.getCenter();
      state.c = centre.lat.toFixed(5) + "," + centre.lng.toFixed(5);
      state.z = String(map.getZoom());
      writeURL(state, cfg);
    });

    function select(id, focus) {
      state.sel = id;
      writeURL(state, cfg);
      Object.keys(listItems).forEach(function (k) { listItems[k].classList.toggle("selected", k === id); });
      var item = listItems[id];
      if (item) item.scrollIntoView({ block: "nearest" });
      var layer = markers[id];
      if (!layer || !focus) return;
      if (layer.getLatLng) {
        // Past disableClusteringAtZoom every marker stands alone; no animation, so no race
        // with a fly-to still running.
        map.setView(layer.getLatLng(), Math.max(map.getZoom(), 15), { animate: false });
        if (pointsLayer.hasLayer(layer) && layer._map) layer.openPopup();
      } else {
        map.fitBounds(layer.getBounds(), { maxZoom: 15, animate: false });
        layer.openPopup();
      }
    }

    function renderCounts(counts) {
      [["zone", "count-zone"], ["town", "count-town"], ["kind", "count-kind"]].forEach(function (pair) {
        var list = document.getElementById(pair[1]);
        list.replaceChildren();
        Object.keys(counts[pair[0]]).forEach(function (key) {
          var li = el("li");
          // Each count is a link to the filter that lists exactly what it counts.
          var link = el("a", names[key] || key, "count-name");
          var query = filterQuery(state);
          query.set(pair[0] === "kind" ? "kind" : pair[0], key);
          if (cfg.lang !== "zh") query.set("lang", cfg.lang);
          link.href = "?" + query;
          li.appendChild(link);
          li.appendChild(el("span", counts[pair[0]][key], "count-n"));
          li.dataset.key = key;
          list.appendChild(li);
        });
      });
    }

    function renderList(features) {
      var list = document.getElementById("entity-list");
      list.replaceChildren();
      listItems = {};
      features.slice(0, LIST_MAX).forEach(function (f) {
        var p = f.properties;
        var li = el("li", null, "entity");
        li.dataset.id = f.id;
        li.tabIndex = 0;
        li.appendChild(el("span", displayName(p, cfg), "entity-name"));
        if (APPROX[p.precision]) li.appendChild(el("span", " ≈", "approx-mark"));
        li.appendChild(el("span", [p.display_kind, p.display_status].join(" · "), "entity-meta"));
        li.addEventListener("click", function () { select(f.id, true); });
        li.addEventListener("keydown", function (ev) { if (ev.key === "Enter") select(f.id, true); });
        listItems[f.id] = li;
        list.appendChild(li);
      });
      if (features.length > LIST_MAX) {
        list.appendChild(el("li", cfg.text.listMore.replace("{n}", features.length - LIST_MAX), "list-more"));
      }
    }

    function renderMap(features) {
      parksLayer.clearLayers();
      pointsLayer.clearLayers();
      markers = {};
      var points = [];
      features.forEach(function (f) {
        var p = f.properties;
        var layer;
        if (f.geometry.type === "Point") {
          var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
          layer = L.circleMarker(ll, pointStyle(p, cfg));
          points.push(layer);
        } else {
          layer = L.geoJSON(f, { style: function () { return pendingStyle(STYLE.parks, p); } });
          layer.addTo(parksLayer);
        }
        bindLabels(layer, p, cfg);
        layer.on("click", function () { select(f.id, false); });
        markers[f.id] = layer;
      });
      pointsLayer.addLayers(points);
    }

    var requestSeq = 0;
    function refresh() {
      var query = filterQuery(state);
      document.getElementById("export-csv").href = "/export.csv?" + query;
      document.getElementById("export-geojson").href = "/export.geojson?" + query;
      query.set("lang", cfg.lang);
      var seq = ++requestSeq;
      return fetchJSON("/api/entities?" + query).then(function (data) {
        if (seq !== requestSeq) return;
        document.getElementById("match-count").textContent = String(data.numberMatched);
        renderCounts(data.counts);
        renderList(data.features);
        renderMap(data.features);
        if (state.sel && markers[state.sel]) select(state.sel, false);
        showError("");
      }).catch(function (err) {
        if (seq !== requestSeq) return;
        showError(err.message);  // e.g. a hand-edited link with an unknown filter value
      });
    }

    function showError(message) {
      var box = document.getElementById("load-error");
      box.textContent = message ? cfg.text.loadError + " " + message : "";
      box.hidden = !message;
    }

    var form = document.getElementById("filters");
    FACETS.forEach(function (f) {
      var select_ = document.getElementById("facet-" + f);
      select_.addEventListener("change", function () {
        state.filters[f] = select_.value ? [select_.value] : [];
        writeURL(state, cfg);
        refresh().then(markReady);
      });
    });
    var timer = null;
    document.getElementById("q").addEventListener("input", function (ev) {
      clearTimeout(timer);
      timer = setTimeout(function () {
        state.q = ev.target.value.trim();
        writeURL(state, cfg);
        refresh().then(markReady);
      }, 200);
    });
    document.getElementById("reset").addEventListener("click", function () {
      form.reset();
      FACETS.forEach(function (f) { state.filters[f] = []; document.getElementById("facet-" + f).value = ""; });
      state.q = "";
      document.getElementById("q").value = "";
      writeURL(state, cfg);
      refresh().then(markReady);
    });
    document.getElementById("share").addEventListener("click", function () {
      var status = document.getElementById("share-status");
      var done = function () { status.textContent = cfg.text.copied; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(location.href).then(done);
      } else {  // plain http on an intranet: no clipboard API, so select the link for Ctrl+C
        var box = document.createElement("input");
        box.value = location.href;
        document.body.appendChild(box);
        box.select();
        document.execCommand("copy");
        box.remove();
        done();
      }
    });
    if (window.innerWidth < 768) document.getElementById("legend").removeAttribute("open");
    var toggle = document.getElementById("panel-toggle");
    toggle.addEventListener("click", function () {
      var open = document.body.classList.toggle("panel-open");
      toggle.setAttribute("aria-expanded", String(open));
      setTimeout(function () { map.invalidateSize(); }, 50);
    });

    // Context layers and entities load in parallel; the page is ready when both are done.
    // A shared link's own centre and zoom win over focusing its selected entity.
    var first = refresh().then(function () {
      if (state.sel && markers[state.sel]) select(state.sel, !(state.c && state.z));
    });
    Promise.all([loaded, first]).then(markReady);

    function markReady() { document.body.dataset.ready = "true"; }
    window.atlasPage = { map: map, state: state, refresh: refresh,
                         get markers() { return markers; } };
  }

  /* ------------------------------------------------------------------ profile page */
  function startProfile() {
    var cfg = config();
    STYLE = cfg.areaStyles;
    var map = window[cfg.map];
    var feature = cfg.feature;
    var p = feature.properties;
    var style = p.layer === "platforms" || p.layer === "incubators" ? null
      : pendingStyle(STYLE[p.layer] || STYLE.parks, p);
    // The entity's ancestors (park, zone, corridor) drawn faintly for context, linked to their pages.
    cfg.context.forEach(function (ancestor) {
      var a = ancestor.properties;
      L.geoJSON(ancestor, { style: function () {
        return Object.assign(pendingStyle(STYLE[a.layer] || STYLE.parks, a), { fillOpacity: 0.08, opacity: 0.6 });
      } }).eachLayer(function (l) { bindLabels(l, a, cfg); }).addTo(map);
    });
    var layer = L.geoJSON(feature, {
      style: function () { return style; },
      pointToLayer: function (f, ll) { return L.circleMarker(ll, pointStyle(p, cfg)); },
    }).addTo(map);
    layer.eachLayer(function (l) { bindLabels(l, p, cfg); });
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      if (feature.geometry.type === "Point") map.setView(bounds.getCenter(), 14);
      else map.fitBounds(bounds, { padding: [12, 12] });
    }
    if (APPROX[p.precision]) {
      L.circle(bounds.getCenter(), { radius: 600, color: "#868e96", dashArray: "4 4", weight: 1,
                                     fill: false, interactive: false }).addTo(map);
    }
    document.body.dataset.ready = "true";
  }

  window.AtlasPage = { start: startPage };
  window.AtlasProfile = { start: startProfile };
})();
