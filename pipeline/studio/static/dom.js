// The small DOM helpers every studio page's scripts share (loaded first, from base.html).
// el() sets attributes and text only (never HTML), so data reaches the page only as text.
// t() is how a script writes words: t("All changes saved"), t("Turn %(n)s text", { n: 3 }).
// It never translates in logic: it looks the English text up in the page's JSON block
// (id="studio-text", the studio's language; pipeline/studio/text.py) and falls back to it.
"use strict";
(function () {
let table = null;
function lookup(text) {
  if (table === null) {
    const block = document.getElementById("studio-text");
    try { table = block ? JSON.parse(block.textContent) || {} : {}; } catch (e) { table = {}; }
  }
  return Object.prototype.hasOwnProperty.call(table, text) ? table[text] : text;
}
window.LearncastDom = {
  t(text, values) {
    const out = lookup(text);
    if (!values) return out;
    return out.replace(/%\((\w+)\)s/g, (m, k) => (Object.prototype.hasOwnProperty.call(values, k) ? String(values[k]) : m));
  },
  el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  },
  // M:SS, or H:MM:SS from an hour, to the second (as the page's times read)
  clock(t) {
    t = Math.max(0, Math.floor(t));
    const h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0");
  },
};
})();
