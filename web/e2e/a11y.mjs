// Accessibility: axe-core's WCAG 2.1 A and AA rules on every page — the
// sign-in page, the buildings with their map and energy tiles, a building
// with a chart open, the energy page with its comparison chart, table and
// ranking (a raw figure's reason open) and its analytics parts (a budget put for the purpose; a year of
// history, so that savings, forecast and recommendations have figures),
// the command dialog of a setpoint, the control schedules and one
// schedule's editor (a refused field shown) with its preview,
// the alarms with one raised and their history, each administration section
// (the rule form showing a mistake, a device's credentials open) — in the
// light and the dark theme, at desktop (1280×800) and phone (375×740) width,
// as the tenant admin. Fails listing every violation: the rule, its impact,
// the elements and, for contrast, the colours and the ratio. Then the
// keyboard: signing in, reaching the administration and opening a building
// with Tab and Enter alone, and every element Tab reaches shows its focus.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { PASSWORD, scenario } from "./harness.mjs";

// axe's source, evaluated in the page: page.addScriptTag would insert an
// inline <script>, which the server's Content-Security-Policy (default-src
// 'self') rightly refuses; evaluation through the DevTools protocol is not
// subject to it.
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const ADMIN = "admin@hechingen.demo";
const SIZES = [{ width: 1280, height: 800 }, { width: 375, height: 740 }];

