// The officer console. Everything from the server is shown with textContent, never parsed as HTML.
'use strict';

const state = { csrf: null, user: null, deployments: [], deployment: null, alerts: new Map(), selected: null, tab: 'alerts',
  events: null, chart: null };
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRF-Token'] = state.csrf;
  }
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const data = (r.headers.get('Content-Type') || '').includes('json') ? await r.json() : null;
  if (!r.ok) {
    const e = new Error(data && data.error ? data.error : 'HTTP ' + r.status);
    e.status = r.status;
    throw e;
  }
  return data;
}

function show(view) {
  for (const v of ['login-view', 'alerts-view', 'dashboard-view']) $(v).hidden = v !== view;
}

function time(ms) {
  return ms ? new Date(ms).toLocaleTimeString() : '';
}

async function start() {
  const s = await api('GET', '/api/session');
  state.csrf = s.csrf;
  if (s.user) await loggedIn(s.user); else loggedOut();
}

function loggedOut() {
  state.user = null;
  if (state.events) state.events.close();
  $('session-bar').hidden = true;
  show('login-view');
  $('login-name').focus();
}

async function loggedIn(user) {
  state.user = user;
  $('who').textContent = user.name + ' (' + user.role.toLowerCase() + ')';
  $('session-bar').hidden = false;
  $('tab-alerts').hidden = user.role === 'ANALYST';
  state.tab = user.role === 'ANALYST' ? 'dashboard' : 'alerts';
  await loadDeployments();
  listen();
  render();
}

async function loadDeployments() {
  state.deployments = await api('GET', '/api/deployments');
  const select = $('deployment');
  select.replaceChildren();
  for (const d of state.deployments) {
    const o = document.createElement('option');
    o.value = d.id;
    o.textContent = d.id + (d.location ? ' - ' + d.location : '') + ' [' + d.status + ']';
    select.append(o);
  }
  const keep = state.deployments.find((d) => d.id === state.deployment);
  const active = state.deployments.find((d) => d.status === 'ACTIVE');
  const pick = keep || active || state.deployments[0];
  state.deployment = pick ? pick.id : null;
  select.value = state.deployment || '';
  await loadDeployment();
}

async function loadDeployment() {
  state.alerts.clear();
  state.selected = null;
  const d = current();
  const report = $('report-link');
  report.hidden = !(d && state.user.role === 'SUPERVISOR');
  if (d) report.href = '/api/deployments/' + encodeURIComponent(d.id) + '/report';
  if (d && state.user.role !== 'ANALYST') {
    for (const a of await api('GET', '/api/alerts?deployment=' + encodeURIComponent(d.id))) state.alerts.set(a.alert_id, a);
  }
}

function current() {
  return state.deployments.find((d) => d.id === state.deployment);
}

function listen() {
  if (state.events) state.events.close();
  const es = new EventSource('/api/alerts/stream');
  es.addEventListener('alert', (m) => {
    const a = JSON.parse(m.data);
    if (a.removed) state.alerts.delete(a.alert_id);
    else if (a.deployment === state.deployment) state.alerts.set(a.alert_id, a);
    if (state.tab === 'alerts') renderAlerts();
  });
  es.addEventListener('metrics', (m) => {
    if (JSON.parse(m.data).deployment === state.deployment && state.tab === 'dashboard') renderDashboard();
  });
  es.addEventListener('deployment', () => loadDeployments().then(render));
  state.events = es;
}

function sortedAlerts() {
  return [...state.alerts.values()].sort((a, b) => b.first_seen - a.first_seen);
}

function render() {
  $('tab-alerts').setAttribute('aria-current', state.tab === 'alerts' ? 'page' : 'false');
  $('tab-dashboard').setAttribute('aria-current', state.tab === 'dashboard' ? 'page' : 'false');
  if (state.tab === 'alerts') {
    show('alerts-view');
    renderAlerts();
  } else {
    show('dashboard-view');
    renderDashboard();
  }
}

const STATES = { AWAITING_REVIEW: 'awaiting review', AWAITING_SECOND_OFFICER: 'awaiting a second officer',
  CONFIRMED: 'confirmed', FALSE_ALERT: 'false alert', NO_ACTION: 'no action' };

function describeState(a) {
  const s = STATES[a.state] || a.state;
  if (a.state === 'AWAITING_SECOND_OFFICER') return s + ' (first: ' + a.decided_by + ')';
  return a.decided_by ? s + ' by ' + a.decided_by + ' at ' + time(a.decided_at) : s;
}

function renderAlerts() {
  const list = $('alert-list');
  const alerts = sortedAlerts();
  if (!state.selected && alerts.length) state.selected = alerts[0].alert_id;
  const open = alerts.filter((a) => a.state.startsWith('AWAITING')).length;
  $('queue-count').textContent = '(' + open + ' to review, ' + alerts.length + ' in all)';
  document.title = (open ? '(' + open + ') ' : '') + 'LFR officer console'; // seen from another tab too
  list.replaceChildren(...alerts.map((a) => {
    const li = document.createElement('li');
    li.className = a.state + (a.alert_id === state.selected ? ' selected' : '');
    li.dataset.alertId = a.alert_id;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = a.display_name;
    const meta = document.createElement('span');
    meta.textContent = time(a.first_seen) + ' - ' + a.cameras.join(', ') + ' - ' + describeState(a);
    li.append(name, meta);
    li.addEventListener('click', () => select(a.alert_id));
    return li;
  }));
  renderReview();
}

function select(id) {
  if (state.selected !== id) {
    state.selected = id;
    $('note').value = '';
    $('review-status').textContent = '';
  }
  renderAlerts();
}

