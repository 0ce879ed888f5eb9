/* Jinjiang Innovation Atlas — public corrections (atlas/web/corrections.py).
 *
 * On a profile (templates/corrections/_report.html): the "report a correction" form, sent
 * with fetch (no cookie: it needs no login and no CSRF token), with an optional position
 * marked by clicking the profile's own map (a draggable marker; sent on the basemap's datum,
 * which the server converts to WGS-84).  Starts by itself; the map is looked up only when
 * the reader marks a position, so the script may load before or after profile.js.
 *
 * On the moderation queue (templates/corrections/queue.html): AtlasCorrections.queue() draws
 * the proposed positions and wires the accept/reject buttons (session + X-CSRF-Token).
 *
 * Every text from a reader or the data goes in with textContent, never as HTML.
 */
(function () {
  "use strict";

  var MAX_MESSAGE = 2000;

  var el = window.AtlasDom.el;

  function say(node, message, kind) {
    node.textContent = message;
    node.className = "status" + (kind ? " " + kind : "");
  }

  /* POST JSON; resolves with {status, headers, body} whatever the status (body {} if not JSON). */
  function postJSON(url, data, headers, credentials) {
    return fetch(url, {
      method: "POST", credentials: credentials,
      headers: Object.assign({ "Content-Type": "application/json", Accept: "application/json" }, headers || {}),
      body: JSON.stringify(data),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        return { status: r.status, ok: r.ok, headers: r.headers, body: body };
      });
    });
  }

  /* ------------------------------------------------------------------ the profile's form */
  function report() {
    var box = document.getElementById("correction-report");
    if (!box || box.dataset.started) return;
    box.dataset.started = "true";
    var form = document.getElementById("correction-form");
    var text = JSON.parse(document.getElementById("correction-text").textContent);
    var status = document.getElementById("correction-status");
    var where = document.getElementById("correction-position");
    var count = document.getElementById("correction-count");
    var tools = form.querySelector(".position-tools");
    var markButton = form.querySelector(".correction-mark");
    var clearButton = form.querySelector(".correction-clear");
    var sendButton = form.querySelector(".correction-send");
    var fields = form.elements;
    var marker = null, marking = false, listening = false;

    function map() { return window.atlasProfile && window.atlasProfile.map; }
    if (window.L) tools.hidden = false;  // marking needs Leaflet (and the page's map)

    function showCount() { count.textContent = fields.message.value.length + " / " + MAX_MESSAGE + " " + text.chars; }
    fields.message.addEventListener("input", showCount);
    showCount();

    function stopMarking() {
      marking = false;
      document.body.classList.remove("marking-correction");
    }

    function place(latlng) {
      latlng = latlng.wrap();
      fields.lon.value = latlng.lng.toFixed(7);
      fields.lat.value = latlng.lat.toFixed(7);
      if (!marker) {
        marker = L.marker(latlng, {
          draggable: true, autoPan: true, title: text.markerTitle, alt: text.markerTitle,
          icon: L.divIcon({ className: "correction-marker", html: "", iconSize: [22, 22], iconAnchor: [11, 27] }),
        }).addTo(map());
        marker.on("dragend", function () { place(marker.getLatLng()); });
      } else {
        marker.setLatLng(latlng);
      }
      where.textContent = text.marked + " " + latlng.lat.toFixed(6) + ", " + latlng.lng.toFixed(6);
      clearButton.hidden = false;
      form.dataset.marked = "true";
    }

    function clearMark() {
      stopMarking();
      if (marker) { marker.remove(); marker = null; }
      fields.lon.value = fields.lat.value = "";
      where.textContent = "";
      clearButton.hidden = true;
      delete form.dataset.marked;
    }

    markButton.addEventListener("click", function () {
      var m = map();
      if (!m) return;
      if (!listening) {
        listening = true;
        m.on("click", function (ev) {
          if (!marking) return;
          stopMarking();
          place(ev.latlng);
          m.closePopup();
        });
      }
      marking = true;
      document.body.classList.add("marking-correction");
      where.textContent = text.marking;
      var box = m.getContainer().getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) m.getContainer().scrollIntoView({ block: "nearest" });
    });
    clearButton.addEventListener("click", clearMark);

    function problemText(body, code) {
      if (body.errors && body.errors.length) {
        return body.errors.map(function (e) {
          return text.errors[e.field + "_" + e.code] || text.errors[e.code] || e.message;
        }).join(" ");
      }
      return body.detail || "HTTP " + code;
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!fields.message.value.trim()) {
        say(status, text.errors.message_required, "error");
        fields.message.focus();
        return;
      }
      var data = {};
      ["entity", "lang", "message", "contact", "crs", "website"].forEach(function (name) {
        data[name] = fields[name].value;
      });
      if (fields.lon.value && fields.lat.value) {
        data.lon = Number(fields.lon.value);
        data.lat = Number(fields.lat.value);
      }
      sendButton.disabled = true;
      say(status, text.sending, "");
      // No cookie goes with a report: it needs no login, so it cannot act as anyone.
      postJSON(form.getAttribute("action"), data, {}, "omit").then(function (answer) {
        if (answer.ok) {
          say(status, answer.body.number ? text.thanks.replace("{n}", answer.body.number) : text.received, "ok");
          fields.message.value = fields.contact.value = "";
          showCount();
          clearMark();
          form.dataset.sent = answer.body.number || "received";
        } else if (answer.status === 429) {
          var wait = answer.headers.get("Retry-After") || answer.body.retry_after || 60;
          say(status, text.tooMany.replace("{s}", wait), "error");
        } else {
          say(status, text.failed + problemText(answer.body, answer.status), "error");
        }
      }).catch(function (err) {
        say(status, text.failed + err.message, "error");
      }).then(function () {
        sendButton.disabled = false;
      });
    });
  }

  /* ------------------------------------------------------------------ the editors' queue */
  function queue() {
    var cfg = JSON.parse(document.getElementById("corrections-config").textContent);
    var text = cfg.text;
    var token = window.AtlasDom.csrfToken();
    var status = document.getElementById("queue-status");
    var pendingCount = document.getElementById("pending-count");
    var map = cfg.items.length && window.L ? window[cfg.map] : null;

    function row(number) { return document.getElementById("correction-" + number); }

    if (map) {
      var bounds = L.latLngBounds([]);
      cfg.items.forEach(function (item) {
        var proposed = L.latLng(item.proposed[1], item.proposed[0]);
        bounds.extend(proposed);
        if (item.current) {
          var current = L.latLng(item.current[1], item.current[0]);
          bounds.extend(current);
          L.polyline([current, proposed], { color: "#868e96", weight: 2, dashArray: "4 4", interactive: false }).addTo(map);
          L.circleMarker(current, { radius: 6, color: "#495057", weight: 2, fillColor: "#adb5bd", fillOpacity: 0.8 })
            .bindTooltip(function () { return el("span", "#" + item.number + " " + item.name + " · " + text.current); })
            .addTo(map);
        }
        L.circleMarker(proposed, { radius: 8, color: "#c92a2a", weight: 2, fillColor: "#e03131", fillOpacity: 0.85 })
          .bindTooltip(function () { return el("span", "#" + item.number + " " + item.name + " · " + text.proposed); })
          .on("click", function () {
            var r = row(item.number);
            if (r) r.scrollIntoView({ block: "center" });
          })
          .addTo(map);
      });
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16, animate: false });
    }

    function decide(button) {
      var tr = button.closest("tr");
      var number = tr.dataset.number;
      var action = button.dataset.action;
      var buttons = tr.querySelectorAll("button");
      var body = action === "accept" ? { move: button.dataset.move === "true" } : {};
      buttons.forEach(function (b) { b.disabled = true; });
      postJSON("/api/corrections/" + encodeURIComponent(number) + "/" + action, body,
               { "X-CSRF-Token": token }, "same-origin").then(function (answer) {
        if (!answer.ok) throw new Error(answer.body.detail || "HTTP " + answer.status);
        var c = answer.body;
        var outcome = tr.querySelector(".outcome");
        outcome.textContent = "";
        outcome.appendChild(el("strong", c.status === "accepted" ? text.accepted : text.rejected, "decision-" + c.status));
        if (c.commit) outcome.appendChild(el("span", " · " + text.commit.replace("{n}", c.commit)));
        buttons.forEach(function (b) { b.hidden = true; });
        tr.classList.add("done");
        tr.dataset.status = c.status;
        pendingCount.textContent = String(Math.max(0, Number(pendingCount.textContent) - 1));
        say(status, "#" + c.number + " " + (c.status === "accepted" ? text.accepted : text.rejected) +
            (c.commit ? " · " + text.commit.replace("{n}", c.commit) : ""), "ok");
      }).catch(function (err) {
        buttons.forEach(function (b) { b.disabled = false; });
        say(status, "#" + number + " " + text.failed + err.message, "error");
      });
    }

    document.querySelectorAll("#pending-table button[data-action]").forEach(function (button) {
      button.addEventListener("click", function () { decide(button); });
    });
    window.atlasQueue = { map: map };
    document.body.dataset.ready = "true";
  }

  window.AtlasCorrections = { report: report, queue: queue };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", report);
  else report();
})();
