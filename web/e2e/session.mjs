// The session stays out of the user's way: a reload keeps the user signed
// in (the refresh token, rotated once even though the page asks for several
// things at once), and an access token that expires under an open page is
// renewed without a word — the next page loads and the live values keep
// coming. Signing out ends the refresh token on the server.
import { scenario } from "./harness.mjs";

const TTL_S = 60; // the shortest the server allows

await scenario("session", async ({ signIn, base, waitFor }) => {
  const page = await signIn("operator@hechingen.demo");
  const refreshToken = () => page.evaluate(() => localStorage.getItem("citypulse.refresh"));
  const first = await refreshToken();

  // A reload: the building's tree and its values come, the user stays.
  await page.getByRole("link", { name: "Rathaus" }).click();
  await page.getByRole("heading", { name: "Points" }).waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "Points" }).waitFor();
  const cells = page.locator("td[data-point]");
  await waitFor("values after the reload", async () => (await cells.allTextContents()).some((t) => t !== "–"), 30_000);
  const second = await refreshToken();
  if (!second || second === first) throw new Error("the reload did not rotate the refresh token");

  // Past the access token's lifetime: the values keep changing, and the
  // next page's calls are renewed and answered.
  const before = await cells.allTextContents();
  await page.waitForTimeout((TTL_S + 5) * 1000);
  await waitFor("a live value after the expiry", async () => {
    const now = await cells.allTextContents();
    return now.some((t, i) => t !== before[i]);
  }, 60_000);
  await page.getByRole("link", { name: "Alarms" }).click();
  await page.getByRole("link", { name: "History" }).click();
  await page.getByRole("button", { name: "Show" }).waitFor();
  await waitFor("the history's answer", async () => !(await page.getByText("Loading").count()), 30_000);
  if (await page.getByRole("button", { name: "Sign in" }).count()) throw new Error("the expiry signed the user out");
  if (await page.locator("[role=alert]").count())
    throw new Error(`an error after the expiry: ${await page.locator("[role=alert]").first().textContent()}`);

  // Signing out: the refresh token no longer works.
  const last = await refreshToken();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  const reuse = await fetch(`${base}/api/v1/auth/refresh`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: last }),
  });
  if (reuse.status !== 401) throw new Error(`the signed-out refresh token answered ${reuse.status}`);
}, { env: { CITYPULSE_AUTH_ACCESS_TOKEN_TTL_S: String(TTL_S) } });
