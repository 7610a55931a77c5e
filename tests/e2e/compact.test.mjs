// The wall on compact deltas (issue #14) in real headless Chromium: after
// samples now and late ones in past quarter hours, what the wall holds for a
// series (windows and the whole 6-hour sparkline, rebuilt from tails) is what
// the server's full snapshot says, with no resync needed on the way.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as h from "./harness.mjs";

let gateway = null;
let browser = null;

before(async () => {
  gateway = await h.startGateway(0);
  browser = await h.launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (gateway) await gateway.stop();
});

const held = (page) => page.evaluate(() => {
  const s = window.iocWall.series.get("einvoice_issued|461");
  return s ? { sparkline: s.sparkline, start: s.sparklineStartMs, windows: s.windows.map((w) => [w.window, w.sum]) } : null;
});

test("tails of compact deltas rebuild the same sparkline and windows as the full snapshot", async () => {
  // Watch the frames the wall receives: it must be on compact deltas, and tails must occur.
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on("pageerror", (e) => { throw e; });
  const seen = { compact: 0, tails: 0, url: "" };
  page.on("websocket", (ws) => {
    seen.url = ws.url();
    ws.on("framereceived", ({ payload }) => {
      const text = String(payload);
      if (text.includes('"compact":true')) seen.compact++;
      if (text.includes('"sparklineFrom"')) seen.tails++;
    });
  });
  await page.goto(`http://127.0.0.1:${gateway.port}/`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
  const quarter = 15 * 60 * 1000;
  for (let i = 0; i < 12; ++i) {
    // Mostly now (a tail of one point), now and then an hour or two back (the whole line).
    const back = i % 4 === 3 ? (1 + (i % 8 === 7)) * 4 * quarter : 0;
    await h.ingest(gateway.port, "tax", [h.sample("einvoice_issued", "461", i + 1, Date.now() - back)]);
    // Wait for the frame that holds it before sending the next (tails then follow one another).
    await h.until(async () => {
      const s = await held(page);
      return s && s.windows.some(([w, sum]) => w === "LAST_24H" && sum === ((i + 1) * (i + 2)) / 2);
    }, `sample ${i + 1} on the wall`);
  }
  const truth = (await h.snapshot(gateway.port)).series.find((s) => s.indicator === "einvoice_issued" && s.area === "461");
  const wall = await held(page);
  assert.deepEqual(wall.sparkline, truth.sparkline);
  assert.equal(wall.start, truth.sparklineStartMs);
  assert.deepEqual(wall.windows, truth.windows.map((w) => [w.window, w.sum]));
  assert.equal(await page.evaluate(() => window.iocWall.resyncs || 0), 0, "no frame was missed or refused");
  assert.match(seen.url, /delta=compact/);
  assert.ok(seen.compact > 0 && seen.tails > 0, JSON.stringify(seen));
  await page.close();
});
