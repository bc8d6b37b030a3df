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

  const { el, clock, t } = window.LearncastDom;  // dom.js

  function post(path, body) {
    return fetch("/api/replace/" + path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => ({})) }),
      (err) => ({ status: 0, body: { error: t("the studio is not answering (%(why)s)", { why: err.message }) } }));
  }

  function say(text, kind) {
    message.textContent = text;
    message.dataset.kind = kind || "";
  }

  function matches(n) { return n === 1 ? t("%(n)s match", { n: n }) : t("%(n)s matches", { n: n }); }
  function recordings(n) { return n === 1 ? t("%(n)s recording", { n: n }) : t("%(n)s recordings", { n: n }); }

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
    del.append(el("span", { class: "visually-hidden" }, t("replace ")), m.found);
    const ins = el("ins", {});
    ins.append(el("span", { class: "visually-hidden" }, t(" with ")), m.replacement);
    label.append(del, " ", ins, m.after ? " " + m.after : "");
    const after = el("p", { class: "turn-after" });
    after.append(el("span", { class: "hint" }, t("Turn after: ")), m.turn_after);
    li.append(box, label, after);
    return li;
  }

  function render(body) {
    shown = body;
    list.replaceChildren();
    let n = 0;
    for (const rec of body.recordings) {
      const group = el("fieldset", { class: "replace-group" });
      group.appendChild(el("legend", {}, slug ? t("Matches") : rec.title + " (" + matches(rec.matches.length) + ")"));
      const ul = el("ul", {});
      for (const m of rec.matches) ul.appendChild(matchItem(rec, m, n++));
      group.appendChild(ul);
      list.appendChild(group);
    }
    const values = { matches: matches(body.total), find: body.find, found: body.recordings.length, searched: body.searched };
    summary.textContent = body.total
      ? (slug ? t("%(matches)s of “%(find)s”", values) : t("%(matches)s of “%(find)s” in %(found)s of %(searched)s recordings", values))
      : (slug ? t("No match of “%(find)s”", values) : t("No match of “%(find)s” in %(searched)s recordings", values));
    if (body.shown < body.total) summary.textContent += t("; the first %(shown)s are listed (a longer phrase finds fewer)", { shown: body.shown });
    $("replace-choose").hidden = !body.total;
    vocab.checked = false;
    vocab.disabled = body.in_vocabulary;
    vocabLabel.textContent = body.in_vocabulary ? t("“%(term)s” is in the show's vocabulary already", { term: body.replace })
      : t("Also add “%(term)s” to the show's vocabulary", { term: body.replace });
    for (const line of body.unreadable || []) list.appendChild(el("p", { class: "hint" }, t("Not searched: %(why)s", { why: line })));
    results.hidden = false;
    update();
    summary.focus();
  }

  function chosen() { return Array.from(list.querySelectorAll("input[type=checkbox]:checked")); }

  function update() {
    const n = chosen().length;
    applyButton.textContent = n ? (vocab.checked ? t("Replace %(n)s chosen and add to vocabulary", { n: n }) : t("Replace %(n)s chosen", { n: n }))
      : vocab.checked ? t("Add to vocabulary") : t("Replace");
    applyButton.disabled = !n && !vocab.checked;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    close();
    say(t("Searching…"));
    const r = await post("preview", { find: find.value, replace: withText.value, match_case: matchCase.checked, slug: slug });
    if (r.status === 200) { say(""); render(r.body); } else say(t("Not searched: %(why)s", { why: r.body.error || "HTTP " + r.status }), "error");
  });
  for (const input of [find, withText, matchCase]) {
    input.addEventListener("input", () => { if (shown) { close(); say(t("Preview again to see the matches of what you typed.")); } });
  }
  list.addEventListener("change", update);
  vocab.addEventListener("change", update);
  $("replace-all").addEventListener("click", () => { list.querySelectorAll("input[type=checkbox]").forEach((b) => { b.checked = true; }); update(); });
  $("replace-none").addEventListener("click", () => { list.querySelectorAll("input[type=checkbox]").forEach((b) => { b.checked = false; }); update(); });
  $("replace-cancel").addEventListener("click", () => { close(); say(t("Nothing replaced.")); find.focus(); });

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
      let text = !b.replaced ? "" : slug ? t("Replaced %(n)s.", { n: b.replaced })
        : t("Replaced %(n)s in %(recordings)s.", { n: b.replaced, recordings: recordings(b.applied.length) });
      if (b.vocabulary_added === true) text += " " + t("Added “%(term)s” to the show's vocabulary.", { term: b.term });
      if (b.vocabulary_added === false) text += " " + t("“%(term)s” was in the vocabulary already.", { term: b.term });
      say((text + " " + t("Build to publish the change.")).trim(), "ok");
      if (b.applied.length) document.dispatchEvent(new CustomEvent("learncast:transcript-changed", { detail: { slugs: b.applied.map((a) => a.slug) } }));
      find.focus();
    } else if (r.status === 409) {
      close();
      say(slug ? t("Nothing replaced: the transcript changed since the preview (someone saved it meanwhile). Preview again to see it as it is now.")
        : t("Nothing replaced: %(names)s changed since the preview (someone saved it meanwhile). Preview again to see it as it is now.",
            { names: (r.body.stale || []).join(", ") }), "error");
      form.querySelector("button[type=submit]").focus();
    } else {
      update();
      say(t("Not replaced: %(why)s", { why: r.body.error || "HTTP " + r.status }), "error");
    }
  });
})();
