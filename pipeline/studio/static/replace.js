// Learncast studio: find and replace (the panel in templates/_replace.html), on the recording
// page (one recording: data-slug) and on the recordings list (every recording). Plain
// JavaScript, no build step; text from transcripts goes in with textContent only.
// Preview, then choose the matches (all chosen at first), then Replace: the apply names the
// version of each transcript the preview was made from, so a transcript saved meanwhile is
// refused (409) and nothing changes. After a replace the page is told with the DOM event
// "learncast:transcript-changed" (studio.js reloads the transcript on it).
"use strict";

(function () {
  const panel = document.getElementById("replace");
  if (!panel) return;
  const slug = panel.dataset.slug || null;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const form = $("replace-form"), find = $("replace-find"), withText = $("replace-with"), matchCase = $("replace-case");
  const results = $("replace-results"), summary = $("replace-summary"), list = $("replace-list");
  const vocab = $("replace-vocab"), vocabLabel = $("replace-vocab-label"), applyButton = $("replace-apply");
  const message = $("replace-message");
  let shown = null;  // the preview on screen

  const { el, clock } = window.LearncastDom;  // dom.js

  function post(path, body) {
    return fetch("/api/replace/" + path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => ({})) }),
      (err) => ({ status: 0, body: { error: "the studio is not answering (" + err.message + ")" } }));
  }

  function say(text, kind) {
    message.textContent = text;
    message.dataset.kind = kind || "";
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  function close() {
    results.hidden = true;
    shown = null;
    list.replaceChildren();
  }

  // ------------------------------------------------------------ the preview

  function matchItem(rec, m, n) {
    const li = el("li", {});
    const box = el("input", { type: "checkbox", id: "replace-m-" + n, "data-slug": rec.slug, "data-id": m.id });
    box.checked = true;
    const label = el("label", { for: box.id });
    label.append(el("span", { class: "time" }, clock(m.start)), " ", m.before ? m.before + " " : "");
    const del = el("del", {});
    del.append(el("span", { class: "visually-hidden" }, "replace "), m.found);
    const ins = el("ins", {});
    ins.append(el("span", { class: "visually-hidden" }, " with "), m.replacement);
    label.append(del, " ", ins, m.after ? " " + m.after : "");
    const after = el("p", { class: "turn-after" });
    after.append(el("span", { class: "hint" }, "Turn after: "), m.turn_after);
    li.append(box, label, after);
    return li;
  }

  function render(body) {
    shown = body;
    list.replaceChildren();
    let n = 0;
    for (const rec of body.recordings) {
      const group = el("fieldset", { class: "replace-group" });
      group.appendChild(el("legend", {}, slug ? "Matches" : rec.title + " (" + plural(rec.matches.length, "match", "matches") + ")"));
      const ul = el("ul", {});
      for (const m of rec.matches) ul.appendChild(matchItem(rec, m, n++));
      group.appendChild(ul);
      list.appendChild(group);
    }
    const where = slug ? "" : " in " + body.recordings.length + " of " + body.searched + " recordings";
    summary.textContent = body.total ? plural(body.total, "match", "matches") + " of “" + body.find + "”" + where
      : "No match of “" + body.find + "”" + (slug ? "" : " in " + body.searched + " recordings");
    if (body.shown < body.total) summary.textContent += "; the first " + body.shown + " are listed (a longer phrase finds fewer)";
    $("replace-choose").hidden = !body.total;
    vocab.checked = false;
    vocab.disabled = body.in_vocabulary;
    vocabLabel.textContent = body.in_vocabulary ? "“" + body.replace + "” is in the show's vocabulary already"
      : "Also add “" + body.replace + "” to the show's vocabulary";
    for (const line of body.unreadable || []) list.appendChild(el("p", { class: "hint" }, "Not searched: " + line));
    results.hidden = false;
    update();
    summary.focus();
  }

  function chosen() { return Array.from(list.querySelectorAll("input[type=checkbox]:checked")); }

  function update() {
    const n = chosen().length;
    applyButton.textContent = n ? "Replace " + n + " chosen" + (vocab.checked ? " and add to vocabulary" : "")
      : vocab.checked ? "Add to vocabulary" : "Replace";
    applyButton.disabled = !n && !vocab.checked;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    close();
    say("Searching…");
    const r = await post("preview", { find: find.value, replace: withText.value, match_case: matchCase.checked, slug: slug });
    if (r.status === 200) { say(""); render(r.body); } else say("Not searched: " + (r.body.error || "HTTP " + r.status), "error");
  });
  for (const input of [find, withText, matchCase]) {
    input.addEventListener("input", () => { if (shown) { close(); say("Preview again to see the matches of what you typed."); } });
  }
  list.addEventListener("change", update);
  vocab.addEventListener("change", update);
  $("replace-all").addEventListener("click", () => { list.querySelectorAll("input[type=checkbox]").forEach((b) => { b.checked = true; }); update(); });
  $("replace-none").addEventListener("click", () => { list.querySelectorAll("input[type=checkbox]").forEach((b) => { b.checked = false; }); update(); });
  $("replace-cancel").addEventListener("click", () => { close(); say("Nothing replaced."); find.focus(); });

  // ------------------------------------------------------------ applying

  applyButton.addEventListener("click", async () => {
    if (!shown) return;
    const versions = Object.fromEntries(shown.recordings.map((r) => [r.slug, r.version]));
    const recordings = {};
    for (const box of chosen()) {
      const s = box.dataset.slug;
      (recordings[s] = recordings[s] || { version: versions[s], matches: [] }).matches.push(box.dataset.id);
    }
    const body = { find: shown.find, replace: shown.replace, match_case: shown.match_case, recordings: recordings, vocabulary: vocab.checked };
    applyButton.disabled = true;
    const r = await post("apply", body);
    if (r.status === 200) {
      close();
      const b = r.body;
      let text = b.replaced ? "Replaced " + b.replaced + (slug ? "." : " in " + plural(b.applied.length, "recording", "recordings") + ".") : "";
      if (b.vocabulary_added === true) text += " Added “" + b.term + "” to the show's vocabulary.";
      if (b.vocabulary_added === false) text += " “" + b.term + "” was in the vocabulary already.";
      say((text + " Build to publish the change.").trim(), "ok");
      if (b.applied.length) document.dispatchEvent(new CustomEvent("learncast:transcript-changed", { detail: { slugs: b.applied.map((a) => a.slug) } }));
      find.focus();
    } else if (r.status === 409) {
      close();
      say("Nothing replaced: " + (slug ? "the transcript" : (r.body.stale || []).join(", ")) +
        " changed since the preview (someone saved it meanwhile). Preview again to see it as it is now.", "error");
      form.querySelector("button[type=submit]").focus();
    } else {
      update();
      say("Not replaced: " + (r.body.error || "HTTP " + r.status), "error");
    }
  });
})();
