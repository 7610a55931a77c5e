// The IOC wall display. Connects to /v1/live (protobuf JSON mapping, compact
// deltas: sparkline tails and changed sources only), keeps
// the latest state, renders a few times a second. Reconnects by itself with
// backoff and jitter, takes a fresh snapshot after any gap in (epoch, seq),
// and greys every number while it cannot vouch for it. Everything it keeps is
// replaced by key, so it runs for weeks without growing.
// This module is the link and the state it keeps; it calls the renderer it is
// given by startLive().
import { params } from "./words.js";
import { key, num, RENDER_MS, state, WATCHDOG_MS } from "./common.js";

let render = () => {};

export function startLive(renderWall) {
  render = renderWall;
  connect();
}

const changedAt = (a) => Math.max(num(a.raisedMs), num(a.clearedMs));
function latestOf(x, y) {
  if (x.active !== y.active && changedAt(x) === changedAt(y)) return x.active ? x : y;
  return changedAt(y) >= changedAt(x) ? y : x;
}

// The wall's own area: ?area= for a local leader's wall, else the province.
function pickRoot() {
  const want = params.get("area");
  state.unknownArea = want && !state.areas.has(want) ? want : "";
  state.root = want && state.areas.has(want) ? want : state.catalog.provinceCode;
}

function applySnapshot(frame) {
  const snap = frame.snapshot;
  state.catalog = snap.catalog;
  state.indicators = new Map(snap.catalog.indicators.map((i) => [i.id, i]));
  state.areas = new Map(snap.catalog.areas.map((a) => [a.code, a]));
  state.agencies = new Map(snap.catalog.agencies.map((a) => [a.id, a]));
  pickRoot();
  state.series = new Map((snap.series || []).map((s) => [key(s.indicator, s.area), s]));
  state.dti = snap.dti || null;
  // One record per id, its latest state: an active record wins over a cleared
  // one, and a later change over an earlier one, whatever the list order.
  state.alerts = new Map();
  for (const a of snap.alerts || []) {
    const had = state.alerts.get(a.id);
    if (!had || latestOf(had, a) === a) state.alerts.set(a.id, a);
  }
  state.sources = snap.sources || [];
  state.awaitingSnapshot = false;
}

// Compact deltas (?delta=compact) leave out default values: every object
// the wall keeps gets them back, so it reads the same as from a full frame.
const SERIES_DEFAULTS = {
  ratePerMin: 0, smoothedRatePerMin: 0, gauge: 0, value: 0, progress: 0, projection: 0, lastEventMs: "0",
  lastArrivalMs: "0", freshness: "FRESHNESS_UNSPECIFIED", sparkline: [], sparklineStartMs: "0", targetMet: false,
  statusValue: 0, statusBasis: "", statusTooFew: false,
};
const WINDOW_DEFAULTS = { sum: 0, denominator: 0, ratio: 0, ciLow: 0, ciHigh: 0, samples: "0" };
const SOURCE_DEFAULTS = { nameVi: "", lastSeenMs: "0", freshness: "FRESHNESS_UNSPECIFIED", batches: "0", samples: "0" };
const ALERT_DEFAULTS = {
  kind: "", indicator: "", area: "", agency: "", messageVi: "", messageEn: "", raisedMs: "0", clearedMs: "0",
  active: false, value: 0, target: 0, basis: "", higherIsBetter: false,
};

// A compact series: whole but for its sparkline, which may be only the tail
// from `sparklineFrom` on. Returns false when the wall lacks the points the
// tail continues (it missed a frame): the caller asks for a snapshot.
function applyCompactSeries(s) {
  const k = key(s.indicator, s.area);
  const next = Object.assign({}, SERIES_DEFAULTS, s);
  next.windows = (s.windows || []).map((w) => Object.assign({}, WINDOW_DEFAULTS, w));
  const from = num(s.sparklineFrom);
  if (from > 0) {
    const had = state.series.get(k);
    if (!had || !had.sparkline || had.sparkline.length < from || had.sparklineStartMs !== next.sparklineStartMs) return false;
    next.sparkline = had.sparkline.slice(0, from).concat(s.sparkline || []);
  }
  delete next.sparklineFrom;
  state.series.set(k, next);
  return true;
}

