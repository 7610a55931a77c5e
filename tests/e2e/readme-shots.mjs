// The README's pictures of the wall, from a running demo (deploy/demo.sh),
// at half scale so they stay small: node readme-shots.mjs http://127.0.0.1:8080 ../../docs
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const [base = "http://127.0.0.1:8080", out = "../../docs"] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const shots = [
  { name: "wall-1920x1080", query: "", width: 1920, height: 1080, scale: 0.5 },
  { name: "wall-390x844", query: "", width: 390, height: 844, scale: 1 },
  { name: "wall-area-18880", query: "?area=18880", width: 1920, height: 1080, scale: 0.5 },
  { name: "wall-detail", query: "", width: 1920, height: 1080, scale: 0.5, click: '.tile[data-indicator="online_dossier_rate"]' },
  { name: "wall-offline", query: "", width: 1920, height: 1080, scale: 0.5, offline: true },
];
for (const s of shots) {
  const context = await browser.newContext({ viewport: { width: s.width, height: s.height }, deviceScaleFactor: s.scale });
  const page = await context.newPage();
  await page.goto(base + "/" + s.query);
  await page.waitForSelector('#conn[data-state="live"]');
  await page.waitForFunction(() => document.querySelectorAll(".tile").length > 0);
  if (s.click) { await page.click(s.click); await page.waitForSelector("#detail:not([hidden])"); }
  if (s.offline) {
    // Cut the wall off the way a dead link would: the watchdog greys it.
    await context.setOffline(true);
    await page.evaluate(() => window.iocWall && (window.iocWall.lastFrame = 0));
    await page.waitForSelector('#conn[data-state="offline"]', { timeout: 10000 });
  }
  await page.screenshot({ path: `${out}/${s.name}.png` });
  await context.close();
}
await browser.close();
