/* Jinjiang Innovation Atlas — the edit page: a form of every field of the layer's model, and a
 * map to place a point (click, drag, or paste coordinates / a share link) or to draw and reshape
 * areas and lines (Leaflet-Geoman).  Saving is a PUT to the write API with If-Match; the server
 * validates, converts pasted GCJ-02 / BD-09 positions to WGS-84 (atlas/crs.py) and records the
 * commit.  Errors are shown next to their field; every text from the data goes in as text.
 */
(function () {
  "use strict";

  var A = window.Atlas;
  var ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;
  var GEOMETRY_CODES = { geometry_type: true, rfc7946: true, geometry_invalid: true, outside_city: true };
  var EDIT_STYLE = { color: "#d9480f", weight: 3, fillColor: "#ff922b", fillOpacity: 0.25 };

  var cfg, T, map, form, marker, editGroup, state;

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  function csrf() {
    return window.AtlasDom.csrfToken() || cfg.csrf || "";
  }

  function langQuery() { return "lang=" + encodeURIComponent(cfg.lang); }

  /* fetch with the session's CSRF token; resolves {status, body, headers} whatever the status. */
  function send(method, url, body, headers) {
    var h = Object.assign({ Accept: "application/json", "X-CSRF-Token": csrf() }, headers || {});
    if (body !== undefined) h["Content-Type"] = "application/json";
    return fetch(url, { method: method, headers: h, credentials: "same-origin",
                        body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (json) {
          return { status: r.status, body: json, headers: r.headers };
        });
      });
  }

  // ------------------------------------------------------------------ reading the form

  function trim(s) { return s.trim(); }
  function isEmpty(v) { return v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length); }

  function checkedValues(box) {
    return Array.prototype.filter.call(box.querySelectorAll("input[type=checkbox]"),
      function (i) { return i.checked; }).map(function (i) { return i.value; });
  }

  /* A list of objects (citations, policies, sources of facts): one object per row that has
   * anything filled in; an empty link or date is null, other empty texts "". */
  function readRows(box) {
    var rows = box.querySelectorAll(".object-rows > .object-row");
    return Array.prototype.map.call(rows, function (row) {
      var item = {}, filled = false;
      row.querySelectorAll("[data-key]").forEach(function (cell) {
        var value;
        if (cell.dataset.input === "checks") {
          value = checkedValues(cell);
          filled = filled || value.length > 0;
        } else {
          value = cell.value.trim();
          filled = filled || value !== "";
          if (value === "" && (cell.dataset.input === "url" || cell.dataset.input === "date")) value = null;
        }
        item[cell.dataset.key] = value;
      });
      return filled ? item : null;
    }).filter(Boolean);
  }

  /* Checked values: those already stored keep their order, new ones follow in the form's order. */
  function readChecks(box, before) {
    var checked = checkedValues(box);
    var kept = (Array.isArray(before) ? before : []).filter(function (v) { return checked.indexOf(v) >= 0; });
    return kept.concat(checked.filter(function (v) { return kept.indexOf(v) < 0; }));
  }

  function readField(el, before) {
    switch (el.dataset.type) {
      case "text": return el.value.trim();
      case "nullable-text": return el.value.trim() || null;
      case "lines": return el.value.split(/\r?\n/).map(trim).filter(Boolean);
      case "select": return el.value === "" ? null : el.value;
      case "number": return el.value.trim() === "" ? null : Number(el.value);
      case "date": return el.value || null;
      case "checks": return readChecks(el, before);
      case "rows": return readRows(el);
    }
    return el.value;
  }

  /* The properties to write: the stored ones with the form's values over them.  A field left
   * empty that the feature did not have stays absent, and an empty one keeps its stored form
   * ("" or null or []), so saving an untouched form changes nothing. */
  function collectProps(id) {
    var base = (state.stored && state.stored.properties) || {};
    var out = { id: id };
    Object.keys(base).forEach(function (k) { if (k !== "id") out[k] = base[k]; });
    form.querySelectorAll("[data-field]").forEach(function (el) {
      var name = el.dataset.field;
      var value = readField(el, base[name]);
      if (isEmpty(value)) {
        if (!(name in base)) { delete out[name]; return; }
        if (isEmpty(base[name])) { out[name] = base[name]; return; }
      }
      out[name] = value;
    });
    return out;
  }

  // ------------------------------------------------------------------ geometry

  function ringArea(ring) {  // shoelace, on lon/lat: only its sign is used
    var sum = 0;
    for (var i = 0, n = ring.length - 1; i < n; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
    return sum / 2;
  }

  /* RFC 7946 §3.1.6: exterior ring counter-clockwise, holes clockwise. */
  function orient(polygon) {
    return polygon.map(function (ring, i) {
      var ccw = ringArea(ring) > 0;
      return (i === 0) === ccw ? ring : ring.slice().reverse();
    });
  }

  function mapGeometry() {
    if (cfg.geometry === "point") {
      if (!marker) return null;
      var ll = marker.getLatLng();
      return { type: "Point", coordinates: [ll.lng, ll.lat] };
    }
    var polygons = [], lines = [];
    map.pm.getGeomanLayers().forEach(function (layer) {
      if (!(layer instanceof L.Polyline) || !map.hasLayer(layer)) return;
      var g = layer.toGeoJSON(false).geometry;
      if (g.type === "Polygon") polygons.push(g.coordinates);
      else if (g.type === "MultiPolygon") polygons = polygons.concat(g.coordinates);
      else if (g.type === "LineString") lines.push(g.coordinates);
      else if (g.type === "MultiLineString") lines = lines.concat(g.coordinates);
    });
    if (cfg.geometry === "polygon") {
      polygons = polygons.filter(function (p) { return p[0] && p[0].length >= 4; }).map(orient);
      if (!polygons.length) return null;
      return polygons.length === 1 ? { type: "Polygon", coordinates: polygons[0] }
                                   : { type: "MultiPolygon", coordinates: polygons };
    }
    lines = lines.filter(function (l) { return l.length >= 2; });
    if (!lines.length) return null;
    return lines.length === 1 ? { type: "LineString", coordinates: lines[0] }
                              : { type: "MultiLineString", coordinates: lines };
  }

  function rounded(geometry) {
    return JSON.stringify(geometry, function (k, v) { return typeof v === "number" ? Math.round(v * 1e9) / 1e9 : v; });
  }

  function sameLatLng(a, b) { return a && b && Math.abs(a.lat - b.lat) < 1e-10 && Math.abs(a.lng - b.lng) < 1e-10; }

  /* What to send and in which datum: the pasted coordinates as pasted (the server converts
   * them), the stored WGS-84 geometry when nothing moved, else the map's (basemap datum). */
  function geometryToSend() {
    var g = mapGeometry();
    if (!g) return null;
    if (state.pasted && marker && sameLatLng(marker.getLatLng(), state.pasted.at)) {
      return { geometry: { type: "Point", coordinates: state.pasted.coords }, crs: state.pasted.crs };
    }
    if (state.stored && state.shown && rounded(g) === rounded(state.shown)) {
      return { geometry: state.stored.geometry, crs: "wgs84" };
    }
    return { geometry: g, crs: cfg.datum };
  }

  function readout() {
    var box = document.getElementById("position-readout");
    if (!box) return;
    var datum = { wgs84: "WGS-84", gcj02: "GCJ-02", bd09: "BD-09" }[cfg.datum];
    if (cfg.geometry === "point" && marker) {
      var ll = marker.getLatLng();
      box.textContent = datum + ": " + ll.lng.toFixed(6) + ", " + ll.lat.toFixed(6);
    }
  }

  function placeMarker(latlng) {
    if (!marker) {
      marker = L.marker(latlng, { draggable: true, autoPan: true, keyboard: true, title: cfg.id || "" }).addTo(map);
      marker.on("drag dragend", readout);
    } else {
      marker.setLatLng(latlng);
    }
    readout();
  }

  function drawContext() {
    var svg = map.options.renderer;
    cfg.context.forEach(function (f) {
      var q = f.properties;
      var layer = L.geoJSON(f, {
        renderer: svg, interactive: true, bubblingMouseEvents: true,
        style: function () {
          var style = A.areaStyle(cfg.areaStyles, q.layer, q);
          return Object.assign(style, { fillOpacity: Math.min(style.fillOpacity || 0, 0.08), opacity: 0.55 });
        },
        pointToLayer: function (_, ll) {
          return L.circleMarker(ll, Object.assign({ renderer: svg, bubblingMouseEvents: true },
                                                  A.pointStyle(q, cfg), { fillOpacity: 0.35, opacity: 0.6 }));
        },
      });
      layer.eachLayer(function (l) {
        l.bindTooltip(function () { return A.el("span", A.displayName(q)); }, { sticky: true });
      });
      layer.addTo(map);
      if (q.layer === "boundary") state.cityBounds = layer.getBounds();
    });
  }

  function addEditable(geometry) {
    var parts = [];
    if (geometry.type === "Polygon" || geometry.type === "LineString") parts = [geometry.coordinates];
    else if (geometry.type === "MultiPolygon" || geometry.type === "MultiLineString") parts = geometry.coordinates;
    var polygon = /Polygon$/.test(geometry.type);
    parts.forEach(function (coords) {
      var latlngs = polygon ? coords.map(function (ring) { return L.GeoJSON.coordsToLatLngs(ring); })
                            : L.GeoJSON.coordsToLatLngs(coords);
      var layer = polygon ? L.polygon(latlngs, Object.assign({ pmIgnore: false }, EDIT_STYLE))
                          : L.polyline(latlngs, Object.assign({ pmIgnore: false }, EDIT_STYLE));
      editGroup.addLayer(layer);
    });
  }

  /* Where the feature is stored now, faint and dashed, to compare with while moving or reshaping. */
  function drawGhost(geometry) {
    if (state.ghost) state.ghost.remove();
    state.ghost = geometry && L.geoJSON(geometry, {
      renderer: map.options.renderer, interactive: false,
      style: function () { return { color: "#495057", weight: 2, dashArray: "4 4", fillOpacity: 0.04 }; },
      pointToLayer: function (_, ll) {
        return L.circleMarker(ll, { radius: 9, color: "#495057", weight: 2, dashArray: "3 3", fill: false,
                                    interactive: false });
      },
    }).addTo(map);
  }

  function startMap() {
    map = window[cfg.map];
    map.options.renderer = L.svg({ padding: 0.5 });  // before any path: geoman edits SVG paths
    A.watchTiles(map, cfg);
    if (L.PM) L.PM.setOptIn(true);  // geoman touches only our editable layers, never the context
    drawContext();
    var shown = cfg.display;
    state.shown = shown;
    drawGhost(shown);
    if (cfg.geometry === "point") {
      if (shown) placeMarker(L.latLng(shown.coordinates[1], shown.coordinates[0]));
      map.on("click", function (e) { placeMarker(e.latlng); });
    } else {
      editGroup = L.featureGroup().addTo(map);
      if (shown) addEditable(shown);
      map.pm.setLang(cfg.lang === "en" ? "en" : "zh");
      map.pm.setGlobalOptions({ layerGroup: editGroup, allowSelfIntersection: false, snappable: true,
                                pathOptions: Object.assign({ pmIgnore: false }, EDIT_STYLE), templineStyle: { color: EDIT_STYLE.color },
                                hintlineStyle: { color: EDIT_STYLE.color, dashArray: "5 5" } });
      var line = cfg.geometry === "line";
      map.pm.addControls({ position: "topleft", drawMarker: false, drawCircleMarker: false,
                           drawCircle: false, drawText: false, drawPolyline: line, drawPolygon: !line,
                           drawRectangle: !line, cutPolygon: !line, rotateMode: false,
                           editMode: true, dragMode: true, removalMode: true });
    }
    fit();
  }

  function fit() {
    map.invalidateSize();
    if (cfg.geometry === "point" && marker) {
      map.setView(marker.getLatLng(), 15, { animate: false });
    } else if (editGroup && editGroup.getLayers().length) {
      map.fitBounds(editGroup.getBounds(), { padding: [20, 20], maxZoom: 16, animate: false });
    } else if (state.cityBounds && state.cityBounds.isValid()) {
      map.fitBounds(state.cityBounds, { animate: false });
    }
  }

  // ------------------------------------------------------------------ pasting a position

  function paste() {
    var text = document.getElementById("paste-text").value;
    var select = document.getElementById("paste-crs");
    var out = document.getElementById("paste-result");
    clearError("geometry");
    var url = "/edit/locate?text=" + encodeURIComponent(text) + "&crs=" + encodeURIComponent(select.value);
    return send("GET", url).then(function (r) {
      if (r.status !== 200) {
        out.textContent = "";
        fieldError("geometry", (r.body && r.body.detail) || String(r.status));
        return;
      }
      var p = r.body;
      var at = L.latLng(p.display[1], p.display[0]);
      placeMarker(at);
      map.setView(at, Math.max(map.getZoom(), 15), { animate: false });
      select.value = p.crs;
      state.pasted = { coords: [p.lon, p.lat], crs: p.crs, at: marker.getLatLng() };
      var names = { wgs84: "WGS-84", gcj02: "GCJ-02", bd09: "BD-09" };
      var sources = { text: "—", amap: "高德 Amap", tencent: "腾讯 Tencent", baidu: "百度 Baidu", link: "URL" };
      out.textContent = fmt(T.paste_placed, { lon: p.lon, lat: p.lat, crs: names[p.crs], source: sources[p.source] || p.source });
    });
  }

  // ------------------------------------------------------------------ errors and notices

  function errorBox(path) {
    return form.querySelector('[data-error-for="' + path.replace(/"/g, "") + '"]');
  }

  function fieldError(path, message) {
    var box = errorBox(path);
    if (!box) return false;
    box.textContent = box.hidden || !box.textContent ? message : box.textContent + " " + message;
    box.hidden = false;
    var wrap = box.closest(".object-cell, [data-field-wrap]") || box.parentNode;
    wrap.classList.add("has-error");
    var input = wrap.querySelector("input, select, textarea, fieldset");
    if (input) input.setAttribute("aria-invalid", "true");
    return true;
  }

  function clearError(path) {
    var box = errorBox(path);
    if (box) { box.hidden = true; box.textContent = ""; }
  }

  function clearErrors() {
    form.querySelectorAll(".field-error").forEach(function (b) { b.hidden = true; b.textContent = ""; });
    form.querySelectorAll(".has-error").forEach(function (w) { w.classList.remove("has-error"); });
    form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
    var general = document.getElementById("edit-errors");
    general.hidden = true;
    general.textContent = "";
  }

  function showGeneral(title, lines, extra) {
    var box = document.getElementById("edit-errors");
    box.textContent = "";
    box.appendChild(A.el("strong", title));
    if (lines.length) {
      var ul = A.el("ul");
      lines.forEach(function (line) {
        var li = A.el("li");
        li.appendChild(typeof line === "string" ? document.createTextNode(line) : line);
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    if (extra) box.appendChild(extra);
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  /* Where a server problem belongs: its field's box (citations.0.url is row 0's url of the
   * citations), the map for geometry problems, else the list above the form. */
  function targetsFor(problem) {
    if (GEOMETRY_CODES[problem.code]) return ["geometry"];
    var found = [];
    (problem.field || "").split("/").forEach(function (part) {
      var m = /^\s*([a-z_]+)(?:\.(\d+)(?:\.([a-z_]+))?)?/.exec(part);
      if (!m) return;
      var cell = m[1] + "." + m[2] + "." + m[3];
      if (m[3] && errorBox(cell)) {
        found.push(cell);
      } else if (errorBox(m[1])) {
        found.push(m[1]);
      }
    });
    if (!found.length && problem.code === "plan_relation") found.push("geometry");
    return found;
  }

  /* A line of the summary above the form: a link to the field the problem is shown at. */
  function summaryLine(message, target) {
    var box = target && errorBox(target);
    var wrap = box && box.closest(".object-cell, [data-field-wrap]");
    var input = wrap && wrap.querySelector("input, select, textarea, fieldset, .folium-map");
    if (!input) return A.el("span", message);
    if (!input.id) input.id = "field-" + target.replace(/\W/g, "-");
    var a = A.el("a", message);
    a.href = "#" + input.id;
    a.addEventListener("click", function (e) {
      e.preventDefault();
      input.scrollIntoView({ block: "center" });
      if (input.focus) input.focus({ preventScroll: true });
    });
    return a;
  }

  function showProblems(body, id) {
    var lines = [];
    (body.errors || []).forEach(function (p) {
      if (p.id && p.id !== id && p.id !== "-") {
        lines.push(A.el("span", fmt(T.other_feature, { id: p.id }) + p.message));
        return;
      }
      var shown = targetsFor(p).filter(function (t) { return fieldError(t, p.message); });
      lines.push(summaryLine(p.message, shown[0]));
    });
    if (!body.errors && body.detail) lines.push(A.el("span", body.detail));
    showGeneral(T.invalid, lines);
  }

  function link(text, href, id) {
    var a = A.el("a", text);
    a.href = href;
    if (id) a.id = id;
    return a;
  }

  function notice(message, parts, kind) {
    var box = document.getElementById("edit-notice");
    box.textContent = "";
    box.className = "edit-notice " + (kind || "ok");
    box.appendChild(A.el("span", message));
    (parts || []).forEach(function (p) { box.appendChild(document.createTextNode(" ")); box.appendChild(p); });
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function undoButton(number, id) {
    var b = A.el("button", "↶ " + T.undo, "button undo");
    b.type = "button";
    b.id = "undo-last";
    b.addEventListener("click", function () {
      b.disabled = true;
      send("POST", "/api/history/" + number + "/undo").then(function (r) {
        if (r.status === 200) {
          location.href = "/history/" + encodeURIComponent(id) + "?" + langQuery() + "&undone=" + r.body.commit;
        } else {
          b.disabled = false;
          refused(r, id);
        }
      });
    });
    return b;
  }

  function refused(r, id) {
    var detail = (r.body && r.body.detail) || String(r.status);
    if (r.status === 412) {
      var reload = A.el("button", T.reload, "button");
      reload.type = "button";
      reload.id = "reload";
      reload.addEventListener("click", function () { location.reload(); });
      showGeneral(T.conflict, [], reload);
    } else if (r.status === 422) {
      showProblems(r.body || {}, id);
    } else if (r.status === 401) {
      var login = link("/login", "/login?next=" + encodeURIComponent(location.pathname + location.search));
      login.target = "_blank";
      showGeneral(T.login_again, [], login);
    } else if (r.status === 403) {
      showGeneral(T.forbidden_js, [detail]);
    } else {
      showGeneral(T.failed, [detail]);
    }
  }

  // ------------------------------------------------------------------ save and delete

  function currentId() {
    return state.mode === "new" ? document.getElementById("f-id").value.trim() : cfg.id;
  }

  function save(event) {
    event.preventDefault();
    if (state.busy) return;
    clearErrors();
    var id = currentId();
    if (state.mode === "new" && !ID_PATTERN.test(id)) { fieldError("id", T.id_bad); return; }
    var geom = geometryToSend();
    if (!geom) { fieldError("geometry", T.no_geometry); return; }
    var props = collectProps(id);
    if (!props.citations || !props.citations.length) { fieldError("citations", T.need_citation); return; }
    var button = document.getElementById("save");
    state.busy = true;
    button.disabled = true;
    button.textContent = T.saving;
    var check = state.mode === "new"
      ? send("GET", "/edit/check-id?id=" + encodeURIComponent(id)).then(function (r) { return r.status === 200 && !r.body.taken; })
      : Promise.resolve(true);
    check.then(function (free) {
      if (!free) { fieldError("id", T.id_taken); return null; }
      var message = document.getElementById("commit-message").value.trim() ||
        (state.mode === "new" ? "add " + id : "");
      var url = "/api/features/" + encodeURIComponent(cfg.layer) + "/" + encodeURIComponent(id) +
        "?crs=" + geom.crs + (message ? "&message=" + encodeURIComponent(message) : "");
      var headers = state.etag ? { "If-Match": state.etag } : {};
      return send("PUT", url, { type: "Feature", id: id, geometry: geom.geometry, properties: props }, headers)
        .then(function (r) {
          if (r.status === 200 || r.status === 201) return saved(r, id);
          refused(r, id);
        });
    }).catch(function (err) {
      showGeneral(T.failed, [String(err && err.message || err)]);
    }).then(function () {
      state.busy = false;
      button.disabled = false;
      button.textContent = button.dataset.label;
    });
  }

  /* After a write: reload the stored feature (its ETag for the next save), show where it is. */
  function saved(r, id) {
    var created = state.mode === "new";
    return send("GET", "/api/features/" + encodeURIComponent(id)).then(function (got) {
      var feature = got.body;
      delete feature.layer;
      state.stored = feature;
      state.etag = got.headers.get("ETag");
      state.shown = mapGeometry();
      state.pasted = null;
      drawGhost(state.shown);
      if (created) {
        state.mode = "edit";
        cfg.id = id;
        var input = document.getElementById("f-id");
        input.readOnly = true;
        document.getElementById("edit-id-shown").textContent = id;
        document.getElementById("delete").hidden = false;
        history.replaceState(null, "", "/edit/" + encodeURIComponent(id) + "?" + langQuery());
      }
      var links = [];
      if (cfg.profileLayers.indexOf(cfg.layer) >= 0) {
        var profile = cfg.layer === "corridor" ? "/corridor" : "/" + cfg.layer + "/" + encodeURIComponent(id);
        links.push(link(T.profile_link, profile + "?" + langQuery(), "saved-profile"));
      }
      links.push(link(T.map_link, "/?sel=" + encodeURIComponent(id) + "&" + langQuery(), "saved-map"));
      links.push(link(T.history_link, "/history/" + encodeURIComponent(id) + "?" + langQuery(), "saved-history"));
      links.push(undoButton(r.body.commit, id));
      notice(fmt(created ? T.created : T.saved, { n: r.body.commit }), links, "ok");
      document.body.dataset.saved = String(r.body.commit);
    });
  }

  function askDelete() {
    document.getElementById("delete").hidden = true;
    var confirm = document.getElementById("delete-confirm");
    confirm.hidden = false;
    confirm.focus();
  }

  function doDelete() {
    clearErrors();
    var id = cfg.id;
    var confirm = document.getElementById("delete-confirm");
    confirm.disabled = true;
    var message = document.getElementById("commit-message").value.trim();
    var url = "/api/features/" + encodeURIComponent(cfg.layer) + "/" + encodeURIComponent(id) +
      (message ? "?message=" + encodeURIComponent(message) : "");
    send("DELETE", url, undefined, state.etag ? { "If-Match": state.etag } : {}).then(function (r) {
      confirm.disabled = false;
      confirm.hidden = true;
      document.getElementById("delete").hidden = false;
      if (r.status !== 200) { refused(r, id); return; }
      form.querySelectorAll("input, select, textarea, button").forEach(function (el) { el.disabled = true; });
      notice(fmt(T.deleted, { n: r.body.commit }), [
        undoButton(r.body.commit, id),
        link(T.history_link, "/history/" + encodeURIComponent(id) + "?" + langQuery(), "saved-history")], "warn");
      document.body.dataset.deleted = String(r.body.commit);
    });
  }

  // ------------------------------------------------------------------ rows of objects

  function renumberRows(field) {
    var name = field.dataset.field;
    field.querySelectorAll(".object-rows > .object-row").forEach(function (row, i) {
      row.dataset.index = i;
      row.querySelector(".row-no").textContent = String(i + 1);
      row.querySelectorAll("[data-error-for]").forEach(function (box) {
        box.dataset.errorFor = name + "." + i + "." + box.dataset.errorFor.split(".").slice(2).join(".");
      });
    });
  }

  /* Each list of objects: "add" appends an empty row, "remove" drops one (the last row of a
   * required list is emptied instead). */
  function wireRows() {
    form.querySelectorAll("[data-type=rows]").forEach(function (field) {
      var rows = field.querySelector(".object-rows");
      var template = field.querySelector(".row-template");
      field.querySelector(".add-row").addEventListener("click", function () {
        var row = template.content.firstElementChild.cloneNode(true);
        rows.appendChild(row);
        renumberRows(field);
        row.querySelector("input").focus();
      });
      rows.addEventListener("click", function (e) {
        var button = e.target.closest(".remove-row");
        if (!button) return;
        var row = button.closest(".object-row");
        var required = field.querySelector(":scope > legend .req");
        if (required && rows.children.length === 1) {
          row.querySelectorAll("input").forEach(function (i) { i.value = ""; i.checked = false; });
        } else {
          row.remove();
        }
        renumberRows(field);
      });
    });
  }

  function suggestId() {
    var name = (document.getElementById("f-name_en") || {}).value || "";
    var slug = name.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/&/g, " and ").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
    document.getElementById("f-id").value = slug;
  }

  // ------------------------------------------------------------------ start

  function start() {
    cfg = A.config();
    T = cfg.text;
    form = document.getElementById("edit-form");
    state = { mode: cfg.mode, stored: cfg.stored, etag: cfg.etag, shown: null, pasted: null, busy: false };
    document.getElementById("save").dataset.label = document.getElementById("save").textContent;
    startMap();
    form.addEventListener("submit", save);
    wireRows();
    document.getElementById("delete").addEventListener("click", askDelete);
    document.getElementById("delete-confirm").addEventListener("click", doDelete);
    var go = document.getElementById("paste-go");
    if (go) {
      go.addEventListener("click", paste);
      document.getElementById("paste-text").addEventListener("keydown", function (e) {
        if (e.key === "Enter") { e.preventDefault(); paste(); }
      });
    }
    var suggest = document.getElementById("suggest-id");
    if (suggest) suggest.addEventListener("click", suggestId);
    window.addEventListener("resize", function () { map.invalidateSize(); });
    document.body.dataset.ready = "true";
    window.atlasEdit = { map: map, marker: function () { return marker; }, editGroup: function () { return editGroup; },
                         state: state, geometry: mapGeometry };
  }

  window.AtlasEdit = { start: start };
})();
