/* The timeline: killed per day by category as stacked bars (square-root scale), tallies as diamonds on a
   second scale, joined when they share a scope. Data: the page's .json twin. */
(function () {
  "use strict";
  const D = window.TallyDraw;

  // tick values for a square-root scale: round numbers spread over it, none closer than 14 px to the next
  function ticks(max, y) {
    const out = [];
    for (const v of [0, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, max]) {
      if (v > max || out.includes(v)) continue;
      const close = out.length && Math.abs(y(out[out.length - 1]) - y(v)) < 14;
      if (close && v !== max) continue;                       // keep 0 and the round numbers below
      if (close && out.length > 1) out.pop();                 // the maximum replaces its close neighbour
      out.push(v);
    }
    return out;
  }

  function draw(svg, data) {
    const days = data.days, tallies = data.tallies, cats = data.categories;
    if (!days.length && !tallies.length) return D.message(svg, "No incidents match these filters.");
    const [W, H] = D.size(svg);
    const m = { l: 52, r: 64, t: 16, b: 36 };
    const all = days.map((d) => D.day(d.date)).concat(tallies.map((t) => D.day(t.as_of)));
    const t0 = Math.min(...all) - 1, t1 = Math.max(...all) + 1;
    const x = (t) => m.l + ((t - t0) / (t1 - t0)) * (W - m.l - m.r);
    const stack = (d) => {
      const parts = cats.map((c) => d.killed[c] || 0);
      const rest = Math.max(0, (d.killed.total || 0) - parts.reduce((a, b) => a + b, 0));
      parts[cats.indexOf("unknown")] += rest;   // a total not split by category counts as unknown
      return parts;
    };
    const kmax = Math.max(1, ...days.map((d) => stack(d).reduce((a, b) => a + b, 0)));
    const y = (v) => H - m.b - (Math.sqrt(v) / Math.sqrt(kmax)) * (H - m.t - m.b);
    const bw = Math.max(2, ((W - m.l - m.r) / (t1 - t0)) * 0.8);

    D.el(svg, "line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: "axis" });
    D.el(svg, "line", { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: "axis" });
    for (const v of ticks(kmax, y)) {
      D.el(svg, "text", { x: m.l - 6, y: y(v) + 4, "text-anchor": "end" }, String(v));
    }
    D.el(svg, "text", { x: 4, y: m.t - 4 }, "killed / day (√ scale)");
    const span = t1 - t0, every = Math.max(1, Math.round(span / 8));
    for (let t = Math.ceil(t0); t <= t1; t += every) {
      D.el(svg, "text", { x: x(t), y: H - m.b + 16, "text-anchor": "middle" }, D.iso(t));
    }
    const bars = D.el(svg, "g", { class: "bars" });
    for (const d of days) {
      let base = 0;
      stack(d).forEach((v, i) => {
        if (!v) return;
        const r = D.el(bars, "rect", { x: x(D.day(d.date)) - bw / 2, y: y(base + v), width: bw,
          height: Math.max(1, y(base) - y(base + v)), class: `bar bar-${cats[i]}` });
        D.el(r, "title", {}, `${d.date}: ${v} ${cats[i]} killed (${d.incidents} incidents)`);
        base += v;
      });
    }
    drawTallies(svg, tallies, x, W, H, m);
    svg.setAttribute("data-drawn", String(svg.querySelectorAll(".bar, .tally-point").length));
  }

  function drawTallies(svg, tallies, x, W, H, m) {
    if (!tallies.length) return;
    const tmax = Math.max(1, ...tallies.map((t) => t.killed));
    const y = (v) => H - m.b - (Math.sqrt(v) / Math.sqrt(tmax)) * (H - m.t - m.b);
    D.el(svg, "line", { x1: W - m.r, x2: W - m.r, y1: m.t, y2: H - m.b, class: "axis" });
    for (const v of ticks(tmax, y)) {
      D.el(svg, "text", { x: W - m.r + 6, y: y(v) + 4 }, String(v));
    }
    D.el(svg, "text", { x: W - 4, y: m.t - 4, "text-anchor": "end" }, "tallies");
    const groups = {};
    for (const t of tallies) (groups[`${t.scope}|${t.country}`] ||= []).push(t);
    const g = D.el(svg, "g", { class: "tallies" });
    for (const series of Object.values(groups)) {
      series.sort((a, b) => D.day(a.as_of) - D.day(b.as_of));
      if (series.length > 1) {
        const pts = series.map((t) => `${x(D.day(t.as_of))},${y(t.killed)}`).join(" ");
        D.el(g, "polyline", { points: pts, class: "tally-line" });
      }
      for (const t of series) {
        const cx = x(D.day(t.as_of)), cy = y(t.killed);
        const p = D.el(g, "path", { d: `M${cx},${cy - 6}L${cx + 6},${cy}L${cx},${cy + 6}L${cx - 6},${cy}Z`,
          class: "tally-point" });
        D.el(p, "title", {}, `${t.as_of}: ${t.killed} killed — ${t.scope}${t.country ? " (" + t.country + ")" : ""}`);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const svg = document.getElementById("timeline");
    if (!svg) return;
    D.json(svg.dataset.src).then((data) => draw(svg, data))
      .catch((err) => D.message(svg, `The timeline could not be drawn: ${err.message}`));
  });
})();
