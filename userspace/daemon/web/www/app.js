// ogate's page: one EventSource for status, phases and warnings; the live
// image is a multipart JPEG stream; every control goes to POST api/command
// as the same line the control socket takes. No build step, no libraries.
'use strict';
const $ = (s) => document.querySelector(s);
const TAU = 2 * Math.PI;
const WINDOW_S = 8;           // strip chart span
let token = localStorage.getItem('ogate-token') || '';
let samples = [];             // [t_s, phase, flags, trigger_s]
let status = {};
let ref = null, refLoading = false;   // the reference shown: /api/reference
let plan = null;              // the acquisition this page started: {planes, stacks}
let seenNotes = -1;

const m = location.hash.match(/token=([^&]+)/);
if (m) { token = decodeURIComponent(m[1]); localStorage.setItem('ogate-token', token); history.replaceState(null, '', location.pathname); }

async function command(line) {
  const headers = { 'X-Ogate': '1', 'Content-Type': 'text/plain' };
  if (token) headers.Authorization = 'Bearer ' + token;
  let text;
  try {
    const r = await fetch('api/command', { method: 'POST', headers, body: line });
    text = await r.text();
  } catch (e) { text = 'ERR connection ' + e; }
  const reply = $('#reply');
  reply.textContent = '> ' + line + '\n' + text.trim();
  reply.classList.toggle('err', !text.startsWith('OK'));
  return text;
}

document.querySelectorAll('button[data-cmd]').forEach((b) =>
  b.addEventListener('click', () => command(b.dataset.cmd)));

$('#cmdline').addEventListener('submit', (e) => {
  e.preventDefault();
  const line = $('#cmd').value.trim();
  if (line) command(line);
});

document.querySelectorAll('form[data-kind]').forEach((f) => f.addEventListener('submit', async (e) => {
  e.preventDefault();
  const words = [f.dataset.kind];
  for (const i of f.querySelectorAll('input')) if (i.value !== '') words.push(i.name + '=' + i.value);
  const text = await command(words.join(' '));
  if (text.startsWith('OK')) {
    const v = (n, d) => Number(f.querySelector(`[name=${n}]`)?.value || d);
    plan = { planes: v('planes', 1), stacks: v('stacks', 1) };
  }
}));

// ---- thumbnails: the frames of the current reference; a click aims at that frame ----
const thumbs = $('#thumbs');
function markTarget() {
  const on = ref && status.reference === ref.id && status.target_u >= 0 ? Math.round(status.target_u) % ref.n : -1;
  thumbs.querySelectorAll('.thumb').forEach((b) => b.classList.toggle('target', +b.dataset.i === on));
}
async function loadReference() {
  refLoading = true;
  try {
    const r = await fetch('api/reference');
    if (!r.ok) return;
    const info = await r.json();
    const img = new Image();
    img.src = 'api/reference.jpg?g=' + info.gen;
    await img.decode();
    const list = info.phases.map((ph, i) => {
      const b = document.createElement('button'), c = document.createElement('canvas'), s = document.createElement('span');
      b.className = 'thumb';
      b.dataset.i = i; b.dataset.phase = ph; b.dataset.seq = info.first_seq + i * (info.seq_step || 1);
      b.title = `frame ${i}: target ${ph.toFixed(3)} rad`;
      c.width = info.tile_w; c.height = info.tile_h;
      c.getContext('2d').drawImage(img, (i % info.cols) * info.tile_w, Math.floor(i / info.cols) * info.tile_h,
        info.tile_w, info.tile_h, 0, 0, info.tile_w, info.tile_h);
      s.textContent = i;
      b.append(c, s);
      b.addEventListener('click', () => command('target ' + ph.toFixed(6)));
      return b;
    });
    thumbs.replaceChildren(...list);
    if (!$('#ro').hidden) list.forEach((b) => { b.disabled = true; });
    thumbs.dataset.ref = info.id;
    thumbs.dataset.gen = info.gen;
    ref = info;
    markTarget();
  } catch (e) {
    // the next event tries again
  } finally { refLoading = false; }
}

