/* sensorcoach dashboard, the Today page's plan form (issue 16 item 4): the checked
   exercises with their sets and targets, every day or every other day, PUT /api/plan.
   The time zone is the browser's own unless one was saved (days of the streak are the
   person's local days). Uses window.SC (app.js). */
(function () {
  "use strict";
  var SC = window.SC, form = document.getElementById("plan-form");
  if (!SC || !form) return;

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch (e) { return null; }
  }

  /* the plan as the form says it, or an error message */
  function readPlan() {
    var exercises = [];
    form.querySelectorAll("tr[data-exercise]").forEach(function (tr) {
      if (!tr.querySelector("input[name=on]").checked) return;
      exercises.push({ exercise: tr.dataset.exercise,
                       sets: Number(tr.querySelector("[name=sets]").value),
                       target: Number(tr.querySelector("[name=target]").value),
                       unit: tr.querySelector("[name=unit]").value });
    });
    var every = form.querySelector("input[name=every_days]:checked");
    return { exercises: exercises, every_days: every ? Number(every.value) : 1,
             rest_s: Number(form.elements.rest_s.value),
             time_zone: form.elements.time_zone.value || browserZone() };
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var status = document.getElementById("plan-status"), plan = readPlan();
    if (!plan.exercises.length) { status.textContent = "pick at least one exercise"; return; }
    status.textContent = "saving...";
    SC.api("/api/plan", { method: "PUT", headers: { "content-type": "application/json" },
                          body: JSON.stringify(plan) })
      .then(function () { status.textContent = "saved"; window.location.reload(); })
      .catch(function (err) { status.textContent = err.message; });
  });
})();
