// The drill-down's long history (issue #12) in real headless Chromium: a year
// of simulated history written by the test as CSV, imported at start
// (ioc-gateway --import-history), then the drill-down's daily and monthly
// charts read back point by point against the file, with the year-before
// line, the target line and a labelled value. Holds across Vietnam midnight:
// every expectation is keyed by period, and today's live sample by its own day.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as h from "./harness.mjs";

const DAY = 86_400_000;
const VN = 7 * 3_600_000;
const t0 = Date.now();
const dayText = (ms) => new Date(ms + VN).toISOString().slice(0, 10);
const monthKey = (ms) => { const d = new Date(ms + VN); return d.getUTCFullYear() * 12 + d.getUTCMonth(); };
const monthText = (k) => `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, "0")}`;

// The simulated year: online_dossier_rate in the province, a day for each of
// the 366 days before today and a month for each of the 25 before this one.
const expectDays = new Map();
const expectMonths = new Map();
function simulatedCsv() {
  const lines = ["\uFEFFindicator,area,period,value,numerator,denominator"];
  for (let k = 366; k >= 1; k--) {
    const den = 200 + ((k * 37) % 150);
    const num = Math.round(den * (0.55 + 0.2 * Math.sin(k / 20)));
    const period = dayText(t0 - k * DAY);
    expectDays.set(period, num / den);
    lines.push(`online_dossier_rate,45,${period},,${num},${den}`);
  }
  const m0 = monthKey(t0);
  for (let k = 25; k >= 1; k--) {
    const den = 6000 + ((k * 211) % 900);
    const num = Math.round(den * (0.5 + 0.01 * (25 - k)));
    expectMonths.set(monthText(m0 - k), num / den);
    lines.push(`online_dossier_rate,45,${monthText(m0 - k)},,${num},${den}`);
  }
  return lines.join("\r\n") + "\r\n";
}

let gw = null;
let browser = null;

before(async () => {
  const dir = mkdtempSync(`${tmpdir()}/ioc-history-`);
  writeFileSync(`${dir}/past.csv`, simulatedCsv());
  gw = await h.startGateway(0, h.historyConfig, ["--import-history", `${dir}/past.csv`]);
  browser = await h.launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (gw) await gw.stop();
});

const drawn = (page, sel) => page.$$eval(sel, (cs) => cs.map((c) => [c.dataset.period, Number(c.dataset.value)]));
const history = async (query) =>
  (await (await fetch(`http://127.0.0.1:${gw.port}/v1/history/online_dossier_rate?area=45&${query}`)).json()).points
    .filter((p) => p.hasValue).map((p) => [p.period, p.value]);

