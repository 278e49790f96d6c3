import { takesCommands, type PointRecord } from "./controlApi";
import { at, field, type EditorKit } from "./editorKit";
import { newTarget, SETPOINT_EDGES, type ScheduleDraft, type TargetRow } from "./scheduleDraft";

// The points a schedule writes: the building's setpoint and command points,
// each taking the mode's setpoint, heating or cooling value.
export function TargetsEditor({ kit, targets, points, onChange }: {
  kit: EditorKit;
  targets: TargetRow[];
  points: PointRecord[];
  onChange: (targets: TargetRow[]) => void;
}) {
  const { w } = kit;
  const writable = points.filter(takesCommands);
  const set = (key: number, patch: Partial<TargetRow>) =>
    onChange(targets.map((t) => (t.key === key ? { ...t, ...patch } : t)));
  return (
    <fieldset className="targets" data-path="/targets">
      <legend>{w.targets}</legend>
      <p className="muted wide">{w.targetsIntro}</p>
      {kit.refusal.note("/targets")}
      {targets.length === 0 && <p className="muted wide">{w.noTargets}</p>}
      <ol className="wide">
        {targets.map((t, i) => {
          const path = `/targets/${i}`;
          const label = w.targetLabel(i + 1);
          return (
            <li key={t.key} data-target={i}>
              {field(kit, `${path}/point_id`,
                <PointSelect label={w.fieldOf(w.point, label)} value={t.point_id} points={writable}
                             empty={w.choosePoint} unknown={w.unknownPoint}
                             onChange={(point_id) => set(t.key, { point_id })} attributes={at(kit, `${path}/point_id`)} />)}
              <span>{w.takes}</span>
              {field(kit, `${path}/setpoint`,
                <select value={t.setpoint} aria-label={w.fieldOf(w.takes, label)}
                        onChange={(e) => set(t.key, { setpoint: e.target.value })} {...at(kit, `${path}/setpoint`)}>
                  {SETPOINT_EDGES.map((e) => <option key={e} value={e}>{w.edges[e]}</option>)}
                </select>)}
              <button type="button" aria-label={w.removeRow(label)}
                      onClick={() => onChange(targets.filter((x) => x.key !== t.key))}>
                {w.remove}
              </button>
              {kit.refusal.note(path)}
            </li>
          );
        })}
      </ol>
      <button type="button" onClick={() => onChange([...targets, newTarget()])}>{w.addTarget}</button>
    </fieldset>
  );
}

type Optimal = Pick<ScheduleDraft, "optimal_start" | "zone_point_id" | "outdoor_point_id">;

// Optimal start: the zone's temperature sensor (in the building) and,
// optionally, an outdoor temperature sensor (anywhere in the tenant).
export function OptimalStartEditor({ kit, value, zones, outdoors, onChange }: {
  kit: EditorKit;
  value: Optimal;
  zones: PointRecord[];
  outdoors: PointRecord[];
  onChange: (patch: Partial<Optimal>) => void;
}) {
  const { w } = kit;
  return (
    <fieldset className="optimal-start" data-path="/optimal_start">
      <legend>{w.optimalStart}</legend>
      <p className="muted wide">{w.optimalStartIntro}</p>
      {kit.refusal.note("/optimal_start")}
      <label className="inline">
        <input type="checkbox" checked={value.optimal_start} onChange={(e) => onChange({ optimal_start: e.target.checked })} />
        {w.useOptimalStart}
      </label>
      {value.optimal_start && (
        <>
          <label>
            {w.zonePoint}
            {field(kit, "/optimal_start/zone_point_id",
              <PointSelect value={value.zone_point_id} points={zones} empty={w.choosePoint} unknown={w.unknownPoint}
                           onChange={(zone_point_id) => onChange({ zone_point_id })}
                           attributes={at(kit, "/optimal_start/zone_point_id")} />)}
          </label>
          <label>
            {w.outdoorPoint}
            {field(kit, "/optimal_start/outdoor_point_id",
              <PointSelect value={value.outdoor_point_id} points={outdoors} empty={w.noOutdoor} unknown={w.unknownPoint}
                           onChange={(outdoor_point_id) => onChange({ outdoor_point_id })}
                           attributes={at(kit, "/optimal_start/outdoor_point_id")} />)}
          </label>
        </>
      )}
    </fieldset>
  );
}

// A point chosen by name; one stored that is not among `points` (another
// kind now, or out of sight) is kept and named by its id.
function PointSelect({ label, value, points, empty, unknown, onChange, attributes }: {
  label?: string;
  value: string;
  points: PointRecord[];
  empty: string;
  unknown: (id: string) => string;
  onChange: (id: string) => void;
  attributes: Record<string, unknown>;
}) {
  const known = value === "" || points.some((p) => String(p.id) === value);
  return (
    <select value={value} aria-label={label} onChange={(e) => onChange(e.target.value)} {...attributes}>
      <option value="">{empty}</option>
      {!known && <option value={value}>{unknown(value)}</option>}
      {points.map((p) => <option key={p.id} value={p.id}>{p.name} (#{p.id})</option>)}
    </select>
  );
}