// ---- the dial: current phase (white), target (orange); click to set ----
const dial = $('#dial');
function drawDial() {
  const g = dial.getContext('2d'), r = dial.width / 2 - 8, c = dial.width / 2;
  g.clearRect(0, 0, dial.width, dial.height);
  g.strokeStyle = '#3a414d'; g.lineWidth = 6;
  g.beginPath(); g.arc(c, c, r, 0, TAU); g.stroke();
  const hand = (ph, color, w) => {
    if (!(ph >= 0)) return;
    const a = ph - Math.PI / 2;
    g.strokeStyle = color; g.lineWidth = w;
    g.beginPath(); g.moveTo(c, c); g.lineTo(c + r * Math.cos(a), c + r * Math.sin(a)); g.stroke();
  };
  hand(status.target_phase_rad, '#f5a623', 4);
  const last = samples.length ? samples[samples.length - 1][1] : -1;
  hand(last, '#e6e6e6', 2);
}
dial.addEventListener('click', (e) => {
  const rc = dial.getBoundingClientRect();
  const x = e.clientX - rc.left - rc.width / 2, y = e.clientY - rc.top - rc.height / 2;
  let ph = Math.atan2(y, x) + Math.PI / 2;
  if (ph < 0) ph += TAU;
  command('target ' + (ph % TAU).toFixed(4));
});

// ---- strip chart: phase of every frame, triggers as orange ticks ----
const chart = $('#chart');
function drawChart() {
  const dpr = window.devicePixelRatio || 1, w = chart.clientWidth, h = chart.clientHeight;
  if (chart.width !== Math.round(w * dpr)) { chart.width = Math.round(w * dpr); chart.height = Math.round(h * dpr); }
  const g = chart.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  if (!samples.length) return;
  const t1 = samples[samples.length - 1][0], t0 = t1 - WINDOW_S;
  const X = (t) => (t - t0) / WINDOW_S * w, Y = (p) => h - 4 - p / TAU * (h - 8);
  if (status.target_phase_rad >= 0) {
    g.strokeStyle = 'rgba(245,166,35,.4)'; g.setLineDash([4, 4]);
    g.beginPath(); g.moveTo(0, Y(status.target_phase_rad)); g.lineTo(w, Y(status.target_phase_rad)); g.stroke();
    g.setLineDash([]);
  }
  g.fillStyle = '#4c9aff';
  for (const s of samples) if (s[0] >= t0 && s[1] >= 0) g.fillRect(X(s[0]) - 1, Y(s[1]) - 1, 2, 2);
  g.strokeStyle = '#f5a623'; g.lineWidth = 2;
  for (const s of samples) {
    if (!(s[2] & 1) || s[3] === undefined || s[3] < t0) continue;
    const x = X(s[3]);
    g.beginPath(); g.moveTo(x, 0); g.lineTo(x, 14); g.stroke();
  }
}

