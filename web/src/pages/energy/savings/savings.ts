// The savings API (GET /api/v1/analytics/savings, docs/analytics.md
// "Savings"): avoided energy of a building's medium in a reporting period
// against a baseline model fitted on a baseline period, with Guideline 14's
// uncertainty. The periods are local months of the building; the API takes
// instants, so each month is sent as the instant it begins there.
import { session } from "../../../api/client";
import type { Medium } from "../consumption";
import type { NotJudgedReason } from "../notJudged";
import { addMonths, monthOf, monthStart, type Month } from "../zone";

export interface SavingsMonth {
  start: string;
  end: string;
  adjusted_baseline: number;
  actual: number;
  hours: number;
}

export interface SavingsItem {
  building_id: number;
  medium: Medium;
  unit: string;
  meters: number[];
  timezone: string;
  not_judged?: string; // why there are no figures, in English
  reason?: NotJudgedReason; // the same as a code
  baseline_fit?: { hours: number; cvrmse: number; nmbe: number; r2: number; parameters: number };
  reporting_hours?: number;
  adjusted_baseline?: number;
  actual?: number;
  avoided?: number;
  avoided_uncertainty?: number; // ± kWh at `confidence`
  fractional_savings?: number;
  fractional_savings_uncertainty?: number;
  months?: SavingsMonth[];
}

export interface SavingsAnswer {
  confidence: number; // 0.9: the ± hold at 90 %
  items: SavingsItem[];
}

// Months from … to, both included.
export interface Periods {
  baseline: [Month, Month];
  reporting: [Month, Month];
}

// The last twelve whole months reported against the twelve before.
export function defaultPeriods(now: number, timeZone: string): Periods {
  const last = addMonths(monthOf(now, timeZone), -1);
  return {
    reporting: [addMonths(last, -11), last],
    baseline: [addMonths(last, -23), addMonths(last, -12)],
  };
}

export function fetchSavings(building: number, medium: Medium, p: Periods, timeZone: string): Promise<SavingsAnswer> {
  const at = (m: Month) => new Date(monthStart(m, timeZone)).toISOString();
  const query = new URLSearchParams({
    scope: "building",
    id: String(building),
    medium,
    baseline_from: at(p.baseline[0]),
    baseline_to: at(addMonths(p.baseline[1], 1)),
    reporting_from: at(p.reporting[0]),
    reporting_to: at(addMonths(p.reporting[1], 1)),
  });
  return session.call(`/api/v1/analytics/savings?${query}`);
}

// ASHRAE Guideline 14's criteria for an hourly baseline: CV(RMSE) ≤ 30 %
// and |NMBE| ≤ 10 %.
export function guideline14(fit: { cvrmse: number; nmbe: number }): { cvrmse: boolean; nmbe: boolean } {
  return { cvrmse: fit.cvrmse <= 0.3, nmbe: Math.abs(fit.nmbe) <= 0.1 };
}
