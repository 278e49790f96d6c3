// What every end-to-end scenario shares: its arguments, a demo town served by
// the real binary with the built web UI, headless Chromium (Debian's
// /usr/bin/chromium through playwright-core), signing in, the API as an
// administrator, and what to keep when a scenario fails.
//
// A scenario is a file that calls scenario(name, async (e2e) => { ... }):
//   node e2e/<file>.mjs --binary PATH [--dist DIR] [--screenshots DIR]
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const PASSWORD = "hechingen-demo";

function parseArgs(argv) {
  return Object.fromEntries(
    argv.reduce((pairs, a, i, all) => {
      if (a.startsWith("--")) pairs.push([a.slice(2), all[i + 1]]);
      return pairs;
    }, []),
  );
}

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

// Polls until check() holds (exceptions count as "not yet").
export async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

// A figure as the page writes it in English ("12.3 MWh", "€1,234", "1.2 t",
// "−4.5 %", "–"): its value in kWh, kg, m³, EUR or per cent, and half the
// step of its last digit.
export function parseFigure(text) {
  const m = /(-?[\d,]+(?:\.(\d+))?)\s*(kWh|MWh|kg|t|m³)?/.exec(text.replace("−", "-"));
  if (!m) return null;
  const scale = m[3] === "MWh" || m[3] === "t" ? 1000 : 1;
  return { value: Number(m[1].replaceAll(",", "")) * scale, half: (0.5 * scale) / 10 ** (m[2]?.length ?? 0) };
}

// That the figure shown is the API's (or between two answers of it), to
// the digits shown.
export function near(shown, low, high, what) {
  const f = parseFigure(shown);
  check(f !== null, `${what}: "${shown}" is no figure`);
  const slack = f.half + 1e-6 * Math.max(Math.abs(low), Math.abs(high));
  check(f.value >= Math.min(low, high) - slack && f.value <= Math.max(low, high) + slack,
        `${what}: the page shows ${shown}, the API ${low === high ? low : `${low} to ${high}`}`);
}

// The ledger is written by the server's worker after the history: waits
// until the tenant's past months by building stop changing. `consumption`
// asks the consumption API with a query object.
export async function waitForLedger(consumption) {
  const now = new Date();
  const query = { scope: "tenant", by: "building", interval: "month",
                  from: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 24, 15)), to: now };
  let last = "";
  let steady = 0;
  await waitFor("the ledger to take in the history", async () => {
    const answer = await consumption(query);
    const past = JSON.stringify(answer.series.map((s) => s.buckets.slice(0, -1).map((b) => [b.value, b.unknown_hours])));
    steady = past === last && answer.series.length > 0 ? steady + 1 : 0;
    last = past;
    if (steady < 2) await new Promise((r) => setTimeout(r, 2000));
    return steady >= 2;
  }, 240_000);
}

// Runs one scenario against a fresh demo town (7 buildings, a day of history
// unless told otherwise; env adds to the server's environment). Exits 0 when every check held, 1 otherwise, with a
// screenshot of the page that failed and the end of the server's log.
export async function scenario(name, body, { buildings = 7, history = 1, env = {} } = {}) {
  const args = parseArgs(process.argv.slice(2));
  if (!args.binary) {
    console.error(`usage: node ${process.argv[1]} --binary PATH [--dist DIR] [--screenshots DIR]`);
    process.exit(2);
  }
  const dist = resolve(args.dist ?? new URL("../dist", import.meta.url).pathname);
  const shots = args.screenshots ? resolve(args.screenshots) : null;
  if (shots) mkdirSync(shots, { recursive: true });

  const dir = mkdtempSync(join(tmpdir(), "citypulse-e2e-"));
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const server = spawn(
    args.binary,
    ["demo", "--data-dir", join(dir, "data"), "--http-port", String(httpPort),
     "--mqtt-port", String(mqttPort), "--buildings", String(buildings), "--history", String(history)],
    { env: { ...process.env, CITYPULSE_HTTP_WEB_ROOT: dist, ...env }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let serverLog = "";
  server.stderr.on("data", (d) => (serverLog += d));
  const base = `http://127.0.0.1:${httpPort}`;
  const pages = [];
  let browser;
  let failed = false;

  // JSON from the API; throws with the status and body when it is not 2xx.
  const api = async (path, init = {}, token) => {
    const r = await fetch(`${base}${path}`, {
      ...init,
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
    if (!r.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${r.status} ${await r.text()}`);
    return r.status === 204 ? undefined : r.json();
  };
  const tokenOf = async (email) =>
    (await api("/api/v1/auth/login", { method: "POST", body: JSON.stringify({ email, password: PASSWORD }) }))
      .access_token;

  try {
    await waitFor("the server", async () => (await fetch(`${base}/healthz`)).ok, 90_000);
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true });
    const e2e = {
      base,
      browser,
      api,
      tokenOf,
      waitFor,
      // A new browser context (its own session), on the sign-in page.
      async open({ width = 1280, height = 800 } = {}) {
        const context = await browser.newContext({ viewport: { width, height }, locale: "en-GB" });
        const page = await context.newPage();
        pages.push(page);
        await page.goto(base);
        return page;
      },
      // A new context signed in as one of the demo users (viewer, operator,
      // admin@hechingen.demo).
      async signIn(email, size) {
        const page = await e2e.open(size);
        await page.getByLabel("Email").fill(email);
        await page.getByLabel("Password").fill(PASSWORD);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByRole("heading", { name: "Buildings" }).waitFor();
        return page;
      },
      async screenshot(page, file, options = {}) {
        if (shots) await page.screenshot({ path: join(shots, file), ...options });
      },
    };
    await body(e2e);
    console.log(`e2e ${name}: passed`);
  } catch (e) {
    failed = true;
    const page = pages.at(-1);
    const shot = join(shots ?? tmpdir(), `e2e-failure-${name}.png`);
    await page?.screenshot({ path: shot, fullPage: true }).catch(() => {});
    console.error(`(the page at the failure: ${shot})`);
    // A sanitizer's report is shown from its start (the stack is what matters); otherwise the log's end.
    const report = serverLog.search(/==\d+==ERROR: \w+Sanitizer/);
    const shown = report >= 0 ? serverLog.slice(report, report + 16000) : serverLog.slice(-4000);
    console.error(`e2e ${name} failed: ${e.stack ?? e.message}\n--- server ---\n${shown}`);
  } finally {
    await browser?.close();
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}
