/* The progress of a "run now" on a source's harvest page: its trigger is
   asked every two seconds and the sentence in the live region updated; when
   the run is over the page is reloaded, so its record shows in the history. */
(function () {
  "use strict";
  var box = document.getElementById("jena-harvest-progress");
  if (!box || !box.getAttribute("data-url")) { return; }
  function say(trigger) {
    if (trigger.state === "queued") { return box.getAttribute("data-queued"); }
    return box.getAttribute("data-running")
      .replace("{done}", trigger.done)
      .replace("{total}", trigger.total === null ? "?" : trigger.total)
      .replace("{current}", trigger.current || "…");
  }
  function poll() {
    fetch(box.getAttribute("data-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var trigger = body.result;
        if (trigger.state === "queued" || trigger.state === "running") {
          box.textContent = say(trigger);
          window.setTimeout(poll, 2000);
        } else {
          box.textContent = box.getAttribute("data-finished");
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
}());