function renderReview() {
  const a = state.alerts.get(state.selected);
  $('review-empty').hidden = !!a;
  $('review-body').hidden = !a;
  if (!a) return;
  const base = '/api/alerts/' + encodeURIComponent(a.alert_id);
  setImage($('probe'), a.has_crop ? base + '/crop' : null);
  setImage($('reference'), a.has_reference ? base + '/reference' : null);
  $('reference-caption').textContent = a.has_reference ? 'Watchlist reference' : 'No reference photo';
  $('r-name').textContent = a.display_name + (a.display_name !== a.subject ? ' (' + a.subject + ')' : '');
  $('r-score').textContent = a.score.toFixed(3);
  $('r-cameras').textContent = a.cameras.join(', ');
  $('r-first').textContent = time(a.first_seen);
  $('r-last').textContent = time(a.last_seen);
  $('r-sightings').textContent = String(a.sightings);
  $('r-state').textContent = describeState(a);
  const open = a.state.startsWith('AWAITING');
  for (const b of document.querySelectorAll('.verdicts button')) b.disabled = !open;
}

function setImage(img, src) {
  if (src === null) img.removeAttribute('src');
  else if (img.getAttribute('src') !== src) img.src = src;
}

async function decide(verdict) {
  const a = state.alerts.get(state.selected);
  if (!a || !a.state.startsWith('AWAITING')) return;
  $('review-status').textContent = 'sending...';
  try {
    const r = await api('POST', '/api/alerts/' + encodeURIComponent(a.alert_id) + '/verdict', { verdict, note: $('note').value });
    $('review-status').textContent = r.written ? 'Recorded: ' + STATES[r.verdict] : 'Recorded; waiting for ' + r.waiting_for;
  } catch (e) {
    $('review-status').textContent = 'Not recorded: ' + e.message;
  }
}

function move(step) {
  const alerts = sortedAlerts();
  const i = alerts.findIndex((a) => a.alert_id === state.selected);
  const next = alerts[Math.min(alerts.length - 1, Math.max(0, i + step))];
  if (next) select(next.alert_id);
}

async function renderDashboard() {
  const d = current();
  if (!d) return;
  $('d-id').textContent = d.id;
  $('d-status').textContent = d.status;
  $('d-where').textContent = (d.location || '') + ' - cameras ' + d.cameras.join(', ') + ' - ' + new Date(d.start).toLocaleString()
    + ' to ' + new Date(d.end).toLocaleString() + ' - watchlist ' + d.watchlist + (d.two_person_verification ? ' - two-person verification' : '');
  const m = await api('GET', '/api/metrics?deployment=' + encodeURIComponent(d.id));
  $('m-faces').textContent = String(m.faces_searched);
  $('m-alerts').textContent = String(m.alerts);
  $('m-confirmed').textContent = String(m.confirmed);
  $('m-false').textContent = String(m.false_alerts);
  const rate = m.false_alert_rate_per_face;
  $('m-rate').textContent = rate === null ? '-' : rate === 0 ? '0' : rate.toExponential(2);
  drawChart(m.windows);
}

function drawChart(windows) {
  // counts per window on the left; the false-alert rate so far (per 1,000 faces scanned) on the right
  let faces = 0;
  let falseAlerts = 0;
  const rate = windows.map((w) => {
    faces += w.faces_searched;
    falseAlerts += w.adjudicated_false;
    return faces === 0 ? null : 1000 * falseAlerts / faces;
  });
  const data = [windows.map((w) => w.end / 1000), windows.map((w) => w.alerts), windows.map((w) => w.adjudicated_true),
    windows.map((w) => w.adjudicated_false), rate];
  if (state.chart) {
    state.chart.setData(data);
    return;
  }
  if (typeof uPlot === 'undefined') return;
  state.chart = new uPlot({ width: 800, height: 280, title: 'Alerts and verdicts per window, false-alert rate so far',
    scales: { rate: { auto: true } },
    axes: [{}, { label: 'per window' }, { scale: 'rate', side: 1, label: 'false alerts per 1,000 faces', grid: { show: false } }],
    series: [{}, { label: 'alerts', stroke: '#c77700' }, { label: 'confirmed', stroke: '#2e7d32' },
      { label: 'false alerts', stroke: '#b00020' }, { label: 'false alerts per 1,000 faces', scale: 'rate', stroke: '#6a1b9a', dash: [6, 4] }] },
  data, $('chart'));
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('login-error').textContent = '';
    try {
      const s = await api('POST', '/api/login', { name: $('login-name').value, password: $('login-password').value });
      state.csrf = s.csrf;
      $('login-password').value = '';
      await loggedIn(s.user);
    } catch (err) {
      $('login-error').textContent = err.message;
    }
  });
  $('logout').addEventListener('click', async () => {
    const s = await api('POST', '/api/logout');
    state.csrf = s.csrf;
    loggedOut();
  });
  $('deployment').addEventListener('change', async (e) => {
    state.deployment = e.target.value;
    await loadDeployment();
    render();
  });
  $('tab-alerts').addEventListener('click', () => { state.tab = 'alerts'; render(); });
  $('tab-dashboard').addEventListener('click', () => { state.tab = 'dashboard'; render(); });
  for (const b of document.querySelectorAll('.verdicts button')) b.addEventListener('click', () => decide(b.dataset.verdict));
  document.addEventListener('keydown', (e) => {
    if (!state.user || state.tab !== 'alerts' || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    const keys = { c: () => decide('CONFIRMED'), f: () => decide('FALSE_ALERT'), n: () => decide('NO_ACTION'), j: () => move(1),
      k: () => move(-1), ArrowDown: () => move(1), ArrowUp: () => move(-1) };
    const act = keys[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  });
  start().catch((e) => { $('login-error').textContent = e.message; show('login-view'); });
});
