// Energy use intensity (docs/analytics.md, "Degree days, weather
// normalisation, energy use intensity"): a building's electricity, heat and
// gas over twelve months per m² of gross floor area, kWh/m²·a. From one
// consumption answer by building and month reaching from 24 months before
// the month holding now to that month: the twelve whole months before it,
// and the twelve before those for the change. The running month is left
// out, so the figure is a year of bills, not a year and a few days.
import { ENERGY_MEDIA, type Consumption, type Series } from "./consumption";
import type { EnergyBuilding } from "./buildings";

export interface Intensity {
  eui: number; // kWh/m²·a
  incomplete: boolean; // some hour of the months had no readings
}

export interface EuiRow {
  building: EnergyBuilding;
  energy: number | null; // kWh in the last twelve months; null: no energy meter
  last: Intensity | null; // null without a floor area or meters
  before: Intensity | null;
}

export interface EuiRanking {
  rows: EuiRow[];
  // The first and the last of the twelve months (their starts), in the zone of their buckets.
  months: { from: string; to: string; timezone: string } | null;
}

// The ranking's query: any instant in the month 24 months back, to now.
export function euiQueryRange(now: number): { from: Date; to: Date } {
  const d = new Date(now);
  return { from: new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 24, 15)), to: new Date(now) };
}

function sumMonths(series: Series[], first: number, last: number) {
  let energy = 0;
  let unknown = 0;
  for (const s of series)
    for (const b of s.buckets.slice(Math.max(0, first), Math.max(0, last))) {
      energy += b.value ?? 0;
      unknown += b.unknown_hours;
    }
  // A window reaching before the first bucket lacks those months entirely.
  return { energy, incomplete: unknown > 0 || first < 0 };
}

// Highest intensity first (the buildings to look at); those without a
// floor area or an energy meter last, by name.
export function rankByEui(buildings: EnergyBuilding[], answer: Consumption, now: number): EuiRanking {
  const series = answer.series.filter((s) => ENERGY_MEDIA.includes(s.medium) && s.building_id !== undefined);
  const buckets = series[0]?.buckets ?? [];
  const running = buckets.findIndex((b) => Date.parse(b.start) <= now && now < Date.parse(b.end));
  const end = running < 0 ? buckets.length : running;
  const rows = buildings.map((building): EuiRow => {
    const own = series.filter((s) => s.building_id === building.id);
    if (own.length === 0) return { building, energy: null, last: null, before: null };
    const last = sumMonths(own, end - 12, end);
    const before = sumMonths(own, end - 24, end - 12);
    const area = building.gross_floor_area_m2;
    const intensity = (w: typeof last) => (area ? { eui: w.energy / area, incomplete: w.incomplete } : null);
    return { building, energy: last.energy, last: intensity(last), before: intensity(before) };
  });
  rows.sort((a, b) => {
    if (a.last && b.last) return b.last.eui - a.last.eui || a.building.name.localeCompare(b.building.name);
    if (a.last || b.last) return a.last ? -1 : 1;
    return a.building.name.localeCompare(b.building.name);
  });
  const first = buckets[end - 12];
  return { rows, months: first ? { from: first.start, to: buckets[end - 1].start, timezone: answer.timezone } : null };
}
