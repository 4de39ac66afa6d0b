/* sensorcoach dashboard: live updates (SSE), uploads, charts (uPlot). No build step. */
(function () {
  "use strict";
  var body = document.body;
  var token = body.dataset.token || "";
  var page = body.dataset.page || "";

  function withToken(path) {
    if (!token) return path;
    return path + (path.indexOf("?") >= 0 ? "&" : "?") + "token=" + encodeURIComponent(token);
  }
  function api(path, opts) {
    return fetch(withToken(path), opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error(j.detail || r.statusText);
        return j;
      });
    });
  }
  function clock(s) {
    if (s === null || s === undefined || isNaN(s)) return "-";
    s = Math.max(0, Math.round(s));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m));
    return (h ? h + ":" : "") + mm + ":" + String(x).padStart(2, "0");
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(v, unit) { return (v === null || v === undefined) ? "-" : (Math.round(v * 10) / 10) + (unit || ""); }

  function toast(title, message) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var t = el("div", "toast");
    t.setAttribute("role", "alert");
    t.appendChild(el("strong", "", title));
    t.appendChild(el("span", "", message));
    box.appendChild(t);
    setTimeout(function () { t.remove(); }, 8000);
  }
  var TITLES = { slump: "Posture", sedentary: "Time to move", form_break: "Form break" };

  /* ------------------------------------------------------------ live */
  var live = new Map();
  function card(s) {
    var c = el("div", "card");
    c.dataset.session = s.id;
    c.appendChild(el("div", "muted", s.name + " (" + s.source + ")"));
    c.appendChild(el("div", "state " + s.state, s.state));
    c.appendChild(el("div", "angle", s.flexion_deg === null || s.flexion_deg === undefined ? "-" : fmt(s.flexion_deg, "\u00b0")));
    c.appendChild(el("div", "muted", "lateral " + fmt(s.lateral_deg, "\u00b0") + " \u00b7 time " + clock(s.t_s)));
    if (s.hold_s !== null && s.hold_s !== undefined) {
      c.appendChild(el("div", "timer hold-timer", (s.hold_kind || "hold").replace(/_/g, " ") + " " + fmt(s.hold_s, " s")));
    } else if (s.slump_s !== null && s.slump_s !== undefined) {
      c.appendChild(el("div", "timer slump-timer", "slumped for " + clock(s.slump_s)));
    }
    if (s.guide && s.state === "calibrating") c.appendChild(el("div", "", s.guide.message || ""));
    var counts = s.counts || {};
    c.appendChild(el("div", "muted", "slumps " + (counts.slump || 0) + " \u00b7 holds " + (counts.hold || 0) + " \u00b7 alerts " + (counts.alert || 0) + (s.snoozed ? " \u00b7 snoozed" : "")));
    var row = el("div", "");
    var snooze = el("button", "snooze", s.snoozed ? "Resume alerts" : "Snooze 15 min");
    snooze.addEventListener("click", function () {
      api("/api/live/" + s.id + "/snooze?minutes=" + (s.snoozed ? 0 : 15), { method: "POST" })
        .then(function (snap) { Object.assign(live.get(s.id) || {}, snap); renderLive(); })
        .catch(function (e) { toast("Snooze", e.message); });
    });
    var cal = el("button", "calibrate", "Calibrate");
    cal.disabled = !s.can_calibrate;
    cal.title = s.can_calibrate ? "restart the guided calibration" : "this live runner cannot recalibrate a running session";
    cal.addEventListener("click", function () {
      api("/api/live/" + s.id + "/calibrate", { method: "POST" }).catch(function (e) { toast("Calibrate", e.message); });
    });
    row.appendChild(snooze);
    row.appendChild(cal);
    c.appendChild(row);
    return c;
  }
  function renderLive() {
    var box = document.getElementById("live-sessions");
    if (!box) return;
    box.textContent = "";
    if (!live.size) { box.appendChild(el("p", "muted", "No live session.")); return; }
    live.forEach(function (s) { box.appendChild(card(s)); });
  }
  function logLine(text) {
    var ul = document.getElementById("live-log");
    if (!ul) return;
    var li = el("li", "", text);
    ul.insertBefore(li, ul.firstChild);
    while (ul.children.length > 200) ul.removeChild(ul.lastChild);
  }
  function on(es, name, fn) {
    es.addEventListener(name, function (e) {
      var d;
      try { d = JSON.parse(e.data); } catch (err) { return; }
      fn(d);
    });
  }
  function startLive() {
    if (!window.EventSource) return;
    var dot = document.getElementById("live-dot");
    var es = new EventSource(withToken("/api/live"));
    es.onopen = function () { if (dot) dot.className = "dot on"; };
    es.onerror = function () { if (dot) dot.className = "dot"; };
    on(es, "state", function (d) {
      if (d.sessions) {
        live = new Map(d.sessions.map(function (s) { return [s.id, s]; }));
        renderLive();
      }
      if (d.session_id !== undefined && d.state) logLine(clock(d.t_s) + " " + d.session_name + ": " + d.state);
    });
    on(es, "sample", function (d) {
      var s = live.get(d.session_id);
      if (!s) return;
      Object.assign(s, d);
      renderLive();
    });
    on(es, "alert", function (d) {
      logLine(clock(d.t_s) + " ALERT " + d.kind + ": " + d.message);
      if (d.delivered !== false) toast(TITLES[d.kind] || "sensorcoach", d.message);
    });
    on(es, "hold", function (d) { logLine(clock(d.t_s) + " hold " + d.kind + " " + fmt(d.duration_s, " s")); });
    on(es, "slump", function (d) { logLine(clock(d.t_s) + " slump " + fmt(d.duration_s, " s") + ", peak " + fmt(d.peak_flexion_deg, "\u00b0")); });
    on(es, "guide", function (d) {
      var s = live.get(d.session_id);
      if (s) { s.guide = d; renderLive(); }
    });
    on(es, "calibrated", function (d) { logLine(clock(d.t_s) + " calibrated (" + d.method + ")"); });
    on(es, "session", function (d) {
      logLine("session " + d.name + ": " + d.event);
      if (d.event !== "started") live.delete(d.session_id);
      renderLive();
      if (page === "index" && d.event !== "started") refreshSessions();
    });
  }

  /* ------------------------------------------------------------ sessions list */
  function refreshSessions() {
    var tb = document.querySelector("#sessions tbody");
    if (!tb) return;
    api("/api/sessions").then(function (rows) {
      tb.textContent = "";
      rows.forEach(function (s) {
        var sm = s.summary || {};
        var tr = el("tr");
        tr.dataset.id = s.id;
        tr.appendChild(el("td", "", String(sm.started_at || s.created_at || "").slice(0, 10)));
        var td = el("td"), a = el("a", "", s.name);
        a.href = withToken("/sessions/" + s.id);
        td.appendChild(a);
        tr.appendChild(td);
        tr.appendChild(el("td", "", s.kind || "-"));
        tr.appendChild(el("td", "", clock(sm.duration_s !== undefined ? sm.duration_s : s.last_t_s)));
        tr.appendChild(el("td", "", sm.upright_pct === undefined ? "-" : Math.round(sm.upright_pct) + " %"));
        tr.appendChild(el("td", "", sm.slumps === undefined ? "-" : sm.slumps));
        tr.appendChild(el("td", "", sm.holds === undefined ? "-" : sm.holds));
        var st = el("td"); st.appendChild(el("span", "badge " + s.status, s.status)); tr.appendChild(st);
        tb.appendChild(tr);
      });
    }).catch(function () { /* the table stays as rendered */ });
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
  function width(box) { return Math.max(300, box.clientWidth || 800); }
  function sessionChart() {
    var box = document.getElementById("angle-chart");
    if (!box || !window.uPlot) return;
    var marks = JSON.parse(document.getElementById("episodes-data").textContent);
    api("/api/sessions/" + box.dataset.session + "/series?points=" + Math.min(4000, 4 * width(box))).then(function (d) {
      if (!d.t.length) { box.appendChild(el("p", "muted", "No samples yet.")); return; }
      var data = [d.t, d.flexion_deg];
      var series = [{ label: "time", value: function (u, v) { return clock(v); } },
        { label: "flexion \u00b0", stroke: "#c2410c", width: 1 }];
      if (d.lateral_deg) { data.push(d.lateral_deg); series.push({ label: "lateral \u00b0", stroke: "#0891b2", width: 1 }); }
      var holds = marks.holds.map(function (h) { return [h[0], h[1]]; });
      var u = new uPlot({
        width: width(box), height: 300, series: series,
        scales: { x: { time: false } },
        axes: [{ values: function (u, vals) { return vals.map(clock); } }, { label: "degrees" }],
        hooks: { drawClear: [shade(marks.slumps, "rgba(194,65,12,0.15)"), shade(holds, "rgba(29,78,216,0.15)")] },
      }, data, box);
      window.addEventListener("resize", function () { u.setSize({ width: width(box), height: 300 }); });
    }).catch(function (e) { box.appendChild(el("p", "muted", "Chart unavailable: " + e.message)); });
  }
  function trendCharts() {
    var node = document.getElementById("trend-data");
    if (!node || !window.uPlot) return;
    var all = JSON.parse(node.textContent);
    Object.keys(all).forEach(function (days) {
      var box = document.getElementById("trend-" + days);
      if (!box) return;
      var rows = all[days];
      var x = rows.map(function (r, i) { return i; });
      var bars = uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined;
      new uPlot({
        width: width(box), height: 260,
        scales: { x: { time: false }, pct: { range: [0, 100] }, n: { range: function (u, lo, hi) { return [0, Math.max(3, hi)]; } } },
        series: [{ label: "day", value: function (u, i) { return rows[i] ? rows[i].date : ""; } },
          { label: "slumps", scale: "n", stroke: "#c2410c", fill: "rgba(194,65,12,0.3)", paths: bars, points: { show: false } },
          { label: "upright %", scale: "pct", stroke: "#15803d", width: 2, spanGaps: false }],
        axes: [{ values: function (u, vals) { return vals.map(function (i) { return rows[i] ? rows[i].date.slice(5) : ""; }); } },
          { scale: "pct", label: "upright %" }, { scale: "n", side: 1, label: "slumps", grid: { show: false } }],
      }, [x, rows.map(function (r) { return r.slumps; }), rows.map(function (r) { return r.upright_pct; })], box);
    });
  }

  startLive();
  setupUpload();
  if (page === "session") sessionChart();
  if (page === "trends") trendCharts();
})();
