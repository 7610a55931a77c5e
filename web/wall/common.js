// What every part of the wall shares: its state (window.iocWall), number
// formats, and put(), which rewrites a panel only when its markup changed.
import { lang, locale, tz } from "./words.js";

export const TILES_PER_PAGE = 9;
export const WATCHDOG_MS = 5000;   // the server sends at least one frame a second
export const RENDER_MS = 250;
export const PHONE_TILES = 8;      // a phone shows the 8 worst tiles until asked for all

export const fmtInt = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
export const fmt1 = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const fmtTarget = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
export const fmt4 = new Intl.NumberFormat(locale, { minimumFractionDigits: 4, maximumFractionDigits: 4 });
export const fmt2 = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const fmtTime = new Intl.DateTimeFormat(locale, { timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
export const fmtDate = new Intl.DateTimeFormat(locale, { timeZone: tz, weekday: "long", day: "2-digit", month: "2-digit", year: "numeric" });
export const fmtAgo = new Intl.RelativeTimeFormat(locale, { numeric: "always" });

// ---------------------------------------------------------------- state
export const state = {
  catalog: null, indicators: new Map(), areas: new Map(), agencies: new Map(),
  series: new Map(), dti: null, alerts: new Map(), sources: [],
  epoch: null, seq: 0, live: false, degraded: false, serverOffset: 0, lastFrame: 0,
  awaitingSnapshot: true, areaQuery: "",
};
window.iocWall = state;  // for tests and for operators' consoles

export const $ = (id) => document.getElementById(id);
export const key = (ind, area) => ind + "|" + area;
export const num = (v) => (v === undefined || v === null ? 0 : Number(v));
export const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
export const label = (o) => (lang === "en" ? o.labelEn || o.labelVi : o.labelVi);
export const now = () => Date.now() + state.serverOffset;
export const pct = (v) => fmt1.format(v * 100) + "%";
export const pctTarget = (v) => fmtTarget.format(v * 100) + "%";  // "MT 70%", not "MT 70,0%"

// Replaces an element's content only when the markup changed, so that a
// once-a-second render leaves still panels (and their transitions, focus and
// scroll position) alone. Returns whether it changed.
export const shown = new Map();  // element → the markup it shows (a dozen panels)
export function put(el, html) {
  if (shown.get(el) === html) return false;
  shown.set(el, html);
  el.innerHTML = html;
  return true;
}
// A resize changes what fits: build every panel afresh.

export function windowOf(s, name) {
  return (s && s.windows || []).find((w) => w.window === name) || { sum: 0, denominator: 0, ratio: 0, samples: 0 };
}
