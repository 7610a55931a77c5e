// The header (clock, province, link state, banner) and the DTI panel.
import { lang, words } from "./words.js";
import { $, esc, fmt1, fmt2, fmt4, fmtDate, fmtTime, label, now, num, put, state } from "./common.js";
import { areaName, bar } from "./status.js";

export function renderHeader() {
  const t = new Date(now());
  $("time").textContent = fmtTime.format(t);
  const d = fmtDate.format(t);
  $("date").textContent = d.charAt(0).toUpperCase() + d.slice(1);
  if (state.catalog) {
    const prov = (lang === "en" ? "" : words.province + " ") + state.catalog.provinceNameVi.toUpperCase();
    const areaWall = state.root !== state.catalog.provinceCode;
    // An area wall names its area and province; the centre's name makes way.
    $("province").textContent = areaWall ? `${areaName(state.root).toUpperCase()} · ${prov}` : prov;
    document.body.classList.toggle("area-wall", areaWall);
  }
  const conn = $("conn");
  const st = !state.live ? "offline" : state.degraded ? "degraded" : "live";
  conn.dataset.state = st;
  $("conn-word").textContent = words[st];
  const banner = $("banner");
  if (!state.live || state.awaitingSnapshot) {
    banner.hidden = false; banner.className = "banner"; banner.textContent = words.reconnecting;
  } else if (state.degraded) {
    banner.hidden = false; banner.className = "banner degraded"; banner.textContent = words.degraded_banner;
  } else if (state.unknownArea) {
    banner.hidden = false; banner.className = "banner degraded"; banner.textContent = words.unknown_area(state.unknownArea);
  } else {
    banner.hidden = true;
  }
}

export function renderDti() {
  const dti = state.dti;
  if (!dti || !dti.mainIndicators) return;
  $("dti-value").textContent = fmt4.format(num(dti.dti));
  const c = state.catalog;
  const areaWall = state.root !== c.provinceCode;
  $("dti-scope").textContent = areaWall ? `· ${words.province_wide}` : "";
  // Comparisons only against figures the configuration marks official, with
  // their year and source; never against a placeholder.
  let cmp = "";
  if (c.dtiLastOfficialVerified && num(c.dtiLastOfficial) > 0 && c.dtiLastOfficialYear && c.dtiLastOfficialSource) {
    const up = num(dti.dti) >= num(c.dtiLastOfficial);
    cmp += `<div title="${esc(c.dtiLastOfficialSource)}"><span class="${up ? "up" : "down"}">${up ? "▲" : "▼"}</span> ${words.vs_official(c.dtiLastOfficialYear)}: ${fmt4.format(num(c.dtiLastOfficial))}${c.dtiLastOfficialRank ? " · " + esc(c.dtiLastOfficialRank) : ""}</div>`;
  }
  if (c.dtiNationalMeanVerified && num(c.dtiNationalMean) > 0 && c.dtiNationalMeanYear && c.dtiNationalMeanSource) {
    cmp += `<div title="${esc(c.dtiNationalMeanSource)}">${words.national_mean(c.dtiNationalMeanYear)}: ${fmt4.format(num(c.dtiNationalMean))}</div>`;
  }
  // A province merged in 2025: its official DTI is computed from the mean
  // of its former provinces' main indicators, and its older plans are theirs.
  if ((c.formerProvinces || []).length > 1) {
    cmp += `<div class="framework">${esc(words.merged(c.formerProvinces.join(" + ")))}</div>`;
  }
  if (c.dtiFramework) {
    cmp += `<div class="framework" title="${esc(c.dtiFrameworkTitle || c.dtiFramework)}">${esc(words.framework(c.dtiFramework))}${c.dtiFrameworkTitle && !c.dtiFrameworkMaximaPublished ? esc(words.framework_assumed) : ""}</div>`;
  }
  put($("dti-compare"), cmp);
  const pillars = [num(dti.pillarGovernment), num(dti.pillarEconomy), num(dti.pillarSociety)];
  put($("pillars"), pillars.map((v, i) => bar(esc(words.pillars[i]), v, fmt2.format(v))).join(""));
  put($("mains"), dti.mainIndicators.map((m) => {
    const marks = (m.hasLive ? ' <span class="live" title="live">●</span>' : "") + (m.assumed ? ` <span class="assumed">${words.assumed_mark}</span>` : "");
    return bar(`${esc(label(m))}${marks}`, num(m.value), fmt2.format(num(m.value)), { mean: num(m.nationalMean), cls: m.assumed ? "assumed" : "" });
  }).join(""));
  const means = dti.mainIndicators.some((m) => num(m.nationalMean) > 0);
  const assumed = dti.mainIndicators.filter((m) => m.assumed).length;
  // Said next to the number, not only in the footer: the estimate rests on assumptions.
  $("dti-assumed").hidden = !assumed;
  $("dti-assumed").textContent = assumed ? words.dti_assumed(assumed, dti.mainIndicators.length) : "";
  document.querySelector(".legend").textContent = words.live_legend + (assumed ? words.assumed_legend : "") + (means ? words.mean_legend : "");
  put($("score766"), num(dti.score766) > 0 ? `${words.score766}: <b>${fmt1.format(num(dti.score766))}</b>/100` : "");
  $("footer").textContent = (assumed ? words.footer_assumed(assumed, dti.mainIndicators.length) : words.footer_official) +
    (hasUnverifiedTargets() ? " · " + words.unverified_legend : "");
}

function hasUnverifiedTargets() {
  return [...state.indicators.values()].some((i) => i.hasTarget && !i.targetVerified);
}
