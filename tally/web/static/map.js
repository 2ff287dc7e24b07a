/* The map: country outlines (Natural Earth via world-atlas, decoded by topojson-client) in an equirectangular
   projection fitted to the incidents; points sized by killed, coloured by perpetrator. Data: the .json twin. */
(function () {
  "use strict";
  const D = window.TallyDraw;
  const MAX_R = 30;   // radius grows with the square root of killed, up to this many pixels

  function view(points) {
    if (!points.length) return { w: -180, e: 180, s: -60, n: 80 };
    const lons = points.map((p) => p.lon), lats = points.map((p) => p.lat);
    let w = Math.min(...lons), e = Math.max(...lons), s = Math.min(...lats), n = Math.max(...lats);
    const pad = Math.max(4, (e - w) * 0.15, (n - s) * 0.15);
    return { w: Math.max(-180, w - pad), e: Math.min(180, e + pad), s: Math.max(-85, s - pad), n: Math.min(85, n + pad) };
  }

  function projection(v, W, H) {
    const k0 = Math.cos((((v.s + v.n) / 2) * Math.PI) / 180);
    const k = Math.min(W / ((v.e - v.w) * k0), H / (v.n - v.s));
    const ox = (W - (v.e - v.w) * k0 * k) / 2, oy = (H - (v.n - v.s) * k) / 2;
    return ([lon, lat]) => [ox + (lon - v.w) * k0 * k, oy + (v.n - lat) * k];
  }

  function ringsOf(geometry) {
    if (!geometry) return [];
    if (geometry.type === "Polygon") return geometry.coordinates;
    if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
    return [];
  }

  function drawBasemap(svg, topo, project) {
    const g = D.el(svg, "g", { class: "basemap" });
    const countries = topojson.feature(topo, topo.objects.countries).features;
    for (const f of countries) {
      const d = ringsOf(f.geometry).map((ring) =>
        "M" + ring.map((c) => project(c).map((n) => n.toFixed(1)).join(",")).join("L") + "Z").join("");
      const path = D.el(g, "path", { d, class: "country" });
      D.el(path, "title", {}, (f.properties && f.properties.name) || "");
    }
    return countries.length;
  }

  function drawGraticule(svg, v, project) {
    const g = D.el(svg, "g", { class: "graticule-lines" });
    const step = v.e - v.w > 60 ? 20 : 5;
    for (let lon = Math.ceil(v.w / step) * step; lon <= v.e; lon += step) {
      const [a, b] = [project([lon, v.s]), project([lon, v.n])];
      D.el(g, "line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: "graticule" });
    }
    for (let lat = Math.ceil(v.s / step) * step; lat <= v.n; lat += step) {
      const [a, b] = [project([v.w, lat]), project([v.e, lat])];
      D.el(g, "line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: "graticule" });
    }
  }

  function drawPoints(svg, points, project) {
    const g = D.el(svg, "g", { class: "points" });
    for (const p of [...points].sort((a, b) => b.killed - a.killed)) {
      const [cx, cy] = project([p.lon, p.lat]);
      const link = D.el(g, "a", { href: `/incidents/${encodeURIComponent(p.id)}` });
      const c = D.el(link, "circle", { cx, cy, r: Math.min(MAX_R, 3 + 1.6 * Math.sqrt(p.killed)).toFixed(1),
        class: `point p${p.colour}`, "data-id": p.id });
      D.el(c, "title", {}, `${p.date || "?"} · ${p.place || ""} · ${p.killed} killed · ${p.perpetrator}`);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const svg = document.getElementById("map");
    if (!svg) return;
    Promise.all([D.json(svg.dataset.src), D.json(svg.dataset.basemap)]).then(([data, topo]) => {
      const [W, H] = D.size(svg);
      const v = view(data.points);
      const project = projection(v, W, H);
      drawGraticule(svg, v, project);
      const n = drawBasemap(svg, topo, project);
      drawPoints(svg, data.points, project);
      svg.setAttribute("data-drawn", `${n} countries, ${data.points.length} points`);
    }).catch((err) => D.message(svg, `The map could not be drawn: ${err.message}`));
  });
})();
