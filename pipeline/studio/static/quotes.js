// Learncast studio: key quotes. A person selects words in the transcript, presses "Key quote
// from selected words" (the selection comes from redact-words.js), adds a note for the team
// and saves: the server snaps the span to words and refuses one that overlaps a redaction.
// The list shows each quote's words as the build will publish them, with a Remove button.
// Plain JavaScript, no build step; text goes into the page with textContent only (el()).
"use strict";

(function () {
  const S = window.LearncastStudio;
  const panel = document.getElementById("quotes");
  if (!S || !panel) return;
  const $ = (id) => document.getElementById(id);
  const formEl = $("quote-form"), message = $("quote-message");
  const { el, clock, t } = window.LearncastDom;

  function say(text, kind) { message.textContent = text; message.dataset.kind = kind || ""; }

  function render(list) {
    panel.replaceChildren();
    panel.hidden = !list.length;
    $("no-quotes").hidden = !!list.length;
    for (const q of list) {
      const li = el("li");
      li.append(el("q", {}, q.text), " " + q.describe + (q.note ? " (" + q.note + ") " : " "));
      const b = el("button", { type: "button", "aria-label": t("Remove key quote %(n)s: %(what)s", { n: q.n, what: q.describe }) }, t("Remove"));
      b.addEventListener("click", async () => {
        const r = await S.send("DELETE", "/quotes/" + q.n);
        if (r.status === 200) { render(r.body.quotes); say(t("Key quote removed."), "ok"); }
        else say(t("Not removed: %(why)s", { why: r.body.error || "HTTP " + r.status }), "error");
      });
      li.append(b);
      panel.append(li);
    }
  }

  $("quote-selection").addEventListener("click", () => {
    const chosen = S.selectedWords && S.selectedWords();
    if (!chosen) { say(t("Select the words of the quote in the transcript first."), "error"); $("quotes-h").scrollIntoView(); return; }
    $("quote-what").textContent = "“" + chosen.text + "”, " + clock(chosen.start) + "–" + clock(Math.ceil(chosen.end));
    formEl.dataset.start = chosen.start;
    formEl.dataset.end = chosen.end;
    formEl.hidden = false;
    $("quote-note").focus();
  });
  $("quote-cancel").addEventListener("click", () => { formEl.hidden = true; say(""); });
  formEl.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await S.send("POST", "/quotes", { start: parseFloat(formEl.dataset.start),
      end: parseFloat(formEl.dataset.end), note: $("quote-note").value });
    if (r.status !== 200) { say(t("Not added: %(why)s", { why: r.body.error || "HTTP " + r.status }), "error"); return; }
    render(r.body.quotes);
    formEl.hidden = true;
    formEl.reset();
    say(t("Key quote added. The next build publishes it."), "ok");
  });
  S.send("GET", "/quotes").then((r) => { if (r.status === 200) render(r.body.quotes); });
})();
