// The energy pages against the consumption API, in a demo town with 400
// days of history (so that a month and a year have the same period a year
// earlier to be compared with): the overview's tiles show what the API says
// of today and this month; the energy page draws a month beside the same
// month a year earlier, its table and totals agree with the API, it steps a
// period back and forth, switches medium, building and to a year; the
// ranking by energy use intensity is the order computed here from the API
// and the buildings' floor areas (a building without one last), and its
// rows lead to their buildings. Screenshots at desktop and phone widths.
import { check, near, scenario, waitForLedger } from "./harness.mjs";

const USER = "energy@hechingen.demo";
const ENERGY_MEDIA = ["electricity", "heat", "gas"];
const HOUR = 3_600_000;

// The hours of a bucket that should be known by now and are not (the API
// counts the hours still to come apart, in pending_hours).
function missing(bucket) {
  return bucket.unknown_hours;
}

// What a bucket's bar shows: nothing for a bucket ahead, its value (null
// when no hour of it is known) else.
function bar(bucket, now) {
  if (Date.parse(bucket.start) > now) return null;
  return bucket.value;
}

// Noon UTC of a period's first and last day: inside the period in any zone.
function periodParams(kind, year, month) {
  return kind === "month"
    ? { from: new Date(Date.UTC(year, month, 1, 12)), to: new Date(Date.UTC(year, month + 1, 0, 12)), interval: "day" }
    : { from: new Date(Date.UTC(year, 0, 1, 12)), to: new Date(Date.UTC(year, 11, 31, 12)), interval: "month" };
}

