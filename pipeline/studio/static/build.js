// Learncast studio: Build and preview (the panel on the recordings list, _build.html).
// Starts a build with POST /api/build and polls GET /api/build every second while it runs.
// Text from the server goes in with textContent only, so it stays text.
"use strict";

(function () {
  const panel = document.getElementById("build");
  if (!panel) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const button = document.getElementById("build-start");
  const siteLink = document.getElementById("build-site");
  const stateLine = document.getElementById("build-state");
  const bar = document.getElementById("build-progress");
  const errorLine = document.getElementById("build-error");
  const list = document.getElementById("build-recordings");
  const POLL_MS = 1000;
  let timer = null;
  let wasRunning = false;

  const { el, t } = window.LearncastDom;  // dom.js

  // The status line is a live region: change it only when its words change.
  function say(text) { if (stateLine.textContent !== text) stateLine.textContent = text; }

  function percent(f) { return Math.round(f * 100) + "%"; }

  function seconds(s) { return s < 90 ? t("%(n)s s", { n: Math.round(s) }) : t("%(n)s min", { n: Math.round(s / 60) }); }

  function row(r, running) {
    const li = el("li", { class: r.ok === null ? "running" : (r.ok ? "done" : "failed") });
    li.appendChild(el("span", { class: "name" }, r.title));
    if (r.ok === null) {
      li.appendChild(el("span", { class: "stage" }, r.stage_name + (r.fraction > 0 ? " · " + percent(r.fraction) : "")));
    } else if (!r.ok) {
      li.appendChild(el("span", { class: "stage" }, t("failed")));
      li.appendChild(el("p", { class: "message" }, r.message));
    } else if (r.page) {
      li.appendChild(el("span", { class: "stage" }, t("published")));
      li.appendChild(el("a", { href: r.page, "aria-label": t("Open the published page of %(title)s", { title: r.title }) }, t("Open the published page")));
    } else if (running) {
      li.appendChild(el("span", { class: "stage" }, t("ready; the site is written when every recording is")));
    } else {
      const why = !r.state ? t("built, not published")
        : r.detail ? t("built, not published (%(state)s: %(detail)s)", { state: r.state_name || r.state, detail: r.detail })
        : t("built, not published (%(state)s)", { state: r.state_name || r.state });
      li.appendChild(el("span", { class: "stage" }, why));
    }
    return li;
  }

  function summary(b) {
    const failed = b.recordings.filter((r) => r.ok === false).length;
    const published = b.recordings.filter((r) => r.page).length;
    const values = { time: seconds(b.seconds), published: published, failed: failed };
    return failed ? t("Build finished in %(time)s: %(published)s published, %(failed)s failed.", values)
      : t("Build finished in %(time)s: %(published)s published.", values);
  }

  function render(answer) {
    const b = answer.build;
    siteLink.hidden = !answer.site;
    if (!b) {
      say(answer.site ? t("The site from the last build is ready to open.") : t("The site has not been built yet."));
      return;
    }
    const running = b.state === "running";
    panel.dataset.build = b.state;
    bar.hidden = !running;
    bar.value = Math.round(b.fraction * 100);
    errorLine.hidden = !b.error;
    errorLine.textContent = b.error;
    if (running) {
      const values = { done: b.done, planned: b.planned, phase: b.phase };
      say(b.phase ? t("Building: %(done)s of %(planned)s recordings done, %(phase)s…", values)
        : t("Building: %(done)s of %(planned)s recordings done…", values));
    }
    else if (b.state === "finished") say(summary(b));
    else say(b.recordings.length ? t("The build stopped before it finished.") : t("The build did not run."));
    list.hidden = !b.recordings.length;
    list.replaceChildren(...b.recordings.map((r) => row(r, running)));
    if (running) { schedule(); wasRunning = true; } else if (wasRunning) { wasRunning = false; refreshTable(b); }
  }

  // Once a build ends, the recordings table below shows each one's new state.
  function refreshTable(b) {
    const states = new Map(b.recordings.filter((r) => r.state).map((r) => [r.slug, r]));
    document.querySelectorAll("table.recordings tbody tr").forEach((tr) => {
      const slug = tr.querySelector(".slug");
      const r = slug && states.get(slug.textContent.trim());
      const badge = tr.querySelector(".badge");
      if (!r || !badge) return;
      tr.className = "state-" + r.state;
      badge.textContent = r.state_name || r.state;
      let detail = badge.parentNode.querySelector(".detail");
      if (!detail && r.detail) { detail = el("div", { class: "detail" }); badge.parentNode.appendChild(detail); }
      if (detail) detail.textContent = r.detail;
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(poll, POLL_MS);
  }

  function failedToReach() {
    say(t("The studio cannot be reached; is it still running? Trying again…"));
    clearTimeout(timer);
    timer = setTimeout(poll, 3 * POLL_MS);
  }

  function poll() {
    fetch("/api/build", { credentials: "same-origin" })
      .then((r) => r.json()).then(render).catch(failedToReach);
  }

  button.addEventListener("click", () => {
    fetch("/api/build", { method: "POST", credentials: "same-origin",
                          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf } })
      .then(async (r) => {
        const answer = await r.json();
        if (!r.ok) { errorLine.hidden = false; errorLine.textContent = answer.error || ("HTTP " + r.status); return; }
        render(answer);
        if (answer.started === false) say(t("A build is already running; its progress is below."));
      })
      .catch(failedToReach);
  });

  poll();
})();
