// The IOC wall display. Connects to /v1/live (protobuf JSON mapping, compact
// deltas: sparkline tails and changed sources only), keeps
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
  const PHONE_TILES = 8;      // a phone shows the 8 worst tiles until asked for all

  const words = {
    vi: {
      province: "TỈNH", ioc: "TRUNG TÂM ĐIỀU HÀNH THÔNG MINH", subtitle: "Chuyển đổi số — trực tuyến",
      dti_title: "CHỈ SỐ DTI", estimate: "(ước tính)", main_indicators: "8 chỉ số chính",
      live_legend: "● = có số liệu trực tuyến", mean_legend: " · ▏ = trung bình cả nước", today: "HÔM NAY",
      by_level: (l, n) => `THEO ${l.toUpperCase()} (${n})`, cycling: "(tự chuyển 15 giây)", alerts: "CẢNH BÁO", sources: "NGUỒN DỮ LIỆU",
      live: "Trực tuyến", offline: "Mất kết nối", degraded: "Lưu trữ gián đoạn",
      reconnecting: "Mất kết nối — đang kết nối lại…",
      degraded_banner: "Lưu trữ gián đoạn — số liệu mới có thể chưa được ghi nhận",
      pillars: ["Chính quyền số", "Kinh tế số", "Xã hội số"],
      vs_official: (y) => `so với ${y}`, national_mean: (y) => `TB cả nước ${y}`, target: "Mục tiêu", met: "Đạt",
      below: "Dưới mục tiêu", late: "Chậm", silent: "Mất tín hiệu", never: "Chưa có số liệu",
      per_min: "/phút", per_hour: "/giờ", received: "Hồ sơ tiếp nhận", no_alerts: "Không có cảnh báo", ago: "trước",
      score766: "Bộ chỉ số 766 (ước tính)", per_year: "/năm", no_data: "Chưa có số liệu theo địa bàn",
      limit: "Ngưỡng", within: "Trong ngưỡng", over: "Vượt ngưỡng", too_few: "Chưa đủ số liệu", points: "điểm %", of: (n) => `trên ${n}`,
      basis: { ytd: "từ đầu năm", today: "hôm nay", latest: "hiện tại", projection: "dự báo cuối năm" },
      today_caption: "hôm nay", unverified_mark: "*", unverified_legend: "* mục tiêu chưa kiểm chứng nguồn (chạm vào ô để xem nguồn)",
      assumed_mark: "◇", assumed_legend: " · ◇ = có điểm giả định",
      dti_assumed: (k, n) => `◇ ${k}/${n} chỉ số chính còn dùng điểm giả định`,
      footer_assumed: (k, n) => `DTI ước tính: thành phần trực tuyến lấy số liệu từ đầu năm; ${k}/${n} chỉ số chính còn dùng điểm giả định (chưa có kết quả chính thức của tỉnh)`,
      footer_official: "DTI ước tính: thành phần trực tuyến lấy số liệu từ đầu năm; các thành phần khác theo kết quả đánh giá gần nhất",
      merged: (p) => `Hợp nhất từ 1/7/2025: ${p}`,
      framework: (f) => `Theo Bộ chỉ số ${f}`, framework_assumed: " (điểm tối đa chỉ số chính tạm theo 922)",
      middle: (n) => `… ${n} đơn vị ở giữa (tìm theo tên để xem) …`, more_few: (n) => `+${n} đơn vị khác`, no_data_count: (n) => `${n} đơn vị`,
      search: "Tìm xã, phường…", no_match: "Không có đơn vị nào khớp",
      province_wide: "toàn tỉnh", by_area: "THEO ĐỊA BÀN", few: (n) => `Ít số liệu (dưới ${n})`, no_children: "Không có đơn vị cấp dưới trong cấu hình",
      no_data_for: "Chưa có số liệu", more_alerts: (n) => `+${n} cảnh báo khác`, more_sources: (n) => `+${n} nguồn khác`, alerts_below: (n) => `và ${n} cảnh báo ở các địa bàn trực thuộc`, all_tiles: (n) => `Xem tất cả ${n} chỉ số`, page: (i, n) => `Trang ${i}/${n}`,
      ranked_by: "xếp theo cận dưới khoảng tin cậy 95%", unknown_area: (a) => `Không có địa bàn mã ${a}: đang hiển thị toàn tỉnh`,
      alert_below: (l, b, v, t) => `${l} dưới mục tiêu: ${b} ${v}, mục tiêu ${t}`,
      alert_over: (l, b, v, t) => `${l} vượt ngưỡng: ${b} ${v}, ngưỡng ${t}`,
      feed_late: (a) => `${a}: chậm gửi số liệu`, feed_silent: (a) => `${a}: mất tín hiệu`,
      detail: { windows: "Các cửa sổ", last5m: "5 phút qua", last1h: "1 giờ qua", last24h: "24 giờ qua", last30d: "30 ngày qua", today: "Hôm nay", month: "Tháng này", ytd: "Từ đầu năm", trend: "6 giờ qua (15 phút một điểm)", areas: "Theo địa bàn", feed: "Nguồn số liệu", source: "Nguồn mục tiêu", verified: "đã kiểm chứng", unverified: "chưa kiểm chứng", close: "Đóng", last_sample: "mẫu gần nhất", dti_use: "Dùng trong DTI" },
    },
    en: {
      province: "PROVINCE", ioc: "INTELLIGENT OPERATIONS CENTRE", subtitle: "Digital transformation — live",
      dti_title: "DTI", estimate: "(estimate)", main_indicators: "8 main indicators",
      live_legend: "● = live data", mean_legend: " · ▏ = national mean", today: "TODAY",
      by_level: (l, n) => `BY ${l.toUpperCase()} (${n})`, cycling: "(cycles every 15 s)", alerts: "ALERTS", sources: "DATA SOURCES",
      live: "Live", offline: "Disconnected", degraded: "Storage degraded",
      reconnecting: "Disconnected — reconnecting…",
      degraded_banner: "Storage degraded — new data may not be recorded yet",
      pillars: ["Digital government", "Digital economy", "Digital society"],
      vs_official: (y) => `vs ${y}`, national_mean: (y) => `national mean ${y}`, target: "Target", met: "Met",
      below: "Below target", late: "Late", silent: "Silent", never: "No data yet",
      per_min: "/min", per_hour: "/hour", received: "Dossiers received", no_alerts: "No alerts", ago: "ago",
      score766: "Index 766 (estimate)", per_year: "/year", no_data: "No data by area yet",
      limit: "Limit", within: "Within limit", over: "Over limit", too_few: "Too few data", points: "pts", of: (n) => `of ${n}`,
      basis: { ytd: "year to date", today: "today", latest: "now", projection: "year-end projection" },
      today_caption: "today", unverified_mark: "*", unverified_legend: "* target source not verified (tap a tile for its source)",
      assumed_mark: "◇", assumed_legend: " · ◇ = includes assumed points",
      dti_assumed: (k, n) => `◇ ${k} of ${n} main indicators still use assumed points`,
      footer_assumed: (k, n) => `DTI estimate: live components use year-to-date data; ${k} of ${n} main indicators still carry assumed points (no official result for the province)`,
      footer_official: "DTI estimate: live components use year-to-date data; the rest carry the latest official assessment",
      merged: (p) => `Merged on 1 July 2025: ${p}`,
      framework: (f) => `Framework ${f}`, framework_assumed: " (main-indicator maxima assumed from 922)",
      middle: (n) => `… ${n} areas in between (search by name to see them) …`, more_few: (n) => `+${n} more`, no_data_count: (n) => `${n} areas`,
      search: "Find a commune or ward…", no_match: "No area matches",
      province_wide: "province-wide", by_area: "BY AREA", few: (n) => `Few data (under ${n})`, no_children: "No sub-areas configured",
      no_data_for: "No data", more_alerts: (n) => `+${n} more alerts`, more_sources: (n) => `+${n} more sources`, alerts_below: (n) => `and ${n} alerts in the areas below`, all_tiles: (n) => `Show all ${n} indicators`, page: (i, n) => `Page ${i}/${n}`,
      ranked_by: "ranked by the lower bound of the 95% interval", unknown_area: (a) => `No area with code ${a}: showing the province`,
      alert_below: (l, b, v, t) => `${l} below target: ${b} ${v}, target ${t}`,
      alert_over: (l, b, v, t) => `${l} over the limit: ${b} ${v}, limit ${t}`,
      feed_late: (a) => `${a}: data late`, feed_silent: (a) => `${a}: silent`,
      detail: { windows: "Windows", last5m: "Last 5 min", last1h: "Last hour", last24h: "Last 24 h", last30d: "Last 30 days", today: "Today", month: "This month", ytd: "Year to date", trend: "Last 6 hours (15-minute points)", areas: "By area", feed: "Data source", source: "Target source", verified: "verified", unverified: "not verified", close: "Close", last_sample: "latest sample", dti_use: "Used in the DTI" },
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
    awaitingSnapshot: true, areaQuery: "",
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

  // Replaces an element's content only when the markup changed, so that a
  // once-a-second render leaves still panels (and their transitions, focus and
  // scroll position) alone. Returns whether it changed.
  const shown = new Map();  // element → the markup it shows (a dozen panels)
  function put(el, html) {
    if (shown.get(el) === html) return false;
    shown.set(el, html);
    el.innerHTML = html;
    return true;
  }
  // A resize changes what fits: build every panel afresh.
  window.addEventListener("resize", () => { shown.clear(); render(); });

  function windowOf(s, name) {
    return (s && s.windows || []).find((w) => w.window === name) || { sum: 0, denominator: 0, ratio: 0, samples: 0 };
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
  const areaName = (code) => { const a = state.areas.get(code); return a ? a.nameVi : code; };
  const isPercent = (i) => i.kind === "RATIO" || i.unit === "%";
  const fmtValue = (i, v) => (isPercent(i) ? pct(v) : fmtInt.format(v));
  const fmtTargetOf = (i) => (isPercent(i) ? pctTarget(num(i.target)) : fmtInt.format(num(i.target)) + (i.kind === "COUNTER" ? words.per_year : ""));
  const mark = (i) => (i.targetVerified ? "" : `<sup class="unverified" title="${esc(i.targetSource || "")}">${words.unverified_mark}</sup>`);
  const BASIS_WINDOW = { ytd: "YEAR_TO_DATE", today: "TODAY" };

  // The standing of one series against its indicator's target, exactly as
  // the server judged it: the value, the window it is in, met or not. Every
  // status word, arrow, colour and bar on the wall comes from this.
  function standing(i, s) {
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

  function alertText(a) {
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

  function bar(labelHtml, fraction, text, opts = {}) {
    const w = Math.max(0, Math.min(1, fraction)) * 100;
    const m = opts.mean > 0 ? `<div class="mean" style="left:${Math.min(100, opts.mean * 100)}%"></div>` : "";
    const note = opts.note ? `<span class="note">${opts.note}</span>` : "";
    return `<div class="bar${opts.cls ? " " + opts.cls : ""}"${opts.attr || ""}><span class="label">${labelHtml}</span><div class="track"><div class="fill" style="width:${w}%"></div>${m}</div><span class="num">${text}${note}</span></div>`;
  }

  function renderHeader() {
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

  function renderDti() {
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

  // "±4,7 điểm % · trên 123": the uncertainty of a ratio while counts are small.
  function ratioMeta(w) {
    const n = num(w.denominator);
    if (n <= 0) return "";
    const of = words.of(fmtInt.format(n));
    if (n >= 1000) return of;
    const half = (num(w.ciHigh) - num(w.ciLow)) / 2;
    return `±${fmt1.format(half * 100)} ${words.points} · ${of}`;
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

  function renderTiles() {
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

  // Ranking of the wall's child areas, cycling through indicators with data.
  // Ratios rank by the lower bound of their 95% Wilson interval in the target
  // window, with the sample size written; areas with too few events are listed
  // apart so that 1 of 1 never tops the list.
  const MIN_N = 30;
  let rankIdx = 0;
  let rankAt = Date.now();

  function childrenOf(code) { return [...state.areas.values()].filter((a) => a.parent === code); }

  function rankingRows(ind, children) {
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

  function renderRanking() {
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

  // Active alerts about the wall's own area (and every feed), most severe and
  // newest first, as many as fit, then "+N"; those of the areas below it are
  // counted on a line of their own (each area's wall lists them).
  const own = (a) => !a.area || a.area === state.root;
  function below(a) {
    if (!a.area || a.area === state.root) return false;
    for (let c = a.area; c; c = (state.areas.get(c) || {}).parent) if (c === state.root) return true;
    return false;
  }

  function renderAlerts() {
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

  function renderSources() {
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

  // ---------------------------------------------------------------- drill-down
  // A tile or an area opens the indicator's detail: every window the server
  // keeps, the 6-hour trend, the areas ranked, the feed, the target's source.
  function openDetail(indicatorId, area) {
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

  function closeDetail() {
    state.detail = null;
    const box = $("detail");
    for (const part of box.querySelectorAll(".part")) shown.delete(part);
    box.hidden = true;
    box.innerHTML = "";
  }

  function renderDetail() {
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

  // Operators' console and tests: show the page holding a tile, pin a ranking.
  state.showTile = (id) => {
    const n = tileModels().findIndex((t) => t.id === id);
    if (n >= 0 && tilesPerPage() !== Infinity) { tilePage = Math.floor(n / tilesPerPage()); state.pinnedPage = true; }
    render();
  };
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
  connect();
})();
