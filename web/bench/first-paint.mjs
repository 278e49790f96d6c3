// How fast the web UI becomes usable, on loopback, from a cold browser:
// a demo town served by the release binary (its built-in web UI unless
// --dist is given) and headless Chromium. For each page — the sign-in page,
// the buildings overview after signing in, a building, the alarms console —
// the time from the navigation (or the click) until its data is on screen
// and its controls answer, and the API requests it made (one call per page
// for its data, where possible: no waterfalls). Also the built bundle's
// sizes, raw and gzip.
//
//   node bench/first-paint.mjs --binary build/release/citypulse [--runs 5] [--buildings 40]
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") && pairs.push([a.slice(2), all[i + 1]]), pairs), []),
);
if (!args.binary) {
  console.error("usage: node bench/first-paint.mjs --binary PATH [--runs N] [--buildings N] [--dist DIR]");
  process.exit(2);
}
const runs = Number(args.runs ?? 5);
const buildings = Number(args.buildings ?? 40);

const freePort = () =>
  new Promise((ok) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

const dir = mkdtempSync(join(tmpdir(), "citypulse-first-paint-"));
const [httpPort, mqttPort] = [await freePort(), await freePort()];
const env = { ...process.env };
delete env.CITYPULSE_HTTP_WEB_ROOT;
if (args.dist) env.CITYPULSE_HTTP_WEB_ROOT = args.dist;
const server = spawn(
  args.binary,
  ["demo", "--data-dir", join(dir, "data"), "--http-port", String(httpPort), "--mqtt-port", String(mqttPort),
   "--buildings", String(buildings), "--history", "1"],
  { env, stdio: ["ignore", "ignore", "inherit"] },
);
const base = `http://127.0.0.1:${httpPort}`;
for (let i = 0; ; ++i) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {}
  if (i > 600) throw new Error("the server did not start");
  await new Promise((r) => setTimeout(r, 200));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const steps = new Map(); // step -> {ms: [], api: []}
const record = (step, ms, api) => {
  const s = steps.get(step) ?? { ms: [], api: [] };
  s.ms.push(ms);
  s.api.push(api);
  steps.set(step, s);
};

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true });
try {
  for (let run = 0; run < runs; ++run) {
    // A new context each run: nothing cached, nobody signed in.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
    const page = await context.newPage();
    let api = [];
    page.on("request", (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith("/api/")) api.push(`${r.method()} ${url.pathname}`);
    });
    // Each page is timed by the page's own clock: from its navigation's start
    // (a page load) or from the click, to the first moment its data is on
    // screen, which an observer in the page notes as the DOM changes (what
    // the browser spends making a process, and the driver's polling, are
    // not the page's).
    await page.addInitScript((buildingsExpected) => {
      const conditions = {
        form: () => !!document.querySelector("form button[type=submit]"),
        overview: () => document.querySelectorAll("tbody tr").length >= buildingsExpected,
        building: () => [...document.querySelectorAll("td[data-point]")].some((c) => c.textContent !== "–"),
        alarms: () => !!document.querySelector("#alarms-title") && !document.body.textContent.includes("Loading"),
      };
      window.__ready = {};
      const look = () => {
        for (const [name, holds] of Object.entries(conditions))
          if (!(name in window.__ready) && holds()) window.__ready[name] = performance.now();
      };
      new MutationObserver(look).observe(document, { childList: true, subtree: true, characterData: true });
    }, buildings);
    const step = async (name, condition, act, { click = false } = {}) => {
      api = [];
      if (click)
        await page.evaluate((c) => {
          window.__clickAt = performance.now();
          delete window.__ready[c];
        }, condition);
      await act();
      await page.waitForFunction((c) => c in window.__ready, condition, { timeout: 60_000 });
      const ms = await page.evaluate((c) => window.__ready[c] - (window.__clickAt ?? 0), condition);
      record(name, ms, api.length);
      if (run === 0) console.log(JSON.stringify({ page: name, api_requests: api }));
    };
    const forget = (condition) => page.evaluate((c) => { delete window.__ready[c]; }, condition);

    await step("sign-in page", "form", () => page.goto(base));
    await page.getByLabel("Email").fill("energy@hechingen.demo");
    await page.getByLabel("Password").fill("hechingen-demo");
    // Signing in includes the password's deliberately slow hash.
    await step("signing in to the overview", "overview", () => page.getByRole("button", { name: "Sign in" }).click(), { click: true });
    await page.evaluate(() => { delete window.__clickAt; });
    // A signed-in user opening the product: a new page load, the session
    // renewed from the refresh token, the page's data on screen.
    await step("overview (page load)", "overview", () => page.reload());
    await step("building (page load)", "building", () => page.goto(`${base}/#/buildings/3`).then(() => page.reload()));
    await step("alarms console (page load)", "alarms", () => page.goto(`${base}/#/alarms`).then(() => page.reload()));
    await page.getByRole("link", { name: "Buildings" }).click();
    await page.getByRole("link", { name: "Gymnasium Hechingen" }).first().waitFor();
    await forget("building");
    await step("building (from the overview)", "building",
               () => page.getByRole("link", { name: "Gymnasium Hechingen" }).first().click(), { click: true });
    await context.close();
  }
} finally {
  await browser.close();
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}

for (const [name, s] of steps)
  console.log(JSON.stringify({ page: name, runs: s.ms.length, median_ms: Math.round(median(s.ms)),
                               max_ms: Math.round(Math.max(...s.ms)), api_requests: median(s.api) }));

// The bundle as built: every file, raw and gzip (what a browser is sent
// with compression), and the entry chunk the first page needs.
const dist = args.dist ?? new URL("../dist", import.meta.url).pathname;
const assets = readdirSync(join(dist, "assets")).map((f) => {
  const bytes = readFileSync(join(dist, "assets", f));
  return { file: f, bytes: statSync(join(dist, "assets", f)).size, gzip: gzipSync(bytes, { level: 9 }).length };
});
for (const a of assets.sort((x, y) => y.gzip - x.gzip)) console.log(JSON.stringify(a));
