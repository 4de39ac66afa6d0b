/* sensorcoach live page: the guided routine and the buzz on the page (guide.js is the
   state machine). The routine and the buzz settings are remembered in this browser
   (localStorage); the guide follows one live session, chosen here. */
(function () {
  "use strict";
  var G = window.SCGuide, SC = window.SC;
  var box = document.getElementById("guide");
  if (!G || !SC || !box) return;
  var el = SC.el;
  var CATALOGUE = JSON.parse((document.getElementById("routine-data") || {}).textContent || "[]");
  var PLAN_KEY = "sc.routine", BUZZ_KEY = "sc.buzz", FOLLOW_KEY = "sc.follow";
  var RESTS = [15, 30, 45, 60, 90, 120];
  var INTERVALS = [[10, "10 s"], [30, "30 s"], [60, "1 min"], [120, "2 min"], [300, "5 min"]];
  var DEFAULT_ON = { bird_dog: true, plank: true, side_plank: true };

  function load(key, dflt) {
    try { var v = JSON.parse(localStorage.getItem(key) || "null"); return v || dflt; } catch (e) { return dflt; }
  }
  function save(key, v) { try { localStorage.setItem(key, JSON.stringify(v)); } catch (e) { /* private mode */ } }
  function q(sel) { return box.querySelector(sel); }
  /* only a change is written: a status line is announced again on every write */
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  function unitText(mode) { return mode === "reps" ? "reps" : "s"; }
  function amount(v, unit) { return v === null || v === undefined ? "-" : Math.round(v) + (unit === "reps" ? " reps" : " s"); }

  var buzzer = new G.Buzzer(load(BUZZ_KEY, {}));
  var machine = null, followed = null, followName = load(FOLLOW_KEY, "");
  var sessions = new Map();
  var lastBests = null;
  window.SCGuidePage = { buzzer: buzzer, machine: function () { return machine; },
    followed: function () { return followed; } };

  /* ------------------------------------------------------------ setup */
  function planRows() {
    var plan = load(PLAN_KEY, null);
    var stored = {}, order = {};
    ((plan && plan.exercises) || []).forEach(function (p, k) { stored[p.id] = p; order[p.id] = k; });
    /* in the stored order (the weekly plan's), then the rest of the catalogue */
    var cat = CATALOGUE.slice().sort(function (a, b) {
      var x = a.id in order ? order[a.id] : 1e3 + CATALOGUE.indexOf(a);
      var y = b.id in order ? order[b.id] : 1e3 + CATALOGUE.indexOf(b);
      return x - y;
    });
    return { rest_s: plan && plan.rest_s ? plan.rest_s : 30, rows: cat.map(function (e) {
      var p = stored[e.id];
      var mode = p && e.modes.indexOf(p.mode) >= 0 ? p.mode : e.modes[0];
      return { e: e, on: p ? !!p.on : (!plan && !!DEFAULT_ON[e.id]), sets: p ? p.sets : 1, mode: mode,
        target: p && p.mode === mode ? p.target : e.targets[mode] };
    }) };
  }
  function option(sel, value, text, chosen) {
    var o = sel.appendChild(el("option", "", text));
    o.value = String(value);
    if (String(chosen) === String(value)) o.selected = true;
  }
  function buildSetup() {
    var list = q(".gx-list"), st = planRows();
    list.textContent = "";
    st.rows.forEach(function (r) {
      var e = r.e, row = list.appendChild(el("li", "gx-row"));
      row.dataset.id = e.id;
      var pick = row.appendChild(el("label", "gx-pick"));
      var cb = pick.appendChild(el("input"));
      cb.type = "checkbox";
      cb.checked = r.on;
      pick.appendChild(el("span", "gx-name", e.label + (e.sides.length ? " (both sides)" : "")));
      pick.appendChild(el("span", "gx-usual muted", "usual " + e.target_text));
      var opts = row.appendChild(el("div", "gx-opts"));
      var ls = opts.appendChild(el("label", "", "Sets "));
      var sets = ls.appendChild(el("select", "gx-sets"));
      [1, 2, 3].forEach(function (n) { option(sets, n, String(n), r.sets); });
      var lm = null, mode = null;
      if (e.modes.length > 1) {
        lm = opts.appendChild(el("label", "", "As "));
        mode = lm.appendChild(el("select", "gx-mode"));
        e.modes.forEach(function (m) { option(mode, m, m === "reps" ? "reps" : "a hold", r.mode); });
      }
      var lt = opts.appendChild(el("label", "", "Target "));
      var target = lt.appendChild(el("input", "gx-target"));
      target.type = "number";
      target.inputMode = "numeric";
      target.min = "1";
      target.max = "600";
      target.value = String(r.target);
      var unit = lt.appendChild(el("span", "gx-unit", unitText(r.mode)));
      if (mode) {
        mode.addEventListener("change", function () {
          target.value = String(e.targets[mode.value]);
          unit.textContent = unitText(mode.value);
          store();
        });
      }
      [cb, sets, target].forEach(function (c) { c.addEventListener("change", store); });
    });
    var rest = q(".gx-rest");
    rest.textContent = "";
    RESTS.forEach(function (s) { option(rest, s, s + " s", st.rest_s); });
  }
  function readPlan() {
    var out = [];
    box.querySelectorAll(".gx-row").forEach(function (row) {
      var mode = row.querySelector(".gx-mode");
      var e = CATALOGUE.filter(function (x) { return x.id === row.dataset.id; })[0];
      out.push({ id: row.dataset.id, on: row.querySelector("input[type=checkbox]").checked,
        sets: Number(row.querySelector(".gx-sets").value),
        mode: mode ? mode.value : e.modes[0],
        target: Number(row.querySelector(".gx-target").value) || null });
    });
    return { rest_s: Number(q(".gx-rest").value) || 30, exercises: out };
  }
  function store() { save(PLAN_KEY, readPlan()); }

  /* the weekly plan (GET /api/plan: catalogue rows per side, sets, target, unit, rest)
     as the guide's picks: both sides of an exercise in one row, in the plan's order */
  function fromPlan(p) {
    var out = [], seen = {};
    (p.exercises || []).forEach(function (x) {
      var id = G.baseOf(x.exercise);
      var e = CATALOGUE.filter(function (c) { return c.id === id; })[0];
      if (!e || seen[id]) return;
      seen[id] = true;
      var mode = x.unit === "reps" ? "reps" : e.modes.indexOf("hold") >= 0 ? "hold" : "stretch";
      if (e.modes.indexOf(mode) < 0) mode = e.modes[0];
      out.push({ id: id, on: true, sets: Math.min(3, Math.max(1, Math.round(x.sets) || 1)), mode: mode,
        target: Math.round(Number(x.target)) || e.targets[mode] });
    });
    var rest = RESTS.reduce(function (best, r) {
      return Math.abs(r - p.rest_s) < Math.abs(best - p.rest_s) ? r : best;
    }, RESTS[1]);
    return { rest_s: rest, exercises: out };
  }
  function usePlan() {
    return SC.api("/api/plan").then(function (p) { save(PLAN_KEY, fromPlan(p)); buildSetup(); });
  }

  /* ------------------------------------------------------------ buzz settings */
  function buildBuzz() {
    var s = buzzer.settings;
    box.querySelectorAll(".bz-switch").forEach(function (cb) {
      cb.checked = !!s[cb.name];
      cb.addEventListener("change", function () { s[cb.name] = cb.checked; save(BUZZ_KEY, s); });
    });
    var iv = q(".bz-interval");
    INTERVALS.forEach(function (x) { option(iv, x[0], x[1], s.min_interval_s); });
    iv.addEventListener("change", function () { s.min_interval_s = Number(iv.value); save(BUZZ_KEY, s); });
    q(".bz-test").addEventListener("click", function () {
      var how = buzzer.buzz("target");
      setStatus(how === "vibrate" ? "The phone vibrated." : how === "sound" ? "A tone played (no vibration here)."
        : how === "off" ? "The target buzz is switched off." : "This browser can neither vibrate nor play a tone.");
    });
  }
  function setStatus(text) { SC.toast("Buzz", text); }

  /* ------------------------------------------------------------ sessions */
  var shownSessions = null;
  function pickFollowed() {
    var sel = q(".gx-session");
    if (!sessions.has(followed)) {
      followed = null;
      sessions.forEach(function (s, id) { if (followed === null || s.name === followName) followed = id; });
    }
    /* state events come with every change of posture: the list is rebuilt only when it
       changed (a rebuilt select closes under the finger) */
    var sig = JSON.stringify([followed, Array.from(sessions, function (x) { return [x[0], x[1].name]; })]);
    if (sig === shownSessions) return;
    shownSessions = sig;
    sel.textContent = "";
    if (!sessions.size) option(sel, "", "no live session yet", "");
    sessions.forEach(function (s, id) { option(sel, id, s.name, followed); });
    sel.disabled = !sessions.size;
  }
  function onSessionChosen() {
    var v = q(".gx-session").value;
    followed = v ? Number(v) : null;
    followName = followed !== null && sessions.has(followed) ? sessions.get(followed).name : "";
    save(FOLLOW_KEY, followName);
    render();
  }

  /* ------------------------------------------------------------ running */
  /* the screen stays on while a routine runs (a phone on the floor beside a plank);
     browsers drop the lock when the page is hidden: taken again when it is back */
  var wake = null, asking = false, refused = false;
  function keepAwake(on) {
    if (!on) { if (wake) { wake.release().catch(function () {}); wake = null; } return; }
    if (wake || asking || refused || !navigator.wakeLock || document.visibilityState !== "visible") return;
    asking = true;
    navigator.wakeLock.request("screen").then(function (l) {
      asking = false;
      if (machine === null || machine.phase === "done") { l.release().catch(function () {}); return; }
      wake = l;
      l.addEventListener("release", function () { if (wake === l) wake = null; });
    }).catch(function () { asking = false; refused = true; /* not here: asked again at the next start */ });
  }
  document.addEventListener("visibilitychange", function () { keepAwake(machine !== null && machine.phase !== "done"); });
  function start() {
    var plan = readPlan();
    save(PLAN_KEY, plan);
    var items = G.expand({ rest_s: plan.rest_s, exercises: plan.exercises.filter(function (p) { return p.on; }) }, CATALOGUE);
    if (!items.length) { SC.toast("Routine", "Pick at least one exercise."); return; }
    buzzer.unlock();
    refused = false;
    machine = new G.Machine(items, plan.rest_s);
    lastBests = null;
    render();
    box.scrollIntoView({ block: "start" });
  }
  function effects(list) {
    if (!list.length && machine && machine.phase === "done") return;  /* the summary stands */
    list.forEach(function (fx) {
      if (fx.type === "target") buzzer.buzz("target");
      if (fx.type === "done") fetchLast();
    });
    render();
  }
  function fetchLast() {
    var kinds = {};
    machine.items.forEach(function (it) { kinds[it.kind] = true; });
    var current = followed;
    SC.api("/api/sessions").then(function (list) {
      /* newest first (the API's order): of the last few finished sessions, the newest with
         the most of these exercises (walking make demo, a short workout with one plank
         was "the last session" of a whole routine done the day before) */
      var older = list.filter(function (s) { return !s.live && s.id !== current; }).slice(0, 6);
      return Promise.all(older.map(function (s) {
        return SC.api("/api/sessions/" + s.id).then(function (a) { return { name: a.name, bests: G.bests(a) }; },
          function () { return null; });
      })).then(function (found) { return G.lastSession(found, kinds); });
    }).then(function (found) { lastBests = found || { name: null, bests: {} }; render(); })
      .catch(function () { lastBests = { name: null, bests: {} }; render(); });
  }

  function phaseText(v) {
    var it = v.item;
    if (v.phase === "ready") {
      return it.sides_at_end ? "Get on all fours and alternate sides: the timer starts when the sensor sees it; each side is timed when the set ends."
        : it.mode === "reps" ? "Start your reps: the count starts when the first repetitions are seen."
        : it.mode === "stretch" ? "Get into the stretch and relax: the timer starts when the stretch is seen."
        : "Get into position: the timer starts when the hold is detected.";
    }
    if (v.phase === "rest") return "Start the next one when you are ready: it is timed from when it is detected.";
    if (it.sides_at_end) {
      return v.side ? "Alternating. Now the " + G.sideOf(v.side.kind) + " leg" + (v.side.s !== null ? ", " + amount(v.side.s, "s") : "") + "."
        : "Alternating: each side is timed when the set ends.";
    }
    return v.reached ? "Target reached. Keep going or rest."
      : it.mode === "reps" ? "Counting." : it.mode === "stretch" ? "Stretching: breathe and relax." : "Holding.";
  }
  function renderRun() {
    var v = machine.view(), it = v.item;
    setText(q(".gx-step"), "Exercise " + v.position + " of " + v.total + (it && it.sets > 1 ? " \u00b7 set " + it.set + " of " + it.sets : ""));
    /* a bird dog set is both sides at once: its side is the one the sensor tells */
    setText(q(".gx-now"), v.phase === "rest" ? "Rest" : !it ? ""
      : it.sides_at_end ? it.label.replace(/ \((left|right)\)$/, "") : it.label);
    setText(q(".gx-phase"), it ? phaseText(v) : "");
    var timer = q(".gx-timer");
    timer.dataset.phase = v.phase;
    setText(timer, v.phase === "rest" ? SC.clock(v.rest_left_s)
      : v.phase === "active" && v.value !== null ? amount(v.value, it.unit)
      : it && it.unit === "reps" ? "0 reps" : "0 s");
    timer.classList.toggle("waiting", v.phase === "ready");
    timer.classList.toggle("reached", !!v.reached);
    setText(q(".gx-goal"), it ? "Target " + amount(it.target, it.unit) +
      (it.sides_at_end && v.phase !== "rest" ? " per side" : "") : "");
    var next = v.next;
    if (it && it.sides_at_end && v.phase !== "rest") {  /* its sets are one bout: after them */
      next = machine.items.slice(machine.i + 1).filter(function (x) { return x.id !== it.id; })[0] || null;
    }
    setText(q(".gx-next"), v.phase === "rest" && it ? "Next: " + it.label
      : next ? "Next: " + next.label : "Last one.");
  }
  function renderSummary() {
    var out = q(".gx-summary-body");
    out.textContent = "";
    var last = (lastBests && lastBests.bests) || {};
    var sum = G.summary(machine.results, last, machine.missed());
    var ul = out.appendChild(el("ul", "gx-results"));
    sum.rows.forEach(function (r) {
      var li = ul.appendChild(el("li"));
      li.dataset.kind = r.kind;
      li.appendChild(el("strong", "", r.label + ": "));
      var shown = r.values.map(function (x, k) {
        return x !== null ? amount(x, r.unit) : k >= r.values.length - r.missed ? "not done" : "skipped";
      });
      li.appendChild(document.createTextNode(shown.join(", ") +
        " (target " + amount(r.target, r.unit) + ", reached " + r.reached + " of " + r.values.length + ")"));
      if (lastBests) {
        li.appendChild(el("span", "gx-last", r.last === null ? " \u00b7 not in the last session" :
          " \u00b7 last session " + amount(r.last, r.unit) + (r.best !== null ? (r.best > r.last ? " (better now)" : r.best < r.last ? " (less now)" : " (same)") : "")));
      }
    });
    if (!sum.rows.length) ul.appendChild(el("li", "muted", "Nothing done yet."));
    sum.sides.forEach(function (s) {
      var p = out.appendChild(el("p", "gx-sides"));
      p.dataset.id = s.id;
      p.textContent = s.label + ": left " + amount(s.left, s.unit) + ", right " + amount(s.right, s.unit) +
        (s.imbalance_pct === null ? " (one side missing)" : s.weaker ? " \u00b7 " + s.weaker + " side " + s.imbalance_pct + " % less" : " \u00b7 even");
    });
    out.appendChild(el("p", "muted", lastBests === null ? "Looking up the last session\u2026" :
      lastBests.name ? "Compared with \u201c" + lastBests.name + "\u201d." : "No earlier session with these exercises."));
  }
  function render() {
    var running = machine !== null && machine.phase !== "done";
    q(".gx-setup").hidden = machine !== null;
    q(".gx-run").hidden = !running;
    q(".gx-summary").hidden = !(machine !== null && machine.phase === "done");
    keepAwake(running);
    if (running) renderRun();
    else if (machine !== null) renderSummary();
  }

  /* ------------------------------------------------------------ the stream */
  function listen(es) {
    function on(name, fn) {
      es.addEventListener(name, function (e) {
        var d;
        try { d = JSON.parse(e.data); } catch (err) { return; }
        fn(d);
      });
    }
    on("state", function (d) {
      if (!d.sessions) return;
      sessions = new Map(d.sessions.map(function (s) { return [s.id, s]; }));
      pickFollowed();
    });
    on("session", function (d) {
      if (d.event === "started") sessions.set(d.session_id, { id: d.session_id, name: d.name });
      else if (d.event === "renamed" && sessions.has(d.session_id)) sessions.get(d.session_id).name = d.name;
      else if (d.event !== "imported" && d.event !== "renamed") {
        sessions.delete(d.session_id);
        if (d.session_id === followed && machine && machine.phase !== "done") effects(machine.finish());
      }
      pickFollowed();
    });
    on("sample", function (d) {
      if (d.session_id !== followed || !machine) return;
      effects(machine.sample(d));
    });
    ["hold", "reps"].forEach(function (type) {
      on(type, function (d) {
        if (d.session_id !== followed || !machine) return;
        effects(machine.event(type, d));
      });
    });
    on("alert", function (d) {
      if (d.session_id !== followed || d.delivered === false) return;
      if (d.kind === "slump" || d.kind === "form_break") buzzer.buzz(d.kind);
    });
  }

  /* first visit: today's picks start from the weekly plan (then they are this browser's) */
  if (load(PLAN_KEY, null)) buildSetup();
  else usePlan().catch(buildSetup);
  q(".gx-use-plan").addEventListener("click", function () {
    usePlan().then(function () { SC.toast("Routine", "Today's picks are the weekly plan's."); })
      .catch(function (e) { SC.toast("Routine", "The weekly plan could not be read: " + e.message); });
  });
  buildBuzz();
  q(".gx-session").addEventListener("change", onSessionChosen);
  q(".gx-start").addEventListener("click", start);
  q(".gx-skip").addEventListener("click", function () { if (machine) effects(machine.skip()); });
  q(".gx-finish").addEventListener("click", function () { if (machine) effects(machine.finish()); });
  q(".gx-again").addEventListener("click", function () { machine = null; buildSetup(); render(); });
  document.addEventListener("click", function () { buzzer.unlock(); }, { once: true });
  pickFollowed();
  render();
  if (SC.stream) listen(SC.stream);
})();
