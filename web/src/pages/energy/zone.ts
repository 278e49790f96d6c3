// Local months of a building's time zone as UTC instants, for the APIs that
// take instants (savings) where the periods people pick are local months.
// Intl knows the zones; midnight on the 1st never falls in a clock change
// (those happen at night between 01:00 and 03:00), so two guesses suffice.

// How far the zone's clock is ahead of UTC at `instant`, in ms.
function offset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric",
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return local - Math.floor(instant / 1000) * 1000;
}

export interface Month {
  year: number;
  month: number; // 0–11
}

// The instant the local month begins.
export function monthStart(m: Month, timeZone: string): number {
  const wall = Date.UTC(m.year, m.month, 1);
  return wall - offset(wall - offset(wall, timeZone), timeZone);
}

// The local month holding `instant`.
export function monthOf(instant: number, timeZone: string): Month {
  const d = new Date(instant + offset(instant, timeZone));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() };
}

export function addMonths(m: Month, by: number): Month {
  const n = m.year * 12 + m.month + by;
  return { year: Math.floor(n / 12), month: ((n % 12) + 12) % 12 };
}

// "2026-11", as an <input type="month"> holds it.
export function monthKey(m: Month): string {
  return `${m.year}-${String(m.month + 1).padStart(2, "0")}`;
}

// The month an input holds; null when it holds none.
export function parseMonth(key: string): Month | null {
  const match = /^(\d{4})-(\d{2})$/.exec(key);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) return null;
  return { year: Number(match[1]), month: Number(match[2]) - 1 };
}
