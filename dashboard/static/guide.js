/* sensorcoach live page: the guided routine's state machine and the buzz. Pure: no DOM,
   no server; fed the live stream's samples and events (stream time, s), it says what to
   show and when to buzz. guide_page.js draws it; tests drive it directly (window.SCGuide).

   Phases of the current item: "ready" (waiting for the exercise to be detected: the
   timer does not run), "active" (detected: the timer or the count runs, from the
   detector's own start), "rest" (after a finished item: a countdown, in stream time),
   "done" (the summary). An item ends with its finished hold, stretch or set event. */
(function (root) {
  "use strict";
  var SIDE = /_(left|right|a|b)$/;
  /* s: a detection gone this long with no finished event was withdrawn by the detector
     (a hold inside a set of repetitions, a stretch posture that was not one): the item
     waits for its exercise again */
  var LOST_S = 15;

  function baseOf(kind) { return String(kind || "").replace(SIDE, ""); }
  function sideOf(kind) { var m = SIDE.exec(String(kind || "")); return m ? m[1] : null; }
  function num(v) { return typeof v === "number" && isFinite(v) ? v : null; }
  function clamp(v, lo, hi, dflt) {
    v = Math.round(Number(v));
    return isFinite(v) ? Math.min(hi, Math.max(lo, v)) : dflt;
  }

  /* plan: {rest_s, exercises: [{id, sets, mode, target}]}, catalogue: routine_guide.py's
     list. Items in order: each set of an exercise, left side before right. */
  function expand(plan, catalogue) {
    var byId = {};
    catalogue.forEach(function (e) { byId[e.id] = e; });
    var items = [];
    (plan.exercises || []).forEach(function (p) {
      var e = byId[p.id];
      if (!e) return;
      var mode = e.modes.indexOf(p.mode) >= 0 ? p.mode : e.modes[0];
      var sets = clamp(p.sets, 1, 3, 1);
      var target = clamp(p.target, 1, 3600, e.targets[mode]);
      var sides = e.sides.length ? e.sides : [""];
      for (var s = 1; s <= sets; s++) {
        sides.forEach(function (side) {
          items.push({ id: e.id, kind: e.kinds[side], side: side || null, mode: mode,
            unit: mode === "reps" ? "reps" : "s", target: target, set: s, sets: sets,
            set_kind: e.set_kind, sides_at_end: !!e.sides_at_end,
            label: e.label + (side ? " (" + side + ")" : "") });
        });
      }
    });
    return items;
  }

  /* a kind the detectors report is this item's: the same kind, or the same exercise on a
     side told only as a or b (no forward calibration) */
  function kindMatches(item, kind) {
    if (!kind) return false;
    if (kind === item.kind) return true;
    var side = sideOf(kind);
    return baseOf(kind) === item.id && (side === "a" || side === "b");
  }

  /* the item's exercise under way in a sample: its time (s) or count so far, else null */
  function detected(item, d) {
    if (item.sides_at_end) {
      /* a bird dog: the bout on all fours under way (not a hold or a set the other
         detectors see there: a plank, cat-cow); its sides are timed when it ends */
      return d.hold_kind || d.set_kind ? null : num(d.bird_dog_s);
    }
    if (item.mode === "reps") {
      return d.set_kind === item.set_kind && num(d.set_count) > 0 ? d.set_count : null;
    }
    if (item.mode === "hold") {
      return kindMatches(item, d.hold_kind) ? num(d.hold_s) : null;
    }
    return d.hold_kind ? null : num(d.stretch_s); /* a stretch: its kind is known at its end */
  }

  function eventMatches(item, type, d) {
    return type === "reps" ? item.mode === "reps" && kindMatches(item, d.kind)
      : item.mode !== "reps" && kindMatches(item, d.kind);
  }

  function Machine(items, restS) {
    this.items = items.slice();
    this.rest_s = Math.max(0, Number(restS) || 0);
    this.i = 0;
    this.phase = this.items.length ? "ready" : "done";
    this.now = null;       /* stream time of the newest sample, s */
    this.value = null;     /* the current item's time (s) or count so far */
    this.reached = false;  /* its target reached (the buzz went) */
    this.lost_since = null;
    this.rest_until = null;
    this.side = null;      /* a bird dog's side held now, once the bout tells it: {kind, s} */
    this.results = [];
    this.trace = [];       /* phase changes: {phase, t_s, item, detected} */
  }
  Machine.prototype.current = function () { return this.items[this.i] || null; };
  /* what comes next: during a rest the item waited for, else the one after it */
  Machine.prototype.upcoming = function () {
    return this.phase === "rest" ? this.current() : this.items[this.i + 1] || null;
  };
  Machine.prototype._mark = function (phase, detectedKind) {
    this.phase = phase;
    var it = this.current();
    this.trace.push({ phase: phase, t_s: this.now, item: it ? it.kind : null,
      detected: detectedKind === undefined ? null : detectedKind });
  };
  /* the current item or a later one of the same exercise (the other side, a later set:
     the guide follows the side done first) that ``ok`` accepts; -1 if none */
  Machine.prototype._find = function (ok) {
    var cur = this.current();
    if (!cur) return -1;
    if (ok(cur)) return this.i;
    for (var j = this.i + 1; j < this.items.length; j++) {
      if (this.items[j].id === cur.id && ok(this.items[j])) return j;
    }
    return -1;
  };
  Machine.prototype._take = function (j) {
    if (j === this.i) return;
    var it = this.items.splice(j, 1)[0];
    this.items.splice(this.i, 0, it);
  };
  Machine.prototype._target = function (out) {
    var it = this.current();
    if (it && !this.reached && this.value !== null && this.value >= it.target) {
      this.reached = true;
      out.push({ type: "target", item: it, value: this.value });
    }
  };
  Machine.prototype._complete = function (value, endT, extra, out) {
    var it = this.current();
    this.value = value;
    this._target(out);
    this.results.push({ item: it, value: value, reached: value !== null && value >= it.target,
      skipped: false, score: extra && extra.stability ? num(extra.stability.score) : null });
    this.i += 1;
    this.value = null;
    this.reached = false;
    this.lost_since = null;
    this.side = null;
    if (this.i >= this.items.length) {
      this._mark("done");
      out.push({ type: "done" });
      return;
    }
    this.rest_until = (num(endT) !== null ? endT : this.now || 0) + this.rest_s;
    this._mark("rest");
    out.push({ type: "rest" });
  };

  /* a ``sample`` of the followed live session; returns effects ({type: "start" |
     "target" | "lost" | "rest" | "rest_over" | "done"}) */
  Machine.prototype.sample = function (d) {
    var out = [];
    if (num(d.t_s) === null || this.phase === "done") return out;
    this.now = d.t_s;
    if (this.phase === "ready" || this.phase === "rest") {
      var j = this._find(function (it) { return detected(it, d) !== null; });
      if (j >= 0) {
        this._take(j);
        this.value = detected(this.current(), d);
        this.reached = false;
        this.lost_since = null;
        this.side = null;
        this._mark("active", d.hold_kind || d.set_kind ||
          (this.current().sides_at_end ? "bird_dog" : "stretch"));
        out.push({ type: "start", item: this.current() });
      } else if (this.phase === "rest" && this.now >= this.rest_until) {
        this._mark("ready");
        out.push({ type: "rest_over" });
      }
    } else if (this.phase === "active") {
      var v = detected(this.current(), d);
      this.side = v !== null && this.current().sides_at_end && d.bird_dog_side ?
        { kind: d.bird_dog_side, s: num(d.bird_dog_side_s) } : null;
      if (v !== null) {
        this.value = v;
        this.lost_since = null;
      } else if (this.lost_since === null) {
        this.lost_since = this.now;
      } else if (this.now - this.lost_since > LOST_S) {
        this.value = null;
        this.side = null;
        this.reached = false;
        this.lost_since = null;
        this._mark("ready");
        out.push({ type: "lost" });
        return out;
      }
    }
    /* a bird dog's bout time is not a side's: its sides reach their targets at its end */
    if (this.phase === "active" && !this.current().sides_at_end) this._target(out);
    return out;
  };

  /* a finished ``hold`` (holds and stretches) or ``reps`` event of the followed session:
     it completes the current item, or any later one it names (done out of order: a
     stretch's kind is known only now); the item under way then waits again */
  Machine.prototype.event = function (type, d) {
    var out = [];
    if (this.phase === "done" || (type !== "hold" && type !== "reps")) return out;
    /* the current exercise (either side: the set under way, its target buzz given) */
    var j = this._find(function (it) { return eventMatches(it, type, d); });
    if (j < 0) {
      for (var k = this.i + 1; j < 0 && k < this.items.length; k++) {
        if (eventMatches(this.items[k], type, d) && d.kind === this.items[k].kind) j = k;
      }
      if (j < 0) return out;
      this.value = null;  /* another exercise: what was under way was not it */
      this.reached = false;
      this.lost_since = null;
    }
    this._take(j);
    if (this.phase !== "active") this._mark("active", d.kind);
    var value = type === "reps" ? num(d.count) : num(d.duration_s);
    this._complete(value, num(d.end_s), d, out);
    return out;
  };

  Machine.prototype.skip = function () {
    var out = [];
    if (this.phase === "done") return out;
    this.results.push({ item: this.current(), value: this.phase === "active" ? this.value : null,
      reached: false, skipped: true, score: null });
    this.i += 1;
    this.value = null;
    this.reached = false;
    this.lost_since = null;
    if (this.i >= this.items.length) { this._mark("done"); out.push({ type: "done" }); }
    else this._mark("ready");
    return out;
  };
  Machine.prototype.finish = function () {
    if (this.phase === "done") return [];
    this._mark("done");
    return [{ type: "done" }];
  };
  /* the items never done: those left when the routine was finished (or its session ended) */
  Machine.prototype.missed = function () {
    return this.phase === "done" ? this.items.slice(this.i) : [];
  };
  Machine.prototype.view = function () {
    return { phase: this.phase, item: this.current(), next: this.upcoming(), value: this.value,
      reached: this.reached, side: this.phase === "active" ? this.side : null,
      position: Math.min(this.i + 1, this.items.length),
      total: this.items.length,
      rest_left_s: this.phase === "rest" ? Math.max(0, this.rest_until - (this.now || 0)) : null };
  };

  /* what each exercise and side achieved: rows per kind (in plan order) with the best of
     this routine and of the last session (``last``: kind -> best value), and the two sides
     of every sided exercise compared (the side's total, imbalance as in SPEC section 4).
     ``missed``: items never done (Machine.missed), listed as not done (null values) */
  function summary(results, last, missed) {
    last = last || {};
    results = results.concat((missed || []).map(function (it) {
      return { item: it, value: null, reached: false, skipped: true, missed: true };
    }));
    var rows = [], byKind = {}, sides = {};
    results.forEach(function (r) {
      var it = r.item;
      var row = byKind[it.kind];
      if (!row) {
        row = byKind[it.kind] = { kind: it.kind, label: it.label, unit: it.unit, target: it.target,
          values: [], best: null, last: num(last[it.kind]), reached: 0, missed: 0 };
        rows.push(row);
      }
      row.values.push(r.skipped ? null : r.value);
      if (r.missed) row.missed += 1;
      if (!r.skipped && r.value !== null) row.best = row.best === null ? r.value : Math.max(row.best, r.value);
      if (r.reached) row.reached += 1;
      if (it.side && !r.skipped && r.value !== null) {
        var s = sides[it.id] || (sides[it.id] = { id: it.id, label: it.label.replace(/ \((left|right)\)$/, ""),
          unit: it.unit, left: 0, right: 0 });
        s[it.side] += r.value;
      }
    });
    var pairs = Object.keys(sides).map(function (k) {
      var s = sides[k], top = Math.max(s.left, s.right);
      s.imbalance_pct = s.left > 0 && s.right > 0 ? Math.round(Math.abs(s.left - s.right) / top * 1000) / 10 : null;
      s.weaker = s.imbalance_pct === null || s.left === s.right ? null : (s.left < s.right ? "left" : "right");
      return s;
    });
    return { rows: rows, sides: pairs };
  }

  /* kind -> best value (hold s, or repetitions) of a stored session's analysis */
  function bests(analysis) {
    var out = {};
    (analysis.holds || []).forEach(function (h) {
      if (num(h.duration_s) !== null) out[h.kind] = Math.max(out[h.kind] || 0, h.duration_s);
    });
    (analysis.reps || []).forEach(function (r) {
      if (num(r.count) !== null) out[r.kind] = Math.max(out[r.kind] || 0, r.count);
    });
    return out;
  }

  /* the session to compare a routine with: of ``found`` ({name, bests}, newest first,
     null for one that could not be read), the newest with the most of ``kinds`` (kind ->
     true) done; null when none has any */
  function lastSession(found, kinds) {
    var best = null, most = 0;
    found.forEach(function (f) {
      if (!f) return;
      var hits = Object.keys(f.bests).filter(function (k) { return kinds[k]; }).length;
      if (hits > most) { best = f; most = hits; }
    });
    return best;
  }

  /* ------------------------------------------------------------ the buzz */
  var PATTERNS = { slump: [200, 100, 200], form_break: [400], target: [80, 60, 80, 60, 80] };
  var ALERTS = { slump: true, form_break: true };
  var DEFAULTS = { slump: true, form_break: true, target: true, vibrate: true, sound: true,
    min_interval_s: 60 };

  /* settings: which moments buzz, vibrate and/or sound, the least time between two alerts
     of a kind (s). env: {navigator, audio (an AudioContext factory), now (ms)}: the page's
     own by default, replaced in tests. The vibration where the browser has it (and lets
     the page: it needs a tap first), a short tone otherwise. */
  function Buzzer(settings, env) {
    this.settings = Object.assign({}, DEFAULTS, settings || {});
    env = env || {};
    this.nav = env.navigator || root.navigator || null;
    this.audio = env.audio || (root.AudioContext || root.webkitAudioContext ?
      function () { return new (root.AudioContext || root.webkitAudioContext)(); } : null);
    this.now = env.now || function () { return root.performance ? root.performance.now() : Date.now(); };
    this.last = {};
    this.ctx = null;
  }
  /* after a tap: browsers start sound only from a user gesture */
  Buzzer.prototype.unlock = function () {
    if (!this.settings.sound || !this.audio) return;
    try {
      if (!this.ctx) this.ctx = this.audio();
      if (this.ctx.state === "suspended" && this.ctx.resume) this.ctx.resume();
    } catch (e) { this.ctx = null; }
  };
  Buzzer.prototype._tone = function (pattern) {
    if (!this.audio) return false;
    try {
      if (!this.ctx) this.ctx = this.audio();
      var ctx = this.ctx, t = ctx.currentTime || 0;
      for (var k = 0; k < pattern.length; k += 2) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = 880;
        gain.gain.value = 0.2;
        osc.connect(gain);
        gain.connect(ctx.destination);
        osc.start(t);
        osc.stop(t + pattern[k] / 1000);
        t += (pattern[k] + (pattern[k + 1] || 0)) / 1000;
      }
      return true;
    } catch (e) { return false; }
  };
  /* kind: slump, form_break or target. Returns what happened: vibrate, sound, off,
     too_soon or unavailable */
  Buzzer.prototype.buzz = function (kind) {
    var s = this.settings, pattern = PATTERNS[kind];
    if (!pattern || !s[kind]) return "off";
    var now = this.now();
    if (ALERTS[kind] && this.last[kind] !== undefined && now - this.last[kind] < s.min_interval_s * 1000) {
      return "too_soon";
    }
    var did = null;
    if (s.vibrate && this.nav && typeof this.nav.vibrate === "function") {
      var ok = false;
      try { ok = this.nav.vibrate(pattern); } catch (e) { ok = false; }
      if (ok) did = "vibrate";
    }
    if (!did && s.sound && this._tone(pattern)) did = "sound";
    if (!did) return "unavailable";
    this.last[kind] = now;
    return did;
  };

  root.SCGuide = { expand: expand, Machine: Machine, summary: summary, bests: bests,
    lastSession: lastSession,
    Buzzer: Buzzer, PATTERNS: PATTERNS, DEFAULTS: DEFAULTS, LOST_S: LOST_S, baseOf: baseOf,
    sideOf: sideOf };
})(window);
