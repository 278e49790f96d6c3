// A finding's evidence spans, each with a link to the building's chart of
// the finding's meters over it, and the chart of one span at a time (the
// first until another is picked): a finding may name dozens of spans, and
// each chart is a query, asked only when its span is shown.
import { useEffect, useState } from "react";

import { localWords, type Words } from "../../../i18n";
import { fetchConsumption, type Series } from "../consumption";
import { EvidenceChart, type EvidenceHour } from "./EvidenceChart";
import { chartLink, evidenceWindow, findingMedium, type Finding, type Judged } from "./recommendations";
import { RECOMMENDATION_WORDS } from "./words";

interface Props {
  t: Words;
  finding: Finding;
  judged: Judged | undefined;
  timeZone: string;
}

// The finding's medium among a consumption answer's series: the one named,
// else the building's heat, else its gas.
function seriesOf(finding: Finding, series: Series[]): Series | null {
  const medium = findingMedium(finding);
  const pick = (m: string) => series.find((s) => s.medium === m) ?? null;
  return medium ? pick(medium) : pick("heat") ?? pick("gas");
}

export function Evidence({ t, finding, judged, timeZone }: Props) {
  const w = localWords(t, RECOMMENDATION_WORDS);
  const [chosen, setChosen] = useState(0);
  const [shown, setShown] = useState<{ index: number; series: Series | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const span = finding.evidence[chosen];
  const around = evidenceWindow(span);

  useEffect(() => {
    let live = true;
    setError(null);
    fetchConsumption({
      scope: "building", id: finding.building_id, interval: "hour",
      from: new Date(around.from), to: new Date(around.to - 1),
      ...(findingMedium(finding) && { medium: findingMedium(finding)! }),
    })
      .then((answer) => live && setShown({ index: chosen, series: seriesOf(finding, answer.series) }))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [finding, chosen]);

  const current = shown?.index === chosen ? shown : null;
  const points = finding.point_ids ?? shown?.series?.meters ?? judged?.meters ?? [];
  const hours: EvidenceHour[] = (current?.series?.buckets ?? []).map((b) => ({ start: Date.parse(b.start), value: b.value }));
  return (
    <div className="evidence" data-shown={current ? chosen : undefined}>
      <ol className="spans" aria-label={w.spans}>
        {finding.evidence.map((e, i) => (
          <li key={e.start}>
            <button type="button" className="link" aria-pressed={i === chosen} onClick={() => setChosen(i)}
                    lang={t.lang === "en" ? undefined : "en"}>
              {e.label}
            </button>{" "}
            <a href={chartLink(finding.building_id, points, e)} aria-label={w.openChartOf(e.label)} data-span={i}>{w.openChart}</a>
          </li>
        ))}
      </ol>
      {error && <p role="alert" className="error">{error}</p>}
      {!current ? (
        !error && <p>{t.loading}</p>
      ) : !current.series ? (
        <p>{w.noMeter}</p>
      ) : (
        <EvidenceChart t={t} hours={hours} span={{ from: Date.parse(span.start), to: Date.parse(span.end) }}
                       unit={current.series.unit} timeZone={timeZone} label={w.chart(span.label)} />
      )}
    </div>
  );
}
