// Learncast studio: "Teach the question set your team's wording" (in the chapters panel).
// Asks the server which phrasings this recording's corrected chapters offer, shows them as
// checkboxes (text only, through el()), and adds the ticked ones to the workspace's question
// set. Plain JavaScript, no build step; studio.js's send() carries the CSRF token.
"use strict";

(function () {
  const panel = document.getElementById("learn");
  const S = window.LearncastStudio;
  if (!panel || !S) return;
  const $ = (id) => document.getElementById(id);
  const list = $("learn-list"), items = $("learn-items"), message = $("learn-message");
  const { el, clock } = window.LearncastDom;

  function showCandidates(body) {
    items.replaceChildren();
    const found = body.candidates || [];
    found.forEach((c, i) => {
      const id = "learn-" + i;
      const box = el("input", { type: "checkbox", id: id, value: c.key });
      box.checked = true;
      const label = el("label", { for: id });
      label.append(el("q", {}, c.text), " — " + c.title + " (at " + clock(c.start) + ")");
      const li = el("li");
      li.append(box, label);
      items.append(li);
    });
    list.hidden = !found.length;
    return found.length;
  }

  async function findWordings() {
    message.textContent = "Looking at your corrections…";
    const r = await S.send("GET", "/learn");
    if (r.status !== 200) { message.textContent = r.body.error || "The wordings cannot be found."; return; }
    const n = showCandidates(r.body);
    message.textContent = n ? n + (n === 1 ? " wording" : " wordings") + " found. Untick any that is not a way of asking its question."
      : "No new wordings: correct a chapter's question or start first, or its wording is in the question set already.";
    if (n) items.querySelector("input").focus();
  }

  async function addTicked() {
    const keys = [...items.querySelectorAll("input:checked")].map((b) => b.value);
    if (!keys.length) { message.textContent = "Tick at least one wording to add."; return; }
    const r = await S.send("POST", "/learn", { keys: keys });
    if (r.status !== 200) { message.textContent = r.body.error || "The wordings were not added."; return; }
    showCandidates(r.body);
    message.textContent = "Added " + keys.length + (keys.length === 1 ? " wording" : " wordings") + " to " +
      r.body.written + ". The next build chapters every recording again with them.";
  }

  $("learn-find").addEventListener("click", findWordings);
  $("learn-add").addEventListener("click", addTicked);
})();
