// Energy, water, money and CO2 as the energy pages write them: in the
// user's language, in the unit a reader takes in at a glance (MWh and t
// once kWh and kg get long), never with more digits than the meters can
// vouch for.
import type { Words } from "../../i18n";

function locale(t: Words): string {
  return t.lang === "de" ? "de-DE" : "en-GB";
}

function number(t: Words, value: number, digits: number): string {
  return value.toLocaleString(locale(t), { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

// kWh below 10,000 kWh, MWh above (a school's month, a town's day).
export function formatEnergy(t: Words, kWh: number): string {
  return Math.abs(kWh) < 10_000 ? `${number(t, kWh, 0)} kWh` : `${number(t, kWh / 1000, 1)} MWh`;
}

// An energy in the unit another is written in, so that a figure and its ±
// read in one unit ("65.6 MWh ± 1.5 MWh", not "± 1,452 kWh").
export function formatEnergyLike(t: Words, kWh: number, like: number): string {
  return Math.abs(like) < 10_000 ? `${number(t, kWh, 0)} kWh` : `${number(t, kWh / 1000, 1)} MWh`;
}

export function formatWater(t: Words, m3: number): string {
  return `${number(t, m3, Math.abs(m3) < 100 ? 1 : 0)} m³`;
}

// A medium's amount in its accounting unit (kWh; m³ for water).
export function formatAmount(t: Words, value: number, unit: string): string {
  return unit === "kWh" ? formatEnergy(t, value) : formatWater(t, value);
}

export function formatMoney(t: Words, value: number, currency: string): string {
  return value.toLocaleString(locale(t), { style: "currency", currency, maximumFractionDigits: 0 });
}

// kg below a tonne, t above.
export function formatCo2(t: Words, kg: number): string {
  return Math.abs(kg) < 1000 ? `${number(t, kg, 0)} kg` : `${number(t, kg / 1000, 1)} t`;
}

// The change from `before` to `now` in per cent, signed; none from nothing.
export function formatChange(t: Words, now: number, before: number): string {
  if (before === 0) return "–";
  return formatFraction(t, (now - before) / before);
}

// A change given as a fraction (0.1: +10 %), signed.
export function formatFraction(t: Words, fraction: number): string {
  const change = fraction * 100;
  return `${change > 0 ? "+" : change < 0 ? "−" : "±"}${number(t, Math.abs(change), 1)} %`;
}

// An energy use intensity, kWh/m²·a, to the tenth.
export function formatIntensity(t: Words, eui: number): string {
  return number(t, eui, 1);
}

// A share of a whole (0.989: 98.9 %), unsigned, to the tenth.
export function formatShare(t: Words, fraction: number): string {
  return `${number(t, fraction * 100, 1)} %`;
}

export function formatHours(t: Words, hours: number): string {
  return `${number(t, hours, Number.isInteger(hours) ? 0 : 1)} h`;
}
