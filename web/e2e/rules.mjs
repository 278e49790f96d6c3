// Rules in the administration: the energy manager writes an expression rule
// and the server's check shows the mistake at its position as it is typed
// (saving is refused until it reads), then saves it; changes an existing
// rule's limit and disables it, and the API has each change; a viewer sees
// the rules but nothing to change them with.
import { scenario } from "./harness.mjs";

await scenario("rules", async ({ signIn, api, tokenOf, waitFor, screenshot }) => {
  const energy = await tokenOf("energy@hechingen.demo");
  const points = (await api("/api/v1/points?limit=1000", {}, energy)).items;
  const outdoor = points.find((p) => p.key === "rathaus.outdoor_temp");
  const rules = (await api("/api/v1/rules?limit=1000", {}, energy)).items;
  const limit = rules.find((r) => r.type === "threshold_high" && r.status === "enabled");
  if (!limit) throw new Error("the demo has no high-limit rule");

  const page = await signIn("energy@hechingen.demo");
  await page.getByRole("link", { name: "Administration" }).click();
  await page.getByRole("link", { name: "Rules" }).waitFor();
  await page.locator(`tr[data-rule="${limit.id}"]`).waitFor();

  // A new expression rule, typed with a mistake first.
  await page.getByRole("button", { name: "New rule" }).click();
  const form = page.getByRole("form", { name: "New rule" });
  await form.getByLabel("Name").fill("E2E too warm outside");
  await form.getByLabel("Type").selectOption("expression");
  await form.getByLabel("Building").selectOption({ label: "Rathaus" });
  const expression = form.getByLabel("Expression (points as p<ID>)");
  await expression.fill(`p${outdoor.id} - > 2`);
  const verdict = form.locator("#rule-problem");
  await waitFor("the mistake to be shown", async () => /expect|operand|unexpected/i.test(await verdict.textContent()), 10_000);
  if (!(await form.locator(".caret").count())) throw new Error("no marker under the mistake");
  if (!(await form.getByRole("button", { name: "Save" }).isDisabled())) throw new Error("a rule with a mistake can be saved");
  await screenshot(page, "admin-rules-desktop.png", { fullPage: true });
  await expression.fill(`p${outdoor.id} > 45`);
  await waitFor("the rule to read", async () => (await verdict.textContent()) === "The rule is valid.", 10_000);
  await form.getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved.").waitFor();
  const made = (await api("/api/v1/rules?limit=1000", {}, energy)).items.find((r) => r.name === "E2E too warm outside");
  if (!made || made.expression !== `p${outdoor.id} > 45` || made.building_id === undefined)
    throw new Error(`the saved rule is ${JSON.stringify(made)}`);

  // An existing rule's limit changed, then the rule disabled.
  const row = page.locator(`tr[data-rule="${limit.id}"]`);
  await row.getByRole("button", { name: `Edit: ${limit.name}` }).click();
  const edit = page.getByRole("form", { name: `Edit: ${limit.name}` });
  await edit.getByRole("spinbutton", { name: "Limit" }).fill(String(limit.threshold + 1.5));
  await waitFor("the change to read", async () => (await edit.locator("#rule-problem").textContent()) === "The rule is valid.", 10_000);
  await edit.getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved.").waitFor();
  let stored = await api(`/api/v1/rules/${limit.id}`, {}, energy);
  if (stored.threshold !== limit.threshold + 1.5) throw new Error(`the limit is ${stored.threshold}`);
  await row.getByRole("button", { name: `Disable: ${limit.name}` }).click();
  await waitFor("the rule to be disabled", async () => (await row.locator("td.status").textContent()) === "disabled", 10_000);
  stored = await api(`/api/v1/rules/${limit.id}`, {}, energy);
  if (stored.status !== "disabled") throw new Error(`the rule is ${stored.status}`);

  await page.setViewportSize({ width: 375, height: 740 });
  await screenshot(page, "admin-rules-phone.png");

  // A viewer reads the rules and has nothing to change them with.
  const viewer = await signIn("viewer@hechingen.demo");
  await viewer.getByRole("link", { name: "Administration" }).click();
  await viewer.locator(`tr[data-rule="${limit.id}"]`).waitFor();
  if (await viewer.getByRole("button", { name: "New rule" }).count()) throw new Error("a viewer is offered a new rule");
  if (await viewer.locator(`tr[data-rule="${limit.id}"] button`).count()) throw new Error("a viewer is offered to change a rule");
});
