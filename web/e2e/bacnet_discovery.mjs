// BACnet discovery with one-click commissioning: a Node BACnet/IP device
// (support/bacnet_device.mjs) on loopback; the admin finds it from the
// administration, sees its objects with their names, units and whether
// they are writable, and makes its points, the bacnet_ip device and its
// driver document with one click. The API then holds exactly what the page
// said it made; the server polls the device, its values arrive as readings
// of the new points, and the device's Driver panel shows "online" with
// the document. A bad target is refused with the words for the target
// field (English and German). axe-clean at desktop and phone widths.
import { check, scenario } from "./harness.mjs";
import { startBacnetDevice } from "./support/bacnet_device.mjs";
import { audit, noOverflow } from "./support/page_checks.mjs";

// What each object of the fake device must become.
const EXPECTED = {
  "analog-input:1": { name: "Supply air temperature", unit: "°C", writable: "no", kind: "sensor", quantity: "temperature", value: 21.5 },
  "analog-value:1": { name: "Supply setpoint", unit: "°C", writable: "yes", kind: "setpoint", quantity: "temperature", value: 19 },
  "binary-input:1": { name: "Fan status", unit: "", writable: "no", kind: "status", quantity: "state", value: 1 },
};

await scenario("bacnet_discovery", async ({ signIn, api, tokenOf, waitFor, screenshot }) => {
  const device = await startBacnetDevice({ instance: 260001, name: "E2E AHU 1" });
  try {
    const token = await tokenOf("admin@hechingen.demo");
    const building = (await api("/api/v1/buildings?limit=1000", {}, token)).items.find((b) => b.name === "Rathaus");
    check(building, "no Rathaus in the demo");
    const target = `127.0.0.1:${device.port}`;

    const page = await signIn("admin@hechingen.demo");
    await page.getByRole("link", { name: "Administration" }).click();
    await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "BACnet discovery" }).click();
    await page.getByRole("heading", { name: "Discover BACnet devices", level: 2 }).waitFor();
    const form = page.getByRole("form", { name: "Discover BACnet devices" });
    const targetField = form.getByLabel("Target (HOST:PORT)");

    // A bad target: the server's 422 names the field, the page says it in words beside it.
    const refused = await fetch(`${new URL(page.url()).origin}/api/v1/drivers/bacnet/discover`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ target: "no-port-here" }),
    });
    check(refused.status === 422, `a bad target answered ${refused.status}`);
    check(/target/.test((await refused.json()).invalid_params?.[0]?.name ?? ""), "the 422 does not name the target");
    await targetField.fill("no-port-here");
    await form.getByRole("button", { name: "Discover" }).click();
    const problem = page.locator("#discover-problem");
    await problem.getByText("The target is not a valid address").waitFor();
    check(await targetField.getAttribute("aria-invalid") === "true", "the target field is not marked invalid");
    check(await targetField.getAttribute("aria-describedby") === "discover-problem", "the target field does not point to its error");
    check((await problem.getAttribute("data-status")) === "422", "the problem shown is not the 422");
    await audit(page, "discovery with a refused target (desktop)");

    // The device found, with its objects as the device declares them.
    await targetField.fill(target);
    await form.getByLabel("Instances from (optional)").fill("260000");
    await form.getByLabel("Instances to (optional)").fill("260010");
    await form.getByLabel("Wait (ms)").fill("1000");
    await form.getByRole("button", { name: "Discover" }).click();
    await page.getByText("1 device found.").waitFor({ timeout: 30_000 });
    check(await problem.count() === 0, "the earlier error is still shown");
    check(await targetField.getAttribute("aria-invalid") === null, "the target is still marked invalid");
    const card = page.locator('article[data-instance="260001"]');
    await card.getByRole("heading", { name: "E2E AHU 1" }).waitFor();
    check((await card.locator('[data-field="address"]').textContent()) === target,
          `the address shown is ${await card.locator('[data-field="address"]').textContent()}`);
    const rows = card.locator("tr[data-object]");
    check(await rows.count() === 3, `${await rows.count()} objects listed, not 3`);
    for (const [object, e] of Object.entries(EXPECTED)) {
      const cells = await card.locator(`tr[data-object="${object}"] td`).allTextContents();
      check(cells[1] === object && cells[2] === e.name && cells[3] === (e.unit || "–") && cells[4] === e.writable,
            `${object} is listed as ${JSON.stringify(cells)}`);
      check(cells[5].startsWith(e.kind) && cells[5].includes(e.quantity), `${object} becomes ${cells[5]}`);
      check(await card.getByRole("checkbox", { name: `Take ${object} ${e.name}` }).isChecked(), `${object} is not preselected`);
    }
    await audit(page, "discovery with a device found (desktop)");
    await screenshot(page, "admin-bacnet-discovery-desktop.png", { fullPage: true });

    // Without a building, nothing is made.
    const create = card.getByRole("button", { name: "Create device and points for “E2E AHU 1”" });
    await create.click();
    await card.getByText("Choose a building first.").waitFor();

    // One click: the points, the device, its driver document.
    await card.getByLabel("Building").selectOption({ label: "Rathaus" });
    await create.click();
    const done = card.getByRole("group", { name: "“E2E AHU 1” is set up." });
    await done.waitFor({ timeout: 30_000 });
    await done.getByText("3 points, the device and its driver document").waitFor();
    const shownPoints = await done.locator("li[data-point]").evaluateAll((items) =>
      items.map((li) => ({ id: Number(li.dataset.point), object: li.querySelector("code").textContent,
                           name: li.querySelector("a").textContent, href: li.querySelector("a").getAttribute("href") })));
    check(shownPoints.length === 3, `the result lists ${shownPoints.length} points`);

    // The API holds what the page said.
    const made = (await api("/api/v1/devices?limit=1000", {}, token)).items.filter((d) => d.serial === "260001");
    check(made.length === 1, `${made.length} devices with serial 260001`);
    const [stored] = made;
    check(stored.protocol === "bacnet_ip" && stored.status === "active" && stored.building_id === building.id &&
          stored.name === "E2E AHU 1", `the device is ${JSON.stringify(stored)}`);
    check(stored.channels.length === 3, `the device has ${stored.channels.length} channels`);
    for (const shown of shownPoints) {
      const e = EXPECTED[shown.object];
      check(e, `a point for ${shown.object}, which the device does not have`);
      const channel = stored.channels.find((c) => c.channel === shown.object);
      check(channel?.point_id === shown.id, `channel ${shown.object} feeds ${channel?.point_id}, the page says ${shown.id}`);
      const point = await api(`/api/v1/points/${shown.id}`, {}, token);
      check(point.name === e.name && shown.name === e.name && point.kind === e.kind && point.quantity === e.quantity &&
            point.unit === e.unit && point.building_id === building.id, `point of ${shown.object}: ${JSON.stringify(point)}`);
      check(shown.href === `#/buildings/${building.id}?points=${shown.id}`, `the link to ${shown.object} is ${shown.href}`);
    }
    const driver = await api(`/api/v1/devices/${stored.id}/driver`, {}, token);
    const doc = driver.document;
    check(driver.protocol === "bacnet_ip" && doc.address === target && doc.device_instance === 260001,
          `the driver document is ${JSON.stringify(doc)}`);
    check(doc.groups.length === 1 && doc.groups[0].interval_ms === 60_000, `the groups are ${JSON.stringify(doc.groups)}`);
    check(doc.points.length === 3 && doc.points.every((p) =>
      stored.channels.some((c) => c.channel === p.channel) && p.object === p.channel &&
      (p.property ?? "present-value") === "present-value" && p.group === doc.groups[0].name),
          `the driver's points are ${JSON.stringify(doc.points)}`);

    // The server polls the device: its values arrive in the new points.
    const since = new Date(Date.now() - 3_600_000).toISOString();
    for (const shown of shownPoints)
      await waitFor(`a reading of ${shown.object} (${EXPECTED[shown.object].value})`, async () => {
        const r = await api(`/api/v1/points/${shown.id}/readings?from=${encodeURIComponent(since)}`, {}, token);
        return r.items.length > 0 && r.items.every((x) => x.value === EXPECTED[shown.object].value);
      }, 20_000);
    check(device.requests.readProperty > 0, "the fake device was never read");

    // The device's page: its Driver panel says online, with the document.
    await done.getByRole("link", { name: "Open the device and its driver status" }).click();
    const panel = page.locator(`section[data-driver="${stored.id}"]`);
    await panel.getByRole("heading", { name: "Driver of “E2E AHU 1”" }).waitFor();
    await waitFor("the Driver panel to say online", async () =>
      (await panel.locator(".driver-state").textContent()) === "online", 20_000);
    const status = await api(`/api/v1/devices/${stored.id}/driver/status`, {}, token);
    check(status.status === "online" && status.readings >= 3, `the driver status is ${JSON.stringify(status)}`);
    const readingsShown = Number((await panel.locator('[data-field="readings"]').textContent()).replace(/\D/g, ""));
    check(readingsShown >= 3 && readingsShown <= status.readings, `the panel shows ${readingsShown} readings, the API ${status.readings}`);
    check((await panel.locator('[data-field="last_poll"]').textContent()) !== "never", "no last poll shown");
    const shownDoc = JSON.parse(await panel.locator("pre.document").textContent());
    check(JSON.stringify(shownDoc) === JSON.stringify(doc), `the panel's document differs from the API's: ${JSON.stringify(shownDoc)}`);
    await audit(page, "the device's driver panel (desktop)");
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, "admin-device-driver-desktop.png");

    // At phone width, in German: discovery again (the device is found
    // again), a bad target in German words, no overflow, axe-clean.
    const phone = await signIn("admin@hechingen.demo", { width: 375, height: 740 });
    await phone.getByLabel("Language").selectOption("de");
    await phone.goto(`${new URL(phone.url()).origin}/#/admin/bacnet`);
    await phone.getByRole("heading", { name: "BACnet-Geräte suchen", level: 2 }).waitFor();
    const formDe = phone.getByRole("form", { name: "BACnet-Geräte suchen" });
    await formDe.getByLabel("Ziel (HOST:PORT)").fill("kein-ziel");
    await formDe.getByRole("button", { name: "Suchen" }).click();
    await phone.locator("#discover-problem").getByText("Das Ziel ist keine gültige Adresse").waitFor();
    await audit(phone, "discovery with a refused target (phone, German)");
    await formDe.getByLabel("Ziel (HOST:PORT)").fill(target);
    await formDe.getByLabel("Wartezeit (ms)").fill("1000");
    await formDe.getByRole("button", { name: "Suchen" }).click();
    await phone.getByText("1 Gerät gefunden.").waitFor({ timeout: 30_000 });
    await phone.locator('article[data-instance="260001"] tr[data-object="analog-input:1"]').waitFor();
    await noOverflow(phone, "discovery at phone width");
    await audit(phone, "discovery with a device found (phone, German)");
    await screenshot(phone, "admin-bacnet-discovery-phone.png", { fullPage: true });
    await phone.goto(`${new URL(phone.url()).origin}/#/admin/devices/${stored.id}`);
    const panelDe = phone.locator(`section[data-driver="${stored.id}"]`);
    await panelDe.getByRole("heading", { name: "Treiber von „E2E AHU 1“" }).waitFor();
    await waitFor("the German panel to say online", async () =>
      (await panelDe.locator(".driver-state").textContent()) === "online", 20_000);
    await noOverflow(phone, "the driver panel at phone width");
    await audit(phone, "the device's driver panel (phone, German)");
  } finally {
    await device.close();
  }
});
