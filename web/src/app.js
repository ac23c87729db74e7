// app.js - the Liaison operator console. Talks only to the node that served
// it: /console/* for the session, /v1/* for the API (CSRF token on every
// POST), /v1/events (EventSource) for everything that arrives. Text from
// peers goes into the page through textContent only, never as markup.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const VIEWS = ['inbox', 'outbox', 'compose', 'signals', 'map', 'incidents', 'links', 'record', 'audit'];
  const state = { me: null, lang: 'en', view: 'inbox', inbox: [], outbox: [], alarms: new Map(), catalogue: null,
    signals: [], incidents: [], links: [], es: null, audio: null, mapReady: false, timing: [] };
  window.__lia = state;  // for the browser tests (timings, state)

  function t(key, vars) {
    const dict = window.LIA_I18N[state.lang] || window.LIA_I18N.en;
    let s = dict[key] || window.LIA_I18N.en[key] || key;
    for (const [k, v] of Object.entries(vars || {})) s = s.replace('{' + k + '}', String(v));
    return s;
  }

  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }

  function applyText() {
    document.documentElement.lang = state.lang;
    for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
    renderTabs();
  }

  async function api(method, path, body) {
    const opts = { method, headers: {}, credentials: 'same-origin' };
    if (method !== 'GET') {
      opts.headers['Content-Type'] = 'application/json';
      if (state.me) opts.headers['X-CSRF-Token'] = state.me.csrf;
      opts.body = JSON.stringify(body || {});
    }
    const res = await fetch(path, opts);
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (res.status === 401 && state.me && path !== '/console/login') sessionEnded(data && data.error);
    if (!res.ok) throw Object.assign(new Error((data && data.error) || `HTTP ${res.status}`), { status: res.status });
    return data;
  }

  function notice(text, isError) {
    const n = $('notice');
    n.textContent = text || '';
    n.className = isError ? 'notice error' : 'notice';
  }

  // ---- sign-in ----
  async function signIn(ev) {
    ev.preventDefault();
    $('signin-error').textContent = '';
    try {
      if (!state.audio && window.AudioContext) state.audio = new AudioContext();  // a user gesture: sound allowed later
    } catch (e) { state.audio = null; }
    try {
      const me = await api('POST', '/console/login', { operator: $('signin-operator').value, password: $('signin-password').value });
      $('signin-password').value = '';
      await started(me);
    } catch (e) {
      $('signin-error').textContent = e.message;
    }
  }

  async function started(me) {
    state.me = me;
    state.lang = me.lang || 'en';
    $('lang-select').value = state.lang;
    $('signin').hidden = true;
    $('app').hidden = false;
    $('whoami').textContent = `${me.operator} (${me.role}) — ${me.node} / ${me.party}`;
    applyText();
    fillDestinations();
    connectEvents();
    await Promise.all([loadBox('in'), loadBox('out'), loadLinks(), loadSignals(), loadIncidents()]);
    show(state.view);
  }

  function sessionEnded(sentence) {
    if (state.es) { state.es.close(); state.es = null; }
    state.me = null;
    $('app').hidden = true;
    $('signin').hidden = false;
    $('signin-error').textContent = sentence || t('expired');
  }

  async function signOut() {
    try { await api('POST', '/console/logout', {}); } catch (e) { /* ended anyway */ }
    sessionEnded('');
  }

  // ---- tabs ----
  function renderTabs() {
    const nav = clear($('tabs'));
    for (const v of VIEWS) {
      if (v === 'audit' && (!state.me || state.me.role === 'operator')) continue;
      nav.appendChild(h('button', { type: 'button', role: 'tab', id: 'tab-' + v, 'aria-selected': String(v === state.view),
        'aria-controls': 'view-' + v, onclick: () => show(v) }, t(v)));
    }
  }

  function show(view) {
    state.view = view;
    for (const s of document.querySelectorAll('.view')) s.hidden = s.dataset.view !== view;
    renderTabs();
    if (view === 'inbox' || view === 'outbox') { renderBoxes(); loadBox(view === 'inbox' ? 'in' : 'out').catch((e) => notice(e.message, true)); }
    if (view === 'map') renderMap();
    if (view === 'record') loadRecord();
    if (view === 'audit') loadAudit();
    if (view === 'links') renderLinks();
    if (view === 'signals') { loadCatalogue(); renderSignals(); }
    if (view === 'incidents') renderIncidents();
  }

  // ---- messages ----
  async function loadBox(box) {
    const d = await api('GET', `/v1/messages?box=${box}&limit=200`);
    state[box === 'in' ? 'inbox' : 'outbox'] = d.messages.reverse();  // newest first
    renderBoxes();
  }

  function dueMs(m) {
    const period = state.me && state.me.ack_deadline_ms ? state.me.ack_deadline_ms[m.precedence] : 0;
    return period ? Date.parse(m.time) + period : 0;
  }

  function countdown(m) {
    if (m.state === 'acknowledged') return '';
    const due = dueMs(m);
    if (!due) return '';
    const left = Math.round((due - Date.now()) / 1000);
    if (left <= 0 || (m.overdue && m.overdue.length)) return `${t('overdue')} ${fmtDur(-left)}`;
    return fmtDur(left);
  }
  function fmtDur(s) { s = Math.max(0, s); const m = Math.floor(s / 60); return `${m}:${String(s % 60).padStart(2, '0')}`; }
  function isOverdue(m) { return m.state !== 'acknowledged' && ((m.overdue && m.overdue.length) || (dueMs(m) && dueMs(m) < Date.now())); }

  function boxTable(list, box) {
    const tbl = h('table', {}, h('thead', {}, h('tr', {},
      h('th', {}, t('id')), h('th', {}, box === 'in' ? t('from') : t('to')), h('th', {}, t('precedence')),
      h('th', {}, t('time')), h('th', {}, t('text')), h('th', {}, t('state')), h('th', {}, t('deadline')), h('th', {}, ''))));
    const body = h('tbody');
    const ordered = list.slice().sort((a, b) => (state.alarms.has(b.id) ? 1 : 0) - (state.alarms.has(a.id) ? 1 : 0));
    for (const m of ordered) {
      const acks = (m.acks || []).map((a) => `${t('acked_by')} ${a.operator}`).join('; ');
      const tr = h('tr', { class: [isOverdue(m) ? 'overdue' : '', m.precedence === 'FLASH' ? 'flash' : ''].join(' '), 'data-id': m.id },
        h('td', {}, h('a', { href: '#', onclick: (e) => { e.preventDefault(); openMessage(m.id); } }, m.id)),
        h('td', { class: 'from' }, box === 'in' ? m.origin + (m.operator ? ` (${m.operator})` : '') : m.to + (m.operator ? ` — ${m.operator}` : '')),
        h('td', {}, m.precedence),
        h('td', {}, m.time),
        h('td', { class: 'text', lang: m.lang || undefined }, m.text),
        h('td', { class: 'state-' + m.state, 'data-state': m.state }, isOverdue(m) ? `${m.state} — ${t('overdue')}` : m.state, acks ? h('div', { class: 'acks' }, acks) : null),
        h('td', { class: 'countdown', 'data-due': dueMs(m) || '' }, countdown(m)),
        h('td', {}, box === 'in' && m.state !== 'acknowledged' && canAct() ?
          h('button', { type: 'button', onclick: () => acknowledge(m.id) , 'aria-label': `${t('acknowledge')} ${m.id}` }, t('acknowledge')) : null));
      body.appendChild(tr);
    }
    tbl.appendChild(body);
    return tbl;
  }

  function canAct() { return state.me && state.me.role !== 'auditor'; }

  function renderBoxes() {
    clear($('inbox-list')).appendChild(boxTable(state.inbox, 'in'));
    clear($('outbox-list')).appendChild(boxTable(state.outbox, 'out'));
  }

  async function openMessage(id) {
    const d = await api('GET', '/v1/messages/' + id);
    const m = d.message;
    const sig = (s) => s && s.valid ? h('span', { class: 'sig-ok' }, `${t('valid')} (${s.signer})`) : h('span', { class: 'sig-bad' }, `${t('invalid')} ${s && s.error ? s.error : ''}`);
    const box = clear($('message-detail'));
    box.appendChild(h('dl', {},
      h('dt', {}, t('id')), h('dd', {}, m.id),
      h('dt', {}, t('from')), h('dd', { id: 'message-from' }, m.origin + (m.operator ? ` (${m.operator})` : '')), h('dt', {}, t('to')), h('dd', {}, m.to),
      h('dt', {}, t('precedence')), h('dd', {}, m.precedence), h('dt', {}, t('time')), h('dd', {}, m.time),
      h('dt', {}, t('state')), h('dd', { 'data-state': m.state }, m.state),
      h('dt', {}, t('signature')), h('dd', {}, sig(d.signature)),
      h('dt', {}, t('log_place')), h('dd', { id: 'message-log-place' }, `${t('here')}: #${m.log_index}`),
      h('dt', {}, t('text')), h('dd', { class: 'text', lang: m.lang || undefined }, m.text)));
    box.appendChild(h('h3', {}, t('receipts')));
    box.appendChild(h('ul', {}, (d.receipts || []).map((r) => h('li', {}, `${r.id} ${r.node} ${r.time} `, sig(r.signature)))));
    box.appendChild(h('h3', {}, t('acks')));
    box.appendChild(h('ul', { id: 'message-acks' }, (d.acks || []).map((a) => h('li', {}, `${a.id} ${t('acked_by')} ${a.operator} ${a.time} `, sig(a.signature)))));
    if (m.direction === 'in' && m.state !== 'acknowledged' && canAct())
      box.appendChild(h('button', { type: 'button', onclick: () => acknowledge(m.id) }, t('acknowledge')));
    show('message');
    // Its place in both logs: this node's and the peer's (a proof asked over the link, checked here).
    const [origin, seq] = id.split('/');
    api('GET', `/v1/record/entries/${origin}/${seq}`).then((p) => {
      const where = $('message-log-place');
      if (!where || !p || !p.logs) return;
      clear(where);
      for (const l of p.logs) where.appendChild(h('div', { class: l.verified ? 'sig-ok' : 'sig-bad', 'data-log': l.node },
        `${l.node}: #${l.index} / ${l.checkpoint_size}` + (l.cosigned_by ? ` (${t('cosigned')}: ${l.cosigned_by.join(', ')})` : '') +
        (l.verified ? ` — ${t('valid')}` : ` — ${l.error || t('invalid')}`)));
    }).catch(() => {});
  }

  async function acknowledge(id) {
    try {
      const r = await api('POST', `/v1/messages/${id}/ack`, {});
      clearAlarm(id);
      notice(t('sent_ok', { id: r.id }));
      await loadBox('in');
    } catch (e) { notice(e.message, true); }
  }

  // ---- alarms ----
  function beep() {
    const ctx = state.audio;
    if (!ctx) return;
    try {
      if (ctx.state === 'suspended') ctx.resume();
      const o = ctx.createOscillator(), g = ctx.createGain();
      o.frequency.value = 880; g.gain.value = 0.2;
      o.connect(g); g.connect(ctx.destination);
      o.start(); o.stop(ctx.currentTime + 0.4);
      state.beeps = (state.beeps || 0) + 1;
    } catch (e) { /* no audio device */ }
  }

  async function raiseAlarm(ev) {
    let m = null;
    try { m = (await api('GET', '/v1/messages/' + ev.entry)).message; } catch (e) { m = { id: ev.entry, origin: ev.entry.split('/')[0], precedence: ev.precedence, text: '' }; }
    if (m.state === 'acknowledged') return;
    const banner = h('div', { class: 'alarm', role: 'alert', 'data-id': m.id },
      h('strong', {}, `${t('alarm')}: ${m.precedence} ${m.id} — ${m.origin}${m.operator ? ' (' + m.operator + ')' : ''}`),
      h('span', { class: 'alarm-text', lang: m.lang || undefined }, m.text),
      canAct() ? h('button', { type: 'button', onclick: () => acknowledge(m.id) }, t('acknowledge')) : null);
    state.alarms.set(m.id, banner);
    $('alarms').prepend(banner);
    state.timing.push({ id: m.id, at_ms: ev.at_ms, time_ms: ev.time_ms, shown_ms: Date.now() });
    updateTitle();
    beep();
    if (!state.beepTimer) state.beepTimer = setInterval(() => { if (state.alarms.size) beep(); }, 5000);
    await loadBox('in');
  }

  function clearAlarm(id) {
    const b = state.alarms.get(id);
    if (b) { b.remove(); state.alarms.delete(id); }
    updateTitle();
  }

  function updateTitle() {
    const n = state.alarms.size;
    document.title = n ? `(${n}) ⚠ ${t('alarm')} — Liaison` : 'Liaison console';
  }

  // ---- live events ----
  function connectEvents() {
    if (state.es) state.es.close();
    const es = new EventSource('/v1/events');
    state.es = es;
    es.addEventListener('hello', () => { $('live').textContent = t('connected'); });
    es.onerror = () => { $('live').textContent = t('disconnected'); checkSession(); };
    es.onmessage = (msg) => { let ev; try { ev = JSON.parse(msg.data); } catch (e) { return; } onEvent(ev); };
  }

  async function checkSession() {
    try { await api('GET', '/console/me'); } catch (e) { /* api() ends the session on 401 */ }
  }

  function onEvent(ev) {
    state.lastEvent = ev;
    switch (ev.kind) {
    case 'message':
      if (ev.direction === 'in' && (ev.precedence === 'FLASH' || ev.precedence === 'IMMEDIATE')) raiseAlarm(ev);
      else loadBox(ev.direction === 'in' ? 'in' : 'out');
      break;
    case 'receipt': case 'ack':
      if (ev.kind === 'ack' && ev.ref) clearAlarm(ev.ref);
      loadBox('in'); loadBox('out');
      if (state.view === 'message') { /* keep the detail fresh */ }
      break;
    case 'signal': loadSignals(); break;
    case 'incident': loadIncidents(); break;
    case 'link': state.links = ev.links || []; linkBanner(); if (state.view === 'links') renderLinks(); break;
    case 'linktest': case 'linktest_answer': loadLinks(); break;
    default: break;
    }
  }

  // ---- links ----
  async function loadLinks() {
    const d = await api('GET', '/v1/links');
    state.links = d.links;
    linkBanner();
    if (state.view === 'links') renderLinks();
  }

  function linkBanner() {
    const problems = [];
    for (const l of state.links) {
      if (l.state !== 'up') problems.push(t('link_down', { peer: l.peer, state: l.state }));
      if (l.linktest && l.linktest.last_failure && (!l.linktest.last_success || l.linktest.last_failure > l.linktest.last_success))
        problems.push(t('linktest_failed', { peer: l.peer }));
    }
    const b = $('link-banner');
    b.textContent = problems.join(' · ');
    b.hidden = problems.length === 0;
  }

  function renderLinks() {
    const box = clear($('links-list'));
    const tbl = h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('peer')), h('th', {}, t('state')), h('th', {}, t('since')),
      h('th', {}, t('rtt')), h('th', {}, t('path')), h('th', {}, t('linktests')), h('th', {}, ''))));
    const body = h('tbody');
    for (const l of state.links) {
      const lt = l.linktest || {};
      body.appendChild(h('tr', { class: l.state !== 'up' ? 'overdue' : '' }, h('td', {}, l.peer), h('td', {}, l.state), h('td', {}, l.since || ''),
        h('td', {}, l.rtt_ms !== undefined ? `${l.rtt_ms} ms` : ''),
        h('td', {}, (l.paths || []).map((p) => `${p.path}: ${p.address} ${p.state}${p.active ? ' *' : ''}`).join('; ') || l.address || ''),
        h('td', {}, `sent ${lt.sent || 0}, answered ${lt.answered || 0}, failures ${lt.failures || 0}; last ok ${lt.last_success || '-'}; last failure ${lt.last_failure || '-'}`),
        h('td', {}, canAct() ? h('button', { type: 'button', 'data-peer': l.peer, onclick: () => testLink(l.peer) }, t('test_link', { peer: l.peer })) : null)));
    }
    tbl.appendChild(body);
    box.appendChild(tbl);
    // Each link's recent tests, newest first, from the store's link-test entries (linktest.history).
    for (const l of state.links) {
      const hist = (l.linktest && l.linktest.history) || [];
      const ht = h('table', { class: 'linktest-history', 'data-peer': l.peer },
        h('caption', {}, t('linktest_history', { peer: l.peer })),
        h('thead', {}, h('tr', {}, h('th', {}, t('id')), h('th', {}, t('time')), h('th', {}, t('result')), h('th', {}, t('rtt')))));
      const hb = h('tbody');
      for (const x of hist) {
        hb.appendChild(h('tr', { 'data-id': x.id, 'data-result': x.result, class: x.result === 'failed' || x.result === 'late' ? 'overdue' : '' },
          h('td', {}, x.id), h('td', {}, x.time), h('td', {}, t('lt_' + x.result)), h('td', {}, x.rtt_ms !== null ? `${x.rtt_ms} ms` : '')));
      }
      if (hist.length === 0) hb.appendChild(h('tr', {}, h('td', { colspan: 4 }, t('none'))));
      ht.appendChild(hb);
      box.appendChild(ht);
    }
  }

  // A link test now (POST /v1/links/PEER/test); its answer, or its failure, comes back as events.
  async function testLink(peer) {
    try {
      const r = await api('POST', `/v1/links/${encodeURIComponent(peer)}/test`, {});
      notice(t('sent_ok', { id: r.id }));
    } catch (e) { notice(e.message, true); }
  }

  // ---- compose ----
  function fillDestinations() {
    const me = state.me;
    const opts = [];
    for (const n of me.nodes || []) if (n.name !== me.node) opts.push([n.name, `${n.name} (${n.party}, ${n.role})`]);
    const parties = [...new Set((me.nodes || []).map((n) => n.party))].filter((p) => p !== me.party);
    for (const p of parties) opts.push([p, `${p} (party)`]);
    for (const id of ['compose-to', 'signal-to']) {
      const sel = clear($(id));
      for (const [v, label] of opts) sel.appendChild(h('option', { value: v }, label));
    }
    const inc = clear($('incident-to'));
    for (const p of parties) inc.appendChild(h('option', { value: p }, p));
    $('compose-lang').value = state.lang;
  }

  async function sendMessage(ev) {
    ev.preventDefault();
    try {
      const r = await api('POST', '/v1/messages', { to: $('compose-to').value, precedence: $('compose-precedence').value,
        lang: $('compose-lang').value, text: $('compose-text').value });
      $('compose-text').value = '';
      notice(t('sent_ok', { id: r.id }));
      await loadBox('out');
    } catch (e) { notice(e.message, true); }
  }

  // ---- signals ----
  async function loadCatalogue() {
    if (state.catalogue) return;
    try {
      const d = await api('GET', '/console/catalogue');
      state.catalogue = Array.isArray(d) ? d : d.signals;
    } catch (e) { state.catalogue = []; }
    const sel = clear($('signal-code'));
    for (const s of state.catalogue) sel.appendChild(h('option', { value: s.code }, `${s.code} — ${(s.text[state.lang] || s.text.en).slice(0, 60)}`));
    signalParams();
  }

  function currentSignal() { return (state.catalogue || []).find((s) => s.code === $('signal-code').value); }

  function signalParams() {
    const s = currentSignal();
    const box = clear($('signal-params'));
    if (!s) return;
    $('signal-text').textContent = s.text[state.lang] || s.text.en;
    for (const p of s.params) {
      const id = 'signal-param-' + p.name;
      box.appendChild(h('label', { for: id }, `${p.name} (${p.min}–${p.max}${p.unit ? ' ' + p.unit : ''})`));
      box.appendChild(h('input', { id, 'data-param': p.name, inputmode: 'decimal', oninput: checkSignal, 'aria-describedby': 'signal-problem' }));
    }
    checkSignal();
  }

  // Checks as the operator types; the node checks again before signing anything.
  function checkSignal() {
    const s = currentSignal();
    const problems = [];
    const values = [];
    if (s) for (const p of s.params) {
      const input = $('signal-param-' + p.name);
      const v = input.value.trim();
      let bad = null;
      const num = Number(v);
      if (v === '' || !Number.isFinite(num)) bad = t('param_range', { name: p.name, min: p.min, max: p.max });
      else if (p.type === 'int' && !/^-?\d+$/.test(v)) bad = t('param_int', { name: p.name });
      else if (num < p.min || num > p.max) bad = t('param_range', { name: p.name, min: p.min, max: p.max });
      input.setAttribute('aria-invalid', bad ? 'true' : 'false');
      if (bad) problems.push(bad);
      values.push(v);
    }
    const lat = Number($('signal-lat').value), lon = Number($('signal-lon').value);
    if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180) || $('signal-lat').value === '' || $('signal-lon').value === '') problems.push(t('bad_pos'));
    $('signal-problem').textContent = problems.join('; ');
    $('signal-send').disabled = problems.length > 0 || !canAct();
    if (s) {
      let text = s.text[state.lang] || s.text.en;
      s.params.forEach((p, i) => { text = text.replace('{' + p.name + '}', values[i] || '…'); });
      $('signal-text').textContent = `${s.code} — ${text}`;
    }
    return { s, values, lat, lon, ok: problems.length === 0 };
  }

  async function sendSignal(ev) {
    ev.preventDefault();
    const c = checkSignal();
    if (!c.ok) return;
    const params = c.s.params.map((p, i) => (p.type === 'int' ? parseInt(c.values[i], 10) : Number(c.values[i])));
    try {
      const r = await api('POST', '/v1/signals', { to: $('signal-to').value, signals: [{ code: c.s.code, params: c.values }],
        lat: Math.round(c.lat * 1e5), lon: Math.round(c.lon * 1e5) });
      notice(t('sent_ok', { id: r.id }));
      void params;
      await loadSignals();
    } catch (e) { notice(e.message, true); }
  }

  async function loadSignals() {
    const d = await api('GET', '/v1/signals?lang=' + state.lang);
    state.signals = d.signals;
    if (state.view === 'signals') renderSignals();
    if (state.view === 'map') renderMap();
  }

  function renderSignals() {
    const box = clear($('signals-list'));
    const tbl = h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('id')), h('th', {}, t('from')), h('th', {}, t('to')),
      h('th', {}, t('time')), h('th', {}, 'lat, lon'), h('th', {}, t('signals')))));
    const body = h('tbody');
    for (const s of state.signals.slice().reverse()) {
      body.appendChild(h('tr', { 'data-id': s.id }, h('td', {}, s.id), h('td', {}, s.from), h('td', {}, s.to || '*'), h('td', {}, s.time),
        h('td', {}, `${(s.lat / 1e5).toFixed(5)}, ${(s.lon / 1e5).toFixed(5)}`),
        h('td', { lang: state.lang, class: 'rendered' }, s.signals.map((x) => h('div', {}, x)))));
    }
    tbl.appendChild(body);
    box.appendChild(tbl);
  }

  // ---- map ----
  async function renderMap() {
    if (!state.mapReady) {
      state.mapReady = true;
      await window.LiaMap.init($('map'));
    }
    window.LiaMap.draw(state.signals.map((s) => ({ id: s.id, from: s.from, lat: s.lat, lon: s.lon, time: s.time, text: s.signals.join(' / ') })),
      state.incidents.filter((i) => i.lat !== undefined));
    const legend = clear($('map-legend'));
    legend.appendChild(h('li', {}, t('positions')));
    for (const s of state.signals) legend.appendChild(h('li', {}, `${s.id} ${s.from} ${(s.lat / 1e5).toFixed(3)}, ${(s.lon / 1e5).toFixed(3)}: ${s.signals.join(' / ')}`));
  }

  // ---- incidents ----
  async function loadIncidents() {
    const d = await api('GET', '/v1/incidents');
    const list = [];
    for (const i of d.incidents) {
      try {
        const full = await api('GET', '/v1/incidents/' + i.id);
        const open = (full.timeline || []).find((s) => s.action === 'open') || {};
        list.push(Object.assign({}, full, { lat: open.lat, lon: open.lon }));
      } catch (e) { list.push(i); }
    }
    state.incidents = list;
    if (state.view === 'incidents') renderIncidents();
    if (state.view === 'map') renderMap();
  }

  function renderIncidents() {
    const box = clear($('incidents-list'));
    for (const inc of state.incidents) {
      const section = h('section', { class: 'incident', 'data-id': inc.id, 'aria-label': `${inc.id} ${inc.title}` },
        h('h3', {}, `${inc.id} — `, h('span', { class: 'text' }, inc.title), ` [${inc.state}]`),
        h('p', {}, `${inc.parties ? inc.parties.join(' ↔ ') : ''}; ${t('timeline')}:`));
      const tl = h('ol', { class: 'timeline' });
      for (const s of inc.timeline || []) {
        const pending = (inc.pending || []).some((p) => p.id === s.id);
        // The operator who made the step, as signed into the entry (peer text: a text node only).
        tl.appendChild(h('li', { 'data-step': s.id, 'data-action': s.action }, `${s.time} ${s.party} (${s.by}`,
          s.operator ? [', ', h('span', { class: 'operator text' }, s.operator)] : null, `) ${s.action}`,
          s.state ? ` → ${s.state}` : '', s.reason ? h('span', { class: 'text' }, `: ${s.reason}`) : null,
          s.text ? h('span', { class: 'text' }, `: ${s.text}`) : null,
          s.action === 'propose' ? ` — ${s.confirmed ? t('confirmed') : t('awaiting')}` : '',
          pending && s.party !== state.me.party && canAct() ?
            h('button', { type: 'button', onclick: () => incidentAct(inc.id, 'confirm', { proposal: s.id }) }, `${t('confirm')} ${s.state}`) : null));
      }
      section.appendChild(tl);
      if (canAct() && inc.state !== 'closed') {
        const selId = 'propose-state-' + inc.id.replace('/', '-'), reasonId = 'propose-reason-' + inc.id.replace('/', '-');
        section.appendChild(h('form', { class: 'propose', onsubmit: (e) => { e.preventDefault();
          incidentAct(inc.id, 'propose', { state: $(selId).value, reason: $(reasonId).value }); } },
          h('label', { for: selId }, t('state')), h('select', { id: selId }, h('option', {}, 'contained'), h('option', {}, 'closed')),
          h('label', { for: reasonId }, t('reason')), h('input', { id: reasonId, required: true, maxlength: 200 }),
          h('button', { type: 'submit' }, t('propose'))));
      }
      box.appendChild(section);
    }
  }

  async function incidentAct(id, action, body) {
    try {
      const r = await api('POST', `/v1/incidents/${id}/${action}`, body);
      notice(t('sent_ok', { id: r.id }));
      await loadIncidents();
    } catch (e) { notice(e.message, true); }
  }

  async function openIncident(ev) {
    ev.preventDefault();
    try {
      const r = await api('POST', '/v1/incidents', { to: $('incident-to').value, title: $('incident-title').value });
      $('incident-title').value = '';
      notice(t('new_incident', { id: r.id }));
      await loadIncidents();
    } catch (e) { notice(e.message, true); }
  }

  // ---- record ----
  async function loadRecord() {
    const box = clear($('record-detail'));
    try {
      const r = await api('GET', '/v1/record');
      const cos = r.checkpoint && r.checkpoint.cosigned_by && r.checkpoint.cosigned_by.length ? r.checkpoint.cosigned_by.join(', ') : t('none');
      box.appendChild(h('dl', {},
        h('dt', {}, t('size')), h('dd', { id: 'record-size' }, String(r.size)),
        h('dt', {}, t('cosigned')), h('dd', { id: 'record-cosigned' }, cos),
        h('dt', {}, t('alarms')), h('dd', { class: r.alarms ? 'loud' : '' }, String(r.alarms)),
        h('dt', {}, t('evidence')), h('dd', { class: r.evidence && r.evidence.length ? 'loud' : '' },
          r.evidence && r.evidence.length ? r.evidence.map((e) => h('div', { role: 'alert' }, JSON.stringify(e))) : t('none'))));
      if (r.checkpoint) box.appendChild(h('pre', {}, r.checkpoint.note));
      box.appendChild(h('button', { type: 'button', onclick: exportRecord }, t('export')));
    } catch (e) { box.appendChild(h('p', { class: 'error' }, e.message)); }
  }

  async function exportRecord() {
    try {
      const bundle = await api('GET', '/v1/record/export');
      const blob = new Blob([JSON.stringify(bundle)], { type: 'application/json' });
      const a = h('a', { href: URL.createObjectURL(blob), download: `record-${state.me.node}.json` });
      document.body.appendChild(a); a.click(); a.remove();
    } catch (e) { notice(e.message, true); }
  }

  // ---- audit ----
  async function loadAudit() {
    const box = clear($('audit-list'));
    try {
      const d = await api('GET', '/console/audit');
      const tbl = h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('time')), h('th', {}, t('who')), h('th', {}, t('where')),
        h('th', {}, t('what')), h('th', {}, t('outcome')), h('th', {}, t('details')))));
      const body = h('tbody');
      for (const a of d.audit) body.appendChild(h('tr', { class: a.outcome.startsWith('refused') ? 'overdue' : '' },
        h('td', {}, new Date(a.time_ms).toISOString()), h('td', {}, a.operator), h('td', {}, a.address), h('td', {}, a.action),
        h('td', {}, a.outcome), h('td', { class: 'text' }, a.detail)));
      tbl.appendChild(body);
      box.appendChild(tbl);
    } catch (e) { box.appendChild(h('p', { class: 'error' }, e.message)); }
  }

  // ---- language ----
  async function setLang() {
    try {
      const me = await api('POST', '/console/lang', { lang: $('lang-select').value });
      state.me = me; state.lang = me.lang; state.catalogue = null;
      applyText();
      await loadSignals();
      show(state.view);
    } catch (e) { notice(e.message, true); }
  }

  // Countdowns tick in view; overdue rows turn red.
  setInterval(() => {
    if (!state.me) return;
    for (const td of document.querySelectorAll('td.countdown')) {
      const tr = td.closest('tr');
      const list = state.inbox.concat(state.outbox);
      const m = list.find((x) => x.id === tr.dataset.id);
      if (!m) continue;
      td.textContent = countdown(m);
      tr.classList.toggle('overdue', Boolean(isOverdue(m)));
    }
  }, 1000);

  document.addEventListener('DOMContentLoaded', async () => {
    $('signin-form').addEventListener('submit', signIn);
    $('signout').addEventListener('click', signOut);
    $('compose-form').addEventListener('submit', sendMessage);
    $('signal-form').addEventListener('submit', sendSignal);
    $('signal-code').addEventListener('change', signalParams);
    $('signal-lat').addEventListener('input', checkSignal);
    $('signal-lon').addEventListener('input', checkSignal);
    $('incident-open-form').addEventListener('submit', openIncident);
    $('lang-select').addEventListener('change', setLang);
    applyText();
    try {  // an existing session (a reload)
      const res = await fetch('/console/me', { credentials: 'same-origin' });
      if (res.ok) await started(await res.json());
    } catch (e) { /* signed out */ }
  });
})();
