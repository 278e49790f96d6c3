// The energy pages against the consumption API, in a demo town with 400
// days of history (so that a month and a year have the same period a year
// earlier to be compared with): the overview's tiles show what the API says
// of today and this month; the energy page draws a month beside the same
// month a year earlier, its table and totals agree with the API, it steps a
// period back and forth, switches medium, building and to a year; the
// ranking by energy use intensity is the benchmarks API's, figure by figure
// (normalised, else raw and marked so with why, worded from its reason code
// in English and German, one building's weather point taken out for a
// second reason; incomplete where a year lacks hours, as the earlier one
// does, with the share of hours known; each building against its type's
// median, two of a type made for it; filtered by type; a building without a
// floor area last), and its rows lead to their buildings. Screenshots at
// desktop and phone widths.
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

// How the page begins each reason code's words; the server's sentence
// follows only where the code cannot say it all.
const NOT_NORMALISED = {
  en: { no_heating_meter: "No heat or gas meter", no_weather_point: "No outdoor temperature point",
        no_degree_days: "No degree days", no_heating_signal: "The heating does not follow" },
  de: { no_heating_meter: "Kein Wärme- oder Gaszähler", no_weather_point: "Kein Außentemperatur-Datenpunkt",
        no_degree_days: "Keine Gradtage", no_heating_signal: "Die Heizung folgt den Gradtagen nicht" },
};

// A raw figure's reason as the page words it in a language, from the
// API's code.
async function checkNotNormalised(mark, b, lang) {
  const period = b.current;
  const why = await mark.locator("p").textContent();
  const detailed = period.not_normalised_reason === "no_heating_signal";
  check(await mark.getAttribute("data-reason") === period.not_normalised_reason &&
        why.startsWith(NOT_NORMALISED[lang][period.not_normalised_reason]) && why.includes(period.not_normalised) === detailed,
        `${b.name} is not normalised because of ${period.not_normalised_reason} ("${period.not_normalised}"), the page says "${why}" in ${lang}`);
}

// Takes a building's outdoor temperature point out of its energy settings
// (read with their version, written back under If-Match as the API
// requires): its heating can no longer be normalised.
async function dropWeatherPoint(base, token, building) {
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const url = `${base}/api/v1/buildings/${building}/energy`;
  const read = await fetch(url, { headers });
  check(read.ok, `GET ${url}: ${read.status}`);
  const { building_id, version, updated_at, outdoor_temperature_point, ...document } = await read.json();
  check(outdoor_temperature_point, `building ${building} has no outdoor temperature point to take out`);
  const written = await fetch(url, { method: "PUT", headers: { ...headers, "If-Match": read.headers.get("ETag") },
                                     body: JSON.stringify(document) });
  check(written.ok, `PUT ${url}: ${written.status} ${await written.text()}`);
}

// The share of a period's hours known as the page says it, rounded down.
function knownShare(period) {
  const share = Math.floor((1000 * (period.hours - period.unknown_hours)) / period.hours) / 10;
  return `${share.toLocaleString("en-GB", { minimumFractionDigits: 1, maximumFractionDigits: 1 })} %`;
}

