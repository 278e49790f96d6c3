// The main path: a viewer signs in, sees the map and sorts the buildings,
// opens a building, waits for a live value to change, draws a point's chart,
// narrows the points to a room of the spatial tree; an operator acknowledges
// and shelves an alarm and a second browser (the viewer) sees each change
// and then the alarm's history;
// screenshots at desktop and phone widths; the viewer signs out.
import { scenario } from "./harness.mjs";

await scenario("smoke", async ({ signIn, api, tokenOf, waitFor, screenshot }) => {
  const page = await signIn("viewer@hechingen.demo");
  await page.getByRole("link", { name: "Rathaus" }).waitFor();
  // The map shows every building (no tiles needed), the table sorts.
  // No tiles configured: markers and outlines on a plain background, nothing fetched from elsewhere.
  await waitFor("the map's markers", async () => (await page.locator(".map path.marker").count()) === 7, 30_000);
  await waitFor("the map's outlines", async () => (await page.locator(".map path.outline").count()) === 7, 30_000);
  if (await page.locator(".map img.leaflet-tile").count()) throw new Error("the map shows tiles nobody configured");
  await page.getByRole("button", { name: "Area (m²)" }).click();
  await page.getByRole("button", { name: "Area (m²)" }).click();  // largest first
  const first = await page.locator("tbody tr").first().locator("td").first().textContent();
  if (first !== "Gymnasium Hechingen") throw new Error(`sorted by area, the first is ${first}`);
  await screenshot(page, "buildings-desktop.png", { fullPage: true });

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
    .getByRole("button", { name: "Sitzungssaal", exact: true }).click();
  await page.getByRole("button", { name: "CO2 Sitzungssaal" }).waitFor();
  if (await page.getByRole("button", { name: "Außentemperatur" }).count())
    throw new Error("the room's table shows the outdoor temperature");
  await screenshot(page, "building-desktop.png");
  await page.setViewportSize({ width: 375, height: 740 });
  await screenshot(page, "building-phone.png");
  await page.setViewportSize({ width: 1280, height: 800 });

  // An alarm raised on purpose: a rule no outdoor temperature can pass.
  const admin = await tokenOf("admin@hechingen.demo");
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

  const viewer = await signIn("viewer@hechingen.demo");
  await viewer.getByRole("link", { name: "Alarms" }).click();
  const seen = viewer.locator(`tr[data-alarm="${alarm.id}"] td.state`);
  await waitFor("the viewer to see the alarm", async () => (await seen.textContent()) === "active unacknowledged", 30_000);
  if (await viewer.locator(`tr[data-alarm="${alarm.id}"] button`).count())
    throw new Error("a viewer is offered to acknowledge");

  const operator = await signIn("operator@hechingen.demo");
  await operator.getByRole("link", { name: "Alarms" }).click();
  await operator.locator(`tr[data-alarm="${alarm.id}"]`).getByRole("button", { name: "Acknowledge" }).click();
  await waitFor("the viewer to see the acknowledgement", async () => (await seen.textContent()) === "active acknowledged", 30_000);
  // Shelved for an hour with a reason: the viewer sees that too.
  await operator.locator(`tr[data-alarm="${alarm.id}"]`).getByRole("button", { name: "Shelve" }).click();
  await operator.getByLabel("Reason").fill("E2E maintenance");
  await operator.getByLabel("Duration").selectOption("1");
  await operator.locator("form.alarm-action").getByRole("button", { name: "Shelve" }).click();
  await waitFor("the viewer to see the shelving", async () => (await seen.textContent()) === "shelved", 30_000);
  await screenshot(operator, "alarms-desktop.png");
  // The history lists it with what happened to it, oldest first.
  await viewer.getByRole("link", { name: "History" }).click();
  await viewer.getByRole("button", { name: `Show history: ${alarm.message}` }).first().click();
  const notes = viewer.locator("tr.notes li");
  await waitFor("the alarm's history", async () => (await notes.count()) >= 3, 10_000);
  const told = (await notes.allTextContents()).join(" | ");
  for (const kind of ["raised", "acknowledged", "shelved"])
    if (!told.includes(kind)) throw new Error(`the alarm's history lacks ${kind}: ${told}`);
  await screenshot(viewer, "alarm-history-desktop.png");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
});
