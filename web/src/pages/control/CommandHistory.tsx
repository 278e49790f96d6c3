import { useEffect, useState } from "react";

import type { Words } from "../../i18n";
import { formatTime } from "../admin/time";
import { isRunningOverride, loadPointCommands, releaseCommand, type Command, type PointRecord } from "./controlApi";
import type { CommandWords } from "./commandWords";
import { ProblemAlert } from "./refusal";
import { shownValue } from "./shownValue";

// The point's recent commands, newest first, as the server keeps them; a
// timed override still holding the point can be released from its row.
// `generation` grows whenever the dialog knows of a change (a command sent
// or settled), so the list is loaded again.
export function CommandHistory({ t, w, point, generation, canRelease }: {
  t: Words;
  w: CommandWords;
  point: PointRecord;
  generation: number;
  canRelease: boolean;
}) {
  const [commands, setCommands] = useState<Command[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [releasing, setReleasing] = useState<number | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let live = true;
    loadPointCommands(point.id)
      .then((list) => live && setCommands(list))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [point.id, generation, reloads]);

  // While a command is pending (the end of an override is written after
  // the release), the list is asked again until it settles.
  const pending = commands?.some((c) => c.status === "pending") ?? false;
  useEffect(() => {
    if (!pending) return;
    const timer = window.setTimeout(() => setReloads((n) => n + 1), 1000);
    return () => window.clearTimeout(timer);
  }, [pending, commands]);

  const release = async (c: Command) => {
    setReleasing(c.id);
    setError(null);
    try {
      await releaseCommand(c.id);
    } catch (e) {
      setError(e);
    } finally {
      setReleasing(null);
      setReloads((n) => n + 1);
    }
  };

  const now = Date.now();
  return (
    // A division, not a landmark: its table is the region named "recent commands".
    <div className="command-history">
      <h3 id={`recent-${point.id}`}>{w.recent}</h3>
      <ProblemAlert id={`recent-problem-${point.id}`} error={error} statuses={w.problems}
                    serverSaid={w.serverSaid} failed={w.failed} />
      {commands === null ? <p>{t.loading}</p> : commands.length === 0 ? <p className="muted">{w.noCommands}</p> : (
        <div className="scroll" role="region" aria-label={w.recent} tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th>{w.requested}</th><th>{w.value}</th><th>{w.priority}</th><th>{w.by}</th>
                <th>{w.status}</th><th>{w.until}</th>
                {canRelease && <th><span className="visually-hidden">{t.actions}</span></th>}
              </tr>
            </thead>
            <tbody>
              {commands.map((c) => (
                <tr key={c.id} data-command={c.id} data-status={c.status}>
                  <td>{formatTime(t, c.requested_at, true)}</td>
                  <td className="number">{shownValue(w, t.lang, point, c.value)}</td>
                  <td className="number">{c.priority ?? "–"}</td>
                  <td>{c.origin === "operator" ? c.actor : w.origins[c.origin] ?? c.origin}</td>
                  <td>
                    <span className={`command-status ${c.status}`}>{w.statusShort[c.status] ?? c.status}</span>
                    {c.read_back !== null && c.read_back !== c.value && (
                      <small>{w.readBack}: {shownValue(w, t.lang, point, c.read_back)}</small>
                    )}
                    {c.error && <small className="error">{c.error}</small>}
                  </td>
                  <td>
                    {c.expires_at ? formatTime(t, c.expires_at) : "–"}
                    {c.ended_at && <small className="muted">{w.ended} {formatTime(t, c.ended_at)}</small>}
                  </td>
                  {canRelease && (
                    <td>
                      {isRunningOverride(c, now) && (
                        <button type="button" aria-label={w.releaseOverrideOf(c.id)} disabled={releasing !== null}
                                onClick={() => release(c)}>
                          {releasing === c.id ? w.releasing : w.releaseOverride}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