// The ranking's rows against the benchmarks API's buildings they show: the
// rank among those with a figure, the figure ranked by (normalised, else raw
// and marked so, with why), the raw figure, the change on the year before
// (normalised where both years are), a figure from a year with hours
// unknown marked incomplete with the share known and the hours short, and
// the building against its type's median (itself the median of the type's
// figures).
async function checkRanking({ ranking, benchmarks, rows }) {
  const firstText = (cell) => cell.evaluate((e) => e.firstChild?.textContent ?? "");
  const hours = (h) => `${h.toLocaleString("en-GB")} h`;
  const rankedBy = (b) => b.current.eui_normalised ?? b.current.eui;
  let rank = 0;
  for (const [i, b] of rows.entries()) {
    const row = ranking.nth(i);
    const cell = (name) => row.locator(`td[data-${name}]`);
    const figure = rankedBy(b);
    if (figure !== null) rank += 1;
    const rankShown = await row.locator("td").first().textContent();
    check(rankShown === (figure === null ? "–" : String(rank)), `${b.name} is ranked ${rankShown}, not ${figure === null ? "–" : rank}`);

    // The figure ranked by, marked where raw, with why.
    const eui = cell("eui");
    if (figure === null) check(await firstText(eui) === "–", `${b.name} has no intensity but shows ${await firstText(eui)}`);
    else near(await firstText(eui), figure, figure, `${b.name}'s intensity`);
    const raw = b.current.eui_normalised === null && b.current.eui !== null;
    const mark = eui.locator("details.not-normalised");
    check((await mark.count() === 1) === raw, `${b.name}'s intensity is ${raw ? "not " : ""}marked not normalised`);
    if (raw) {
      await mark.locator("summary").click();
      await checkNotNormalised(mark, b, "en");
    }
    const incomplete = async (where, periods) => {
      const marks = where.locator("[data-incomplete]");
      const short = periods.filter((p) => p.unknown_hours > 0);
      check((await marks.count() > 0) === short.length > 0, `${b.name}'s ${await where.getAttribute("class")} figure is ${short.length ? "not " : ""}marked incomplete`);
      if (short.length === 0) return;
      const said = await marks.textContent();
      for (const p of short)
        check(said.includes(`${knownShare(p)} of`) && said.includes(hours(p.unknown_hours)),
              `${b.name}'s incomplete mark "${said}" does not say ${knownShare(p)} of ${p.hours} h known, ${hours(p.unknown_hours)} without readings`);
    };
    if (figure !== null) await incomplete(eui, [b.current]);

    // The raw figure; the change on the year before.
    const rawShown = await firstText(cell("raw"));
    if (b.current.eui === null) check(rawShown === "–", `${b.name} has no raw intensity but shows ${rawShown}`);
    else near(rawShown, b.current.eui, b.current.eui, `${b.name}'s raw intensity`);
    const change = b.change_normalised ?? b.change;
    const changeCell = cell("change");
    if (change === null) check(await firstText(changeCell) === "–", `${b.name} has no change but shows ${await firstText(changeCell)}`);
    else {
      near(await firstText(changeCell), 100 * change, 100 * change, `${b.name}'s change on the year before`);
      check(await changeCell.getAttribute("data-normalised") === String(b.change_normalised !== null), `${b.name}'s change is not the API's normalised one`);
      await incomplete(changeCell, [b.current, b.previous]);
    }

    // Against the type's median.
    const typeCell = row.locator(`td[data-type="${b.type}"]`);
    check(await typeCell.count() === 1, `${b.name}'s type is not ${b.type}`);
    check(!(await firstText(typeCell)).includes("_"), `${b.name}'s type is shown as its code`);
    const type = benchmarks.types.find((k) => k.type === b.type);
    const against = typeCell.locator("[data-against-median]");
    if (figure === null) {
      check(await against.count() === 0, `${b.name} has no intensity but is compared with its type`);
      continue;
    }
    const figures = benchmarks.buildings.filter((o) => o.type === b.type).map(rankedBy).filter((v) => v !== null).sort((x, y) => x - y);
    const middle = figures.length % 2 ? figures[(figures.length - 1) / 2] : (figures[figures.length / 2 - 1] + figures[figures.length / 2]) / 2;
    check(type.buildings === figures.length && Math.abs(type.median_eui - middle) < 1e-6 * middle,
          `the API's median of ${b.type} is ${type.median_eui} of ${type.buildings}, its buildings' ${middle} of ${figures.length}`);
    const said = await against.textContent();
    if (type.buildings < 2) {
      check(said === "the only building of its type", `${b.name}, alone of its type, is compared: "${said}"`);
      continue;
    }
    const m = /^(\S+ %) vs\. the median of ([\d.,]+) \((\d+) buildings\)$/.exec(said);
    check(m, `${b.name}'s comparison with its type says "${said}"`);
    const off = 100 * (figure / type.median_eui - 1);
    near(m[1], off, off, `${b.name} against the median of ${b.type}`);
    near(m[2], type.median_eui, type.median_eui, `the median of ${b.type}`);
    check(Number(m[3]) === type.buildings, `the type ${b.type} has ${type.buildings} buildings, the page says ${m[3]}`);
  }
}

