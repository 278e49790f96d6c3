// The budgets API (GET /api/v1/analytics/budgets, docs/analytics.md
// "Budgets") and the burn-down drawn from it: the year's plan and its limit
// summed month by month, the actual summed month by month up to the day the
// API counts to, and from there the API's projection summed month by month
// to year end.
import { session } from "../../../api/client";
import type { Bucket, Medium } from "../consumption";

export interface BudgetQuantity {
  plan_year: number;
  plan_to_date: number;
  actual_to_date: number;
  forecast_rest: number;
  projection: number; // actual_to_date + forecast_rest
  limit: number; // plan_year × (1 + margin)
  overrun: number; // projection / plan_year − 1
  over: boolean;
  monthly_plan?: number[]; // January first; servers before it spread plan_year by days
  // January first: the actual of the months done, actual + forecast of the
  // month under way, the forecast of those to come; sums to projection.
  monthly_projection: number[];
}

export interface BudgetStatus {
  building_id: number;
  medium: Medium;
  unit: string;
  year: number;
  as_of: string; // the building's first local day not counted, "2026-12-07"
  over_budget: boolean;
  unknown_intervals: number; // hours to date without readings: the actual is short by them
  forecast: "last_year" | "recent_weeks" | "none";
  energy?: BudgetQuantity;
  cost?: BudgetQuantity;
  currency?: string;
}

export function fetchBudgets(year: number): Promise<{ year: number; items: BudgetStatus[] }> {
  return session.call(`/api/v1/analytics/budgets?year=${year}`);
}

function monthDays(year: number): number[] {
  return Array.from({ length: 12 }, (_, m) => new Date(Date.UTC(year, m + 1, 0)).getUTCDate());
}

// The plan of each month: the API's, else the year's spread by days (the
// server's own rule for a budget without a shape).
export function monthlyPlan(q: BudgetQuantity, year: number): number[] {
  if (q.monthly_plan?.length === 12) return q.monthly_plan;
  const days = monthDays(year);
  const total = days.reduce((a, b) => a + b, 0);
  return days.map((d) => (q.plan_year * d) / total);
}

// Where as_of lies on the chart's month axis: 0 is 1 January, 12 the year's
// end; 11 + 6/31 is 7 December.
export function asOfPosition(asOf: string, year: number): number {
  const [y, m, d] = asOf.split("-").map(Number);
  if (y > year) return 12;
  if (y < year) return 0;
  return m - 1 + (d - 1) / monthDays(year)[m - 1];
}

export interface BurnDown {
  x: number[]; // month positions: 0…12 and as_of between them
  plan: number[]; // cumulative
  limit: number[]; // cumulative plan × (1 + margin)
  actual: (number | null)[]; // cumulative, up to as_of
  projection: (number | null)[]; // cumulative, from as_of on
  months: { plan: number; actual: number | null; projection: number }[]; // each month's own, for the table
}

// One quantity's burn-down. `actual` picks a month bucket's figure (its kWh
// or its cost); a month without one counts as nothing in the sum.
export function burnDown(q: BudgetQuantity, year: number, asOf: string, buckets: Bucket[],
                         actual: (b: Bucket) => number | null | undefined): BurnDown {
  const plans = monthlyPlan(q, year);
  const at = asOfPosition(asOf, year);
  const whole = Math.floor(at); // months wholly counted
  const x = Array.from({ length: 13 }, (_, i) => i);
  if (!Number.isInteger(at)) x.splice(whole + 1, 0, at);
  const cumulativePlan = (pos: number) => {
    const m = Math.floor(pos);
    const before = plans.slice(0, m).reduce((a, b) => a + b, 0);
    return m < 12 ? before + plans[m] * (pos - m) : before;
  };
  const factor = q.plan_year > 0 ? q.limit / q.plan_year : 1;
  // The month under way too (for the table; the line ends at the API's figure).
  const begun = (m: number) => m < whole || (m === whole && at > m);
  const monthActual = plans.map((_, m) => (begun(m) && buckets[m] ? actual(buckets[m]) ?? null : null));
  const cumulativeActual = (pos: number): number | null => {
    if (pos > at) return null;
    if (pos === at) return q.actual_to_date; // the API's figure, where the line ends
    return monthActual.slice(0, pos).reduce<number>((a, b) => a + (b ?? 0), 0);
  };
  // Starts where the actual ends; after it only month ends, where the
  // months' projections are whole.
  const cumulativeProjection = (pos: number): number | null => {
    if (pos < at) return null;
    if (pos === at) return q.actual_to_date;
    return q.monthly_projection.slice(0, pos).reduce((a, b) => a + b, 0);
  };
  return {
    x,
    plan: x.map(cumulativePlan),
    limit: x.map((p) => cumulativePlan(p) * factor),
    actual: x.map(cumulativeActual),
    projection: x.map(cumulativeProjection),
    months: plans.map((plan, m) => ({ plan, actual: monthActual[m], projection: q.monthly_projection[m] })),
  };
}
