/* Jinjiang Innovation Atlas — the atlas page.
 *
 * The page holds a cached Folium map shell (basemap only).  This script loads the layers from
 * our own JSON endpoints, draws and labels them, and keeps the filters, the search, the list,
 * the counts, the exports and the URL in sync (static/js/state.js).  On phones the panel is a
 * bottom sheet (static/js/sheet.js).  When a filter matches more points than a browser can
 * draw, the server sends the counts and the list's head, and the map shows the server's
 * clusters of the view (static/js/clusters.js).  Every text from the data goes in with textContent.
 */
(function () {
  "use strict";

  var A = window.Atlas, S = window.AtlasState;
  var el = A.el;
  var LIST_MAX = 500;  // the map shows every match; the list stops here and says how many more
  var FOCUS_ZOOM = 15;  // = disableClusteringAtZoom: every marker stands alone from here
  var MAJOR_LEVEL = { national: true, provincial: true };

  function start() {
    var cfg = A.config();
    var STYLE = cfg.areaStyles;
    var map = window[cfg.map];
    var state = S.read();
    var sheet = AtlasSheet.attach(map);
    var labels = AtlasLabels.attach(map);
    var overlays = {}, markers = {}, listItems = {}, features = {};
    var contextLabels = [], entityLabels = [];
    var canvas = A.renderer();
    A.watchTiles(map, cfg);

    /* ------------------------------------------------------------ names from the form */
    function optionLabel(facet, value) {
      var select = document.getElementById("facet-" + facet);
      var option = select && select.querySelector('option[value="' + CSS.escape(value) + '"]');
      return option ? (option.dataset.label || option.textContent) : value;
    }
    function facetLabel(facet) {
      return document.getElementById("facet-" + facet).parentNode.firstElementChild.textContent;
    }

    /* ------------------------------------------------------------ layers */
    function addOverlay(key, layer, title) {
      overlays[key] = layer;
      if (state.off.indexOf(key) < 0) layer.addTo(map);
      control.addOverlay(layer, title);
    }

    var control = L.control.layers(null, null, { collapsed: sheet.isPhone() }).addTo(map);
    var parksLayer = L.featureGroup();
    var pointsLayer = L.markerClusterGroup({ maxClusterRadius: 40, disableClusteringAtZoom: FOCUS_ZOOM,
                                             chunkedLoading: true });
    var serverLayer = L.featureGroup();  // the server's clusters and lone points (big selections)
    var clusterView = AtlasClusters.attach(map, serverLayer, {
      draw: function (found) {
        clearMap();
        drawFeatures(found, serverLayer);
        if (pendingPopup && markers[pendingPopup]) markers[pendingPopup].openPopup();
        pendingPopup = null;
        updateLabels();
      },
      error: function (message) { showError(message); },
    });
    var pendingPopup = null;  // selected in the list, drawn once its view has loaded
    var bigBBox = null;  // extent of a clustered selection

    function labelPoint(f) {
      var p = f.properties.label_point;
      return p ? L.latLng(p[1], p[0]) : null;
    }

    function contextLayer(key, url, styleFn) {
      var group = L.featureGroup();
      addOverlay(key, group, cfg.layerLabels[key] || key);
      return A.fetchJSON(url).then(function (data) {
        L.geoJSON(data, {
          style: function (f) { return styleFn(f.properties || {}); },
          onEachFeature: function (f, layer) { if (key !== "boundary") A.bindLabels(layer, f.properties, cfg); },
        }).addTo(group);
        data.features.forEach(function (f) {
          var at = labelPoint(f);
          if (!at || (key !== "towns" && key !== "zones")) return;
          contextLabels.push({ latlng: at, kind: key, priority: key === "zones" ? 0 : 3, minZoom: key === "zones" ? 10 : 11,
                               // town labels drop the generic suffix so neighbours do not collide
                               text: A.displayName(f.properties).replace(/ (Subdistrict|Town)$/, "") });
        });
        return group;
      });
    }

    var loaded = Promise.all([
      contextLayer("boundary", "/api/layers/boundary?lang=" + cfg.lang, function () { return STYLE.boundary; }),
      contextLayer("towns", "/api/layers/towns?lang=" + cfg.lang, function () { return STYLE.towns; }),
      contextLayer("corridor", "/api/layers/corridor?lang=" + cfg.lang, function (p) {
        return A.areaStyle(STYLE, "corridor", p);
      }).then(function (group) {
        return A.fetchJSON("/api/layers/corridor-band").then(function (data) {
          L.geoJSON(data, { style: STYLE.band }).addTo(group).bringToBack();
          return group;
        });
      }),
      contextLayer("zones", "/api/layers/zones?lang=" + cfg.lang, function (p) { return A.areaStyle(STYLE, "zones", p); }),
    ]).then(function (groups) {
      updateLabels();
      return groups[0];
    }).catch(function (err) { showError(err.message); });

    addOverlay("parks", parksLayer, cfg.layerLabels.parks);
    addOverlay("platforms", L.layerGroup([pointsLayer, serverLayer]),
               [cfg.layerLabels.platforms, cfg.layerLabels.incubators, cfg.layerLabels.enterprises].join(" / "));

    map.on("overlayadd overlayremove", function (ev) {
      Object.keys(overlays).forEach(function (key) {
        if (overlays[key] !== ev.layer) return;
        state.off = state.off.filter(function (k) { return k !== key; });
        if (ev.type === "overlayremove") state.off.push(key);
      });
      updateLabels();
      S.write(state, cfg.lang);
    });

    function updateLabels() {
      var shown = contextLabels.filter(function (c) { return state.off.indexOf(c.kind) < 0; });
      labels.setCandidates(shown.concat(entityLabels.filter(function (c) {
        return state.off.indexOf(c.kind === "parks" ? "parks" : "platforms") < 0;
      })));
    }

    /* ------------------------------------------------------------ view */
    if (state.c && state.z) {
      var c = state.c.split(",").map(Number);
      if (c.length === 2 && isFinite(c[0]) && isFinite(c[1])) map.setView(c, Number(state.z) || 11);
    }
    map.on("moveend", function () {
      var centre = map.getCenter();
      state.c = centre.lat.toFixed(5) + "," + centre.lng.toFixed(5);
      state.z = String(map.getZoom());
      S.write(state, cfg.lang);
    });

    /* Fit the map to what the filters selected (the whole city when nothing is selected). */
    function fitTo(found) {
      var bounds = L.latLngBounds([]);
      if (bigBBox) bounds = L.latLngBounds([bigBBox[1], bigBBox[0]], [bigBBox[3], bigBBox[2]]);
      else found.forEach(function (f) {
        var layer = markers[f.id];
        if (!layer || f.properties.precision === "placeholder") return;
        bounds.extend(layer.getLatLng ? layer.getLatLng() : layer.getBounds());
      });
      if (!bounds.isValid() && overlays.boundary) bounds = overlays.boundary.getBounds();
      if (!bounds.isValid()) return;
      var bottom = sheet.isPhone() ? 70 : 20;
      map.fitBounds(bounds, { paddingTopLeft: [30, 30], paddingBottomRight: [30, bottom], maxZoom: FOCUS_ZOOM,
                              animate: false });
    }

    /* ------------------------------------------------------------ selection */
    function cardAt(id, latlng) {
      var f = features[id];
      L.popup({ autoPan: false }).setLatLng(latlng).setContent(A.popupNode(f.properties, cfg)).openOn(map);
    }

    /* Select an entity: mark it in the list, and on ``focus`` bring it into view with its card.
     * ``keepView`` opens the card without moving the map (a shared link's own view wins). */
    function select(id, how) {
      how = how || {};
      state.sel = id;
      S.write(state, cfg.lang);
      Object.keys(listItems).forEach(function (k) { listItems[k].classList.toggle("selected", k === id); });
      if (listItems[id]) sheet.reveal(listItems[id]);
      var layer = markers[id];
      if (!layer && how.focus && clusterView.active() && features[id] && features[id].geometry.type === "Point") {
        // not drawn yet: go there, and the card opens when the view's points arrive
        sheet.fold();
        pendingPopup = id;
        var xy = features[id].geometry.coordinates;
        map.setView([xy[1], xy[0]], Math.max(map.getZoom(), FOCUS_ZOOM), { animate: false });
        return;
      }
      if (!layer) return;
      if (how.focus) {
        sheet.fold();
        if (layer.getLatLng) {
          map.setView(layer.getLatLng(), Math.max(map.getZoom(), FOCUS_ZOOM), { animate: false });
          layer.openPopup();
        } else {
          map.fitBounds(layer.getBounds(), { maxZoom: FOCUS_ZOOM, animate: false });
          layer.openPopup(labelPoint(features[id]) || layer.getBounds().getCenter());
        }
      } else if (how.keepView) {
        var at = layer.getLatLng ? layer.getLatLng() : (labelPoint(features[id]) || layer.getBounds().getCenter());
        if (layer.getLatLng && layer._map) layer.openPopup(); else cardAt(id, at);
      }
    }

    /* ------------------------------------------------------------ rendering */
    function renderCounts(counts) {
      [["zone", "count-zone"], ["town", "count-town"], ["kind", "count-kind"]].forEach(function (pair) {
        var list = document.getElementById(pair[1]);
        list.replaceChildren();
        Object.keys(counts[pair[0]]).forEach(function (key) {
          var li = el("li");
          // Each count is a link to the filter that lists exactly what it counts.
          var link = el("a", optionLabel(pair[0], key), "count-name");
          var query = S.filterQuery(state);
          query.set(pair[0], key);
          if (cfg.lang !== "zh") query.set("lang", cfg.lang);
          link.href = "?" + query;
          link.appendChild(el("span", counts[pair[0]][key], "count-n"));
          li.appendChild(link);
          li.dataset.key = key;
          list.appendChild(li);
        });
      });
    }

    function renderList(found, total) {
      var list = document.getElementById("entity-list");
      list.replaceChildren();
      listItems = {};
      found.slice(0, LIST_MAX).forEach(function (f) {
        var p = f.properties;
        var li = el("li", null, "entity");
        li.dataset.id = f.id;
        li.tabIndex = 0;
        li.setAttribute("role", "button");
        li.appendChild(el("span", A.displayName(p), "entity-name"));
        if (A.APPROX[p.precision]) li.appendChild(el("span", p.precision === "placeholder" ? " ⚠" : " ≈", "approx-mark"));
        li.appendChild(el("span", [p.display_kind, p.display_status].join(" · "), "entity-meta"));
        li.addEventListener("click", function () { select(f.id, { focus: true }); });
        li.addEventListener("keydown", function (ev) { if (ev.key === "Enter") select(f.id, { focus: true }); });
        listItems[f.id] = li;
        list.appendChild(li);
      });
      if (total > LIST_MAX) {
        list.appendChild(el("li", cfg.text.listMore.replace("{n}", total - LIST_MAX), "list-more"));
      }
    }

    function clearMap() {
      parksLayer.clearLayers();
      pointsLayer.clearLayers();
      map.closePopup();
      markers = {};
      entityLabels = [];
    }

    /* Draw features: points into ``target`` (the browser's clusters, or the server's layer),
     * areas into the parks layer. */
    function drawFeatures(found, target) {
      var points = [];
      found.forEach(function (f) {
        var p = f.properties;
        var layer;
        features[f.id] = f;
        if (f.geometry.type === "Point") {
          var ll = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
          var style = A.pointStyle(p, cfg);
          layer = L.circleMarker(ll, Object.assign({ renderer: canvas }, style));
          if (target === pointsLayer) points.push(layer); else layer.addTo(target);
          if (p.precision !== "placeholder") {
            var major = MAJOR_LEVEL[p.level];
            entityLabels.push({ latlng: ll, text: A.displayName(p), kind: "points", offset: style.radius + 4,
                                priority: major ? 2 : 4, minZoom: major ? FOCUS_ZOOM : FOCUS_ZOOM + 1 });
          }
        } else {
          layer = L.geoJSON(f, { style: function () { return A.areaStyle(STYLE, "parks", p); } });
          layer.addTo(parksLayer);
          var at = labelPoint(f);
          if (at) entityLabels.push({ latlng: at, text: A.displayName(p), kind: "parks", priority: 1, minZoom: 13 });
        }
        A.bindLabels(layer, p, cfg);
        layer.on("click", function () { sheet.fold(); select(f.id); });
        markers[f.id] = layer;
      });
      if (points.length) pointsLayer.addLayers(points);
    }

    /* The map for a selection: every feature (browser-clustered), or the server's clusters. */
    function renderMap(data) {
      features = {};
      data.features.forEach(function (f) { features[f.id] = f; });
      bigBBox = data.clustered ? data.bbox : null;
      clearMap();
      if (data.clustered) return;
      clusterView.stop();
      drawFeatures(data.features, pointsLayer);
      updateLabels();
    }

    function renderHint(hint) {
      var box = document.getElementById("search-hint");
      box.replaceChildren();
      box.hidden = !(hint && (hint.suggestion || hint.label_zh));  // {} = matched by name only
      if (box.hidden) return;
      if (hint.suggestion) {
        box.appendChild(document.createTextNode(cfg.text.noMatch.replace("{q}", state.q)));
        var again = el("button", hint.suggestion, "linkish suggestion");
        again.type = "button";
        again.addEventListener("click", function () { setQuery(hint.suggestion); });
        box.appendChild(document.createTextNode(cfg.text.didYouMean));
        box.appendChild(again);
        return;
      }
      var name = cfg.lang === "en" ? hint.label_en : hint.label_zh;
      var how = hint.industry ? cfg.text.byIndustry : hint.kind || hint.layer ? cfg.text.byKind : cfg.text.byArea;
      box.textContent = name + " — " + cfg.text.hintCount.replace("{n}", hint.count) + how;
    }

    function renderActive() {
      var list = document.getElementById("active-filters");
      list.replaceChildren();
      S.FACETS.forEach(function (f) {
        state.filters[f].forEach(function (v) {
          var chip = el("button", facetLabel(f) + "：" + optionLabel(f, v) + " ×", "chip-remove");
          chip.type = "button";
          chip.setAttribute("aria-label", cfg.text.removeFilter + " " + facetLabel(f) + " " + optionLabel(f, v));
          chip.addEventListener("click", function () { toggle(f, v); });
          var li = el("li");
          li.appendChild(chip);
          list.appendChild(li);
        });
      });
      var n = S.activeCount(state);
      document.getElementById("filter-count").textContent = n ? String(n) : "";
    }

    var requestSeq = 0;
    /* Load what the filters select and draw it; ``fit`` moves the map to it. */
    function refresh(fit) {
      var query = S.filterQuery(state);
      var linkQuery = new URLSearchParams(query);  // downloads and the handout: same filters, page language
      linkQuery.set("lang", cfg.lang);
      document.querySelectorAll("a[data-export]").forEach(function (a) {
        a.href = "/export." + a.getAttribute("data-export") + "?" + linkQuery;
      });
      document.getElementById("print-link").href = "/print?" + linkQuery;
      query.set("lang", cfg.lang);
      var seq = ++requestSeq;
      renderActive();
      return A.fetchJSON("/api/entities?" + query).then(function (data) {
        if (seq !== requestSeq) return;
        document.getElementById("match-count").textContent = String(data.numberMatched);
        document.getElementById("match-count-tab").textContent = String(data.numberMatched);
        renderCounts(data.counts);
        renderList(data.features, data.numberMatched);
        renderMap(data);
        renderHint(state.q ? data.search : null);
        if (data.clustered) clusterView.stop();  // a fit's move must not load the old filter's view
        if (fit) fitTo(data.features);
        showError("");
        if (data.clustered) return clusterView.show(query);
        if (state.sel && markers[state.sel] && !fit) select(state.sel, { keepView: true });
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

    /* ------------------------------------------------------------ filters and search */
    /* A facet's select toggles values: each choice adds it (✓) or, chosen again, removes it;
     * its first option summarises what is chosen. */
    function syncFacet(f) {
      var select_ = document.getElementById("facet-" + f);
      var values = state.filters[f];
      Array.prototype.forEach.call(select_.options, function (option, i) {
        if (!option.value) {
          option.textContent = values.length ? values.map(function (v) { return optionLabel(f, v); }).join(" + ")
                                             : select_.dataset.any;
          return;
        }
        if (!option.dataset.label) option.dataset.label = option.textContent;
        option.textContent = (values.indexOf(option.value) >= 0 ? "✓ " : "") + option.dataset.label;
        option.selected = false;
      });
      select_.value = "";
      select_.classList.toggle("chosen", values.length > 0);
    }

    function changed() {
      state.sel = "";
      S.write(state, cfg.lang);
      refresh(true).then(markReady);
    }

    function toggle(f, v) {
      var at = state.filters[f].indexOf(v);
      if (at < 0) state.filters[f].push(v); else state.filters[f].splice(at, 1);
      syncFacet(f);
      changed();
    }

    S.FACETS.forEach(function (f) {
      var select_ = document.getElementById("facet-" + f);
      syncFacet(f);
      select_.addEventListener("change", function () {
        var v = select_.value;
        if (v) toggle(f, v);
      });
    });

    var timer = null;
    var search = document.getElementById("q");
    function setQuery(text) {
      search.value = text;
      state.q = text.trim();
      sheet.open("results");
      changed();
    }
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { setQuery(search.value); }, 200);
    });
    search.addEventListener("focus", function () { if (state.q) sheet.open("results"); });
    search.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { clearTimeout(timer); setQuery(search.value); search.blur(); }
    });
    document.getElementById("reset").addEventListener("click", function () {
      S.FACETS.forEach(function (f) { state.filters[f] = []; syncFacet(f); });
      search.value = "";
      state.q = "";
      changed();
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
    if (sheet.isPhone()) document.getElementById("legend").removeAttribute("open");

    // Context layers and entities load in parallel; the page is ready when both are done.
    // A shared link's own centre and zoom win; without them the map fits what is selected
    // (and focuses the selected entity).
    var hasView = Boolean(state.c && state.z);
    var filtered = Boolean(state.q || S.activeCount(state));
    var first = refresh(false).then(function () {
      if (state.sel && (markers[state.sel] || features[state.sel]) && !hasView) select(state.sel, { focus: true });
      else if (filtered && !hasView) fitTo(Object.keys(features).map(function (id) { return features[id]; }));
    });
    Promise.all([loaded, first]).then(function (results) {
      var boundary = results[0];
      if (!hasView && !state.sel && !filtered && boundary) map.fitBounds(boundary.getBounds(), { padding: [10, 10], animate: false });
      markReady();
    });

    function markReady() { document.body.dataset.ready = "true"; }
    window.atlasPage = { map: map, state: state, refresh: refresh, labels: labels,
                         get markers() { return markers; }, get clustered() { return clusterView.active(); } };
  }

  window.AtlasPage = { start: start };
})();
