// One period's figures over every medium of a consumption answer: the
// energy media summed in kWh, water apart in m³, the cost by currency and
// the CO2 — each with whether it is incomplete, and with the media it could
// not include (a medium without a tariff has no cost, heat without a
// carbon factor no CO2).
import { ENERGY_MEDIA, missingHours, type Consumption, type Medium, type Series } from "./consumption";

export interface Figure {
  value: number;
  incomplete: boolean; // some hour that should be known by now is not
}

export interface PeriodFigures {
  energy: Figure | null; // kWh of electricity, heat and gas
  water: Figure | null; // m³
  costs: (Figure & { currency: string })[];
  co2: Figure | null; // kg
  unpriced: Medium[]; // energy media with consumption but no cost
  uncounted: Medium[]; // energy media with consumption but no CO2
}

function missing(s: Series): boolean {
  return s.buckets.some((b) => missingHours(b) > 0);
}

function add(to: Figure | null, value: number, incomplete: boolean): Figure {
  return { value: (to?.value ?? 0) + value, incomplete: (to?.incomplete ?? false) || incomplete };
}

export function periodFigures(answer: Consumption): PeriodFigures {
  const out: PeriodFigures = { energy: null, water: null, costs: [], co2: null, unpriced: [], uncounted: [] };
  for (const s of answer.series) {
    const incomplete = missing(s);
    const total = s.total ?? 0;
    if (s.medium === "water") {
      out.water = add(out.water, total, incomplete);
      continue;
    }
    if (!ENERGY_MEDIA.includes(s.medium)) continue;
    out.energy = add(out.energy, total, incomplete);
    if (s.currency && s.cost_total != null) {
      const i = out.costs.findIndex((c) => c.currency === s.currency);
      const summed = add(i < 0 ? null : out.costs[i], s.cost_total, incomplete);
      if (i < 0) out.costs.push({ ...summed, currency: s.currency });
      else out.costs[i] = { ...summed, currency: s.currency };
    } else if (total > 0) {
      out.unpriced.push(s.medium);
    }
    if (s.co2_kg_total != null) out.co2 = add(out.co2, s.co2_kg_total, incomplete);
    else if (total > 0) out.uncounted.push(s.medium);
  }
  return out;
}
