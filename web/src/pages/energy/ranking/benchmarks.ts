// The benchmarks API (GET /api/v1/analytics/benchmarks, docs/analytics.md
// "Benchmarks"): every building's energy use intensity over the 12 whole
// months before this one and the 12 before, its heating weather-normalised
// with degree days, and each building type's median, lowest and highest.
// The server ranks; the UI keeps its order.
import { session } from "../../../api/client";

export interface PeriodEnergy {
  kwh: Record<string, number>; // electricity, heat, gas
  total_kwh: number;
  hours: number; // the period's (8,759 to 8,785 with the clock changes)
  unknown_hours: number; // the figures are short by these hours
  hdd: number | null;
  cdd: number | null;
  eui: number | null; // kWh/m²·a, raw; null without a floor area
  eui_normalised: number | null; // the heating normalised to the reference degree days
  not_normalised?: string; // why not, in English
  not_normalised_reason?: NotNormalisedReason; // the same as a code
}

export type NotNormalisedReason = "no_heating_meter" | "no_weather_point" | "no_degree_days" | "no_heating_signal";

export interface BuildingBenchmark {
  building_id: number;
  name: string;
  type: string;
  floor_area_m2: number | null;
  heating_medium: "heat" | "gas" | null;
  reference_hdd: number | null;
  current: PeriodEnergy;
  previous: PeriodEnergy;
  change: number | null; // a fraction: 0.1 is +10 %
  change_normalised: number | null;
}

export interface TypeBenchmark {
  type: string;
  buildings: number; // with an EUI
  normalised: number; // of them normalised; the others count raw
  median_eui: number;
  min_eui: number;
  max_eui: number;
}

export interface Benchmarks {
  from: string; // YYYY-MM-DD, the first day
  to: string; // YYYY-MM-DD, the day after the last
  previous_from: string;
  heating_base_c: number;
  reference: "given" | "mean_of_periods";
  buildings: BuildingBenchmark[]; // ranked: lowest EUI first, those without one last
  types: TypeBenchmark[];
}

export function fetchBenchmarks(): Promise<Benchmarks> {
  return session.call<Benchmarks>("/api/v1/analytics/benchmarks");
}

// The figure a building is ranked and compared with its type by: the
// normalised EUI where there is one, else the raw.
export interface RankedEui {
  eui: number;
  normalised: boolean;
}

export function rankedEui(period: PeriodEnergy): RankedEui | null {
  if (period.eui_normalised !== null) return { eui: period.eui_normalised, normalised: true };
  if (period.eui !== null) return { eui: period.eui, normalised: false };
  return null;
}

// The change against the year before on the same footing as the ranking:
// normalised when both years are, else raw.
export function rankedChange(b: BuildingBenchmark): { change: number; normalised: boolean } | null {
  if (b.change_normalised !== null) return { change: b.change_normalised, normalised: true };
  if (b.change !== null) return { change: b.change, normalised: false };
  return null;
}

// How far a building's figure lies from its type's median, a fraction;
// null where the type has no other building to compare with.
export function againstMedian(figure: RankedEui, type: TypeBenchmark | undefined): number | null {
  if (!type || type.buildings < 2 || type.median_eui <= 0) return null;
  return figure.eui / type.median_eui - 1;
}

// The share of a period's hours every meter knows, rounded down to the
// tenth of a per cent: a year short of an hour never reads as 100 %.
export function knownShare(period: PeriodEnergy): number {
  if (period.hours <= 0) return 0;
  return Math.floor((1000 * (period.hours - period.unknown_hours)) / period.hours) / 1000;
}
