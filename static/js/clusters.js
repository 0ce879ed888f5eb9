/* Jinjiang Innovation Atlas — the atlas page's map when a filter matches more points than a
 * browser can draw (over 10 000): the server groups the points of the view by grid cell
 * (/api/clusters, atlas/maps/clustering.py).  Each cluster is a numbered disc that zooms to
 * its points; lone points and areas go back to the page to be drawn like any other.
 * While a view loads, the map's container carries data-loading.
 */
(function () {
  "use strict";

  var el = window.AtlasDom.el;

  function size(count) {
    return count < 10 ? "small" : count < 100 ? "medium" : "large";
  }

  /* A numbered disc (markercluster's look); a tap zooms to the points it holds. */
  function clusterMarker(map, f) {
    var p = f.properties;
    var disc = el("div");
    disc.appendChild(el("span", String(p.count)));
    var marker = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
      icon: L.divIcon({ html: disc, className: "marker-cluster marker-cluster-" + size(p.count),
                        iconSize: L.point(40, 40) }),
      keyboard: false, title: String(p.count),
    });
    marker.count = p.count;
    marker.on("click", function () {
      var b = p.bbox;
      var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
      if (bounds.getNorthEast().equals(bounds.getSouthWest())) map.setView(bounds.getCenter(), map.getZoom() + 2);
      else map.fitBounds(bounds, { padding: [24, 24], animate: false });
    });
    return marker;
  }

  /* Draw clusters into ``layer`` for the view; ``on.draw(features)`` gets the lone points and
   * areas, ``on.error(message)`` a failed load.  ``show(query)`` starts (the filter's query
   * string), ``stop()`` clears and stops. */
  function attach(map, layer, on) {
    var query = null, seq = 0;
    var box = map.getContainer();

    function load() {
      if (query === null) return Promise.resolve();
      var b = map.getBounds();
      var params = new URLSearchParams(query);
      params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (n) { return n.toFixed(6); }).join(","));
      params.set("zoom", String(map.getZoom()));
      var mine = ++seq;
      box.dataset.loading = "true";
      return window.Atlas.fetchJSON("/api/clusters?" + params).then(function (data) {
        if (mine !== seq) return;
        layer.clearLayers();
        var rest = [];
        data.features.forEach(function (f) {
          if (f.properties.cluster) layer.addLayer(clusterMarker(map, f)); else rest.push(f);
        });
        on.draw(rest);
        delete box.dataset.loading;
      }).catch(function (err) {
        if (mine !== seq) return;
        delete box.dataset.loading;
        on.error(err.message);
      });
    }
    map.on("moveend", load);

    return {
      show: function (q) { query = q; return load(); },
      stop: function () { query = null; seq++; layer.clearLayers(); delete box.dataset.loading; },
      active: function () { return query !== null; },
    };
  }

  window.AtlasClusters = { attach: attach };
})();
