// The energy page's analytics parts against their APIs, in a demo town with
// 400 days of history (a year of baseline before the last weeks), one check
// per part:
//   budgets         — two budgets put through the building energy settings
//                     in place of the demo's, one over and one within; every
//                     budget shown, those over first; the two and one of the
//                     demo's: the page's state, figures, monthly plan and
//                     actual are the budgets' and the consumption API's,
//                     the projection by month the budgets' monthly
//                     projection summed, and the chart's projection runs
//                     from the day counted through every month end after;
//   savings         — a baseline year against the last whole month: the
//                     savings, their ± at the API's confidence, the fit
//                     figures and Guideline 14's verdict, the months; a
//                     medium without a meter says why there is no estimate (its reason code);
//   forecast        — 72 hours in the band, the table the API's hours, the
//                     weather's source, the last 48 hours of actuals;
//   recommendations — the list in the API's order with its figures, an
//                     evidence chart with the span's hourly consumption,
//                     its link opening the building's chart of those meters
//                     over that span, the rules not judged.
// Screenshots of each part at desktop and phone widths.
import { check, near, scenario, waitForLedger } from "./harness.mjs";

const USER = "energy@hechingen.demo";
const ADMIN = "admin@hechingen.demo";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

// The text a cell shows before any note inside it.
const firstText = (locator) => locator.evaluate((e) => e.firstChild?.textContent ?? "");

// Opens a part of the energy page by its tab.
async function openPart(page, name) {
  await page.getByRole("navigation", { name: "Energy sections" }).getByRole("link", { name, exact: true }).click();
}

// Puts budgets into a building's energy settings: the document read with its
// version, budgets added, written back under If-Match as the API requires.
async function putBudgets(base, token, building, budgets) {
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const url = `${base}/api/v1/buildings/${building}/energy`;
  const read = await fetch(url, { headers });
  check(read.ok, `GET ${url}: ${read.status}`);
  const { building_id, version, updated_at, ...document } = await read.json();
  const written = await fetch(url, {
    method: "PUT",
    headers: { ...headers, "If-Match": read.headers.get("ETag") },
    body: JSON.stringify({ ...document, budgets }),
  });
  check(written.ok, `PUT ${url}: ${written.status} ${await written.text()}`);
}

// ---- budgets ----

function monthDays(year) {
  return Array.from({ length: 12 }, (_, m) => new Date(Date.UTC(year, m + 1, 0)).getUTCDate());
}

// The month plan the API gives, or the year's spread by days (its rule
// without a shape) from a server that does not give it.
function monthlyPlan(q, year) {
  if (q.monthly_plan) return q.monthly_plan;
  const days = monthDays(year);
  const total = days.reduce((a, b) => a + b, 0);
  return days.map((d) => (q.plan_year * d) / total);
}

