// Checks the admin scenarios make of a page as a whole: axe-core's WCAG 2.1
// AA and best-practice rules, and that nothing is wider than the window.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { check } from "../harness.mjs";

// axe's source, evaluated in the page (the server's CSP refuses inline scripts).
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export async function audit(page, where) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }));
  const problems = result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} ${n.target.join(" ")}: ${n.failureSummary}`));
  check(problems.length === 0, `axe at ${where}:\n${problems.join("\n")}`);
}

export async function noOverflow(page, where) {
  const { overflow, widest } = await page.evaluate(() => {
    // The innermost elements reaching past the window, so that a failure says which.
    const past = [...document.body.querySelectorAll("*")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5);
    const innermost = past.filter((e) => !past.some((o) => o !== e && e.contains(o)));
    return {
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      widest: innermost.slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.className ? "." + String(e.className).split(" ").join(".") : ""} (${Math.round(e.getBoundingClientRect().right)} px)`),
    };
  });
  check(overflow <= 0, `${where}: the page is ${overflow} px wider than the window (past it: ${widest.join(", ")})`);
}
