/* sensorcoach dashboard, the pages: local times, phone tables, uploads, a session's
   rename and delete, charts (uPlot), the daily goal. Uses window.SC (app.js). */
(function () {
  "use strict";
  var SC = window.SC, el = SC.el, api = SC.api;
  SC.charts = {};  /* uPlot instances by box id (for tests and the console) */

  /* times in the browser's own time zone; days as a weekday and date */
  function localTimes(root) {
    root.querySelectorAll("time.local").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d)) { t.textContent = d.toLocaleString([], { dateStyle: "medium", timeStyle: "short" }); t.title = d.toString(); }
    });
    root.querySelectorAll("time.day").forEach(function (t) {
      var p = (t.getAttribute("datetime") || "").split("-").map(Number);
      if (p.length === 3 && p[0]) t.textContent = new Date(p[0], p[1] - 1, p[2]).toLocaleDateString([], { weekday: "short", day: "numeric", month: "short" });
    });
  }
  /* each cell knows its column's name: on a phone a row becomes a block of labelled cells */
  function labelCells(root) {
    root.querySelectorAll("table.data").forEach(function (tb) {
      var heads = Array.prototype.map.call(tb.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      tb.querySelectorAll("tbody tr:not(.empty)").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) { if (heads[i]) td.dataset.label = heads[i]; });
      });
    });
  }
  function tidy(root) { localTimes(root); labelCells(root); }

  /* ------------------------------------------------------------ sessions list */
  function refreshSessions() {
    var tb = document.querySelector("#sessions tbody");
    if (!tb) return;
    fetch(SC.withToken("/sessions"), { headers: { accept: "text/html" } }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.querySelector("#sessions tbody");
      if (fresh) { tb.replaceWith(fresh); tidy(document.getElementById("sessions")); }
    }).catch(function () { /* the table stays as it was */ });
  }
  function setupUpload() {
    var form = document.getElementById("upload-form");
    if (!form) return;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var input = document.getElementById("upload-file");
      var status = document.getElementById("upload-status");
      if (!input.files.length) { status.textContent = "choose a file first"; return; }
      var fd = new FormData();
      fd.append("file", input.files[0]);
      status.textContent = "analysing\u2026";
      api("/api/recordings", { method: "POST", body: fd }).then(function (r) {
        status.textContent = "added " + r.name;
        refreshSessions();
      }).catch(function (err) { status.textContent = err.message; });
    });
  }

  /* ------------------------------------------------------------ a session: rename, delete */
  function setupSessionActions() {
    var h1 = document.getElementById("session-name");
    if (!h1) return;
    var id = h1.dataset.session, status = document.getElementById("session-status");
    var form = document.getElementById("rename-form"), input = document.getElementById("rename-input");
    document.getElementById("rename-btn").addEventListener("click", function () { form.hidden = false; input.focus(); input.select(); });
    document.getElementById("rename-cancel").addEventListener("click", function () { form.hidden = true; });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      api("/api/sessions/" + id, { method: "PATCH", headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: input.value }) }).then(function (s) {
        h1.textContent = s.name;
        document.title = s.name + " - sensorcoach";
        form.hidden = true;
        status.textContent = "renamed";
      }).catch(function (err) { status.textContent = err.message; });
    });
    var dlg = document.getElementById("delete-dialog");
    document.getElementById("delete-btn").addEventListener("click", function () {
      if (dlg.showModal) dlg.showModal(); else if (window.confirm("Delete this session?")) dlg.returnValue = "delete";
    });
    dlg.addEventListener("close", function () {
      if (dlg.returnValue !== "delete") return;
      api("/api/sessions/" + id, { method: "DELETE" }).then(function () {
        window.location.href = SC.withToken("/sessions");
      }).catch(function (err) { status.textContent = err.message; });
    });
  }

  /* ------------------------------------------------------------ charts */
  function shade(spans, colour) {
    return function (u) {
      var c = u.ctx;
      c.save();
      c.fillStyle = colour;
      spans.forEach(function (s) {
        var x0 = u.valToPos(s[0], "x", true), x1 = u.valToPos(s[1], "x", true);
        c.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
      });
      c.restore();
    };
  }
  function width(box) { return Math.max(200, box.clientWidth || 800); }
  function onResize(u, box, h) { window.addEventListener("resize", function () { u.setSize({ width: width(box), height: h }); }); }
  function ints(u, vals) { return vals.map(function (v) { return Number.isInteger(v) ? String(v) : ""; }); }
  function sessionChart() {
    var box = document.getElementById("angle-chart");
    if (!box || !window.uPlot) return;
    var marks = JSON.parse(document.getElementById("episodes-data").textContent);
    api("/api/sessions/" + box.dataset.session + "/series?points=" + Math.min(4000, 4 * width(box))).then(function (d) {
      if (!d.t.length) { box.appendChild(el("p", "muted", "No samples yet.")); return; }
      var data = [d.t, d.flexion_deg];
      var series = [{ label: "time", value: function (u, v) { return SC.clock(v); } },
        { label: "forward lean \u00b0", stroke: "#c2410c", width: 1 }];
      if (d.lateral_deg) { data.push(d.lateral_deg); series.push({ label: "side lean \u00b0", stroke: "#0891b2", width: 1 }); }
      var holds = marks.holds.map(function (h) { return [h[0], h[1]]; });
      var u = new uPlot({
        width: width(box), height: 300, series: series,
        scales: { x: { time: false } },
        axes: [{ values: function (u, vals) { return vals.map(SC.clock); } }, { label: "degrees" }],
        hooks: { drawClear: [shade(marks.slumps, "rgba(194,65,12,0.15)"), shade(holds, "rgba(29,78,216,0.15)")] },
      }, data, box);
      onResize(u, box, 300);
      SC.charts["angle-chart"] = u;
    }).catch(function (e) { box.appendChild(el("p", "muted", "Chart unavailable: " + e.message)); });
  }
  function bars() { return uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined; }
  function dayLabel(rows) {
    return function (u, vals) { return vals.map(function (i) { var r = rows[i]; return Number.isInteger(i) && r ? r.date.slice(5) : ""; }); };
  }
  function trendCharts() {
    var node = document.getElementById("trend-data");
    if (!node || !window.uPlot) return;
    var all = JSON.parse(node.textContent);
    ["7", "30"].forEach(function (days) {
      var box = document.getElementById("trend-" + days);
      if (!box || !all[days]) return;
      var rows = all[days];
      var x = rows.map(function (r, i) { return i; });
      var u = new uPlot({
        width: width(box), height: 260,
        scales: { x: { time: false, range: [-0.5, rows.length - 0.5] }, pct: { range: [0, 100] },
          n: { range: function (u, lo, hi) { return [0, Math.max(3, Math.ceil(hi || 0))]; } } },
        series: [{ label: "day", value: function (u, i) { return rows[i] ? rows[i].date : ""; } },
          { label: "slumps", scale: "n", stroke: "#c2410c", width: 0, fill: "rgba(194,65,12,0.45)", paths: bars(), points: { show: false } },
          { label: "upright % of time sat", scale: "pct", stroke: "#166534", width: 2, spanGaps: false }],
        axes: [{ values: dayLabel(rows), incrs: [1, 2, 5, 7] },
          { scale: "pct", label: "upright %" },
          { scale: "n", side: 1, label: "slumps", grid: { show: false }, incrs: [1, 2, 5, 10, 20, 50, 100], values: ints }],
      }, [x, rows.map(function (r) { return r.slumps ? r.slumps : null; }), rows.map(function (r) { return r.upright_pct; })], box);
      onResize(u, box, 260);
      SC.charts["trend-" + days] = u;
    });
    var wbox = document.getElementById("trend-weeks");
    if (wbox && all.weeks) {
      var weeks = all.weeks;
      var wu = new uPlot({
        width: width(wbox), height: 200,
        scales: { x: { time: false, range: [-0.5, weeks.length - 0.5] },
          m: { range: function (u, lo, hi) { return [0, Math.max(5, Math.ceil(hi || 0))]; } } },
        series: [{ label: "week", value: function (u, i) { return weeks[i] ? "week of " + weeks[i].from : ""; } },
          { label: "hold time (min)", scale: "m", stroke: "#1d4ed8", width: 0, fill: "rgba(29,78,216,0.5)", paths: bars(), points: { show: false },
            value: function (u, v) { return v === null ? "-" : (Math.round(v * 10) / 10) + " min"; } }],
        axes: [{ values: function (u, vals) { return vals.map(function (i) { var w = weeks[i]; return Number.isInteger(i) && w ? w.from.slice(5) : ""; }); }, incrs: [1, 2, 4] },
          { scale: "m", label: "minutes", incrs: [1, 2, 5, 10, 20, 30, 60], values: ints }],
      }, [weeks.map(function (w, i) { return i; }), weeks.map(function (w) { return w.hold_s ? w.hold_s / 60 : null; })], wbox);
      onResize(wu, wbox, 200);
      SC.charts["trend-weeks"] = wu;
    }
  }

  /* ------------------------------------------------------------ the daily goal */
  function setupGoal() {
    var form = document.getElementById("goal-form");
    if (!form) return;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var status = document.getElementById("goal-status"), goal = {};
      ["upright_pct", "slumps_per_hour", "hold_s"].forEach(function (k) { goal[k] = Number(form.elements[k].value); });
      api("/api/goal", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(goal) })
        .then(function () { status.textContent = "saved"; window.location.reload(); })
        .catch(function (err) { status.textContent = err.message; });
    });
  }

  tidy(document);
  setupUpload();
  setupSessionActions();
  setupGoal();
  document.addEventListener("sc:session", function (e) { if (e.detail.event !== "started") refreshSessions(); });
  if (SC.page === "session") sessionChart();
  if (SC.page === "trends") trendCharts();
})();
