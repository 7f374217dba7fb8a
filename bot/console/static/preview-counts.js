/* Sauti console: a decision's counts. The page works without this script (it says when its
   counts were made and, while they are being counted again, links to itself); with it, the
   page fetches itself every few seconds while it says "Updating", for a minute at most, and
   puts the new counts in place once they are made, saying so in a status line that screen
   readers announce politely. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!document.getElementById("updating") || !window.fetch || !window.DOMParser) {
    return;
  }
  var note = script ? script.getAttribute("data-updated") : "";
  var WAIT_MS = 4000;
  var TRIES = 15;
  var tries = 0;

  function look() {
    tries += 1;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        if (fresh.getElementById("updating")) {
          again();
          return;
        }
        var now = document.getElementById("who");
        var next = fresh.getElementById("who");
        if (now && next) {
          now.replaceWith(document.importNode(next, true));
          document.getElementById("counts-note").textContent = note;
        }
      })
      .catch(again); /* the Refresh link is always there */
  }

  function again() {
    if (tries < TRIES) {
      window.setTimeout(look, WAIT_MS);
    }
  }

  window.setTimeout(look, WAIT_MS);
})();
