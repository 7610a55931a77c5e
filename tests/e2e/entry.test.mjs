// Issue #11 item 6, figures typed by hand: /entry in real headless Chromium.
// A value typed on the page is applied through the ingest path (visible in
// GET /v1/series) and audited (GET /v1/audit, administrator token); a refused
// value shows the reason in Vietnamese and is audited as refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as h from "./harness.mjs";

const ADMIN = "demo-admin-token";
let gw = null;
let browser = null;
let page = null;

const ytd = async (indicator) => {
  const s = await (await fetch(`http://127.0.0.1:${gw.port}/v1/series/${indicator}?area=44`)).json();
  return s.windows?.find((w) => w.window === "YEAR_TO_DATE")?.sum ?? 0;
};
const audit = async (token = ADMIN) => {
  const res = await fetch(`http://127.0.0.1:${gw.port}/v1/audit?limit=10`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: await res.json() };
};

async function enter(value) {
  await page.selectOption("#indicator", "einvoice_issued");
  await page.selectOption("#area", "44");
  await page.fill("#value", String(value));
  await page.click("#submit");
  await page.waitForSelector('#result[data-state="accepted"], #result[data-state="refused"], #result[data-state="error"]');
  return { state: await page.getAttribute("#result", "data-state"), text: await page.textContent("#result") };
}

before(async () => {
  gw = await h.startGateway(0, h.shippedConfig);
  browser = await h.launchBrowser();
  page = await browser.newPage({ userAgent: "entry-e2e-browser" });
  page.on("pageerror", (e) => { throw e; });
  await page.goto(`http://127.0.0.1:${gw.port}/entry`);
  await page.waitForSelector('#indicator option[value="einvoice_issued"]', { state: "attached" });
  await page.fill("#token", "demo-tax-token");
});

after(async () => {
  if (browser) await browser.close();
  if (gw) await gw.stop();
});

test("a typed value is confirmed in Vietnamese, applied, and audited with agency, value and address", async () => {
  const r = await enter(1234);
  assert.equal(r.state, "accepted", r.text);
  assert.match(r.text, /Đã ghi nhận/);
  await h.until(async () => (await ytd("einvoice_issued")) === 1234, "the typed value in /v1/series");
  const rec = await h.until(async () => {
    const a = await audit();
    return a.status === 200 && a.body.records.find((x) => x.batch?.samples?.[0]?.value === 1234);
  }, "the audit record");
  assert.equal(rec.agency, "tax");
  assert.equal(rec.person, "", "an agency token names no person");
  assert.equal(rec.result, "accepted");
  assert.equal(rec.batch.samples[0].indicator, "einvoice_issued");
  assert.match(rec.batch.sourceId, /^entry-[0-9a-f]{8}$/);
  assert.match(rec.remote, /^127\.0\.0\.1:\d+$/);
  assert.equal(rec.userAgent, "entry-e2e-browser");
  assert.ok(Math.abs(rec.atMs - Date.now()) < 60_000, "server time of the entry");
});

test("a negative count is refused with the reason on the page and audited as refused", async () => {
  const r = await enter(-5);
  assert.equal(r.state, "refused", r.text);
  assert.match(r.text, /Bị từ chối: giá trị ngoài phạm vi cho phép/);
  const rec = await h.until(async () => {
    const a = await audit();
    return a.status === 200 && a.body.records.find((x) => x.batch?.samples?.[0]?.value === -5);
  }, "the refused entry's audit record");
  assert.equal(rec.result, "refused");
  assert.equal(rec.ack.refused[0].reason, "VALUE_OUT_OF_RANGE");
  assert.equal(await ytd("einvoice_issued"), 1234, "nothing applied");
  // Newest first.
  assert.equal((await audit()).body.records[0].batch.samples[0].value, -5);
});

test("the audit trail needs the administrator token", async () => {
  assert.equal((await audit(null)).status, 401);
  assert.equal((await audit("demo-tax-token")).status, 403);
});

test("a person's own token (entry_users) is accepted and the audit record names the person", async () => {
  const before = await ytd("einvoice_issued");
  const context = await browser.newContext({ userAgent: "entry-e2e-lan" });
  const own = await context.newPage();
  own.on("pageerror", (e) => { throw e; });
  await own.goto(`http://127.0.0.1:${gw.port}/entry`);
  await own.waitForSelector('#indicator option[value="einvoice_issued"]', { state: "attached" });
  await own.fill("#token", "demo-tax-lan-token");
  await own.selectOption("#indicator", "einvoice_issued");
  await own.selectOption("#area", "44");
  await own.fill("#value", "4321");
  await own.click("#submit");
  await own.waitForSelector('#result[data-state="accepted"], #result[data-state="refused"], #result[data-state="error"]');
  assert.match(await own.textContent("#result"), /Đã ghi nhận/);
  await h.until(async () => (await ytd("einvoice_issued")) === before + 4321, "the person's value in /v1/series");
  const rec = await h.until(async () => (await audit()).body.records.find((x) => x.batch?.samples?.[0]?.value === 4321),
    "the person's audit record");
  assert.equal(rec.agency, "tax");
  assert.equal(rec.person, "Nguyễn Thị Lan");
  assert.equal(rec.userAgent, "entry-e2e-lan");
  await context.close();
  // A person's token is for /v1/entry only.
  const res = await fetch(`http://127.0.0.1:${gw.port}/v1/samples`, {
    method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer demo-tax-lan-token" },
    body: JSON.stringify({ sourceId: "x", sequence: "1", samples: [] }),
  });
  assert.equal(res.status, 401);
});
