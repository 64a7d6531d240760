// hubreach offline map: draws the inlined GeoJSON on SVG (Web Mercator), with pan and zoom,
// a layer switcher, a legend per layer, and hover and click details. No libraries, no network
// unless a basemap URL was configured.
function hubreachMap(id) {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message || e)); });
  var root = document.getElementById(id);
  var D = JSON.parse(document.getElementById(id + "-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var NODATA = "#cfcfcf";
  var svg = document.getElementById(id + "-svg");
  var stage = document.getElementById(id + "-stage");
  var tip = document.getElementById(id + "-tip");
  var layersBox = document.getElementById(id + "-layers");
  var legendBox = document.getElementById(id + "-legend");
  var detailsBox = document.getElementById(id + "-details");

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function h(tag, text, parent, cls) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = text;
    if (cls) e.className = cls;
    if (parent) parent.appendChild(e);
    return e;
  }

  // Web Mercator in z0 pixels (the world is 256 wide), then local units: the areas' extent
  // scaled to 1000 across its longer side.
  function merc(lon, lat) {
    var s = Math.sin(lat * Math.PI / 180);
    return [(lon + 180) / 360 * 256, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256];
  }
  function eachCoord(g, f) {
    if (!g) return;
    var c = g.coordinates;
    if (g.type === "Point") f(c);
    else if (g.type === "Polygon") c.forEach(function (r) { r.forEach(f); });
    else if (g.type === "MultiPolygon") c.forEach(function (p) { p.forEach(function (r) { r.forEach(f); }); });
  }
  var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  D.areas.features.forEach(function (ft) {
    eachCoord(ft.geometry, function (p) {
      var m = merc(p[0], p[1]);
      if (m[0] < x0) x0 = m[0]; if (m[0] > x1) x1 = m[0];
      if (m[1] < y0) y0 = m[1]; if (m[1] > y1) y1 = m[1];
    });
  });
  var K = 1000 / Math.max(x1 - x0, y1 - y0, 1e-12);
  var W = 1000 * (x1 - x0) / Math.max(x1 - x0, y1 - y0), H = 1000 * (y1 - y0) / Math.max(x1 - x0, y1 - y0);
  function local(p) { var m = merc(p[0], p[1]); return [(m[0] - x0) * K, (m[1] - y0) * K]; }
  function ringD(r) {
    var s = "";
    for (var i = 0; i < r.length; i++) { var q = local(r[i]); s += (i ? "L" : "M") + q[0].toFixed(2) + " " + q[1].toFixed(2); }
    return s + "Z";
  }
  function pathD(g) {
    if (!g) return "";
    if (g.type === "Polygon") return g.coordinates.map(ringD).join("");
    if (g.type === "MultiPolygon") return g.coordinates.map(function (p) { return p.map(ringD).join(""); }).join("");
    return "";
  }

  var gView = el("g", {}, svg);
  var gBase = el("g", {"class": "hrmap-basemap"}, gView);
  var gAreas = el("g", {}, gView);
  var gOutlines = el("g", {}, gView);
  var gSites = el("g", {}, svg); // sites keep their screen size: placed one by one
  var paths = D.areas.features.map(function (ft, i) {
    var p = el("path", {"class": "hrmap-area", d: pathD(ft.geometry), "fill-rule": "evenodd"}, gAreas);
    if (D.basemap) p.setAttribute("fill-opacity", "0.75");
    p.addEventListener("mouseenter", function (e) { hover(areaInfo(i), e); p.classList.add("hrmap-on"); });
    p.addEventListener("mousemove", moveTip);
    p.addEventListener("mouseleave", function () { unhover(); if (pinned !== p) p.classList.remove("hrmap-on"); });
    p.addEventListener("click", function () { pin(areaInfo(i), p); });
    return p;
  });
  D.outlines.features.forEach(function (ft) { el("path", {"class": "hrmap-outline", d: pathD(ft.geometry)}, gOutlines); });

  var groups = {};
  D.siteGroups.forEach(function (g) { groups[g.id] = g; });
  function shapeD(shape, s) {
    var r = s / 2;
    switch (shape) {
      case "square": return "M" + -r + " " + -r + "h" + s + "v" + s + "h" + -s + "Z";
      case "triangle": return "M0 " + (-r * 1.15) + "L" + (r * 1.1) + " " + (r * 0.85) + "L" + (-r * 1.1) + " " + (r * 0.85) + "Z";
      case "diamond": return "M0 " + (-r * 1.3) + "L" + (r * 1.3) + " 0L0 " + (r * 1.3) + "L" + (-r * 1.3) + " 0Z";
      default: return "M" + -r + " 0a" + r + " " + r + " 0 1 0 " + s + " 0a" + r + " " + r + " 0 1 0 " + -s + " 0Z";
    }
  }
  var sites = D.sites.features.map(function (ft) {
    var g = groups[ft.properties.g];
    var s = el("path", {"class": "hrmap-site", d: shapeD(g.shape, g.size), fill: g.color}, gSites);
    var info = {title: ft.properties.name, sub: g.label, rows: ft.properties.d};
    s.addEventListener("mouseenter", function (e) { hover(info, e); });
    s.addEventListener("mousemove", moveTip);
    s.addEventListener("mouseleave", unhover);
    s.addEventListener("click", function () { pin(info, s); });
    return {node: s, at: local(ft.geometry.coordinates)};
  });

  // View: screen = local * v.s + (v.tx, v.ty).
  var v = {s: 1, tx: 0, ty: 0};
  function size() { return [stage.clientWidth || 800, stage.clientHeight || 600]; }
  function fit() {
    var sz = size();
    v.s = 0.94 * Math.min(sz[0] / W, sz[1] / H);
    v.tx = (sz[0] - W * v.s) / 2;
    v.ty = (sz[1] - H * v.s) / 2;
    draw();
  }
  var minS = 0, baseTimer = 0;
  function draw() {
    gView.setAttribute("transform", "translate(" + v.tx.toFixed(2) + " " + v.ty.toFixed(2) + ") scale(" + v.s.toFixed(5) + ")");
    sites.forEach(function (s) {
      s.node.setAttribute("transform", "translate(" + (s.at[0] * v.s + v.tx).toFixed(1) + " " + (s.at[1] * v.s + v.ty).toFixed(1) + ")");
    });
    if (D.basemap) { clearTimeout(baseTimer); baseTimer = setTimeout(tiles, 120); }
  }
  function zoomAt(f, sx, sy) {
    var sz = size();
    if (sx == null) { sx = sz[0] / 2; sy = sz[1] / 2; }
    if (!minS) minS = 0.5 * Math.min(sz[0] / W, sz[1] / H);
    var ns = Math.max(minS, Math.min(v.s * f, minS * 400));
    f = ns / v.s;
    v.tx = sx - (sx - v.tx) * f;
    v.ty = sy - (sy - v.ty) * f;
    v.s = ns;
    draw();
  }
  stage.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = stage.getBoundingClientRect();
    zoomAt(Math.pow(1.2, -e.deltaY / 100), e.clientX - r.left, e.clientY - r.top);
  }, {passive: false});
  var drag = null;
  stage.addEventListener("pointerdown", function (e) {
    if (e.target.closest && e.target.closest("button")) return;
    drag = {x: e.clientX, y: e.clientY, tx: v.tx, ty: v.ty, moved: false};
    stage.classList.add("hrmap-dragging");
  });
  window.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    v.tx = drag.tx + dx; v.ty = drag.ty + dy;
    draw();
  });
  window.addEventListener("pointerup", function () { drag = null; stage.classList.remove("hrmap-dragging"); });
  stage.addEventListener("click", function (e) { if (drag && drag.moved) e.stopPropagation(); }, true);
  stage.addEventListener("keydown", function (e) {
    var step = 60;
    if (e.key === "+" || e.key === "=") zoomAt(1.5);
    else if (e.key === "-") zoomAt(1 / 1.5);
    else if (e.key === "ArrowLeft") { v.tx += step; draw(); }
    else if (e.key === "ArrowRight") { v.tx -= step; draw(); }
    else if (e.key === "ArrowUp") { v.ty += step; draw(); }
    else if (e.key === "ArrowDown") { v.ty -= step; draw(); }
    else if (e.key === "0") fit();
    else return;
    e.preventDefault();
  });
  document.getElementById(id + "-zin").addEventListener("click", function () { zoomAt(1.5); });
  document.getElementById(id + "-zout").addEventListener("click", function () { zoomAt(1 / 1.5); });
  document.getElementById(id + "-zreset").addEventListener("click", fit);
  window.addEventListener("resize", fit);

  // Basemap tiles (only when configured): XYZ tiles at the zoom closest to the view's scale.
  function tiles() {
    var z = Math.max(0, Math.min(19, Math.round(Math.log(K * v.s) / Math.LN2)));
    var n = Math.pow(2, z), t = 256 / n, sz = size();
    var mx0 = -v.tx / (K * v.s) + x0, mx1 = (sz[0] - v.tx) / (K * v.s) + x0;
    var my0 = -v.ty / (K * v.s) + y0, my1 = (sz[1] - v.ty) / (K * v.s) + y0;
    var i0 = Math.max(0, Math.floor(mx0 / t)), i1 = Math.min(n - 1, Math.floor(mx1 / t));
    var j0 = Math.max(0, Math.floor(my0 / t)), j1 = Math.min(n - 1, Math.floor(my1 / t));
    while (gBase.firstChild) gBase.removeChild(gBase.firstChild);
    if ((i1 - i0 + 1) * (j1 - j0 + 1) > 80) return;
    for (var i = i0; i <= i1; i++) for (var j = j0; j <= j1; j++) {
      var url = D.basemap.replace("{z}", z).replace("{x}", i).replace("{y}", j);
      el("image", {href: url, x: ((i * t - x0) * K).toFixed(3), y: ((j * t - y0) * K).toFixed(3),
        width: (t * K * 1.002).toFixed(3), height: (t * K * 1.002).toFixed(3), preserveAspectRatio: "none"}, gBase);
    }
  }
  if (D.basemap && D.basemapAttribution) h("div", D.basemapAttribution, stage, "hrmap-basemap-credit");

  // Layers, legend, details.
  var current = 0, pinned = null;
  D.layers.forEach(function (l, i) {
    var lab = h("label", null, layersBox);
    var r = document.createElement("input");
    r.type = "radio"; r.name = id + "-layer"; r.value = l.id; r.id = id + "-layer-" + l.id;
    r.addEventListener("change", function () { setLayer(i); });
    lab.appendChild(r);
    lab.appendChild(document.createTextNode(" " + l.title));
  });
  function colourOf(li, k) { return k < 0 ? NODATA : D.layers[li].classes[k].color; }
  function setLayer(i) {
    current = i;
    var l = D.layers[i];
    document.getElementById(id + "-layer-" + l.id).checked = true;
    D.areas.features.forEach(function (ft, j) { paths[j].setAttribute("fill", colourOf(i, ft.properties.k[i])); });
    legend();
    root.setAttribute("data-layer", l.id);
  }
  function swatch(li, color, label, n) {
    var item = h("li", null, li);
    var sw = h("span", null, item, "hrmap-sw");
    sw.style.background = color;
    h("span", label, item);
    if (n != null) h("span", String(n), item, "hrmap-n");
  }
  function legend() {
    var l = D.layers[current];
    legendBox.textContent = "";
    h("h3", l.title, legendBox);
    var ul = h("ul", null, legendBox);
    l.classes.forEach(function (c) { swatch(ul, c.color, c.label, c.count); });
    if (l.noDataCount > 0) swatch(ul, NODATA, l.noData, l.noDataCount);
    if (l.description) h("p", l.description, legendBox);
    var ul2 = h("ul", null, legendBox);
    D.siteGroups.forEach(function (g) {
      if (!D.sites.features.some(function (f) { return f.properties.g === g.id; })) return;
      var item = h("li", null, ul2);
      var s = el("svg", {width: 22, height: 16, viewBox: "-11 -8 22 16"});
      el("path", {d: shapeD(g.shape, g.size), fill: g.color, stroke: "#222"}, s);
      item.appendChild(s);
      h("span", g.label, item);
    });
    if (D.outlines.features.length && D.outlineLabel) {
      var item = h("li", null, ul2);
      var s = el("svg", {width: 22, height: 16});
      el("line", {x1: 1, y1: 8, x2: 21, y2: 8, stroke: "#222", "stroke-width": 1.5}, s);
      item.appendChild(s);
      h("span", D.outlineLabel, item);
    }
  }
  function areaInfo(i) {
    var p = D.areas.features[i].properties, l = D.layers[current], k = p.k[current];
    var val = p.v[current] || (k < 0 ? l.noData : l.classes[k].label);
    return {title: p.name ? p.name : p.code, sub: p.name ? p.code : "", rows: [[l.title, val]].concat(p.d)};
  }
  function fill(box, info) {
    box.textContent = "";
    h("h3", info.title, box);
    if (info.sub) h("div", info.sub, box, "hrmap-hint");
    var t = h("table", null, box);
    info.rows.forEach(function (r) { var tr = h("tr", null, t); h("th", r[0], tr); h("td", r[1], tr); });
  }
  function hover(info, e) { fill(tip, info); tip.hidden = false; moveTip(e); }
  function moveTip(e) {
    var r = stage.getBoundingClientRect(), x = e.clientX - r.left + 14, y = e.clientY - r.top + 14;
    if (x + tip.offsetWidth > r.width) x = Math.max(0, x - tip.offsetWidth - 28);
    if (y + tip.offsetHeight > r.height) y = Math.max(0, y - tip.offsetHeight - 28);
    tip.style.left = x + "px"; tip.style.top = y + "px";
  }
  function unhover() { tip.hidden = true; }
  function pin(info, node) {
    if (pinned) pinned.classList.remove("hrmap-on");
    pinned = node; node.classList.add("hrmap-on");
    fill(detailsBox, info);
  }

  var start = 0, m = /layer=([a-z0-9_-]+)/.exec(location.hash);
  if (m) D.layers.forEach(function (l, i) { if (l.id === m[1]) start = i; });
  setLayer(start);
  fit();

  // Self-test for the headless browser test (#selftest in the URL): switch every layer, check
  // each area's fill against its class, hover an area, zoom; write the result into the page.
  if (/selftest/.test(location.hash)) {
    var res = {areas: paths.length, sites: sites.length, layers: [], errors: errors};
    D.layers.forEach(function (l, i) {
      setLayer(i);
      var bad = 0, colours = {};
      D.areas.features.forEach(function (ft, j) {
        var f = paths[j].getAttribute("fill");
        colours[f] = 1;
        if (f !== colourOf(i, ft.properties.k[i])) bad++;
      });
      res.layers.push({id: l.id, checked: document.getElementById(id + "-layer-" + l.id).checked,
        wrongFills: bad, colours: Object.keys(colours).length, legendItems: legendBox.querySelectorAll("li").length,
        legendTitle: legendBox.querySelector("h3").textContent});
    });
    setLayer(start);
    var ev = new MouseEvent("mouseenter", {clientX: 10, clientY: 10});
    paths[0].dispatchEvent(ev);
    res.tip = tip.hidden ? "" : tip.textContent;
    unhover();
    var s0 = v.s;
    document.getElementById(id + "-zin").click();
    res.zoomed = v.s > s0;
    fit();
    res.svgBox = [svg.clientWidth, svg.clientHeight];
    var pre = h("pre", JSON.stringify(res), root);
    pre.id = id + "-selftest";
  }
}
