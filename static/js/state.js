/* Jinjiang Innovation Atlas — the atlas page's view as a URL.
 *
 * Filters (repeatable), the search text, the selected entity, hidden layers and the map's
 * centre and zoom live in the query string, so every view is a link that reopens it.  The
 * last view is also kept for the tab's session, so "back to the map" from a profile returns
 * to it.
 */
(function () {
  "use strict";

  var FACETS = ["layer", "kind", "level", "industry", "stage", "zone", "town", "status"];
  var LAST_VIEW = "atlas:last-view";

  function read() {
    var params = new URLSearchParams(location.search);
    var state = { filters: {}, q: params.get("q") || "", sel: params.get("sel") || "",
                  off: (params.get("off") || "").split(",").filter(Boolean),
                  c: params.get("c"), z: params.get("z") };
    FACETS.forEach(function (f) {
      var seen = {};
      state.filters[f] = params.getAll(f).filter(function (v) { return v && !seen[v] && (seen[v] = true); });
    });
    return state;
  }

  /* The filters and search text as query parameters (what /api/entities and exports take). */
  function filterQuery(state) {
    var params = new URLSearchParams();
    FACETS.forEach(function (f) { state.filters[f].forEach(function (v) { params.append(f, v); }); });
    if (state.q) params.set("q", state.q);
    return params;
  }

  function activeCount(state) {
    return FACETS.reduce(function (n, f) { return n + state.filters[f].length; }, 0);
  }

  function write(state, lang) {
    var params = filterQuery(state);
    if (lang !== "zh") params.set("lang", lang);
    if (state.sel) params.set("sel", state.sel);
    if (state.off.length) params.set("off", state.off.join(","));
    if (state.c) params.set("c", state.c);
    if (state.z) params.set("z", state.z);
    var url = location.pathname + (params.toString() ? "?" + params : "");
    history.replaceState(null, "", url);
    try { sessionStorage.setItem(LAST_VIEW, url); } catch (e) { /* private mode: no memory */ }
    var other = new URLSearchParams(params);
    other.set("lang", lang === "en" ? "zh" : "en");
    document.getElementById("lang-switch").href = "?" + other;
  }

  /* The last atlas view of this tab, in ``lang`` (null if none). */
  function lastView(lang) {
    var url;
    try { url = sessionStorage.getItem(LAST_VIEW); } catch (e) { return null; }
    if (!url) return null;
    var parts = url.split("?"), params = new URLSearchParams(parts[1] || "");
    if (lang === "zh") params.delete("lang"); else params.set("lang", lang);
    return parts[0] + (params.toString() ? "?" + params : "");
  }

  window.AtlasState = { FACETS: FACETS, read: read, write: write, filterQuery: filterQuery,
                        activeCount: activeCount, lastView: lastView };
})();
