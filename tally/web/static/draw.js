/* Small drawing helpers shared by timeline.js and map.js (hand-written: a few lines no library is needed for). */
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";

  function el(parent, tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;   // textContent: never parsed as markup
    if (parent) parent.appendChild(node);
    return node;
  }

  function size(svg) {
    const box = svg.getBoundingClientRect();
    const w = Math.max(320, Math.round(box.width || 900)), h = Math.max(240, Math.round(box.height || 440));
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    return [w, h];
  }

  async function json(url) {
    const res = await fetch(url, { headers: { accept: "application/json" } });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return res.json();
  }

  function message(svg, text) {
    const [w, h] = size(svg);
    el(svg, "text", { x: w / 2, y: h / 2, "text-anchor": "middle", class: "message" }, text);
    svg.setAttribute("data-drawn", "empty");
  }

  const day = (iso) => Date.parse(iso + "T00:00:00Z") / 86400000;
  const iso = (d) => new Date(d * 86400000).toISOString().slice(0, 10);

  window.TallyDraw = { el, size, json, message, day, iso };
})();
