/* Learncast search page: starts Pagefind's search UI, or says why search is unavailable. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  var status = document.getElementById("search-status");
  if (!box || !status) return;

  // The page's words (the template's translations); these English ones when it has none.
  var labels = {};
  try { labels = JSON.parse(box.getAttribute("data-labels") || "{}") || {}; } catch (e) { labels = {}; }
  function label(key, fallback) { return typeof labels[key] === "string" && labels[key] ? labels[key] : fallback; }

  function say(text) {
    status.textContent = text;
    status.hidden = false;
  }

  if (location.protocol === "file:") {
    say(label("needs_server", "Search works when the site is served by a web server (for example with " +
        "\"learncast serve\"). You can still browse the episodes and the questions."));
    return;
  }
  if (typeof window.PagefindUI === "undefined") {
    say(label("no_index", "Search is not available on this copy of the site: its search index has not been built."));
    return;
  }
  /** ".../episodes/x/" -> ".../episodes/x/index.html": every link on the site names a file,
      so the site also works on hosts that do not serve index.html for a folder. */
  function toFile(url) {
    var cut = url.search(/[?#]/);
    var path = cut < 0 ? url : url.slice(0, cut);
    return /\/$/.test(path) ? path + "index.html" + (cut < 0 ? "" : url.slice(cut)) : url;
  }

  /** The transcript paragraph (a <p> with an id) that word position `at` falls in, else null. */
  function paragraphAt(anchors, at) {
    var found = null;
    anchors.forEach(function (a) {
      if (a.element === "p" && a.id && a.location <= at && (!found || a.location >= found.location)) found = a;
    });
    return found;
  }

  /** Sub-results point at their chapter heading; send the reader to the paragraph that matched,
      where the player is cued (player.js), rather than to the top of a long chapter. */
  function processResult(result) {
    var anchors = result.anchors || [];
    result.url = toFile(result.url);
    (result.sub_results || []).forEach(function (sub) {
      var at = (sub.locations || [])[0];
      var p = sub.anchor && at !== undefined ? paragraphAt(anchors, at) : null;
      sub.url = p && p.location >= sub.anchor.location
        ? result.url.split("#")[0] + "#" + encodeURIComponent(p.id)
        : toFile(sub.url);
    });
    return result;
  }

  // Result links are root-relative; the site may live under a sub-path of its host.
  var base = new URL(box.getAttribute("data-root") || "./", location.href).pathname;
  // Pagefind's own words (placeholder, "N results for ..."), in the page's language.
  var translations = {};
  Object.keys(labels).forEach(function (key) {
    if (key !== "needs_server" && key !== "no_index" && labels[key]) translations[key] = labels[key];
  });
  new window.PagefindUI({
    translations: translations,
    element: "#search",
    baseUrl: base,
    showSubResults: true,
    showImages: false,
    autofocus: true,
    processResult: processResult
  });
  // Pagefind's box has only a placeholder for a name; the page heading is its visible label.
  var input = box.querySelector("input");
  if (input) input.setAttribute("aria-labelledby", "search-heading");
})();
