// One building of the ranking: its rank among the rows shown, its name
// leading to the building, the figure it is ranked by (normalised, else raw
// and marked so), the raw figure, the change on the year before, and how it
// stands against the median of its type.
import { buildingTypeName, localWords, type Words } from "../../../i18n";
import { formatFraction, formatIntensity } from "../figures";
import { againstMedian, rankedChange, rankedEui, type BuildingBenchmark, type TypeBenchmark } from "./benchmarks";
import { Incomplete, NotNormalised } from "./Marks";
import { TypeBar } from "./TypeBar";
import { RANKING_WORDS } from "./words";

interface Props {
  t: Words;
  building: BuildingBenchmark;
  rank: number | null; // null: no figure to rank by
  type: TypeBenchmark | undefined;
}

export function RankingRow({ t, building: b, rank, type }: Props) {
  const w = localWords(t, RANKING_WORDS);
  const figure = rankedEui(b.current);
  const change = rankedChange(b);
  const vsMedian = figure && againstMedian(figure, type);
  return (
    <tr data-building={b.building_id}>
      <td className="number">{rank ?? "–"}</td>
      <th scope="row"><a href={`#/buildings/${b.building_id}`}>{b.name}</a></th>
      <td className="number" data-eui data-normalised={figure ? String(figure.normalised) : undefined}>
        {figure ? formatIntensity(t, figure.eui) : "–"}
        {figure && !figure.normalised && <NotNormalised t={t} building={b} />}
        {figure && <Incomplete t={t} current={b.current} />}
        {!figure && b.floor_area_m2 === null && <small className="muted"> {w.noArea}</small>}
      </td>
      <td className="number" data-raw>
        {b.current.eui === null ? "–" : formatIntensity(t, b.current.eui)}
      </td>
      <td className="number" data-change data-normalised={change ? String(change.normalised) : undefined}>
        {change ? formatFraction(t, change.change) : "–"}
        {change && !change.normalised && <small className="muted"> {w.changeRaw}</small>}
        {change && <Incomplete t={t} current={b.current} previous={b.previous} />}
      </td>
      <td data-type={b.type}>
        {buildingTypeName(t, b.type)}
        {figure && type && (
          <>
            {vsMedian !== null && <TypeBar eui={figure.eui} type={type} />}
            <small data-against-median>
              {vsMedian === null
                ? w.onlyOfType
                : w.againstMedian(formatFraction(t, vsMedian), formatIntensity(t, type.median_eui), type.buildings)}
            </small>
          </>
        )}
      </td>
    </tr>
  );
}
