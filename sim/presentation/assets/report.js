// Draws report.html from the data parcelsim inlined (sim/report.py): KPI table, plotly charts,
// the replay of a day on the district map, and the tracking lookup. No network requests.
"use strict";

const D = JSON.parse(document.getElementById("data").textContent);
const R = D.replay;
const P = R.parcels;
// ParcelsimCJK first: it holds only the page's CJK glyphs, and a system font listed before it may
// claim CJK characters it draws as boxes (Chromium with fontconfig does).
const FONT = "ParcelsimCJK, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

function fmt(x) {
  if (x === null || x === undefined) return "–";
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en");
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return String(Number(x.toPrecision(3)));
}

function clock(t) {
  const day = Math.floor(t / 86400);
  const s = t - day * 86400;
  const hh = String(Math.floor(s / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  return `day ${day} ${hh}:${mm}`;
}

// --- header and KPI table -----------------------------------------------------------------------
document.getElementById("meta").textContent =
  `${D.description} · ${D.replications} replication${D.replications === 1 ? "" : "s"} · generated ${D.generated}`;

(function kpiTable() {
  const t = D.kpis;
  const head = `<tr><th>KPI 指标</th>${t.variants.map((v) => `<th>${v}</th>`).join("")}</tr>`;
  const rows = t.rows.map(([key, zh, values, halves]) => {
    const cells = values.map((v, i) => {
      const h = halves[i];
      return `<td>${fmt(v)}${h === null || h === undefined ? "" : ` ± ${fmt(h)}`}</td>`;
    });
    return `<tr><td>${zh || key}<br><span class="key">${key}</span></td>${cells.join("")}</tr>`;
  });
  document.getElementById("kpis").innerHTML = `<table>${head}${rows.join("")}</table>`;
})();

// --- charts -------------------------------------------------------------------------------------
for (const [name, fig] of Object.entries(D.figures)) {
  // A figure that sets its own top margin (room for its title above subplot titles) keeps it.
  const margin = Object.assign({ t: 70, r: 20, b: 50, l: 60 }, (fig.layout && fig.layout.margin) || {});
  const layout = Object.assign({}, fig.layout, { font: { family: FONT }, margin: margin });
  Plotly.newPlot(`fig-${name}`, fig.data, layout, { responsive: true, displaylogo: false });
}

// --- replay -------------------------------------------------------------------------------------
const canvas = document.getElementById("map");
const ctx = canvas.getContext("2d");
const slider = document.getElementById("slider");
const playButton = document.getElementById("play");
const speedSelect = document.getElementById("speed");
document.getElementById("replay-notes").textContent = R.notes;

const CATEGORIES = [
  // [label, colour, statuses]
  ["at the station 在网点", "#9a9a9a", [4]],
  ["out for delivery 派送中", "#ff7f0e", [5]],
  ["delivered 已签收", "#2ca02c", [6, 9]],
  ["in a locker 已投柜", "#1f77b4", [7]],
  ["at the counter 驿站", "#9467bd", [8]],
  ["failed attempt 投递失败", "#d62728", [10]],
  ["returned 退回", "#222222", [11]],
];
const categoryOf = new Int8Array(16).fill(-1);
CATEGORIES.forEach(([, , statuses], i) => statuses.forEach((s) => (categoryOf[s] = i)));
const COMPLAINT = 12;

// World (metres) to canvas pixels, north up.
let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
for (let i = 0; i < R.roads.length; i += 2) {
  minX = Math.min(minX, R.roads[i]); maxX = Math.max(maxX, R.roads[i]);
  minY = Math.min(minY, R.roads[i + 1]); maxY = Math.max(maxY, R.roads[i + 1]);
}
const pad = 20;
const scale = Math.min((canvas.width - 2 * pad) / Math.max(maxX - minX, 1), (canvas.height - 2 * pad) / Math.max(maxY - minY, 1));
const px = (x) => pad + (x - minX) * scale;
const py = (y) => canvas.height - pad - (y - minY) * scale;

const roadsLayer = document.createElement("canvas");
roadsLayer.width = canvas.width;
roadsLayer.height = canvas.height;
(function drawRoads() {
  const c = roadsLayer.getContext("2d");
  c.strokeStyle = "#c8c8c8";
  c.lineWidth = 1.2;
  c.beginPath();
  for (let i = 0; i < R.roads.length; i += 4) {
    c.moveTo(px(R.roads[i]), py(R.roads[i + 1]));
    c.lineTo(px(R.roads[i + 2]), py(R.roads[i + 3]));
  }
  c.stroke();
})();

// A parcel's dot: around its compound's gate, at a fixed spot of its own.
const spotX = new Float32Array(P.id.length);
const spotY = new Float32Array(P.id.length);
for (let i = 0; i < P.id.length; i++) {
  const [gx, gy] = R.places[P.dest[i]];
  const angle = P.id[i] * 2.39996;
  const r = 4 + (P.id[i] % 9) * 1.6;
  spotX[i] = px(gx) + r * Math.cos(angle);
  spotY[i] = py(gy) + r * Math.sin(angle);
}

function lastAtOrBefore(times, lo, hi, t) { // index of the last time <= t in [lo, hi), or lo - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) lo = mid + 1; else hi = mid;
  }
  return lo - 1;
}

function statusAt(i, t) {
  const start = P.start[i];
  const end = i + 1 < P.start.length ? P.start[i + 1] : P.time.length;
  let k = lastAtOrBefore(P.time, start, end, t);
  while (k >= start && P.status[k] === COMPLAINT) k--;
  return k >= start ? P.status[k] : -1;
}

function courierAt(track, t) {
  const k = lastAtOrBefore(track.t, 0, track.t.length, t);
  if (k < 0) return [track.x[0], track.y[0]];
  if (k >= track.t.length - 1) return [track.x[k], track.y[k]];
  const span = track.t[k + 1] - track.t[k];
  const f = span > 0 ? (t - track.t[k]) / span : 0;
  return [track.x[k] + f * (track.x[k + 1] - track.x[k]), track.y[k] + f * (track.y[k + 1] - track.y[k])];
}

const state = { t: R.t0, playing: false, highlight: -1, frames: 0 };
window.parcelsimReplay = state; // read by the browser tests: the replay advances when played

function draw() {
  const t = state.t;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(roadsLayer, 0, 0);
  const counts = new Array(CATEGORIES.length).fill(0);
  for (let i = 0; i < P.id.length; i++) {
    const c = categoryOf[Math.max(statusAt(i, t), 0)];
    if (statusAt(i, t) < 0 || c < 0) continue;
    counts[c]++;
    ctx.fillStyle = CATEGORIES[c][1];
    ctx.fillRect(spotX[i] - 1.5, spotY[i] - 1.5, 3, 3);
  }
  for (const bank of R.banks) { // a square at the gate: green when empty, red when full
    const k = lastAtOrBefore(bank.t, 0, bank.t.length, t);
    const fill = k >= 0 ? Math.min(1, bank.level[k] / Math.max(bank.slots, 1)) : 0;
    const [x, y] = R.places[bank.place];
    ctx.fillStyle = `hsl(${Math.round(120 * (1 - fill))}, 70%, 45%)`;
    ctx.fillRect(px(x) - 6, py(y) - 6, 12, 12);
    ctx.strokeStyle = "#333";
    ctx.strokeRect(px(x) - 6, py(y) - 6, 12, 12);
  }
  const [sx, sy] = R.places[0];
  ctx.fillStyle = "#c44e52";
  ctx.beginPath();
  ctx.arc(px(sx), py(sy), 9, 0, 2 * Math.PI);
  ctx.fill();
  ctx.font = `11px ${FONT}`;
  for (const track of R.couriers) {
    const [x, y] = courierAt(track, t);
    ctx.fillStyle = "#111";
    ctx.beginPath();
    ctx.arc(px(x), py(y), 5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillText(String(track.courier), px(x) + 6, py(y) - 6);
  }
  if (state.highlight >= 0) {
    ctx.strokeStyle = "#e41a1c";
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.arc(spotX[state.highlight], spotY[state.highlight], 12, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.lineWidth = 1;
  }
  document.getElementById("clock").textContent = clock(t);
  document.getElementById("legend").innerHTML =
    CATEGORIES.map(([label, colour], i) => `<span><i style="background:${colour}"></i>${label}: ${counts[i]}</span>`).join("") +
    `<span>■ locker bank 快递柜 (green empty → red full)</span><span>● courier 快递员</span>`;
  slider.value = String(Math.round((1000 * (t - R.t0)) / Math.max(R.t1 - R.t0, 1)));
  state.frames++;
}

let last = null;
function tick(now) {
  if (!state.playing) return;
  if (last !== null) {
    state.t = Math.min(R.t1, state.t + ((now - last) / 1000) * Number(speedSelect.value));
    if (state.t >= R.t1) setPlaying(false);
  }
  last = now;
  draw();
  requestAnimationFrame(tick);
}

function setPlaying(on) {
  state.playing = on;
  playButton.textContent = on ? "❚❚ Pause" : "▶ Play";
  last = null;
  if (on) {
    if (state.t >= R.t1) state.t = R.t0;
    requestAnimationFrame(tick);
  }
}

playButton.addEventListener("click", () => setPlaying(!state.playing));
slider.addEventListener("input", () => {
  state.t = R.t0 + (Number(slider.value) / 1000) * (R.t1 - R.t0);
  draw();
});
draw();

// --- tracking lookup ----------------------------------------------------------------------------
document.getElementById("lookup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const out = document.getElementById("timeline");
  const id = Number(document.getElementById("parcel-id").value);
  let lo = 0, hi = P.id.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (P.id[mid] < id) lo = mid + 1; else hi = mid; }
  if (!Number.isInteger(id) || lo >= P.id.length || P.id[lo] !== id) {
    out.innerHTML = `<p class="error">Parcel ${String(id).replace(/[<&]/g, "")} is not in the replayed run ` +
      `(parcels ${P.id[0]}–${P.id[P.id.length - 1]} of station area 0).</p>`;
    return;
  }
  state.highlight = lo;
  const start = P.start[lo];
  const end = lo + 1 < P.start.length ? P.start[lo + 1] : P.time.length;
  const rows = [];
  for (let k = start; k < end; k++) {
    const [en, zh] = D.statuses[P.status[k]];
    const detail = D.details[P.detail[k]] || "";
    const where = P.place[k] === 0 ? "station" : P.place[k] > 0 ? `compound gate ${P.place[k]}` : "";
    rows.push(`<tr><td>${clock(P.time[k])}</td><td>${zh} ${en}</td><td>${detail === "none" ? "" : detail}</td>` +
      `<td>${P.courier[k] >= 0 ? P.courier[k] : ""}</td><td>${where}</td></tr>`);
  }
  out.innerHTML = `<table><tr><th>time 时间</th><th>status 状态</th><th>detail</th><th>courier 快递员</th><th>where 位置</th></tr>${rows.join("")}</table>`;
  state.t = Math.min(Math.max(P.time[end - 1], R.t0), R.t1);
  draw();
});
