// The administration: a viewer and an operator are offered only the rules; the
// tenant admin creates a user limited to one building through the UI and
// that user signs in and sees only that building; a duplicate email shows
// the server's refusal beside the form; changing the role is seen by the API
// and ends the user's sessions; a new password works. The admin makes an
// API key whose secret is shown once, copies it, uses it against the API,
// revokes it and is refused (401). The audit log lists those changes and its
// filters narrow it. Screenshots at desktop and phone widths, light and dark.
import { scenario } from "./harness.mjs";

const NEW_EMAIL = "e2e.clerk@hechingen.demo";
const FIRST_PASSWORD = "Zollern-Burg-1267";
const SECOND_PASSWORD = "Hohenzollern-Tal-42";

await scenario("admin", async ({ base, open, signIn, api, tokenOf, waitFor, screenshot }) => {
  const check = (ok, what) => {
    if (!ok) throw new Error(what);
  };
  const status = async (path, authorization) =>
    (await fetch(`${base}${path}`, { headers: authorization ? { Authorization: authorization } : {} })).status;

  // Neither a viewer nor an operator holds users:manage, api_keys:manage or
  // audit:read: no link, and the route shows no section either.
  for (const email of ["viewer@hechingen.demo", "operator@hechingen.demo"]) {
    const page = await signIn(email);
    // The header's links follow /auth/me; the alarms link shows it has answered,
    // so the absent administration link below is not merely not yet there.
    await page.getByRole("link", { name: "Alarms" }).waitFor();
    // The rules are theirs to read (alarms:read); users, keys and the audit log are not.
    await page.getByRole("link", { name: "Administration" }).click();
    const offered = page.getByRole("navigation", { name: "Administration" });
    await offered.getByRole("link", { name: "Rules" }).waitFor();
    for (const tab of ["Users and roles", "API keys", "Audit log"])
      check(await offered.getByRole("link", { name: tab }).count() === 0, `${email} is offered ${tab}`);
    await page.goto(`${base}/#/admin/users`);
    await page.waitForFunction(() => location.hash === "#/admin/users");
    await page.getByRole("heading", { name: "Buildings" }).waitFor({ state: "detached" });
    await page.locator("table tr[data-rule]").first().waitFor();
    check(await page.getByRole("heading", { name: "Users" }).count() === 0, `${email} is shown the users at #/admin/users`);
    check(await status("/api/v1/users", `Bearer ${await tokenOf(email)}`) === 403, `the API lets ${email} list users`);
    await page.context().close();
  }

  const admin = await tokenOf("admin@hechingen.demo");
  const buildings = (await api("/api/v1/buildings?limit=1000", {}, admin)).items;
  const rathaus = buildings.find((b) => b.name === "Rathaus");
  check(rathaus && buildings.length > 1, "the demo town has the Rathaus and other buildings");

  // ---- users ----
  const page = await signIn("admin@hechingen.demo");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  await page.getByRole("link", { name: "Administration" }).click();
  const tabs = page.getByRole("navigation", { name: "Administration" });
  for (const tab of ["Users and roles", "API keys", "Audit log"])
    await tabs.getByRole("link", { name: tab }).waitFor();
  await tabs.getByRole("link", { name: "Users and roles" }).click();
  await page.getByRole("heading", { name: "Users" }).waitFor();
  await page.locator("tr", { hasText: "operator@hechingen.demo" }).waitFor();

  await page.locator("summary", { hasText: "Create user" }).click();
  const create = page.getByRole("form", { name: "Create user" });
  const fillNewUser = async () => {
    await create.getByLabel("Email").fill(NEW_EMAIL);
    await create.getByLabel("Display name").fill("E2E Clerk");
    await create.getByLabel("Role").selectOption({ label: "Viewer" });
    await create.getByLabel("Initial password").fill(FIRST_PASSWORD);
  };
  await fillNewUser();
  await create.getByLabel("All buildings").uncheck();
  await create.getByLabel("Rathaus", { exact: true }).check();
  await create.getByRole("button", { name: "Create user" }).click();
  const row = page.locator("tr", { hasText: NEW_EMAIL });
  await row.waitFor();
  check((await row.textContent()).includes("Rathaus"), "the new user's row names its building");
  const [created] = (await api(`/api/v1/users?email=${encodeURIComponent(NEW_EMAIL)}`, {}, admin)).items;
  check(created?.role === "viewer", `the API has the new user as ${created?.role}`);
  check(JSON.stringify(created.buildings) === JSON.stringify([rathaus.id]), `the new user's buildings: ${created.buildings}`);

  // The new user signs in, in a browser of its own, and sees its one building.
  const clerk = await open();
  await clerk.getByLabel("Email").fill(NEW_EMAIL);
  await clerk.getByLabel("Password").fill(FIRST_PASSWORD);
  await clerk.getByRole("button", { name: "Sign in" }).click();
  await clerk.getByRole("link", { name: "Rathaus" }).waitFor();
  await clerk.getByRole("link", { name: "Alarms" }).waitFor();
  const others = buildings.filter((b) => b.id !== rathaus.id);
  check(await clerk.getByRole("link", { name: others[0].name, exact: true }).count() === 0,
        `the new user sees ${others[0].name}`);
  await clerk.getByRole("link", { name: "Administration" }).click();
  await clerk.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Rules" }).waitFor();
  check(await clerk.getByRole("link", { name: "Users and roles" }).count() === 0, "the new viewer is offered the users");

  // The same email again: the server's 409, beside the form.
  await fillNewUser();
  await create.getByRole("button", { name: "Create user" }).click();
  const problem = page.locator("#user-create-problem");
  await problem.waitFor();
  const problemText = await problem.textContent();
  check(problemText.includes("409") && problemText.includes("already has email"), `the duplicate shows: ${problemText}`);
  check(await page.getByRole("alert").filter({ hasText: "already has email" }).count() === 1, "the refusal is no alert");
  await screenshot(page, "admin-users-desktop.png", { fullPage: true });

  // A role change: the API shows it, and the user's sessions have ended.
  const clerkToken = (await api("/api/v1/auth/login", {
    method: "POST", body: JSON.stringify({ email: NEW_EMAIL, password: FIRST_PASSWORD }),
  })).access_token;
  check(await status("/api/v1/auth/me", `Bearer ${clerkToken}`) === 200, "the new user's token works");
  await page.getByRole("button", { name: `Edit ${NEW_EMAIL}` }).click();
  const edit = page.getByRole("form", { name: `Change ${NEW_EMAIL}` });
  await edit.getByLabel("Role").selectOption({ label: "Operator" });
  await edit.getByRole("button", { name: "Save" }).click();
  await waitFor("the role in the table", async () => (await row.textContent()).includes("Operator"), 10_000);
  const [changed] = (await api(`/api/v1/users?email=${encodeURIComponent(NEW_EMAIL)}`, {}, admin)).items;
  check(changed.role === "operator", `after the change the API has ${changed.role}`);
  check(await status("/api/v1/auth/me", `Bearer ${clerkToken}`) === 401, "the changed user's old token still works");

  // A new password: the old one fails, the new one signs in.
  const reset = page.getByRole("form", { name: "Reset password" });
  await reset.getByLabel("New password").fill(SECOND_PASSWORD);
  await reset.getByRole("button", { name: "Set password" }).click();
  await page.getByRole("status").filter({ hasText: "password of" }).waitFor();
  const login = (password) => fetch(`${base}/api/v1/auth/login`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: NEW_EMAIL, password }),
  }).then((r) => r.status);
  check(await login(SECOND_PASSWORD) === 200, "the new password does not sign in");
  check(await login(FIRST_PASSWORD) === 401, "the old password still signs in");
  await page.getByRole("button", { name: "Close" }).click();

  await page.setViewportSize({ width: 375, height: 740 });
  await screenshot(page, "admin-users-phone.png");
  await page.setViewportSize({ width: 1280, height: 800 });

  // ---- API keys ----
  await tabs.getByRole("link", { name: "API keys" }).click();
  await page.getByRole("heading", { name: "API keys" }).waitFor();
  await page.locator("summary", { hasText: "Create key" }).click();
  const keyForm = page.getByRole("form", { name: "Create key" });
  await keyForm.getByLabel("Name").fill("E2E gateway");
  // No permission chosen: the server's 422 beside the form.
  await keyForm.getByRole("button", { name: "Create key" }).click();
  await page.locator("#key-create-problem").filter({ hasText: "at least one permission" }).waitFor();
  await keyForm.getByLabel("assets:read").check();
  await keyForm.getByLabel("readings:read").check();
  await keyForm.getByRole("button", { name: "Create key" }).click();
  const once = page.getByRole("region", { name: "The key E2E gateway" });
  await once.waitFor();
  check((await once.textContent()).includes("will not be shown again"), "the key is not said to be shown once");
  const secret = (await once.locator("code[data-secret]").textContent()).trim();
  check(/^[\w-]+\.[\w-]+$/.test(secret), `the key looks like ${secret}`);
  await once.getByRole("button", { name: "Copy" }).click();
  await once.getByText("Copied.").waitFor();
  check(await page.evaluate(() => navigator.clipboard.readText()) === secret, "the clipboard holds another text");
  await screenshot(page, "admin-keys-desktop.png", { fullPage: true });

  check(await status("/api/v1/buildings", `ApiKey ${secret}`) === 200, "the new key cannot read buildings");
  check(await status("/api/v1/users", `ApiKey ${secret}`) === 403, "the new key may list users");
  await once.getByRole("button", { name: "I have saved it" }).click();
  check(!(await page.content()).includes(secret), "the key is still in the page after it was put away");

  const keyRow = page.locator("tr", { hasText: "E2E gateway" });
  // Escape takes the question back; the key stays as it was.
  await keyRow.getByRole("button", { name: "Revoke key E2E gateway" }).click();
  await keyRow.getByRole("button", { name: "Yes, revoke" }).waitFor();
  await page.keyboard.press("Escape");
  await keyRow.getByRole("button", { name: "Yes, revoke" }).waitFor({ state: "detached" });
  check(await status("/api/v1/buildings", `ApiKey ${secret}`) === 200, "cancelling revoked the key");
  await keyRow.getByRole("button", { name: "Revoke key E2E gateway" }).click();
  await keyRow.getByRole("button", { name: "Yes, revoke" }).click();
  await waitFor("the key to show as revoked", async () => (await keyRow.textContent()).includes("revoked"), 10_000);
  check(await status("/api/v1/buildings", `ApiKey ${secret}`) === 401, "the revoked key still works");
  const [stored] = (await api("/api/v1/api-keys", {}, admin)).items.filter((k) => k.name === "E2E gateway");
  check(stored?.revoked === true, "the API does not have the key as revoked");

  // ---- audit log ----
  await tabs.getByRole("link", { name: "Audit log" }).click();
  await page.getByRole("heading", { name: "Audit log" }).waitFor();
  const entries = page.locator("table.audit tbody tr");
  await entries.first().waitFor();
  const texts = await entries.allTextContents();
  const has = (what, ...parts) =>
    check(texts.some((t) => parts.every((p) => t.includes(p))), `the audit log lacks ${what}`);
  has("the user's creation", "admin@hechingen.demo", "Create", "users", NEW_EMAIL);
  has("the role change", "Update", "users", "role: viewer → operator");
  has("the new password", "Update", "users", "password_changed");
  has("the key's creation", "Create", "api-keys", "E2E gateway");
  has("the key's revocation", "Delete", "api-keys", "revoked: true");
  has("the new user's sign-in", NEW_EMAIL, "Sign-in");
  // Newest first: the revocation comes before the user's creation.
  const firstKey = texts.findIndex((t) => t.includes("api-keys"));
  const firstUser = texts.findIndex((t) => t.includes("users") && t.includes("Create"));
  check(firstKey < firstUser, "the audit log is not newest first");

  // Filters: only updates of users, then only the admin's entries.
  const filters = page.getByRole("form", { name: "Filters" });
  await filters.getByLabel("Action").selectOption({ label: "Update" });
  await filters.getByLabel("Resource").fill("users");
  await filters.getByRole("button", { name: "Apply" }).click();
  await waitFor("the filtered log", async () => {
    const rows = await entries.allTextContents();
    return rows.length >= 2 && rows.every((t) => t.includes("Update") && t.includes("users"));
  }, 10_000);
  await filters.getByRole("button", { name: "Reset" }).click();
  await filters.getByLabel("User").selectOption({ label: NEW_EMAIL });
  await filters.getByRole("button", { name: "Apply" }).click();
  await waitFor("the log of the new user", async () => {
    const rows = await entries.allTextContents();
    return rows.length >= 1 && rows.every((t) => t.includes(NEW_EMAIL) && !t.includes("admin@hechingen.demo"));
  }, 10_000);
  // A time range in the future holds nothing.
  await filters.getByRole("button", { name: "Reset" }).click();
  await filters.getByLabel("From").fill("2099-01-01T00:00");
  await filters.getByRole("button", { name: "Apply" }).click();
  await page.getByText("No entries.").waitFor();
  await filters.getByRole("button", { name: "Reset" }).click();
  await entries.first().waitFor();

  // Paging: more entries than a page (50) after as many renamings (through
  // the API: sign-ins would hit the per-address limit); "Older entries"
  // appends the next page without repeating any.
  // One after another: parallel updates of one user race for its version (412).
  for (let i = 0; i < 50; i++)
    await api(`/api/v1/users/${created.id}`, {
      method: "PATCH", body: JSON.stringify({ display_name: `E2E Clerk ${i}` }),
    }, admin);
  await filters.getByRole("button", { name: "Apply" }).click();
  await waitFor("a full page", async () => (await entries.count()) === 50, 10_000);
  const firstPage = await entries.evaluateAll((rows) => rows.map((r) => r.dataset.entry));
  await page.getByRole("button", { name: "Older entries" }).click();
  await waitFor("the next page", async () => (await entries.count()) > 50, 10_000);
  const both = await entries.evaluateAll((rows) => rows.map((r) => Number(r.dataset.entry)));
  check(new Set(both).size === both.length, "a page repeats entries");
  check(both.every((id, i) => i === 0 || id < both[i - 1]), "the pages are not newest first");
  check(firstPage.length === 50, "the first page is not 50 entries");

  // Dark theme and phone width.
  await page.getByRole("button", { name: "Theme" }).click();
  await screenshot(page, "admin-audit-dark.png");
  await page.setViewportSize({ width: 375, height: 740 });
  await tabs.getByRole("link", { name: "Users and roles" }).click();
  await page.locator("tr", { hasText: NEW_EMAIL }).waitFor();
  await screenshot(page, "admin-users-phone-dark.png");
  // At phone width the page itself does not scroll sideways; only the tables do.
  const [overflow, wide] = await page.evaluate(() => [
    document.documentElement.scrollWidth - innerWidth,
    [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest(".scroll"))
      .slice(0, 5).map((e) => `${e.tagName}.${e.className}`).join(", "),
  ]);
  check(overflow <= 0, `the page is ${overflow}px wider than a phone (${wide})`);
});
