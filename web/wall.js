// The IOC wall display. Connects to /v1/live (protobuf JSON mapping), keeps
// the latest state, renders a few times a second. Reconnects by itself with
// backoff and jitter, takes a fresh snapshot after any gap in (epoch, seq),
// and greys every number while it cannot vouch for it. Everything it keeps is
// replaced by key, so it runs for weeks without growing.
"use strict";

(function () {
  const params = new URLSearchParams(location.search);
  const lang = params.get("lang") === "en" ? "en" : "vi";
  const locale = lang === "en" ? "en-GB" : "vi-VN";
  const tz = "Asia/Ho_Chi_Minh";
  const TILES_PER_PAGE = 9;
  const WATCHDOG_MS = 5000;   // the server sends at least one frame a second
  const RENDER_MS = 250;

  const words = {
    vi: {
      province: "TỈNH", ioc: "TRUNG TÂM ĐIỀU HÀNH THÔNG MINH", subtitle: "Chuyển đổi số — trực tuyến",
      dti_title: "CHỈ SỐ DTI", estimate: "(ước tính)", main_indicators: "8 chỉ số chính",
      live_legend: "● = có số liệu trực tuyến", mean_legend: " · ▏ = trung bình cả nước", today: "HÔM NAY",
      by_district: "THEO HUYỆN", cycling: "(tự chuyển 15 giây)", alerts: "CẢNH BÁO", sources: "NGUỒN DỮ LIỆU",
      footer: "Số liệu ước tính từ dữ liệu trực tuyến; các chỉ số khác lấy theo kết quả đánh giá gần nhất",
      live: "Trực tuyến", offline: "Mất kết nối", degraded: "Lưu trữ gián đoạn",
      reconnecting: "Mất kết nối — đang kết nối lại…",
      degraded_banner: "Lưu trữ gián đoạn — số liệu mới có thể chưa được ghi nhận",
      pillars: ["Chính quyền số", "Kinh tế số", "Xã hội số"],
      vs_official: (y) => `so với ${y}`, national_mean: "TB cả nước", target: "MT", met: "Đạt",
      below: "Dưới mục tiêu", late: "Chậm", silent: "Mất tín hiệu", never: "Chưa có số liệu",
      per_min: "/phút", received: "Hồ sơ tiếp nhận", no_alerts: "Không có cảnh báo", ago: "trước",
      score766: "Bộ chỉ số 766 (ước tính)", per_year: "/năm", no_data: "Chưa có số liệu theo huyện",
    },
    en: {
      province: "PROVINCE", ioc: "INTELLIGENT OPERATIONS CENTRE", subtitle: "Digital transformation — live",
      dti_title: "DTI", estimate: "(estimate)", main_indicators: "8 main indicators",
      live_legend: "● = live data", mean_legend: " · ▏ = national mean", today: "TODAY",
      by_district: "BY DISTRICT", cycling: "(cycles every 15 s)", alerts: "ALERTS", sources: "DATA SOURCES",
      footer: "Estimated from live data; other indicators carry the latest official assessment",
      live: "Live", offline: "Disconnected", degraded: "Storage degraded",
      reconnecting: "Disconnected — reconnecting…",
      degraded_banner: "Storage degraded — new data may not be recorded yet",
      pillars: ["Digital government", "Digital economy", "Digital society"],
      vs_official: (y) => `vs ${y}`, national_mean: "national mean", target: "Target", met: "Met",
      below: "Below target", late: "Late", silent: "Silent", never: "No data yet",
      per_min: "/min", received: "Dossiers received", no_alerts: "No alerts", ago: "ago",
      score766: "Index 766 (estimate)", per_year: "/year", no_data: "No district data yet",
    },
  }[lang];

  const fmtInt = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const fmt1 = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const fmtTarget = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const fmt4 = new Intl.NumberFormat(locale, { minimumFractionDigits: 4, maximumFractionDigits: 4 });
  const fmt2 = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const fmtTime = new Intl.DateTimeFormat(locale, { timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  const fmtDate = new Intl.DateTimeFormat(locale, { timeZone: tz, weekday: "long", day: "2-digit", month: "2-digit", year: "numeric" });
  const fmtAgo = new Intl.RelativeTimeFormat(locale, { numeric: "always" });

  // ---------------------------------------------------------------- state
  const state = {
    catalog: null, indicators: new Map(), areas: new Map(), agencies: new Map(),
    series: new Map(), dti: null, alerts: new Map(), sources: [],
    epoch: null, seq: 0, live: false, degraded: false, serverOffset: 0, lastFrame: 0,
    awaitingSnapshot: true,
  };
  window.iocWall = state;  // for tests and for operators' consoles

  const $ = (id) => document.getElementById(id);
  const key = (ind, area) => ind + "|" + area;
  const num = (v) => (v === undefined || v === null ? 0 : Number(v));
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  const label = (o) => (lang === "en" ? o.labelEn || o.labelVi : o.labelVi);
  const now = () => Date.now() + state.serverOffset;
  const pct = (v) => fmt1.format(v * 100) + "%";
  const pctTarget = (v) => fmtTarget.format(v * 100) + "%";  // "MT 70%", not "MT 70,0%"

  function windowOf(s, name) {
    return (s && s.windows || []).find((w) => w.window === name) || { sum: 0, denominator: 0, ratio: 0, samples: 0 };
  }

  function applySnapshot(frame) {
    const snap = frame.snapshot;
    state.catalog = snap.catalog;
    state.indicators = new Map(snap.catalog.indicators.map((i) => [i.id, i]));
    state.areas = new Map(snap.catalog.areas.map((a) => [a.code, a]));
    state.agencies = new Map(snap.catalog.agencies.map((a) => [a.id, a]));
    state.series = new Map((snap.series || []).map((s) => [key(s.indicator, s.area), s]));
    state.dti = snap.dti || null;
    state.alerts = new Map((snap.alerts || []).map((a) => [a.id, a]));
    state.sources = snap.sources || [];
    state.awaitingSnapshot = false;
  }

  function applyDelta(frame) {
    const d = frame.delta;
    for (const s of d.series || []) state.series.set(key(s.indicator, s.area), s);
    if (d.dti && d.dti.mainIndicators && d.dti.mainIndicators.length) state.dti = d.dti;
    for (const a of d.alerts || []) state.alerts.set(a.id, a);
    // Keep active alerts and the 20 most recently cleared.
    const cleared = [...state.alerts.values()].filter((a) => !a.active).sort((x, y) => num(y.clearedMs) - num(x.clearedMs));
    for (const a of cleared.slice(20)) state.alerts.delete(a.id);
    if (d.sources && d.sources.length) state.sources = d.sources;
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
    for (const p of ["area", "group", "token"]) if (params.get(p)) url.searchParams.set(p, params.get(p));
    ws = new WebSocket(url);
    ws.onmessage = (ev) => onFrame(JSON.parse(ev.data));
    ws.onclose = () => { ws = null; goOffline(); scheduleReconnect(); };
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
      if (f.epoch !== state.epoch || num(f.seq) !== state.seq + 1) {
        // A gap: the numbers can no longer be vouched for until a fresh snapshot.
        state.awaitingSnapshot = true;
        document.body.classList.add("offline");
        if (ws && ws.readyState === WebSocket.OPEN) ws.send("resync");
        return;
      }
      state.seq = num(f.seq);
      applyDelta(f);
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

  // ---------------------------------------------------------------- rendering
  let renderPending = false;
  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    setTimeout(() => { renderPending = false; render(); }, RENDER_MS);
  }

  function ageText(ms) {
    if (!ms || ms <= 0) return words.never;
    const s = Math.max(0, Math.round((now() - ms) / 1000));
    if (s < 60) return fmtAgo.format(-s, "second");
    if (s < 3600) return fmtAgo.format(-Math.floor(s / 60), "minute");
    if (s < 86400) return fmtAgo.format(-Math.floor(s / 3600), "hour");
    return fmtAgo.format(-Math.floor(s / 86400), "day");
  }

  function sourceOf(agencyId) { return state.sources.find((s) => s.agency === agencyId); }

  function bar(labelHtml, fraction, text, mean) {
    const w = Math.max(0, Math.min(1, fraction)) * 100;
    const m = mean > 0 ? `<div class="mean" style="left:${Math.min(100, mean * 100)}%"></div>` : "";
    return `<div class="bar"><span class="label">${labelHtml}</span><div class="track"><div class="fill" style="width:${w}%"></div>${m}</div><span class="num">${text}</span></div>`;
  }

  function renderHeader() {
    const t = new Date(now());
    $("time").textContent = fmtTime.format(t);
    const d = fmtDate.format(t);
    $("date").textContent = d.charAt(0).toUpperCase() + d.slice(1);
    if (state.catalog) $("province").textContent = (lang === "en" ? "" : words.province + " ") + state.catalog.provinceNameVi.toUpperCase();
    const conn = $("conn");
    const st = !state.live ? "offline" : state.degraded ? "degraded" : "live";
    conn.dataset.state = st;
    $("conn-word").textContent = words[st];
    const banner = $("banner");
    if (!state.live || state.awaitingSnapshot) {
      banner.hidden = false; banner.className = "banner"; banner.textContent = words.reconnecting;
    } else if (state.degraded) {
      banner.hidden = false; banner.className = "banner degraded"; banner.textContent = words.degraded_banner;
    } else {
      banner.hidden = true;
    }
  }

  function renderDti() {
    const dti = state.dti;
    if (!dti || !dti.mainIndicators) return;
    $("dti-value").textContent = fmt4.format(num(dti.dti));
    const c = state.catalog;
    let cmp = "";
    if (c && num(c.dtiLastOfficial) > 0) {
      const up = num(dti.dti) >= num(c.dtiLastOfficial);
      cmp += `<span class="${up ? "up" : "down"}">${up ? "▲" : "▼"}</span> ${words.vs_official(c.dtiLastOfficialYear)}: ${fmt4.format(num(c.dtiLastOfficial))}`;
      if (c.dtiLastOfficialRank) cmp += ` · ${esc(c.dtiLastOfficialRank)}`;
    }
    if (c && num(c.dtiNationalMean) > 0) cmp += `<br>${words.national_mean}: ${fmt4.format(num(c.dtiNationalMean))}`;
    $("dti-compare").innerHTML = cmp;
    const pillars = [num(dti.pillarGovernment), num(dti.pillarEconomy), num(dti.pillarSociety)];
    $("pillars").innerHTML = pillars.map((v, i) => bar(esc(words.pillars[i]), v, fmt2.format(v))).join("");
    $("mains").innerHTML = dti.mainIndicators.map((m) =>
      bar(`${esc(label(m))}${m.hasLive ? ' <span class="live" title="live">●</span>' : ""}`, num(m.value), fmt2.format(num(m.value)), num(m.nationalMean))).join("");
    // The national-mean marker is explained only where the configuration has means.
    const means = dti.mainIndicators.some((m) => num(m.nationalMean) > 0);
    document.querySelector(".legend").textContent = words.live_legend + (means ? words.mean_legend : "");
    $("score766").innerHTML = num(dti.score766) > 0 ? `${words.score766}: <b>${fmt1.format(num(dti.score766))}</b>/100` : "";
  }

  // The tiles: the dossier count derived from the online-share ratio first,
  // then every indicator with data in display order; paged on the wall.
  let tilePage = 0;
  let tilePageAt = Date.now();

  function tileModels() {
    const out = [];
    const prov = state.catalog ? state.catalog.provinceCode : "";
    const inds = [...state.indicators.values()].sort((a, b) => num(a.displayOrder) - num(b.displayOrder));
    const dossiers = state.series.get(key("online_dossier_rate", prov));
    if (dossiers) out.push({ id: "dossiers_received", synthetic: true, ind: state.indicators.get("online_dossier_rate"), s: dossiers });
    const counters = inds.filter((i) => i.kind === "COUNTER" || i.kind === "RATIO");
    const levels = inds.filter((i) => i.kind === "GAUGE" || i.kind === "REFERENCE");
    for (const i of [...counters, ...levels]) {
      const s = state.series.get(key(i.id, prov));
      if (s) out.push({ id: i.id, ind: i, s });
    }
    return out;
  }

  function sparkline(values) {
    const pts = values.map((v) => num(v));
    const valid = pts.filter((v) => v >= 0);
    if (valid.length < 2) return '<svg class="spark" viewBox="0 0 100 20"></svg>';
    const max = Math.max(...valid, 1e-9);
    const min = Math.min(...valid, 0);
    const step = 100 / (pts.length - 1);
    const coords = pts.map((v, i) => (v < 0 ? null : `${(i * step).toFixed(1)},${(19 - ((v - min) / (max - min || 1)) * 18).toFixed(1)}`)).filter(Boolean);
    return `<svg class="spark" viewBox="0 0 100 20" preserveAspectRatio="none"><polyline points="${coords.join(" ")}"/></svg>`;
  }

  function tileHtml(t) {
    const i = t.ind;
    const s = t.s;
    const today = windowOf(s, "TODAY");
    const src = sourceOf(i.agency);
    const fresh = src ? src.freshness : "FRESHNESS_UNSPECIFIED";
    const stale = fresh === "LATE" || fresh === "SILENT";
    let value, meta = "", progress = null, target = "";
    if (t.synthetic) {
      value = fmtInt.format(num(today.denominator));
      meta = `${fmtInt.format(num(windowOf(s, "LAST_1H").denominator))}/h`;
    } else if (i.kind === "COUNTER") {
      value = fmtInt.format(num(today.sum));
      meta = `${fmtInt.format(num(s.ratePerMin))}${words.per_min}`;
      if (i.hasTarget) { progress = num(s.progress); target = `${words.target} ${fmtInt.format(num(i.target))}${words.per_year}`; }
    } else if (i.kind === "RATIO") {
      const w = num(today.denominator) > 0 ? today : windowOf(s, "YEAR_TO_DATE");
      value = num(w.denominator) > 0 ? pct(num(w.ratio)) : "–";
      if (num(w.denominator) > 0 && num(w.denominator) < 1000) {
        const half = (num(w.ciHigh) - num(w.ciLow)) / 2;
        meta = `±${fmt1.format(half * 100)} · n=${fmtInt.format(num(w.denominator))}`;
      } else if (num(w.denominator) > 0) {
        meta = `n=${fmtInt.format(num(w.denominator))}`;
      }
      if (i.hasTarget) { progress = num(s.progress); target = `${words.target} ${pctTarget(num(i.target))}`; }
    } else {
      value = i.unit === "%" ? pct(num(s.gauge)) : fmtInt.format(num(s.gauge));
      if (i.hasTarget) { progress = num(s.progress); target = `${words.target} ${i.unit === "%" ? pctTarget(num(i.target)) : fmtInt.format(num(i.target))}`; }
    }
    let status = "";
    if (fresh === "SILENT") status = `<span class="status silent">■ ${words.silent} · ${ageText(num(s.lastArrivalMs))}</span>`;
    else if (fresh === "LATE") status = `<span class="status late">◆ ${words.late} · ${ageText(num(s.lastArrivalMs))}</span>`;
    else if (i.hasTarget && !t.synthetic) status = s.targetMet ? `<span class="status met">✓ ${words.met}</span>` : `<span class="status below">▼ ${words.below}</span>`;
    const title = t.synthetic ? words.received : label(i);
    const spark = t.synthetic ? [] : s.sparkline || [];
    return `<div class="tile${stale ? " stale" : ""}" data-kpi="${esc(t.id)}">
      <div class="label">${esc(title)}</div>
      <div class="value">${value}</div>
      ${sparkline(spark)}
      <div class="meta"><span>${meta}</span><span>${target}</span></div>
      ${progress === null ? "" : `<div class="progress"><div style="width:${Math.min(100, progress * 100)}%"></div></div>`}
      ${status}
    </div>`;
  }

  function renderTiles() {
    const models = tileModels();
    const phone = window.matchMedia("(max-width: 900px)").matches;
    let shown = models;
    if (!phone && models.length > TILES_PER_PAGE) {
      const pages = Math.ceil(models.length / TILES_PER_PAGE);
      if (Date.now() - tilePageAt > 20000) { tilePage = (tilePage + 1) % pages; tilePageAt = Date.now(); }
      tilePage %= pages;
      shown = models.slice(tilePage * TILES_PER_PAGE, (tilePage + 1) * TILES_PER_PAGE);
    }
    $("tiles").innerHTML = shown.map(tileHtml).join("");
  }

  // By district: cycle through indicators that have district data.
  let districtIdx = 0;
  let districtAt = Date.now();
  function renderDistricts() {
    const districts = [...state.areas.values()].filter((a) => num(a.level) === 2);
    const candidates = [...state.indicators.values()]
      .filter((i) => i.kind === "COUNTER" || i.kind === "RATIO")
      .filter((i) => districts.some((d) => state.series.has(key(i.id, d.code))))
      .sort((a, b) => num(a.displayOrder) - num(b.displayOrder));
    if (!candidates.length) { $("district-indicator").textContent = words.no_data; $("district-bars").innerHTML = ""; return; }
    if (Date.now() - districtAt > 15000) { districtIdx++; districtAt = Date.now(); }
    const ind = candidates[districtIdx % candidates.length];
    $("district-indicator").textContent = label(ind);
    const rows = districts.map((d) => {
      const s = state.series.get(key(ind.id, d.code));
      let v = 0;
      if (s) {
        const w = windowOf(s, "TODAY");
        v = ind.kind === "RATIO" ? (num(w.denominator) > 0 ? num(w.ratio) : num(windowOf(s, "YEAR_TO_DATE").ratio)) : num(w.sum);
      }
      return { name: d.nameVi, v, has: !!s };
    }).sort((a, b) => b.v - a.v);
    const max = ind.kind === "RATIO" ? 1 : Math.max(1, ...rows.map((r) => r.v));
    $("district-bars").innerHTML = rows.map((r) =>
      bar(esc(r.name), r.v / max, r.has ? (ind.kind === "RATIO" ? pct(r.v) : fmtInt.format(r.v)) : "–")).join("");
  }

  function renderAlerts() {
    const active = [...state.alerts.values()].filter((a) => a.active).sort((a, b) => num(b.raisedMs) - num(a.raisedMs));
    if (!active.length) { $("alerts").innerHTML = `<li class="empty">✓ ${words.no_alerts}</li>`; return; }
    $("alerts").innerHTML = active.slice(0, 8).map((a) => {
      const bad = a.kind === "feed_silent";
      const sym = bad ? "■" : a.kind === "feed_late" ? "◆" : "▲";
      return `<li data-alert="${esc(a.id)}"><span class="${bad ? "bad" : "warn"}"><span class="sym">${sym}</span>${esc(lang === "en" ? a.messageEn : a.messageVi)}</span><span class="age">${ageText(num(a.raisedMs))}</span></li>`;
    }).join("");
  }

  function renderSources() {
    const rank = { SILENT: 0, LATE: 1, FRESHNESS_UNSPECIFIED: 2, FRESH: 3 };
    const list = [...state.sources].sort((a, b) => rank[a.freshness] - rank[b.freshness]);
    $("sources").innerHTML = list.map((s) => {
      const ag = state.agencies.get(s.agency);
      const name = ag ? (lang === "en" ? ag.nameEn : ag.nameVi) : s.agency;
      const cls = s.freshness === "SILENT" ? "bad" : s.freshness === "LATE" ? "warn" : s.freshness === "FRESH" ? "ok" : "";
      const word = s.freshness === "SILENT" ? ` · ${words.silent}` : s.freshness === "LATE" ? ` · ${words.late}` : "";
      const sym = s.freshness === "FRESH" ? "●" : s.freshness === "SILENT" ? "■" : s.freshness === "LATE" ? "◆" : "○";
      return `<li data-source="${esc(s.agency)}"><span class="${cls}"><span class="sym">${sym}</span>${esc(name)}${word}</span><span class="age">${ageText(num(s.lastSeenMs))}</span></li>`;
    }).join("");
  }

  function render() {
    renderHeader();
    if (!state.catalog) return;
    renderDti();
    renderTiles();
    renderDistricts();
    renderAlerts();
    renderSources();
  }

  // Static labels in the chosen language.
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const w = words[el.dataset.i18n];
    if (typeof w === "string") el.textContent = w;
  }
  setInterval(render, 1000);  // clock and ages move even when data does not
  render();
  connect();
})();
