// The periods the energy page compares: a calendar month (its days) or a
// calendar year (its months), stepped one at a time, each beside the same
// period a year earlier.
import type { Words } from "../../i18n";
import type { ConsumptionQuery } from "./consumption";

export type PeriodKind = "month" | "year";

export interface Period {
  kind: PeriodKind;
  year: number;
  month: number; // 0–11; 0 for a year
}

// The period holding now by the browser's calendar; the server's answer
// says where the period really runs in the building's time zone.
export function currentPeriod(kind: PeriodKind, now: Date): Period {
  return { kind, year: now.getFullYear(), month: kind === "month" ? now.getMonth() : 0 };
}

export function stepPeriod(p: Period, by: number): Period {
  if (p.kind === "year") return { ...p, year: p.year + by };
  const months = p.year * 12 + p.month + by;
  return { kind: "month", year: Math.floor(months / 12), month: ((months % 12) + 12) % 12 };
}

export function yearEarlier(p: Period): Period {
  return { ...p, year: p.year - 1 };
}

// The period's buckets: days of a month, months of a year. Noon UTC of its
// first and last day lies inside the period in every time zone (offsets
// stay within ±14 h), and the server rounds out to whole buckets of its
// zone, so the query names exactly the period there.
export function periodQuery(p: Period): Pick<ConsumptionQuery, "from" | "to" | "interval"> {
  const lastMonth = p.kind === "month" ? p.month : 11;
  return {
    from: new Date(Date.UTC(p.year, p.month, 1, 12)),
    to: new Date(Date.UTC(p.year, lastMonth + 1, 0, 12)),
    interval: p.kind === "month" ? "day" : "month",
  };
}

// "December 2026", "2026".
export function periodName(t: Words, p: Period): string {
  if (p.kind === "year") return String(p.year);
  return new Date(Date.UTC(p.year, p.month, 15)).toLocaleDateString(t.lang === "de" ? "de-DE" : "en-GB", {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

// The n-th bucket's name (from 1): the day of the month, or the month's short name.
export function bucketName(t: Words, kind: PeriodKind, n: number): string {
  if (kind === "month") return String(n);
  return new Date(Date.UTC(2000, n - 1, 15)).toLocaleDateString(t.lang === "de" ? "de-DE" : "en-GB", {
    month: "short",
    timeZone: "UTC",
  });
}

// A day in the answer's time zone: "7 December".
export function dayName(t: Words, instant: number, timeZone: string): string {
  return new Date(instant).toLocaleDateString(t.lang === "de" ? "de-DE" : "en-GB", { day: "numeric", month: "long", timeZone });
}

// "2026-12", "2026": how the page names the period it shows (for tests and links).
export function periodKey(p: Period): string {
  return p.kind === "year" ? String(p.year) : `${p.year}-${String(p.month + 1).padStart(2, "0")}`;
}

// The same instant a year earlier (29 February becomes 1 March).
export function yearBefore(instant: number): Date {
  const d = new Date(instant);
  d.setFullYear(d.getFullYear() - 1);
  return d;
}
