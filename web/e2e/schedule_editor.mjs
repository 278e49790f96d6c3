// The weekly schedule editor: the operator makes a schedule for the
// Rathaus in the UI — the modes' setpoints, Monday's hours with an evening
// block copied to Tuesday–Friday, Saturday morning, two exception days next
// week (one closed, one with blocks of its own), Baden-Württemberg's
// holidays with school-holiday days on standby and a school-holiday period,
// a target and optimal start — and saves it. The API then holds exactly
// that document; a reload shows it as saved. A block ending before it
// starts, then an unknown time zone, are refused by the server (422) and
// shown on that very field; fixed, the save goes through with If-Match
// (version 2), and the status shows what the scheduler wrote on it. The
// status and the week's preview are the API's (this week
// and next, the exception days planned as given). A ministry's iCalendar
// file replaces the school holidays (saved at once, version 3); a broken one
// is refused naming what is missing. A viewer can read the
// schedule but not change it. axe-clean; German at phone width.
import { check, scenario } from "./harness.mjs";
import { audit, noOverflow } from "./support/page_checks.mjs";

const ZONE = "Europe/Berlin";

// Next week's days as YYYY-MM-DD in the schedule's zone: [Monday … Sunday].
function nextWeek() {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone: ZONE, year: "numeric", month: "numeric", day: "numeric", weekday: "short",
  }).formatToParts(Date.now()).map((p) => [p.type, p.value]));
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday);
  return Array.from({ length: 7 }, (_, i) =>
    new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day) - weekday + 7 + i)).toISOString().slice(0, 10));
}

