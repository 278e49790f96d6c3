import type { Words } from "../../i18n";

// An instant as the clocks show it in the schedule's time zone (its blocks
// are that zone's wall-clock times); the browser's zone when the name is
// not one the browser knows.
export function zonedTime(t: Words, iso: string | null | undefined, zone: string, withDay = true): string {
  if (!iso) return "–";
  const locale = t.lang === "de" ? "de-DE" : "en-GB";
  const style: Intl.DateTimeFormatOptions = withDay
    ? { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }
    : { hour: "2-digit", minute: "2-digit" };
  try {
    return new Date(iso).toLocaleString(locale, { ...style, timeZone: zone || undefined });
  } catch {
    return new Date(iso).toLocaleString(locale, style);
  }
}
