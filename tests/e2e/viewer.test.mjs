// Issue #15 in real headless Chromium: the wall reaches /v1/live with the
// viewer token in an HttpOnly cookie (typed once on /login.html), never in
// its URL; and a target changed by POST /v1/admin/reload reaches the open
// wall without a reconnect.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as h from "./harness.mjs";

const VIEWER = "e2e-viewer-token";
const sha = (s) => createHash("sha256").update(s).digest("hex");
const dir = mkdtempSync(join(tmpdir(), "ioc-viewer-"));
const configPath = join(dir, "config.json");

// The shipped configuration with a viewer token and einvoice_enterprise_rate's target set to `target`.
function writeConfig(target) {
  const c = JSON.parse(readFileSync(`${h.srcDir}/${h.shippedConfig}`, "utf8"));
  c.server.viewer_token_sha256 = sha(VIEWER);
  c.indicators.find((i) => i.id === "einvoice_enterprise_rate").target.value = target;
  writeFileSync(configPath, JSON.stringify(c));
}

let gw = null;
let browser = null;

before(async () => {
  writeConfig(1.0);
  gw = await h.startGateway(0, h.shippedConfig, ["--config", configPath]);
  browser = await h.launchBrowser();
  await h.ingest(gw.port, "tax", [h.sample("einvoice_enterprise_rate", "44", 0.9)]);
});

after(async () => {
  await browser?.close();
  await gw?.stop();
});

test("the wall connects with the cookie, without the token in its URL", async () => {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => { throw e; });
  const sockets = [];
  page.on("websocket", (ws) => sockets.push(ws.url()));
  // No credentials yet: the wall's socket is refused and it sends us to the login page.
  await page.goto(`http://127.0.0.1:${gw.port}/?lang=en`);
  await page.waitForURL(/\/login\.html\?next=/);
  await page.fill("#token", "wrong");
  await page.click("#submit");
  await page.waitForFunction(() => document.getElementById("result").textContent.length > 0);
  assert.match(await page.textContent("#result"), /not recognised/);
  await page.fill("#token", VIEWER);
  await page.click("#submit");
  await page.waitForURL((u) => u.pathname === "/" && u.search === "?lang=en");
  await page.waitForFunction(() => window.iocWall.live === true);
  const cookie = (await context.cookies()).find((c) => c.name === "ioc_viewer");
  assert.ok(cookie, "the ioc_viewer cookie is set");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Strict");
  assert.equal(await page.evaluate(() => document.cookie.includes("ioc_viewer")), false, "scripts cannot read it");
  assert.ok(!page.url().includes(VIEWER));
  assert.ok(sockets.length >= 2 && sockets.every((u) => !u.includes("token=")), sockets.join(" "));

  // A target changed by a reload reaches the open wall: new target, new status.
  const tile = page.locator('.tile[data-indicator="einvoice_enterprise_rate"]');
  await tile.waitFor();
  assert.match(await tile.textContent(), /100%/);
  writeConfig(0.85);
  const res = await fetch(`http://127.0.0.1:${gw.port}/v1/admin/reload`, {
    method: "POST", headers: { Authorization: "Bearer demo-admin-token" },
  });
  assert.equal(res.status, 200, await res.text());
  await page.waitForFunction(() => window.iocWall.indicators.get("einvoice_enterprise_rate")?.target === 0.85);
  await h.until(async () => /85%/.test(await tile.textContent()), "the tile showing the new target", 5000);
  assert.equal(await page.evaluate(() => window.iocWall.live), true, "the wall stayed connected");
  await context.close();
});