test("the drill-down draws the imported year: 90 days, 13 months and the year before, each point the file's", async () => {
  const wall = await h.openWall(browser, gw.port);
  // One live sample today (3 of 4 online): the tile appears, and today's point is the live ring's.
  await h.ingest(gw.port, "tthc_center", [h.sample("online_dossier_rate", "461", [3, 4], t0)]);
  expectDays.set(dayText(t0), 0.75);
  expectMonths.set(monthText(monthKey(t0)), 0.75);
  await wall.evaluate(() => window.iocWall.showTile?.("online_dossier_rate"));
  await wall.click('.tile[data-kpi="online_dossier_rate"]');
  await wall.waitForSelector("#detail:not([hidden])");
  await wall.waitForSelector("#detail svg.history.months circle.value");

  // Days: every point of the last 90 days, each equal to the file's (or today's live) value.
  const days = await drawn(wall, "#detail svg.history.days circle.value");
  assert.ok(days.length >= 89 && days.length <= 90, `${days.length} daily points`);
  for (const [period, value] of days) assert.ok(Math.abs(value - expectDays.get(period)) < 1e-12, `${period}: ${value}`);
  // Exactly what the server has for the periods drawn, nothing more or less.
  const range = await wall.$eval("#detail svg.history.days", (s) => `from=${s.dataset.from}&to=${s.dataset.to}`);
  assert.deepEqual(days, await history(`step=day&${range}`));
  // Months: the last 13 (12 imported and this one live), and the 13 a year before them.
  const months = await drawn(wall, "#detail svg.history.months circle.value");
  assert.ok(months.length >= 12 && months.length <= 13, `${months.length} monthly points`);
  for (const [period, value] of months) assert.ok(Math.abs(value - expectMonths.get(period)) < 1e-12, `${period}: ${value}`);
  const yoy = await drawn(wall, "#detail svg.history.months circle.yoy");
  assert.equal(yoy.length, 13);
  const lastYear = (p) => `${Number(p.slice(0, 4)) - 1}${p.slice(4)}`;
  const shownMonths = await wall.$$eval("#detail svg.history.months circle.value", (cs) => cs.map((c) => c.dataset.period));
  for (const p of shownMonths) assert.ok(yoy.some(([q]) => q === lastYear(p)), `no year-before point for ${p}`);
  for (const [period, value] of yoy) assert.ok(Math.abs(value - expectMonths.get(period)) < 1e-12, `${period}: ${value}`);

  // Labels in vi-VN: the latest value beside its point, the axes, the target line.
  const vi = (v) => new Intl.NumberFormat("vi-VN", { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v * 100) + "%";
  const [lastPeriod, lastValue] = months[months.length - 1];
  const [y, m] = lastPeriod.split("-");
  assert.equal(await wall.textContent("#detail svg.history.months text.last"), `${m}/${y}: ${vi(lastValue)}`);
  const [lastDay, lastDayValue] = days[days.length - 1];
  assert.equal(await wall.textContent("#detail svg.history.days text.last"),
    `${lastDay.slice(8, 10)}/${lastDay.slice(5, 7)}: ${vi(lastDayValue)}`);
  const yLabels = await wall.$$eval("#detail svg.history.days text.y-label", (ts) => ts.map((t) => t.textContent));
  assert.deepEqual(yLabels, ["0%", "50%", "100%"]);
  const xLabels = await wall.$$eval("#detail svg.history.days text.x-label", (ts) => ts.map((t) => t.textContent));
  assert.equal(xLabels.length, 5);
  for (const x of xLabels) assert.match(x, /^\d{2}\/\d{2}$/);
  assert.equal(await wall.textContent("#detail svg.history.days text.target"), "Mục tiêu 70%");
  assert.equal(await wall.textContent("#detail svg.history.months text.target"), "Mục tiêu 70%");
  // The month against the same month last year, in words.
  const [prevPeriod] = yoy[yoy.length - 1];
  assert.match(await wall.textContent("#detail .history-yoy"),
    new RegExp(`^${m}/${y}: ${vi(lastValue).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} · cùng kỳ ${prevPeriod.slice(5)}/${prevPeriod.slice(0, 4)}: `));
  assert.match(await wall.textContent("#detail .history-legend"), /Cùng kỳ năm trước/);
  // The rest of the drill-down is still there; the "history missing" note is gone.
  assert.match(await wall.textContent("#detail"), /Nguồn mục tiêu: Lạng Sơn 2023/);
  assert.match(await wall.textContent("#detail"), /Nguồn số liệu: Trung tâm Phục vụ hành chính công/);
  assert.match(await wall.textContent("#detail ul.areas.few"), /Thành phố Đông Hà/);  // ranked apart: 4 dossiers
  assert.doesNotMatch(await wall.textContent("#detail"), /chưa có số liệu/);
  // The months shown and the year before as a file, with the target's source in it.
  const href = await wall.getAttribute('#detail .history-downloads a[data-format="csv"]', "href");
  const csv = await (await fetch(`http://127.0.0.1:${gw.port}${href}`)).text();
  const lines = csv.trim().split("\r\n");
  assert.equal(lines.length, 1 + 25, csv.slice(0, 300));
  const [period0] = yoy[0];
  const row = lines.find((l) => l.includes(`,${period0},`));
  assert.ok(row && row.includes(String(expectMonths.get(period0)).slice(0, 6)) && row.includes("chưa kiểm chứng"), row);
  const xlsx = await fetch(`http://127.0.0.1:${gw.port}${await wall.getAttribute('#detail .history-downloads a[data-format="xlsx"]', "href")}`);
  assert.equal(xlsx.headers.get("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  await wall.screenshot({ path: `${h.artifacts}/wall-history.png` });
  await wall.locator("#detail .long-history").screenshot({ path: `${h.artifacts}/wall-history-charts.png` });
  await wall.close();
});

test("an area with only today has no year before; a series with no history says so in words", async () => {
  const wall = await h.openWall(browser, gw.port);
  await wall.evaluate(() => window.iocWall.showRanking?.("online_dossier_rate"));
  await wall.click('#area-bars .bar[data-area="461"]');
  await wall.waitForSelector("#detail .long-history svg.history.days circle.value");
  assert.equal(await wall.locator("#detail svg.history.months circle.yoy").count(), 0);
  assert.doesNotMatch(await wall.textContent("#detail .history-legend"), /Cùng kỳ/);
  await wall.keyboard.press("Escape");
  await wall.waitForSelector("#detail", { state: "hidden" });
  // Nothing imported and nothing live for e-invoices in Thị xã Quảng Trị.
  await wall.evaluate(() => window.iocWall.openDetail("einvoice_issued", "462"));
  await wall.waitForSelector("#detail .history-missing");
  assert.equal(await wall.textContent("#detail .history-missing"),
    "Lịch sử 90 ngày và 13 tháng: chưa có số liệu (chưa nhập số liệu các năm trước, chưa tích lũy đủ)");
  assert.equal(await wall.locator("#detail svg.history").count(), 0);
  await wall.close();
});
