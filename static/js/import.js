/* Jinjiang Innovation Atlas — the import page (/edit/import): "check" uploads the file for a
 * dry run and shows the report; "import" (enabled only when no row is rejected and something
 * would change) uploads it again with mode=apply.  Any change to the form disables "import"
 * until the file is checked again.  Writes carry the session's CSRF token (meta csrf-token).
 * Every text from the server goes in with textContent.
 */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("import-config").textContent);
  var T = cfg.text;
  var form = document.getElementById("import-form");
  var fileInput = document.getElementById("import-file");
  var checkButton = document.getElementById("import-check");
  var applyButton = document.getElementById("import-apply");
  var status = document.getElementById("import-status");
  var section = document.getElementById("import-report");
  var busy = false;

  var el = window.AtlasDom.el;

  var csrfToken = window.AtlasDom.csrfToken;

  function say(text, kind) {
    status.textContent = text;
    status.className = kind === "error" ? "load-error" : kind === "ok" ? "import-ok" : "";
  }

  function url(mode) {
    var params = new URLSearchParams();
    params.set("layer", form.elements.layer.value);
    params.set("mode", mode);
    if (form.elements.crs.value) params.set("crs", form.elements.crs.value);
    if (form.elements.encoding.value) params.set("encoding", form.elements.encoding.value);
    return "/api/import?" + params.toString();
  }

  /* POST the file; resolves with {status, body} for a report (200, 409) and rejects with the
   * server's problem detail otherwise. */
  function send(mode) {
    var body = new FormData();
    body.append("file", fileInput.files[0]);
    var headers = { Accept: "application/json" };
    var token = csrfToken();
    if (token) headers["X-CSRF-Token"] = token;
    return fetch(url(mode), { method: "POST", body: body, headers: headers, credentials: "same-origin" })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (r.status === 200 || (r.status === 409 && body.rejected)) return { status: r.status, body: body };
          throw new Error(body.detail || ("HTTP " + r.status));
        });
      });
  }

  function idList(dl, title, ids) {
    if (!ids || !ids.length) return;
    dl.appendChild(el("dt", title + " (" + ids.length + ")"));
    dl.appendChild(el("dd", ids.join(", ")));
  }

  function show(report) {
    section.hidden = false;
    document.getElementById("import-n-added").textContent = report.added.length;
    document.getElementById("import-n-changed").textContent = report.changed.length;
    document.getElementById("import-n-unchanged").textContent = report.unchanged.length;
    document.getElementById("import-n-rejected").textContent = report.rejected.length;
    var tbody = document.querySelector("#import-rejected tbody");
    tbody.textContent = "";
    report.rejected.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", r.row === null ? T.noRow : r.row));
      tr.appendChild(el("td", r.id));
      tr.appendChild(el("td", r.reason));
      tbody.appendChild(tr);
    });
    document.getElementById("import-rejected-block").hidden = !report.rejected.length;
    var dl = document.getElementById("import-ids");
    dl.textContent = "";
    idList(dl, T.added, report.added);
    idList(dl, T.changed, report.changed);
    idList(dl, T.unchanged, report.unchanged);
    idList(dl, T.ignored, report.ignored_columns);
  }

  function ready() {
    if (!fileInput.files.length) { say(T.noFile, "error"); return false; }
    if (fileInput.files[0].size > cfg.maxBytes) { say(T.tooLarge, "error"); return false; }
    return true;
  }

  function setBusy(on) {
    busy = on;
    checkButton.disabled = on;
    if (on) applyButton.disabled = true;
  }

  checkButton.addEventListener("click", function () {
    if (busy || !ready()) return;
    setBusy(true);
    say(T.checking);
    send("dry-run").then(function (answer) {
      var report = answer.body;
      show(report);
      var writes = report.added.length + report.changed.length;
      if (report.rejected.length) say(T.fixFirst, "error");
      else if (!writes) say(T.nothing);
      else say(T.ready, "ok");
      setBusy(false);
      applyButton.disabled = report.rejected.length > 0 || writes === 0;
    }).catch(function (err) {
      section.hidden = true;
      say(T.failed + " " + err.message, "error");
      setBusy(false);
    });
  });

  applyButton.addEventListener("click", function () {
    if (busy || applyButton.disabled || !ready()) return;
    setBusy(true);
    say(T.applying);
    send("apply").then(function (answer) {
      var report = answer.body;
      show(report);
      setBusy(false);
      if (report.applied) {
        say(T.done.replace("{n}", report.commit), "ok");
        var link = el("a", T.history);
        link.href = "/history?lang=" + encodeURIComponent(cfg.lang);
        status.appendChild(document.createTextNode(" "));
        status.appendChild(link);
      } else if (report.rejected.length) {
        say(T.fixFirst, "error");
      } else {
        say(T.nothing);
      }
    }).catch(function (err) {
      say(T.failed + " " + err.message, "error");
      setBusy(false);
    });
  });

  /* What was checked is what gets imported: any change means checking again. */
  form.addEventListener("change", function () {
    if (!applyButton.disabled) say(T.recheck);
    applyButton.disabled = true;
  });
})();
