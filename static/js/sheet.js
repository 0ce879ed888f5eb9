/* Jinjiang Innovation Atlas — the panel: a side panel on desktops, a bottom sheet on phones.
 *
 * On a phone the map fills the screen under the search box; results and filters live in a
 * sheet that is "peek" (a bar with the tabs), "half" or "full".  The page itself never
 * scrolls: only the sheet's body does, so the map and its popup never leave the screen.
 */
(function () {
  "use strict";

  var PHONE = window.matchMedia("(max-width: 768px)");

  function attach(map) {
    var body = document.body;
    var grip = document.getElementById("sheet-grip");
    var tabs = { results: document.getElementById("tab-results"), filters: document.getElementById("tab-filters") };
    var panes = { results: document.getElementById("pane-results"), filters: document.getElementById("pane-filters") };

    function resized() { setTimeout(function () { map.invalidateSize(); }, 220); }

    function setState(state) {
      body.dataset.sheet = state;
      grip.setAttribute("aria-expanded", String(state !== "peek"));
      resized();
    }

    function showTab(name) {
      Object.keys(tabs).forEach(function (key) {
        tabs[key].setAttribute("aria-selected", String(key === name));
        panes[key].classList.toggle("active", key === name);
      });
      body.dataset.tab = name;
    }

    grip.addEventListener("click", function () {
      setState(body.dataset.sheet === "peek" ? "half" : body.dataset.sheet === "half" ? "full" : "peek");
    });
    Object.keys(tabs).forEach(function (key) {
      tabs[key].addEventListener("click", function () {
        var same = body.dataset.tab === key;
        showTab(key);
        if (!PHONE.matches) return;
        setState(same && body.dataset.sheet !== "peek" ? "peek" : body.dataset.sheet === "full" ? "full" : "half");
      });
    });
    showTab("results");
    setState("peek");
    if (PHONE.matches) document.getElementById("counts").removeAttribute("open");

    return {
      isPhone: function () { return PHONE.matches; },
      /* Show a tab's content (opening the sheet halfway on a phone). */
      open: function (tab) { showTab(tab); if (PHONE.matches && body.dataset.sheet === "peek") setState("half"); },
      /* Fold the sheet on a phone so the map (and a popup on it) is in full view. */
      fold: function () { if (PHONE.matches && body.dataset.sheet !== "peek") setState("peek"); },
      /* Scroll the sheet's own body (never the page) so ``node`` is in view. */
      reveal: function (node) {
        var box = document.getElementById("sheet-body");
        var top = node.offsetTop, bottom = top + node.offsetHeight;  // the body is the offsetParent
        if (top < box.scrollTop) box.scrollTop = top;
        else if (bottom > box.scrollTop + box.clientHeight) box.scrollTop = bottom - box.clientHeight;
      },
    };
  }

  window.AtlasSheet = { attach: attach };
})();
