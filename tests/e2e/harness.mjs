// What the browser tests share: a real gateway on a free port (in-memory
// store), ingest through its HTTP API with an agency's demo token, Debian's
// headless Chromium through playwright-core, and waits on conditions.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

export const binDir = process.env.IOC_BINARY_DIR ?? "build";
export const srcDir = process.env.IOC_SOURCE_DIR ?? ".";
export const artifacts = process.env.IOC_ARTIFACTS ?? `${binDir}/artifacts`;
mkdirSync(artifacts, { recursive: true });

// The configurations: the shipped 2026 province (commune level), and the
// pre-2025 one (districts) the older wall tests were written against.
export const shippedConfig = "deploy/config/quang-tri.json";
export const historyConfig = "deploy/config/history/quang-tri-2024.json";

// A gateway on `wantPort` (0 = any) with `config` (relative to the source
// tree) and `extraArgs`; resolves with { port, stop() }.
export function startGateway(wantPort = 0, config = historyConfig, extraArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(`${binDir}/gateway/ioc-gateway`, [
      "--config", `${srcDir}/${config}`, "--port", String(wantPort),
      "--web-root", `${srcDir}/web`, "--redis", "none", ...extraArgs,
    ], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let started = false;
    const timer = setTimeout(() => reject(new Error("gateway did not start: " + out)), 15000);
    const stop = () => new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/[^:]+:(\d+)\//);
      if (m && !started) { started = true; clearTimeout(timer); resolve({ port: Number(m[1]), stop }); }
    });
    child.stderr.on("data", () => {});
    child.on("exit", (code) => { if (!started) reject(new Error(`gateway exited ${code}: ${out}`)); });
  });
}

let sequence = Date.now();

// Posts one batch for `agency` (its demo token) and asserts every sample was accepted.
export async function ingest(port, agency, samples) {
  const body = { sourceId: "e2e", sequence: String(++sequence), samples };
  const res = await fetch(`http://127.0.0.1:${port}/v1/samples`, {
    method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", Authorization: `Bearer demo-${agency}-token` },
  });
  const ack = await res.json();
  assert.equal(ack.accepted, samples.length, JSON.stringify(ack));
}

// A sample: a counter/gauge value, or a ratio [numerator, denominator].
export function sample(indicator, area, measure, eventTimeMs = Date.now()) {
  const s = { indicator, area, eventTimeMs: String(eventTimeMs) };
  if (Array.isArray(measure)) s.ratio = { numerator: measure[0], denominator: measure[1] };
  else s.value = measure;
  return s;
}

export async function snapshot(port) {
  return (await (await fetch(`http://127.0.0.1:${port}/v1/snapshot`)).json()).snapshot;
}

// Polls `probe` until it returns a truthy value; no fixed sleeps.
export async function until(probe, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
}

export async function openWall(browser, port, query = "", viewport = { width: 1920, height: 1080 }) {
  const page = await browser.newPage({ viewport });
  page.on("pageerror", (e) => { throw e; });
  await page.goto(`http://127.0.0.1:${port}/${query}`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
  return page;
}

// Everything in `selector` lies inside its panel and shows its whole text.
export async function clipped(page) {
  return page.evaluate(() => {
    const out = [];
    const inside = (el, box) => {
      const r = el.getBoundingClientRect();
      return r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
    };
    for (const el of document.querySelectorAll(".panel *")) {
      if (el.closest("[hidden]") || el.closest("svg") || !el.getClientRects().length) continue;
      const panel = el.closest(".panel").getBoundingClientRect();
      if (!inside(el, panel)) out.push(`${el.className || el.tagName} "${el.textContent.slice(0, 40)}" outside its panel`);
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow === "hidden") out.push(`${el.className || el.tagName} "${el.textContent.slice(0, 40)}" truncated`);
    }
    for (const v of document.querySelectorAll(".tile .value")) {
      const t = v.closest(".tile").getBoundingClientRect();
      const r = v.getBoundingClientRect();
      const pad = parseFloat(getComputedStyle(v.closest(".tile")).paddingRight);
      if (v.scrollWidth > v.clientWidth + 1 || r.right > t.right - pad + 0.5) out.push(`value "${v.textContent}" reaches its tile's edge`);
    }
    // A tile's lines follow one another inside it, none drawn over another.
    for (const tile of document.querySelectorAll(".tile")) {
      const box = tile.getBoundingClientRect();
      let above = box.top;
      for (const el of tile.children) {
        const r = el.getBoundingClientRect();
        if (!r.height) continue;
        if (r.top < above - 0.5 || r.bottom > box.bottom + 0.5) out.push(`"${el.textContent.trim().slice(0, 30)}" overlaps or leaves tile ${tile.dataset.kpi}`);
        above = r.bottom;
      }
    }
    if (document.scrollingElement.scrollWidth > window.innerWidth) out.push("the page scrolls sideways");
    return out;
  });
}
