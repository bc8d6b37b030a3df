// Learncast studio: redact the words a person selects, show redacted words struck through
// (with a visible "redacted" label, not colour or strike alone) and keep the player silent
// over every redacted span, as the published audio will be. The spans come from the
// studio (GET .../redactions/spans), worked out as the build does. Runs after studio.js.
"use strict";

(function () {
  const S = window.LearncastStudio;
  const { t } = window.LearncastDom;  // dom.js
  const REDACTED = t("redacted");  // a cut word's title
  if (!S) return;
  const { state, box, player } = S;
  const form = document.getElementById("redact-words-form");
  const what = document.getElementById("redact-words-what");
  const message = document.getElementById("editor-message");
  const silence = document.getElementById("silence-note");
  let spans = [];
  let chosen = null;   // {start, end, text} of the words selected in the transcript

  function say(text, kind) {
    message.textContent = text;
    message.dataset.kind = kind || "";
  }

  // ------------------------------------------------------------ the selection

  function selectedWords() {
    const sel = window.getSelection();
    if (!sel || !sel.rangeCount || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    const list = Array.from(box.querySelectorAll(".w")).filter((w) => range.intersectsNode(w));
    return list.length ? list : null;
  }

  // The words selected in the transcript now; undefined when the selection is elsewhere
  // (on a button, say), which keeps the last choice.
  function choose() {
    const sel = window.getSelection();
    if (!sel || !sel.rangeCount || !box.contains(sel.anchorNode)) return;
    const list = selectedWords();
    chosen = list && {
      start: parseFloat(list[0].dataset.start), end: parseFloat(list[list.length - 1].dataset.end),
      text: list.map((w) => w.textContent).join(" "),
    };
  }

  document.addEventListener("selectionchange", choose);

  // selectionchange arrives later than a key press can (the browser runs input first), so a
  // shortcut pressed straight after selecting reads the selection itself.
  S.selectedWords = () => { choose(); return chosen; };  // for quotes.js: {start, end, text}

  function open() {
    choose();
    if (!chosen) { say(t("Select the words to redact in the transcript first."), "error"); return; }
    what.textContent = "“" + chosen.text + "”, " + S.clock(chosen.start) + "–" + S.clock(Math.ceil(chosen.end));
    form.dataset.start = chosen.start;
    form.dataset.end = chosen.end;
    form.dataset.text = chosen.text;
    form.hidden = false;
    document.getElementById("redact-words-reason").focus();
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const reason = document.getElementById("redact-words-reason").value;
    const everywhere = document.getElementById("redact-words-everywhere").checked;
    const body = everywhere ? { text: form.dataset.text, reason: reason }
      : { start: form.dataset.start, end: form.dataset.end, reason: reason };
    const result = await S.send("POST", "/redactions", body);
    if (result.status !== 200) { say(t("Not redacted: %(why)s", { why: result.body.error || "HTTP " + result.status }), "error"); return; }
    S.renderRedactions(result.body.redactions);
    form.hidden = true;
    form.reset();
    say(t("Redacted %(what)s; written to redactions.toml.", { what: what.textContent }), "ok");
    document.getElementById("redact-selection").focus();
  });
  document.getElementById("redact-words-cancel").addEventListener("click", () => {
    form.hidden = true;
    form.reset();
    document.getElementById("redact-selection").focus();
  });
  document.getElementById("redact-selection").addEventListener("click", open);
  document.addEventListener("keydown", (e) => {
    if (e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.code === "KeyR") {
      e.preventDefault();
      e.stopPropagation();
      open();
    }
  }, true);

  // ------------------------------------------------------------ struck through

  function inside(start, end) {
    const mid = (start + end) / 2;
    return spans.some(([a, b]) => a - 0.01 <= mid && mid <= b + 0.01);
  }

  function mark() {
    let previous = false;
    box.querySelectorAll(".w").forEach((w) => {
      const cut = inside(parseFloat(w.dataset.start), parseFloat(w.dataset.end));
      w.classList.toggle("redacted", cut);
      w.classList.toggle("redacted-first", cut && !previous);
      if (cut) w.title = REDACTED;
      else if (w.title === REDACTED) w.removeAttribute("title");
      previous = cut;
    });
    const n = box.querySelectorAll(".w.redacted").length;
    document.getElementById("redacted-count").textContent = n === 1 ? t("%(n)s redacted word", { n: n }) : n ? t("%(n)s redacted words", { n: n }) : "";
  }

  async function refresh() {
    const result = await S.send("GET", "/redactions/spans");
    if (result.status !== 200) return;
    spans = result.body.spans;
    const lost = result.body.unmatched || [], warn = document.getElementById("redactions-unmatched");
    warn.textContent = lost.length ? t("Matches nothing now: %(phrases)s. The episode stays unpublished until you cut the words as they now read (select them, Redact) and remove the old entry.",
      { phrases: "\u201c" + lost.join("\u201d, \u201c") + "\u201d" }) : "";
    warn.hidden = !lost.length;
    mark();
    guard();
  }

  S.on("indexed", mark);
  S.on("redactions", refresh);
  S.on("saved", () => { if (spans.length || document.querySelector("#redactions li")) refresh(); });

  // ------------------------------------------------------------ silence while playing them

  let silenced = false, mutedBefore = false;

  function guard() {
    const now = player.currentTime;
    const cut = spans.some(([a, b]) => a <= now && now < b);
    if (cut !== silenced) {
      if (cut) { mutedBefore = player.muted; player.muted = true; }
      else player.muted = mutedBefore;
      silenced = cut;
      silence.hidden = !cut;
    }
  }

  function loop() {
    guard();
    if (!player.paused) requestAnimationFrame(loop);
  }
  player.addEventListener("play", () => requestAnimationFrame(loop));
  player.addEventListener("timeupdate", guard);
  player.addEventListener("seeking", guard);
  player.addEventListener("seeked", guard);
})();
