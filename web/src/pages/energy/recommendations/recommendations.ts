// The recommendations API (GET /api/v1/analytics/recommendations,
// docs/analytics.md "Recommendations"): findings ranked by the money they
// save a year, each with evidence spans, and per building the rules it
// could not judge. An evidence chart shows the finding's medium hour by
// hour around a span; the link opens the building's chart of its meters
// over the span.
import { session } from "../../../api/client";
import type { Medium } from "../consumption";

export interface Evidence {
  start: string;
  end: string;
  label: string; // English, with the numbers
}

export interface Finding {
  building_id: number;
  kind: string; // base_load, plant_outside_occupancy, peak_demand, load_shifting, heating_above_limit, heating_windows_open
  severity: "low" | "medium" | "high";
  priority: number; // 1: the largest money saving
  title: string; // English
  explanation: string; // English, with the numbers
  per_year: { kwh: number; money: number; kg_co2: number };
  evidence: Evidence[];
  medium?: Medium; // servers before it leave it to be derived from the kind
  point_ids?: number[]; // the meters of that medium
}

export interface NotJudged {
  kind: string;
  reason: string; // no_data, too_little_data, no_schedule, no_temperature, no_price_series, no_demand_charge
  message: string;
}

export interface Judged {
  building_id: number;
  currency: string;
  meters: number[];
  not_judged: NotJudged[];
}

export interface RecommendationsAnswer {
  from: string;
  to: string;
  findings: Finding[];
  buildings: Judged[];
}

export function fetchRecommendations(building: number | null): Promise<RecommendationsAnswer> {
  return session.call(`/api/v1/analytics/recommendations${building === null ? "" : `?building_id=${building}`}`);
}

// The medium a finding is about: the API's, else what its rule reads — the
// heating rules and plant outside occupancy the building's heat (its heat
// meters, else its gas meters: null here, the consumption answer decides),
// the others its electricity.
export function findingMedium(f: Finding): Medium | null {
  if (f.medium) return f.medium;
  return f.kind.startsWith("heating_") || f.kind === "plant_outside_occupancy" ? null : "electricity";
}

const HOUR = 3_600_000;

// What the evidence chart shows of a span: the span and some hours either
// side (half its length, 6 to 24 hours), so a peak hour has a day around it.
export function evidenceWindow(e: Evidence): { from: number; to: number } {
  const [start, end] = [Date.parse(e.start), Date.parse(e.end)];
  const pad = Math.min(24 * HOUR, Math.max(6 * HOUR, Math.round((end - start) / 2 / HOUR) * HOUR));
  return { from: start - pad, to: end + pad };
}

// The building's chart of the points over the span, with the evidence
// chart's hours either side (a peak's single hour alone is one dot).
export function chartLink(building: number, points: number[], e: Evidence): string {
  const around = evidenceWindow(e);
  const q = new URLSearchParams({
    points: points.join(","), from: new Date(around.from).toISOString(), to: new Date(around.to).toISOString(),
  });
  return `#/buildings/${building}?${q}`;
}