await scenario("energy", async ({ signIn, api, tokenOf, waitFor, screenshot, base }) => {
  const token = await tokenOf(USER);
  const admin = await tokenOf("admin@hechingen.demo");
  const consumption = (q) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) query.set(k, v instanceof Date ? v.toISOString() : String(v));
    return api(`/api/v1/analytics/consumption?${query}`, {}, token);
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
  await comparison.getByLabel("Medium").selectOption("heat");
  await compare("all", "heat", "month", year, month);
  const buildings = (await api("/api/v1/buildings?limit=500", {}, token)).items;
  const settings = await Promise.all(buildings.map((b) =>
    api(`/api/v1/buildings/${b.id}/energy`, {}, token).catch(() => ({}))));
  const district = buildings.find((_, i) => settings[i].tariffs?.heat);
  check(district, "no building of the demo has a heat tariff");
  await comparison.getByLabel("Building").selectOption({ label: district.name });
  const heat = await compare(district.id, "heat", "month", year, month);
  check(heat.current.series[0].currency === "EUR" && heat.current.series[0].co2_kg_total != null,
        `${district.name}'s heat has no cost or no CO2`);
  await comparison.getByLabel("Medium").selectOption("gas");
  const gas = await compare(district.id, "gas", "month", year, month);
  check(gas === null, `${district.name} has district heat and a gas meter`);

  // Electricity of a year beside the year before: twelve months.
  await comparison.getByLabel("Medium").selectOption("electricity");
  await page.getByRole("group", { name: "Period", exact: true }).getByRole("button", { name: "Year" }).click();
  const years = await compare(district.id, "electricity", "year", year, 0);
  check(years.current.series[0].buckets.length === 12, "a year of other than twelve months");
  await page.setViewportSize({ width: 375, height: 740 });
  await screenshot(page, "energy-phone.png", { fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  // ---- the ranking by energy use intensity, as the benchmarks API's ----
  // One building without a floor area: it comes last, with "–". Two of a
  // type (one weather-normalised, one not), so that the type's median is
  // not a building's own figure.
  const bare = buildings.find((b) => b.id !== district.id && b.gross_floor_area_m2);
  await api(`/api/v1/buildings/${bare.id}`, { method: "PATCH", body: JSON.stringify({ gross_floor_area_m2: null }) }, admin);
  const initial = await api("/api/v1/analytics/benchmarks", {}, token);
  const peers = [true, false].map((normalised) =>
    initial.buildings.find((b) => b.building_id !== bare.id && (b.current.eui_normalised !== null) === normalised));
  check(peers.every(Boolean), "the demo has no building both with and one without a normalised EUI");
  await api(`/api/v1/buildings/${peers[1].building_id}`, { method: "PATCH", body: JSON.stringify({ type: peers[0].type }) }, admin);
  // A third heated one without its weather point: raw for another reason.
  const unweathered = initial.buildings.find((b) => b.current.eui_normalised !== null && b.building_id !== peers[0].building_id);
  check(unweathered, "the demo has no second building with a normalised EUI");
  await dropWeatherPoint(base, admin, unweathered.building_id);
  await page.reload();
  await page.getByRole("heading", { name: "Energy use intensity" }).waitFor();
  const ranking = page.locator("table.eui-ranking tbody tr");
  await ranking.first().waitFor();
  const benchmarks = await api("/api/v1/analytics/benchmarks", {}, token);
  const reasons = new Set(benchmarks.buildings.map((b) => b.current.not_normalised_reason).filter(Boolean));
  check(reasons.has("no_heating_meter") && reasons.has("no_weather_point"),
        `the ranking has the reasons ${[...reasons]}, not both no heating meter and no weather point`);
  const shownRows = async (types) => {
    const expected = benchmarks.buildings.filter((b) => !types || types.includes(b.type));
    await waitFor("the ranking's rows", async () => (await ranking.count()) === expected.length, 10_000);
    const order = await ranking.evaluateAll((rows) => rows.map((r) => Number(r.dataset.building)));
    check(JSON.stringify(order) === JSON.stringify(expected.map((b) => b.building_id)),
          `the ranking is ${order.join(", ")}, the API's ${expected.map((b) => b.building_id).join(", ")}`);
    return expected;
  };
  await checkRanking({ page, ranking, benchmarks, rows: await shownRows(null) });
  check(benchmarks.buildings.at(-1).building_id === bare.id && benchmarks.buildings.at(-1).current.eui === null,
        `${bare.name}, without a floor area, is not last`);
  check(benchmarks.buildings.some((b) => b.previous.unknown_hours > 0),
        "no building's year before lacks hours: the demo's 400 days should reach only partly into it");
  const shared = benchmarks.types.find((k) => k.type === peers[0].type);
  check(shared.buildings === 2 && shared.normalised === 1, `the type ${shared.type} is not the two peers: ${JSON.stringify(shared)}`);
  await screenshot(page, "energy-ranking-desktop.png", { fullPage: true });
  await page.setViewportSize({ width: 375, height: 740 });
  await page.locator("section.eui").scrollIntoViewIfNeeded();
  await screenshot(page, "energy-ranking-phone.png", { fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  // Filtered by the peers' type: the two, ranked 1 and 2.
  await page.getByLabel("Building type").selectOption(shared.type);
  await checkRanking({ page, ranking, benchmarks, rows: await shownRows([shared.type]) });
  await page.getByLabel("Building type").selectOption("");
  await shownRows(null);

  // In German: the words, the marks, the type's name and the comparison
  // with the median in German figures.
  await page.getByLabel("Language").selectOption("de");
  await page.getByRole("heading", { name: "Energiekennwert" }).waitFor();
  const german = (text) => Number(text.replaceAll(".", "").replace(",", ".").replace("−", "-"));
  const rawCount = benchmarks.buildings.filter((b) => b.current.eui_normalised === null && b.current.eui !== null).length;
  check(await page.locator("details.not-normalised summary", { hasText: "nicht bereinigt" }).count() === rawCount,
        `not ${rawCount} figures are marked "nicht bereinigt"`);
  for (const b of benchmarks.buildings.filter((b) => b.current.eui_normalised === null && b.current.eui !== null))
    await checkNotNormalised(page.locator(`tr[data-building="${b.building_id}"] td[data-eui] details.not-normalised`), b, "de");
  const short = benchmarks.buildings.find((b) => b.change !== null && b.previous.unknown_hours > 0);
  check(short, "no building with a change on the year before lacks hours in it");
  const shortSaid = await page.locator(`tr[data-building="${short.building_id}"] td[data-change] [data-incomplete]`).textContent();
  check(shortSaid.includes("im Vorjahr") && shortSaid.includes(`${knownShare(short.previous).replace(".", ",")} der Stunden bekannt`),
        `${short.name}'s year before is marked "${shortSaid}" in German, not with ${knownShare(short.previous)} of its hours known`);
  for (const b of benchmarks.buildings.filter((b) => b.type === shared.type)) {
    const said = await page.locator(`tr[data-building="${b.building_id}"] [data-against-median]`).textContent();
    const m = /^(\S+) % zum Median ([\d.,]+) \(2 Gebäude\)$/.exec(said);
    const off = 100 * ((b.current.eui_normalised ?? b.current.eui) / shared.median_eui - 1);
    check(m && Math.abs(german(m[1]) - off) <= 0.05 + 1e-9 && Math.abs(german(m[2]) - shared.median_eui) <= 0.05 + 1e-9,
          `${b.name} against its type's median says "${said}" in German, not ${off.toFixed(1)} % of ${shared.median_eui.toFixed(1)}`);
  }
  const hall = benchmarks.buildings.find((b) => b.type === "town_hall");
  if (hall) {
    const typeShown = await page.locator(`tr[data-building="${hall.building_id}"] td[data-type]`).evaluate((e) => e.firstChild.textContent);
    check(typeShown === "Rathaus", `a town hall's type is "${typeShown}" in German`);
  }
  await page.getByLabel("Sprache").selectOption("en");
  await page.getByRole("heading", { name: "Energy use intensity" }).waitFor();

  // A row leads to its building.
  const top = benchmarks.buildings[0];
  await ranking.first().getByRole("link", { name: top.name }).click();
  await page.getByRole("heading", { name: top.name, level: 1 }).waitFor();
  check(new URL(page.url()).hash === `#/buildings/${top.building_id}`, `the first row led to ${page.url()}`);
}, { history: 400 });
