// What a ranking figure says of itself beside its value: that some hours
// of its year had no readings (the figure is short by them, shown anyway),
// and that it is raw where the ranking is normalised, with why.
import { localWords, type Words } from "../../../i18n";
import { formatHours } from "../figures";
import type { BuildingBenchmark, PeriodEnergy } from "./benchmarks";
import { RANKING_WORDS } from "./words";

export function Incomplete({ t, current, previous }: { t: Words; current: PeriodEnergy; previous?: PeriodEnergy }) {
  const w = localWords(t, RANKING_WORDS);
  const said = [
    current.unknown_hours > 0 && w.incomplete(formatHours(t, current.unknown_hours)),
    previous && previous.unknown_hours > 0 && w.incompleteBefore(formatHours(t, previous.unknown_hours)),
  ].filter(Boolean);
  return said.length > 0 ? <small className="incomplete" data-incomplete>{said.join("; ")}</small> : null;
}

// The reason in the user's words from what the answer shows (no heating
// meter, no degree days); the server's English sentence as the detail
// where it may say more (the API has no code for it).
export function NotNormalised({ t, building }: { t: Words; building: BuildingBenchmark }) {
  const w = localWords(t, RANKING_WORDS);
  const period = building.current;
  const sentence = period.not_normalised ?? "";
  const said = building.heating_medium === null
    ? w.noHeatingMeter
    : period.hdd === null || building.reference_hdd === null
      ? w.noDegreeDays
      : w.noHeatingSignal;
  return (
    <details className="not-normalised" data-not-normalised>
      <summary>{w.notNormalised}</summary>
      <p>
        {said}
        {building.heating_medium !== null && sentence && <> <span className="muted" lang="en">({sentence})</span></>}
      </p>
    </details>
  );
}
