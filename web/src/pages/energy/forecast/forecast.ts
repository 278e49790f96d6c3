// The forecast API (GET /api/v1/analytics/forecast, docs/analytics.md
// "Forecast (1–72 h)"): a building's medium hour by hour from the hour
// under way, with the 10–90 % band, and the hours before it that the
// consumption API knows, so the forecast reads as the actual's sequel.
import { session } from "../../../api/client";
import { fetchConsumption, type Medium } from "../consumption";
import type { NotJudgedReason } from "../notJudged";

export interface ForecastHour {
  start: string;
  baseline: number;
  expected: number;
  lower: number; // 10 %
  upper: number; // 90 %
}

export interface ForecastItem {
  building_id: number;
  medium: Medium;
  unit: string;
  meters: number[];
  timezone: string;
  not_judged?: string; // why there is no forecast, in English
  reason?: NotJudgedReason; // the same as a code
  weather?: "forecast" | "recent_profile"; // the temperatures ahead: the point's own, or the last week's by hour
  recent_readings?: number; // hours of the last week with readings; 0: the baseline alone
  values?: ForecastHour[];
}

export interface ActualHour {
  start: number; // ms
  value: number | null;
}

export const HOURS_AHEAD = 72;
export const HOURS_BEFORE = 48;

export async function fetchForecast(building: number, medium: Medium): Promise<{ from: string; item: ForecastItem; actual: ActualHour[] }> {
  const query = new URLSearchParams({ scope: "building", id: String(building), medium, hours: String(HOURS_AHEAD) });
  const answer = await session.call<{ from: string; items: ForecastItem[] }>(`/api/v1/analytics/forecast?${query}`);
  const from = Date.parse(answer.from);
  // The whole hours before the forecast's first (the one under way is its).
  const before = await fetchConsumption({
    scope: "building", id: building, medium, interval: "hour",
    from: new Date(from - HOURS_BEFORE * 3_600_000), to: new Date(from - 1),
  });
  const actual = (before.series[0]?.buckets ?? [])
    .filter((b) => Date.parse(b.end) <= from)
    .map((b) => ({ start: Date.parse(b.start), value: b.value }));
  return { from: answer.from, item: answer.items[0], actual };
}