// Applies a delta to the state of the frame before it; false when it cannot
// (then nothing is vouched for until a fresh snapshot).
function applyDelta(frame) {
  const d = frame.delta;
  for (const s of d.series || []) {
    if (!d.compact) state.series.set(key(s.indicator, s.area), s);
    else if (!applyCompactSeries(s)) return false;
  }
  if (d.dti && d.dti.mainIndicators && d.dti.mainIndicators.length) state.dti = d.dti;
  for (const a of d.alerts || []) state.alerts.set(a.id, d.compact ? Object.assign({}, ALERT_DEFAULTS, a) : a);
  // Keep active alerts and the 20 most recently cleared.
  const cleared = [...state.alerts.values()].filter((a) => !a.active).sort((x, y) => num(y.clearedMs) - num(x.clearedMs));
  for (const a of cleared.slice(20)) state.alerts.delete(a.id);
  if (d.compact) {
    // Only the sources that changed: merge by agency, keeping the order.
    for (const src of d.sources || []) {
      const next = Object.assign({}, SOURCE_DEFAULTS, src);
      const i = state.sources.findIndex((x) => x.agency === next.agency);
      if (i >= 0) state.sources[i] = next; else state.sources.push(next);
    }
  } else if (d.sources && d.sources.length) {
    state.sources = d.sources;
  }
  return true;
}

// ---------------------------------------------------------------- connection
let ws = null;
let attempt = 0;
let retryTimer = null;

function connect() {
  clearTimeout(retryTimer);
  const url = new URL("/v1/live", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("format", "json");
  url.searchParams.set("delta", "compact");
  // ?token= is deprecated (it leaks into logs and history): the login page's cookie replaces it.
  for (const p of ["area", "group", "token"]) {
    if (params.get(p) && !(p === "area" && state.areaRefused)) url.searchParams.set(p, params.get(p));
  }
  ws = new WebSocket(url);
  ws.onmessage = (ev) => onFrame(JSON.parse(ev.data));
  ws.onclose = (ev) => {
    ws = null;
    // An area code the server does not know: show the province and say so
    // (pickRoot) rather than retry the same refusal for ever.
    if (/^unknown area/.test(ev.reason || "")) state.areaRefused = true;
    // A viewer token is needed (or was revoked): type it once on the login
    // page, which keeps it in an HttpOnly cookie rather than in this URL.
    if (/^viewer token/.test(ev.reason || "")) {
      const here = new URLSearchParams(location.search);
      here.delete("token");
      const next = location.pathname + (here.toString() ? "?" + here : "");
      location.assign("/login.html?next=" + encodeURIComponent(next));
      return;
    }
    goOffline();
    scheduleReconnect();
  };
  ws.onerror = () => { try { ws && ws.close(); } catch (e) { /* already closing */ } };
}

function scheduleReconnect() {
  clearTimeout(retryTimer);
  // Exponential backoff with full jitter, capped, so a fleet of walls does
  // not reconnect in lockstep after a restart.
  const cap = Math.min(30000, 500 * 2 ** Math.min(attempt, 6));
  attempt++;
  retryTimer = setTimeout(connect, cap / 2 + Math.random() * cap / 2);
}

function goOffline() {
  state.live = false;
  state.awaitingSnapshot = true;
  document.body.classList.add("offline");
  render();
}

function onFrame(f) {
  state.lastFrame = Date.now();
  state.serverOffset = num(f.serverTimeMs) - Date.now();
  state.degraded = !!f.degraded;
  if (f.snapshot) {
    applySnapshot(f);
    state.epoch = f.epoch;
    state.seq = num(f.seq);
    attempt = 0;
    state.live = true;
    document.body.classList.remove("offline");
  } else if (f.delta) {
    if (state.awaitingSnapshot) return;
    if (f.epoch !== state.epoch || num(f.seq) !== state.seq + 1 || !applyDelta(f)) {
      // A gap: the numbers can no longer be vouched for until a fresh snapshot.
      state.awaitingSnapshot = true;
      state.resyncs = (state.resyncs || 0) + 1;  // for tests and operators' consoles
      document.body.classList.add("offline");
      if (ws && ws.readyState === WebSocket.OPEN) ws.send("resync");
      return;
    }
    state.seq = num(f.seq);
  }
  scheduleRender();
}

// Silence longer than a few heartbeats means the link is dead even if the
// socket has not noticed (a half-open TCP connection).
setInterval(() => {
  if (state.live && Date.now() - state.lastFrame > WATCHDOG_MS) {
    goOffline();
    if (ws) { try { ws.close(); } catch (e) { /* ignore */ } }
  }
}, 1000);

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  setTimeout(() => { renderPending = false; render(); }, RENDER_MS);
}
