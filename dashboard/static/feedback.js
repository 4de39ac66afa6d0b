/* "That was not a slump": one tap on a slump alert marks it wrong; the person's slump
   thresholds (learnt from these marks, within bounds) are shown with their history and
   can be reset. Live page: the slump alerts as they come (app.js's "sc:alert" events);
   session page: the session's slump alerts and the thresholds it was analysed with. */
(function () {
  "use strict";
  var SC = window.SC;
  if (!SC || (SC.page !== "live" && SC.page !== "session")) return;
  var el = SC.el;
  var box, values, history, list, placement = null, again = null;
  var WAIT_MS = 3000;

  function num(v, unit) { return (Math.round(v * 10) / 10) + unit; }
  function showProfile(p) {
    if (p.placement) placement = p.placement;  /* after a mark: that session's placement */
    var on = p.thresholds.slump_on_deg, dw = p.thresholds.slump_dwell_s;
    var own = p.history.some(function (h) { return h.changed; });
    values.textContent = "Slump from " + num(on.value, "\u00b0") + " (default " + num(on.default, "\u00b0") +
      ", at most " + num(on.max, "\u00b0") + ") \u00b7 alert after " + num(dw.value, " s") + " (default " +
      num(dw.default, " s") + ", at most " + num(dw.max, " s") + ")" + (own ? " \u00b7 learnt from your marks" : " \u00b7 defaults");
    values.dataset.slumpOnDeg = String(on.value);
    history.textContent = "";
    p.history.forEach(function (h) {
      history.appendChild(el("li", h.changed ? "" : "muted", h.at.replace("T", " ").replace("Z", " UTC") +
        ": alert at " + SC.clock(h.t_s) + " of session " + h.session_id + " marked " +
        (h.verdict === "right" ? "right" : "not a slump") + ": " + h.reason));
    });
    if (!p.history.length) history.appendChild(el("li", "muted", "No marks yet: tap \u201cNot a slump\u201d on an alert that was not one."));
    (p.waiting || []).forEach(function (w) {
      history.appendChild(el("li", "muted", "alert at " + SC.clock(w.t_s) + " marked: counts once its slump has ended"));
    });
    /* a mark on a slump still under way teaches when the slump ends: asked again until
       then (the page showed the defaults until reloaded) */
    clearTimeout(again);
    if ((p.waiting || []).length) again = setTimeout(function () { loadProfile().catch(function () {}); }, WAIT_MS);
  }
  function loadProfile() {
    return SC.api("/api/profile" + (placement ? "?placement=" + placement : "")).then(showProfile);
  }

  function row(a, sid) {
    var li = el("li", "fb-alert");
    li.dataset.alertId = a.id === undefined ? "" : String(a.id);
    /* live: the session too (a looping replay repeats its alerts) */
    li.appendChild(el("span", "", (a.session_name ? a.session_name + ", " : "") + SC.clock(a.t_s) + " " + a.message + " "));
    var state = li.appendChild(el("span", "muted fb-state", ""));
    var btn = li.appendChild(el("button", "fb-mark", "Not a slump"));
    btn.type = "button";
    /* the counterpart: it was a slump (the thresholds keep catching ones like it) */
    var right = li.appendChild(el("button", "fb-right", "It was"));
    right.type = "button";
    right.title = "That was a slump: keep catching ones like it";
    function render(verdict) {
      state.textContent = verdict ? (verdict === "right" ? "marked right " : "marked: not a slump ") : "";
      btn.textContent = verdict ? "Undo" : "Not a slump";
      btn.dataset.verdict = verdict || "";
      right.hidden = !!verdict;
    }
    render(a.verdict);
    /* verdict null: take back the one given */
    function send(verdict) {
      btn.disabled = right.disabled = true;
      var id = li.dataset.alertId ? Promise.resolve(Number(li.dataset.alertId)) : findId(sid, a.t_s);
      id.then(function (alertId) {
        li.dataset.alertId = String(alertId);
        return SC.api("/api/alerts/" + alertId + "/feedback", verdict === null ? { method: "DELETE" } : {
          method: "POST", headers: { "content-type": "application/json" },
          body: JSON.stringify({ verdict: verdict }) }).then(function (r) {
          render(verdict);
          showProfile(r.profile);
        });
      }).catch(function (e) { SC.toast("Could not mark the alert", e.message); })
        .then(function () { btn.disabled = right.disabled = false; });
    }
    btn.addEventListener("click", function () { send(btn.dataset.verdict !== "" ? null : "not_a_slump"); });
    right.addEventListener("click", function () { send("right"); });
    return li;
  }
  /* a live alert's row id: the session's stored alerts, matched by time */
  function findId(sid, t) {
    return SC.api("/api/sessions/" + sid + "/alerts").then(function (rows) {
      var hit = rows.filter(function (r) { return r.kind === "slump" && Math.abs(r.t_s - t) < 0.05; })[0];
      if (!hit) throw new Error("the alert is not stored yet: try again in a second");
      return hit.id;
    });
  }

  function build(where, intro) {
    box = el("section", "feedback");
    box.id = "feedback";
    box.appendChild(el("h2", "", "Your slump thresholds"));
    box.appendChild(el("p", "muted", intro));
    values = box.appendChild(el("p", "fb-values", "\u2026"));
    list = box.appendChild(el("ul", "fb-alerts"));
    var reset = box.appendChild(el("button", "fb-reset", "Reset to defaults"));
    reset.type = "button";
    reset.addEventListener("click", function () {
      SC.api("/api/profile/reset" + (placement ? "?placement=" + placement : ""), { method: "POST" })
        .then(function (p) {
          showProfile(p);
          Array.prototype.forEach.call(list.querySelectorAll(".fb-mark"), function (b) {
            b.textContent = "Not a slump"; b.dataset.verdict = "";
            b.parentNode.querySelector(".fb-state").textContent = "";
            b.parentNode.querySelector(".fb-right").hidden = false;
          });
        }).catch(function (e) { SC.toast("Could not reset", e.message); });
    });
    var d = box.appendChild(el("details", "fb-history"));
    d.appendChild(el("summary", "", "What changed, when, and why"));
    history = d.appendChild(el("ol", ""));
    where.parentNode.insertBefore(box, where.nextSibling);
  }

  if (SC.page === "session") {
    var sid = (location.pathname.match(/\/sessions\/(\d+)/) || [])[1];
    var anchor = document.getElementById("desk") || document.querySelector("main section:last-of-type");
    if (!sid || !anchor) return;
    build(anchor, "An alert that was not a slump? Mark it: your own thresholds move (within bounds) and your next sessions use them.");
    var used = box.insertBefore(el("p", "fb-used muted", ""), list);
    SC.api("/api/sessions/" + sid).then(function (s) {
      placement = s.placement || null;
      var t = s.thresholds;
      if (t) used.textContent = "This session was analysed with slumps from " + num(t.slump_on_deg, "\u00b0") +
        " and alerts after " + num(t.slump_dwell_s, " s") + (t.personal ? " (your own thresholds)." : " (the defaults).");
      loadProfile();
      return SC.api("/api/sessions/" + sid + "/alerts");
    }).then(function (rows) {
      rows.filter(function (a) { return a.kind === "slump"; }).forEach(function (a) { list.appendChild(row(a, sid)); });
      if (!list.children.length) list.appendChild(el("li", "muted", "No slump alerts in this session."));
    }).catch(function (e) { values.textContent = "Thresholds unavailable: " + e.message; });
  } else {
    var live = document.getElementById("live-sessions");
    if (!live) return;
    build(live.closest("section") || live, "Tap \u201cNot a slump\u201d on an alert that was not one: your own thresholds move (within bounds) and your next sessions use them.");
    loadProfile().catch(function (e) { values.textContent = "Thresholds unavailable: " + e.message; });
    document.addEventListener("sc:alert", function (ev) {
      var d = ev.detail || {};
      if (d.kind !== "slump") return;
      list.insertBefore(row({ t_s: d.t_s, message: d.message, verdict: null, session_name: d.session_name },
        d.session_id), list.firstChild);
      while (list.children.length > 20) list.removeChild(list.lastChild);
    });
  }
})();
