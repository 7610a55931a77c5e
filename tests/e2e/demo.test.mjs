// The README's first command, started for real: the wall URL answers and the
// snapshot shows the simulated counts moving; SIGTERM stops everything.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";

const srcDir = process.env.IOC_SOURCE_DIR ?? "../..";
const binDir = process.env.IOC_BINARY_DIR ?? `${srcDir}/build`;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function totalSamples(port) {
  const snap = await (await fetch(`http://127.0.0.1:${port}/v1/snapshot`)).json();
  return snap.snapshot.sources.reduce((n, s) => n + Number(s.samples), 0);
}

test("deploy/demo.sh serves the wall and the simulated counts move", { timeout: 120000 }, async () => {
  const port = await freePort();
  const redisPort = await freePort();
  const demo = spawn("bash", [`${srcDir}/deploy/demo.sh`], {
    env: { ...process.env, PORT: String(port), REDIS_PORT: String(redisPort), REPLAY_HOURS: "1", BUILD_DIR: binDir },
    detached: true, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  demo.stdout.on("data", (d) => { out += d; });
  demo.stderr.on("data", () => {});
  try {
    const deadline = Date.now() + 90000;
    while (!out.includes("Wall display:") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok(out.includes(`http://127.0.0.1:${port}/`), out);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /wall\.js/);
    await new Promise((r) => setTimeout(r, 2000));
    const first = await totalSamples(port);
    await new Promise((r) => setTimeout(r, 4000));
    const second = await totalSamples(port);
    assert.ok(first > 0, "the simulator has sent samples");
    assert.ok(second > first, `counts move: ${first} → ${second}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(ready.status, 200, "Redis-backed gateway is ready");
  } finally {
    const exited = new Promise((r) => demo.once("exit", r));
    process.kill(demo.pid, "SIGTERM");
    await exited;
  }
  // Everything it started is gone: the port no longer answers.
  await new Promise((r) => setTimeout(r, 500));
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
});
