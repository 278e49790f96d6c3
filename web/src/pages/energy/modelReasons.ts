// Why the savings or the forecast of a building's medium has no figures,
// in the user's words. The API says it in an English sentence (not_judged);
// the reasons it knows are put in German here, and the details it appends
// (what the fit lacked) stay as they are.
import { mediumName, type Words } from "../../i18n";

const REASONS: { pattern: RegExp; de: (t: Words, m: string[]) => string; en: (t: Words, m: string[]) => string }[] = [
  {
    pattern: /^the building has no (\w+) meter$/,
    de: (t, m) => `Das Gebäude hat keinen Zähler für ${mediumName(t, m[1])}.`,
    en: (t, m) => `The building has no ${mediumName(t, m[1]).toLowerCase()} meter.`,
  },
  {
    pattern: /name no outdoor temperature point/,
    de: () => "Die Energie-Einstellungen des Gebäudes nennen keinen Außentemperatur-Datenpunkt: das Modell braucht das Wetter.",
    en: () => "The building's energy settings name no outdoor temperature point: the model needs the weather.",
  },
  {
    pattern: /^the baseline period does not fit a model: (.*)$/,
    de: (_t, m) => `Der Basiszeitraum ergibt kein Modell (${m[1]}).`,
    en: (_t, m) => `The baseline period does not fit a model (${m[1]}).`,
  },
  {
    pattern: /^the last year does not fit a (?:model|forecast): (.*)$/,
    de: (_t, m) => `Das letzte Jahr ergibt kein Modell (${m[1]}).`,
    en: (_t, m) => `The last year does not fit a model (${m[1]}).`,
  },
];

export function modelReason(t: Words, message: string): string {
  for (const r of REASONS) {
    const m = r.pattern.exec(message);
    if (m) return r[t.lang](t, m);
  }
  return message;
}
