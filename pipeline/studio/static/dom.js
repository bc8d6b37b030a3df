// The small DOM helpers every studio page's scripts share (loaded first, from base.html).
// el() sets attributes and text only (never HTML), so data reaches the page only as text.
"use strict";
window.LearncastDom = {
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
