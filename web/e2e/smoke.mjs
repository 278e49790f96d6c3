// End-to-end: the real binary serving the demo town and the built web UI,
// driven in headless Chromium (Debian's /usr/bin/chromium, playwright-core).
// Signs in, sees the map and sorts the buildings, opens a building, waits for a live value to change, draws a
// point's chart, narrows the points to a room of the spatial tree; an operator
// acknowledges and shelves an alarm and a second browser (a viewer) sees
// each change;
// takes screenshots at desktop and phone widths; signs out. Exit 0 when all
// held.
//
//   node e2e/smoke.mjs --binary PATH [--dist DIR] [--screenshots DIR]
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => {
    if (a.startsWith("--")) pairs.push([a.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
if (!args.binary) {
  console.error("usage: node e2e/smoke.mjs --binary PATH [--dist DIR] [--screenshots DIR]");
  process.exit(2);
}
const dist = resolve(args.dist ?? new URL("../dist", import.meta.url).pathname);
const shots = args.screenshots ? resolve(args.screenshots) : null;

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const dir = mkdtempSync(join(tmpdir(), "citypulse-e2e-"));
const [httpPort, mqttPort] = [await freePort(), await freePort()];
const server = spawn(
  args.binary,
  ["demo", "--data-dir", join(dir, "data"), "--http-port", String(httpPort),
   "--mqtt-port", String(mqttPort), "--buildings", "7", "--history", "1"],
  { env: { ...process.env, CITYPULSE_HTTP_WEB_ROOT: dist }, stdio: ["ignore", "ignore", "pipe"] },
);
let serverLog = "";
server.stderr.on("data", (d) => (serverLog += d));
const base = `http://127.0.0.1:${httpPort}`;
let browser;
let page;
let failed = false;
try {
  await waitFor("the server", async () => (await fetch(`${base}/healthz`)).ok, 90_000);
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });

  await page.goto(base);
  await page.getByLabel("Email").fill("viewer@hechingen.demo");
  await page.getByLabel("Password").fill("hechingen-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Buildings" }).waitFor();
  await page.getByRole("link", { name: "Rathaus" }).waitFor();
  // The map shows every building (no tiles needed), the table sorts.
  await waitFor("the map's markers", async () => (await page.locator(".map path.leaflet-interactive").count()) === 7, 30_000);
  await page.getByRole("button", { name: "Area (m²)" }).click();
  await page.getByRole("button", { name: "Area (m²)" }).click();  // largest first
  const first = await page.locator("tbody tr").first().locator("td").first().textContent();
  if (first !== "Gymnasium Hechingen") throw new Error(`sorted by area, the first is ${first}`);
  if (shots) {
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, "buildings-desktop.png"), fullPage: true });
  }

  await page.getByRole("link", { name: "Rathaus" }).click();
  await page.getByRole("heading", { name: "Points" }).waitFor();
  // A live value: some cell's text changes while we watch.
  const cells = page.locator("td[data-point]");
  await waitFor("values", async () => (await cells.allTextContents()).some((t) => t !== "–"), 60_000);
  const before = await cells.allTextContents();
  await waitFor("a live value to change", async () => {
    const now = await cells.allTextContents();
    return now.some((t, i) => t !== before[i]);
  }, 90_000);
  // A chart of a point's history: a year of it is in the store.
  await page.getByRole("button", { name: "Außentemperatur" }).click();
  await page.locator("figure.chart canvas").first().waitFor();
  await page.getByRole("button", { name: "Week" }).click();
  await page.locator("figure.chart canvas").first().waitFor();
  // The spatial tree narrows the table to a room.
  await page.getByRole("navigation", { name: "Floors, spaces and equipment" })
    .getByRole("button", { name: "Sitzungssaal" }).click();
  await page.getByRole("button", { name: "CO2 Sitzungssaal" }).waitFor();
  if (await page.getByRole("button", { name: "Außentemperatur" }).count())
    throw new Error("the room's table shows the outdoor temperature");
  if (shots) {
    await page.screenshot({ path: join(shots, "building-desktop.png") });
    await page.setViewportSize({ width: 375, height: 740 });
    await page.screenshot({ path: join(shots, "building-phone.png") });
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  // An alarm raised on purpose: a rule no outdoor temperature can pass.
  const api = async (path, init = {}, token) => {
    const r = await fetch(`${base}${path}`, {
      ...init,
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
    if (!r.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const admin = (await api("/api/v1/auth/login", {
    method: "POST",
    body: JSON.stringify({ email: "admin@hechingen.demo", password: "hechingen-demo" }),
  })).access_token;
  const points = (await api("/api/v1/points?limit=1000", {}, admin)).items;
  const outdoor = points.find((p) => p.key === "rathaus.outdoor_temp");
  const rule = await api("/api/v1/rules", {
    method: "POST",
    body: JSON.stringify({ name: "E2E outdoor", type: "threshold_high", point_id: outdoor.id,
                           threshold: -100, severity: "major", message: "E2E alarm {value}" }),
  }, admin);
  let alarm;
  await waitFor("the alarm", async () => {
    alarm = (await api("/api/v1/alarms?limit=500", {}, admin)).items.find((a) => a.rule_id === rule.id);
    return alarm !== undefined;
  }, 90_000);

  const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
  const viewer = await viewerContext.newPage();
  await viewer.goto(base);
  await viewer.getByLabel("Email").fill("viewer@hechingen.demo");
  await viewer.getByLabel("Password").fill("hechingen-demo");
  await viewer.getByRole("button", { name: "Sign in" }).click();
  await viewer.getByRole("link", { name: "Alarms" }).click();
  const seen = viewer.locator(`tr[data-alarm="${alarm.id}"] td.state`);
  await waitFor("the viewer to see the alarm", async () => (await seen.textContent()) === "active unacknowledged", 30_000);
  if (await viewer.locator(`tr[data-alarm="${alarm.id}"] button`).count())
    throw new Error("a viewer is offered to acknowledge");

  const operatorContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
  const operator = await operatorContext.newPage();
  await operator.goto(base);
  await operator.getByLabel("Email").fill("operator@hechingen.demo");
  await operator.getByLabel("Password").fill("hechingen-demo");
  await operator.getByRole("button", { name: "Sign in" }).click();
  await operator.getByRole("link", { name: "Alarms" }).click();
  await operator.locator(`tr[data-alarm="${alarm.id}"]`).getByRole("button", { name: "Acknowledge" }).click();
  await waitFor("the viewer to see the acknowledgement", async () => (await seen.textContent()) === "active acknowledged", 30_000);
  // Shelved for an hour with a reason: the viewer sees that too.
  await operator.locator(`tr[data-alarm="${alarm.id}"]`).getByRole("button", { name: "Shelve" }).click();
  await operator.getByLabel("Reason").fill("E2E maintenance");
  await operator.getByLabel("Duration").selectOption("1");
  await operator.locator("form.alarm-action").getByRole("button", { name: "Shelve" }).click();
  await waitFor("the viewer to see the shelving", async () => (await seen.textContent()) === "shelved", 30_000);
  if (shots) await operator.screenshot({ path: join(shots, "alarms-desktop.png") });
  await viewerContext.close();
  await operatorContext.close();

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  console.log("e2e smoke: signed in, saw the map, sorted, saw a live value change, drew a chart, an acknowledgement and a shelving seen in a second browser, signed out");
} catch (e) {
  failed = true;
  // What the page looked like when it failed, beside the screenshots (or in the temp folder).
  const shot = join(shots ?? tmpdir(), "e2e-failure.png");
  await page?.screenshot({ path: shot, fullPage: true }).catch(() => {});
  console.error(`(the page at the failure: ${shot})`);
  console.error(`e2e smoke failed: ${e.message}\n--- server ---\n${serverLog.slice(-4000)}`);
} finally {
  await browser?.close();
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
