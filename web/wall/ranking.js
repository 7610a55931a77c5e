// The ranking of the wall's child areas.
import { lang, words } from "./words.js";
import { $, esc, fmtInt, key, label, num, pct, put, state, windowOf } from "./common.js";
import { bar } from "./status.js";

// Ranking of the wall's child areas, cycling through indicators with data.
// Ratios rank by the lower bound of their 95% Wilson interval in the target
// window, with the sample size written; areas with too few events are listed
// apart so that 1 of 1 never tops the list.
export const MIN_N = 30;
let rankIdx = 0;
let rankAt = Date.now();

export function childrenOf(code) { return [...state.areas.values()].filter((a) => a.parent === code); }

export function rankingRows(ind, children) {
  const basis = ind.kind === "RATIO" ? (ind.targetWindow === "TODAY" ? "TODAY" : "YEAR_TO_DATE") : "TODAY";
  return children.map((d) => {
    const s = state.series.get(key(ind.id, d.code));
    const w = s ? windowOf(s, basis) : null;
    if (ind.kind === "RATIO") {
      const n = w ? num(w.denominator) : 0;
      return { code: d.code, name: d.nameVi, has: n > 0, v: n > 0 ? num(w.ratio) : 0, n, low: num(w && w.ciLow), few: n > 0 && n < MIN_N };
    }
    const v = w ? num(w.sum) : 0;
    return { code: d.code, name: d.nameVi, has: !!s, v, n: v, low: v, few: false };
  });
}

// Many areas (78 communes in 2026): the best and the worst RANK_EDGE with
// their rank, the count in between, and a search by name that shows every match.
const RANK_EDGE = 6;
const fold = (t) => String(t || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();

// The declared name of the level below the wall's area (e.g. "Cấp xã"), else "địa bàn".
function childLevelName(children) {
  const levels = (state.catalog && state.catalog.areaLevels) || [];
  const l = levels[num(children[0].level) - 1];
  return l ? (lang === "en" ? l.nameEn || l.nameVi : l.nameVi) : "";
}

export function renderRanking() {
  const children = childrenOf(state.root);
  const levelName = children.length ? childLevelName(children) : "";
  $("area-title-text").textContent = levelName ? words.by_level(levelName, children.length) : words.by_area;
  // A search only where not every area fits (78 communes, not 10 districts).
  $("area-search").hidden = children.length <= 2 * RANK_EDGE + 1;
  if (!children.length) {
    $("area-indicator").textContent = words.no_children;
    put($("area-bars"), "");
    return;
  }
  const candidates = [...state.indicators.values()]
    .filter((i) => i.kind === "COUNTER" || i.kind === "RATIO")
    .filter((i) => children.some((d) => state.series.has(key(i.id, d.code))))
    .sort((a, b) => num(a.displayOrder) - num(b.displayOrder));
  if (!candidates.length) { $("area-indicator").textContent = words.no_data; put($("area-bars"), ""); return; }
  if (!state.pinnedRanking && Date.now() - rankAt > 15000) { rankIdx++; rankAt = Date.now(); }
  let ind = candidates[rankIdx % candidates.length];
  if (state.pinnedRanking) ind = candidates.find((i) => i.id === state.pinnedRanking) || ind;
  const ratio = ind.kind === "RATIO";
  const basisWord = ratio ? (ind.targetWindow === "TODAY" ? words.basis.today : words.basis.ytd) : words.basis.today;
  put($("area-indicator"), `${esc(label(ind))} <span class="hint">· ${esc(basisWord)}${ratio ? " · " + esc(words.ranked_by) : ""}</span>`);
  const rows = rankingRows(ind, children);
  const ranked = rows.filter((r) => r.has && !r.few).sort((a, b) => b.low - a.low || b.v - a.v);
  ranked.forEach((r, k) => { r.rank = k + 1; });
  const few = rows.filter((r) => r.few).sort((a, b) => b.n - a.n);
  const none = rows.filter((r) => !r.has);
  const max = ratio ? 1 : Math.max(1, ...ranked.map((r) => r.v));
  const row = (r) => bar((r.rank ? `<span class="rank">${r.rank}.</span> ` : "") + esc(r.name), r.v / max, ratio ? pct(r.v) : fmtInt.format(r.v),
    { note: ratio ? esc(words.of(fmtInt.format(r.n))) : "", attr: ` data-area="${esc(r.code)}"`, cls: r.few ? "few" : "" });
  const query = $("area-search").hidden ? "" : fold(state.areaQuery).trim();
  const build = (edge) => {
    let html = "";
    if (query) {
      const hit = (r) => fold(r.name).includes(query);
      const found = ranked.filter(hit).concat(few.filter(hit));
      html = found.map(row).join("");
      const missing = none.filter(hit);
      if (missing.length) html += `<div class="apart none">${esc(words.no_data_for)}: ${missing.map((r) => esc(r.name)).join(", ")}</div>`;
      if (!found.length && !missing.length) html = `<div class="apart none">${esc(words.no_match)}</div>`;
      return html;
    }
    if (ranked.length > 2 * edge + 1) {
      html = ranked.slice(0, edge).map(row).join("") +
        `<div class="apart middle">${esc(words.middle(ranked.length - 2 * edge))}</div>` +
        ranked.slice(-edge).map(row).join("");
    } else {
      html = ranked.map(row).join("");
    }
    if (few.length) {
      html += `<div class="apart">${esc(words.few(MIN_N))}</div>` + few.slice(0, edge).map(row).join("");
      if (few.length > edge) html += `<div class="apart none">${esc(words.more_few(few.length - edge))}</div>`;
    }
    if (none.length) {
      const names = none.length > 2 * RANK_EDGE ? esc(words.no_data_count(fmtInt.format(none.length))) : none.map((r) => esc(r.name)).join(", ");
      html += `<div class="apart none">${esc(words.no_data_for)}: ${names}</div>`;
    }
    return html;
  };
  // As many of the best and worst as the panel holds (fewer on a 1080p wall
  // than on a phone's long page), never rows cut off at its edge.
  const bars = $("area-bars");
  const panel = bars.closest(".panel");
  // Unchanged data at the edge found last time: the panel is left alone (a
  // resize forgets what it shows, so the fit is found again).
  let edge = Number(bars.dataset.edge) || RANK_EDGE;
  if (put(bars, build(edge))) {
    edge = RANK_EDGE;
    put(bars, build(edge));
    while (edge > 1 && panel && bars.getBoundingClientRect().bottom > panel.getBoundingClientRect().bottom) {
      edge -= 1;
      put(bars, build(edge));
    }
  }
  bars.dataset.indicator = ind.id;
  bars.dataset.edge = String(edge);
}
