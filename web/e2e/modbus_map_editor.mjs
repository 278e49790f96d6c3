// The Modbus register-map editor with "read now": the simulated AHU served by
// the binary itself (`citypulse modbus plant`, support/modbus_plant.mjs) on
// loopback, a modbus_tcp device made through the API; the admin writes its
// map on the device's page (connection, channels added, duplicated and
// removed), "Read now" shows the plant's values and raw registers beside
// each row before anything is saved, a channel the plant refuses fails alone
// in its row, a field the server refuses is marked with the server's reason
// and fixed, then Save stores the map (If-Match on the second save) and the
// driver polls it. German at phone width; axe-clean throughout.
import { check, scenario } from "./harness.mjs";
import { startModbusPlant } from "./support/modbus_plant.mjs";
import { audit, noOverflow } from "./support/page_checks.mjs";

const binary = process.argv[process.argv.indexOf("--binary") + 1];

await scenario("modbus_map_editor", async ({ signIn, api, tokenOf, waitFor, screenshot, base }) => {
  const plant = await startModbusPlant(binary);
  try {
    const token = await tokenOf("admin@hechingen.demo");
    const building = (await api("/api/v1/buildings?limit=1000", {}, token)).items.find((b) => b.name === "Rathaus");
    check(building, "no Rathaus in the demo");
    const device = await api("/api/v1/devices", {
      method: "POST",
      body: JSON.stringify({ building_id: building.id, name: "E2E Modbus AHU", protocol: "modbus_tcp", status: "active" }),
    }, token);

    const page = await signIn("admin@hechingen.demo");
    await page.goto(`${base}/#/admin/devices/${device.id}`);
    const panel = page.locator(`section[data-driver="${device.id}"]`);
    await panel.getByRole("heading", { name: "Driver of “E2E Modbus AHU”" }).waitFor();
    await panel.getByText("No driver is configured for this device.").waitFor();
    const editor = panel.getByRole("form", { name: "Register map" });
    await editor.waitFor();

    // The connection, fast to give up on.
    const connection = editor.getByRole("group", { name: "Connection" });
    await connection.getByLabel("Address (IPv4 or host name)").fill("127.0.0.1");
    await connection.getByLabel("Port").fill(String(plant.port));
    await connection.getByLabel("Timeout per answer (ms)").fill("500");
    await connection.getByLabel("Retries").fill("0");
    await editor.getByRole("group", { name: "Poll groups" }).getByLabel("Interval (ms)").fill("1000");

    // Channels: two added by hand, one duplicated and changed, one added and removed.
    const add = editor.getByRole("button", { name: "Add channel" });
    const row = (i) => editor.locator(`tr[data-row="${i}"]`);
    const cell = (i, field) => row(i).locator(`[data-field="${field}"]`);
    await add.click();
    await cell(0, "channel").fill("setpoint");
    await cell(0, "type").selectOption("int16");
    await cell(0, "scale").fill("0.1");
    await editor.getByRole("button", { name: "Duplicate channel 1 (setpoint)" }).click();
    check((await cell(1, "channel").inputValue()) === "setpoint_copy", "the duplicate is not named setpoint_copy");
    check((await cell(1, "scale").inputValue()) === "0.1", "the duplicate did not keep the scale");
    await cell(1, "channel").fill("fan_setpoint");
    await cell(1, "address").fill("2");
    await cell(1, "type").selectOption("uint16");
    await cell(1, "scale").fill("");
    await add.click();
    await cell(2, "channel").fill("enable");
    await cell(2, "table").selectOption("coil");
    check(await cell(2, "type").count() === 0, "a coil still offers a type");
    await add.click();
    await cell(3, "channel").fill("doomed");
    await editor.getByRole("button", { name: "Remove channel 4 (doomed)" }).click();
    await add.click();
    await cell(3, "channel").fill("supply");
    await cell(3, "table").selectOption("input");
    await cell(3, "type").selectOption("int16");
    await cell(3, "scale").fill("0.1");
    check(await editor.locator("tr[data-row]").count() === 4, "not 4 rows after adding and removing");

    // Read now, unsaved: the plant's values and raw registers beside each row.
    const readNow = editor.getByRole("button", { name: "Read now" });
    const read = (i) => row(i).locator("td.read");
    await readNow.click();
    await waitFor("the values read", async () => (await read(0).getAttribute("data-read")) === "value", 15_000);
    await editor.getByText("4 channels read").waitFor();
    check(Number(await read(0).getAttribute("data-value")) === 20, `the setpoint reads ${await read(0).textContent()}`);
    check((await read(0).locator("code").textContent()) === "0x00C8", `the setpoint's raw is ${await read(0).textContent()}`);
    check(Number(await read(1).getAttribute("data-value")) === 60, `the fan setpoint reads ${await read(1).textContent()}`);
    check(Number(await read(2).getAttribute("data-value")) === 1, `the enable coil reads ${await read(2).textContent()}`);
    const supply = Number(await read(3).getAttribute("data-value"));
    check(supply > 0 && supply < 40, `the supply air reads ${supply}`);
    check((await api(`/api/v1/devices/${device.id}/driver`, {}, token).catch(() => null)) === null,
          "reading stored the map");
    await audit(page, "the map editor with values read (desktop)");
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, "admin-modbus-map-desktop.png", { fullPage: true });

    // A channel the plant refuses fails alone, in its row.
    await add.click();
    await cell(4, "channel").fill("nowhere");
    await cell(4, "address").fill("500");
    await readNow.click();
    await waitFor("the refused channel", async () => (await read(4).getAttribute("data-read")) === "error", 15_000);
    check(/illegal data address/.test(await read(4).textContent()), `the refused channel says ${await read(4).textContent()}`);
    check(Number(await read(0).getAttribute("data-value")) === 20, "the setpoint failed with the refused channel");
    await editor.getByRole("button", { name: "Remove channel 5 (nowhere)" }).click();

    // A field the server refuses: marked, with its reason, then fixed.
    await cell(1, "address").fill("70000");
    await readNow.click();
    const problem = editor.locator('[role="alert"][data-status="422"]');
    await problem.waitFor();
    const bad = cell(1, "address");
    await waitFor("the address marked", async () => (await bad.getAttribute("aria-invalid")) === "true", 5_000);
    const reason = editor.locator('[data-field-problem="/points/1/address"]');
    check(/address/.test(await reason.textContent()), `the reason shown is ${await reason.textContent()}`);
    check((await bad.getAttribute("aria-describedby")).includes(await reason.getAttribute("id")),
          "the field does not point to its reason");
    await audit(page, "the map editor with a refused field (desktop)");
    await bad.fill("2");
    await readNow.click();
    await waitFor("the fixed map read", async () => Number(await read(1).getAttribute("data-value")) === 60 &&
      (await problem.count()) === 0, 15_000);
    check((await bad.getAttribute("aria-invalid")) === null, "the fixed field is still marked");

    // Save: stored as edited, and the driver polls it.
    await editor.getByRole("button", { name: "Save" }).click();
    await editor.getByText("Saved (version 1).").waitFor();
    let stored = await api(`/api/v1/devices/${device.id}/driver`, {}, token);
    const doc = stored.document;
    check(doc.host === "127.0.0.1" && doc.port === plant.port && doc.timeout_ms === 500 && doc.retries === 0,
          `the stored connection is ${JSON.stringify(doc)}`);
    check(JSON.stringify(doc.points.map((p) => [p.channel, p.table, p.address, p.type ?? null])) ===
          JSON.stringify([["setpoint", "holding", 0, "int16"], ["fan_setpoint", "holding", 2, "uint16"],
                          ["enable", "coil", 0, null], ["supply", "input", 0, "int16"]]),
          `the stored points are ${JSON.stringify(doc.points)}`);
    check(doc.points[0].scale === 0.1 && doc.groups[0].interval_ms === 1000, `the stored map is ${JSON.stringify(doc)}`);
    await waitFor("the panel to say online", async () =>
      (await panel.locator(".driver-state").textContent()) === "online", 20_000);

    // A second save names the version it edited.
    await cell(2, "writable").check();
    await editor.getByRole("button", { name: "Save" }).click();
    await editor.getByText("Saved (version 2).").waitFor();
    stored = await api(`/api/v1/devices/${device.id}/driver`, {}, token);
    check(stored.version === 2 && stored.document.points[2].writable === true, `the second save stored ${JSON.stringify(stored)}`);

    // At phone width, in German: the stored map, read again.
    const phone = await signIn("admin@hechingen.demo", { width: 375, height: 740 });
    await phone.getByLabel("Language").selectOption("de");
    await phone.goto(`${base}/#/admin/devices/${device.id}`);
    const editorDe = phone.locator(`section[data-driver="${device.id}"]`).getByRole("form", { name: "Registerzuordnung" });
    await editorDe.waitFor();
    check(await editorDe.locator("tr[data-row]").count() === 4, "the German editor does not show the stored 4 channels");
    await editorDe.getByRole("button", { name: "Jetzt lesen" }).click();
    await editorDe.getByText("4 Kanäle gelesen").waitFor({ timeout: 15_000 });
    check(Number(await editorDe.locator('tr[data-row="0"] td.read').getAttribute("data-value")) === 20,
          "the German read does not show the setpoint");
    await noOverflow(phone, "the map editor at phone width");
    await audit(phone, "the map editor (phone, German)");
    await screenshot(phone, "admin-modbus-map-phone.png", { fullPage: true });
  } finally {
    await plant.close();
  }
});
