import type { Words } from "../../i18n";

// An instant as the clocks show it in the schedule's time zone (its blocks
// are that zone's wall-clock times); the browser's zone when the name is
// not one the browser knows.
export function zonedTime(t: Words, iso: string | null | undefined, zone: string, withDay = true): string {
  if (!iso) return "–";
  const locale = t.lang === "de" ? "de-DE" : "en-GB";
  const style: Intl.DateTimeFormatOptions = withDay
    ? { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }
    : { hour: "2-digit", minute: "2-digit" };
  try {
    return new Date(iso).toLocaleString(locale, { ...style, timeZone: zone || undefined });
  } catch {
    return new Date(iso).toLocaleString(locale, style);
  }
}

// The wall-clock date and weekday (0 Monday … 6 Sunday) of an instant in `zone`.
function wallDate(at: number, zone: string): { y: number; m: number; d: number; weekday: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, year: "numeric", month: "numeric", day: "numeric", weekday: "short",
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(get("weekday"));
  return { y: Number(get("year")), m: Number(get("month")), d: Number(get("day")), weekday };
}

// How far `zone`'s clocks are ahead of UTC at an instant, in ms.
function offsetAt(at: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - Math.floor(at / 1000) * 1000;
}

// The first instant of the local day y-m-d in `zone` (midnight, or the
// first instant after a gap at midnight).
function startOfDay(y: number, m: number, d: number, zone: string): number {
  const wall = Date.UTC(y, m - 1, d);
  let at = wall - offsetAt(wall, zone);
  at = wall - offsetAt(at, zone);
  return at;
}

// The week `offset` weeks from this one, Monday 00:00 to the next Monday
// 00:00 as the clocks in `zone` show them (the schedule's days); the
// browser's zone when the name is not one the browser knows.
export function weekIn(zone: string, offset: number, now = Date.now()): { from: Date; to: Date } {
  try {
    const today = wallDate(now, zone);
    const monday = new Date(Date.UTC(today.y, today.m - 1, today.d - today.weekday + 7 * offset));
    const next = new Date(monday.getTime() + 7 * 86_400_000);
    return {
      from: new Date(startOfDay(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), zone)),
      to: new Date(startOfDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), zone)),
    };
  } catch {
    const d = new Date(now);
    const from = new Date(d.getFullYear(), d.getMonth(), d.getDate() - ((d.getDay() + 6) % 7) + 7 * offset);
    return { from, to: new Date(from.getFullYear(), from.getMonth(), from.getDate() + 7) };
  }
}
