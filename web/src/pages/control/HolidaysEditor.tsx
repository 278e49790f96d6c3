import { DayRuleEditor } from "./DayRuleEditor";
import { at, field, type EditorKit } from "./editorKit";
import { HOLIDAY_KEYS, newPeriod, newRule, STATES, type DayRuleDraft, type PeriodRow, type ScheduleDraft } from "./scheduleDraft";

type Holidays = Pick<ScheduleDraft, "state" | "omit" | "public" | "school" | "school_holidays">;

// Public holidays (a state's, less those the building does not keep) and
// school holidays (periods, and how their weekdays are planned), as the
// document's "holidays" has them.
export function HolidaysEditor({ kit, holidays, onChange, onImport }: {
  kit: EditorKit;
  holidays: Holidays;
  onChange: (patch: Partial<Holidays>) => void;
  // Set for a saved schedule the user may change: takes an iCalendar file.
  onImport?: (calendar: File) => void;
}) {
  const { w } = kit;
  // In the order of the calendar, so that /omit/<i> names the same box again.
  const toggle = (key: string, on: boolean) =>
    onChange({ omit: HOLIDAY_KEYS.filter((k) => (k === key ? on : holidays.omit.includes(k))) });
  return (
    <fieldset className="holidays" data-path="/schedule/holidays">
      <legend>{w.holidays}</legend>
      <p className="muted wide">{w.holidaysIntro}</p>
      {kit.refusal.note("/schedule/holidays")}
      <label>
        {w.state}
        {field(kit, "/schedule/holidays/state",
          <select value={holidays.state} onChange={(e) => onChange({ state: e.target.value })}
                  {...at(kit, "/schedule/holidays/state")}>
            <option value="">{w.noState}</option>
            {STATES.map((s) => <option key={s} value={s}>{s} – {w.states[s]}</option>)}
          </select>)}
      </label>
      <details className="omit wide" open={holidays.omit.length > 0 || undefined}>
        <summary>{w.omit}{holidays.omit.length > 0 ? ` (${holidays.omit.length})` : ""}</summary>
        <fieldset className="omit-keys" data-path="/schedule/holidays/omit">
          <legend className="visually-hidden">{w.omit}</legend>
          {kit.refusal.note("/schedule/holidays/omit")}
          {HOLIDAY_KEYS.map((k) => {
            const i = holidays.omit.indexOf(k);
            const path = `/schedule/holidays/omit/${i}`;
            return (
              <label key={k} className="inline">
                <input type="checkbox" checked={i >= 0} onChange={(e) => toggle(k, e.target.checked)}
                       {...(i >= 0 ? at(kit, path) : {})} />
                {w.holidayNames[k]}
                {i >= 0 && kit.refusal.note(path)}
              </label>
            );
          })}
        </fieldset>
      </details>
      <RuleChoice kit={kit} label={w.publicRule} fallback={w.defaultPublic} path="/schedule/holidays/public"
                  rule={holidays.public} onChange={(rule) => onChange({ public: rule })} />
      <RuleChoice kit={kit} label={w.schoolRule} fallback={w.defaultSchool} path="/schedule/holidays/school"
                  rule={holidays.school} onChange={(rule) => onChange({ school: rule })} />
      <SchoolHolidays kit={kit} periods={holidays.school_holidays}
                      onChange={(school_holidays) => onChange({ school_holidays })} onImport={onImport} />
    </fieldset>
  );
}

// A kind of holiday's rule: the document's default, or one of its own.
function RuleChoice({ kit, label, fallback, path, rule, onChange }: {
  kit: EditorKit;
  label: string;
  fallback: string;
  path: string;
  rule: DayRuleDraft | null;
  onChange: (rule: DayRuleDraft | null) => void;
}) {
  const { w } = kit;
  return (
    <fieldset className="rule-choice wide">
      <legend>{label}</legend>
      {kit.refusal.note(path)}
      <label>
        <span className="visually-hidden">{label}</span>
        <select value={rule ? "own" : "default"} {...at(kit, path)}
                onChange={(e) => onChange(e.target.value === "own" ? newRule("mode") : null)}>
          <option value="default">{fallback}</option>
          <option value="own">{w.ownRule}</option>
        </select>
      </label>
      {rule && <DayRuleEditor kit={kit} rule={rule} path={path} where={label} onChange={onChange} />}
    </fieldset>
  );
}

// The imported school-holiday periods, both days inclusive.
function SchoolHolidays({ kit, periods, onChange, onImport }: {
  kit: EditorKit;
  periods: PeriodRow[];
  onChange: (periods: PeriodRow[]) => void;
  onImport?: (calendar: File) => void;
}) {
  const { w } = kit;
  const set = (key: number, patch: Partial<PeriodRow>) =>
    onChange(periods.map((p) => (p.key === key ? { ...p, ...patch } : p)));
  return (
    <fieldset className="periods wide" data-path="/schedule/holidays/school_holidays">
      <legend>{w.schoolHolidays}</legend>
      {kit.refusal.note("/schedule/holidays/school_holidays")}
      <ol>
        {periods.map((p, i) => {
          const path = `/schedule/holidays/school_holidays/${i}`;
          const label = w.periodLabel(i + 1, p.name.trim());
          return (
            <li key={p.key} data-period={i}>
              {field(kit, `${path}/name`,
                <input value={p.name} aria-label={w.fieldOf(w.name, label)} autoComplete="off"
                       onChange={(e) => set(p.key, { name: e.target.value })} {...at(kit, `${path}/name`)} />)}
              {field(kit, `${path}/first_day`,
                <input type="date" value={p.first_day} aria-label={w.fieldOf(w.firstDay, label)}
                       onChange={(e) => set(p.key, { first_day: e.target.value })} {...at(kit, `${path}/first_day`)} />)}
              {field(kit, `${path}/last_day`,
                <input type="date" value={p.last_day} aria-label={w.fieldOf(w.lastDay, label)}
                       onChange={(e) => set(p.key, { last_day: e.target.value })} {...at(kit, `${path}/last_day`)} />)}
              <button type="button" aria-label={w.removeRow(label)}
                      onClick={() => onChange(periods.filter((x) => x.key !== p.key))}>
                {w.remove}
              </button>
              {kit.refusal.note(path)}
            </li>
          );
        })}
      </ol>
      <button type="button" onClick={() => onChange([...periods, newPeriod()])}>{w.addPeriod}</button>
      {onImport && (
        <div className="calendar-import">
          <label>
            {w.importCalendar}
            <input type="file" accept=".ics,text/calendar" aria-describedby="calendar-import-hint"
                   onChange={(e) => {
                     const file = e.target.files?.[0];
                     e.target.value = "";  // the same file may be taken again
                     if (file) onImport(file);
                   }} />
          </label>
          <p id="calendar-import-hint" className="muted">{w.importCalendarHint}</p>
        </div>
      )}
    </fieldset>
  );
}
