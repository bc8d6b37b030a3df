/* Learncast search page: starts Pagefind's search UI, or says why search is unavailable. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  var status = document.getElementById("search-status");
  if (!box || !status) return;

  function say(text) {
    status.textContent = text;
    status.hidden = false;
  }

  if (location.protocol === "file:") {
    say("Search works when the site is served by a web server (for example with \"learncast serve\"). " +
        "You can still browse the episodes and the questions.");
    return;
  }
  if (typeof window.PagefindUI === "undefined") {
    say("Search is not available on this copy of the site: its search index has not been built.");
    return;
  }
  // Result links are root-relative; the site may live under a sub-path of its host.
  var base = new URL(box.getAttribute("data-root") || "./", location.href).pathname;
  new window.PagefindUI({
    element: "#search",
    baseUrl: base,
    showSubResults: true,
    showImages: false,
    autofocus: true
  });
})();
