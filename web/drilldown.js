// The drill-down's long view: an indicator's trend in one area, a point per
// day for the last 90 days and per month for the last 13, with axes, the
// target line and the same months of the year before when history has them.
// Read from GET /v1/history (the engine's history and any imported past),
// fetched when the view opens and again each minute while it stays open.
// Built with DOM and SVG calls only: no data value passes through markup.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const REFRESH_MS = 60000;
  const DAYS = 90, MONTHS = 13;

  const words = {
    vi: {
      days: "Theo ngày — 90 ngày qua", months: "Theo tháng — 13 tháng qua", yoy: "Cùng kỳ năm trước",
      this_period: "13 tháng qua", target: "Mục tiêu", limit: "Ngưỡng", avg_day: "bình quân/ngày", avg_month: "bình quân/tháng",
      loading: "Đang tải lịch sử…", failed: (s) => `Không tải được lịch sử (${s})`,
      missing: "Lịch sử 90 ngày và 13 tháng: chưa có số liệu (chưa nhập số liệu các năm trước, chưa tích lũy đủ)",
      same_last_year: (p, v) => `cùng kỳ ${p}: ${v}`, points: "điểm %", no_value: "không có số liệu",
      download: "Tải về 25 tháng:", xlsx: "Excel (.xlsx)", csv: "CSV",
    },
    en: {
      days: "By day — last 90 days", months: "By month — last 13 months", yoy: "Same month last year",
      this_period: "Last 13 months", target: "Target", limit: "Limit", avg_day: "average per day", avg_month: "average per month",
      loading: "Loading history…", failed: (s) => `History could not be loaded (${s})`,
      missing: "90-day and 13-month history: no data yet (no past years imported, not enough accumulated)",
      same_last_year: (p, v) => `same month last year ${p}: ${v}`, points: "points", no_value: "no data",
      download: "Download 25 months:", xlsx: "Excel (.xlsx)", csv: "CSV",
    },
  };

  const el = (tag, attrs = {}, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const svgEl = (tag, attrs = {}, text) => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };

  // "2026-11-24" or "2026-11" as a UTC instant (formatted in UTC: no shift).
  const periodDate = (p) => {
    const [y, m, d] = p.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d || 1));
  };
  const monthText = (key) => `${Math.floor(key / 12)}-${String((key % 12) + 1).padStart(2, "0")}`;

  // A round top for the value axis at or above `v`.
  function niceTop(v) {
    if (!(v > 0)) return 1;
    const p = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  // Dates joined by "/" in the locale's digits, fields in the given order:
  // vi-VN alone writes a day as "25-11" and a month as "tháng 11, 2026".
  function slashed(locale, fields) {
    const opts = { timeZone: "UTC" };
    for (const f of fields) opts[f] = f === "year" ? "numeric" : "2-digit";
    const parts = new Intl.DateTimeFormat(locale, opts);
    return {
      format: (d) => {
        const p = Object.fromEntries(parts.formatToParts(d).map((x) => [x.type, x.value]));
        return fields.map((f) => p[f]).join("/");
      },
    };
  }

  function formats(o) {
    const int = new Intl.NumberFormat(o.locale, { maximumFractionDigits: 0 });
    const one = new Intl.NumberFormat(o.locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    const two = new Intl.NumberFormat(o.locale, { maximumFractionDigits: 2 });
    const value = o.percent ? (v) => one.format(v * 100) + "%"
      : o.kind === "COUNTER" ? (v) => int.format(v) : (v) => (Math.abs(v) >= 100 ? int.format(v) : two.format(v));
    const tgt = new Intl.NumberFormat(o.locale, { maximumFractionDigits: 1 });
    const target = o.percent ? (v) => tgt.format(v * 100) + "%" : (v) => int.format(v);  // "Mục tiêu 70%"
    const axis = o.percent ? (v) => int.format(v * 100) + "%" : (v) => int.format(v);
    return {
      value, axis, one, target,
      day: slashed(o.locale, ["day", "month"]),
      dayFull: slashed(o.locale, ["day", "month", "year"]),
      month: slashed(o.locale, ["month", "year"]),
    };
  }

  // One chart: `points` [{period, value, has}] oldest first; `yoy` the same
  // length (the periods a year before) or null; `target` {value, text} or null.
  function chart(cls, points, yoy, target, f, step, w) {
    const W = 600, H = 190, L = 64, R = 10, T = 12, B = 28;
    const shown = points.filter((p) => p.has).map((p) => p.value)
      .concat(yoy ? yoy.filter((p) => p.has).map((p) => p.value) : []);
    const top = f.percent ? 1 : niceTop(Math.max(...shown, target ? target.value : 0, 0) * 1.05);
    const x = (k) => L + (k * (W - L - R)) / Math.max(1, points.length - 1);
    const y = (v) => T + (1 - Math.min(1, Math.max(0, v / top))) * (H - T - B);
    const svg = svgEl("svg", { class: `history ${cls}`, viewBox: `0 0 ${W} ${H}`, role: "img" });
    if (points.length) {  // the periods drawn, for tests and operators
      svg.dataset.from = points[0].period;
      svg.dataset.to = points[points.length - 1].period;
    }
    for (const v of [0, top / 2, top]) {
      svg.append(svgEl("line", { class: "grid", x1: L, x2: W - R, y1: y(v), y2: y(v) }),
        svgEl("text", { class: "y-label", x: L - 6, y: y(v) + 4, "text-anchor": "end" }, f.axis(v)));
    }
    const fmtPeriod = (p) => (step === "day" ? f.day : f.month).format(periodDate(p));
    const ticks = step === "day" ? [0, 22, 45, 67, points.length - 1] : [0, 3, 6, 9, points.length - 1];
    for (const k of ticks) {
      if (k >= points.length) continue;
      const anchor = k === 0 ? "start" : k === points.length - 1 ? "end" : "middle";
      svg.append(svgEl("text", { class: "x-label", x: x(k), y: H - 8, "text-anchor": anchor }, fmtPeriod(points[k].period)));
    }
    if (target && target.value <= top) {
      const ty = y(target.value);
      svg.append(svgEl("line", { class: "target", x1: L, x2: W - R, y1: ty, y2: ty }),
        // At the left: the latest value is labelled at the right.
        svgEl("text", { class: "target", x: L + 6, y: ty < T + 14 ? ty + 14 : ty - 4, "text-anchor": "start" }, target.text));
    }
    const fullPeriod = (p) => (step === "day" ? f.dayFull : f.month).format(periodDate(p));
    const series = (pts, kind) => {
      // A line per run of periods with values: a gap stays a gap.
      let run = [];
      const flush = () => {
        if (run.length > 1) svg.append(svgEl("polyline", { class: kind, points: run.join(" ") }));
        run = [];
      };
      pts.forEach((p, k) => {
        if (!p.has) return flush();
        run.push(`${x(k).toFixed(1)},${y(p.value).toFixed(1)}`);
      });
      flush();
      pts.forEach((p, k) => {
        if (!p.has) return;
        const c = svgEl("circle", { class: kind, cx: x(k).toFixed(1), cy: y(p.value).toFixed(1), r: kind === "yoy" ? 2.5 : 3,
          "data-period": p.period, "data-value": p.value });
        c.append(svgEl("title", {}, `${fullPeriod(p.period)}: ${f.value(p.value)}`));
        svg.append(c);
      });
    };
    if (yoy) series(yoy, "yoy");
    series(points, "value");
    // The latest value written beside its point.
    const last = points.map((p, k) => [p, k]).filter(([p]) => p.has).pop();
    if (last) {
      const [p, k] = last;
      const ly = y(p.value);
      svg.append(svgEl("text", { class: "last", x: x(k) - 6, y: ly < T + 16 ? ly + 18 : ly - 8, "text-anchor": "end",
        "data-period": p.period }, `${fmtPeriod(p.period)}: ${f.value(p.value)}`));
    }
    return svg;
  }

  function toPoints(history) {
    return (history.points || []).map((p) => ({ period: p.period, value: Number(p.value || 0), has: !!p.hasValue }));
  }

  // The view for the data fetched; `box` is emptied first.
  function build(box, o, days, months) {
    const w = words[o.lang] || words.vi;
    const f = { ...formats(o), percent: o.percent };
    box.replaceChildren();
    const dayPts = toPoints(days).slice(-DAYS);
    const all = toPoints(months);
    const monthPts = all.slice(-MONTHS);
    const yoyPts = all.slice(-MONTHS - 12, -12);
    const hasYoy = yoyPts.length === monthPts.length && yoyPts.some((p) => p.has);
    if (!dayPts.some((p) => p.has) && !monthPts.some((p) => p.has)) {
      box.append(el("p", { class: "hint history-missing" }, w.missing));
      return;
    }
    const word = o.higherIsBetter === false ? w.limit : w.target;
    const targetFor = (step) => {
      if (!(o.target > 0)) return null;
      if (o.kind !== "COUNTER") return { value: o.target, text: `${word} ${f.target(o.target)}` };
      const v = step === "day" ? o.target / 365 : o.target / 12;
      return { value: v, text: `${word} ${f.target(v)} ${step === "day" ? w.avg_day : w.avg_month}` };
    };
    box.append(el("h3", {}, w.days), chart("days", dayPts, null, targetFor("day"), f, "day", w));
    box.append(el("h3", {}, w.months), chart("months", monthPts, hasYoy ? yoyPts : null, targetFor("month"), f, "month", w));
    const legend = el("p", { class: "legend history-legend" });
    legend.append(el("span", { class: "key value" }, `● ${w.this_period}`));
    if (hasYoy) legend.append(el("span", { class: "key yoy" }, `○ ${w.yoy}`));
    box.append(legend);
    // The latest month with a value, against the same month a year before;
    // for counts, the latest finished month (part of a month against a whole one misleads).
    const last = o.kind === "COUNTER" ? monthPts.length - 2 : monthPts.length - 1;
    const k = last < 0 ? -1 : monthPts.map((p) => p.has).lastIndexOf(true, last);
    if (k >= 0) {
      const p = monthPts[k];
      let text = `${f.month.format(periodDate(p.period))}: ${f.value(p.value)}`;
      const before = hasYoy ? yoyPts[k] : null;
      if (before && before.has) {
        let change;
        if (o.percent) change = `${f.one.format(Math.abs(p.value - before.value) * 100)} ${w.points}`;
        else if (before.value > 0) change = `${f.one.format(Math.abs(p.value / before.value - 1) * 100)}%`;
        const arrow = p.value > before.value ? "▲" : p.value < before.value ? "▼" : "=";
        text += ` · ${w.same_last_year(f.month.format(periodDate(before.period)), f.value(before.value))}` +
          (change ? ` (${arrow} ${change})` : "");
      }
      box.append(el("p", { class: "history-yoy" }, text));
    }
    // The months shown and the year before, with the target and its source, as a file.
    const downloads = el("p", { class: "history-downloads" }, w.download + " ");
    for (const format of ["xlsx", "csv"]) {
      const q = new URLSearchParams({ indicators: o.indicator, areas: o.area, step: "month",
        from: all[0].period, to: all[all.length - 1].period, format });
      if (format === "csv") downloads.append(" · ");
      downloads.append(el("a", { href: `/v1/export?${q}`, download: `${o.indicator}-${o.area}.${format}`, "data-format": format }, w[format]));
    }
    box.append(downloads);
  }

  async function fetchJson(url) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }

  // Shows the history of o.indicator in o.area in `box`; called on every
  // render of the drill-down, it fetches only when the series changed or the
  // last fetch is a minute old.
  function mount(box, o) {
    const id = `${o.indicator}|${o.area}`;
    const had = box.iocHistory;
    if (had && had.id === id && (had.pending || Date.now() - had.at < REFRESH_MS)) return;
    const w = words[o.lang] || words.vi;
    const mine = { id, at: Date.now(), pending: true };
    box.iocHistory = mine;
    if (!had || had.id !== id) box.replaceChildren(el("p", { class: "hint" }, w.loading));
    const base = `/v1/history/${encodeURIComponent(o.indicator)}?area=${encodeURIComponent(o.area)}`;
    // Months: this one and the 24 before, for 13 months and the year before them.
    const now = new Date(Date.now() + 7 * 3600000);  // Vietnam calendar
    const thisMonth = now.getUTCFullYear() * 12 + now.getUTCMonth();
    Promise.all([
      fetchJson(`${base}&step=day`),
      fetchJson(`${base}&step=month&from=${monthText(thisMonth - MONTHS - 11)}&to=${monthText(thisMonth)}`),
    ]).then(([days, months]) => {
      if (box.iocHistory !== mine) return;  // another series was opened meanwhile
      mine.pending = false;
      mine.at = Date.now();
      build(box, o, days, months);
      box.dataset.loaded = String(mine.at);
    }).catch((e) => {
      if (box.iocHistory !== mine) return;
      mine.pending = false;
      box.replaceChildren(el("p", { class: "hint warn" }, w.failed(e.message)));
    });
  }

  window.iocDrilldown = { mount };
})();
