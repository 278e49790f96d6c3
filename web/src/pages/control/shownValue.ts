import { isOnOff, type PointRecord } from "./controlApi";
import type { CommandWords } from "./commandWords";

// A commanded value as the user reads it: on/off for an on/off point, the
// number in the point's unit otherwise; null is a release.
export function shownValue(w: CommandWords, lang: string, point: PointRecord, value: number | null): string {
  if (value === null) return w.released;
  if (isOnOff(point) && (value === 0 || value === 1)) return value === 1 ? w.on : w.off;
  return `${value.toLocaleString(lang, { maximumFractionDigits: 6 })}${point.unit ? ` ${point.unit}` : ""}`;
}
