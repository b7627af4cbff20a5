// venturematch staff pages — progressive enhancement: the refresh panel updates itself while a
// full refresh runs (without this file, the "Check progress" link reloads the panel).
(function () {
  "use strict";
  var POLL_MS = 3000;

  function render(panel, job) {
    if (!job) { return; }
    var status = panel.querySelector("[data-job-status]");
    var message = panel.querySelector("[data-job-message]");
    var percent = panel.querySelector("[data-job-percent]");
    var bar = panel.querySelector("progress");
    if (status) { status.textContent = job.status; }
    if (message) { message.textContent = job.message; }
    if (percent) { percent.textContent = job.percent + "%"; }
    if (bar) { bar.value = job.percent; bar.textContent = job.percent + "%"; }
  }

  function poll(panel) {
    fetch(panel.getAttribute("data-status-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body || !body.job) { return; }
        render(panel, body.job);
        if (!body.job.finished) { window.setTimeout(function () { poll(panel); }, POLL_MS); }
      })
      .catch(function () { /* the panel keeps its last state; the link still works */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("refresh-status");
    if (panel && panel.querySelector("progress")) { poll(panel); }
  });
})();
