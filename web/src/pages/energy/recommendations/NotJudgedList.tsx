// The rules each building could not judge and why, folded away: they say
// what data is missing, not what to do, so they come after the findings.
import { localWords, type Words } from "../../../i18n";
import type { Judged } from "./recommendations";
import { RECOMMENDATION_WORDS } from "./words";

export function NotJudgedList({ t, judged, name }: { t: Words; judged: Judged[]; name: (id: number) => string }) {
  const w = localWords(t, RECOMMENDATION_WORDS);
  const withSome = judged.filter((j) => j.not_judged.length > 0);
  if (withSome.length === 0) return null;
  const rules = withSome.reduce((n, j) => n + j.not_judged.length, 0);
  return (
    <details className="not-judged-list">
      <summary>{w.notJudged(rules, withSome.length)}</summary>
      <ul>
        {withSome.map((j) => (
          <li key={j.building_id} data-building={j.building_id}>
            <strong>{name(j.building_id)}</strong>:{" "}
            {j.not_judged.map((n) => `${w.kinds[n.kind] ?? n.kind} (${w.reasons[n.reason] ?? n.reason})`).join(", ")}
          </li>
        ))}
      </ul>
    </details>
  );
}