async function checkBudgets({ page, api, token, admin, base, buildings, consumption, screenshot }) {
  const year = new Date().getFullYear();
  const [over, within] = [buildings[1], buildings[2]];
  const lastYear = async (id) => (await consumption({ scope: "building", id, medium: "electricity", interval: "month",
                                                       from: new Date(Date.now() - 365 * 86_400_000), to: new Date() })).series[0];
  const [a, b] = [await lastYear(over.id), await lastYear(within.id)];
  check(a.total > 0 && a.cost_total > 0 && b.total > 0, "the buildings have no electricity or no cost a year");
  await putBudgets(base, admin, over.id, [{ medium: "electricity", year, planned_kwh: Math.round(0.6 * a.total),
                                            planned_cost: Math.round(0.6 * a.cost_total), margin: 0.05 }]);
  await putBudgets(base, admin, within.id, [{ medium: "electricity", year, planned_kwh: Math.round(2 * b.total), margin: 0.1 }]);
  // The demo budgets every building's year; these two now have the budgets put.
  const answer = await api(`/api/v1/analytics/budgets?year=${year}`, {}, token);
  const ofBuilding = (id) => answer.items.filter((i) => i.building_id === id);
  check(ofBuilding(over.id).length === 1 && ofBuilding(within.id).length === 1,
        `the budgets API has ${ofBuilding(over.id).length} and ${ofBuilding(within.id).length} budgets of the buildings, not the 1 put each`);
  check(ofBuilding(over.id)[0].over_budget, `${over.name}'s budget at 60 % of last year is not over`);
  check(!ofBuilding(within.id)[0].over_budget, `${within.name}'s budget at twice last year is over`);

  await openPart(page, "Budgets");
  const section = page.locator("section.budgets");
  await page.waitForFunction((y) => document.querySelector("section.budgets")?.dataset.shown === String(y), year);
  const cards = section.locator("article.budget");
  const shown = await cards.evaluateAll((list) => list.map((c) => ({ building: Number(c.dataset.building), over: c.dataset.over === "true" })));
  check(shown.length === answer.items.length, `${shown.length} budgets shown, the API has ${answer.items.length}`);
  check(shown.findIndex((c) => !c.over) === -1 || shown.slice(shown.findIndex((c) => !c.over)).every((c) => !c.over),
        `the budgets are in the order ${JSON.stringify(shown)}, not those over first`);

  // In full: the two put, and one the demo made.
  const demo = answer.items.find((i) => i.building_id !== over.id && i.building_id !== within.id);
  for (const item of [ofBuilding(over.id)[0], ofBuilding(within.id)[0], ...(demo ? [demo] : [])]) {
    const what = `${item.building_id}'s ${item.medium} budget`;
    const card = section.locator(`article.budget[data-building="${item.building_id}"][data-medium="${item.medium}"]`);
    check(await card.getAttribute("data-over") === String(item.over_budget), `${what} is shown ${item.over_budget ? "within" : "over"} budget`);
    check((await card.locator("h3 .budget-state").textContent()) === (item.over_budget ? "Over budget" : "Within budget"),
          `${what}: the heading's state is not the API's`);
    const quantities = ["energy", "cost"].filter((q) => item[q]);
    check(await card.locator("table.budget-figures thead th").count() === quantities.length,
          `${what}: the figures have other columns than ${quantities}`);
    check(await card.locator(".over-said").count() === quantities.filter((q) => item[q].over).length,
          `${what}: the sentences saying what is over are not the API's`);
    for (const q of quantities) {
      for (const figure of ["plan_year", "limit", "plan_to_date", "actual_to_date", "forecast_rest", "projection"])
        near(await card.locator(`tr[data-figure="${figure}"] td[data-quantity="${q}"]`).textContent(),
             item[q][figure], item[q][figure], `${what}: ${q} ${figure}`);
      const overrun = card.locator(`tr[data-figure="overrun"] td[data-quantity="${q}"]`);
      near(await firstText(overrun), 100 * item[q].overrun, 100 * item[q].overrun, `${what}: ${q} overrun`);
      check((await overrun.locator(".budget-state").textContent()) === (item[q].over ? "Over budget" : "Within budget"),
            `${what}: the ${q} state is not the API's`);
    }

    // The burn-down's months: the plan, and the actual of every month
    // begun but the running one (it grows while we look) from the
    // consumption API.
    const months = (await consumption({ scope: "building", id: item.building_id, medium: item.medium, interval: "month",
                                        from: new Date(Date.UTC(year, 0, 1, 12)), to: new Date(Date.UTC(year, 11, 31, 12)) })).series[0].buckets;
    const asOf = Date.parse(`${item.as_of}T00:00:00Z`);
    for (const q of quantities) {
      const box = card.locator(`.burn-downs > div[data-quantity="${q}"]`);
      await box.locator("figure.burn-down-chart canvas").waitFor();
      const [y, m, d] = item.as_of.split("-").map(Number);
      const at = y > year ? 12 : m - 1 + (d - 1) / monthDays(year)[m - 1];
      const points = Math.floor(at) + 1 + (Number.isInteger(at) ? 0 : 1);
      check(Number(await box.locator(".plot").getAttribute("data-actual")) === points,
            `${what}: the ${q} burn-down's actual has ${await box.locator(".plot").getAttribute("data-actual")} points, not ${points} to ${item.as_of}`);
      const ahead = 13 - Math.floor(at);
      check(Number(await box.locator(".plot").getAttribute("data-projection")) === ahead,
            `${what}: the ${q} burn-down's projection has ${await box.locator(".plot").getAttribute("data-projection")} points, not ${ahead} from ${item.as_of}`);
      await box.locator("details summary").click();
      const rows = box.locator("details tbody tr");
      check(await rows.count() === 12, `${what}: the ${q} table has ${await rows.count()} months`);
      const plan = monthlyPlan(item[q], year);
      const projected = item[q].monthly_projection;
      check(projected?.length === 12, `${what}: the API's ${q} has no monthly projection`);
      let projection = 0;
      for (let i = 0; i < 12; ++i) {
        const cells = rows.nth(i).locator("td");
        near(await cells.nth(0).textContent(), plan[i], plan[i], `${what}: the ${q} plan of month ${i + 1}`);
        projection += projected[i];
        near(await cells.nth(2).textContent(), projected[i], projected[i], `${what}: the ${q} projection of month ${i + 1}`);
        near(await cells.nth(5).textContent(), projection, projection, `${what}: the ${q} projection summed to month ${i + 1}`);
        const bucket = months[i];
        const running = Date.parse(bucket.start) <= Date.now() && Date.now() < Date.parse(bucket.end);
        const actual = q === "energy" ? bucket.value : bucket.cost;
        if (Date.UTC(year, i + 1, 1) <= asOf && !running && actual != null)
          near(await cells.nth(1).textContent(), actual, actual, `${what}: the ${q} actual of month ${i + 1}`);
      }
      near(await rows.nth(11).locator("td").nth(3).textContent(), item[q].plan_year, item[q].plan_year,
           `${what}: the ${q} plan summed to December`);
      near(await rows.nth(11).locator("td").nth(5).textContent(), item[q].projection, item[q].projection,
           `${what}: the ${q} projection summed to December`);
    }
  }
  await screenshot(page, "energy-budgets-desktop.png", { fullPage: true });
  await page.setViewportSize(PHONE);
  await screenshot(page, "energy-budgets-phone.png", { fullPage: true });
  await page.setViewportSize(DESKTOP);
  console.log(`energy_analytics: budgets — ${over.name} over, ${within.name} within, as the API says`);
}

