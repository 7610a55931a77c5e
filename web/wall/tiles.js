// The indicator tiles, paged on a wall, worst first on a phone.
import { words } from "./words.js";
import { $, esc, fmtInt, key, label, num, pct, PHONE_TILES, put, state, TILES_PER_PAGE, windowOf } from "./common.js";
import { ageText, fmtTargetOf, fmtValue, mark, ratioMeta, sourceOf, standing } from "./status.js";

// The tiles: the dossier count derived from the online-share ratio first,
// then every indicator with data for the wall's area in display order.
let tilePage = 0;
let tilePageAt = Date.now();

function tileModels() {
  const out = [];
  const root = state.root;
  const inds = [...state.indicators.values()].sort((a, b) => num(a.displayOrder) - num(b.displayOrder));
  const dossiers = state.series.get(key("online_dossier_rate", root));
  if (dossiers) out.push({ id: "dossiers_received", synthetic: true, ind: state.indicators.get("online_dossier_rate"), s: dossiers });
  const counters = inds.filter((i) => i.kind === "COUNTER" || i.kind === "RATIO");
  const levels = inds.filter((i) => i.kind === "GAUGE" || i.kind === "REFERENCE");
  for (const i of [...counters, ...levels]) {
    const s = state.series.get(key(i.id, root));
    if (s) out.push({ id: i.id, ind: i, s });
  }
  return out;
}

// Worst first (for the phone): silent or late feeds, then missed targets.
function severity(t) {
  const src = sourceOf(t.ind.agency);
  const f = src ? src.freshness : "";
  if (f === "SILENT") return 0;
  if (f === "LATE") return 1;
  const st = t.synthetic ? null : standing(t.ind, t.s);
  if (st && !st.met && st.cls !== "few") return st.higher ? 3 : 2;
  return 4;
}

function sparkline(values, cls = "spark") {
  const pts = values.map((v) => num(v));
  const valid = pts.filter((v) => v >= 0);
  if (valid.length < 2) return `<svg class="${cls}" viewBox="0 0 100 20"></svg>`;
  const max = Math.max(...valid, 1e-9);
  const min = Math.min(...valid, 0);
  const step = 100 / (pts.length - 1);
  const coords = pts.map((v, i) => (v < 0 ? null : `${(i * step).toFixed(1)},${(19 - ((v - min) / (max - min || 1)) * 18).toFixed(1)}`)).filter(Boolean);
  return `<svg class="${cls}" viewBox="0 0 100 20" preserveAspectRatio="none"><polyline points="${coords.join(" ")}"/></svg>`;
}
function tileHtml(t) {
  const i = t.ind;
  const s = t.s;
  const today = windowOf(s, "TODAY");
  const src = sourceOf(i.agency);
  const fresh = src ? src.freshness : "FRESHNESS_UNSPECIFIED";
  const stale = fresh === "LATE" || fresh === "SILENT";
  let value, caption = "", meta = "";
  if (t.synthetic) {
    value = fmtInt.format(num(today.denominator));
    caption = words.today_caption;
    meta = `${fmtInt.format(num(windowOf(s, "LAST_1H").denominator))}${words.per_hour}`;
  } else if (i.kind === "COUNTER") {
    value = fmtInt.format(num(today.sum));
    caption = words.today_caption;
    meta = `${fmtInt.format(num(s.ratePerMin))}${words.per_min}`;
  } else if (i.kind === "RATIO") {
    const hasToday = num(today.denominator) > 0;
    const w = hasToday ? today : windowOf(s, "YEAR_TO_DATE");
    value = num(w.denominator) > 0 ? pct(num(w.ratio)) : "–";
    caption = hasToday ? words.today_caption : words.basis.ytd;
    meta = ratioMeta(w);
  } else {
    value = fmtValue(i, num(s.gauge));
    caption = words.basis.latest;
  }
  // The status line states the value it judged, its window and the target,
  // so it never contradicts the big number above it.
  const st = t.synthetic ? null : standing(i, s);
  let statusLine = "";
  let progress = "";
  if (st) {
    const tgt = `${st.higher ? words.target : words.limit} ${fmtTargetOf(i)}${mark(i)}`;
    const shownIsJudged = (st.basis === "latest") || (i.kind === "RATIO" && caption === words.basis[st.basis]);
    const judged = shownIsJudged ? "" : `${words.basis[st.basis]} ${fmtValue(i, st.value)} · `;
    statusLine = `<div class="judged">${judged}${tgt}</div>`;
    if (st.higher) progress = `<div class="progress ${st.cls}"><div style="width:${Math.min(100, st.progress * 100)}%"></div></div>`;
  }
  let status = "";
  if (fresh === "SILENT") status = `<span class="status silent">■ ${words.silent} · ${ageText(num(s.lastArrivalMs))}</span>`;
  else if (fresh === "LATE") status = `<span class="status late">◆ ${words.late} · ${ageText(num(s.lastArrivalMs))}</span>`;
  else if (st) status = `<span class="status ${st.cls}">${st.sym} ${st.word}</span>`;
  const title = t.synthetic ? words.received : label(i);
  const spark = t.synthetic ? [] : s.sparkline || [];
  return `<div class="tile${stale ? " stale" : ""}${st ? " " + st.cls : ""}" data-kpi="${esc(t.id)}" data-indicator="${esc(i.id)}" tabindex="0" role="button">
    <div class="label">${esc(title)}</div>
    <div class="value">${value}</div>
    ${sparkline(spark)}
    <div class="meta">${[esc(caption), meta].filter(Boolean).join(" · ")}</div>
    ${statusLine}
    <div class="standing">${progress}${status}</div>
  </div>`;
}

function tilesPerPage() {
  // Fewer, larger tiles on a narrow wall; all of them, worst first, on a phone.
  return window.matchMedia("(max-width: 900px)").matches ? Infinity : TILES_PER_PAGE;
}

export function renderTiles() {
  let models = tileModels();
  const per = tilesPerPage();
  const pages = per === Infinity ? 1 : Math.max(1, Math.ceil(models.length / per));
  let hidden = 0;
  if (per === Infinity) {
    models = models.map((t, n) => ({ t, n, k: severity(t) })).sort((a, b) => a.k - b.k || a.n - b.n).map((x) => x.t);
    if (!state.allTiles && models.length > PHONE_TILES) { hidden = models.length - PHONE_TILES; models = models.slice(0, PHONE_TILES); }
  } else if (pages > 1) {
    if (!state.pinnedPage && Date.now() - tilePageAt > 20000) { tilePage = (tilePage + 1) % pages; tilePageAt = Date.now(); }
    tilePage %= pages;
    models = models.slice(tilePage * per, (tilePage + 1) * per);
  } else {
    tilePage = 0;
  }
  put($("tiles"), models.map(tileHtml).join("") +
    (hidden ? `<button type="button" class="all-tiles">${words.all_tiles(hidden + models.length)}</button>` : ""));
  const pager = $("pager");
  pager.hidden = pages <= 1;
  if (pages > 1) {
    put(pager, `${words.page(tilePage + 1, pages)} ` +
      Array.from({ length: pages }, (_, n) => `<span class="dot${n === tilePage ? " on" : ""}">●</span>`).join(""));
  }
}

// Operators' console and tests: show the page holding a tile.
export function showTilePage(id) {
  const n = tileModels().findIndex((t) => t.id === id);
  if (n >= 0 && tilesPerPage() !== Infinity) { tilePage = Math.floor(n / tilesPerPage()); state.pinnedPage = true; }
}
