// Learncast studio: the recording page. Plain JavaScript, no build step.
// Data from the transcript is only ever put in the page with textContent and
// createElement (never innerHTML), so hostile text in a transcript stays text.
// This file is the page's core (the transcript, saving, playback, the side panel and
// chapters); it shares what the editor's other scripts need as window.LearncastStudio:
// editor.js (split, join, undo, redo, speakers, checked words) and redact-words.js
// (redact selected words, struck-through redacted words, silence while playing them).
"use strict";

(function () {
  const root = document.querySelector(".recording");
  if (!root) return;
  const slug = root.dataset.slug;
  const threshold = parseFloat(root.dataset.threshold || "0.5");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const player = document.querySelector("[data-player]");
  const box = document.getElementById("transcript");
  const saveState = document.getElementById("save-state");
  const speedSelect = document.getElementById("speed");
  const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
  const SAVE_AFTER_MS = 700;
  const api = "/api/recordings/" + encodeURIComponent(slug);

  const state = { version: null, data: null, dirty: false, saving: false, timer: null, stale: new Set() };
  let words = [];   // [{start, end, el}] in time order, for the highlight
  let current = null;
  const hooks = {};
  const S = window.LearncastStudio = {
    state, player, box, api, threshold,
    on(name, fn) { (hooks[name] = hooks[name] || []).push(fn); },
  };
  function emit(name, ...args) { for (const fn of hooks[name] || []) fn(...args); }

  const { el, clock, t } = window.LearncastDom;  // dom.js

  function send(method, path, body, options) {
    return fetch(api + path, Object.assign({
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    }, options || {})).then(async (r) => ({ status: r.status, body: await r.json().catch(() => ({})) }));
  }

  // ------------------------------------------------------------ the transcript

  function wordsText(list) { return list.map((w) => w.word.trim()).join(" "); }

  function fillWords(p, seg) {
    p.replaceChildren();
    // Words that no longer spell the text (an undone edit not saved yet) show as text; the
    // next save times them again.
    if (!seg.words || !seg.words.length || wordsText(seg.words) !== seg.text.replace(/\s+/g, " ").trim()) {
      p.textContent = seg.text; return;
    }
    seg.words.forEach((w, j) => {
      if (j) p.appendChild(document.createTextNode(" "));
      const span = el("span", { class: "w", "data-start": w.start, "data-end": w.end, "data-wi": j }, w.word.trim());
      if (w.checked === true) { span.classList.add("checked"); span.title = t("checked by a person"); }
      else if ((w.probability ?? 1) < threshold) {
        span.classList.add("uncertain");
        span.title = t("uncertain: %(percent)s", { percent: Math.round(w.probability * 100) + "%" });
      }
      p.appendChild(span);
    });
  }

  function speakerOptions(select, chosen) {
    select.replaceChildren();
    for (const [key, name] of Object.entries(state.data.speakers)) {
      const opt = el("option", { value: key }, name);
      if (key === chosen) opt.selected = true;
      select.appendChild(opt);
    }
  }

  function renderTurn(seg, i) {
    const turn = el("div", { class: "turn", "data-i": i });
    const head = el("div", { class: "turn-head" });
    const time = el("button", { type: "button", class: "time", "aria-label": t("Play turn %(n)s from %(time)s", { n: i + 1, time: clock(seg.start) }) }, clock(seg.start));
    time.addEventListener("click", () => playFrom(seg.start));
    const label = el("label", { for: "speaker-" + i, class: "visually-hidden" }, t("Speaker of turn %(n)s", { n: i + 1 }));
    const select = el("select", { id: "speaker-" + i, class: "speaker" });
    speakerOptions(select, seg.speaker);
    select.addEventListener("change", changed);
    head.append(time, label, select);
    const p = el("p", { class: "text", role: "textbox", "aria-label": t("Turn %(n)s text", { n: i + 1 }), spellcheck: "true", tabindex: "0" });
    p.contentEditable = "plaintext-only";
    if (p.contentEditable !== "plaintext-only") p.contentEditable = "true";
    fillWords(p, seg);
    turn.append(head, p);
    return turn;
  }

  // The first turns are drawn at once, the rest in slices of about 12 ms, so that a
  // 90-minute transcript opens in well under a second and the page answers while it fills.
  const FIRST_TURNS = 40, SLICE_MS = 12;
  let renderJob = 0;
  function render() {
    const job = ++renderJob;
    let i = 0;
    box.replaceChildren();
    delete box.dataset.complete;
    renderSpeakers();
    (function slice() {
      if (job !== renderJob) return;  // a newer render() took over
      const began = performance.now(), part = document.createDocumentFragment();
      while (i < state.data.segments.length && (i < FIRST_TURNS || performance.now() - began < SLICE_MS)) {
        part.appendChild(renderTurn(state.data.segments[i], i));
        i += 1;
      }
      box.appendChild(part);
      if (i < state.data.segments.length) { setTimeout(slice, 0); return; }
      indexWords();
      box.dataset.complete = "1";
    })();
  }

  function indexWords() {
    words = Array.from(box.querySelectorAll(".w")).map((e) => ({ start: +e.dataset.start, end: +e.dataset.end, el: e }));
    words.sort((a, b) => a.start - b.start);
    const n = box.querySelectorAll(".w.uncertain").length;
    document.getElementById("uncertain-count").textContent = n === 1 ? t("%(n)s uncertain word", { n: n }) : t("%(n)s uncertain words", { n: n });
    emit("indexed");
  }

  function edited() {
    // One pass over the turns (they are in order): a lookup per turn would be O(n^2).
    const turns = box.querySelectorAll(".turn");
    return {
      version: state.version,
      speakers: state.data.speakers,
      segments: state.data.segments.map((s, i) => turns[i] ? Object.assign({}, s, {
        text: turns[i].querySelector(".text").textContent.replace(/\s+/g, " ").trim(),
        speaker: turns[i].querySelector("select.speaker").value,
      }) : s),  // a turn not drawn yet is as it was loaded
    };
  }

  // ------------------------------------------------------------ saving

  function show(text, kind) {
    saveState.textContent = text;
    saveState.dataset.kind = kind || "";
  }

  function changed(options) {
    if (!(options && options.history === false)) emit("change");
    state.dirty = true;
    show(t("Unsaved changes…"), "pending");
    clearTimeout(state.timer);
    state.timer = setTimeout(save, SAVE_AFTER_MS);
  }

  function adopt(version, data) {
    // Take the saved file as the page's model; re-draw the words of turns whose text
    // changed, except the one being typed in (it is re-drawn when the caret leaves it).
    // A turn whose text and word count are as before kept its words (the server re-times
    // only the turns whose text changed): comparing every word would cost a long task.
    const before = state.data;
    const turns = box.querySelectorAll(".turn");
    let redrawn = false;
    state.version = version;
    state.data = data;
    data.segments.forEach((seg, i) => {
      const old = before && before.segments[i];
      if (old && old.text === seg.text && old.words.length === seg.words.length) return;
      const p = turns[i] && turns[i].querySelector(".text");
      if (p && p.contains(document.activeElement)) state.stale.add(i);
      else if (p) { fillWords(p, seg); redrawn = true; }
    });
    if (redrawn) indexWords();
  }

  function save(options) {
    if (state.saving || !state.dirty || !state.data) return state.inflight || Promise.resolve();
    state.inflight = saveNow(options);
    return state.inflight;
  }

  // Every pending change saved (true), or false when a save failed or is in conflict.
  async function flush() {
    for (let n = 0; n < 50; n++) {
      if (state.saving) { await state.inflight; continue; }
      if (!document.getElementById("conflict").hidden || state.failed) return false;
      if (!state.dirty) return true;
      clearTimeout(state.timer);
      await save();
    }
    return false;
  }

  async function saveNow(options) {
    state.saving = true;
    state.dirty = false;
    show(t("Saving…"), "pending");
    let result;
    try {
      result = await send("PUT", "/transcript", edited(), options);
    } catch (err) {
      result = { status: 0, body: { error: t("the studio is not answering (%(why)s)", { why: err.message }) } };
    }
    state.saving = false;
    state.failed = result.status !== 200;
    if (result.status === 200) {
      adopt(result.body.version, result.body.data);
      if (state.dirty) { save(); return; }
      show(t("All changes saved"), "ok");
      emit("saved");
    } else if (result.status === 409) {
      conflict(result.body);
    } else {
      state.dirty = true;
      show(t("Not saved: %(why)s", { why: result.body.error || "HTTP " + result.status }), "error");
      clearTimeout(state.timer);
      state.timer = setTimeout(save, 5000);
    }
  }

  function conflict(body) {
    const panel = document.getElementById("conflict");
    const yours = document.getElementById("conflict-yours");
    const theirs = document.getElementById("conflict-theirs");
    yours.replaceChildren();
    theirs.replaceChildren();
    const mine = edited();
    mine.segments.forEach((s, i) => {
      const other = body.current.segments[i];
      if (other && other.text === s.text && other.speaker === s.speaker) return;
      yours.appendChild(el("p", {}, t("Turn %(n)s: %(text)s", { n: i + 1, text: s.text })));
      theirs.appendChild(el("p", {}, t("Turn %(n)s: %(text)s", { n: i + 1, text: other ? other.text : t("(no such turn)") })));
    });
    if (!yours.childNodes.length) yours.appendChild(el("p", {}, t("(the same text; other details differ)")));
    panel.hidden = false;
    panel.dataset.version = body.version;
    state.conflict = body;
    show(t("Not saved: changed elsewhere"), "error");
    panel.querySelector("button").focus();
  }

  document.getElementById("keep-mine").addEventListener("click", () => {
    const panel = document.getElementById("conflict");
    state.version = panel.dataset.version;
    panel.hidden = true;
    state.dirty = true;
    save();
  });
  document.getElementById("load-theirs").addEventListener("click", () => {
    document.getElementById("conflict").hidden = true;
    state.version = state.conflict.version;
    state.data = state.conflict.current;
    state.dirty = false;
    render();
    emit("loaded");
    show(t("Loaded the saved text"), "ok");
  });

  box.addEventListener("input", (e) => { if (e.target.closest(".text")) changed(); });
  box.addEventListener("focusout", (e) => {
    const turn = e.target.closest(".turn");
    if (!turn) return;
    const i = +turn.dataset.i;
    if (state.stale.has(i) && !state.dirty && !state.saving) {
      state.stale.delete(i);
      fillWords(turn.querySelector(".text"), state.data.segments[i]);
      indexWords();
    }
  });
  box.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target.closest(".text")) e.preventDefault();  // a turn is one paragraph
  });
  window.addEventListener("beforeunload", (e) => {
    if (state.dirty || state.saving) { save({ keepalive: true }); e.preventDefault(); }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && state.dirty) { clearTimeout(state.timer); save({ keepalive: true }); }
  });

  // ------------------------------------------------------------ speakers

  function renderSpeakers() {
    const panel = document.getElementById("speakers");
    panel.replaceChildren();
    for (const [key, name] of Object.entries(state.data.speakers)) {
      const id = "speaker-name-" + key.replace(/[^a-z0-9_-]/gi, "_");
      const row = el("div", { class: "stack" });
      const label = el("label", { for: id }, t("Name for “%(key)s”", { key: key }));
      const input = el("input", { id: id, value: name, "data-key": key, autocomplete: "off" });
      input.addEventListener("input", () => {
        const value = input.value.replace(/\s+/g, " ").trim();
        if (!value) return;
        state.data.speakers[key] = value;
        box.querySelectorAll("select.speaker option[value='" + CSS.escape(key) + "']").forEach((o) => { o.textContent = value; });
        // the save renames the interviewee in the details too (app.carry_names): show it there
        const details = key === "interviewee" && document.getElementById("d-interviewee");
        if (details) details.value = value;
        const who = key === "interviewee" && document.getElementById("who-interviewee");
        if (who) who.textContent = value;
        changed();
      });
      row.append(label, input);
      panel.appendChild(row);
    }
  }

  // ------------------------------------------------------------ playback

  function playFrom(t) {
    player.currentTime = t;
    player.play().catch(() => {});
  }

  function toggle() { if (player.paused) player.play().catch(() => {}); else player.pause(); }

  function setSpeed(rate) {
    player.playbackRate = rate;
    speedSelect.value = String(rate);
    show(t("Speed %(rate)s×", { rate: rate }), saveState.dataset.kind);
  }

  function stepSpeed(dir) {
    let i = SPEEDS.indexOf(player.playbackRate);
    if (i < 0) i = SPEEDS.indexOf(1);
    setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, i + dir))]);
  }

  speedSelect.addEventListener("change", () => setSpeed(parseFloat(speedSelect.value)));

  box.addEventListener("click", (e) => {
    const w = e.target.closest(".w");
    if (w) playFrom(parseFloat(w.dataset.start));
  });

  document.addEventListener("keydown", (e) => {
    const ctrl = e.ctrlKey || e.metaKey;
    let done = true;
    if (e.key === "Escape" && !ctrl && !e.altKey) toggle();
    else if (ctrl && (e.code === "Space" || e.key === " ")) toggle();
    else if (ctrl && e.key === ",") player.currentTime = Math.max(0, player.currentTime - 3);
    else if (ctrl && e.key === ".") player.currentTime = Math.min(player.duration || Infinity, player.currentTime + 3);
    else if (ctrl && e.key === "ArrowUp") stepSpeed(1);
    else if (ctrl && e.key === "ArrowDown") stepSpeed(-1);
    else done = false;
    if (done) { e.preventDefault(); e.stopPropagation(); }
  }, true);

  function highlight() {
    const t = player.currentTime;
    let lo = 0, hi = words.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (words[mid].start <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    const w = found >= 0 && t <= words[found].end + 0.25 ? words[found].el : null;
    if (w !== current) {
      if (current) current.classList.remove("current");
      if (w) w.classList.add("current");
      current = w;
    }
    if (!player.paused) requestAnimationFrame(highlight);
  }
  player.addEventListener("play", () => requestAnimationFrame(highlight));
  player.addEventListener("seeked", highlight);

  // ------------------------------------------------------------ the side panel

  const message = document.getElementById("side-message");
  function said(result, ok) {
    message.textContent = result.status === 200 ? ok(result.body) : t("Not saved: %(why)s", { why: result.body.error || "HTTP " + result.status });
    message.dataset.kind = result.status === 200 ? "ok" : "error";
  }
  function form(id, handler) {
    document.getElementById(id).addEventListener("submit", async (e) => {
      e.preventDefault();
      await handler(Object.fromEntries(new FormData(e.target).entries()), e.target);
    });
  }

  form("review-form", async (v) => said(await send("POST", "/review", { by: v.by, reviewed: true }), (b) => {
    const text = t("Reviewed by %(name)s at %(time)s.", { name: b.reviewed_by, time: b.reviewed_at });
    document.getElementById("review-state").textContent = text;
    return text;
  }));
  form("consent-form", async (v) => said(await send("POST", "/consent", { consent: v.consent || "", until: v.until || "" }), (b) => {
    const values = { decision: b.consent, date: b.publish_after };
    document.getElementById("consent-state").textContent = b.publish_after
      ? t("Consent: %(decision)s, not before %(date)s", values) : t("Consent: %(decision)s", values);
    return b.publish_after ? t("Consent: %(decision)s, not before %(date)s. Recorded.", values) : t("Consent: %(decision)s. Recorded.", values);
  }));
  form("details-form", async (v) => said(await send("POST", "/details", v), () => t("Details saved in the sidecar.")));
  form("redact-form", async (v, f) => {
    const body = v.text ? { text: v.text, reason: v.reason } : { start: v.start, end: v.end, reason: v.reason };
    const result = await send("POST", "/redactions", body);
    said(result, (b) => { renderRedactions(b.redactions); f.reset(); return t("Redaction added."); });
  });

  function renderRedactions(list) {
    emit("redactions", list);
    const ol = document.getElementById("redactions");
    ol.replaceChildren();
    ol.hidden = !list.length;
    document.getElementById("no-redactions").hidden = !!list.length;
    for (const r of list) {
      const li = el("li", {}, r.describe + " ");
      const b = el("button", { type: "button", "aria-label": t("Remove redaction %(n)s: %(what)s", { n: r.n, what: r.describe }) }, t("Remove"));
      b.addEventListener("click", async () => {
        const result = await send("DELETE", "/redactions/" + r.n);
        said(result, (body) => { renderRedactions(body.redactions); return t("Redaction removed."); });
      });
      li.appendChild(b);
      ol.appendChild(li);
    }
  }

  // ------------------------------------------------------------ chapters

  const ch = { list: [], questions: [], index: 0, word: null, chosen: null };
  const chMessage = document.getElementById("chapter-message");

  function questionOptions(select, chosen) {
    select.replaceChildren();
    for (const q of ch.questions) {
      const opt = el("option", { value: q.id }, q.title + " (" + q.id + ")");
      if (q.id === chosen) opt.selected = true;
      select.appendChild(opt);
    }
  }

  function renderChapters(body) {
    ch.list = body.chapters;
    ch.questions = body.questions;
    const bar = document.getElementById("chapter-bar");
    const note = document.getElementById("chapters-note");
    const focused = bar.contains(document.activeElement);  // a keyboard user keeps their place in the bar
    bar.replaceChildren();
    document.getElementById("chapter-edit").hidden = !ch.list.length;
    if (!ch.list.length) { note.textContent = body.message || t("No chapters yet."); return; }
    note.textContent = (body.by_hand ? t("transcript.json holds chapters written there by hand; they win over these corrections.") + " "
      : "") + (body.built ? t("These are the chapters of the last build.") : t("The next build makes these chapters."));
    ch.index = Math.min(ch.index, ch.list.length - 1);
    ch.list.forEach((c, i) => {
      const li = el("li", {});
      li.style.flex = String(Math.max(c.end - c.start, 0.001)) + " 1 0";
      const b = el("button", { type: "button", "aria-pressed": String(i === ch.index),
        title: clock(c.start) + "–" + clock(c.end) + " " + c.title }, clock(c.start) + " " + c.title);
      if (c.low_confidence) b.appendChild(el("span", { class: "check" }, t("check")));
      b.addEventListener("click", () => { ch.index = i; renderChapters(body); playFromChapter(c); });
      li.appendChild(b);
      bar.appendChild(li);
      if (focused && i === ch.index) b.focus();
    });
    const c = ch.list[ch.index];
    document.getElementById("chapter-edit-h").textContent = t("Chapter %(n)s of %(count)s, %(start)s–%(end)s",
      { n: ch.index + 1, count: ch.list.length, start: clock(c.start), end: clock(c.end) }) +
      (c.corrected ? " " + t("(corrected)") : "") + (c.low_confidence ? " " + t("(check)") : "");
    questionOptions(document.getElementById("chapter-question"), c.question);
    questionOptions(document.getElementById("chapter-split-question"), c.question);
    document.getElementById("chapter-title").value = c.title;
    document.getElementById("chapter-merge").disabled = ch.index === 0;
  }

  function playFromChapter(c) { player.currentTime = c.start; }

  async function changeChapter(change, done) {
    const result = await send("POST", "/chapters", change);
    if (result.status === 200) {
      renderChapters(result.body);
      chMessage.textContent = done;
      chMessage.dataset.kind = "ok";
    } else {
      chMessage.textContent = t("Not saved: %(why)s", { why: result.body.error || "HTTP " + result.status });
      chMessage.dataset.kind = "error";
    }
  }

  function chosenWord() {
    if (ch.word === null) { chMessage.textContent = t("Click or select a word in the transcript first."); chMessage.dataset.kind = "error"; }
    return ch.word;
  }

  function pickWord(w) {
    if (!w) return;
    if (w === ch.chosen) return;  // called on every caret move: no work when the word is the same
    if (ch.chosen) ch.chosen.classList.remove("chosen");
    w.classList.add("chosen");
    ch.chosen = w;
    ch.word = parseFloat(w.dataset.start);
    document.getElementById("chapter-word").textContent = t("“%(word)s” at %(time)s", { word: w.textContent, time: clock(ch.word) });
  }

  box.addEventListener("click", (e) => pickWord(e.target.closest(".w")));
  // Tabbing through the turns (to reach "Start here" again) puts the cursor at the start of
  // each: that is not choosing its first word. Any other key, or the pointer, is.
  let caretMoved = false;
  document.addEventListener("keydown", (e) => { caretMoved = e.key !== "Tab" && e.key !== "Shift"; }, true);
  document.addEventListener("pointerdown", () => { caretMoved = true; }, true);
  document.addEventListener("selectionchange", () => {
    if (!caretMoved) return;
    const sel = window.getSelection();
    const node = sel && sel.anchorNode;
    if (!node || !box.contains(node)) return;
    const w = (node.nodeType === 1 ? node : node.parentElement).closest(".w");
    if (w) pickWord(w);
  });

  document.getElementById("chapter-question").addEventListener("change", (e) => {
    const c = ch.list[ch.index];
    changeChapter({ action: "relabel", at: c.start, question: e.target.value }, t("Relabelled. Saved in chapters.edit.toml."));
  });
  document.getElementById("chapter-rename").addEventListener("click", () => {
    const c = ch.list[ch.index];
    changeChapter({ action: "rename", at: c.start, title: document.getElementById("chapter-title").value }, t("Renamed. Saved in chapters.edit.toml."));
  });
  document.getElementById("chapter-title").addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); document.getElementById("chapter-rename").click(); }
  });
  document.getElementById("chapter-start-here").addEventListener("click", () => {
    const at = chosenWord();
    if (at !== null) changeChapter({ action: "move", at: ch.list[ch.index].start, to: at }, t("Moved. Saved in chapters.edit.toml."));
  });
  document.getElementById("chapter-split").addEventListener("click", () => {
    const at = chosenWord();
    const q = document.getElementById("chapter-split-question").value;
    if (at !== null) {
      ch.index = ch.list.filter((c) => c.start <= at).length;
      changeChapter({ action: "split", at: at, question: q }, t("Split. Saved in chapters.edit.toml."));
    }
  });
  document.getElementById("chapter-merge").addEventListener("click", () => {
    const c = ch.list[ch.index];
    ch.index = Math.max(0, ch.index - 1);
    changeChapter({ action: "merge", at: c.start }, t("Merged into the chapter before. Saved in chapters.edit.toml."));
  });

  // ------------------------------------------------------------ shared with the editor's scripts

  function refreshSpeakerSelects() {
    box.querySelectorAll("select.speaker").forEach((select) => speakerOptions(select, select.value));
  }

  Object.assign(S, { el, clock, send, show, changed, save, flush, render, fillWords, indexWords,
    edited, wordsText, renderSpeakers, refreshSpeakerSelects, renderRedactions, playFrom, said });

  // Find and replace (replace.js) changed the file: take it, unless this page has an unsaved edit (its save
  // then gets the 409 conflict); the editor makes it one step to undo ("replaced").
  document.addEventListener("learncast:transcript-changed", () => { if (!state.dirty && !state.saving && state.data) send("GET", "/transcript")
    .then((got) => { if (got.status === 200) { adopt(got.body.version, got.body.data); emit("replaced"); show(t("All changes saved"), "ok"); } }); });

  // ------------------------------------------------------------ start

  // The transcript is drawn as soon as it comes (data-transcript), not after the chapters; the
  // chapters and redactions are asked for once it has come, so the server works on it alone.
  const loading = [send("GET", "/transcript")];
  loading.push(loading[0].then(() => send("GET", "/redactions")), loading[0].then(() => send("GET", "/chapters")));
  loading[0] = loading[0].then((got) => {
    if (got.status !== 200) { box.replaceChildren(el("p", {}, got.body.error || t("The transcript cannot be loaded."))); show(""); return got; }
    state.version = got.body.version;
    state.data = got.body.data;
    render();
    emit("loaded");
    show(t("All changes saved"), "ok");
    root.dataset.transcript = "1";
    return got;
  });
  Promise.all(loading).then(([got, r, c]) => {
    if (got.status !== 200) return;
    if (r.status === 200) renderRedactions(r.body.redactions);
    if (c.status === 200) renderChapters(c.body);
    else document.getElementById("chapters-note").textContent = c.body.error || t("The chapters cannot be loaded.");
    root.dataset.ready = "1";
  });
})();