// ---- savings ----

// "2026-11": a month some months before the one holding now.
function monthBack(by) {
  const now = new Date();
  const d = new Date(Date.UTC(now.getFullYear(), now.getMonth() - by, 15));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

async function checkSavings({ page, api, token, buildings, consumption, screenshot }) {
  await openPart(page, "Savings");
  const section = page.locator("section.savings");
  await section.locator("[data-verdict], .not-judged").first().waitFor();
  // The defaults: the last twelve whole months against the twelve before.
  const baseline = section.getByRole("group", { name: "Baseline period" });
  const reporting = section.getByRole("group", { name: "Reporting period" });
  const defaults = await Promise.all([baseline, reporting].flatMap((g) =>
    ["From (month)", "To (month)"].map((l) => g.getByLabel(l).inputValue())));
  const expected = [monthBack(24), monthBack(13), monthBack(12), monthBack(1)];
  check(JSON.stringify(defaults) === JSON.stringify(expected), `the default periods are ${defaults}, not ${expected}`);

  // A year of baseline before the last whole month, for a building with
  // heat; the local months' instants as the consumption API bounds them.
  const subject = buildings[buildings.length - 1];
  const months = [monthBack(13), monthBack(2), monthBack(1), monthBack(1)];
  await section.getByLabel("Building").selectOption({ label: subject.name });
  for (const [i, field] of [[baseline, "From (month)"], [baseline, "To (month)"], [reporting, "From (month)"], [reporting, "To (month)"]].entries())
    await field[0].getByLabel(field[1]).fill(months[i]);
  await section.getByRole("button", { name: "Estimate" }).click();
  const key = `${subject.id}/electricity/${months.join("/")}`;
  await page.waitForFunction((k) => document.querySelector("section.savings")?.dataset.shown === k, key);
  const bounds = async (first, last) => {
    const [y0, m0] = first.split("-").map(Number);
    const [y1, m1] = last.split("-").map(Number);
    const answer = await consumption({ scope: "building", id: subject.id, medium: "electricity", interval: "month",
                                       from: new Date(Date.UTC(y0, m0 - 1, 15)), to: new Date(Date.UTC(y1, m1 - 1, 16)) });
    return [answer.from, answer.to];
  };
  const [[bf, bt], [rf, rt]] = [await bounds(months[0], months[1]), await bounds(months[2], months[3])];
  const query = new URLSearchParams({ scope: "building", id: subject.id, medium: "electricity",
                                      baseline_from: bf, baseline_to: bt, reporting_from: rf, reporting_to: rt });
  const answer = await api(`/api/v1/analytics/savings?${query}`, {}, token);
  const item = answer.items[0];
  check(!item.not_judged, `the savings API could not estimate ${subject.name}: ${item.not_judged}`);
  const figure = (name) => section.locator(`table.savings-figures tr[data-figure="${name}"] td`);
  const fit = (name) => section.locator(`table.fit-figures tr[data-figure="${name}"] td`);
  near(await figure("adjusted_baseline").textContent(), item.adjusted_baseline, item.adjusted_baseline, "the adjusted baseline");
  near(await figure("actual").textContent(), item.actual, item.actual, "the actual");
  near(await figure("avoided").locator("[data-value]").textContent(), item.avoided, item.avoided, "the savings");
  near((await figure("avoided").locator("[data-uncertainty]").textContent()).replace("±", ""),
       item.avoided_uncertainty, item.avoided_uncertainty, "the savings' uncertainty");
  near(await figure("fraction").locator("[data-value]").textContent(), 100 * item.fractional_savings, 100 * item.fractional_savings, "the savings' share");
  near((await figure("fraction").locator("[data-uncertainty]").textContent()).replace("±", ""),
       100 * item.fractional_savings_uncertainty, 100 * item.fractional_savings_uncertainty, "the share's uncertainty");
  near(await figure("hours").textContent(), item.reporting_hours, item.reporting_hours, "the reporting hours");
  const level = `${Math.round(answer.confidence * 100)} %`;
  check((await section.locator("table.savings-figures caption").textContent()).includes(level), `the confidence is not said as ${level}`);
  const sentence = await section.locator(".savings-said").textContent();
  check(sentence.startsWith(item.avoided < 0 ? "More was used than the baseline predicts" : "Saved:") && sentence.includes(`at ${level} confidence`),
        `the savings are said as "${sentence}"`);
  check(sentence.includes("within their uncertainty") === (Math.abs(item.avoided) <= item.avoided_uncertainty),
        `"${sentence}" misjudges whether the savings are within their uncertainty (${item.avoided} ± ${item.avoided_uncertainty})`);
  const f = item.baseline_fit;
  near(await fit("cvrmse").textContent(), 100 * f.cvrmse, 100 * f.cvrmse, "CV(RMSE)");
  near(await fit("nmbe").textContent(), 100 * f.nmbe, 100 * f.nmbe, "NMBE");
  near(await fit("r2").textContent(), f.r2, f.r2, "R²");
  near(await fit("hours").textContent(), f.hours, f.hours, "the baseline's hours");
  near(await fit("parameters").textContent(), f.parameters, f.parameters, "the model's parameters");
  const meets = f.cvrmse <= 0.3 && Math.abs(f.nmbe) <= 0.1;
  const verdict = section.locator("[data-verdict]");
  check(await verdict.getAttribute("data-verdict") === (meets ? "meets" : "fails"), `the verdict on the fit is not Guideline 14's (CV(RMSE) ${f.cvrmse}, NMBE ${f.nmbe})`);
  check((await verdict.textContent()).includes(meets ? "meets ASHRAE Guideline 14" : "does not meet ASHRAE Guideline 14"), "the verdict is not said in words");

  // The months: the chart's bars and the table's rows.
  await section.locator("figure.savings-chart canvas").waitFor();
  check(Number(await section.locator("figure.savings-chart .plot").getAttribute("data-months")) === item.months.length,
        `the chart has other months than the API's ${item.months.length}`);
  await section.locator("details.bucket-table summary").click();
  const rows = section.locator("details.bucket-table tbody tr");
  check(await rows.count() === item.months.length, `the table has ${await rows.count()} months, the API ${item.months.length}`);
  for (const [i, m] of item.months.entries()) {
    const cells = rows.nth(i).locator("td");
    near(await cells.nth(0).textContent(), m.adjusted_baseline, m.adjusted_baseline, `month ${i + 1}'s adjusted baseline`);
    near(await cells.nth(1).textContent(), m.actual, m.actual, `month ${i + 1}'s actual`);
  }
  await screenshot(page, "energy-savings-desktop.png", { fullPage: true });
  await page.setViewportSize(PHONE);
  await screenshot(page, "energy-savings-phone.png", { fullPage: true });
  await page.setViewportSize(DESKTOP);

  // A medium the building has no meter of: no estimate, and why.
  const without = await api(`/api/v1/analytics/savings?${new URLSearchParams({ ...Object.fromEntries(query), medium: "gas" })}`, {}, token);
  check(without.items[0].reason === "no_meter", `the savings API estimates ${subject.name}'s gas: ${without.items[0].reason} ${without.items[0].not_judged}`);
  await section.getByLabel("Medium").selectOption("gas");
  await section.locator(".not-judged").waitFor();
  const said = await section.locator(".not-judged").textContent();
  check(said === "No estimate: The building has no gas meter.", `the page says "${said}" for a building without gas`);
  check(await section.locator(".not-judged").getAttribute("data-reason") === "no_meter", "the page's reason is not the API's no_meter");
  console.log(`energy_analytics: savings — ${subject.name} ${item.avoided.toFixed(0)} ± ${item.avoided_uncertainty.toFixed(0)} kWh, the fit ${meets ? "meets" : "fails"} Guideline 14`);
}

// ---- forecast ----

async function checkForecast({ page, api, token, buildings, consumption, screenshot }) {
  await openPart(page, "Forecast");
  const section = page.locator("section.forecast");
  const subject = buildings[1];
  const shownFor = async (id) => {
    await section.getByLabel("Building").selectOption({ label: buildings.find((b) => b.id === id).name });
    await page.waitForFunction((k) => document.querySelector("section.forecast")?.dataset.shown === k, `${id}/electricity`);
  };
  // The forecast starts at the hour under way: page and API must be asked
  // in the same hour (once more if an hour began in between).
  let answer;
  for (let attempt = 0; attempt < 2; ++attempt) {
    await shownFor(subject.id);
    answer = await api(`/api/v1/analytics/forecast?scope=building&id=${subject.id}&medium=electricity&hours=72`, {}, token);
    if (answer.from === await section.getAttribute("data-from")) break;
    await shownFor(buildings[0].id);
  }
  check(answer.from === await section.getAttribute("data-from"), `the page forecasts from ${await section.getAttribute("data-from")}, the API from ${answer.from}`);
  const item = answer.items[0];
  check(!item.not_judged && item.values.length === 72, `the forecast API has no 72 hours for ${subject.name}: ${item.not_judged}`);
  const plot = section.locator("figure.forecast-chart .plot");
  await plot.locator("canvas").waitFor();
  check(Number(await plot.getAttribute("data-band")) === 72, `the band has ${await plot.getAttribute("data-band")} hours, not 72`);
  const from = Date.parse(answer.from);
  const before = await consumption({ scope: "building", id: subject.id, medium: "electricity", interval: "hour",
                                     from: new Date(from - 48 * 3_600_000), to: new Date(from - 1) });
  const known = before.series[0].buckets.filter((b) => Date.parse(b.end) <= from && b.value !== null).length;
  check(known >= 24 && Number(await plot.getAttribute("data-actual")) === known,
        `the chart has ${await plot.getAttribute("data-actual")} hours of actuals before the forecast, the API ${known}`);
  check(await section.locator(`[data-weather="${item.weather}"]`).count() === 1, `the weather's source is not the API's ${item.weather}`);
  near((await section.locator(".forecast-said").textContent()).replace("Expected in the next 72 hours:", ""),
       item.values.reduce((s, h) => s + h.expected, 0), item.values.reduce((s, h) => s + h.expected, 0), "the 72 hours' total");
  await section.locator("details.bucket-table summary").click();
  const rows = section.locator("table.forecast-table tbody tr");
  check(await rows.count() === 72, `the forecast's table has ${await rows.count()} hours`);
  for (const [i, h] of item.values.entries()) {
    const row = rows.nth(i);
    check(await row.getAttribute("data-start") === h.start, `hour ${i + 1} of the table is ${await row.getAttribute("data-start")}, the API's ${h.start}`);
    const cells = row.locator("td");
    near(await cells.nth(0).textContent(), h.expected, h.expected, `hour ${i + 1}'s forecast`);
    near(await cells.nth(1).textContent(), h.lower, h.lower, `hour ${i + 1}'s 10 %`);
    near(await cells.nth(2).textContent(), h.upper, h.upper, `hour ${i + 1}'s 90 %`);
  }
  await screenshot(page, "energy-forecast-desktop.png", { fullPage: true });
  await page.setViewportSize(PHONE);
  await screenshot(page, "energy-forecast-phone.png", { fullPage: true });
  await page.setViewportSize(DESKTOP);

  // Heat where the building has none: no forecast, and why.
  await section.getByLabel("Medium").selectOption("heat");
  await page.waitForFunction((k) => document.querySelector("section.forecast")?.dataset.shown === k, `${subject.id}/heat`);
  const heat = await api(`/api/v1/analytics/forecast?scope=building&id=${subject.id}&medium=heat`, {}, token);
  check(heat.items[0].reason === "no_meter", `${subject.name} has a heat forecast (${heat.items[0].reason}): pick a building without heat`);
  const said = await section.locator(".not-judged").textContent();
  check(said === "No forecast: The building has no heat meter.", `the page says "${said}" for a building without heat`);
  check(await section.locator(".not-judged").getAttribute("data-reason") === "no_meter", "the page's reason is not the API's no_meter");
  console.log(`energy_analytics: forecast — ${subject.name}'s 72 hours from ${answer.from} (${item.weather}) as the API's`);
}

// ---- recommendations ----

// The medium a finding is about: the API's, else what its rule reads (the
// heating rules and plant outside occupancy the building's heat, else its
// gas; the others electricity).
function mediumOf(finding, series) {
  if (finding.medium) return series.find((s) => s.medium === finding.medium);
  const heat = finding.kind.startsWith("heating_") || finding.kind === "plant_outside_occupancy";
  return heat ? series.find((s) => s.medium === "heat") ?? series.find((s) => s.medium === "gas")
              : series.find((s) => s.medium === "electricity");
}

async function checkRecommendations({ page, api, token, buildings, consumption, screenshot }) {
  await openPart(page, "Recommendations");
  const section = page.locator("section.recommendations");
  await page.waitForFunction(() => document.querySelector("section.recommendations")?.dataset.shown === "all");
  const answer = await api("/api/v1/analytics/recommendations", {}, token);
  check(answer.findings.length >= 2, `the demo town has ${answer.findings.length} findings: too few to rank`);
  const items = section.locator("ol.findings > li.finding");
  const order = await items.evaluateAll((list) => list.map((li) => `${li.dataset.building}/${li.dataset.kind}`));
  const expected = answer.findings.map((f) => `${f.building_id}/${f.kind}`);
  check(JSON.stringify(order) === JSON.stringify(expected), `the findings are in the order ${order}, the API's ${expected}`);
  for (const [i, f] of answer.findings.entries()) {
    const item = items.nth(i);
    const what = `finding ${i + 1} (${f.kind})`;
    const heading = await item.locator("h3").textContent();
    check(heading.includes(f.title) && heading.includes(f.severity), `${what}: the heading "${heading}" is not "${f.title}", ${f.severity}`);
    check(heading.startsWith(`${f.priority}.`), `${what}: ranked ${heading}, the API ${f.priority}`);
    check((await item.locator(".building-name-line").textContent()) === buildings.find((b) => b.id === f.building_id).name,
          `${what}: of another building`);
    near(await item.locator('[data-figure="kwh"] dd').textContent(), f.per_year.kwh, f.per_year.kwh, `${what}: kWh a year`);
    near(await item.locator('[data-figure="money"] dd').textContent(), f.per_year.money, f.per_year.money, `${what}: money a year`);
    near(await item.locator('[data-figure="co2"] dd').textContent(), f.per_year.kg_co2, f.per_year.kg_co2, `${what}: CO2 a year`);
    check((await item.locator(".explanation").textContent()) === f.explanation, `${what}: the explanation is not the API's`);
  }

  // Each finding's evidence chart: its medium's hours over the span, as
  // the consumption API has them.
  for (const [i, f] of answer.findings.entries()) {
    const item = items.nth(i);
    const what = `finding ${i + 1} (${f.kind})`;
    await item.locator("details > summary").click();
    await item.locator('.evidence[data-shown="0"]').waitFor();
    const span = f.evidence[0];
    const hourly = await consumption({ scope: "building", id: f.building_id, interval: "hour",
                                       from: span.start, to: new Date(Date.parse(span.end) - 1) });
    const series = mediumOf(f, hourly.series);
    check(series, `${what}: the building has no meter of the finding's medium`);
    const inSpan = series.buckets.filter((b) => Date.parse(b.start) >= Date.parse(span.start) && Date.parse(b.start) < Date.parse(span.end));
    const known = inSpan.filter((b) => b.value !== null);
    check(known.length > 0, `${what}: the consumption API has no hour of the span ${span.start}–${span.end}`);
    const plot = item.locator("figure.evidence-chart .plot");
    await plot.locator("canvas").waitFor();
    check(Number(await plot.getAttribute("data-span-hours")) === known.length,
          `${what}: the evidence chart has ${await plot.getAttribute("data-span-hours")} hours of the span, the API ${known.length}`);
    await item.locator(".evidence details summary").click();
    const rows = item.locator("table.evidence-table tbody tr");
    check(await rows.count() === inSpan.length, `${what}: the span's table has ${await rows.count()} hours, not ${inSpan.length}`);
    for (const [h, b] of inSpan.entries())
      if (b.value !== null) near(await rows.nth(h).locator("td").textContent(), b.value, b.value, `${what}: hour ${h + 1} of the span`);
    const link = new URL((await item.locator('a[data-span="0"]').getAttribute("href")).replace("#", "http://x/"));
    const points = f.point_ids ?? series.meters;
    // The span with at most a day either side.
    const [from, to] = [Date.parse(link.searchParams.get("from")), Date.parse(link.searchParams.get("to"))];
    const [start, end] = [Date.parse(span.start), Date.parse(span.end)];
    check(link.searchParams.get("points") === points.join(",") && from <= start && to >= end &&
          start - from <= 86_400_000 && to - end <= 86_400_000,
          `${what}: the chart link ${link} is not for ${points} over ${span.start}–${span.end}`);
  }
  await screenshot(page, "energy-recommendations-desktop.png", { fullPage: true });
  await page.setViewportSize(PHONE);
  await screenshot(page, "energy-recommendations-phone.png", { fullPage: true });
  await page.setViewportSize(DESKTOP);

  // Another span of a finding with several: its chart follows.
  const several = answer.findings.findIndex((f) => f.evidence.length > 1);
  if (several >= 0) {
    const item = items.nth(several);
    await item.locator("ol.spans li").nth(1).getByRole("button").click();
    await item.locator('.evidence[data-shown="1"] figure.evidence-chart canvas').waitFor();
  }

  // The rules not judged, by building.
  await section.locator("details.not-judged-list > summary").click();
  const judged = answer.buildings.filter((b) => b.not_judged.length > 0);
  check(await section.locator("details.not-judged-list li").count() === judged.length, "the buildings with rules not judged are not the API's");
  for (const b of judged) {
    const said = await section.locator(`details.not-judged-list li[data-building="${b.building_id}"]`).textContent();
    check(said.split("(").length - 1 === b.not_judged.length, `building ${b.building_id}: "${said}" is not its ${b.not_judged.length} rules not judged`);
  }

  // One building's findings alone.
  const one = answer.findings[0].building_id;
  await section.getByLabel("Building").selectOption({ label: buildings.find((b) => b.id === one).name });
  await page.waitForFunction((k) => document.querySelector("section.recommendations")?.dataset.shown === k, String(one));
  const own = await api(`/api/v1/analytics/recommendations?building_id=${one}`, {}, token);
  check(await items.count() === own.findings.length, `building ${one} shows ${await items.count()} findings, the API ${own.findings.length}`);

  // The first finding's evidence link opens the building's chart of its
  // meters, zoomed into the span.
  const first = items.first();
  await first.locator("details > summary").click();
  await first.locator('.evidence[data-shown="0"]').waitFor();
  await first.locator('a[data-span="0"]').click();
  await page.getByRole("heading", { name: buildings.find((b) => b.id === one).name, level: 1 }).waitFor();
  await page.locator("figure.chart canvas").waitFor();
  await page.waitForFunction(() => Number(document.querySelector("figure.chart .plot")?.dataset.buckets) > 0);
  check(await page.getByRole("button", { name: "Reset zoom" }).count() === 1, "the chart did not open zoomed into the span");
  console.log(`energy_analytics: recommendations — ${answer.findings.length} findings in the API's order, their evidence charted`);
}

await scenario("energy_analytics", async ({ signIn, api, tokenOf, base, screenshot }) => {
  const token = await tokenOf(USER);
  const admin = await tokenOf(ADMIN);
  const consumption = (q) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) query.set(k, v instanceof Date ? v.toISOString() : String(v));
    return api(`/api/v1/analytics/consumption?${query}`, {}, token);
  };
  await waitForLedger(consumption);
  const buildings = (await api("/api/v1/buildings?limit=500", {}, token)).items.sort((a, b) => a.id - b.id);

  const page = await signIn(USER);
  await page.getByRole("link", { name: "Energy", exact: true }).click();
  await page.getByRole("heading", { name: "Energy", level: 1 }).waitFor();
  const context = { page, api, token, admin, base, buildings, consumption, screenshot };
  await checkBudgets(context);
  await checkSavings(context);
  await checkForecast(context);
  await checkRecommendations(context);
}, { history: 400 });
