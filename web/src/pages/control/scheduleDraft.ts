// A control schedule as the editor holds it, and the body sent from it
// (docs/control.md, "Schedule document" and "Schedules"). Every number and
// time stays the text in its field and is sent as typed, in the order of
// the rows on the page: the server judges it, and the JSON pointer of its
// 422 ("/schedule/days/mon/0/end") names the very row and field.

import { MODES, WEEKDAYS, type Mode, type Schedule, type Weekday } from "./controlApi";

export const STATES = ["BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"] as const;

export const HOLIDAY_KEYS = [
  "new_year", "epiphany", "womens_day", "good_friday", "easter_sunday", "easter_monday", "labour_day",
  "liberation_day", "ascension_day", "whit_sunday", "whit_monday", "corpus_christi", "assumption_day",
  "world_childrens_day", "german_unity_day", "reformation_day", "all_saints_day", "repentance_day",
  "christmas_day", "st_stephens_day",
] as const;

export const SETPOINT_EDGES = ["setpoint", "heating", "cooling"] as const;

export interface BlockRow {
  key: number; // the row's identity in the editor, never sent
  start: string;
  end: string;
  mode: string;
}

// How an exception or a kind of holiday plans its day: exactly one of a
// mode all day, blocks of its own, or another weekday's blocks.
export interface DayRuleDraft {
  kind: "mode" | "blocks" | "as";
  mode: string;
  blocks: BlockRow[];
  as: string;
}

export interface ExceptionRow {
  key: number;
  name: string;
  span: "date" | "range";
  date: string;
  first_day: string;
  last_day: string;
  rule: DayRuleDraft;
}

export interface PeriodRow {
  key: number;
  name: string;
  first_day: string;
  last_day: string;
}

export interface ModeRow {
  setpoint: string;
  heating: string;
  cooling: string;
}

export interface TargetRow {
  key: number;
  point_id: string;
  setpoint: string;
}

export interface ScheduleDraft {
  name: string;
  building_id: string;
  enabled: boolean;
  timezone: string;
  default_mode: string;
  modes: Record<Mode, ModeRow>;
  days: Record<Weekday, BlockRow[]>;
  exceptions: ExceptionRow[];
  state: string; // "" for none
  omit: string[];
  // null: the document's default ({"as": "sun"} with a state; nothing without).
  public: DayRuleDraft | null;
  // null: school holidays change nothing.
  school: DayRuleDraft | null;
  school_holidays: PeriodRow[];
  targets: TargetRow[];
  optimal_start: boolean;
  zone_point_id: string;
  outdoor_point_id: string;
}

let nextKey = 1;
export function newKey(): number {
  return nextKey++;
}

export function newBlock(start = "07:00", end = "17:00", mode = "occupied"): BlockRow {
  return { key: newKey(), start, end, mode };
}

export function newRule(kind: DayRuleDraft["kind"] = "mode"): DayRuleDraft {
  return { kind, mode: "unoccupied", blocks: [], as: "sun" };
}

export function newException(): ExceptionRow {
  return { key: newKey(), name: "", span: "date", date: "", first_day: "", last_day: "", rule: newRule() };
}

export function newPeriod(): PeriodRow {
  return { key: newKey(), name: "", first_day: "", last_day: "" };
}

export function newTarget(point = ""): TargetRow {
  return { key: newKey(), point_id: point, setpoint: "setpoint" };
}

// A new schedule: office hours on weekdays, comfort 21 °C.
export function emptySchedule(building = ""): ScheduleDraft {
  const weekday = () => [newBlock()];
  return {
    name: "", building_id: building, enabled: true, timezone: "Europe/Berlin", default_mode: "unoccupied",
    modes: {
      occupied: { setpoint: "21", heating: "", cooling: "" },
      standby: { setpoint: "18", heating: "", cooling: "" },
      unoccupied: { setpoint: "15", heating: "", cooling: "" },
    },
    days: { mon: weekday(), tue: weekday(), wed: weekday(), thu: weekday(), fri: weekday(), sat: [], sun: [] },
    exceptions: [], state: "", omit: [], public: null, school: null, school_holidays: [],
    targets: [], optimal_start: false, zone_point_id: "", outdoor_point_id: "",
  };
}

const text = (v: unknown): string => (v === undefined || v === null ? "" : String(v));
type Json = Record<string, any>;

function blocksOf(list: unknown): BlockRow[] {
  return Array.isArray(list) ? list.map((b: Json) => newBlock(text(b.start), text(b.end), text(b.mode))) : [];
}

function ruleOf(o: Json | undefined): DayRuleDraft | null {
  if (!o) return null;
  if (o.blocks !== undefined) return { ...newRule("blocks"), blocks: blocksOf(o.blocks) };
  if (o.as !== undefined) return { ...newRule("as"), as: text(o.as) };
  return { ...newRule("mode"), mode: text(o.mode) };
}