await scenario("schedule_editor", async ({ signIn, api, tokenOf, waitFor, screenshot, base }) => {
  const admin = await tokenOf("admin@hechingen.demo");
  const building = (await api("/api/v1/buildings?limit=1000", {}, admin)).items.find((b) => b.name === "Rathaus");
  check(building, "no Rathaus in the demo");
  const points = (await api(`/api/v1/points?building_id=${building.id}&limit=1000`, {}, admin)).items;
  const target = points.find((p) => p.kind === "setpoint" && p.quantity === "temperature");
  const zonePoint = points.find((p) => p.kind === "sensor" && p.quantity === "temperature" && p.key !== "rathaus.outdoor_temp");
  const outdoor = points.find((p) => p.key === "rathaus.outdoor_temp");
  check(target && zonePoint && outdoor, "the Rathaus lacks a setpoint, a room or the outdoor temperature");
  const [, , wed, thu, fri, sat] = nextWeek();

  // ---- the operator makes a schedule ----
  const page = await signIn("operator@hechingen.demo");
  await page.getByRole("link", { name: "Schedules", exact: true }).click();
  await page.getByRole("heading", { name: "Schedules", level: 1 }).waitFor();
  // (The demo may bring schedules of its own: this one is found by its name.)
  await page.getByRole("link", { name: "New schedule" }).click();
  let form = page.getByRole("form", { name: "New schedule" });
  await form.waitFor();
  const at = (path) => form.locator(`[data-path="${path}"]`);

  await at("/name").fill("E2E Turnhalle");
  await at("/building_id").selectOption({ label: "Rathaus" });
  await form.getByLabel("Heating, Occupied").fill("20");
  await form.getByLabel("Cooling, Occupied").fill("24");
  await form.getByLabel("Setpoint, Standby").fill("17.5");
  // Monday: the default 07:00–17:00, and an evening block on standby,
  // starting where the day's last block ends; then Tuesday to Friday alike.
  await form.getByRole("button", { name: "Add block: Monday" }).click();
  check(await at("/schedule/days/mon/1/start").inputValue() === "17:00", "the new block does not start at 17:00");
  await at("/schedule/days/mon/1/end").fill("20:00");
  check(await at("/schedule/days/mon/1/mode").inputValue() === "standby", "the new block is not on standby");
  await form.getByRole("button", { name: "Copy to Tue–Fri" }).click();
  check(await at("/schedule/days/fri/1/end").inputValue() === "20:00", "Monday was not copied to Friday");
  await form.getByRole("button", { name: "Add block: Saturday" }).click();
  await at("/schedule/days/sat/0/start").fill("09:00");
  await at("/schedule/days/sat/0/end").fill("13:00");
  await at("/schedule/days/sat/0/mode").selectOption("standby");
  // A block added by mistake, removed.
  await form.getByRole("button", { name: "Add block: Sunday" }).click();
  await form.getByRole("button", { name: "Remove Sunday, block 1" }).click();
  check(await at("/schedule/days/sun/0/start").count() === 0, "Sunday's block was not removed");

  // Exception days: next Wednesday closed, next Saturday an open day.
  await form.getByRole("button", { name: "Add exception" }).click();
  let exception = form.getByRole("group", { name: "exception 1" });
  await exception.getByLabel("Name").fill("Brückentag");
  await at("/schedule/exceptions/0/date").fill(wed);
  await at("/schedule/exceptions/0/mode").selectOption("unoccupied");
  await form.getByRole("button", { name: "Add exception" }).click();
  exception = form.getByRole("group", { name: "exception 2" });
  await exception.getByLabel("Name").fill("Tag der offenen Tür");
  await at("/schedule/exceptions/1/date").fill(sat);
  await exception.getByLabel("Rule").selectOption("blocks");
  await exception.getByRole("button", { name: /^Add block/ }).click();
  await at("/schedule/exceptions/1/blocks/0/start").fill("10:00");
  await at("/schedule/exceptions/1/blocks/0/end").fill("15:00");

  // Holidays: Baden-Württemberg; school-holiday days on standby, next Thursday and Friday.
  await at("/schedule/holidays/state").selectOption("BW");
  await form.getByRole("group", { name: "School-holiday days (Mon–Fri)" }).locator("select").first().selectOption("own");
  await at("/schedule/holidays/school/mode").selectOption("standby");
  await form.getByRole("button", { name: "Add school holidays" }).click();
  await form.getByLabel("Name, holidays 1").fill("E2E-Ferien");
  await at("/schedule/holidays/school_holidays/0/first_day").fill(thu);
  await at("/schedule/holidays/school_holidays/0/last_day").fill(fri);

  // The target takes the modes' heating value; optimal start on a room.
  await form.getByRole("button", { name: "Add target" }).click();
  await at("/targets/0/point_id").selectOption(String(target.id));
  await at("/targets/0/setpoint").selectOption("heating");
  await form.getByLabel("Use optimal start").check();
  await at("/optimal_start/zone_point_id").selectOption(String(zonePoint.id));
  await at("/optimal_start/outdoor_point_id").selectOption(String(outdoor.id));

  await form.getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved (version 1).").waitFor({ timeout: 15_000 });
  const listed = (await api("/api/v1/schedules?limit=1000", {}, admin)).items.filter((s) => s.name === "E2E Turnhalle");
  check(listed.length === 1, `the API lists ${listed.length} schedules named E2E Turnhalle`);
  const id = listed[0].id;
  await waitFor("the schedule's own address", async () => page.url().endsWith(`#/schedules/${id}`), 5_000);
  form = page.getByRole("form", { name: "Schedule “E2E Turnhalle”" });

  // ---- the API holds what was given ----
  let stored = await api(`/api/v1/schedules/${id}`, {}, admin);
  const doc = stored.schedule;
  const blocks = (list) => JSON.stringify(list.map((b) => [b.start, b.end, b.mode]));
  const weekday = [["07:00", "17:00", "occupied"], ["17:00", "20:00", "standby"]];
  check(stored.name === "E2E Turnhalle" && stored.building_id === building.id && stored.enabled === true && stored.version === 1,
        `the stored record is ${JSON.stringify(stored)}`);
  check(doc.timezone === ZONE && doc.default_mode === "unoccupied", `the stored zone and default are ${doc.timezone}, ${doc.default_mode}`);
  check(JSON.stringify(doc.modes) === JSON.stringify({
    occupied: { setpoint: 21, heating: 20, cooling: 24 }, standby: { setpoint: 17.5 }, unoccupied: { setpoint: 15 },
  }), `the stored modes are ${JSON.stringify(doc.modes)}`);
  for (const day of ["mon", "tue", "wed", "thu", "fri"])
    check(blocks(doc.days[day]) === JSON.stringify(weekday), `the stored ${day} is ${blocks(doc.days[day])}`);
  check(blocks(doc.days.sat) === JSON.stringify([["09:00", "13:00", "standby"]]) && doc.days.sun.length === 0,
        `the stored weekend is ${JSON.stringify([doc.days.sat, doc.days.sun])}`);
  check(JSON.stringify(doc.exceptions) === JSON.stringify([
    { name: "Brückentag", date: wed, mode: "unoccupied" },
    { name: "Tag der offenen Tür", date: sat, blocks: [{ start: "10:00", end: "15:00", mode: "occupied" }] },
  ]), `the stored exceptions are ${JSON.stringify(doc.exceptions)}`);
  check(doc.holidays.state === "BW" && JSON.stringify(doc.holidays.school) === '{"mode":"standby"}' &&
        JSON.stringify(doc.holidays.school_holidays) === JSON.stringify([{ name: "E2E-Ferien", first_day: thu, last_day: fri }]),
        `the stored holidays are ${JSON.stringify(doc.holidays)}`);
  check(JSON.stringify(stored.targets) === JSON.stringify([{ point_id: target.id, setpoint: "heating" }]),
        `the stored targets are ${JSON.stringify(stored.targets)}`);
  check(stored.optimal_start?.zone_point_id === zonePoint.id && stored.optimal_start?.outdoor_point_id === outdoor.id,
        `the stored optimal start is ${JSON.stringify(stored.optimal_start)}`);

  // ---- reloaded, the page shows it as saved ----
  await page.reload();
  await form.waitFor();
  check(await at("/name").inputValue() === "E2E Turnhalle", "the reloaded name");
  check(await at("/building_id").inputValue() === String(building.id) && await at("/building_id").isDisabled(),
        "the reloaded building is not the Rathaus, fixed");
  check(await form.getByLabel("Heating, Occupied").inputValue() === "20", "the reloaded heating setpoint");
  check(await at("/schedule/days/thu/1/end").inputValue() === "20:00", "the reloaded Thursday evening");
  check(await at("/schedule/days/sat/0/start").inputValue() === "09:00", "the reloaded Saturday");
  check(await at("/schedule/exceptions/0/date").inputValue() === wed &&
        await at("/schedule/exceptions/1/blocks/0/end").inputValue() === "15:00", "the reloaded exceptions");
  check(await at("/schedule/holidays/school_holidays/0/last_day").inputValue() === fri, "the reloaded school holidays");
  check(await at("/targets/0/point_id").inputValue() === String(target.id) &&
        await at("/targets/0/setpoint").inputValue() === "heating", "the reloaded target");
  check(await at("/optimal_start/zone_point_id").inputValue() === String(zonePoint.id), "the reloaded optimal start");

  // The status is the API's.
  const status = page.locator(".schedule-status");
  check(await status.locator('[data-status="mode_now"]').getAttribute("data-mode") === stored.status.mode_now,
        `the page's mode now is not the API's ${stored.status.mode_now}`);
  check(await status.locator('[data-status="next_change"]').getAttribute("data-mode") === stored.status.next_change?.mode,
        `the page's next change is not the API's ${JSON.stringify(stored.status.next_change)}`);

  // ---- the server's 422 on the very field ----
  const refusedOn = async (path, pattern) => {
    await form.getByRole("button", { name: "Save" }).click();
    await form.locator('[role="alert"][data-status="422"]').waitFor();
    const input = at(path);
    await waitFor(`${path} marked`, async () => (await input.getAttribute("aria-invalid")) === "true", 5_000);
    const reason = form.locator(`[data-field-problem="${path}"]`);
    check(pattern.test(await reason.textContent()), `the reason at ${path} is ${await reason.textContent()}`);
    check((await input.getAttribute("aria-describedby")).split(" ").includes(await reason.getAttribute("id")),
          `${path} does not point to its reason`);
    check(await form.locator("[aria-invalid=true]").count() === 1, "more than one field is marked");
    check((await api(`/api/v1/schedules/${id}`, {}, admin)).version === 1, "the refused save changed the schedule");
  };
  await at("/schedule/days/mon/0/end").fill("06:00");
  await refusedOn("/schedule/days/mon/0/end", /end|after|start/i);
  await audit(page, "the schedule editor with a refused block (desktop)");
  await screenshot(page, "schedule-editor-refused.png", { fullPage: true });
  await at("/schedule/days/mon/0/end").fill("17:00");
  await at("/schedule/timezone").fill("Europe/Hechingen");
  await refusedOn("/schedule/timezone", /zone/i);
  await at("/schedule/timezone").fill(ZONE);
  check(await form.locator("[aria-invalid=true]").count() === 1, "the field stays marked until saved again");
  await form.getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved (version 2).").waitFor({ timeout: 15_000 });
  check(await form.locator("[aria-invalid=true]").count() === 0, "a field is still marked after the save");
  stored = await api(`/api/v1/schedules/${id}`, {}, admin);
  check(stored.version === 2 && stored.schedule.timezone === ZONE && blocks(stored.schedule.days.mon) === JSON.stringify(weekday),
        `the second save stored ${JSON.stringify(stored)}`);

  // What the scheduler wrote on the save shows in the status, as the API has it.
  const applied = status.locator('[data-status="applied"]');
  await waitFor("the save applied", async () => /schedule saved/.test(await applied.textContent()), 35_000);
  stored = await api(`/api/v1/schedules/${id}`, {}, admin);
  check(stored.status.applied?.why === "schedule saved" && await applied.getAttribute("data-mode") === stored.status.applied.mode,
        `the page says ${await applied.textContent()}, the API ${JSON.stringify(stored.status.applied)}`);

  // ---- the preview is the API's, this week and next ----
  const preview = page.locator(".schedule-preview");
  const samePreview = async (what) => {
    const from = await preview.getAttribute("data-from");
    const to = await preview.getAttribute("data-to");
    const answer = await api(`/api/v1/schedules/${id}/preview?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, {}, admin);
    check(answer.days.length === 7, `${what}: the week has ${answer.days.length} days`);
    const shown = await preview.locator("tr[data-date]").evaluateAll((rows) => rows.map((r) => ({
      date: r.dataset.date, source: r.dataset.source,
      segments: [...r.querySelectorAll("li[data-mode]")].map((li) => ({ start: li.dataset.start, end: li.dataset.end, mode: li.dataset.mode })),
    })));
    check(JSON.stringify(shown) === JSON.stringify(answer.days), `${what}: the page shows ${JSON.stringify(shown)}, the API ${JSON.stringify(answer.days)}`);
    const changes = await preview.locator("ol.transitions li").evaluateAll((items) => items.map((li) => [li.dataset.at, li.dataset.mode]));
    check(JSON.stringify(changes) === JSON.stringify(answer.transitions.map((c) => [c.at, c.mode])),
          `${what}: the page's changes are ${JSON.stringify(changes)}, the API's ${JSON.stringify(answer.transitions)}`);
    return answer;
  };
  await preview.locator("tr[data-date]").first().waitFor();
  await samePreview("this week");
  const thisWeek = await preview.getAttribute("data-from");
  await preview.getByRole("button", { name: "Next week" }).click();
  await waitFor("next week's preview", async () => (await preview.getAttribute("data-from")) !== thisWeek &&
    (await preview.locator(`tr[data-date="${wed}"]`).count()) === 1, 10_000);
  const next = await samePreview("next week");
  const day = (date) => next.days.find((d) => d.date === date);
  check(day(wed).source === "exception" && JSON.stringify(day(wed).segments) === '[{"start":"00:00","end":"24:00","mode":"unoccupied"}]',
        `next Wednesday is planned ${JSON.stringify(day(wed))}`);
  check(day(sat).source === "exception" && day(sat).segments.some((s) => s.start === "10:00" && s.end === "15:00" && s.mode === "occupied"),
        `next Saturday is planned ${JSON.stringify(day(sat))}`);
  check(["school_holiday", "public_holiday"].includes(day(thu).source), `next Thursday is planned ${JSON.stringify(day(thu))}`);
  check(/Exception/i.test(await preview.locator(`tr[data-date="${wed}"]`).textContent()), "the page does not say Wednesday is an exception");
  await audit(page, "the schedule editor with next week's preview (desktop)");
  await screenshot(page, "schedule-editor-desktop.png", { fullPage: true });

  // ---- school holidays from the ministry's iCalendar file ----
  const year = Number(wed.slice(0, 4)) + 1;
  const ics = [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kultusministerium BW//Ferien//DE",
    "BEGIN:VEVENT", `DTSTART;VALUE=DATE:${year}0406`, `DTEND;VALUE=DATE:${year}0418`, "SUMMARY:Osterferien", "END:VEVENT",
    "BEGIN:VEVENT", `DTSTART;VALUE=DATE:${year}0730`, `DTEND;VALUE=DATE:${year}0913`, "SUMMARY:Sommerferien", "END:VEVENT",
    "END:VCALENDAR", ""].join("\r\n");
  const calendarInput = form.getByLabel("Take from an iCalendar file (.ics)");
  await calendarInput.setInputFiles({ name: "ferien.ics", mimeType: "text/calendar", buffer: Buffer.from(ics) });
  await page.getByText("2 school-holiday periods taken over (version 3).").waitFor({ timeout: 15_000 });
  stored = await api(`/api/v1/schedules/${id}`, {}, admin);
  const imported = stored.schedule.holidays.school_holidays;
  check(stored.version === 3 && imported.length === 2 && imported[0].name === "Osterferien" &&
        imported[0].first_day === `${year}-04-06` && imported[0].last_day === `${year}-04-17`,
        `the import stored ${JSON.stringify(stored.schedule.holidays)}`);
  const periodNames = await form.locator('[data-path="/schedule/holidays/school_holidays"] li[data-period] input')
    .evaluateAll((inputs) => inputs.filter((i) => i.type !== "date").map((i) => i.value));
  check(JSON.stringify(periodNames) === '["Osterferien","Sommerferien"]', `the form shows the periods ${JSON.stringify(periodNames)}`);
  // A file the server cannot read: its line is named, nothing changes.
  await calendarInput.setInputFiles({ name: "kaputt.ics", mimeType: "text/calendar",
    buffer: Buffer.from("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Herbstferien\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n") });
  await waitFor("the refused file's problem", async () => /DTSTART/.test(await page.locator("#schedule-problem").textContent()), 15_000);
  check((await api(`/api/v1/schedules/${id}`, {}, admin)).version === 3, "a refused file changed the schedule");
  await form.getByRole("button", { name: "Save" }).click();  // the next save goes against the new version
  await page.getByText("Saved (version 4).").waitFor({ timeout: 15_000 });

  // ---- the list ----
  await page.getByRole("link", { name: "All schedules" }).click();
  const row = page.locator(`tr[data-schedule="${id}"]`);
  await row.getByRole("link", { name: "E2E Turnhalle" }).waitFor();
  check(/Rathaus/.test(await row.textContent()), `the list row says ${await row.textContent()}`);
  await audit(page, "the schedules (desktop)");

  // ---- German at phone width ----
  const phone = await signIn("operator@hechingen.demo", { width: 375, height: 740 });
  await phone.getByLabel("Language").selectOption("de");
  await phone.goto(`${base}/#/schedules/${id}`);
  await phone.getByRole("form", { name: "Zeitplan „E2E Turnhalle“" }).waitFor();
  await phone.locator(".schedule-preview tr[data-date]").first().waitFor();
  await noOverflow(phone, "the schedule editor at phone width");
  await audit(phone, "the schedule editor (phone, German)");
  await screenshot(phone, "schedule-editor-phone.png", { fullPage: true });

  // ---- a viewer reads, not writes ----
  const viewer = await signIn("viewer@hechingen.demo");
  await viewer.getByRole("link", { name: "Schedules", exact: true }).click();
  await viewer.locator(`tr[data-schedule="${id}"]`).waitFor();
  check(await viewer.getByRole("link", { name: "New schedule" }).count() === 0, "the viewer is offered a new schedule");
  await viewer.getByRole("link", { name: "E2E Turnhalle" }).click();
  const readOnly = viewer.getByRole("form", { name: "Schedule “E2E Turnhalle”" });
  await readOnly.waitFor();
  await viewer.getByText("Read only").waitFor();
  check(await readOnly.getByRole("button", { name: "Save" }).count() === 0, "the viewer is offered Save");
  check(await readOnly.locator('[data-path="/name"]').isDisabled(), "the viewer can edit the name");
  await viewer.locator(".schedule-preview tr[data-date]").first().waitFor();
});
