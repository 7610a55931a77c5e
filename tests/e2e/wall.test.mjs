// The wall in real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against the real gateway: snapshot shown, a sample appears
// within a second, offline state when the gateway stops and recovery when it
// returns, ?lang=en, and 1920×1080 and phone screenshots as artifacts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as h from "./harness.mjs";

const artifacts = h.artifacts;
let gateway = null;
let port = 0;
let browser = null;

async function startGateway(wantPort) {
  gateway = await h.startGateway(wantPort);
  return gateway.port;
}
async function stopGateway() {
  if (gateway) await gateway.stop();
  gateway = null;
}
const ingest = (indicator, area, value) => h.ingest(port, "tax", [h.sample(indicator, area, value)]);
const openWall = (query = "", viewport) => h.openWall(browser, port, query, viewport);

before(async () => {
  port = await startGateway(0);
  browser = await h.launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  await stopGateway();
});

test("the page loads and shows the snapshot: province, DTI estimate, sources", async () => {
  const page = await openWall();
  assert.match(await page.textContent("#province"), /QUẢNG TRỊ/);
  // The DTI nowcast is there from carried-over scores even before any feed speaks.
  assert.match(await page.textContent("#dti-value"), /^0,\d{4}$/);
  assert.equal(await page.locator("#mains .bar").count(), 8);
  assert.ok(await page.locator("#sources li").count() >= 10);
  assert.equal(await page.isHidden("#banner"), true);
  await page.close();
});

test("a sample ingested through the gateway appears on the page within 1 s", async () => {
  const page = await openWall();
  const started = Date.now();
  await ingest("einvoice_issued", "461", 1234);
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-kpi="einvoice_issued"] .value');
    return el && el.textContent.trim() === "1.234";
  }, null, { timeout: 1000 });
  assert.ok(Date.now() - started <= 1500);
  await page.screenshot({ path: `${artifacts}/wall-1920x1080.png` });
  await page.close();
});

test("?lang=en switches the labels", async () => {
  const page = await openWall("?lang=en");
  assert.equal((await page.textContent("#today-title")).trim(), "TODAY");
  assert.equal((await page.textContent("#alerts-title")).trim(), "ALERTS");
  assert.match(await page.textContent("#pillars"), /Digital government/);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.close();
});

test("the phone layout is one column", async () => {
  const page = await openWall("", { width: 390, height: 844 });
  const dti = await page.locator(".dti").boundingBox();
  const today = await page.locator(".today").boundingBox();
  assert.ok(today.y > dti.y + dti.height - 1, "today's tiles come below the DTI panel");
  await page.screenshot({ path: `${artifacts}/wall-phone.png`, fullPage: true });
  await page.close();
});

test("stopping the gateway shows the offline state; restarting it clears it", async () => {
  const page = await openWall();
  const samePort = port;
  await stopGateway();
  await page.waitForSelector('#conn[data-state="offline"]', { timeout: 8000 });
  assert.match(await page.textContent("#banner"), /Mất kết nối — đang kết nối lại/);
  assert.equal(await page.evaluate(() => document.body.classList.contains("offline")), true);
  await page.screenshot({ path: `${artifacts}/wall-offline.png` });
  port = await startGateway(samePort);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 20000 });
  assert.equal(await page.isHidden("#banner"), true);
  assert.equal(await page.evaluate(() => document.body.classList.contains("offline")), false);
  await page.close();
});
