import { MODES, type Mode } from "./controlApi";
import { at, field, type EditorKit } from "./editorKit";
import { SETPOINT_EDGES, type ModeRow } from "./scheduleDraft";

// Each mode's setpoints: the one setpoint (required) and the comfort
// band's heating and cooling edges (optional). The server checks the band
// (heating < cooling, the setpoint within).
export function ModesEditor({ kit, modes, onChange }: {
  kit: EditorKit;
  modes: Record<Mode, ModeRow>;
  onChange: (modes: Record<Mode, ModeRow>) => void;
}) {
  const { w } = kit;
  return (
    <fieldset className="modes">
      <legend>{w.setpoints}</legend>
      <p className="muted wide" id="modes-intro">{w.setpointsIntro}</p>
      <div className="scroll wide">
        <table>
          <thead>
            <tr><th>{w.mode}</th>{SETPOINT_EDGES.map((e) => <th key={e}>{w.edges[e]}</th>)}</tr>
          </thead>
          <tbody>
            {MODES.map((m) => (
              <tr key={m} data-mode={m}>
                <th scope="row">{w.modes[m]}{kit.refusal.note(`/schedule/modes/${m}`)}</th>
                {SETPOINT_EDGES.map((e) => {
                  const path = `/schedule/modes/${m}/${e}`;
                  return (
                    <td key={e}>
                      {field(kit, path,
                        <input value={modes[m][e]} inputMode="decimal" autoComplete="off" size={6}
                               aria-label={w.fieldOfMode(w.edges[e], w.modes[m])}
                               onChange={(ev) => onChange({ ...modes, [m]: { ...modes[m], [e]: ev.target.value } })}
                               {...at(kit, path)} />)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </fieldset>
  );
}
