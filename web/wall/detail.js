// The drill-down sheet of one indicator (its long history is /drilldown.js's).
import { lang, locale, tz, words } from "./words.js";
import { $, esc, fmt1, fmtInt, key, label, num, pct, pctTarget, put, shown, state, windowOf } from "./common.js";
import { ageText, areaName, fmtTargetOf, fmtValue, isPercent, ratioMeta, sourceOf, standing } from "./status.js";
import { childrenOf, MIN_N, rankingRows } from "./ranking.js";

// ---------------------------------------------------------------- drill-down
// A tile or an area opens the indicator's detail: every window the server
// keeps, the 6-hour trend, the areas ranked, the feed, the target's source.
export function openDetail(indicatorId, area) {
  state.detail = { indicator: indicatorId, area: area || state.root };
  renderDetail();
}

// The 6-hour trend with its axes: the value scale on the left, the clock
// below, and the target as a dashed line where it falls within the scale.
function trendSvg(i, s) {
  const pts = (s && s.sparkline || []).map(num);
  const W = 600, H = 170, L = 64, R = 8, T = 10, B = 26;
  const percent = isPercent(i);
  const valid = pts.filter((v) => v >= 0);
  const top = percent ? 1 : Math.max(1, ...valid) * 1.1;
  const x = (k) => L + (k * (W - L - R)) / Math.max(1, pts.length - 1);
  const y = (v) => T + (1 - Math.min(1, v / top)) * (H - T - B);
  const fmtAxis = (v) => (percent ? pctTarget(v) : fmtInt.format(v));
  const start = num(s && s.sparklineStartMs);
  const fmtHm = new Intl.DateTimeFormat(locale, { timeZone: tz, hour: "2-digit", minute: "2-digit", hour12: false });
  let svg = `<svg class="trend" viewBox="0 0 ${W} ${H}" role="img">`;
  for (const v of [0, top / 2, top]) {
    svg += `<line class="grid" x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${fmtAxis(v)}</text>`;
  }
  if (start) {
    for (const k of [0, 8, 16, pts.length - 1]) {
      const anchor = k === 0 ? "start" : k === pts.length - 1 ? "end" : "middle";
      if (k < pts.length) svg += `<text x="${x(k)}" y="${H - 6}" text-anchor="${anchor}">${fmtHm.format(new Date(start + k * 900000))}</text>`;
    }
  }
  if (i.hasTarget && i.kind !== "COUNTER" && num(i.target) <= top) {
    const ty = y(num(i.target));
    svg += `<line class="target" x1="${L}" x2="${W - R}" y1="${ty}" y2="${ty}"/>` +
      `<text class="target" x="${W - R - 4}" y="${ty < T + 14 ? ty + 14 : ty - 4}" text-anchor="end">${esc((i.higherIsBetter !== false ? words.target : words.limit) + " " + fmtTargetOf(i))}</text>`;
  }
  const line = pts.map((v, k) => (v < 0 ? null : `${x(k).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean);
  if (line.length) svg += `<polyline points="${line.join(" ")}"/>` + line.map((p) => `<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="3"/>`).join("");
  return svg + "</svg>";
}

export function closeDetail() {
  state.detail = null;
  const box = $("detail");
  for (const part of box.querySelectorAll(".part")) shown.delete(part);
  box.hidden = true;
  box.innerHTML = "";
}

export function renderDetail() {
  const box = $("detail");
  if (!state.detail || !state.catalog) { box.hidden = true; return; }
  const i = state.indicators.get(state.detail.indicator);
  const s = state.series.get(key(state.detail.indicator, state.detail.area));
  if (!i) { closeDetail(); return; }
  const d = words.detail;
  const rowsW = [["LAST_5M", d.last5m], ["LAST_1H", d.last1h], ["TODAY", d.today], ["LAST_24H", d.last24h],
    ["THIS_MONTH", d.month], ["LAST_30D", d.last30d], ["YEAR_TO_DATE", d.ytd]];
  const cell = (w) => {
    if (i.kind === "RATIO") return num(w.denominator) > 0 ? `${pct(num(w.ratio))} <small>${esc(ratioMeta(w))}</small>` : "–";
    if (i.kind === "COUNTER") return fmtInt.format(num(w.sum));
    return "";
  };
  const windows = s && (i.kind === "RATIO" || i.kind === "COUNTER")
    ? `<table class="windows">${rowsW.map(([w, l]) => `<tr><th>${l}</th><td>${cell(windowOf(s, w))}</td></tr>`).join("")}</table>` : "";
  const st = standing(i, s);
  const status = st ? `<p class="status ${st.cls}">${st.sym} ${st.word}: ${words.basis[st.basis]} ${fmtValue(i, st.value)} · ${st.higher ? words.target : words.limit} ${fmtTargetOf(i)}</p>` : "";
  const target = i.hasTarget ? `<p><b>${d.source}:</b> ${esc(i.targetSource || "–")} <span class="${i.targetVerified ? "ok" : "warn"}">(${i.targetVerified ? d.verified : d.unverified})</span>${i.targetOrigin ? `<br><small class="origin">${esc(i.targetOrigin)}</small>` : ""}</p>` : "";
  const comps = (state.dti && state.dti.components || []).filter((c) => c.liveIndicator === i.id);
  const dtiScope = state.detail.area !== state.catalog.provinceCode ? ` (${words.province_wide})` : "";
  const dtiUse = comps.map((c) => `<p><b>${d.dti_use}${dtiScope}:</b> ${esc(c.id)} ${esc(c.labelVi)} · ${fmt1.format(num(c.points))}/${fmtInt.format(num(c.maxPoints))}${num(c.target) > 0 ? ` · ${words.target} ${pctTarget(num(c.target))}${c.targetSource && c.targetSource !== i.targetSource ? " (" + esc(c.targetSource) + ")" : ""}` : ""}</p>`).join("");
  const src = sourceOf(i.agency);
  const ag = state.agencies.get(i.agency);
  const feed = `<p><b>${d.feed}:</b> ${esc(ag ? ag.nameVi : i.agency || "–")} · ${src ? ageText(num(src.lastSeenMs)) : words.never}${s ? ` · ${d.last_sample} ${ageText(num(s.lastArrivalMs))}` : ""}</p>`;
  const children = childrenOf(state.detail.area);
  let areas = "";
  if (children.length && (i.kind === "RATIO" || i.kind === "COUNTER")) {
    const rows = rankingRows(i, children).filter((r) => r.has).sort((a, b) => b.low - a.low || b.v - a.v);
    const item = (r) => `<li>${esc(r.name)}: ${i.kind === "RATIO" ? `${pct(r.v)} <small>${esc(words.of(fmtInt.format(r.n)))}</small>` : fmtInt.format(r.v)}</li>`;
    const ranked = rows.filter((r) => !r.few);
    const few = rows.filter((r) => r.few);
    if (rows.length) {
      areas = `<h3>${d.areas}</h3><ol class="areas">${ranked.map(item).join("")}</ol>` +
        (few.length ? `<p class="hint">${esc(words.few(MIN_N))}</p><ul class="areas few">${few.map(item).join("")}</ul>` : "");
    }
  }
  // The sheet stays while it is open, so its scroll position does too; the
  // long history between its parts is drilldown.js's, fetched, not rendered.
  if (!box.firstElementChild) {
    box.innerHTML = `<div class="sheet" role="dialog" aria-modal="true"><div class="part head"></div><div class="part long-history"></div><div class="part rest"></div></div>`;
  }
  put(box.querySelector(".head"), `
    <button class="close" type="button">✕ ${d.close}</button>
    <h2>${esc(label(i))} · ${esc(areaName(state.detail.area))}</h2>
    ${status}
    <h3>${d.trend}</h3>${trendSvg(i, s)}`);
  put(box.querySelector(".rest"), `${windows}${areas}${target}${dtiUse}${feed}`);
  window.iocDrilldown.mount(box.querySelector(".long-history"), {
    indicator: i.id, area: state.detail.area, kind: i.kind, percent: isPercent(i), higherIsBetter: i.higherIsBetter,
    target: i.hasTarget ? num(i.target) : 0, lang, locale,
  });
  box.hidden = false;
  box.querySelector(".close").onclick = closeDetail;
}