await scenario("a11y", async ({ open, signIn, api, tokenOf, waitFor, screenshot, base }) => {
  // Each violation once, with every page and look it was seen in.
  const found = new Map();
  let checked = 0;

  // axe on the page as it is now.
  const audit = async (page, where) => {
    if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
    // WCAG 2.0 and 2.1, A and AA; and axe's best practices, which hold the
    // landmark and heading rules (one h1 a page, uniquely named regions).
    const result = await page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }));
    checked += 1;
    // A11Y_INCOMPLETE=1: also what axe could not decide (text over an image,
    // a glyph it cannot measure), for a person to look at.
    if (process.env.A11Y_INCOMPLETE)
      for (const v of result.incomplete)
        for (const node of v.nodes)
          console.log(`INCOMPLETE ${where} ${v.id} ${node.target.join(" ")} ${JSON.stringify(node.any[0]?.data ?? node.any[0]?.message)}`);
    for (const v of result.violations)
      for (const node of v.nodes) {
        const data = node.any[0]?.data;
        const colours = v.id === "color-contrast" && data
          ? ` ${data.fgColor} on ${data.bgColor}: ${data.contrastRatio} (needs ${data.expectedContrastRatio})`
          : "";
        const key = `${v.id} (${v.impact}) ${node.target.join(" ")}${colours}`;
        if (!found.has(key)) found.set(key, { help: v.help, summary: node.failureSummary, where: new Set() });
        found.get(key).where.add(where);
      }
  };

  const setTheme = async (page, theme) => {
    if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme)
      await page.getByRole("button", { name: "Theme" }).click();
    await page.waitForFunction((want) => document.documentElement.dataset.theme === want, theme);
  };

  // The page as it is, in both themes at both sizes; back to light at desktop size.
  const everyLook = async (page, where) => {
    for (const size of SIZES) {
      await page.setViewportSize(size);
      for (const theme of ["light", "dark"]) {
        await setTheme(page, theme);
        // Let a chart or the map follow the new size and colours.
        await page.waitForTimeout(300);
        await audit(page, `${where} [${theme}, ${size.width}px]`);
      }
    }
    await setTheme(page, "light");
    await page.setViewportSize(SIZES[0]);
  };

  // ---- an alarm to show: a rule no outdoor temperature can pass ----
  const admin = await tokenOf(ADMIN);
  const points = (await api("/api/v1/points?limit=1000", {}, admin)).items;
  const outdoor = points.find((p) => p.key === "rathaus.outdoor_temp");
  const rule = await api("/api/v1/rules", {
    method: "POST",
    body: JSON.stringify({ name: "E2E a11y", type: "threshold_high", point_id: outdoor.id,
                           threshold: -100, severity: "critical", message: "E2E a11y alarm {value}" }),
  }, admin);

  // ---- the sign-in page, with a failed attempt's message ----
  const login = await open();
  await everyLook(login, "sign-in");
  await login.getByLabel("Email").fill(ADMIN);
  await login.getByLabel("Password").fill("not-the-password");
  await login.getByRole("button", { name: "Sign in" }).click();
  await login.getByRole("alert").waitFor();
  await everyLook(login, "sign-in, refused");
  await login.context().close();

  // ---- a budget to show: Rathaus's electricity this year ----
  const rathaus = (await api("/api/v1/buildings?limit=500", {}, admin)).items.find((b) => b.name === "Rathaus");
  const settings = await fetch(`${base}/api/v1/buildings/${rathaus.id}/energy`, { headers: { Authorization: `Bearer ${admin}` } });
  const { building_id, version, updated_at, ...document } = await settings.json();
  const put = await fetch(`${base}/api/v1/buildings/${rathaus.id}/energy`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json", "If-Match": settings.headers.get("ETag") },
    body: JSON.stringify({ ...document, budgets: [{ medium: "electricity", year: new Date().getFullYear(), planned_kwh: 100000, planned_cost: 30000 }] }),
  });
  if (!put.ok) throw new Error(`the budget was refused: ${put.status} ${await put.text()}`);

  const page = await signIn(ADMIN);

  // ---- the buildings with their map ----
  await waitFor("the map's markers", async () => (await page.locator(".map path.marker").count()) === 7, 30_000);
  await everyLook(page, "buildings");

  // ---- a building: tree, live table, a chart ----
  await page.getByRole("link", { name: "Rathaus" }).click();
  await page.getByRole("heading", { name: "Points" }).waitFor();
  await waitFor("values", async () => (await page.locator("td[data-point]").allTextContents()).some((t) => t !== "–"), 60_000);
  await page.getByRole("button", { name: "Außentemperatur" }).click();
  await page.locator("figure.chart canvas").first().waitFor();
  await waitFor("the chart's data", async () => Number(await page.locator("figure.chart .plot").getAttribute("data-buckets")) > 0, 30_000);
  await everyLook(page, "building with a chart");

  // ---- the command dialog of a setpoint, with its recent commands ----
  // The theme button is behind the modal dialog (inert while it is open):
  // the dialog is opened afresh in each look.
  const [setpoint] = (await api(`/api/v1/points?building_id=${rathaus.id}&kind=setpoint&limit=1`, {}, admin)).items;
  const dialog = page.getByRole("dialog");
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const theme of ["light", "dark"]) {
      await setTheme(page, theme);
      await page.getByRole("button", { name: `Command… ${setpoint.name}`, exact: true }).click();
      await dialog.locator(".command-history :is(p.muted, table)").first().waitFor();
      await page.waitForTimeout(300);
      await audit(page, `the command dialog [${theme}, ${size.width}px]`);
      await dialog.getByRole("button", { name: "Close" }).click();
      await dialog.waitFor({ state: "detached" });
    }
  }
  await setTheme(page, "light");
  await page.setViewportSize(SIZES[0]);

  // ---- the energy page: the comparison with its table open, the ranking ----
  await page.getByRole("link", { name: "Energy", exact: true }).click();
  await page.locator("section.comparison[data-shown] figure.comparison-chart canvas").waitFor();
  await page.locator("table.eui-ranking tbody tr").first().waitFor();
  await page.locator("details.bucket-table summary").click();
  await page.locator("table.eui-ranking details.not-normalised summary").first().click();
  await everyLook(page, "energy");

  // ---- the energy page's analytics parts, each with its tables open ----
  const parts = page.getByRole("navigation", { name: "Energy sections" });
  await parts.getByRole("link", { name: "Budgets" }).click();
  await page.locator("article.budget figure.burn-down-chart canvas").first().waitFor();
  for (const summary of await page.locator("article.budget details summary").all()) await summary.click();
  await everyLook(page, "energy budgets");
  await parts.getByRole("link", { name: "Savings" }).click();
  await page.locator("section.savings [data-verdict]").waitFor();
  await page.locator("section.savings details summary").click();
  await everyLook(page, "energy savings");
  await parts.getByRole("link", { name: "Forecast" }).click();
  await page.locator("section.forecast figure.forecast-chart canvas").waitFor();
  await page.locator("section.forecast details summary").click();
  await everyLook(page, "energy forecast");
  await parts.getByRole("link", { name: "Recommendations" }).click();
  const finding = page.locator("li.finding").first();
  await finding.locator("details > summary").click();
  await finding.locator("figure.evidence-chart canvas").waitFor();
  await finding.locator(".evidence details summary").click();
  await page.locator("details.not-judged-list > summary").click();
  await everyLook(page, "energy recommendations");

  // ---- the alarms with one raised, its shelving form, the history ----
  let alarm;
  await waitFor("the alarm", async () => {
    alarm = (await api("/api/v1/alarms?limit=500", {}, admin)).items.find((a) => a.rule_id === rule.id);
    return alarm !== undefined;
  }, 90_000);
  await page.getByRole("link", { name: "Alarms" }).click();
  const row = page.locator(`tr[data-alarm="${alarm.id}"]`);
  await row.waitFor();
  await everyLook(page, "alarms");
  await row.getByRole("button", { name: "Shelve" }).click();
  await page.locator("form.alarm-action").waitFor();
  await everyLook(page, "alarms, shelving");
  await page.getByRole("link", { name: "History" }).click();
  await page.getByRole("button", { name: `Show history: ${alarm.message}` }).first().click();
  await page.locator("tr.notes li").first().waitFor();
  await everyLook(page, "alarm history");

  // ---- the control schedules: the list, one schedule with its preview ----
  const week = { start: "07:00", end: "17:00", mode: "occupied" };
  const schedule = await api("/api/v1/schedules", {
    method: "POST",
    body: JSON.stringify({
      name: "E2E a11y", building_id: rathaus.id,
      schedule: {
        timezone: "Europe/Berlin",
        modes: { occupied: { setpoint: 21, heating: 20, cooling: 24 }, standby: { setpoint: 18 }, unoccupied: { setpoint: 15 } },
        days: { mon: [week], tue: [week], wed: [week], thu: [week], fri: [week], sat: [{ start: "09:00", end: "13:00", mode: "standby" }] },
        exceptions: [{ name: "Closed", first_day: "2030-12-24", last_day: "2030-12-31", mode: "unoccupied" },
                     { name: "Open day", date: "2030-11-23", blocks: [{ start: "10:00", end: "15:00", mode: "occupied" }] }],
        holidays: { state: "BW", school: { mode: "standby" }, school_holidays: [{ name: "Herbstferien", first_day: "2030-10-28", last_day: "2030-11-01" }] },
      },
      targets: [{ point_id: setpoint.id, setpoint: "heating" }],
    }),
  }, admin);
  await page.getByRole("link", { name: "Schedules", exact: true }).click();
  await page.locator(`tr[data-schedule="${schedule.id}"]`).waitFor();
  await everyLook(page, "schedules");
  await page.getByRole("link", { name: "E2E a11y" }).click();
  await page.locator(".schedule-preview tr[data-date]").first().waitFor();
  await everyLook(page, "schedule editor");
  await page.locator('[data-path="/schedule/days/mon/0/end"]').fill("06:00");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator('[data-field-problem="/schedule/days/mon/0/end"]').waitFor();
  await everyLook(page, "schedule editor, a refused field");

  // ---- the administration ----
  await page.getByRole("link", { name: "Administration" }).click();
  const tabs = page.getByRole("navigation", { name: "Administration" });
  await page.locator(`tr[data-rule="${rule.id}"]`).waitFor();
  await everyLook(page, "rules");
  await page.getByRole("button", { name: "New rule" }).click();
  const form = page.getByRole("form", { name: "New rule" });
  await form.getByLabel("Name").fill("E2E a11y form");
  await form.getByLabel("Type").selectOption("expression");
  await form.getByLabel("Expression (points as p<ID>)").fill(`p${outdoor.id} - > 2`);
  await waitFor("the mistake to be shown", async () => /expect|operand|unexpected/i.test(await form.locator("#rule-problem").textContent()), 10_000);
  await everyLook(page, "rules, the form with a mistake");

  await tabs.getByRole("link", { name: "Devices" }).click();
  await page.locator("tr[data-device]").first().waitFor();
  await page.locator("tr[data-device]").first().getByRole("button", { name: /^Show the credentials of/ }).click();
  await page.locator("section.credentials h3").waitFor();
  await everyLook(page, "devices with credentials");

  await tabs.getByRole("link", { name: "Users and roles" }).click();
  await page.locator("tr", { hasText: "operator@hechingen.demo" }).waitFor();
  await page.locator("summary", { hasText: "Create user" }).click();
  await everyLook(page, "users");

  await tabs.getByRole("link", { name: "API keys" }).click();
  await page.getByRole("heading", { name: "API keys", level: 2 }).waitFor();
  await everyLook(page, "API keys");

  await tabs.getByRole("link", { name: "Audit log" }).click();
  await page.getByRole("heading", { name: "Audit log", level: 2 }).waitFor();
  await page.locator("table.audit tbody tr").first().waitFor();
  await everyLook(page, "audit log");
  await screenshot(page, "a11y-audit-desktop.png");

  // ---- the keyboard alone (its failure reported with axe's findings) ----
  const unmarked = [];
  let stuck = null;
  await keyboard().catch((e) => (stuck = e));
  async function keyboard() {
    const keys = await open();
    const focused = () => keys.evaluate(() => {
      const e = document.activeElement;
      return e ? `${e.tagName.toLowerCase()}|${e.getAttribute("type") ?? ""}|${(e.getAttribute("aria-label") ?? e.textContent ?? "").trim()}` : "";
    });
    // Tab until the focused element matches, or give up after `most` presses.
    const tabTo = async (what, matches, most = 400) => {
      for (let i = 0; i < most; ++i) {
        await keys.keyboard.press("Tab");
        if (matches(await focused())) return;
      }
      throw new Error(`Tab never reached ${what} (last: ${await focused()})`);
    };
    await tabTo("the email field", (f) => f.startsWith("input|email|"));
    await keys.keyboard.type(ADMIN);
    await keys.keyboard.press("Tab");
    if (!(await focused()).startsWith("input|password|")) throw new Error(`after the email, Tab reached ${await focused()}`);
    await keys.keyboard.type(PASSWORD);
    await keys.keyboard.press("Enter");
    await keys.getByRole("heading", { name: "Buildings" }).waitFor();
    await keys.getByRole("link", { name: "Rathaus" }).waitFor();

    // Every element Tab reaches on these pages shows where the focus is.
    const focusShown = async (where) => {
      await keys.evaluate(() => document.activeElement?.blur());
      await keys.evaluate(() => window.scrollTo(0, 0));
      // Wherever Tab starts (after a click or Enter it may be mid-page), it
      // goes on past the last element into the browser's own controls (no
      // element focused) and round to the first: once an element comes
      // round again, every one has been visited.
      const seen = new Set();
      let outside = 0;
      for (let i = 0; i < 400 && outside < 3; ++i) {
        await keys.keyboard.press("Tab");
        const state = await keys.evaluate(() => {
          const e = document.activeElement;
          if (!e || e === document.body) return null;
          const s = getComputedStyle(e);
          const ring = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1;
          const shadow = s.boxShadow !== "none";
          const name = `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""} “${(e.getAttribute("aria-label") ?? e.textContent ?? "").trim().slice(0, 40)}”`;
          return { name, path: [...document.querySelectorAll("*")].indexOf(e), visible: e.matches(":focus-visible") && (ring || shadow) };
        });
        if (!state) {
          outside += 1;
          continue;
        }
        outside = 0;
        if (seen.has(state.path)) break;
        seen.add(state.path);
        if (!state.visible) unmarked.push(`${where}: ${state.name}`);
      }
      if (seen.size < 5) throw new Error(`${where}: Tab reached only ${seen.size} elements`);
    };
    await focusShown("buildings");

    await keys.evaluate(() => document.activeElement?.blur());
    await tabTo("the Administration link", (f) => f === "a||Administration");
    await keys.keyboard.press("Enter");
    await keys.getByRole("heading", { name: "Administration" }).waitFor();
    await keys.locator("tr[data-rule]").first().waitFor();
    await focusShown("rules");

    await keys.evaluate(() => document.activeElement?.blur());
    await tabTo("the Buildings link", (f) => f === "a||Buildings");
    await keys.keyboard.press("Enter");
    await keys.getByRole("link", { name: "Rathaus" }).waitFor();
    await tabTo("the Rathaus link", (f) => f === "a||Rathaus");
    await keys.keyboard.press("Enter");
    await keys.getByRole("heading", { name: "Points" }).waitFor();
    await keys.locator("svg.sparkline").first().waitFor({ timeout: 30_000 }).catch(() => {});
    await focusShown("building");
    await setTheme(keys, "dark");
    await focusShown("building [dark]");
  }

  // ---- the verdict ----
  const problems = [...found].map(([key, v]) =>
    `- ${key}\n    ${v.help}\n    seen on: ${[...v.where].join("; ")}`);
  const told = [];
  if (problems.length) told.push(`${problems.length} accessibility violation(s) in ${checked} checks:\n${problems.join("\n")}`);
  if (unmarked.length) told.push(`no visible focus on:\n${unmarked.map((u) => `- ${u}`).join("\n")}`);
  if (stuck) told.push(`the keyboard: ${stuck.message}`);
  if (told.length) throw new Error(told.join("\n"));
  console.log(`a11y: ${checked} axe checks clean; the keyboard signs in, reaches the administration and a building`);
}, { history: 400 });
