/* Jinjiang Innovation Atlas — map labels that do not overprint.
 *
 * Each candidate has a position, a text, a priority (0 = most important) and the zoom from
 * which it shows.  After every move or zoom the labels in view are placed greedily by
 * priority: a label whose box would overlap one already placed is left out (a point's
 * label tries the right of its dot, then the left).  Labels never take clicks.
 */
(function () {
  "use strict";

  var FONT_PX = 12;
  var PAD = 3;
  var measure = document.createElement("canvas").getContext("2d");

  function textWidth(text, bold) {
    measure.font = (bold ? "600 " : "") + FONT_PX + "px system-ui, sans-serif";
    return Math.ceil(measure.measureText(text).width);
  }

  function overlaps(a, placed) {
    for (var i = 0; i < placed.length; i++) {
      var b = placed[i];
      if (a.x1 > b.x0 && a.x0 < b.x1 && a.y1 > b.y0 && a.y0 < b.y1) return true;
    }
    return false;
  }

  /* Boxes (in container pixels) a label may take: centred for areas, beside the dot for points. */
  function boxes(c, p) {
    var w = c.width + 2 * PAD, h = FONT_PX + 2 * PAD;
    if (!c.offset) return [{ x0: p.x - w / 2, x1: p.x + w / 2, y0: p.y - h / 2, y1: p.y + h / 2, anchor: "centre" }];
    return [{ x0: p.x + c.offset, x1: p.x + c.offset + w, y0: p.y - h / 2, y1: p.y + h / 2, anchor: "right" },
            { x0: p.x - c.offset - w, x1: p.x - c.offset, y0: p.y - h / 2, y1: p.y + h / 2, anchor: "left" }];
  }

  /* Attach a label layer to ``map``; ``setCandidates`` replaces what may be labelled. */
  function attach(map) {
    var layer = L.layerGroup().addTo(map);
    var candidates = [];

    function place() {
      layer.clearLayers();
      var zoom = map.getZoom(), size = map.getSize(), placed = [];
      var inView = candidates.filter(function (c) { return zoom >= c.minZoom; });
      inView.sort(function (a, b) { return a.priority - b.priority || b.width - a.width; });
      inView.forEach(function (c) {
        var p = map.latLngToContainerPoint(c.latlng);
        if (p.x < -50 || p.y < -20 || p.x > size.x + 50 || p.y > size.y + 20) return;
        var options = boxes(c, p);
        for (var i = 0; i < options.length; i++) {
          var box = options[i];
          if (overlaps(box, placed)) continue;
          placed.push(box);
          var node = document.createElement("span");
          node.textContent = c.text;  // data text: never HTML
          node.className = "map-label map-label-" + c.kind + " anchor-" + box.anchor;
          var icon = L.divIcon({ className: "map-label-icon", html: node, iconSize: null });
          L.marker(c.latlng, { icon: icon, interactive: false, keyboard: false, pane: "labels" }).addTo(layer);
          return;
        }
      });
      map.getContainer().dataset.labels = String(layer.getLayers().length);
    }

    if (!map.getPane("labels")) {
      map.createPane("labels");
      map.getPane("labels").style.zIndex = 450;  // above shapes, below markers' popups
      map.getPane("labels").style.pointerEvents = "none";
    }
    map.on("zoomend moveend resize", place);
    return {
      setCandidates: function (list) {
        candidates = list.map(function (c) {
          return Object.assign({ width: textWidth(c.text, c.priority < 2) }, c);
        });
        place();
      },
      layer: layer,
    };
  }

  window.AtlasLabels = { attach: attach };
})();
