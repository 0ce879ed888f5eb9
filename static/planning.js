/* Jinjiang Innovation Atlas — the planner's coverage page.
 *
 * The server computes everything and puts the whole state in the URL; this script draws the
 * page's layers (catchment, gaps, overlap, facilities, suggested sites) over the towns, and
 * turns map clicks into what-if parameters: "add a site" then click, or "move" a facility
 * then click; "close" removes a facility.  Each change resubmits the form, so the new URL
 * reproduces the view.  Data text goes in with textContent only.
 */
(function () {
  "use strict";

  var COLOURS = { catchment: "#2f9e44", gap: "#e03131", overlap: "#1864ab",
                  baseline_catchment: "#495057", site: "#f08c00" };

  var el = window.AtlasDom.el;

  function start() {
    var cfg = JSON.parse(document.getElementById("planning-config").textContent);
    var map = window[cfg.map];
    var form = document.getElementById("coverage-form");
    var mode = null;  // null, "add" or "move:<id>"

    /* Inputs left empty would send "kind=" or "p=", which the server refuses: leave them out. */
    form.addEventListener("submit", function () {
      form.querySelectorAll("input, select").forEach(function (input) {
        if (!input.value && input.name) input.disabled = true;
      });
    });

    function submitWith(name, value) {
      var input = el("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.appendChild(input);
      form.requestSubmit();
    }

    function setMode(next, text) {
      mode = next;
      document.getElementById("map-mode").textContent = text || "";
      map.getContainer().classList.toggle("picking", Boolean(next));
    }

    fetch("/api/layers/towns?lang=" + encodeURIComponent(cfg.lang)).then(function (r) {
      return r.ok ? r.json() : { features: [] };
    }).then(function (towns) {
      L.geoJSON(towns, { style: cfg.areaStyles.towns, interactive: false }).addTo(map).bringToBack();
    });

    var bounds = L.latLngBounds([]);
    cfg.layers.features.forEach(function (f) {
      var p = f.properties;
      if (p.role === "facility") return;
      var dashed = p.role === "baseline_catchment";
      var layer = L.geoJSON(f, { interactive: false, style: {
        color: COLOURS[p.role], weight: dashed ? 2 : 1, dashArray: dashed ? "6 5" : null,
        fill: !dashed, fillColor: COLOURS[p.role],
        fillOpacity: p.role === "gap" ? 0.18 : p.role === "overlap" ? 0.25 : 0.2 } }).addTo(map);
      if (p.role === "catchment" || p.role === "gap") bounds.extend(layer.getBounds());
    });
    cfg.layers.features.forEach(function (f) {
      var p = f.properties;
      if (p.role !== "facility") return;
      var layer = L.geoJSON(f, {
        pointToLayer: function (feature, ll) {
          return L.circleMarker(ll, { radius: p.state === "existing" ? 5 : 8, weight: 2,
            color: p.state === "existing" ? "#212529" : COLOURS.site, fillColor: "#fff", fillOpacity: 1 });
        },
        style: { color: "#212529", weight: 1, fillOpacity: 0.05 },
      }).addTo(map);
      layer.bindTooltip(function () {
        return el("span", (cfg.lang === "en" ? p.name_en : p.name_zh) + (p.state !== "existing" ? " (" + p.state + ")" : ""));
      });
    });
    cfg.suggested.forEach(function (s) {
      L.circleMarker([s.lat, s.lon], { radius: 9, color: COLOURS.site, weight: 3, fillColor: COLOURS.site,
                                        fillOpacity: 0.6 }).bindTooltip(function () {
        return el("span", "#" + s.rank + " +" + s.gain);
      }).addTo(map);
    });
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });

    document.getElementById("add-site").addEventListener("click", function () {
      setMode("add", cfg.text.adding);
    });
    map.on("click", function (ev) {
      if (!mode) return;
      var where = ev.latlng.lng.toFixed(6) + "," + ev.latlng.lat.toFixed(6);
      if (mode === "add") submitWith("add", where);
      else submitWith("move", mode.slice(5) + ":" + where);
      setMode(null);
    });

    /* Close and move buttons on the facilities table. */
    document.querySelectorAll("#facilities tbody tr").forEach(function (row) {
      var id = row.dataset.id;
      var state = row.querySelector("td[data-key=state]");
      if (!id || !state || cfg.closable.indexOf(id) < 0) return;
      var close = el("button", cfg.text.close, "mini");
      close.type = "button";
      close.addEventListener("click", function () { submitWith("close", id); });
      var move = el("button", cfg.text.move, "mini");
      move.type = "button";
      move.addEventListener("click", function () { setMode("move:" + id, cfg.text.moving); });
      state.appendChild(close);
      state.appendChild(move);
    });

    /* Remove one what-if change, or all of them. */
    document.querySelectorAll("#whatif-list .remove").forEach(function (button) {
      button.addEventListener("click", function () {
        button.parentNode.remove();
        form.requestSubmit();
      });
    });
    var reset = document.getElementById("reset-whatif");
    if (reset) reset.addEventListener("click", function () {
      document.getElementById("whatif-list").replaceChildren();
      form.requestSubmit();
    });

    /* Take the suggested sites as what-if additions (and stop solving again). */
    var adopt = document.getElementById("adopt");
    if (adopt) adopt.addEventListener("click", function () {
      document.getElementById("p").value = "";
      cfg.suggested.forEach(function (s) {
        var input = el("input");
        input.type = "hidden";
        input.name = "add";
        input.value = s.lon.toFixed(6) + "," + s.lat.toFixed(6);
        form.appendChild(input);
      });
      form.requestSubmit();
    });

    document.body.dataset.ready = "true";
  }

  start();
})();
