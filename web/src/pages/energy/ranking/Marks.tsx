// What a ranking figure says of itself beside its value: that some hours
// of its year had no readings (the share known and the hours short; the
// figure is shown anyway), and that it is raw where the ranking is
// normalised, with why.
import { localWords, type Words } from "../../../i18n";
import { formatHours, formatShare } from "../figures";
import { knownShare, type BuildingBenchmark, type PeriodEnergy } from "./benchmarks";
import { RANKING_WORDS } from "./words";

export function Incomplete({ t, current, previous }: { t: Words; current: PeriodEnergy; previous?: PeriodEnergy }) {
  const w = localWords(t, RANKING_WORDS);
  const short = (p: PeriodEnergy) => [formatShare(t, knownShare(p)), formatHours(t, p.unknown_hours)] as const;
  const said = [
    current.unknown_hours > 0 && w.incomplete(...short(current)),
    previous && previous.unknown_hours > 0 && w.incompleteBefore(...short(previous)),
  ].filter(Boolean);
  return said.length > 0 ? <small className="incomplete" data-incomplete>{said.join("; ")}</small> : null;
}

// The reason in the user's words from the API's code; the server's English
// sentence as the detail where the code cannot say it all (why the heating
// does not follow the degree days), and in place of a code not known here.
export function NotNormalised({ t, building }: { t: Words; building: BuildingBenchmark }) {
  const w = localWords(t, RANKING_WORDS);
  const { not_normalised: sentence, not_normalised_reason: reason } = building.current;
  const said = reason && w.notNormalisedReason[reason];
  return (
    <details className="not-normalised" data-not-normalised data-reason={reason}>
      <summary>{w.notNormalised}</summary>
      <p>
        {said || <span lang="en">{sentence}</span>}
        {said && reason === "no_heating_signal" && sentence && <> <span className="muted" lang="en">({sentence})</span></>}
      </p>
    </details>
  );
}