// ---- status ----
const fmt = (v, d) => (typeof v === 'number' ? v.toFixed(d) : '—');
function showStatus(st, stats) {
  status = st;
  const lock = $('#lock');
  lock.textContent = st.locked ? 'locked' : (st.state === 'running' ? 'learning…' : 'stopped');
  // while learning: what the period scan sees (no valley, estimates disagree, ...)
  if (!st.locked && st.state === 'running' && st.search_state) lock.textContent += ' ' + st.search_state;
  lock.title = st.locked || !st.search_state ? '' :
    `period search ${fmt(st.searching_s, 0)} s, buffer ${fmt(st.search_span_s, 1)} s (periods ` +
    `${fmt(st.search_shortest_period_s, 3)}–${fmt(st.search_longest_period_s, 1)} s), widened ` +
    `${st.search_widened}×, last estimates ${st.search_estimates_s} s`;
  lock.className = 'badge ' + (st.locked ? 'on' : 'off');
  $('#rate').textContent = st.period_s > 0 ? (60 / st.period_s).toFixed(1) + ' bpm' : '— bpm';
  $('#fps').textContent = fmt(st.fps, 1) + ' fps';
  $('#target').textContent = st.target_phase_rad >= 0 ? st.target_phase_rad.toFixed(3) + ' rad' : '—';
  $('#period').textContent = st.period_s > 0 ? (st.period_s * 1000).toFixed(1) + ' ms' : '—';
  $('#triggers').textContent = st.triggers ?? '—';
  $('#fired').textContent = (st.fired ?? '—') + ' / ' + (st.missed ?? '—');
  const rec = $('#record');
  rec.textContent = st.recording ? 'Record off' : 'Record on';
  rec.dataset.cmd = st.recording ? 'record off' : 'record on';
  // acquisition
  const acq = st.acq_state || 'none';
  let text = acq;
  if (st.acq_state && st.acq_state !== 'idle') text += ` · stack ${st.acq_stack} · plane ${st.acq_plane} · z ${fmt(st.acq_z_um, 2)} µm`;
  // the run's skipped frames so far (the analysis behind, the camera's own losses)
  const skipped = Number(st.acq_skipped_frames || 0), lost = Number(st.acq_skipped_camera || 0);
  if (skipped > 0) text += ` · ${skipped} frames skipped` + (lost > 0 ? ` (${lost} lost by the camera)` : '');
  if (st.acq_error) text += ' · ' + st.acq_error;
  $('#acq-state').textContent = text;
  const p = $('#acq-progress');
  if (plan && st.acq_plane !== undefined) {
    const done = (st.acq_stack || 0) * plan.planes + (st.acq_plane || 0);
    p.value = Math.min(1, done / (plan.planes * plan.stacks));
  }
  if (acq === 'done') p.value = 1;
  markTarget();
  // health: every health_* key of status, and the drops of stats (drops_stale:
  // superseded while the analysis was behind; lag_max_ms: its worst lag)
  const hl = $('#health');
  const rows = Object.entries(st).filter(([k]) => k.startsWith('health_'));
  for (const k of ['drops_source', 'drops_stale', 'lag_max_ms', 'drops_analysis', 'drops_record', 'late',
                   'analysis_p99_us'])
    if (stats && k in stats) rows.push([k, stats[k]]);
  hl.innerHTML = '';
  for (const [k, v] of rows) {
    const dt = document.createElement('dt'), dd = document.createElement('dd');
    dt.textContent = k.replace(/^health_/, '').replace(/_/g, ' ');
    dd.textContent = typeof v === 'boolean' ? (v ? 'yes' : 'no') : v;
    if ((k === 'health_warnings' && v !== 'none') || (k === 'health_undervolt' && v === true)) dd.className = 'bad';
    hl.append(dt, dd);
  }
}

function addNotes(notes) {
  const ul = $('#warnings');
  for (const [n, text] of notes) {
    if (n <= seenNotes) continue;
    seenNotes = n;
    const li = document.createElement('li');
    li.textContent = new Date().toLocaleTimeString() + ' ' + text;
    ul.prepend(li);
    while (ul.children.length > 30) ul.lastChild.remove();
  }
}

function connect() {
  const es = new EventSource('api/events');
  es.onopen = () => { $('#conn').textContent = 'live'; };
  es.onerror = () => { $('#conn').textContent = 'reconnecting…'; };
  es.onmessage = (e) => {
    const ev = JSON.parse(e.data);
    showStatus(ev.status || {}, ev.stats || {});
    for (const s of ev.samples || []) samples.push(s);
    if (samples.length) {
      const t0 = samples[samples.length - 1][0] - WINDOW_S;
      let i = 0;
      while (i < samples.length && samples[i][0] < t0) i++;
      if (i) samples = samples.slice(i);
    }
    addNotes(ev.notes || []);
    if (ev.ref_gen > 0 && (!ref || ev.ref_gen !== ref.gen) && !refLoading) loadReference();
    document.body.dataset.frame = ev.frame;
  };
}

function frame() { drawChart(); drawDial(); requestAnimationFrame(frame); }

fetch('api/info').then((r) => r.json()).then((info) => {
  if (!info.control || (info.token_required && !token)) {
    $('#ro').hidden = false;
    document.querySelectorAll('button, input').forEach((b) => { b.disabled = true; });
  }
});
connect();
requestAnimationFrame(frame);
