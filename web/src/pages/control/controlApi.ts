// Control as the web UI uses it (docs/control.md, src/api/openapi.json tag
// `control`): commands sent to setpoint and command points and what became
// of them, and the weekly control schedules with their status and preview.

import { session } from "../../api/client";

// A point as the building's tree and the points API give it (src/model/asset.h).
export interface PointRecord {
  id: number;
  building_id?: number;
  name: string;
  kind: string; // sensor | setpoint | command | status
  quantity: string;
  unit: string;
  min_value?: number | null;
  max_value?: number | null;
}

// Only these take commands; a sensor or status point is refused with 409.
export function takesCommands(point: Pick<PointRecord, "kind">): boolean {
  return point.kind === "setpoint" || point.kind === "command";
}

// A point that is on or off (a pump's enable, a binary output): its values
// are true and false, which the server takes as 1 and 0.
export function isOnOff(point: PointRecord): boolean {
  return point.quantity === "state" || (point.min_value === 0 && point.max_value === 1);
}

export type CommandStatus = "pending" | "confirmed" | "failed" | "timed_out";

export interface Command {
  id: number;
  point_id: number;
  device_id: number;
  channel: string;
  protocol: string;
  value: number | null;
  priority: number | null;
  origin: "operator" | "schedule" | "override_end";
  actor: string;
  requested_at: string;
  deadline_at: string;
  expires_at: string | null;
  previous: number | null;
  ends: number | null;
  status: CommandStatus;
  completed_at: string | null;
  read_back: number | null;
  error: string;
  ended_at: string | null;
}

export interface CommandRequest {
  value: number | boolean | null | string; // a string only as typed, for the server to refuse
  priority?: number;
  duration?: number | string; // seconds
}

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export function sendCommand(point: number, body: CommandRequest): Promise<Command> {
  return session.call(`/api/v1/points/${point}/command`, { method: "POST", body: JSON.stringify(body) });
}

export function loadCommand(id: number): Promise<Command> {
  return session.call(`/api/v1/commands/${id}`);
}

export async function loadPointCommands(point: number, limit = 10): Promise<Command[]> {
  return (await session.call<Page<Command>>(`/api/v1/points/${point}/commands?limit=${limit}`)).items;
}

export function releaseCommand(id: number): Promise<Command> {
  return session.call(`/api/v1/commands/${id}/release`, { method: "POST" });
}

// A timed override that still holds its point: one the release can end.
export function isRunningOverride(c: Command, now: number): boolean {
  return c.expires_at !== null && c.ended_at === null && c.status !== "failed" && c.status !== "timed_out" &&
    Date.parse(c.expires_at) > now;
}

// ---- schedules ----

export const MODES = ["occupied", "standby", "unoccupied"] as const;
export type Mode = (typeof MODES)[number];
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface Setpoints {
  setpoint: number;
  heating?: number;
  cooling?: number;
}

export interface Transition {
  at: string;
  mode: Mode;
  setpoints: Setpoints;
  source: string; // weekday | exception | public_holiday | school_holiday
}

export interface ScheduleStatus {
  mode_now?: Mode;
  next_change?: Transition | null;
  applied?: { mode: Mode | null; change_at: string | null; at: string | null; why: string | null } | null;
  lead_minutes?: number;
  warmups_learned?: number;
}

export interface Target {
  point_id: number;
  setpoint: "setpoint" | "heating" | "cooling";
}

export interface Schedule {
  id: number;
  building_id: number;
  name: string;
  enabled: boolean;
  schedule: Record<string, unknown>;
  targets: Target[];
  optimal_start: { zone_point_id: number; outdoor_point_id: number | null } | null;
  version: number;
  updated_at: string;
  status: ScheduleStatus;
}

export interface Preview {
  from: string;
  to: string;
  mode_at_from: Mode;
  transitions: Transition[];
  days: { date: string; source: string; segments: { start: string; end: string; mode: Mode }[] }[];
}

// Every record of a collection, one page of up to 1000 at a time.
async function everything<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  const join = path.includes("?") ? "&" : "?";
  do {
    const page: Page<T> = await session.call<Page<T>>(
      `${path}${join}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export function loadSchedules(): Promise<Schedule[]> {
  return everything<Schedule>("/api/v1/schedules");
}

export function loadSchedule(id: number): Promise<Schedule> {
  return session.call(`/api/v1/schedules/${id}`);
}

export function createSchedule(body: Record<string, unknown>): Promise<Schedule> {
  return session.call("/api/v1/schedules", { method: "POST", body: JSON.stringify(body) });
}

// `version` is the one edited: a change made meanwhile is refused (412),
// not overwritten.
export function replaceSchedule(id: number, body: Record<string, unknown>, version: number): Promise<Schedule> {
  return session.call(`/api/v1/schedules/${id}`, {
    method: "PUT",
    body: JSON.stringify(body),
    headers: { "If-Match": `"${version}"` },
  });
}

// The ministry's iCalendar file in place of the schedule's school holidays
// (saved at once: the answer is the schedule at its next version).
export function importSchoolHolidays(id: number, calendar: string, version: number): Promise<Schedule> {
  return session.call(`/api/v1/schedules/${id}/school-holidays`, {
    method: "PUT",
    body: calendar,
    headers: { "Content-Type": "text/calendar", "If-Match": `"${version}"` },
  });
}

export function loadPreview(id: number, from: Date, to: Date): Promise<Preview> {
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
  return session.call(`/api/v1/schedules/${id}/preview?${q}`);
}

export interface BuildingRef {
  id: number;
  name: string;
}

export function loadBuildings(): Promise<BuildingRef[]> {
  return everything<BuildingRef>("/api/v1/buildings");
}

export function loadBuildingPoints(building: number): Promise<PointRecord[]> {
  return everything<PointRecord>(`/api/v1/points?building_id=${building}`);
}

// Outdoor temperature sensors may sit on another building's roof.
export function loadTemperatureSensors(): Promise<PointRecord[]> {
  return everything<PointRecord>("/api/v1/points?kind=sensor&quantity=temperature");
}
