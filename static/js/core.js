/* Jinjiang Innovation Atlas — what every map page shares: safe DOM building, fetching,
 * how entities are drawn (styles from atlas/maps/style.py via the page config), their
 * popups and tooltips, and the basemap's failure notice.  Every text from the data goes in with textContent.
 */
(function () {
  "use strict";

  var LEVEL_RADIUS = { national: 9, provincial: 8, quanzhou: 7, jinjiang: 6 };
  var PENDING = { planned: true, under_construction: true };
  var APPROX = { approximate: true, placeholder: true };  // positions shown with "≈"
  var PLACEHOLDER_COLOUR = "#868e96";

  function config() {
    return JSON.parse(document.getElementById("atlas-config").textContent);
  }

  var el = window.AtlasDom.el;

  /* Fetch JSON; a 4xx/5xx rejects with the server's problem detail as the message. */
  function fetchJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (r.ok) return r.json();
      return r.json().catch(function () { return {}; }).then(function (problem) {
        throw new Error(problem.detail || url + " answered " + r.status);
      });
    });
  }

  var touch = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  /* One canvas renderer per map; on touch screens a tap a few pixels off a dot still hits it. */
  function renderer() {
    return L.canvas({ tolerance: touch ? 10 : 3 });
  }

  /* Area style of a layer; planned or under-construction areas are dashed and nearly hollow. */
  function areaStyle(styles, layer, props) {
    var style = Object.assign({}, styles[layer] || styles.parks);
    if (PENDING[props.status]) {
      style.dashArray = "6 5";
      style.fillOpacity = Math.min(style.fillOpacity || 0, 0.06);
    }
    return style;
  }

  /* Point style: colour by group of kinds, size by level; hollow when pending; dotted ring
   * when approximate; grey dashed and hollow when only a placeholder (position not known). */
  function pointStyle(props, cfg) {
    var color = cfg.kindColours[props.kind] || "#495057";
    var pending = PENDING[props.status];
    if (props.precision === "placeholder") {
      return { radius: 7, color: PLACEHOLDER_COLOUR, weight: 2, dashArray: "2 3",
               fillColor: color, fillOpacity: 0.25 };
    }
    return {
      radius: LEVEL_RADIUS[props.level] || 6,
      color: color, weight: APPROX[props.precision] ? 2 : 3,
      dashArray: pending || APPROX[props.precision] ? "3 3" : null,
      fillColor: color, fillOpacity: pending ? 0 : 0.75,
    };
  }

  function displayName(props) {
    return props.display_name || props.name_zh || props.id;
  }

  function precisionNote(props, cfg) {
    if (props.precision === "placeholder") return "⚠ " + cfg.text.placeholder;
    if (props.precision === "approximate") return "≈ " + cfg.text.approximate;
    return "";
  }

  /* A popup's content as a DOM node: name, kind, status, precision, profile link. */
  function popupNode(props, cfg) {
    var box = el("div", null, "atlas-popup");
    box.appendChild(el("strong", displayName(props), "popup-name"));
    if (props.name_fallback) box.appendChild(el("em", " " + cfg.text.missingEn, "fallback"));
    if (cfg.lang !== "en" && props.name_en) box.appendChild(el("div", props.name_en, "popup-en"));
    var meta = [props.display_kind, props.display_status, props.display_level].filter(Boolean).join(" · ");
    if (meta) box.appendChild(el("div", meta, "popup-meta"));
    var note = precisionNote(props, cfg);
    if (note) box.appendChild(el("div", note, "popup-approx precision-" + props.precision));
    if (props.url) {
      var link = el("a", cfg.text.profile + " →", "popup-link");
      link.href = props.url + "?lang=" + encodeURIComponent(cfg.lang);
      box.appendChild(link);
    }
    return box;
  }

  function bindLabels(layer, props, cfg) {
    var approx = APPROX[props.precision] ? "≈ " : "";  // approximate says so everywhere
    // A hover name on desktops; on touch screens a tap opens the card, and a tooltip would cover it.
    if (!touch) layer.bindTooltip(function () { return el("span", approx + displayName(props)); }, { sticky: true });
    layer.bindPopup(function () { return popupNode(props, cfg); }, { autoPanPadding: [16, 16] });
  }

  /* Tell the reader when basemap tiles fail (offline, blocked, wrong key): the map still works. */
  function watchTiles(map, cfg) {
    var shown = false;
    function notice() {
      if (shown) return;
      shown = true;
      var box = el("div", cfg.text.tilesFailed, "tiles-failed");
      box.setAttribute("role", "status");
      map.getContainer().appendChild(box);
      document.body.dataset.tilesFailed = "true";
    }
    map.eachLayer(function (layer) {
      if (!(layer instanceof L.TileLayer)) return;
      layer.on("tileerror", notice);
      // tiles refused before this script ran (offline: at once) have already failed
      var container = layer.getContainer();
      var failed = container && Array.prototype.some.call(container.querySelectorAll("img.leaflet-tile"),
        function (img) { return img.complete && img.naturalWidth === 0; });
      if (failed) notice();
    });
  }

  window.Atlas = {
    APPROX: APPROX, config: config, el: el, fetchJSON: fetchJSON, renderer: renderer,
    areaStyle: areaStyle, pointStyle: pointStyle, displayName: displayName,
    popupNode: popupNode, bindLabels: bindLabels, watchTiles: watchTiles,
  };
})();
