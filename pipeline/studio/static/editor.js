// Learncast studio, the transcript editor's tools: split and join turns, undo and redo,
// add a speaker, next uncertain word and mark it checked. Runs after studio.js and uses
// what it shares as window.LearncastStudio. Text goes in the page only as text.
"use strict";

(function () {
  const S = window.LearncastStudio;
  const { t } = window.LearncastDom;  // dom.js
  if (!S) return;
  const { state, box } = S;
  const message = document.getElementById("editor-message");
  const undoButton = document.getElementById("undo");
  const redoButton = document.getElementById("redo");

  function say(text, kind) {
    message.textContent = text;
    message.dataset.kind = kind || "";
  }

  function clone(value) { return JSON.parse(JSON.stringify(value)); }

  // ------------------------------------------------------------ where the person is

  // The turn and the number of words before the caret, kept when focus moves to a button.
  let caret = null;
  let focusWord = null;   // the word span the caret is in
  let currentUncertain = null;

  function wordCountBefore(p, range) {
    const before = document.createRange();
    before.selectNodeContents(p);
    before.setEnd(range.startContainer, range.startOffset);
    const prefix = before.toString();
    const full = p.textContent;
    let k = prefix.split(/\s+/).filter(Boolean).length;
    if (prefix && !/\s$/.test(prefix) && full.length > prefix.length && !/\s/.test(full[prefix.length])) k -= 1;
    return k;
  }

  document.addEventListener("selectionchange", () => {
    const sel = window.getSelection();
    if (!sel || !sel.rangeCount || !box.contains(sel.anchorNode)) return;
    const node = sel.anchorNode.nodeType === 1 ? sel.anchorNode : sel.anchorNode.parentElement;
    const p = node.closest(".text");
    if (!p) return;
    caret = { i: +p.closest(".turn").dataset.i, k: wordCountBefore(p, sel.getRangeAt(0)) };
    focusWord = node.closest(".w");
  });

  // Where an action applies: the focused turn (at its selection, or its start when the
  // selection is elsewhere), else where the caret was last.
  function where() {
    const active = document.activeElement;
    const turn = active && box.contains(active) ? active.closest(".turn") : null;
    if (!turn) return caret;
    const i = +turn.dataset.i;
    const p = active.closest(".text");
    if (!p) { caret = { i: i, k: 0 }; return caret; }  // its time button or speaker list
    const sel = window.getSelection();
    caret = sel && sel.rangeCount && p.contains(sel.anchorNode) ? { i: i, k: wordCountBefore(p, sel.getRangeAt(0)) } : { i: i, k: 0 };
    return caret;
  }

  function turnOf(i) { return box.querySelector('.turn[data-i="' + i + '"] .text'); }

  function placeCaret(p, atEnd) {
    if (!p) return;
    p.focus();
    const range = document.createRange();
    range.selectNodeContents(p);
    range.collapse(!atEnd);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // ------------------------------------------------------------ undo and redo

  // `base` is the transcript as of the last history point; the first change after it
  // pushes it on the undo stack, and the next save (with nothing pending) starts a new one.
  const history = { undo: [], redo: [], base: null, open: false };
  const HISTORY_LIMIT = 200;  // steps kept: each is a copy of the whole transcript

  function snapshot() { return clone({ speakers: state.data.speakers, segments: state.data.segments }); }

  function updateButtons() {
    undoButton.disabled = !history.undo.length;
    redoButton.disabled = !history.redo.length;
  }

  S.on("loaded", () => { history.base = snapshot(); history.undo = []; history.redo = []; history.open = false; updateButtons(); });
  S.on("change", () => {
    if (history.open || !history.base) return;
    history.undo.push(history.base);
    if (history.undo.length > HISTORY_LIMIT) history.undo.shift();
    history.redo = [];
    history.open = true;
    updateButtons();
  });
  S.on("saved", () => {
    if (state.dirty) return;
    history.base = snapshot();
    history.open = false;
  });

  S.on("replaced", () => {  // find and replace saved a change: one step to undo
    if (!history.base) return;
    history.undo.push(history.base);
    if (history.undo.length > HISTORY_LIMIT) history.undo.shift();
    history.redo = [];
    history.base = snapshot();
    history.open = false;
    updateButtons();
  });

  function restore(snap) {
    state.data.speakers = clone(snap.speakers);
    state.data.segments = clone(snap.segments);
    S.render();
    history.base = clone(snap);
    history.open = false;
    S.changed({ history: false });
    updateButtons();
  }

  async function step(from, to, done, none) {
    if (!(await S.flush())) { say(t("Wait until the changes are saved, then try again."), "error"); return; }
    if (!from.length) { say(none, ""); return; }
    to.push(snapshot());
    restore(from.pop());
    say(done, "ok");
  }

  const undo = () => step(history.undo, history.redo, t("Undone; saving."), t("Nothing to undo."));
  const redo = () => step(history.redo, history.undo, t("Redone; saving."), t("Nothing to redo."));
  undoButton.addEventListener("click", undo);
  redoButton.addEventListener("click", redo);

  // ------------------------------------------------------------ split and join

  // The turns as saved (text, words and timings agreeing), or null with a message.
  const spelled = (seg) => S.wordsText(seg.words) === seg.text.replace(/\s+/g, " ").trim();

  async function settled(i) {
    if (!(await S.flush())) { say(t("Wait until the changes are saved, then try again."), "error"); return null; }
    let seg = state.data.segments[i];
    if (seg && seg.words && seg.words.length && !spelled(seg)) {
      // text edited outside the studio: a save times its words again (see edits.py)
      S.changed({ history: false });
      if (!(await S.flush())) { say(t("Wait until the changes are saved, then try again."), "error"); return null; }
      seg = state.data.segments[i];
    }
    if (!seg || !seg.words || !seg.words.length || !spelled(seg)) {
      say(t("Turn %(n)s has no word timings to split or join by.", { n: i + 1 }), "error");
      return null;
    }
    return seg;
  }

  async function split() {
    const at = where();
    if (!at) { say(t("Put the caret in a turn, before the word that starts the new turn."), "error"); return; }
    const seg = await settled(at.i);
    if (!seg) return;
    const k = at.k;
    if (k <= 0 || k >= seg.words.length) { say(t("Put the caret between two words of the turn to split it there."), "error"); return; }
    const first = seg.words.slice(0, k), second = seg.words.slice(k);
    const a = { start: seg.start, end: Math.max(seg.start, first[first.length - 1].end), text: S.wordsText(first),
      speaker: seg.speaker, words: first };
    const bStart = Math.min(second[0].start, seg.end);
    const b = { start: bStart, end: Math.max(bStart, seg.end), text: S.wordsText(second), speaker: seg.speaker, words: second };
    S.changed();
    state.data.segments.splice(at.i, 1, a, b);
    S.render();
    placeCaret(turnOf(at.i + 1), false);
    say(t("Split turn %(n)s before “%(word)s”; saving.", { n: at.i + 1, word: second[0].word.trim() }), "ok");
  }

  async function join() {
    const at = where();
    const i = at ? at.i : null;
    if (i === null) { say(t("Put the caret in the turn to join with the next one."), "error"); return; }
    if (i + 1 >= state.data.segments.length) { say(t("Turn %(n)s is the last turn; there is none to join it with.", { n: i + 1 }), "error"); return; }
    const a = await settled(i);
    const b = a && await settled(i + 1);
    if (!b) return;
    const speaker = document.getElementById("join-speaker").value || a.speaker;
    const joined = { start: a.start, end: Math.max(a.end, b.end), text: a.text + " " + b.text, speaker: speaker,
      words: a.words.concat(b.words) };
    S.changed();
    state.data.segments.splice(i, 2, joined);
    document.getElementById("join-speaker").value = "";
    S.render();
    placeCaret(turnOf(i), true);
    say(t("Joined turns %(first)s and %(second)s as %(speaker)s; saving.", { first: i + 1, second: i + 2, speaker: state.data.speakers[speaker] }), "ok");
  }

  function joinSpeakerOptions() {
    const select = document.getElementById("join-speaker");
    const chosen = select.value;
    select.replaceChildren(S.el("option", { value: "" }, t("this turn's speaker")));
    for (const [key, name] of Object.entries(state.data.speakers)) {
      const opt = S.el("option", { value: key }, name);
      if (key === chosen) opt.selected = true;
      select.appendChild(opt);
    }
  }
  S.on("loaded", joinSpeakerOptions);

  document.getElementById("split-turn").addEventListener("click", split);
  document.getElementById("join-turn").addEventListener("click", join);

  // ------------------------------------------------------------ more speakers

  document.getElementById("add-speaker-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = document.getElementById("new-speaker");
    const name = input.value.replace(/\s+/g, " ").trim();
    if (!name) { say(t("Give the new speaker a name."), "error"); return; }
    let n = Object.keys(state.data.speakers).length + 1;
    while (("speaker-" + n) in state.data.speakers) n += 1;
    const key = "speaker-" + n;
    S.changed();
    state.data.speakers[key] = name;
    S.renderSpeakers();
    S.refreshSpeakerSelects();
    joinSpeakerOptions();
    input.value = "";
    say(t("Added %(name)s (%(key)s); choose them in a turn's speaker list.", { name: name, key: key }), "ok");
  });
  S.on("saved", joinSpeakerOptions);

  // ------------------------------------------------------------ uncertain words

  function selectWord(w) {
    const p = w.closest(".text");
    p.focus();
    const range = document.createRange();
    range.selectNodeContents(w);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    w.scrollIntoView({ block: "center" });
    S.player.currentTime = parseFloat(w.dataset.start);
  }

  // The next uncertain word after the current one (or the caret), round to the first.
  function nextUncertain() {
    const all = Array.from(box.querySelectorAll(".w.uncertain"));
    if (!all.length) { currentUncertain = null; say(t("No uncertain words left."), "ok"); return; }
    const from = currentUncertain && box.contains(currentUncertain) ? currentUncertain : focusWord;
    let next = all[0];
    if (from && box.contains(from)) {
      const after = all.find((w) => from.compareDocumentPosition(w) & Node.DOCUMENT_POSITION_FOLLOWING);
      if (after) next = after;
    }
    currentUncertain = next;
    selectWord(next);
    say(t("Uncertain word “%(word)s”, %(n)s left.", { word: next.textContent, n: all.length }), "");
  }

  function target() {
    if (focusWord && box.contains(focusWord) && focusWord.classList.contains("uncertain")) return focusWord;
    if (currentUncertain && box.contains(currentUncertain) && currentUncertain.classList.contains("uncertain")) return currentUncertain;
    return null;
  }

  async function markChecked() {
    const w = target();
    if (!w) { say(t("Go to an uncertain word first (Next uncertain word)."), "error"); return; }
    const i = +w.closest(".turn").dataset.i;
    if (!(await S.flush())) { say(t("Wait until the changes are saved, then try again."), "error"); return; }
    const seg = state.data.segments[i];
    const start = parseFloat(w.dataset.start);
    const word = seg.words.find((x) => Math.abs(x.start - start) < 1e-6 && x.word.trim() === w.textContent);
    if (!word) { say(t("That word was changed; a word you typed is not uncertain."), "error"); return; }
    S.changed();
    word.checked = true;
    const p = turnOf(i);
    S.fillWords(p, seg);
    S.indexWords();
    const marked = p.querySelector('.w[data-wi="' + seg.words.indexOf(word) + '"]');
    currentUncertain = marked;
    focusWord = marked;
    say(t("Marked “%(word)s” as checked; saving.", { word: word.word.trim() }), "ok");
    if (box.querySelector(".w.uncertain")) nextUncertain();
    else { placeCaret(p, true); say(t("Marked “%(word)s” as checked. No uncertain words left.", { word: word.word.trim() }), "ok"); }
  }

  document.getElementById("next-uncertain").addEventListener("click", nextUncertain);
  document.getElementById("mark-checked").addEventListener("click", markChecked);

  // ------------------------------------------------------------ keys

  function inTextField(target) {
    return target.isContentEditable || target.tagName === "TEXTAREA" ||
      (target.tagName === "INPUT" && !["radio", "checkbox", "button", "submit"].includes(target.type));
  }

  document.addEventListener("keydown", (e) => {
    if (!state.data) return;
    const ctrl = e.ctrlKey || e.metaKey;
    const plainAlt = e.altKey && !ctrl && !e.shiftKey;
    let action = null;
    if (plainAlt && e.key === "Enter") action = split;
    else if (plainAlt && e.code === "KeyJ") action = join;
    else if (plainAlt && e.code === "KeyN") action = nextUncertain;
    else if (ctrl && !e.altKey && !e.shiftKey && e.key === "Enter") action = markChecked;
    else if (ctrl && !e.altKey && !inTextField(e.target)) {
      const key = e.key.toLowerCase();
      if (key === "z" && !e.shiftKey) action = undo;
      else if ((key === "z" && e.shiftKey) || (key === "y" && !e.shiftKey)) action = redo;
    }
    if (!action) return;
    e.preventDefault();
    e.stopPropagation();
    action();
  }, true);

  updateButtons();
})();
