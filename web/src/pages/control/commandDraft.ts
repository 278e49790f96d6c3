// A command as the dialog holds it (every field the text or choice in it)
// and the request made from it. Numbers are sent as typed — a number when
// they read as one, else the text itself — so that the server, which knows
// the point's range and the device, refuses them naming the field.

import { isOnOff, type CommandRequest, type PointRecord } from "./controlApi";

export const DURATIONS = ["none", "m30", "h1", "h2", "h4", "eod", "custom"] as const;
export type DurationChoice = (typeof DURATIONS)[number];

// BACnet's 16 priorities but 6, which it keeps for minimum on and off times.
export const PRIORITIES = Array.from({ length: 16 }, (_, i) => i + 1).filter((p) => p !== 6);

const FIXED_SECONDS: Partial<Record<DurationChoice, number>> = { m30: 1800, h1: 3600, h2: 7200, h4: 14400 };

export interface CommandDraft {
  value: string; // a number as typed; for an on/off point "on", "off"; "" releases
  priority: string; // "" is the server's default
  duration: DurationChoice;
  minutes: string; // the custom duration
}

export function emptyCommand(): CommandDraft {
  return { value: "", priority: "", duration: "none", minutes: "" };
}

// A number as typed: the decimal comma of German is read as a point; what
// is no number at all is left as text for the server to refuse.
function typed(text: string): number | string {
  const v = text.trim();
  const n = Number(/^[-+]?\d*,\d+$/.test(v) ? v.replace(",", ".") : v);
  return v !== "" && Number.isFinite(n) ? n : v;
}

// Seconds until the next local midnight, at least one.
export function secondsToEndOfDay(now: Date): number {
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return Math.max(1, Math.ceil((midnight.getTime() - now.getTime()) / 1000));
}

function durationOf(draft: CommandDraft, now: Date): number | string | undefined {
  if (draft.duration === "none") return undefined;
  if (draft.duration === "eod") return secondsToEndOfDay(now);
  if (draft.duration === "custom") {
    const minutes = typed(draft.minutes);
    return typeof minutes === "number" ? Math.round(minutes * 60) : minutes;
  }
  return FIXED_SECONDS[draft.duration];
}

export function requestOf(draft: CommandDraft, point: PointRecord, now: Date): CommandRequest {
  const value = draft.value.trim();
  const request: CommandRequest = {
    value: value === "" ? null : isOnOff(point) ? value === "on" : typed(value),
  };
  if (draft.priority !== "") request.priority = Number(draft.priority);
  const duration = durationOf(draft, now);
  if (duration !== undefined) request.duration = duration;
  return request;
}

// The point's range in its unit, as the dialog states it ("5 … 35 °C").
export function rangeOf(point: PointRecord, lang: string): string {
  const f = (v: number | null | undefined) => (v === null || v === undefined ? "" : v.toLocaleString(lang));
  if (point.min_value == null && point.max_value == null) return "";
  return `${f(point.min_value)} … ${f(point.max_value)}${point.unit ? ` ${point.unit}` : ""}`;
}
