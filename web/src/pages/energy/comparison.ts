// What the comparison shows of a consumption answer: a bar per bucket and a
// period's totals, each with the hours that should be known by now but are
// not. Buckets still ahead of now have no bar; a bucket of which nothing is
// known has none either (its value would be a zero nobody measured).
import { begun, missingHours, type Series } from "./consumption";

export interface Bar {
  value: number | null;
  missing: number; // hours without readings
  estimated: number; // hours of a gap spread evenly
}

export interface Totals {
  amount: number;
  cost: { value: number; currency: string } | null;
  co2: number | null; // kg
  missing: number;
  estimated: number;
}

export function barsOf(series: Series | undefined, now: number): Bar[] {
  return (series?.buckets ?? []).map((b) => {
    if (!begun(b, now)) return { value: null, missing: 0, estimated: 0 };
    // The API gives no value for a bucket no reading reaches.
    return { value: b.value, missing: missingHours(b), estimated: b.estimated_hours };
  });
}

export function totalsOf(series: Series | undefined): Totals | null {
  if (!series) return null;
  return {
    amount: series.total ?? 0,
    cost: series.currency && series.cost_total != null ? { value: series.cost_total, currency: series.currency } : null,
    co2: series.co2_kg_total ?? null,
    missing: series.buckets.reduce((sum, b) => sum + missingHours(b), 0),
    estimated: series.buckets.reduce((sum, b) => sum + b.estimated_hours, 0),
  };
}
