// How a value, its standing against its target, its age and an alert are said,
// and the bar every ranked list draws.
import { lang, words } from "./words.js";
import { esc, fmt1, fmtAgo, fmtInt, key, label, now, num, pct, pctTarget, state, windowOf } from "./common.js";

export function ageText(ms) {
  if (!ms || ms <= 0) return words.never;
  const s = Math.max(0, Math.round((now() - ms) / 1000));
  if (s < 60) return fmtAgo.format(-s, "second");
  if (s < 3600) return fmtAgo.format(-Math.floor(s / 60), "minute");
  if (s < 86400) return fmtAgo.format(-Math.floor(s / 3600), "hour");
  return fmtAgo.format(-Math.floor(s / 86400), "day");
}

export function sourceOf(agencyId) { return state.sources.find((s) => s.agency === agencyId); }
export const areaName = (code) => { const a = state.areas.get(code); return a ? a.nameVi : code; };
export const isPercent = (i) => i.kind === "RATIO" || i.unit === "%";
export const fmtValue = (i, v) => (isPercent(i) ? pct(v) : fmtInt.format(v));
export const fmtTargetOf = (i) => (isPercent(i) ? pctTarget(num(i.target)) : fmtInt.format(num(i.target)) + (i.kind === "COUNTER" ? words.per_year : ""));
export const mark = (i) => (i.targetVerified ? "" : `<sup class="unverified" title="${esc(i.targetSource || "")}">${words.unverified_mark}</sup>`);
const BASIS_WINDOW = { ytd: "YEAR_TO_DATE", today: "TODAY" };

// The standing of one series against its indicator's target, exactly as
// the server judged it: the value, the window it is in, met or not. Every
// status word, arrow, colour and bar on the wall comes from this.
export function standing(i, s) {
  if (!i || !i.hasTarget || !s || !s.statusBasis) return null;
  const higher = i.higherIsBetter !== false;
  const met = !!s.targetMet;
  const value = num(s.statusValue);
  const few = !!s.statusTooFew;  // 1 of 1 is neither met nor missed
  const cls = few ? "few" : met ? "met" : higher ? "below" : "over";
  const sym = few ? "◌" : met ? "✓" : higher ? "▼" : "▲";
  const word = few ? words.too_few : met ? (higher ? words.met : words.within) : (higher ? words.below : words.over);
  return { met, higher, value, basis: s.statusBasis, cls, sym, word, progress: num(s.progress) };
}

// The live value an alert is about, from the series it names (falling back
// to the value recorded when it was raised).
function alertValue(a) {
  const i = state.indicators.get(a.indicator);
  const s = state.series.get(key(a.indicator, a.area));
  if (!i || !s) return num(a.value);
  if (a.basis === "projection") return num(s.projection);
  if (a.basis === "latest") return num(s.gauge);
  const w = windowOf(s, BASIS_WINDOW[a.basis] || "YEAR_TO_DATE");
  return i.kind === "RATIO" ? num(w.ratio) : num(w.sum);
}

export function alertText(a) {
  const ag = state.agencies.get(a.agency);
  const agName = ag ? (lang === "en" ? ag.nameEn || ag.nameVi : ag.nameVi) : a.agency;
  if (a.kind === "feed_late") return words.feed_late(agName);
  if (a.kind === "feed_silent") return words.feed_silent(agName);
  const i = state.indicators.get(a.indicator);
  if (!i) return lang === "en" ? a.messageEn : a.messageVi;
  const v = fmtValue(i, alertValue(a));
  const t = isPercent(i) ? pctTarget(num(a.target)) : fmtInt.format(num(a.target));
  const b = words.basis[a.basis] || "";
  const scope = a.area && a.area !== state.root ? ` (${areaName(a.area)})` : "";
  return (a.higherIsBetter ? words.alert_below : words.alert_over)(label(i) + scope, b, v, t);
}

export function bar(labelHtml, fraction, text, opts = {}) {
  const w = Math.max(0, Math.min(1, fraction)) * 100;
  const m = opts.mean > 0 ? `<div class="mean" style="left:${Math.min(100, opts.mean * 100)}%"></div>` : "";
  const note = opts.note ? `<span class="note">${opts.note}</span>` : "";
  return `<div class="bar${opts.cls ? " " + opts.cls : ""}"${opts.attr || ""}><span class="label">${labelHtml}</span><div class="track"><div class="fill" style="width:${w}%"></div>${m}</div><span class="num">${text}${note}</span></div>`;
}

// "±4,7 điểm % · trên 123": the uncertainty of a ratio while counts are small.
export function ratioMeta(w) {
  const n = num(w.denominator);
  if (n <= 0) return "";
  const of = words.of(fmtInt.format(n));
  if (n >= 1000) return of;
  const half = (num(w.ciHigh) - num(w.ciLow)) / 2;
  return `±${fmt1.format(half * 100)} ${words.points} · ${of}`;
}
