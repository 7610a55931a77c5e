// The wall in real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against the real gateway: snapshot shown, a sample appears
// within a second, offline state when the gateway stops and recovery when it
// returns, ?lang=en, and 1920×1080 and phone screenshots as artifacts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const binDir = process.env.IOC_BINARY_DIR ?? "build";
const srcDir = process.env.IOC_SOURCE_DIR ?? ".";
const artifacts = process.env.IOC_ARTIFACTS ?? `${binDir}/artifacts`;
mkdirSync(artifacts, { recursive: true });

let gateway = null;
let port = 0;
let browser = null;

// Starts the gateway on `wantPort` (0 = any) and resolves with its port.
function startGateway(wantPort) {
  return new Promise((resolve, reject) => {
    const child = spawn(`${binDir}/gateway/ioc-gateway`, [
      "--config", `${srcDir}/deploy/config/quang-tri.json`, "--port", String(wantPort),
      "--web-root", `${srcDir}/web`, "--redis", "none",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error("gateway did not start: " + out)), 15000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/[^:]+:(\d+)\//);
      if (m) { clearTimeout(timer); gateway = child; resolve(Number(m[1])); }
    });
    child.stderr.on("data", () => {});
    child.on("exit", (code) => { if (!gateway) reject(new Error(`gateway exited ${code}: ${out}`)); });
  });
}

function stopGateway() {
  return new Promise((resolve) => {
    if (!gateway) return resolve();
    gateway.once("exit", () => { gateway = null; resolve(); });
    gateway.kill("SIGTERM");
  });
}

async function ingest(indicator, area, value) {
  const body = {
    sourceId: "e2e", sequence: String(Date.now()),
    samples: [{ indicator, area, eventTimeMs: String(Date.now()), value }],
  };
  const res = await fetch(`http://127.0.0.1:${port}/v1/samples`, {
    method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", Authorization: "Bearer demo-tax-token" },
  });
  const ack = await res.json();
  assert.equal(ack.accepted, 1, JSON.stringify(ack));
}

async function openWall(query = "", viewport = { width: 1920, height: 1080 }) {
  const page = await browser.newPage({ viewport });
  page.on("pageerror", (e) => { throw e; });
  await page.goto(`http://127.0.0.1:${port}/${query}`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
  return page;
}

before(async () => {
  port = await startGateway(0);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
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
