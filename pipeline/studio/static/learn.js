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
  const { el, clock, t } = window.LearncastDom;

  function showCandidates(body) {
    items.replaceChildren();
    const found = body.candidates || [];
    found.forEach((c, i) => {
      const id = "learn-" + i;
      const box = el("input", { type: "checkbox", id: id, value: c.key });
      box.checked = true;
      const label = el("label", { for: id });
      label.append(el("q", {}, c.text), t(" — %(title)s (at %(time)s)", { title: c.title, time: clock(c.start) }));
      const li = el("li");
      li.append(box, label);
      items.append(li);
    });
    list.hidden = !found.length;
    return found.length;
  }

  async function findWordings() {
    message.textContent = t("Looking at your corrections…");
    const r = await S.send("GET", "/learn");
    if (r.status !== 200) { message.textContent = r.body.error || t("The wordings cannot be found."); return; }
    const n = showCandidates(r.body);
    message.textContent = n === 1 ? t("%(n)s wording found. Untick any that is not a way of asking its question.", { n: n })
      : n ? t("%(n)s wordings found. Untick any that is not a way of asking its question.", { n: n })
      : t("No new wordings: correct a chapter's question or start first, or its wording is in the question set already.");
    if (n) items.querySelector("input").focus();
  }

  async function addTicked() {
    const keys = [...items.querySelectorAll("input:checked")].map((b) => b.value);
    if (!keys.length) { message.textContent = t("Tick at least one wording to add."); return; }
    const r = await S.send("POST", "/learn", { keys: keys });
    if (r.status !== 200) { message.textContent = r.body.error || t("The wordings were not added."); return; }
    showCandidates(r.body);
    const values = { n: keys.length, file: r.body.written };
    message.textContent = keys.length === 1
      ? t("Added %(n)s wording to %(file)s. The next build chapters every recording again with them.", values)
      : t("Added %(n)s wordings to %(file)s. The next build chapters every recording again with them.", values);
  }

  $("learn-find").addEventListener("click", findWordings);
  $("learn-add").addEventListener("click", addTicked);
})();
