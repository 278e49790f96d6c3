// Why the savings or the forecast of a building's medium has no figures,
// as the API says it: a code in `reason` (the user's words are chosen by
// it) beside an English sentence in `not_judged` (kept as the detail where
// it says more than the code: what the fit or the estimate lacked).
import { mediumName, type Words } from "../../i18n";

export type NotJudgedReason = "no_meter" | "no_weather_point" | "no_fit" | "no_estimate";

export interface NotJudged {
  not_judged?: string;
  reason?: NotJudgedReason;
}

// Which model was asked: the savings' is fitted on the baseline period, the
// forecast's on the last year.
export type ModelPart = "savings" | "forecast";

const WORDS = {
  de: {
    no_meter: (t: Words, medium: string) => `Das Gebäude hat keinen Zähler für ${mediumName(t, medium)}.`,
    no_weather_point: () =>
      "Die Energie-Einstellungen des Gebäudes nennen keinen Außentemperatur-Datenpunkt: das Modell braucht das Wetter.",
    no_fit: (part: ModelPart) =>
      part === "savings" ? "Der Basiszeitraum ergibt kein Modell." : "Das letzte Jahr ergibt kein Modell.",
    no_estimate: (part: ModelPart) =>
      part === "savings"
        ? "Das Modell ergibt keine Schätzung für den Berichtszeitraum."
        : "Das Modell ergibt keine Prognose für die kommenden Stunden.",
  },
  en: {
    no_meter: (t: Words, medium: string) => `The building has no ${mediumName(t, medium).toLowerCase()} meter.`,
    no_weather_point: () =>
      "The building's energy settings name no outdoor temperature point: the model needs the weather.",
    no_fit: (part: ModelPart) =>
      part === "savings" ? "The baseline period does not fit a model." : "The last year does not fit a model.",
    no_estimate: (part: ModelPart) =>
      part === "savings"
        ? "The model gives no estimate for the reporting period."
        : "The model gives no forecast for the hours ahead.",
  },
};

// The reason in the user's words, and the server's sentence where it adds
// to them (null else). A code this UI does not know yet shows the sentence.
export function notJudgedWords(t: Words, item: NotJudged, medium: string, part: ModelPart): { said: string; detail: string | null } {
  const w = WORDS[t.lang];
  const sentence = item.not_judged ?? "";
  switch (item.reason) {
    case "no_meter":
      return { said: w.no_meter(t, medium), detail: null };
    case "no_weather_point":
      return { said: w.no_weather_point(), detail: null };
    case "no_fit":
      return { said: w.no_fit(part), detail: sentence };
    case "no_estimate":
      return { said: w.no_estimate(part), detail: sentence };
    default:
      return { said: sentence, detail: null };
  }
}
