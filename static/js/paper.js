/* Jinjiang Innovation Atlas — what the printable map pages share (the /print handout,
 * static/js/print.js, and the /route itinerary, static/js/route.js): map panes drawn as SVG so
 * paper gets vectors, waiting for basemap tiles before saying the page is ready, and laying the
 * map out again at the printed size (body[data-layout] says which size is current).
 */
(function () {
  "use strict";

  var TILE_WAIT_MS = 8000;  // print without a basemap rather than never

  function markLayout() {
    var printing = document.documentElement.classList.contains("printing") ||
      (window.matchMedia && window.matchMedia("print").matches);
    document.body.dataset.layout = printing ? "print" : "screen";
  }

  /* A map pane at ``z`` and an SVG renderer drawing into it. */
  function svgPane(map, name, z) {
    map.createPane(name).style.zIndex = z;
    return L.svg({ pane: name, padding: 0.1 });
  }

  /* Resolves when the basemap tiles have loaded, or after TILE_WAIT_MS. */
  function tilesLoaded(map) {
    var waits = [];
    map.eachLayer(function (layer) {
      if (layer instanceof L.GridLayer && layer.isLoading && layer.isLoading()) {
        waits.push(new Promise(function (done) { layer.once("load", done); }));
      }
    });
    var timeout = new Promise(function (done) { setTimeout(done, TILE_WAIT_MS); });
    return Promise.race([Promise.all(waits), timeout]);
  }

  /* Run ``layout`` now and whenever the page goes to or comes back from paper.  Chromium applies
   * print styles only after "beforeprint": take the printed size then. */
  function followPrinting(layout) {
    layout();
    window.addEventListener("beforeprint", function () {
      document.documentElement.classList.add("printing");
      layout();
    });
    window.addEventListener("afterprint", function () {
      document.documentElement.classList.remove("printing");
      layout();
    });
    if (window.matchMedia) window.matchMedia("print").addEventListener("change", layout);
  }

  window.AtlasPaper = { markLayout: markLayout, svgPane: svgPane, tilesLoaded: tilesLoaded,
                        followPrinting: followPrinting };
})();
