// One finding: its rank, title, building and severity, what it saves a
// year in energy, money and CO2, the sentence that explains it, and its
// evidence (charted only once opened).
import { useState } from "react";

import { localWords, type Words } from "../../../i18n";
import { formatCo2, formatEnergy, formatMoney } from "../figures";
import { Evidence } from "./Evidence";
import type { Finding, Judged } from "./recommendations";
import { RECOMMENDATION_WORDS } from "./words";

interface Props {
  t: Words;
  finding: Finding;
  building: string;
  judged: Judged | undefined;
  timeZone: string;
}

export function FindingItem({ t, finding, building, judged, timeZone }: Props) {
  const w = localWords(t, RECOMMENDATION_WORDS);
  const [open, setOpen] = useState(false);
  const english = t.lang === "en" ? undefined : "en";
  const title = t.lang === "en" ? finding.title : w.kinds[finding.kind] ?? finding.title;
  const id = `finding-${finding.priority}`;
  return (
    <li className="finding" data-priority={finding.priority} data-building={finding.building_id} data-kind={finding.kind}
        aria-labelledby={id}>
      <h3 id={id}>
        <span className="priority" aria-label={`${w.priority} ${finding.priority}`}>{finding.priority}.</span>{" "}
        {title}{" "}
        <span className={`severity ${finding.severity}`}>{w.severities[finding.severity] ?? finding.severity}</span>
      </h3>
      <p className="building-name-line"><a href={`#/buildings/${finding.building_id}`}>{building}</a></p>
      <dl className="per-year" aria-label={w.perYear}>
        <div data-figure="kwh"><dt>{w.energy}</dt><dd>{formatEnergy(t, finding.per_year.kwh)}</dd></div>
        {judged?.currency && (
          <div data-figure="money"><dt>{w.money}</dt><dd>{formatMoney(t, finding.per_year.money, judged.currency)}</dd></div>
        )}
        <div data-figure="co2"><dt>{w.co2}</dt><dd>{formatCo2(t, finding.per_year.kg_co2)}</dd></div>
      </dl>
      <p className="explanation" lang={english}>{finding.explanation}</p>
      {finding.evidence.length > 0 && (
        <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
          <summary>{w.evidence(finding.evidence.length)}</summary>
          {open && <Evidence t={t} finding={finding} judged={judged} timeZone={timeZone} />}
        </details>
      )}
    </li>
  );
}