// The editor's draft of a stored schedule (normalised by the server: every
// weekday, times and dates in text).
export function draftOf(s: Schedule): ScheduleDraft {
  const doc = s.schedule as Json;
  const modes = (doc.modes ?? {}) as Json;
  const holidays = (doc.holidays ?? {}) as Json;
  return {
    name: s.name,
    building_id: String(s.building_id),
    enabled: s.enabled,
    timezone: text(doc.timezone),
    default_mode: text(doc.default_mode || "unoccupied"),
    modes: Object.fromEntries(MODES.map((m) => [m, {
      setpoint: text(modes[m]?.setpoint), heating: text(modes[m]?.heating), cooling: text(modes[m]?.cooling),
    }])) as Record<Mode, ModeRow>,
    days: Object.fromEntries(WEEKDAYS.map((d) => [d, blocksOf(doc.days?.[d])])) as Record<Weekday, BlockRow[]>,
    exceptions: ((doc.exceptions ?? []) as Json[]).map((e) => ({
      key: newKey(), name: text(e.name), span: e.date !== undefined ? "date" : "range",
      date: text(e.date), first_day: text(e.first_day), last_day: text(e.last_day), rule: ruleOf(e)!,
    })),
    state: text(holidays.state),
    omit: ((holidays.omit ?? []) as unknown[]).map(text),
    // The server writes the default out ({"as": "sun"} with a state): shown as the default.
    public: holidays.public?.as === "sun" && Object.keys(holidays.public).length === 1 ? null : ruleOf(holidays.public),
    school: ruleOf(holidays.school),
    school_holidays: ((holidays.school_holidays ?? []) as Json[]).map((p) => ({
      key: newKey(), name: text(p.name), first_day: text(p.first_day), last_day: text(p.last_day),
    })),
    targets: s.targets.map((t) => ({ key: newKey(), point_id: String(t.point_id), setpoint: t.setpoint })),
    optimal_start: s.optimal_start !== null,
    zone_point_id: text(s.optimal_start?.zone_point_id),
    outdoor_point_id: text(s.optimal_start?.outdoor_point_id),
  };
}

// A number as typed: a number when it reads as one (a German decimal comma
// too), else the text itself for the server to refuse. Empty: left out.
function typed(value: string): number | string | undefined {
  const v = value.trim();
  if (v === "") return undefined;
  const n = Number(/^[-+]?\d*,\d+$/.test(v) ? v.replace(",", ".") : v);
  return Number.isFinite(n) ? n : v;
}

function put(target: Record<string, unknown>, name: string, value: unknown) {
  if (value !== undefined) target[name] = value;
}

function blocksBody(blocks: BlockRow[]) {
  return blocks.map((b) => ({ start: b.start.trim(), end: b.end.trim(), mode: b.mode }));
}

function ruleBody(rule: DayRuleDraft): Record<string, unknown> {
  if (rule.kind === "blocks") return { blocks: blocksBody(rule.blocks) };
  if (rule.kind === "as") return { as: rule.as };
  return { mode: rule.mode };
}

// The weekly schedule document of the draft: only what is given, so that
// the document's defaults apply to the rest.
export function documentOf(d: ScheduleDraft): Record<string, unknown> {
  const doc: Record<string, unknown> = { timezone: d.timezone.trim(), default_mode: d.default_mode };
  doc.modes = Object.fromEntries(MODES.map((m) => {
    const o: Record<string, unknown> = {};
    put(o, "setpoint", typed(d.modes[m].setpoint));
    put(o, "heating", typed(d.modes[m].heating));
    put(o, "cooling", typed(d.modes[m].cooling));
    return [m, o];
  }));
  doc.days = Object.fromEntries(WEEKDAYS.map((day) => [day, blocksBody(d.days[day])]));
  doc.exceptions = d.exceptions.map((e) => {
    const o: Record<string, unknown> = {};
    if (e.name.trim()) o.name = e.name.trim();
    if (e.span === "date") o.date = e.date.trim();
    else {
      o.first_day = e.first_day.trim();
      o.last_day = e.last_day.trim();
    }
    return { ...o, ...ruleBody(e.rule) };
  });
  const holidays: Record<string, unknown> = {};
  if (d.state) holidays.state = d.state;
  if (d.omit.length > 0) holidays.omit = d.omit;
  if (d.public) holidays.public = ruleBody(d.public);
  if (d.school) holidays.school = ruleBody(d.school);
  if (d.school_holidays.length > 0)
    holidays.school_holidays = d.school_holidays.map((p) => ({
      name: p.name.trim(), first_day: p.first_day.trim(), last_day: p.last_day.trim(),
    }));
  if (Object.keys(holidays).length > 0) doc.holidays = holidays;
  return doc;
}

// The body of POST and PUT: the record around the document. The building
// goes with a new schedule only (a schedule stays in its building).
export function bodyOf(d: ScheduleDraft, isNew: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { name: d.name.trim(), enabled: d.enabled, schedule: documentOf(d) };
  if (isNew) body.building_id = typed(d.building_id) ?? null;
  body.targets = d.targets.map((t) => ({ point_id: typed(t.point_id) ?? null, setpoint: t.setpoint }));
  body.optimal_start = d.optimal_start
    ? { zone_point_id: typed(d.zone_point_id) ?? null, outdoor_point_id: typed(d.outdoor_point_id) ?? null }
    : null;
  return body;
}
