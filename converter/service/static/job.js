// Progressive enhancement: poll the job's status and reload the page when it changes.
// Without JavaScript the page offers a "Check again" link instead.
(function () {
  var box = document.getElementById("job-status");
  if (!box || !window.fetch) return;
  var id = box.getAttribute("data-job");
  var status = box.getAttribute("data-status");
  function poll() {
    fetch("/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (job && job.status !== status) { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
})();
