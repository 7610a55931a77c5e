// The alerts and data-source lists, fitted to their boxes.
import { lang, words } from "./words.js";
import { $, esc, num, put, state } from "./common.js";
import { ageText, alertText, sourceOf } from "./status.js";

// Active alerts about the wall's own area (and every feed), most severe and
// newest first, as many as fit, then "+N"; those of the areas below it are
// counted on a line of their own (each area's wall lists them).
const own = (a) => !a.area || a.area === state.root;
function below(a) {
  if (!a.area || a.area === state.root) return false;
  for (let c = a.area; c; c = (state.areas.get(c) || {}).parent) if (c === state.root) return true;
  return false;
}

export function renderAlerts() {
  // Silent feeds and limits exceeded first, then missed targets, then late feeds.
  const rank = (a) => (a.kind === "feed_silent" ? 0 : a.kind === "feed_late" ? 3 : a.higherIsBetter ? 2 : 1);
  const all = [...state.alerts.values()].filter((a) => a.active);
  const active = all.filter(own).sort((a, b) => rank(a) - rank(b) || num(b.raisedMs) - num(a.raisedMs));
  const sub = all.filter(below).length;
  $("alert-count").textContent = active.length ? `(${active.length})` : "";
  // The line below takes room from the list: a change there refits it too.
  const belowChanged = put($("alerts-below"), sub ? esc(words.alerts_below(sub)) : "");
  $("alerts-below").hidden = !sub;
  const list = $("alerts");
  if (!active.length) { put(list, `<li class="empty">✓ ${words.no_alerts}</li>`); return; }
  const changed = put(list, active.map((a) => {
    const bad = a.kind === "feed_silent" || (a.kind !== "feed_late" && !a.higherIsBetter);
    const sym = a.kind === "feed_silent" ? "■" : a.kind === "feed_late" ? "◆" : a.higherIsBetter ? "▼" : "▲";
    const src = a.kind.startsWith("feed_") ? sourceOf(a.agency) : null;
    const age = src ? ageText(num(src.lastSeenMs)) : ageText(num(a.raisedMs));
    return `<li data-item="${esc(a.id)}" data-alert="${esc(a.id)}"><span class="${bad ? "bad" : "warn"}"><span class="sym">${sym}</span>${esc(alertText(a))}</span><span class="age">${age}</span></li>`;
  }).join("") + `<li class="more" hidden></li>`);
  if (state.alertsExpanded) list.classList.add("expanded");
  else if (changed || belowChanged) fitList(list, active.length, words.more_alerts);
}

// Hides the items that do not fit the list's box and says how many.
function fitList(list, total, moreText) {
  const more = list.querySelector(".more");
  const items = [...list.querySelectorAll("li[data-item]")];
  for (const it of items) it.hidden = false;
  const bottom = () => list.getBoundingClientRect().bottom;
  let shown = items.length;
  more.hidden = true;
  if (!items.length || items[items.length - 1].getBoundingClientRect().bottom <= bottom() + 0.5) return;
  more.hidden = false;
  while (shown > 1) {
    more.textContent = moreText(total - shown);
    if (more.getBoundingClientRect().bottom <= bottom() + 0.5) break;
    items[--shown].hidden = true;
  }
  more.textContent = moreText(total - shown);
}

export function renderSources() {
  const rank = { SILENT: 0, LATE: 1, FRESHNESS_UNSPECIFIED: 2, FRESH: 3 };
  const list = [...state.sources].sort((a, b) => rank[a.freshness] - rank[b.freshness]);
  const changed = put($("sources"), list.map((s) => {
    const ag = state.agencies.get(s.agency);
    const name = ag ? (lang === "en" ? ag.nameEn : ag.nameVi) : s.agency;
    const cls = s.freshness === "SILENT" ? "bad" : s.freshness === "LATE" ? "warn" : s.freshness === "FRESH" ? "ok" : "";
    const word = s.freshness === "SILENT" ? ` · ${words.silent}` : s.freshness === "LATE" ? ` · ${words.late}` : "";
    const sym = s.freshness === "FRESH" ? "●" : s.freshness === "SILENT" ? "■" : s.freshness === "LATE" ? "◆" : "○";
    return `<li data-item="${esc(s.agency)}" data-source="${esc(s.agency)}"><span class="${cls}"><span class="sym">${sym}</span>${esc(name)}${word}</span><span class="age">${ageText(num(s.lastSeenMs))}</span></li>`;
  }).join("") + `<li class="more" hidden></li>`);
  if (changed) fitList($("sources"), list.length, words.more_sources);
}