await scenario("energy", async ({ signIn, api, tokenOf, waitFor, screenshot }) => {
  const token = await tokenOf(USER);
  const admin = await tokenOf("admin@hechingen.demo");
  const consumption = (q) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) query.set(k, v instanceof Date ? v.toISOString() : String(v));
    return api(`/api/v1/analytics/consumption?${query}`, {}, token);
  };
  const euiQuery = () => {
    const now = new Date();
    return { scope: "tenant", by: "building", interval: "month",
             from: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 24, 15)), to: now };
  };

  const started = Date.now();
  await waitForLedger(consumption);
  console.log(`energy: the ledger held the history after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // ---- the overview's tiles: today and this month, as the API says ----
  const figuresOf = (answer, now) => {
    const sum = (list, pick) => list.reduce((s, x) => s + pick(x), 0);
    const energy = answer.series.filter((s) => ENERGY_MEDIA.includes(s.medium));
    const water = answer.series.filter((s) => s.medium === "water");
    const costed = energy.filter((s) => s.currency === "EUR");
    const counted = energy.filter((s) => s.co2_kg_total != null);
    const incomplete = (list) => list.some((s) => s.buckets.some((b) => missing(b) > 0));
    return {
      energy: { value: sum(energy, (s) => s.total), incomplete: incomplete(energy) },
      water: { value: sum(water, (s) => s.total), incomplete: incomplete(water) },
      cost: { value: sum(costed, (s) => s.cost_total), incomplete: incomplete(costed) },
      co2: { value: sum(counted, (s) => s.co2_kg_total), incomplete: incomplete(counted) },
    };
  };
  const tilesNow = async () => {
    const now = Date.now();
    const ask = (interval) => consumption({ scope: "tenant", from: new Date(now), to: new Date(now + 1), interval });
    const [today, month] = await Promise.all([ask("day"), ask("month")]);
    check(today.timezone === "Europe/Berlin", `the tenant's zone is ${today.timezone}`);
    return { today: figuresOf(today, now), month: figuresOf(month, now) };
  };
  const before = await tilesNow();
  const page = await signIn(USER);
  const figure = (period, name) =>
    page.locator(`.energy-tile[data-period="${period}"] [data-figure="${name}"] dd`);
  await figure("month", "energy").waitFor();
  const shown = {};
  for (const period of ["today", "month"])
    for (const name of ["energy", "cost", "co2", "water"]) {
      const dd = figure(period, name);
      check(await dd.count() === 1, `the ${period} tile has no ${name}`);
      shown[`${period}.${name}`] = {
        text: await dd.evaluate((e) => e.firstChild.textContent),
        incomplete: await dd.locator(".incomplete").count() > 0,
      };
    }
  const after = await tilesNow();
  for (const period of ["today", "month"])
    for (const name of ["energy", "cost", "co2", "water"]) {
      const s = shown[`${period}.${name}`];
      const [b, a] = [before[period][name], after[period][name]];
      near(s.text, b.value, a.value, `the ${period} tile's ${name}`);
      if (b.incomplete === a.incomplete)
        check(s.incomplete === a.incomplete, `the ${period} tile's ${name} is ${s.incomplete ? "" : "not "}marked incomplete`);
    }
  check(after.month.energy.value > after.today.energy.value, "this month's energy is not more than today's");
  await screenshot(page, "energy-overview-desktop.png", { clip: { x: 0, y: 0, width: 1280, height: 420 } });

  // ---- the energy page: this month beside the same month a year earlier ----
  await page.getByRole("link", { name: "Energy", exact: true }).click();
  await page.getByRole("heading", { name: "Energy", level: 1 }).waitFor();
  const comparison = page.locator("section.comparison");
  const showing = async (key) =>
    waitFor(`the comparison of ${key}`, async () => (await comparison.getAttribute("data-shown")) === key, 30_000);
  const today = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  const key = (building, medium, kind, year, month) =>
    `${building}/${medium}/${kind === "month" ? `${year}-${pad(month + 1)}` : year}`;
  const where = (building) => (building === "all" ? { scope: "tenant" } : { scope: "building", id: building });

  // The page's chart, table and totals against the API's answers for the period.
  const compare = async (building, medium, kind, year, month) => {
    await showing(key(building, medium, kind, year, month));
    const now = Date.now();
    const current = await consumption({ ...where(building), medium, ...periodParams(kind, year, month) });
    const earlier = await consumption({ ...where(building), medium, ...periodParams(kind, year - 1, month) });
    check(new Date(current.from).toLocaleString("en-GB", { timeZone: current.timezone }).endsWith("00:00:00"),
          `the period starts at ${current.from}, not at midnight in ${current.timezone}`);
    const [cs, es] = [current.series[0], earlier.series[0]];
    if (!cs) {
      await comparison.getByText("There is no meter of this medium here.").waitFor();
      return null;
    }
    const known = (s) => s.buckets.filter((b) => bar(b, now) !== null).length;
    const plot = comparison.locator("figure.comparison-chart .plot");
    await plot.locator("canvas").waitFor();
    check(Number(await plot.getAttribute("data-current")) === known(cs), `the chart has ${await plot.getAttribute("data-current")} bars of this period, the API ${known(cs)}`);
    check(Number(await plot.getAttribute("data-earlier")) === known(es), `the chart has ${await plot.getAttribute("data-earlier")} bars of the year earlier, the API ${known(es)}`);
    // Each period's bars are on the canvas in its colour: counted along a
    // row just above the baseline (a hatched bar's stripes count once), as
    // many as the API has buckets with a value high enough to reach it.
    const runs = await plot.evaluate((box) => {
      const canvas = box.querySelector("canvas");
      const over = box.querySelector(".u-over").getBoundingClientRect();
      const frame = canvas.getBoundingClientRect();
      const scale = canvas.width / frame.width;
      const y = Math.round((over.bottom - frame.top - 3) * scale);
      const row = canvas.getContext("2d").getImageData(0, y, canvas.width, 1).data;
      const count = ([r, g, b]) => {
        let n = 0, gap = Infinity;
        for (let x = Math.round((over.left - frame.left) * scale); x < (over.right - frame.left) * scale; ++x) {
          const i = 4 * x;
          const hit = Math.abs(row[i] - r) < 16 && Math.abs(row[i + 1] - g) < 16 && Math.abs(row[i + 2] - b) < 16;
          if (hit && gap >= 8 * scale) n += 1;
          gap = hit ? 0 : gap + 1;
        }
        return n;
      };
      return { current: count([0x25, 0x63, 0xeb]), earlier: count([0xc2, 0x41, 0x0c]) };
    });
    const top = 1.05 * Math.max(...[...cs.buckets, ...es.buckets].map((b) => bar(b, now) ?? 0));
    for (const [name, s] of [["current", cs], ["earlier", es]]) {
      const values = s.buckets.map((b) => bar(b, now) ?? 0);
      const [least, most] = [values.filter((v) => v > 0.03 * top).length, values.filter((v) => v > 0).length];
      check(runs[name] >= least && runs[name] <= most,
            `the canvas shows ${runs[name]} bars of the ${name} period, the API ${least} to ${most}`);
    }
    const legend = (await plot.locator(".u-legend").textContent()) ?? "";
    const names = kind === "month"
      ? [new Date(Date.UTC(year, month, 15)), new Date(Date.UTC(year - 1, month, 15))].map((d) =>
          d.toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }))
      : [String(year), String(year - 1)];
    for (const n of names) check(legend.includes(n), `the legend does not name ${n}: ${legend}`);

    // The table: every bucket begun, but the running one, to the tenth of a unit.
    const table = comparison.locator("details.bucket-table");
    if (!(await table.getAttribute("open"))) await table.locator("summary").click();
    const rows = table.locator("tbody tr");
    check(await rows.count() === Math.max(cs.buckets.length, es.buckets.length),
          `the table has ${await rows.count()} rows for ${cs.buckets.length} buckets`);
    for (const [column, s] of [[1, cs], [2, es]])
      for (const [i, b] of s.buckets.entries()) {
        const cell = rows.nth(i).locator("td").nth(column - 1);
        const text = await cell.evaluate((e) => e.firstChild.textContent);
        const what = `bucket ${i + 1} of ${column === 1 ? "this period" : "the year earlier"}`;
        if (Date.parse(b.end) > now && Date.parse(b.start) <= now) continue;  // running: it moves
        const value = bar(b, now);
        if (value === null) check(text === "–", `${what} shows ${text}, the API knows nothing of it`);
        else near(text, value, value, what);
      }

    // The totals: a running period against the year earlier up to the same day.
    const running = Date.parse(current.from) <= now && now < Date.parse(current.to);
    const against = running
      ? (await consumption({ ...where(building), medium, from: periodParams(kind, year - 1, month).from,
                             to: new Date(new Date(now).setFullYear(new Date(now).getFullYear() - 1)), interval: "day" })).series[0]
      : es;
    const total = (name) => comparison.locator(`table.totals tr[data-total="${name}"] td`);
    const cellText = (cells, i) => cells.nth(i).evaluate((e) => e.firstChild.textContent);
    near(await cellText(total("amount"), 1), against.total, against.total, "the year earlier's total");
    if (!running) near(await cellText(total("amount"), 0), cs.total, cs.total, "this period's total");
    if (against.currency) near(await cellText(total("cost"), 1), against.cost_total, against.cost_total, "the year earlier's cost");
    check(((await total("cost").count()) > 0) === Boolean(cs.currency || against.currency), "a cost row where the API has no cost, or none where it has");
    if (against.co2_kg_total != null) near(await cellText(total("co2"), 1), against.co2_kg_total, against.co2_kg_total, "the year earlier's CO2");
    check(((await total("co2").count()) > 0) === (cs.co2_kg_total != null || against.co2_kg_total != null), "a CO2 row where the API has none, or none where it has");
    const unknown = against.buckets.reduce((s, b) => s + missing(b), 0);
    near(await cellText(total("missing"), 1), unknown, unknown, "the year earlier's hours without readings");
    return { current, earlier };
  };

  const [year, month] = [today.getFullYear(), today.getMonth()];
  const first = await compare("all", "electricity", "month", year, month);
  check(first.earlier.series[0].total > 0, "the year earlier has no electricity: the history is too short to compare");
  // (In the browser's calendar; in the last hours of a month by UTC Berlin's may have moved on.)
  const runs = Date.parse(first.current.from) <= Date.now() && Date.now() < Date.parse(first.current.to);
  check(await page.getByRole("button", { name: "Next period" }).isDisabled() === runs,
        `the ${runs ? "running" : "ended"} month ${runs ? "offers" : "does not offer"} a next period`);
  await screenshot(page, "energy-desktop.png", { fullPage: true });

  // A month back and forth.
  const back = month === 0 ? [year - 1, 11] : [year, month - 1];
  await page.getByRole("button", { name: "Previous period" }).click();
  await compare("all", "electricity", "month", ...back);
  check(await comparison.locator(".period-name").textContent() ===
        new Date(Date.UTC(back[0], back[1], 15)).toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }),
        "the period's name is not the month before");
  await page.getByRole("button", { name: "Next period" }).click();
  await showing(key("all", "electricity", "month", year, month));

  // Heat for all buildings, then for one with district heat (priced, with
  // CO2), then gas where the building has none.
  await page.getByLabel("Medium").selectOption("heat");
  await compare("all", "heat", "month", year, month);
  const buildings = (await api("/api/v1/buildings?limit=500", {}, token)).items;
  const settings = await Promise.all(buildings.map((b) =>
    api(`/api/v1/buildings/${b.id}/energy`, {}, token).catch(() => ({}))));
  const district = buildings.find((_, i) => settings[i].tariffs?.heat);
  check(district, "no building of the demo has a heat tariff");
  await page.getByLabel("Building").selectOption({ label: district.name });
  const heat = await compare(district.id, "heat", "month", year, month);
  check(heat.current.series[0].currency === "EUR" && heat.current.series[0].co2_kg_total != null,
        `${district.name}'s heat has no cost or no CO2`);
  await page.getByLabel("Medium").selectOption("gas");
  const gas = await compare(district.id, "gas", "month", year, month);
  check(gas === null, `${district.name} has district heat and a gas meter`);

  // Electricity of a year beside the year before: twelve months.
  await page.getByLabel("Medium").selectOption("electricity");
  await page.getByRole("group", { name: "Period", exact: true }).getByRole("button", { name: "Year" }).click();
  const years = await compare(district.id, "electricity", "year", year, 0);
  check(years.current.series[0].buckets.length === 12, "a year of other than twelve months");
  await page.setViewportSize({ width: 375, height: 740 });
  await screenshot(page, "energy-phone.png", { fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  // ---- the ranking by energy use intensity ----
  // One building without a floor area: it comes last, with "–".
  const bare = buildings.find((b) => b.id !== district.id && b.gross_floor_area_m2);
  await api(`/api/v1/buildings/${bare.id}`, { method: "PATCH", body: JSON.stringify({ gross_floor_area_m2: null }) }, admin);
  await page.reload();
  await page.getByRole("heading", { name: "Energy use intensity" }).waitFor();
  const ranking = page.locator("table.eui-ranking tbody tr");
  await ranking.first().waitFor();
  const now = Date.now();
  const answer = await consumption(euiQuery());
  const areas = new Map((await api("/api/v1/buildings?limit=500", {}, token)).items.map((b) => [b.id, b.gross_floor_area_m2]));
  const running = answer.series[0].buckets.findIndex((b) => Date.parse(b.start) <= now && now < Date.parse(b.end));
  check(running >= 24, `the ranking's answer has ${running} months before this one`);
  const expected = buildings.map((b) => {
    const own = answer.series.filter((s) => s.building_id === b.id && ENERGY_MEDIA.includes(s.medium));
    const kWh = own.reduce((sum, s) => sum + s.buckets.slice(running - 12, running).reduce((x, k) => x + k.value, 0), 0);
    const area = areas.get(b.id);
    return { id: b.id, name: b.name, eui: area && own.length ? kWh / area : null };
  }).sort((a, b) => (a.eui === null) - (b.eui === null) || (b.eui ?? 0) - (a.eui ?? 0) || a.name.localeCompare(b.name));
  const order = await ranking.evaluateAll((rows) => rows.map((r) => Number(r.dataset.building)));
  check(JSON.stringify(order) === JSON.stringify(expected.map((e) => e.id)),
        `the ranking is ${order.join(", ")}, the API's figures give ${expected.map((e) => e.id).join(", ")}`);
  for (const [i, e] of expected.entries()) {
    const text = await ranking.nth(i).locator("td[data-eui]").evaluate((c) => c.firstChild.textContent);
    if (e.eui === null) check(text === "–", `${e.name} has no floor area but an intensity of ${text}`);
    else near(text, e.eui, e.eui, `${e.name}'s intensity`);
  }
  check(expected.at(-1).id === bare.id, `${bare.name}, without a floor area, is not last`);
  await screenshot(page, "energy-ranking-desktop.png", { fullPage: true });

  // A row leads to its building.
  const top = expected[0];
  await ranking.first().getByRole("link", { name: top.name }).click();
  await page.getByRole("heading", { name: top.name, level: 1 }).waitFor();
  check(new URL(page.url()).hash === `#/buildings/${top.id}`, `the first row led to ${page.url()}`);
}, { history: 400 });
