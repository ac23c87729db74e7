// map.js - the encounter map: Natural Earth land (world-atlas, served by the
// node itself) drawn with d3-geo in SVG, opening on the East China Sea; units'
// signal positions as markers with tracks between a sender's positions in
// time order, incidents as red squares. No tile server, nothing leaves the station.
'use strict';
(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const W = 900, H = 520;
  // The East China Sea: about 117E-133E, 23N-37N.
  const VIEW = { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[117, 23], [117, 37], [133, 37], [133, 23], [117, 23]]] } };  // clockwise: the box, not its complement
  let projection = null, svg = null, layer = null, land = null;

  function el(name, attrs) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }

  async function init(container) {
    projection = d3.geoMercator().fitSize([W, H], VIEW);
    svg = el('svg', { viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'false' });
    const path = d3.geoPath(projection);
    const res = await fetch('world.json');
    const world = await res.json();
    land = topojson.feature(world, world.objects.countries);
    const g = el('g', { class: 'basemap' });
    for (const f of land.features) {
      const d = path(f);
      if (d) g.appendChild(el('path', { d, class: 'land' }));
    }
    svg.appendChild(g);
    const grat = d3.geoGraticule().step([5, 5]);
    svg.appendChild(el('path', { d: path(grat()), fill: 'none', stroke: '#9fbad0', 'stroke-width': 0.5 }));
    layer = el('g', { class: 'overlay' });
    svg.appendChild(layer);
    container.appendChild(svg);
  }

  // signals: [{id, from, lat, lon (1e-5 deg), time, text}]; incidents: [{id, title, lat, lon}]
  function draw(signals, incidents) {
    if (!layer) return;
    while (layer.firstChild) layer.removeChild(layer.firstChild);
    const bySender = new Map();
    for (const s of signals) {
      if (typeof s.lat !== 'number' || typeof s.lon !== 'number') continue;
      if (!bySender.has(s.from)) bySender.set(s.from, []);
      bySender.get(s.from).push(s);
    }
    for (const [from, list] of bySender) {
      list.sort((a, b) => String(a.time).localeCompare(String(b.time)));
      if (list.length > 1) {
        const pts = list.map((s) => projection([s.lon / 1e5, s.lat / 1e5]));
        layer.appendChild(el('polyline', { points: pts.map((p) => p.join(',')).join(' '), class: 'track', 'data-track': from }));
      }
      for (const s of list) {
        const [x, y] = projection([s.lon / 1e5, s.lat / 1e5]);
        const c = el('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: 6, class: 'marker-signal', tabindex: 0,
          'data-id': s.id, 'data-lat': s.lat, 'data-lon': s.lon, role: 'img' });
        const label = `${s.id} ${from}: ${s.text}`;
        c.setAttribute('aria-label', label);
        const t = el('title'); t.textContent = label; c.appendChild(t);
        layer.appendChild(c);
        const lbl = el('text', { x: (x + 8).toFixed(1), y: (y - 8).toFixed(1), class: 'label' });
        lbl.textContent = s.text.split(' — ')[0] + ' ' + from;
        layer.appendChild(lbl);
      }
    }
    for (const inc of incidents) {
      if (typeof inc.lat !== 'number' || typeof inc.lon !== 'number') continue;
      const [x, y] = projection([inc.lon / 1e5, inc.lat / 1e5]);
      const r = el('rect', { x: (x - 6).toFixed(1), y: (y - 6).toFixed(1), width: 12, height: 12, class: 'marker-incident',
        tabindex: 0, role: 'img', 'data-id': inc.id, 'data-lat': inc.lat, 'data-lon': inc.lon });
      r.setAttribute('aria-label', `${inc.id}: ${inc.title}`);
      const t = el('title'); t.textContent = `${inc.id}: ${inc.title}`; r.appendChild(t);
      layer.appendChild(r);
    }
  }

  window.LiaMap = { init, draw, project: (lon, lat) => projection([lon, lat]), size: [W, H] };
})();
