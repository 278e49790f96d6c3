// The command dialog against a device that really answers: the simulated
// AHU served by the binary itself (support/modbus_plant.mjs, answering a
// little slowly, as a real gateway does) behind a modbus_tcp device made
// through the API, whose writable holding register 0 (supply air setpoint,
// 10.0..35.0 °C) feeds a setpoint point and whose enable coil feeds an
// on/off command point. The operator opens the point on the building's
// page, sends 22.5 °C for an hour and sees it pending, then confirmed with
// the value the plant reads back (the plant holds it: read through the
// API); the point's recent commands list it, and "Release" ends the
// override, which gives the plant its 20 °C back. Out of range (50 °C) is
// refused by the server and shown on the value field with its reason,
// nothing sent. The coil is switched off with the on/off choice. A viewer
// (no control:write) sees no Command… button. axe-clean with the dialog
// open; German at phone width.
import { check, scenario } from "./harness.mjs";
import { startModbusPlant } from "./support/modbus_plant.mjs";
import { audit, noOverflow } from "./support/page_checks.mjs";

const binary = process.argv[process.argv.indexOf("--binary") + 1];

await scenario("command_dialog", async ({ signIn, api, tokenOf, waitFor, screenshot, base }) => {
  const plant = await startModbusPlant(binary, { replyDelayMs: 300 });
  try {
    // ---- the plant behind a device, made through the API as the admin ----
    const admin = await tokenOf("admin@hechingen.demo");
    const building = (await api("/api/v1/buildings?limit=1000", {}, admin)).items.find((b) => b.name === "Rathaus");
    check(building, "no Rathaus in the demo");
    const post = (path, body) => api(path, { method: "POST", body: JSON.stringify(body) }, admin);
    const setpoint = await post("/api/v1/points", {
      building_id: building.id, name: "E2E Zuluft-Sollwert", kind: "setpoint", quantity: "temperature", unit: "°C",
      min_value: 10, max_value: 35,
    });
    const enable = await post("/api/v1/points", {
      building_id: building.id, name: "E2E Anlage frei", kind: "command", quantity: "state", unit: "", min_value: 0, max_value: 1,
    });
    const device = await post("/api/v1/devices", {
      building_id: building.id, name: "E2E Modbus AHU", protocol: "modbus_tcp", status: "active",
      channels: [{ channel: "setpoint", point_id: setpoint.id }, { channel: "enable", point_id: enable.id }],
    });
    const map = {
      host: "127.0.0.1", port: plant.port, timeout_ms: 2000, retries: 0,
      groups: [{ name: "default", interval_ms: 5000 }],
      points: [
        { channel: "setpoint", table: "holding", address: 0, type: "int16", scale: 0.1, writable: true },
        { channel: "enable", table: "coil", address: 0, writable: true },
      ],
    };
    await api(`/api/v1/devices/${device.id}/driver`, { method: "PUT", body: JSON.stringify(map) }, admin);
    // The plant's setpoint as it holds it now, read through the API.
    const plantHolds = async (channel) =>
      (await post(`/api/v1/devices/${device.id}/driver/read`, { document: map })).channels.find((c) => c.channel === channel)?.value;
    // The first reading, so that an override has a value to give back.
    await waitFor("the setpoint's first reading", async () =>
      (await api(`/api/v1/points/${setpoint.id}/latest`, {}, admin)).latest?.value === 20, 30_000);
    const commandsOf = async (point) => (await api(`/api/v1/points/${point}/commands?limit=50`, {}, admin)).items;

    // ---- the operator opens the point and commands 22.5 °C for an hour ----
    const page = await signIn("operator@hechingen.demo");
    await page.goto(`${base}/#/buildings/${building.id}`);
    await page.getByRole("heading", { name: "Points" }).waitFor();
    const open = page.getByRole("button", { name: "Command… E2E Zuluft-Sollwert" });
    await open.click();
    const dialog = page.getByRole("dialog", { name: "Command “E2E Zuluft-Sollwert”" });
    await dialog.waitFor();
    const value = dialog.getByLabel("Value (°C)");
    check(await value.evaluate((e) => e === document.activeElement), "the value is not focused when the dialog opens");
    await dialog.getByText("No commands to this point yet.").waitFor();
    await dialog.getByText("Range: 10 … 35 °C.").waitFor();
    check(await page.getByRole("button", { name: "Command… Außentemperatur" }).count() === 0,
          "a sensor point offers a Command… button");

    // Every status the outcome shows, in order, as the page shows them.
    await page.evaluate(() => {
      window.__statuses = [];
      new MutationObserver(() => {
        const s = document.querySelector(".command-outcome")?.getAttribute("data-status");
        if (s && window.__statuses.at(-1) !== s) window.__statuses.push(s);
      }).observe(document.body, { subtree: true, attributes: true, childList: true, attributeFilter: ["data-status"] });
    });
    await value.fill("22.5");
    await dialog.getByLabel("Duration").selectOption({ label: "1 hour" });
    await dialog.getByRole("button", { name: "Send" }).click();
    const outcome = dialog.locator(".command-outcome");
    await waitFor("the command to be confirmed", async () => (await outcome.getAttribute("data-status")) === "confirmed", 30_000);
    const seen = await page.evaluate(() => window.__statuses);
    check(JSON.stringify(seen) === JSON.stringify(["pending", "confirmed"]), `the outcome went ${JSON.stringify(seen)}`);
    check(/Device holds: 22\.5 °C/.test(await outcome.textContent()), `the outcome says ${await outcome.textContent()}`);
    let [sent] = await commandsOf(setpoint.id);
    check(sent.status === "confirmed" && sent.value === 22.5 && sent.read_back === 22.5 && sent.priority === 8 &&
          sent.expires_at !== null && Math.abs(Date.parse(sent.expires_at) - Date.parse(sent.requested_at) - 3_600_000) < 1000,
          `the API holds ${JSON.stringify(sent)}`);
    check(Number(await outcome.getAttribute("data-command")) === sent.id, "the outcome is not the command sent");
    check(await plantHolds("setpoint") === 22.5, `the plant holds ${await plantHolds("setpoint")}`);

    // The recent commands list it, with Release for the running override.
    const row = dialog.locator(`tr[data-command="${sent.id}"]`);
    await waitFor("the command in the list as confirmed", async () => (await row.getAttribute("data-status")) === "confirmed", 10_000);
    check(/22\.5 °C/.test(await row.textContent()) && /operator@hechingen\.demo|Operator/i.test(await row.textContent()),
          `the row says ${await row.textContent()}`);
    await audit(page, "the command dialog, confirmed (desktop)");
    await screenshot(page, "command-dialog-desktop.png");

    // ---- a value out of the point's range: refused on the value field ----
    const before = (await commandsOf(setpoint.id)).length;
    await value.fill("50");
    await dialog.getByLabel("Duration").selectOption({ label: "no end" });
    await dialog.getByRole("button", { name: "Send" }).click();
    const problem = dialog.locator('[role="alert"][data-status="422"]');
    await problem.waitFor();
    await waitFor("the value marked", async () => (await value.getAttribute("aria-invalid")) === "true", 5_000);
    const reason = dialog.locator('[data-field-problem="/value"]');
    check(/outside .*range 10\.\.35/.test(await reason.textContent()), `the reason shown is ${await reason.textContent()}`);
    check((await value.getAttribute("aria-describedby")).split(" ").includes(await reason.getAttribute("id")),
          "the value does not point to its reason");
    check((await commandsOf(setpoint.id)).length === before, "the refused value made a command");
    await audit(page, "the command dialog with a refused value (desktop)");

    // ---- Release ends the override: the plant gets its 20 °C back ----
    await dialog.getByRole("button", { name: `Release override ${sent.id}` }).click();
    await waitFor("the override ended", async () => (await commandsOf(setpoint.id)).find((c) => c.id === sent.id).ended_at !== null, 10_000);
    let back;
    await waitFor("the value before given back", async () => {
      back = (await commandsOf(setpoint.id)).find((c) => c.origin === "override_end" && c.ends === sent.id);
      return back?.status === "confirmed";
    }, 30_000);
    check(back.value === 20, `the override's end wrote ${JSON.stringify(back)}`);
    check(await plantHolds("setpoint") === 20, `after the release the plant holds ${await plantHolds("setpoint")}`);
    await waitFor("the list to show the end of the override", async () =>
      (await dialog.locator(`tr[data-command="${back.id}"]`).count()) === 1 &&
      (await dialog.getByRole("button", { name: `Release override ${sent.id}` }).count()) === 0, 10_000);

    // Escape closes the dialog and gives the focus back to its button.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    check(await open.evaluate((e) => e === document.activeElement), "the focus did not return to the Command… button");

    // ---- an on/off point: switched off ----
    await page.getByRole("button", { name: "Command… E2E Anlage frei" }).click();
    const onOff = page.getByRole("dialog", { name: "Command “E2E Anlage frei”" });
    await onOff.getByRole("radio", { name: "Off" }).check();
    await onOff.getByRole("button", { name: "Send" }).click();
    await waitFor("the coil confirmed", async () =>
      (await onOff.locator(".command-outcome").getAttribute("data-status")) === "confirmed", 30_000);
    check(/Device holds: Off/.test(await onOff.locator(".command-outcome").textContent()),
          `the coil's outcome says ${await onOff.locator(".command-outcome").textContent()}`);
    [sent] = await commandsOf(enable.id);
    check(sent.value === 0 && sent.read_back === 0, `the coil command is ${JSON.stringify(sent)}`);
    check(await plantHolds("enable") === 0, "the plant's enable coil is still on");
    await onOff.getByRole("button", { name: "Close" }).click();

    // ---- in German at phone width ----
    const phone = await signIn("operator@hechingen.demo", { width: 375, height: 740 });
    await phone.getByLabel("Language").selectOption("de");
    await phone.goto(`${base}/#/buildings/${building.id}`);
    await phone.getByRole("button", { name: "Befehl … E2E Zuluft-Sollwert" }).click();
    const dialogDe = phone.getByRole("dialog", { name: "Befehl an „E2E Zuluft-Sollwert“" });
    await dialogDe.getByRole("heading", { name: "Letzte Befehle" }).waitFor();
    await dialogDe.locator(`tr[data-command="${back.id}"]`).waitFor();
    await noOverflow(phone, "the command dialog at phone width");
    await audit(phone, "the command dialog (phone, German)");
    await screenshot(phone, "command-dialog-phone.png");

    // ---- a viewer may look, not command ----
    const viewer = await signIn("viewer@hechingen.demo");
    await viewer.goto(`${base}/#/buildings/${building.id}`);
    await viewer.getByRole("button", { name: "E2E Zuluft-Sollwert" }).waitFor();
    check(await viewer.getByRole("button", { name: /^Command…/ }).count() === 0, "the viewer is offered Command…");
    check(await viewer.getByRole("columnheader", { name: "Control" }).count() === 0, "the viewer sees the Control column");
    const refused = await fetch(`${base}/api/v1/points/${setpoint.id}/command`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${await tokenOf("viewer@hechingen.demo")}` },
      body: JSON.stringify({ value: 21 }),
    });
    check(refused.status === 403, `the viewer's command was answered ${refused.status}`);
  } finally {
    await plant.close();
  }
});
