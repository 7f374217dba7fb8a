/* Sauti console: live results. The page works without this script (it says when its figures
   are from and links to itself); with it, the page listens to the results' server-sent events
   and, when they say the figures changed, fetches this same page and puts its new figures in
   place — at most once every few seconds, keeping the reader's place and focus. */
(function () {
  "use strict";
  var live = document.getElementById("live");
  var script = document.currentScript;
  if (!live || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var version = live.getAttribute("data-version");
  var note = script ? script.getAttribute("data-updated") : "";
  var QUIET_MS = 3000;
  var busy = false;
  var pending = false;
  var source = new EventSource(live.getAttribute("data-events"));

  source.addEventListener("results", function (event) {
    var now;
    try {
      now = String(JSON.parse(event.data).version);
    } catch (error) {
      return;
    }
    if (now !== version) {
      version = now;
      refresh();
    }
  });

  function refresh() {
    if (busy) {
      pending = true;
      return;
    }
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var focused = document.activeElement && document.activeElement.id;
        swap(fresh, "figures");
        swap(fresh, "live-time");
        swap(fresh, "live-pending");
        var freshLive = fresh.getElementById("live");
        if (freshLive) {
          version = freshLive.getAttribute("data-version") || version;
        }
        if (focused && document.getElementById(focused)) {
          document.getElementById(focused).focus({ preventScroll: true });
        }
        document.getElementById("live-note").textContent = note;
      })
      .catch(function () {
        /* The next change tries again; the Refresh link is always there. */
      })
      .then(function () {
        window.setTimeout(function () {
          busy = false;
          if (pending) {
            pending = false;
            refresh();
          }
        }, QUIET_MS);
      });
  }

  function swap(fresh, id) {
    var now = document.getElementById(id);
    var next = fresh.getElementById(id);
    if (now && next) {
      now.replaceWith(document.importNode(next, true));
    }
  }

  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
