/* sensorcoach dashboard, shared part: helpers, toasts, the live stream (SSE) with its
   connection state, the live cards and the events log. No build step. */
(function () {
  "use strict";
  var body = document.body;
  var token = body.dataset.token || "";
  var NAMES = JSON.parse((document.getElementById("names-data") || {}).textContent || "{}");
  /* the stream is stale when nothing (not even a ping, every 2 s) came for this long */
  var STALE_MS = 4000;

  function withToken(path) {
    if (!token) return path;
    return path + (path.indexOf("?") >= 0 ? "&" : "?") + "token=" + encodeURIComponent(token);
  }
  function api(path, opts) {
    return fetch(withToken(path), opts).then(function (r) {
      if (r.status === 204) return {};
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
    return (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(x).padStart(2, "0");
  }
  function duration(s) {
    if (s === null || s === undefined || isNaN(s)) return "-";
    s = Math.max(0, Math.round(s));
    if (s < 60) return s + " s";
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
    return h ? h + " h " + String(m).padStart(2, "0") + " min" : m + " min " + String(x).padStart(2, "0") + " s";
  }
  function human(table, key) {
    if (key === null || key === undefined) return "-";
    var t = NAMES[table] || {};
    return t[key] || String(key).replace(/_/g, " ");
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(v, unit) { return (v === null || v === undefined) ? "-" : (Math.round(v * 10) / 10).toFixed(1) + (unit || ""); }
  function deg(v) { return (v === null || v === undefined) ? "-" : Math.round(v) + "\u00b0"; }
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  function setClass(node, cls) { if (node.className !== cls) node.className = cls; }

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

  /* ------------------------------------------------------------ live cards */
  var live = new Map();
  var cards = new Map();

  function buildCard(id) {
    var c = el("div", "card");
    c.dataset.session = id;
    var p = { root: c };
    [["title", "card-title"], ["source", "detail"], ["state", "state"], ["leadLabel", "lead-label"],
      ["lead", "lead"], ["detail", "detail"], ["note", "note"], ["counts", "detail counts"]]
      .forEach(function (k) { p[k[0]] = c.appendChild(el("div", k[1])); });
    p.title.setAttribute("role", "heading");
    p.title.setAttribute("aria-level", "3");
    var row = c.appendChild(el("div", "buttons"));
    p.snooze = row.appendChild(el("button", "snooze", "Snooze alerts 15 min"));
    p.snooze.type = "button";
    p.snooze.addEventListener("click", function () {
      var s = live.get(id);
      if (!s) return;
      api("/api/live/" + id + "/snooze?minutes=" + (s.snoozed ? 0 : 15), { method: "POST" })
        .then(function (snap) { var cur = live.get(id); if (cur) { Object.assign(cur, snap); renderLive(); } })
        .catch(function (e) { toast("Snooze", e.message); });
    });
    p.cal = row.appendChild(el("button", "calibrate", "Calibrate"));
    p.cal.type = "button";
    p.cal.addEventListener("click", function () {
      api("/api/live/" + id + "/calibrate", { method: "POST" })
        .then(function () { toast("Calibrate", "Calibration restarted: sit upright and follow the prompts."); })
        .catch(function (e) { toast("Calibrate", e.message); });
    });
    return p;
  }
  function updateCard(p, s) {
    setText(p.title, s.name);
    setText(p.source, "from " + human("sources", s.source).replace(/^replay@(.*)$/, "a replay at $1x speed"));
    var state = s.state || "waiting";
    setClass(p.state, "state " + state);
    var holding = s.hold_s !== null && s.hold_s !== undefined;
    var label = holding ? human("holds", s.hold_kind || "hold") : human("states", state);
    setText(p.state, label);
    if (holding) {
      setText(p.leadLabel, "Holding for");
      setText(p.lead, fmt(s.hold_s, " s"));
      setText(p.detail, "forward lean " + deg(s.flexion_deg) + " \u00b7 side lean " + deg(s.lateral_deg) + " \u00b7 session " + clock(s.t_s));
    } else if (state === "slumped" && s.slump_s !== null && s.slump_s !== undefined) {
      setText(p.leadLabel, "Slumped for");
      setText(p.lead, duration(s.slump_s));
      setText(p.detail, "forward lean " + deg(s.flexion_deg) + " \u00b7 side lean " + deg(s.lateral_deg) + " \u00b7 session " + clock(s.t_s));
    } else if (state === "calibrating" && s.guide) {
      setText(p.leadLabel, "Calibration");
      setText(p.lead, s.guide.remaining_s ? s.guide.remaining_s + " s" : "\u2026");
      setText(p.detail, s.guide.message || "");
    } else {
      setText(p.leadLabel, "Forward lean (trunk)");
      setText(p.lead, deg(s.flexion_deg));
      setText(p.detail, "side lean " + deg(s.lateral_deg) + " \u00b7 session " + clock(s.t_s));
    }
    var notes = [];
    if (s.slumps_off) notes.push("Slump alerts are off: the upright reference is uncertain. Calibrate to turn them on.");
    if (s.calibration_stale) notes.push("The sensor may have moved in its clip: calibrate again.");
    if (s.link === "disconnected") notes.push("The sensor is disconnected.");
    setText(p.note, notes.join(" "));
    var n = s.counts || {};
    setText(p.counts, "slumps " + (n.slump || 0) + " \u00b7 holds " + (n.hold || 0) + " \u00b7 alerts " + (n.alert || 0) +
      (n.held ? " (" + n.held + " held back)" : "") + (s.snoozed ? " \u00b7 alerts snoozed" : ""));
    setText(p.snooze, s.snoozed ? "Resume alerts" : "Snooze alerts 15 min");
    p.snooze.setAttribute("aria-pressed", s.snoozed ? "true" : "false");
    p.cal.disabled = !s.can_calibrate;
    p.cal.title = s.can_calibrate ? "restart the guided calibration" : "this session cannot be recalibrated while it runs (a replay or a phone)";
  }
  function renderLive() {
    var box = document.getElementById("live-sessions");
    if (!box) return;
    var empty = box.querySelector(".empty-live");
    if (empty) empty.hidden = live.size > 0;
    cards.forEach(function (p, id) {
      if (!live.has(id)) { p.root.remove(); cards.delete(id); }
    });
    live.forEach(function (s, id) {
      var p = cards.get(id);
      if (!p) { p = buildCard(id); cards.set(id, p); box.appendChild(p.root); }
      updateCard(p, s);
    });
  }

  /* ------------------------------------------------------------ events log */
  var groups = new Map();
  function group(id, name) {
    var box = document.getElementById("live-log");
    if (!box) return null;
    var g = groups.get(id);
    if (!g) {
      var empty = box.querySelector(".log-empty");
      if (empty) empty.remove();
      var sec = el("div", "log-group");
      sec.dataset.session = id;
      var h = sec.appendChild(el("h3"));
      var a = h.appendChild(el("a", "", name));
      a.href = withToken("/sessions/" + id);
      var ul = sec.appendChild(el("ul", "log"));
      var ph = ul.appendChild(el("li", "muted placeholder", "Watching from here: earlier events are on the session's page."));
      ph.dataset.placeholder = "1";
      g = { sec: sec, ul: ul, title: a };
      groups.set(id, g);
      box.insertBefore(sec, box.firstChild);
    } else if (name) {
      setText(g.title, name);
    }
    return g;
  }
  function logLine(id, name, t, text) {
    var g = group(id, name);
    if (!g) return;
    var li = el("li");
    if (t !== null && t !== undefined) li.appendChild(el("time", "", clock(t)));
    li.appendChild(document.createTextNode(text));
    g.ul.insertBefore(li, g.ul.firstChild);
    while (g.ul.children.length > 100) g.ul.removeChild(g.ul.lastChild);
  }

  /* ------------------------------------------------------------ connection */
  var lastHeard = 0, connected = false;
  function showsLive() { return !!(document.getElementById("live-sessions") || document.getElementById("live-log")); }
  function setConn(on) {
    var conn = document.getElementById("conn");
    if (conn) {
      setClass(conn, "conn " + (on ? "on" : "off"));
      setText(conn.querySelector(".conn-text"), on ? "live" : "offline");
    }
    var stale = !on && showsLive();
    body.classList.toggle("stale-view", stale);
    var banner = document.getElementById("stale");
    if (banner) banner.hidden = !stale;
    connected = on;
  }
  function heard() { lastHeard = Date.now(); if (!connected) setConn(true); }
  function on(es, name, fn) {
    es.addEventListener(name, function (e) {
      heard();
      var d;
      try { d = JSON.parse(e.data); } catch (err) { return; }
      fn(d);
    });
  }
  function startLive() {
    if (!window.EventSource) return;
    var es = new EventSource(withToken("/api/live"));
    window.SC.stream = es;  /* the live page's guide (guide.js) listens on the same stream */
    es.onopen = heard;
    es.onerror = function () { if (es.readyState !== EventSource.OPEN) setConn(false); };
    setInterval(function () { if (connected && Date.now() - lastHeard > STALE_MS) setConn(false); }, 500);
    on(es, "ping", function () {});
    on(es, "state", function (d) {
      if (d.sessions) {
        var ids = new Set();
        d.sessions.forEach(function (s) { ids.add(s.id); group(s.id, s.name); });
        live = new Map(d.sessions.map(function (s) { return [s.id, Object.assign(live.get(s.id) || {}, s)]; }));
        renderLive();
      }
      if (d.session_id !== undefined && d.shown && d.shown !== "leaning") {
        var what = d.shown === "hold" ? human("holds", d.hold_kind || "hold") + " started" : human("states", d.shown);
        logLine(d.session_id, d.session_name, d.t_s, what);
      }
    });
    on(es, "sample", function (d) {
      var s = live.get(d.session_id);
      if (!s) return;
      Object.assign(s, d);
      renderLive();
    });
    on(es, "alert", function (d) {
      var shown = d.delivered !== false;
      logLine(d.session_id, d.session_name, d.t_s, "Alert, " + human("alerts", d.kind) + ": " + d.message +
        (shown ? "" : " (not shown: " + (d.held || "held back") + ")"));
      if (shown) toast(human("alerts", d.kind), d.message);
      document.dispatchEvent(new CustomEvent("sc:alert", { detail: d }));  /* feedback.js */
      var s = live.get(d.session_id);
      if (s) {
        s.counts = s.counts || {};
        if (shown) s.counts.alert = (s.counts.alert || 0) + 1; else s.counts.held = (s.counts.held || 0) + 1;
        renderLive();
      }
    });
    on(es, "hold", function (d) {
      logLine(d.session_id, d.session_name, d.t_s, human("holds", d.kind) + " held " + duration(d.duration_s));
    });
    on(es, "reps", function (d) {
      var side = d.stand_leg || d.support;
      var what = d.count + " x " + human("holds", d.kind) + ", range " + deg(d.range_deg);
      if (d.lateral_lean_deg !== null && d.lateral_lean_deg !== undefined) what += ", lean " + deg(Math.abs(d.lateral_lean_deg));
      logLine(d.session_id, d.session_name, d.t_s, what + (side ? " (" + side + " leg)" : ""));
    });
    on(es, "slump", function (d) {
      logLine(d.session_id, d.session_name, d.t_s, "Slumped for " + duration(d.duration_s) + ", leaning up to " + deg(d.peak_flexion_deg));
    });
    on(es, "guide", function (d) {
      var s = live.get(d.session_id);
      if (s) { s.guide = d; renderLive(); }
    });
    on(es, "calibrated", function (d) { logLine(d.session_id, d.session_name, d.t_s, "Calibrated"); });
    on(es, "session", function (d) {
      var words = { started: "started", finished: "finished", interrupted: "stopped", renamed: "renamed", deleted: "deleted", imported: "added" };
      if (d.event !== "imported") logLine(d.session_id, d.name, null, "Session " + (words[d.event] || d.event));
      if (d.event === "renamed" && live.has(d.session_id)) live.get(d.session_id).name = d.name;
      else if (d.event !== "started") live.delete(d.session_id);
      renderLive();
      document.dispatchEvent(new CustomEvent("sc:session", { detail: d }));
    });
  }

  window.SC = { api: api, withToken: withToken, clock: clock, duration: duration, human: human,
    el: el, toast: toast, page: body.dataset.page || "" };
  startLive();
})();
