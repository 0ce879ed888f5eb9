/* Jinjiang Innovation Atlas — the history pages: "undo" a commit (a new commit that reverts it),
 * then show the page again with the new commit on top.  Refusals (changed since, login ended)
 * are shown above the list, as text.
 */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("atlas-config").textContent);
  var T = cfg.text;

  function csrf() {
    return window.AtlasDom.csrfToken() || cfg.csrf || "";
  }

  function show(title, detail) {
    var box = document.getElementById("edit-errors");
    box.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = title;
    box.appendChild(strong);
    if (detail) box.appendChild(document.createTextNode(" " + detail));
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function undo(button) {
    var number = button.dataset.undo;
    button.disabled = true;
    fetch("/api/history/" + encodeURIComponent(number) + "/undo", {
      method: "POST", credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": csrf() },
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.ok) {
          location.href = location.pathname + "?lang=" + encodeURIComponent(cfg.lang) + "&undone=" + body.commit;
          return;
        }
        button.disabled = false;
        show(r.status === 401 ? T.login_again : r.status === 403 ? T.forbidden_js : T.failed,
             body.detail || String(r.status));
      });
    }).catch(function (err) {
      button.disabled = false;
      show(T.failed, String(err && err.message || err));
    });
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button[data-undo]");
    if (button) undo(button);
  });
  document.body.dataset.ready = "true";
})();
