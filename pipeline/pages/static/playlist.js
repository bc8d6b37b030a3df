/* Learncast: every answer to a question in one play (question pages), and the handout's
   print button. Vanilla JavaScript, no dependencies.

   Each answer on the page (article.answer) names its episode's published MP3 and the
   span of its chapter (data-src, data-start, data-end). One player plays the spans in
   page order: at a span's end it moves to the next answer's file and start. The
   published MP3 already has every redaction silenced, at the same times, so nothing
   here needs to know about cuts. Without this script each answer keeps its own player
   (the MP3 with a #t=start,end fragment), and the playlist panel stays hidden. */
(function () {
  "use strict";

  var printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }

  var box = document.querySelector("[data-playlist]");
  var player = box && box.querySelector("[data-playlist-player]");
  var articles = Array.prototype.slice.call(document.querySelectorAll("article.answer[data-src]"));
  if (!box || !player || !articles.length) return;

  var status = box.querySelector("[data-playlist-status]");
  var speaking = box.querySelector("[data-playlist-speaking]");
  var playButton = box.querySelector("[data-playlist-play]");
  var prevButton = box.querySelector("[data-playlist-prev]");
  var nextButton = box.querySelector("[data-playlist-next]");
  var follow = box.querySelector("[data-playlist-follow]");
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  /** Seconds from a timestamp link's "...#t=12.5", else NaN. */
  function hashTime(href) {
    var m = /#t=(\d+(?:\.\d+)?)/.exec(href || "");
    return m ? parseFloat(m[1]) : NaN;
  }

  var tracks = articles.map(function (el) {
    var turns = Array.prototype.slice.call(el.querySelectorAll(".turn")).map(function (p) {
      var a = p.querySelector("a.ts");
      return { el: p, at: hashTime(a && a.getAttribute("href")) };
    }).filter(function (t) { return !isNaN(t.at); });
    return {
      el: el,
      src: new URL(el.getAttribute("data-src"), document.baseURI).href,
      start: parseFloat(el.getAttribute("data-start")) || 0,
      end: parseFloat(el.getAttribute("data-end")) || 0,
      who: el.getAttribute("data-who") || "",
      turns: turns
    };
  });

  var index = -1;  // the answer playing (or paused), -1 before the first and after the last
  var want = null;  // {start, play}: where to go once the file's metadata is there
  var timer = null;
  var currentTurn = null;

  // The one player takes over: the answers' own players (for readers without scripts) go.
  articles.forEach(function (el, i) {
    var own = el.querySelector(".answer-audio");
    if (own) { own.pause(); own.hidden = true; own.removeAttribute("src"); own.load(); }
    var from = el.querySelector("[data-playlist-from]");
    if (from) {
      from.hidden = false;
      from.addEventListener("click", function () { load(i, true); });
    }
  });
  box.hidden = false;
  // Cued at the first answer's file (nothing is fetched until Play), so the player's own
  // controls work from the start too.
  player.src = tracks[0].src;

  function fill(template, i) {
    return (template || "").replace("{n}", String(i + 1)).replace("{total}", String(tracks.length))
      .replace("{who}", i >= 0 ? tracks[i].who : "");
  }

  function reveal(el) {
    el.scrollIntoView({ block: "nearest", behavior: reduceMotion ? "auto" : "smooth" });
  }

  function startPlaying() {
    var started = player.play();
    // Autoplay may be refused until the reader interacts; the player stays cued.
    if (started && started.catch) started.catch(function () {});
  }

  function applyWant() {
    var w = want;
    want = null;
    player.currentTime = w.start;
    if (w.play) startPlaying();
  }
  player.addEventListener("loadedmetadata", function () { if (want) applyWant(); });

  function markAnswer(i) {
    tracks.forEach(function (t, j) {
      t.el.classList.toggle("current", j === i);
      if (j === i) t.el.setAttribute("aria-current", "true"); else t.el.removeAttribute("aria-current");
    });
    setTurn(null);
  }

  function setTurn(turn) {
    if (turn === currentTurn) return;
    if (currentTurn) {
      currentTurn.el.classList.remove("current");
      currentTurn.el.removeAttribute("aria-current");
    }
    currentTurn = turn;
    if (!turn) { if (speaking) speaking.textContent = ""; return; }
    turn.el.classList.add("current");
    turn.el.setAttribute("aria-current", "true");
    var details = turn.el.closest("details");
    if (details && !details.open) details.open = true;  // the answer's whole transcript is shown
    var name = turn.el.querySelector(".speaker");
    if (speaking && name) speaking.textContent = name.textContent + ": " + (turn.el.querySelector(".text") || turn.el).textContent;
    if (follow && follow.checked && !player.paused) reveal(turn.el);
  }

  /** The paragraph of the playing answer being spoken now. */
  function highlight() {
    if (index < 0) return;
    var t = player.currentTime, found = null;
    tracks[index].turns.forEach(function (turn) { if (turn.at <= t + 0.05) found = turn; });
    setTurn(found);
  }

  /** Cue answer i (0-based) at its start, playing it when asked. */
  function load(i, play) {
    if (i < 0 || i >= tracks.length) return;
    var tr = tracks[i];
    index = i;
    clearTimer();
    markAnswer(i);
    want = { start: tr.start, play: play };
    if (player.currentSrc !== tr.src) {
      player.preload = "auto";
      player.src = tr.src;  // loadedmetadata then seeks to the answer's start
    } else if (player.readyState >= 1) {
      applyWant();
    } else {
      player.preload = "auto";
      player.load();  // cued but never loaded (preload="none"): load it now
    }
    if (status) status.textContent = fill(box.getAttribute("data-now"), i);
    if (follow && follow.checked) reveal(tr.el);
  }

  function finish() {
    clearTimer();
    player.pause();
    index = -1;
    markAnswer(-1);
    if (status) status.textContent = fill(box.getAttribute("data-done"), -1);
  }

  function advance() {
    if (index + 1 < tracks.length) load(index + 1, true); else finish();
  }

  function clearTimer() {
    if (timer) { clearTimeout(timer); timer = null; }
  }

  /** At the end of the playing answer, go on to the next one. */
  function check() {
    clearTimer();
    if (index < 0 || want || player.paused) return;
    var left = tracks[index].end - player.currentTime;
    if (left <= 0.03) {
      advance();
    } else {
      // timeupdate comes only every 250 ms or so: a timer lands the change on the span's end.
      timer = setTimeout(check, Math.min(left, 0.25) * 1000 / (player.playbackRate || 1));
    }
  }

  function labelPlay() {
    if (!playButton) return;
    var playing = !player.paused && index >= 0;
    playButton.textContent = playButton.getAttribute(playing ? "data-pause-label" : "data-play-label");
  }

  player.addEventListener("timeupdate", function () { highlight(); check(); });
  player.addEventListener("playing", check);
  player.addEventListener("ratechange", check);
  player.addEventListener("seeked", function () { highlight(); check(); });
  player.addEventListener("ended", function () { if (index >= 0) advance(); });
  player.addEventListener("play", function () {
    // The player's own Play button, before the first answer or after the last: from the first.
    if (index < 0) load(0, true);
    labelPlay();
  });
  player.addEventListener("pause", labelPlay);

  if (playButton) {
    playButton.addEventListener("click", function () {
      if (index < 0) load(0, true);
      else if (player.paused) startPlaying();
      else player.pause();
    });
  }
  if (prevButton) {
    prevButton.addEventListener("click", function () {
      // As on a music player: back to the start of this answer, or, near its start, the one before.
      if (index > 0 && player.currentTime - tracks[index].start < 3) load(index - 1, true);
      else load(Math.max(index, 0), true);
    });
  }
  if (nextButton) {
    nextButton.addEventListener("click", function () {
      if (index + 1 < tracks.length) load(index + 1, true); else finish();
    });
  }
  if (follow) {
    follow.addEventListener("change", function () {
      if (follow.checked && index >= 0) reveal((currentTurn || tracks[index]).el);
    });
  }
})();
