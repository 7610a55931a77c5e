// Issue #13: the shipped configuration is the province of 2026, province →
// commune level. The wall ranks 78 communes: best and worst with their rank
// and sample size, the count in between, a search by name (without
// diacritics too); it names the DTI framework in force and compares only with
// entered results (the 2024 national mean; no result of the new province).
// Every sample carries one event time taken at the start, so a run across
// Vietnam midnight reads the same year-to-date window.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as h from "./harness.mjs";

const t0 = Date.now();
let gw = null;
let browser = null;
let page = null;
let catalog = null;

before(async () => {
  gw = await h.startGateway(0, h.shippedConfig);
  browser = await h.launchBrowser();
  catalog = (await h.snapshot(gw.port)).catalog;
});

after(async () => {
  if (browser) await browser.close();
  if (gw) await gw.stop();
});

test("the shipped configuration is the new Quảng Trị with its 78 commune-level units", () => {
  assert.equal(catalog.provinceCode, "44");
  const communes = catalog.areas.filter((a) => a.parent === "44");
  assert.equal(communes.length, 78);
  assert.equal(catalog.areas.length, 79, "no district level");
  assert.deepEqual(catalog.areaLevels.map((l) => l.id), ["province", "commune"]);
  const dongHoi = communes.find((a) => a.code === "18880");
  assert.equal(dongHoi.nameVi, "Phường Đồng Hới");
  assert.equal(dongHoi.formerProvince, "Quảng Bình");
  assert.equal(communes.find((a) => a.code === "19742").nameVi, "Đặc khu Cồn Cỏ");
  assert.equal(communes.filter((a) => a.formerProvince === "Quảng Trị").length, 37);
  assert.equal(catalog.dtiFramework, "405/QĐ-BKHCN");
});

test("78 communes: best and worst with rank and n, the rest counted, search finds any", async () => {
  // 20 communes with 100 dossiers each, online shares 30%..87% by rank.
  const communes = catalog.areas.filter((a) => a.parent === "44").slice(0, 20);
  await h.ingest(gw.port, "tthc_center", communes.map((a, k) => h.sample("online_dossier_rate", a.code, [30 + 3 * k, 100], t0)));
  page = await h.openWall(browser, gw.port);
  await h.until(async () => (await page.locator("#area-bars .bar[data-area]").count()) > 0, "the ranking");
  // As many of the best and the worst as the panel holds, none cut off.
  const edge = Number(await page.getAttribute("#area-bars", "data-edge"));
  assert.ok(edge >= 2, `at least the best and worst two fit at 1920×1080 (edge ${edge})`);
  assert.equal(await page.locator("#area-bars .bar[data-area]").count(), 2 * edge);
  const outside = await page.evaluate(() => {
    const panel = document.querySelector("#area-bars").closest(".panel").getBoundingClientRect();
    return [...document.querySelectorAll("#area-bars > *")].filter((e) => e.getBoundingClientRect().bottom > panel.bottom + 0.5).length;
  });
  assert.equal(outside, 0, "no row below the panel's edge");
  const title = await page.textContent("#area-title-text");
  assert.match(title, /^THEO CẤP XÃ \(78\)$/);
  const rows = await page.$$eval("#area-bars > *", (els) => els.map((e) => ({ area: e.dataset.area || "", text: e.textContent })));
  assert.equal(rows[0].area, communes[19].code, JSON.stringify(rows));  // 87% first
  assert.match(rows[0].text, /^1\./);
  assert.match(rows[0].text, /trên 100/);
  assert.ok(rows.some((r) => new RegExp(`${20 - 2 * edge} đơn vị ở giữa`).test(r.text)), "the middle is counted");
  const last = rows.filter((r) => r.area).pop();
  assert.equal(last.area, communes[0].code);
  assert.match(last.text, /^20\./);
  assert.ok(rows.some((r) => /Chưa có số liệu: 58 đơn vị/.test(r.text)), "58 communes without data, counted not listed");
  // A commune in the middle (rank 10) is found by name without diacritics.
  const mid = catalog.areas.find((a) => a.code === communes[10].code);
  const plain = mid.nameVi.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  await page.fill("#area-search", plain);
  await h.until(async () => (await page.locator("#area-bars .bar[data-area]").count()) >= 1, "the search result");
  const found = await page.$$eval("#area-bars .bar[data-area]", (els) => els.map((e) => e.dataset.area));
  assert.ok(found.includes(mid.code), JSON.stringify(found));
  assert.match(await page.textContent(`#area-bars .bar[data-area="${mid.code}"]`), /^10\./);
  await page.fill("#area-search", "");
});

test("the wall names the framework and compares only with entered results", async () => {
  page = page || await h.openWall(browser, gw.port);
  await h.until(async () => /405\/QĐ-BKHCN/.test(await page.textContent("#dti-compare")), "the framework named");
  const cmp = await page.textContent("#dti-compare");
  assert.match(cmp, /TB cả nước 2024: 0,6961/);
  assert.match(cmp, /Hợp nhất từ 1\/7\/2025: Quảng Bình \+ Quảng Trị/);
  assert.doesNotMatch(cmp, /so với/, "the new province has no entered result");
  await page.screenshot({ path: `${h.artifacts}/wall-communes-1920x1080.png` });
});

test("the commune ranking and its search clip nothing at 1920×1080, 3840×2160 and 390×844", async () => {
  for (const [w, hgt] of [[1920, 1080], [3840, 2160], [390, 844]]) {
    const p = await h.openWall(browser, gw.port, "", { width: w, height: hgt });
    await h.until(async () => (await p.locator("#area-bars .bar[data-area]").count()) > 0, `the ranking at ${w}×${hgt}`);
    assert.equal(await p.isVisible("#area-search"), true, "78 areas: the search is offered");
    assert.deepEqual(await h.clipped(p), [], `${w}×${hgt}`);
    await p.screenshot({ path: `${h.artifacts}/wall-communes-${w}x${hgt}.png` });
    await p.close();
  }
});
