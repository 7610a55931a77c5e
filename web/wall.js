// The IOC wall display's entry: wires the live link (wall/live.js) to the
// panels (wall/*.js), the clicks that open the drill-down, and the consoles'
// helpers on window.iocWall.
import { lang, words } from "./wall/words.js";
import { $, shown, state } from "./wall/common.js";
import { startLive } from "./wall/live.js";
import { renderDti, renderHeader } from "./wall/header.js";
import { renderTiles, showTilePage } from "./wall/tiles.js";
import { renderRanking } from "./wall/ranking.js";
import { renderAlerts, renderSources } from "./wall/alerts.js";
import { closeDetail, openDetail, renderDetail } from "./wall/detail.js";

// Operators' console and tests: show the page holding a tile, pin a ranking.
state.showTile = (id) => { showTilePage(id); render(); };
state.showRanking = (id) => { state.pinnedRanking = id; render(); };
state.openDetail = openDetail;

function render() {
  renderHeader();
  if (!state.catalog) return;
  renderDti();
  renderTiles();
  renderRanking();
  renderAlerts();
  renderSources();
  if (state.detail) renderDetail();
}

// A resize changes what fits: build every panel afresh.
window.addEventListener("resize", () => { shown.clear(); render(); });

document.addEventListener("click", (ev) => {
  if (ev.target.closest && ev.target.closest(".all-tiles")) { state.allTiles = true; return render(); }
  if (ev.target.closest && ev.target.closest("#alerts .more")) { state.alertsExpanded = true; return render(); }
  const tile = ev.target.closest && ev.target.closest(".tile[data-indicator]");
  if (tile) return openDetail(tile.dataset.indicator);
  const area = ev.target.closest && ev.target.closest("#area-bars .bar[data-area]");
  if (area) return openDetail($("area-bars").dataset.indicator, area.dataset.area);
  if (ev.target.id === "detail") closeDetail();
});
document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") closeDetail(); });

// Static labels in the chosen language.
document.documentElement.lang = lang;
const search = $("area-search");
if (search) {
  search.placeholder = words.search;
  search.addEventListener("input", () => { state.areaQuery = search.value; renderRanking(); });
}
for (const el of document.querySelectorAll("[data-i18n]")) {
  const w = words[el.dataset.i18n];
  if (typeof w === "string") el.textContent = w;
}
setInterval(render, 1000);  // clock and ages move even when data does not
render();
startLive(render);
