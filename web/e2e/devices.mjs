// The administration's devices: the admin sees the demo's devices with
// counts that grow while the simulated town reports; creates a device,
// issues an access token (shown once, copied), sends a reading with it over
// the HTTP device API and watches the device's count go up in the table;
// revokes the token (after a cancelled first try) and the same send is
// refused with 401. A viewer sees the devices, in German too, but nothing
// to create, issue or revoke. Screenshots at desktop and phone widths.
import { scenario } from "./harness.mjs";

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// A table cell's number, whatever the locale's grouping ("1,234", "1.234").
const count = (text) => Number((text ?? "").replace(/[^\d]/g, "") || "NaN");

await scenario("devices", async ({ base, signIn, api, tokenOf, waitFor, screenshot }) => {
  const adminToken = await tokenOf("admin@hechingen.demo");
  const listed = (await api("/api/v1/devices?limit=1000", {}, adminToken)).items;
  check(listed.length > 0, "the demo has no devices");

  const page = await signIn("admin@hechingen.demo");
  await page.getByRole("link", { name: "Administration" }).click();
  await page.getByRole("link", { name: "Devices" }).click();
  await page.getByRole("heading", { name: "Devices", level: 2 }).waitFor();
  const rows = page.locator("tr[data-device]");
  await waitFor("the device rows", async () => (await rows.count()) === listed.length, 30_000);
  for (const d of listed)
    check(await page.locator(`tr[data-device="${d.id}"]`).count() === 1, `device ${d.id} (${d.name}) is not listed`);

  // Live: the demo's devices report every few seconds and the table follows.
  const total = async () =>
    (await page.locator('td[data-col="messages"]').allTextContents()).reduce((s, t) => s + count(t), 0);
  await waitFor("some messages counted", async () => (await total()) > 0, 60_000);
  const before = await total();
  await waitFor("the message counts to grow", async () => (await total()) > before, 60_000);
  // The table agrees with the API's own answer for one device (never behind it).
  const busiest = (await api("/api/v1/devices/activity", {}, adminToken)).items
    .reduce((a, b) => (b.messages > a.messages ? b : a));
  await waitFor("the busiest device's count in the table", async () =>
    count(await page.locator(`tr[data-device="${busiest.device_id}"] td[data-col="messages"]`).textContent())
      >= busiest.messages, 20_000);
  check(!(await page.locator(`tr[data-device="${busiest.device_id}"] td[data-col="seen"]`).textContent()).includes("never"),
        "a reporting device was never seen");

  // Filters: by building, then by text.
  const building = (await api("/api/v1/buildings?limit=1000", {}, adminToken)).items.find((b) => b.name === "Rathaus");
  check(building, "no Rathaus in the demo");
  const inBuilding = listed.filter((d) => d.building_id === building.id).length;
  await page.locator(".filters").getByLabel("Building").selectOption({ label: "Rathaus" });
  await waitFor("the building filter", async () => (await rows.count()) === inBuilding, 5_000);
  await page.locator(".filters").getByLabel("Building").selectOption({ label: "All buildings" });
  const needle = listed[0].name;
  await page.getByLabel("Search").fill(needle);
  await waitFor("the text filter", async () => {
    const texts = await rows.allTextContents();
    return texts.length >= 1 && texts.length < listed.length &&
      texts.every((t) => t.toLowerCase().includes(needle.toLowerCase()));
  }, 5_000);
  await page.getByLabel("Search").fill("");
  // Sorting by messages, most first.
  await page.getByRole("button", { name: "Messages" }).click();
  await page.getByRole("button", { name: "Messages" }).click();
  const sorted = (await page.locator('td[data-col="messages"]').allTextContents()).map(count);
  check(sorted.every((n, i) => i === 0 || sorted[i - 1] >= n), `not sorted by messages: ${sorted.join(",")}`);

  // A new device, in the UI.
  const name = `E2E meter ${Date.now()}`;
  await page.getByText("Create device").click();
  const create = page.getByRole("form", { name: "Create device" });
  await create.getByLabel("Name").fill(name);
  await create.getByLabel("Building").selectOption({ label: "Rathaus" });
  await create.getByLabel("Protocol").selectOption("http");
  await create.getByLabel("Status").selectOption("provisioning");  // its readings make their points
  await create.getByLabel("Serial number").fill(`E2E-${Date.now()}`);
  await create.getByRole("button", { name: "Create" }).click();
  await page.getByText(`Device “${name}” created.`).waitFor();
  const device = (await api("/api/v1/devices?limit=1000", {}, adminToken)).items.find((d) => d.name === name);
  check(device && device.building_id === building.id && device.status === "provisioning",
        `the device was not created as asked: ${JSON.stringify(device)}`);
  const row = page.locator(`tr[data-device="${device.id}"]`);
  const messages = row.locator('td[data-col="messages"]');
  await row.waitFor();
  check(count(await messages.textContent()) === 0, "a new device has messages");
  check((await row.locator('td[data-col="seen"]').textContent()) === "never", "a new device was seen");

  // Its credentials opened with it; an access token issued, shown once.
  const panel = page.locator("section.credentials");
  await panel.getByRole("heading", { name: `Credentials of “${name}”` }).waitFor();
  await panel.getByText("No credentials yet.").waitFor();
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const issue = panel.getByRole("form", { name: "New credential" });
  await issue.getByLabel("Kind").selectOption("token");
  await issue.getByLabel("Label (optional)").fill("e2e token");
  await issue.getByRole("button", { name: "Issue" }).click();
  const shown = panel.locator("code[data-secret]");
  await shown.waitFor();
  const secret = (await shown.textContent()).trim();
  check(secret.length >= 32, `the secret shown is "${secret}"`);
  await panel.getByText("this secret will not be shown again").waitFor();
  await screenshot(page, "admin-devices-desktop.png");
  await panel.getByRole("button", { name: "Copy" }).click();
  await panel.getByText("Copied to the clipboard.").waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  check(copied === secret, "the clipboard does not hold the secret");
  // Listed by its hint only, by the UI and by the API.
  const credential = panel.locator("li[data-credential]").filter({ hasText: "e2e token" });
  await credential.waitFor();
  check((await credential.textContent()).includes(`${secret.slice(0, 6)}…`), "the token's hint is not listed");
  check(!(await credential.textContent()).includes(secret), "the list shows the whole token");
  const stored = await api(`/api/v1/devices/${device.id}/credentials`, {}, adminToken);
  check(!JSON.stringify(stored).includes(secret), "the API lists the secret");
  await panel.getByRole("button", { name: "Done, hide it" }).click();
  check(await page.getByText(secret).count() === 0, "the secret is still on the page");

  // The device sends a reading with it; the table's count goes up.
  const send = (value) => fetch(`${base}/api/v1/${secret}/telemetry`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ temperature: value }),
  });
  const sent = await send(21.5);
  check(sent.status === 200, `the device's reading answered ${sent.status}: ${await sent.text()}`);
  await waitFor("the new device's message count to go up", async () => count(await messages.textContent()) === 1, 20_000);
  check(count(await row.locator('td[data-col="readings"]').textContent()) === 1, "the reading was not counted");
  check((await row.locator('td[data-col="seen"]').textContent()) !== "never", "the device is still never seen");

  // Revoking asks first: cancelled, the token still works.
  await credential.getByRole("button", { name: "Revoke “e2e token”" }).click();
  const confirm = credential.getByRole("group", { name: "Revoke “e2e token”" });
  await confirm.getByText("can no longer sign in").waitFor();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  check((await send(21.6)).status === 200, "the token stopped working without a confirmed revoke");
  await credential.getByRole("button", { name: "Revoke “e2e token”" }).click();
  await confirm.getByRole("button", { name: "Yes, revoke" }).click();
  await credential.getByText("revoked", { exact: true }).waitFor();
  check(await credential.getByRole("button", { name: /Revoke/ }).count() === 0, "a revoked token can be revoked again");
  const refused = await send(21.7);
  check(refused.status === 401, `after revoking, the same send answered ${refused.status}`);
  await waitFor("the second reading counted", async () => count(await messages.textContent()) === 2, 20_000);

  // At phone width the page does not overflow; the table scrolls in its frame.
  await page.setViewportSize({ width: 375, height: 740 });
  await panel.getByRole("button", { name: "Close" }).click();
  await page.getByText("Create device").click();  // folded away again: the table in view
  await page.evaluate(() => window.scrollTo(0, 0));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the page is ${overflow} px wider than the phone`);
  await screenshot(page, "admin-devices-phone.png");

  // A viewer: the same devices, and no control to change anything.
  const viewer = await signIn("viewer@hechingen.demo");
  await viewer.getByRole("link", { name: "Administration" }).click();
  await viewer.getByRole("link", { name: "Devices" }).click();
  const viewerRows = viewer.locator("tr[data-device]");
  await waitFor("the viewer's device rows", async () => (await viewerRows.count()) === listed.length + 1, 30_000);
  check(await viewer.getByText("Create device").count() === 0, "a viewer is offered to create devices");
  // Opened by keyboard: the credentials are there, read-only.
  await viewer.getByRole("button", { name: `Show the credentials of “${name}”` }).focus();
  await viewer.keyboard.press("Enter");
  const viewerPanel = viewer.locator("section.credentials");
  await viewerPanel.locator("li[data-credential]").filter({ hasText: "e2e token" }).waitFor();
  check(await viewerPanel.getByRole("button", { name: /Revoke/ }).count() === 0, "a viewer is offered to revoke");
  check(await viewerPanel.getByRole("button", { name: "Issue" }).count() === 0, "a viewer is offered to issue");
  check(await viewerPanel.getByRole("form").count() === 0, "a viewer gets a credential form");
  // In German.
  await viewer.getByLabel("Language").selectOption("de");
  await viewer.getByRole("heading", { name: "Geräte", level: 2 }).waitFor();
  await viewer.getByRole("button", { name: "Nachrichten" }).waitFor();
  await viewerPanel.getByRole("heading", { name: `Zugangsdaten von „${name}“` }).waitFor();
});
