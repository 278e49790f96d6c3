// Charts over much data: a point with a year of five-minute readings
// (105,120, imported) is charted for the year, zoomed by dragging across the
// chart (finer buckets come for the narrower window), and compared with a
// second point on the same chart; the live table shows each point's quality
// and its last day as a sparkline. Prints how long the year and the zoom
// took to appear (docs/benchmarks.md).
import { scenario } from "./harness.mjs";

const READINGS = 105_120;

await scenario("chart", async ({ signIn, api, tokenOf, base, waitFor, screenshot }) => {
  const admin = await tokenOf("admin@hechingen.demo");
  const buildings = (await api("/api/v1/buildings?limit=1000", {}, admin)).items;
  const rathaus = buildings.find((b) => b.name === "Rathaus");
  const point = await api("/api/v1/points", {
    method: "POST",
    body: JSON.stringify({ building_id: rathaus.id, name: "E2E Vorlauf dicht", key: "e2e.dense_flow",
                           kind: "sensor", quantity: "temperature", unit: "°C" }),
  }, admin);
  const end = Math.floor(Date.now() / 300_000) * 300_000;
  const rows = [];
  for (let i = READINGS; i > 0; --i) {
    const t = end - i * 300_000;
    rows.push(`${t},${(55 + 10 * Math.sin(t / 86_400_000 * 2 * Math.PI) + 8 * Math.cos(t / 31_536_000_000 * 2 * Math.PI)).toFixed(2)}`);
  }
  const imported = await fetch(`${base}/api/v1/points/${point.id}/import`, {
    method: "POST",
    headers: { "Content-Type": "text/csv", Authorization: `Bearer ${admin}` },
    body: rows.join("\n"),
  });
  const answer = await imported.json();
  if (answer.imported !== READINGS) throw new Error(`imported ${JSON.stringify(answer)}`);

  const page = await signIn("energy@hechingen.demo");
  await page.getByRole("link", { name: "Rathaus" }).click();
  await page.getByRole("heading", { name: "Points" }).waitFor();
  // The table: quality and a sparkline of the last day for points with readings.
  await waitFor("a quality", async () => (await page.locator("table.live-points td", { hasText: /^good$/ }).count()) > 0, 60_000);
  await waitFor("sparklines", async () => (await page.locator("svg.sparkline").count()) > 0, 30_000);

  await page.getByRole("button", { name: "E2E Vorlauf dicht" }).click();
  const plot = page.locator("figure.chart .plot");
  await waitFor("the day's chart", async () => Number(await plot.getAttribute("data-buckets")) > 0, 30_000);
  const bucketLabel = page.locator("figure.chart .bucket");
  const started = Date.now();
  await page.getByRole("button", { name: "Year", exact: true }).click();
  await waitFor("the year's chart", async () => /Average per (1d|12h|8h|6h)/.test(await bucketLabel.textContent()), 30_000);
  const yearMs = Date.now() - started;
  const yearBuckets = Number(await plot.getAttribute("data-buckets"));
  if (yearBuckets < 300) throw new Error(`the year drew ${yearBuckets} buckets`);
  const yearBucket = await bucketLabel.textContent();

  // Drag across a fiftieth of the chart: about a week, in finer buckets.
  const over = page.locator("figure.chart .u-over");
  const box = await over.boundingBox();
  const x0 = box.x + box.width * 0.9;
  const zoomStarted = Date.now();
  await page.mouse.move(x0, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(x0 + box.width / 50, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await waitFor("the zoomed chart", async () => (await bucketLabel.textContent()) !== yearBucket, 30_000);
  const zoomMs = Date.now() - zoomStarted;
  await page.getByRole("button", { name: "Reset zoom" }).waitFor();
  if (!/Average per (5m|10m|15m|30m|1h)/.test(await bucketLabel.textContent()))
    throw new Error(`zoomed to a week, the chart shows ${await bucketLabel.textContent()}`);

  // A second point on the same chart: two lines, two units' axes.
  await page.getByRole("checkbox", { name: "In the chart: Außentemperatur" }).check();
  await waitFor("two series", async () => (await page.locator("figure.chart .u-legend .u-series").count()) === 3, 30_000);
  await screenshot(page, "chart-desktop.png");
  console.log(`chart: a year of ${READINGS} readings drawn in ${yearMs} ms (${yearBuckets} buckets of ${yearBucket.replace("Average per ", "")}); zoomed to a week in ${zoomMs} ms`);
});
