/* Learncast player: timestamps that seek, #t= deep links, the current paragraph.
   Vanilla JavaScript, no dependencies. Without it the page still reads, plays and prints. */
(function () {
  "use strict";

  // Printing a question page prints every answer in full, "Read more" parts included.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.setAttribute("open", "");
      d.setAttribute("data-print-opened", "");
    });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-print-opened]"), function (d) {
      d.removeAttribute("open");
      d.removeAttribute("data-print-opened");
    });
  });

  var player = document.querySelector("[data-player]");
  if (!player) return;

  var turns = Array.prototype.slice.call(document.querySelectorAll(".turn[data-start]"));
  var starts = turns.map(function (p) { return parseFloat(p.getAttribute("data-start")) || 0; });
  var follow = document.getElementById("follow-along");
  var current = null;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  if (follow && follow.closest(".follow")) follow.closest(".follow").hidden = false;

  // The audio player sticks to the top of the window; its height (which wraps on a phone)
  // sets how far below the top a chapter or paragraph that a link opens lands (site.css).
  var bar = player.closest(".player--audio");
  function fitBar() {
    document.documentElement.style.setProperty("--player-height", bar.offsetHeight + "px");
  }
  if (bar) {
    fitBar();
    if (window.ResizeObserver) new ResizeObserver(fitBar).observe(bar);
    else window.addEventListener("resize", fitBar);
  }

  /** Seconds from "#t=12.5" (also "#t=12.5,20", the media-fragment form), else null. */
  function hashTime(hash) {
    var m = /^#t=(\d+(?:\.\d+)?)/.exec(hash || "");
    return m ? parseFloat(m[1]) : null;
  }

  /** The end of a span link, "#t=12.5,20" (a key quote): 20; null without one. */
  function hashEnd(hash) {
    var m = /^#t=(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(hash || "");
    return m && parseFloat(m[2]) > parseFloat(m[1]) ? parseFloat(m[2]) : null;
  }

  // A span link plays just that span: the player pauses at its end (once), then plays on freely.
  var stopAt = null, stopTimer = null;
  function clearStop() {
    stopAt = null;
    if (stopTimer) { clearTimeout(stopTimer); stopTimer = null; }
  }
  function checkStop() {
    if (stopTimer) { clearTimeout(stopTimer); stopTimer = null; }
    if (stopAt === null || player.paused) return;
    var left = stopAt - player.currentTime;
    if (left <= 0.02) {
      player.pause();
      player.currentTime = stopAt;
      clearStop();
    } else {
      // timeupdate comes only every 250 ms or so: a timer lands the pause on the last word.
      stopTimer = setTimeout(checkStop, Math.min(left, 0.25) * 1000 / (player.playbackRate || 1));
    }
  }
  function playSpan(href) {
    var end = hashEnd(href);
    clearStop();
    if (end !== null) stopAt = end;
  }

  /** The paragraph being spoken at time t: the last one starting at or before it. */
  function turnAt(t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found >= 0 ? turns[found] : null;
  }

  function reveal(el) {
    el.scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
  }

  function highlight(t, scroll) {
    var p = turnAt(t);
    if (p === current) return;
    if (current) {
      current.classList.remove("current");
      current.removeAttribute("aria-current");
    }
    current = p;
    if (!p) return;
    p.classList.add("current");
    p.setAttribute("aria-current", "true");
    if (scroll || (follow && follow.checked && !player.paused)) reveal(p);
  }

  /** Move the player to t seconds (once it knows its duration) and optionally play. */
  function seek(t, play) {
    function go() {
      player.currentTime = t;
      highlight(t, false);
      if (play) {
        var started = player.play();
        // Autoplay may be refused until the reader interacts; the player stays at t.
        if (started && started.catch) started.catch(function () {});
      }
    }
    if (player.readyState >= 1) {
      go();
    } else {
      player.addEventListener("loadedmetadata", go, { once: true });
      if (player.networkState === 0 || player.preload === "none") player.load();
    }
  }

  document.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var a = e.target.closest ? e.target.closest("a") : null;
    if (!a) return;
    var href = a.getAttribute("href") || "";
    var t = hashTime(href);
    if (t !== null && a.classList.contains("ts")) {
      e.preventDefault();
      playSpan(href);
      if (history.replaceState) history.replaceState(null, "", href);
      seek(t, true);
    } else if (a.hasAttribute("data-seek")) {
      clearStop();
      // A contents link: the browser scrolls to the chapter; the player follows, playing if it was.
      seek(parseFloat(a.getAttribute("data-seek")) || 0, !player.paused);
    }
  });

  player.addEventListener("timeupdate", function () { highlight(player.currentTime, false); checkStop(); });
  player.addEventListener("playing", checkStop);
  player.addEventListener("ratechange", checkStop);
  player.addEventListener("seeking", function () {
    // A reader who moves the player out of the quote's span is no longer playing the quote.
    if (stopAt !== null && player.currentTime > stopAt) clearStop();
  });
  player.addEventListener("seeked", function () { highlight(player.currentTime, false); });

  if (follow) {
    follow.addEventListener("change", function () {
      if (follow.checked && current) reveal(current);
    });
  }

  /** Where a "#id" link's target starts: a transcript paragraph, or a chapter heading (its
      start is on its contents link); null for anything else. */
  function anchorTime(hash) {
    var id;
    try { id = decodeURIComponent((hash || "").slice(1)); } catch (err) { return null; }
    var el = id ? document.getElementById(id) : null;
    if (!el) return null;
    var i = turns.indexOf(el);
    if (i >= 0) return starts[i];
    var links = document.querySelectorAll("a[data-seek]");
    for (var j = 0; j < links.length; j++) {
      if (links[j].getAttribute("href") === "#" + id) return parseFloat(links[j].getAttribute("data-seek")) || 0;
    }
    return null;
  }

  function fromHash(arriving) {
    var t = hashTime(location.hash);
    if (t !== null) {
      playSpan(location.hash);
      var p = turnAt(t);
      if (p) reveal(p);
      seek(t, true);
    } else if (arriving) {
      // Arriving at a paragraph (a search result) or a chapter (a question page's link):
      // cue the player there, so Play starts where the reader is, without playing yet.
      var at = anchorTime(location.hash);
      if (at !== null) seek(at, false);
    }
  }
  window.addEventListener("hashchange", function () { fromHash(false); });
  fromHash(true);
})();
