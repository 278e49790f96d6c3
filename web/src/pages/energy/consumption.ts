// The consumption API (GET /api/v1/analytics/consumption, docs/analytics.md
// "Consumption"): what it answers, how it is asked, and what the answer
// means for a period that has not ended yet.
import { session } from "../../api/client";

export type Medium = "electricity" | "heat" | "gas" | "water";
export type Interval = "hour" | "day" | "week" | "month" | "year";

// The media that are energy (kWh) and add up; water is counted in m³.
export const ENERGY_MEDIA: Medium[] = ["electricity", "heat", "gas"];
export const MEDIA: Medium[] = [...ENERGY_MEDIA, "water"];

export interface Bucket {
  start: string;
  end: string;
  value: number | null;
  hours: number;
  unknown_hours: number; // past hours without (full) readings
  pending_hours: number; // hours still to come, the current one on
  estimated_hours: number;
  cost?: number | null; // only where every building summed has a tariff
  co2_kg?: number | null; // only where every building summed has a carbon factor
}

export interface Series {
  medium: Medium;
  unit: string;
  building_id?: number; // with by=building
  meters: number[];
  total: number | null;
  unknown_hours: number;
  currency?: string;
  cost_total?: number | null;
  unpriced_hours?: number;
  co2_kg_total?: number | null;
  buckets: Bucket[];
}

export interface Consumption {
  interval: Interval;
  timezone: string;
  from: string;
  to: string;
  series: Series[];
}

export interface ConsumptionQuery {
  scope: "building" | "tenant";
  id?: number;
  from: Date;
  to: Date;
  interval: Interval;
  medium?: Medium;
  byBuilding?: boolean;
}

// The server rounds from and to out to whole buckets of the building's (or
// the tenant's) time zone, so callers name any instant inside the first
// and the last bucket and never do time-zone arithmetic themselves.
export function fetchConsumption(q: ConsumptionQuery): Promise<Consumption> {
  const query = new URLSearchParams({
    scope: q.scope,
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    interval: q.interval,
  });
  if (q.id !== undefined) query.set("id", String(q.id));
  if (q.medium) query.set("medium", q.medium);
  if (q.byBuilding) query.set("by", "building");
  return session.call<Consumption>(`/api/v1/analytics/consumption?${query}`);
}

// The hours of a bucket whose energy should be known by now but is not. The
// API counts the hours still to come (pending_hours) apart, so a running day
// or month is unfinished, not incomplete.
export function missingHours(bucket: Bucket): number {
  return bucket.unknown_hours;
}

// Whether the bucket has begun: buckets still ahead have nothing to show.
export function begun(bucket: Bucket, now: number): boolean {
  return Date.parse(bucket.start) <= now;
}
